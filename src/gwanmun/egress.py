"""The air gap, enforced in-process.

Two layers:

* ``check_backend_url`` runs at startup: a configured backend whose host
  resolves to anything outside loopback or ``internal_networks`` stops the
  gateway before it serves a single request.
* ``install_egress_guard`` adds a ``sys.addaudithook`` hook that sees every
  ``socket.connect``/``sendto``/``sendmsg`` made by any library in the process
  (httpx, a model loader, a telemetry package nobody asked for) and refuses the
  ones to a non-allowed address by raising ``EgressRefused`` *before* the
  socket call runs. Audit hooks cannot be removed, so the hook is installed
  once and reads its policy from a module-level holder.

Backend URLs are parsed strictly (``parse_backend_url``): a host is a plain
IPv4 or IPv6 literal or a DNS name, nothing else, because every parser reads
tricks like ``127.0.0.1%2508.8.8.8`` differently. Names are resolved once at
start and pinned (``PinnedResolver``), so the HTTP client connects to the very
addresses that were checked. Neither layer sees C-level sockets, subprocesses
or DNS: the boundary that does is the OS's, printed by ``gwanmun egress-rules``.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import socket
import sys
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from aiohttp.abc import AbstractResolver, ResolveResult

from gwanmun.errors import ConfigError, EgressDenied

log = logging.getLogger("gwanmun.egress")

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# The audit events that carry a destination address as their second argument.
_EVENTS = frozenset({"socket.connect", "socket.sendto", "socket.sendmsg"})


class EgressRefused(ConnectionRefusedError):
    """Raised inside a socket call the egress guard refused.

    A ``ConnectionRefusedError`` so that HTTP clients treat it like any other
    unreachable host (a clean connection error), not as a crash.
    """


def _parse_ip(host: str) -> IPAddress | None:
    # Only IPv6 literals may carry a zone id (``fe80::1%eth0``), and ipaddress
    # keeps it; cutting at ``%`` would read ``127.0.0.1%2508.8.8.8`` as loopback.
    host = host.strip("[]")
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


@dataclass(frozen=True, slots=True)
class EgressPolicy:
    """Which destination addresses the process may connect to.

    Loopback is always allowed; everything else must fall inside one of
    ``networks`` (the operator's ``internal_networks``).
    """

    networks: tuple[IPNetwork, ...] = ()

    @classmethod
    def from_strings(cls, values: Iterable[str]) -> EgressPolicy:
        networks: list[IPNetwork] = []
        for value in values:
            try:
                networks.append(ipaddress.ip_network(value.strip(), strict=False))
            except ValueError:
                raise ConfigError(
                    f"internal_networks: {value!r} is not a network in CIDR form "
                    "(for example 10.0.0.0/8 or fd00::/8)"
                ) from None
        return cls(tuple(networks))

    def allows_ip(self, address: IPAddress) -> bool:
        if address.is_loopback:
            return True
        return any(address.version == n.version and address in n for n in self.networks)

    def allows(self, host: str) -> bool:
        """Whether an IP literal is allowed. Host names are never allowed here:
        the runtime guard resolves them first, see ``EgressGuardState.check``."""
        address = _parse_ip(host)
        return address is not None and self.allows_ip(address)

    def describe(self) -> str:
        nets = ", ".join(str(n) for n in self.networks)
        return f"loopback{', ' + nets if nets else ''}"


Resolver = Callable[..., list[tuple[Any, ...]]]


def resolve_host(host: str, resolve: Resolver = socket.getaddrinfo) -> list[str]:
    """Every address ``host`` resolves to (IP literals resolve to themselves)."""
    if _parse_ip(host) is not None:
        return [host.strip("[]")]
    infos = resolve(host, None, 0, socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


# A DNS name as RFC 1123 allows it: letters, digits and inner hyphens per label.
_LABEL = r"(?!-)[a-z0-9-]{1,63}(?<!-)"
_DNS_NAME = re.compile(rf"{_LABEL}(\.{_LABEL})*\.?")
# A last label of digits (or 0x…) makes WHATWG parsers read the host as an IPv4
# number (``127.1``, ``2130706433``, ``0x7f.1``) while others resolve it as a name.
_NUMERIC_LABEL = re.compile(r"0x[0-9a-f]*|[0-9]+")


@dataclass(frozen=True, slots=True)
class BackendTarget:
    """A backend URL's host, and the addresses it was checked (and pinned) at."""

    host: str
    addresses: tuple[str, ...]


def parse_backend_url(url: str) -> tuple[str, str]:
    """``(scheme, host)`` of a backend URL, or ``ConfigError`` for anything non-canonical.

    Refused: userinfo, percent-encoding or a zone id in the host, IPv4 in any
    form but four plain decimals, names that are not RFC 1123, non-ASCII,
    whitespace or backslashes anywhere, a query or fragment, a bad port.
    """

    def refuse(why: str) -> ConfigError:
        return ConfigError(
            f"backend URL {url!r}: {why}; write it as http(s)://HOST[:PORT]/PATH with HOST "
            "a plain IP address or DNS name"
        )

    if not url.isascii() or any(c.isspace() or c == "\\" or ord(c) < 32 for c in url):
        raise refuse("non-ASCII, whitespace, control or backslash characters")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise refuse("only http:// and https:// are allowed")
    netloc = parts.netloc
    if "@" in netloc:
        raise refuse("user information (user@host) is not allowed; use api_key_env")
    if "%" in netloc:
        raise refuse("percent-encoding or a zone id in the host is not allowed")
    if parts.query or parts.fragment or url.endswith(("?", "#")):
        raise refuse("a query or fragment is not allowed")
    try:
        parts.port  # noqa: B018 - parsing it is the check
    except ValueError:
        raise refuse("the port is not a number from 1 to 65535") from None
    if netloc.endswith(":") or parts.port == 0:
        raise refuse("the port is empty or 0")
    host = (parts.hostname or "").lower()
    if not host:
        raise refuse("there is no host")
    if netloc.startswith("[") and (":" not in host or strict_host(host) is None):
        raise refuse("the bracketed host is not an IPv6 address")
    if not netloc.startswith("[") and strict_host(host) is None:
        raise refuse("the host is neither four-part IPv4, bracketed IPv6 nor a DNS name")
    return parts.scheme, host


def strict_host(host: str) -> str | None:
    """``host`` in lower case if it is canonical — four plain decimal IPv4 parts, an
    IPv6 address without a zone id, or an RFC 1123 DNS name whose last label is no
    number — else None. The one test for every host Gwanmun connects to by name."""
    host = host.lower()
    if not host.isascii() or "%" in host or any(c.isspace() or ord(c) < 32 for c in host):
        return None
    try:
        ipaddress.IPv4Address(host)
    except ValueError:
        pass
    else:
        return host
    if ":" in host:
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            return None
        return host
    last_label = host.rstrip(".").rsplit(".", 1)[-1]
    if not _DNS_NAME.fullmatch(host) or _NUMERIC_LABEL.fullmatch(last_label):
        return None
    return host


def check_backend_url(
    url: str, policy: EgressPolicy, *, resolve: Resolver = socket.getaddrinfo
) -> BackendTarget:
    """Refuse a backend URL that is not canonical HTTP(S) to allowed addresses only;
    return the addresses it resolved to, for pinning."""
    _, host = parse_backend_url(url)
    addresses = check_host(host, policy, what=f"backend {url}", resolve=resolve)
    return BackendTarget(host, tuple(addresses))


def check_host(
    host: str, policy: EgressPolicy, *, what: str, resolve: Resolver = socket.getaddrinfo
) -> list[str]:
    """Refuse ``host`` unless every address it resolves to is allowed; return them."""
    try:
        addresses = resolve_host(host, resolve)
    except OSError as exc:
        raise EgressDenied(
            f"{what}: host {host!r} does not resolve ({exc.strerror or exc}); "
            "refusing to start rather than guess where it points"
        ) from None
    outside = [a for a in addresses if not policy.allows(a)]
    if outside:
        raise EgressDenied(
            f"{what} resolves to {', '.join(outside)}, outside the allowed networks "
            f"({policy.describe()}). If this host really is internal, add its network to "
            "internal_networks in the configuration."
        )
    return addresses


class PinnedResolver(AbstractResolver):
    """aiohttp's resolver, answering only with the addresses checked at start.

    Without it the HTTP client resolves a backend's name again on every new
    connection, so a changed DNS answer (rebinding) would reach an address the
    start-up check never saw. A name that was not pinned does not resolve.
    """

    def __init__(self) -> None:
        self._pins: dict[str, tuple[str, ...]] = {}

    def pin(self, target: BackendTarget) -> None:
        self._pins[target.host.rstrip(".")] = target.addresses

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        addresses = self._pins.get(host.lower().rstrip("."))
        if not addresses:
            raise OSError(f"{host} was not resolved and checked at start; refusing to resolve it")
        results: list[ResolveResult] = []
        for text in addresses:
            address = ipaddress.ip_address(text)
            found = socket.AF_INET if address.version == 4 else socket.AF_INET6
            if family in (socket.AF_UNSPEC, found):
                results.append(
                    ResolveResult(
                        hostname=host,
                        host=text,
                        port=port,
                        family=found,
                        proto=0,
                        flags=socket.AI_NUMERICHOST,
                    )
                )
        if not results:
            raise OSError(f"{host} has no pinned address of the family asked for")
        return results

    async def close(self) -> None:
        return None


@dataclass
class EgressGuardState:
    """The live policy of the process-wide hook, and what it has seen.

    ``non_loopback`` lists every destination outside loopback that anything in
    the process tried to reach (allowed or not); ``refused`` the ones refused.
    Both are bounded so a misbehaving library cannot grow them without limit.
    """

    policy: EgressPolicy | None = None
    non_loopback: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    limit: int = 1000
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def check(self, event: str, address: Any, resolve: Resolver = socket.getaddrinfo) -> None:
        """Raise ``EgressRefused`` if ``address`` may not be reached."""
        policy = self.policy
        if policy is None:
            return
        if not isinstance(address, tuple) or not address or not isinstance(address[0], str):
            return  # AF_UNIX paths and other local families
        host = address[0]
        try:
            destinations = resolve_host(host, resolve)
        except OSError:
            destinations = [host]  # unresolvable: judged (and refused) as a name
        verdicts = [(d, policy.allows(d)) for d in destinations]
        outside_loopback = [d for d in destinations if not _is_loopback(d)]
        if outside_loopback:
            self._remember(self.non_loopback, f"{event} {host}:{_port(address)}")
        if all(ok for _, ok in verdicts):
            return
        self._remember(self.refused, f"{event} {host}:{_port(address)}")
        log.warning(
            "egress refused",
            extra={"event": event, "destination": host, "port": _port(address)},
        )
        raise EgressRefused(
            f"Gwanmun egress guard refused a connection to {host}: only "
            f"{policy.describe()} may be reached from this process"
        )

    def _remember(self, bucket: list[str], entry: str) -> None:
        with self._lock:
            if len(bucket) < self.limit:
                bucket.append(entry)

    def reset(self) -> None:
        with self._lock:
            self.non_loopback.clear()
            self.refused.clear()


def _is_loopback(host: str) -> bool:
    address = _parse_ip(host)
    return address is not None and address.is_loopback


def _port(address: tuple[Any, ...]) -> Any:
    return address[1] if len(address) > 1 else None


STATE = EgressGuardState()
_installed = False
_install_lock = threading.Lock()


def _hook(event: str, args: tuple[Any, ...]) -> None:
    if event in _EVENTS and STATE.policy is not None:
        STATE.check(event, args[1])


def install_egress_guard(policy: EgressPolicy) -> EgressGuardState:
    """Enforce ``policy`` on every socket in this process from now on."""
    global _installed
    with _install_lock:
        STATE.policy = policy
        if not _installed:
            sys.addaudithook(_hook)
            _installed = True
    log.info("egress guard on", extra={"allowed": policy.describe()})
    return STATE
