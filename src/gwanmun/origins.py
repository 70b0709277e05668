"""Which sites may drive a signed-in browser here: this one, or one listed.  [pure]

A browser sends ``Origin`` (and ``Sec-Fetch-Site``) with every state-changing
request, so a page on another site that makes a visitor's browser sign in
(login CSRF) or act with their session cookie is told apart from the
gateway's own pages. The gateway's own origin is the one its ``Host`` header
names; a gateway behind a proxy that rewrites ``Host``, or a workspace served
from another origin, lists its origins in ``allowed_origins``. A request with
no ``Origin`` is no browser on another site (scripts, the CLI).

``cross_site`` is the one place that decides, for the login and for every
cookie-authenticated POST/PUT/PATCH/DELETE.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from urllib.parse import urlsplit

_DEFAULT_PORTS = {"http": 80, "https": 443}


def normal_origin(value: str) -> str | None:
    """``scheme://host[:port]`` in lower case without a default port, or None when
    ``value`` is not an origin (a path, query, user name or other scheme)."""
    try:
        parts = urlsplit(value.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    if parts.path not in ("", "/") or parts.query or parts.fragment or "@" in parts.netloc:
        return None
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    if port is None or port == _DEFAULT_PORTS[scheme]:
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


def cross_site(headers: Mapping[str, str], allowed: Collection[str]) -> bool:
    """Whether a request with these headers comes from a browser page on a site
    that is neither this gateway (its ``Host``) nor in ``allowed`` (normal origins)."""
    origin = headers.get("origin")
    if origin is None:
        return False
    normal = normal_origin(origin)  # "null" (sandboxed frames, files) is none
    if normal is None:
        return True
    if normal in allowed:
        return False
    scheme, _, netloc = normal.partition("://")
    if netloc != _host(headers.get("host", ""), scheme):
        return True
    # Same host, but the browser says the page that sent it is elsewhere.
    return headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none")


def _host(value: str, scheme: str) -> str:
    """The ``Host`` header as ``normal_origin`` writes a netloc for ``scheme``."""
    return value.strip().lower().removesuffix(f":{_DEFAULT_PORTS[scheme]}")
