"""Any internal OpenAI-compatible server: vLLM, Ollama, llama.cpp server, TGI.

Failures map onto the error tree so a client always gets an OpenAI-shaped
answer: connection refused → 503, timeout → 504, a bad or broken answer → 502,
an upstream 4xx about the request itself → 400. Connection failures, and a
pooled keep-alive connection the server closed before answering (llama.cpp's
server does this now and then after a stream), are retried: nothing reached
the model yet. Anything after the first response byte is not retried.

The client is aiohttp, not httpx: as the hop from gateway to model it sits on
every request, and on this project's benchmark it adds 0.55 ms per proxied
request where httpx adds 2.7 ms (docs/benchmarks.md). aiohttp connects through
the stdlib event loop's ``socket.connect``, so the egress guard sees it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Any

import aiohttp

from gwanmun.backends.base import DeltaStream
from gwanmun.backends.openai_wire import ChunkReader, parse_completion
from gwanmun.completion import Completion, Delta
from gwanmun.errors import (
    BackendError,
    BackendTimeout,
    BackendUnavailable,
    GwanmunError,
    InvalidRequest,
)
from gwanmun.types import ChatRequest, Grade

log = logging.getLogger("gwanmun.backends")

# Errors before any response byte: the connection failed, or a pooled one
# turned out closed or reset when reused. Safe to try again: at worst the
# model computes an answer nobody reads; nothing is delivered twice.
_NOT_DELIVERED = (
    aiohttp.ClientConnectorError,
    aiohttp.ConnectionTimeoutError,
    aiohttp.ServerDisconnectedError,
    aiohttp.ClientOSError,
)


class OpenAICompatBackend:
    """Routes chat completions to one OpenAI-compatible base URL."""

    def __init__(
        self,
        *,
        name: str,
        base_url: str,
        models: list[str],
        max_grade: Grade,
        api_key: str | None = None,
        timeout_s: float = 120.0,
        connect_timeout_s: float = 5.0,
        retries: int = 1,
        upstream_model: str | None = None,
        resolver: aiohttp.abc.AbstractResolver | None = None,
    ) -> None:
        self.name = name
        self.base_url = base_url.rstrip("/")
        self.max_grade = max_grade
        self._models = list(models)
        self._api_key = api_key
        # sock_read bounds the wait for each next byte, so a backend that stops
        # mid-answer is noticed after timeout_s, however long the answer is.
        self._timeout = aiohttp.ClientTimeout(
            total=None, connect=connect_timeout_s, sock_read=timeout_s
        )
        self._retries = retries
        # The embedded server ignores model names; upstreams need the real one.
        self._upstream_model = upstream_model
        self._session: aiohttp.ClientSession | None = None
        # Answers with the addresses the start-up egress check pinned (egress.py).
        self._resolver = resolver

    def models(self) -> list[str]:
        return list(self._models)

    async def start(self) -> None:
        headers = {"Authorization": f"Bearer {self._api_key}"} if self._api_key else {}
        self._session = aiohttp.ClientSession(
            headers=headers,
            timeout=self._timeout,
            # Proxy variables must never redirect traffic off the internal network.
            trust_env=False,
            # Below the 5 s idle timeout of uvicorn and llama.cpp's server, so the
            # pool rarely holds a connection the server has already closed.
            connector=aiohttp.TCPConnector(
                limit=256, keepalive_timeout=4.0, resolver=self._resolver
            ),
            read_bufsize=1 << 20,
            raise_for_status=False,
        )

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None:
            raise BackendUnavailable(f"backend {self.name!r} is not started")
        return self._session

    async def ready(self) -> bool:
        try:
            async with self.session.get(
                f"{self.base_url}/models", timeout=aiohttp.ClientTimeout(total=2.0)
            ) as response:
                return response.status == 200
        except (aiohttp.ClientError, TimeoutError, BackendUnavailable):
            return False

    def _body(self, request: ChatRequest, *, stream: bool) -> dict[str, Any]:
        body: dict[str, Any] = dict(request.params)
        body["model"] = self._upstream_model or request.model
        body["messages"] = [m.to_openai() for m in request.messages]
        body["max_tokens"] = request.max_tokens
        body["stream"] = stream
        if stream:
            # Usage is always asked for: the audit record needs token counts.
            body["stream_options"] = {"include_usage": True}
        return body

    async def _send(self, body: dict[str, Any]) -> aiohttp.ClientResponse:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        url = f"{self.base_url}/chat/completions"
        attempt = 0
        while True:
            try:
                response = await self.session.post(
                    url, data=data, headers={"Content-Type": "application/json"}
                )
            except _NOT_DELIVERED as exc:
                if attempt < self._retries:
                    attempt += 1
                    log.warning(
                        "backend connection failed before an answer, retrying",
                        extra={"backend": self.name, "attempt": attempt},
                    )
                    continue
                raise BackendUnavailable(
                    f"backend {self.name!r} is unreachable at {self.base_url} "
                    f"({type(exc).__name__}); check that it is running"
                ) from exc
            except TimeoutError as exc:  # aiohttp's read timeouts subclass it
                raise BackendTimeout(
                    f"backend {self.name!r} did not answer in time ({type(exc).__name__})"
                ) from exc
            except aiohttp.ClientError as exc:
                raise BackendError(f"backend {self.name!r} failed: {type(exc).__name__}") from exc
            if response.status >= 400:
                detail = await _error_detail(response)
                response.release()
                raise _status_error(self.name, response.status, detail)
            return response

    async def complete(self, request: ChatRequest) -> Completion:
        response = await self._send(self._body(request, stream=False))
        try:
            raw = await response.read()
        except TimeoutError as exc:
            raise BackendTimeout(f"backend {self.name!r} stopped answering") from exc
        except aiohttp.ClientError as exc:
            raise BackendError(
                f"backend {self.name!r} broke the answer ({type(exc).__name__})"
            ) from exc
        finally:
            response.release()
        try:
            data = json.loads(raw)
        except ValueError as exc:
            raise BackendError(f"backend {self.name!r} returned invalid JSON") from exc
        return parse_completion(data, backend=self.name)

    async def open_stream(self, request: ChatRequest) -> DeltaStream:
        response = await self._send(self._body(request, stream=True))
        return _EventStream(response, self.name)


class _EventStream:
    """Server-sent events of one answer, read into ``Delta``s.

    The response is released to the pool after ``[DONE]`` and closed (never
    reused) when the answer was abandoned, also before the first read.
    """

    def __init__(self, response: aiohttp.ClientResponse, backend: str) -> None:
        self._response = response
        self._backend = backend
        self._events = self._read()

    def __aiter__(self) -> AsyncIterator[Delta]:
        return self._events

    async def aclose(self) -> None:
        await self._events.aclose()
        self._response.close()  # after a release, a no-op

    async def _read(self) -> AsyncGenerator[Delta, None]:
        name, response, reader = self._backend, self._response, ChunkReader()
        done = False
        try:
            async for raw in response.content:
                line = raw.decode("utf-8", errors="replace").strip()
                if not line.startswith("data:"):
                    continue
                payload = line[5:].strip()
                if payload == "[DONE]":
                    done = True
                    break
                try:
                    event = json.loads(payload)
                except ValueError as exc:
                    raise BackendError(f"backend {name!r} sent an unreadable stream event") from exc
                if isinstance(event, dict) and "error" in event:
                    raise BackendError(f"backend {name!r} reported an error mid-stream")
                yield reader.read(event)
        except TimeoutError as exc:
            raise BackendTimeout(f"backend {name!r} stopped sending tokens") from exc
        except (aiohttp.ClientError, ValueError) as exc:  # ValueError: a line over 1 MiB
            raise BackendError(f"backend {name!r} broke the stream ({type(exc).__name__})") from exc
        finally:
            if done:
                response.release()  # the connection goes back to the pool
            else:
                response.close()  # abandoned mid-answer: never reuse it
        if not done:
            raise BackendError(f"backend {name!r} ended the stream without [DONE]")
        rest = reader.rest()
        if not rest.empty:
            yield rest


async def _error_detail(response: aiohttp.ClientResponse) -> str:
    try:
        raw = await response.content.read(65536)
        data = json.loads(raw)
    except (ValueError, aiohttp.ClientError, TimeoutError):
        return ""
    error = data.get("error") if isinstance(data, dict) else None
    if isinstance(error, dict):
        return str(error.get("message", ""))[:300]
    if isinstance(error, str):
        return error[:300]
    return ""


def _status_error(name: str, status: int, detail: str) -> GwanmunError:
    suffix = f": {detail}" if detail else ""
    if status in (400, 422):
        return InvalidRequest(f"backend {name!r} rejected the request{suffix}")
    if status in (429, 503):
        return BackendUnavailable(f"backend {name!r} is overloaded (HTTP {status}){suffix}")
    if status == 504:
        return BackendTimeout(f"backend {name!r} timed out (HTTP 504){suffix}")
    if status in (401, 403):
        return BackendError(
            f"backend {name!r} refused the gateway's credentials (HTTP {status}); "
            "check the backend's api_key_env"
        )
    return BackendError(f"backend {name!r} failed with HTTP {status}{suffix}")
