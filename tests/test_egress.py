"""The air gap. No test here opens a socket to a non-loopback address: refusals
are proven below the socket call (the audit event itself, or the guard's check
with an injected resolver)."""

from __future__ import annotations

import socket
import sys
import threading
from typing import Any

import pytest
from openai import OpenAI

from gwanmun.egress import (
    STATE,
    EgressGuardState,
    EgressPolicy,
    EgressRefused,
    check_backend_url,
    install_egress_guard,
)
from gwanmun.errors import ConfigError, EgressDenied
from gwanmun.services import build_services
from gwanmun.settings import BackendConfig, Settings
from tests.conftest import UPSTREAM_MODEL, LiveGateway

INTERNAL = EgressPolicy.from_strings(["10.20.0.0/16", "fd00:1::/32"])


def fake_resolver(table: dict[str, list[str]]) -> Any:
    def resolve(host: str, *_: Any) -> list[tuple[Any, ...]]:
        if host not in table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, 0)) for a in table[host]]

    return resolve


@pytest.mark.parametrize(
    ("address", "allowed"),
    [
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("::1", True),
        ("::ffff:127.0.0.1", True),
        ("10.20.3.4", True),
        ("fd00:1:2::3", True),
        ("10.21.0.1", False),
        ("8.8.8.8", False),
        ("::ffff:8.8.8.8", False),
        ("2001:4860:4860::8888", False),
        ("169.254.169.254", False),
        ("0.0.0.0", False),
        ("localhost", False),  # names are resolved by the guard, never trusted as text
    ],
)
def test_policy_allows_loopback_and_internal_networks_only(address: str, allowed: bool) -> None:
    assert INTERNAL.allows(address) is allowed


def test_policy_rejects_a_malformed_network_with_a_clear_message() -> None:
    with pytest.raises(ConfigError, match=r"10\.0\.0\.0/33.*CIDR"):
        EgressPolicy.from_strings(["10.0.0.0/33"])


def test_startup_check_refuses_backend_resolving_outside() -> None:
    resolve = fake_resolver({"llm.example.com": ["93.184.216.34"], "vllm.lan": ["10.20.1.5"]})
    check_backend_url("http://vllm.lan:8000/v1", INTERNAL, resolve=resolve)
    check_backend_url("http://127.0.0.1:8000/v1", EgressPolicy(), resolve=resolve)
    with pytest.raises(EgressDenied, match=r"93\.184\.216\.34.*internal_networks"):
        check_backend_url("https://llm.example.com/v1", INTERNAL, resolve=resolve)
    with pytest.raises(EgressDenied, match="does not resolve"):
        check_backend_url("http://nowhere.lan/v1", INTERNAL, resolve=resolve)
    with pytest.raises(ConfigError, match="http"):
        check_backend_url("ftp://10.20.1.5/", INTERNAL, resolve=resolve)


def test_startup_check_refuses_a_name_with_any_outside_address() -> None:
    # A split-horizon name that resolves both inside and outside is refused.
    resolve = fake_resolver({"mixed.lan": ["10.20.1.5", "52.1.2.3"]})
    with pytest.raises(EgressDenied, match=r"52\.1\.2\.3"):
        check_backend_url("http://mixed.lan/v1", INTERNAL, resolve=resolve)


async def test_gateway_refuses_to_start_with_an_outside_backend(tmp_path: Any) -> None:
    settings = Settings(
        data_dir=tmp_path,
        embedded={"enabled": False},
        backends=[BackendConfig(name="cloud", base_url="http://203.0.113.7/v1", models=["m"])],
    )
    services = build_services(settings)
    try:
        with pytest.raises(EgressDenied, match=r"203\.0\.113\.7"):
            await services.start()
    finally:
        await services.close()


def test_runtime_guard_refuses_below_the_socket_call() -> None:
    state = EgressGuardState(policy=INTERNAL)
    state.check("socket.connect", ("10.20.9.9", 443))  # allowed: returns
    with pytest.raises(EgressRefused, match=r"203\.0\.113\.9"):
        state.check("socket.connect", ("203.0.113.9", 443))
    with pytest.raises(EgressRefused):
        state.check("socket.sendto", ("2001:db8::1", 53, 0, 0))
    resolve = fake_resolver({"telemetry.vendor.com": ["34.1.1.1"], "db.lan": ["10.20.0.3"]})
    with pytest.raises(EgressRefused, match=r"telemetry\.vendor\.com"):
        state.check("socket.connect", ("telemetry.vendor.com", 443), resolve=resolve)
    state.check("socket.connect", ("db.lan", 5432), resolve=resolve)
    state.check("socket.connect", "/run/postgresql/.s.PGSQL.5432")  # AF_UNIX: local
    assert state.refused == [
        "socket.connect 203.0.113.9:443",
        "socket.sendto 2001:db8::1:53",
        "socket.connect telemetry.vendor.com:443",
    ]
    assert "socket.connect 10.20.9.9:443" in state.non_loopback
    assert ConnectionRefusedError in EgressRefused.__mro__  # clients see a clean connect error


def test_installed_hook_fires_on_the_audit_event_before_any_socket_call(
    caplog: pytest.LogCaptureFixture,
) -> None:
    previous = STATE.policy
    install_egress_guard(EgressPolicy())
    try:
        # sys.audit raises the same event socket.connect raises, without a socket.
        with pytest.raises(EgressRefused):
            sys.audit("socket.connect", None, ("198.51.100.20", 80))
        sys.audit("socket.connect", None, ("127.0.0.1", 80))
        assert any(r.message == "egress refused" for r in caplog.records)
        # From another thread too: the hook is process-wide.
        errors: list[BaseException] = []

        def attempt() -> None:
            try:
                sys.audit("socket.connect", None, ("198.51.100.21", 443))
            except EgressRefused as exc:
                errors.append(exc)

        worker = threading.Thread(target=attempt)
        worker.start()
        worker.join()
        assert len(errors) == 1
    finally:
        STATE.policy = previous if previous is not None else EgressPolicy()


class _ConnectRecorder:
    """An independent audit hook (not Gwanmun's) that records every destination."""

    def __init__(self) -> None:
        self.active = False
        self.seen: list[Any] = []

    def __call__(self, event: str, args: tuple[Any, ...]) -> None:
        if self.active and event in ("socket.connect", "socket.sendto", "socket.sendmsg"):
            self.seen.append(args[1])


RECORDER = _ConnectRecorder()
sys.addaudithook(RECORDER)


def test_whole_request_path_attempts_no_non_loopback_connection(live: LiveGateway) -> None:
    assert STATE.policy is not None, "the running gateway must have installed the egress guard"
    RECORDER.seen.clear()
    RECORDER.active = True
    try:
        with OpenAI(base_url=live.base_url, api_key=live.key, max_retries=0) as client:
            for model in ("smollm2-135m-instruct", UPSTREAM_MODEL):
                reply = client.chat.completions.create(
                    model=model, messages=[{"role": "user", "content": "Say hi"}], max_tokens=8
                )
                assert reply.choices[0].message.content is not None
                chunks = list(
                    client.chat.completions.create(
                        model=model,
                        messages=[{"role": "user", "content": "Count to three"}],
                        max_tokens=8,
                        stream=True,
                    )
                )
                assert chunks
    finally:
        RECORDER.active = False
    tcp = [a for a in RECORDER.seen if isinstance(a, tuple)]
    assert tcp, "the recorder saw no connections at all; it is not watching"
    outside = [a for a in tcp if not EgressPolicy().allows(str(a[0]))]
    assert outside == []
