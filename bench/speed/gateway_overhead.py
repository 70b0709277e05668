"""What the gateway costs: the same requests straight to llama.cpp and through Gwanmun.

One llama.cpp server process (xllamacpp, the packaged SmolLM2) is started, and
one ``gwanmun serve`` process in front of it (embedded model off, the llama.cpp
process as its only backend, guards on). Every measurement alternates direct and
gateway requests so drift (thermal, cache) hits both sides equally.

    python bench/speed/gateway_overhead.py                # about two minutes
    python bench/speed/gateway_overhead.py --rounds 200   # tighter percentiles

Printed: p50/p95 latency of a one-token request (the fixed cost), time to first
token and tokens/s of a streamed answer, and requests/s with 8 concurrent
clients, each as direct, gateway and gateway/direct ratio. Only 127.0.0.1 is used.

Then CPU per one-token request by kind of request, every request a different
text (bench/speed/guard_parts.py makes them), so no cache holds a whole
message: the short English question; a 1 KB Korean and a 1 KB Japanese notice
(a name, a phone number, an e-mail, fresh values each time); and 1 KB of
Korean and of Japanese news sentences, none ever repeated (nothing any cache
has seen). Gateway and bare proxy alternate on the same texts; CPU is each
process's threads' time on a CPU around each request, in nanoseconds from
``/proc/<pid>/task/<tid>/schedstat`` (every default check on: the gateway's
own configuration). Target: at most 5 ms of gateway CPU a request. The same
kinds are then sent ``--busy-clients`` at a time (other texts, all threads'
CPU over the batch): one request at a time, the same code costs more CPU
(``cpu_busy_by_kind``); a busy gateway is what capacity is planned with.

That phase sends its requests to the stand-in upstream of bench/speed/soak.py
(model ``stand-in``, a second backend of the same gateways, and a second bare
proxy), which answers every request after the same ``--standin-latency-ms``.
Through llama.cpp a 1 KB prompt takes seconds to read on a small host, and
every uvicorn process spends CPU while it waits: its main loop wakes ten times
a second (the "idle CPU" line, ms per second of wall time). That idle cost,
not work on the body, was what the bare proxy's 6-10 ms per 1 KB request were.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # devtools.* as a script

from bench.speed.guard_parts import KINDS, requests
from devtools.keyfile import new_key_file
from devtools.ports import free_port

PROMPTS = [
    "Write a short paragraph about the history of public libraries.",
    "List five tips for writing a clear letter to a citizen.",
    "Explain what a meeting summary should contain.",
    "Describe the water cycle for a school pamphlet.",
]


def write_config(path: Path, port: int, **settings: Any) -> None:
    """A bench gateway's configuration (JSON is valid YAML): loopback, anonymous,
    quiet, no request rate limit (it would refuse the bench), state beside the
    file; ``settings`` on top."""
    base: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": port,
        "data_dir": str(path.parent / "data"),
        "allow_anonymous": True,
        "log_level": "warning",
        # The limiter still runs; only the default 60/min would refuse the bench.
        "rate_limits": {"user_requests_per_minute": 0},
    }
    path.write_text(json.dumps({**base, **settings}))


def wait_ready(
    url: str,
    proc: subprocess.Popen[bytes],
    timeout: float = 180,
    headers: dict[str, str] | None = None,
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited early with status {proc.returncode}")
        try:
            if httpx.get(url, timeout=1, headers=headers).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{url} not ready after {timeout:.0f} s")


# The llama.cpp process wants a key; the gateways read it from this variable.
LLAMA_KEY_ENV = "GWANMUN_BENCH_LLAMA_KEY"


def llamacpp_process(port: int, threads: int, parallel: int) -> subprocess.Popen[bytes]:
    """The llama.cpp server (xllamacpp) with the packaged model, as its own process,
    with a fresh key (in ``LLAMA_KEY_ENV`` for the gateways started after it)."""
    key_file, key = new_key_file()
    os.environ[LLAMA_KEY_ENV] = key
    proc = subprocess.Popen(
        [
            *(sys.executable, "-m", "gwanmun.backends.llamacpp_process"),
            *("--api-key-file", str(key_file)),
            *("--port", str(port), "--threads", str(threads)),
            # 2,048 tokens a slot: a 1 KB Korean or Japanese prompt is ~1,000 of
            # SmolLM2's byte-level tokens (1,024 refused the longest).
            *("--parallel", str(parallel), "--ctx", str(2048 * parallel)),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_ready(f"http://127.0.0.1:{port}/health", proc)
    except BaseException:
        proc.kill()
        raise
    finally:
        shutil.rmtree(key_file.parent, ignore_errors=True)  # read at start; kept in memory
    return proc


def llama_auth(*gateway_bases: str) -> Callable[[httpx.Request], httpx.Request]:
    """httpx auth: the llama.cpp process's key on the direct side and through the
    bare proxy, none to the gateways (which have the key themselves)."""
    key = os.environ[LLAMA_KEY_ENV]

    def auth(request: httpx.Request) -> httpx.Request:
        if not str(request.url).startswith(gateway_bases):
            request.headers["authorization"] = f"Bearer {key}"
        return request

    return auth


def gwanmun_process(config: Path, src: Path | None = None) -> subprocess.Popen[bytes]:
    """``gwanmun serve`` configured by the file ``config`` (``src``: the
    ``gwanmun`` of another tree, ahead of this one on the path)."""
    gwanmun = str(Path(sys.executable).with_name("gwanmun"))
    env = {**os.environ, "GWANMUN_CONFIG": str(config)}
    if src is not None:
        env["PYTHONPATH"] = str(src)
    return subprocess.Popen(
        [gwanmun, "serve"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def bare_proxy_process(upstream: str, port: int) -> subprocess.Popen[bytes]:
    """``bench/speed/bare_proxy.py``: the same HTTP stack with none of Gwanmun's work."""
    return subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("bare_proxy.py")), upstream, str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@dataclass
class Server:
    base: str  # the /v1 base URL
    pid: int


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (Linux /proc), in
    whole clock ticks (10 ms): for long runs; it keeps ended threads' time."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def thread_cpu_seconds(pid: int) -> float:
    """CPU time the process's live threads have used so far, to the nanosecond:
    the sum of ``/proc/<pid>/task/<tid>/schedstat``'s first field (time on a
    CPU). For a few milliseconds a request, where ``cpu_seconds``' 10 ms ticks
    are too coarse. A thread that ends between two readings takes its time
    with it; the gateway's worker threads live through the CPU phase."""
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            total += int((task / "schedstat").read_text().split()[0])
        except (FileNotFoundError, ProcessLookupError):
            continue  # the thread ended after the listing
    return total / 1e9


def loop_cpu_seconds(pid: int) -> float:
    """CPU time of the process's main thread alone (uvicorn's event loop: HTTP,
    JSON, audit, the output check); the gateway's input guard runs on worker
    threads for requests over 300 characters."""
    return int(Path(f"/proc/{pid}/task/{pid}/schedstat").read_text().split()[0]) / 1e9


def idle_cpu(pids: dict[str, int], seconds: float) -> dict[str, float]:
    """Milliseconds of CPU per second each process uses with no request at all."""
    before = {name: thread_cpu_seconds(pid) for name, pid in pids.items()}
    time.sleep(seconds)
    return {
        name: (thread_cpu_seconds(pid) - before[name]) / seconds * 1000
        for name, pid in pids.items()
    }


@contextmanager
def servers(
    threads: int, parallel: int, old: Path | None = None, standin_latency_s: float = 0.0
) -> Iterator[dict[str, Server]]:
    """llama.cpp ("direct"), a bare proxy in front of it ("bare") and Gwanmun
    ("gateway"; with ``old``, also the gateway of that tree's ``src``, "old");
    the stand-in upstream of bench/speed/soak.py in a thread here ("stand-in",
    a second backend of each gateway, model ``stand-in``) with its own bare proxy
    ("bare stand-in")."""
    from bench.speed.soak import start_upstream  # soak imports this module

    direct_port, bare_port, standin_port = free_port(), free_port(), free_port()
    gateways = {"gateway": (free_port(), None)} | ({"old": (free_port(), old)} if old else {})
    procs: list[subprocess.Popen[bytes]] = []
    found: dict[str, Server] = {}
    standin_server = start_upstream(standin_port, standin_latency_s)
    standin = f"http://127.0.0.1:{standin_port}/v1"
    found["stand-in"] = Server(standin, os.getpid())
    with tempfile.TemporaryDirectory(prefix="gwanmun-bench-") as tmp:
        direct = f"http://127.0.0.1:{direct_port}/v1"
        try:
            procs.append(llamacpp_process(direct_port, threads, parallel))
            found["direct"] = Server(direct, procs[-1].pid)
            for name, (port, src) in gateways.items():
                config = Path(tmp) / name / "gwanmun.json"
                config.parent.mkdir()
                write_config(
                    config,
                    port,
                    embedded={"enabled": False},
                    backends=[
                        {
                            "name": "llamacpp",
                            "base_url": direct,
                            "api_key_env": LLAMA_KEY_ENV,
                            "models": ["smollm2"],
                            "max_grade": "C",
                            "timeout_s": 120,
                        },
                        {
                            "name": "stand-in",
                            "base_url": standin,
                            "models": ["stand-in"],
                            "max_grade": "C",
                            "timeout_s": 120,
                        },
                    ],
                )
                procs.append(gwanmun_process(config, src))
                wait_ready(f"http://127.0.0.1:{port}/readyz", procs[-1])
                found[name] = Server(f"http://127.0.0.1:{port}/v1", procs[-1].pid)
            procs.append(bare_proxy_process(direct, bare_port))
            key = {"authorization": f"Bearer {os.environ[LLAMA_KEY_ENV]}"}
            wait_ready(f"http://127.0.0.1:{bare_port}/v1/models", procs[-1], headers=key)
            found["bare"] = Server(f"http://127.0.0.1:{bare_port}/v1", procs[-1].pid)
            bare_standin_port = free_port()
            procs.append(bare_proxy_process(standin, bare_standin_port))
            wait_ready(f"http://127.0.0.1:{bare_standin_port}/v1/models", procs[-1])
            found["bare stand-in"] = Server(
                f"http://127.0.0.1:{bare_standin_port}/v1", procs[-1].pid
            )
            yield found
        finally:
            for proc in procs:
                proc.send_signal(signal.SIGTERM)
            for proc in procs:
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()
            standin_server.should_exit = True


@dataclass
class Sample:
    latency: float
    ttft: float
    tokens: int


def body(prompt: str, max_tokens: int, stream: bool, model: str = "smollm2") -> dict[str, object]:
    data: dict[str, object] = {
        "model": model,
        "messages": [{"role": "user", "content": prompt}],
        "max_tokens": max_tokens,
        "temperature": 0,
        "seed": 1,
        "stream": stream,
    }
    if stream:
        data["stream_options"] = {"include_usage": True}
    return data


STALE_RETRIES = {"count": 0}


async def one(client: httpx.AsyncClient, base: str, prompt: str, max_tokens: int) -> Sample:
    """A streamed request: total latency, time to first content, completion tokens.

    llama.cpp's server now and then closes a keep-alive connection right after a
    stream; a request that meets such a connection is retried once (and counted)
    on both sides, as Gwanmun's own backend client does.
    """
    try:
        return await _one(client, base, prompt, max_tokens)
    except httpx.RemoteProtocolError:
        STALE_RETRIES["count"] += 1
        return await _one(client, base, prompt, max_tokens)


async def _one(client: httpx.AsyncClient, base: str, prompt: str, max_tokens: int) -> Sample:
    start = time.perf_counter()
    ttft = 0.0
    tokens = 0
    async with client.stream(
        "POST", f"{base}/chat/completions", json=body(prompt, max_tokens, True)
    ) as response:
        if response.status_code != 200:
            detail = (await response.aread()).decode(errors="replace")[:300]
            raise RuntimeError(f"{base}: HTTP {response.status_code}: {detail}")
        async for line in response.aiter_lines():
            if not line.startswith("data: ") or line == "data: [DONE]":
                continue
            chunk = json.loads(line[6:])
            if chunk.get("usage"):
                tokens = chunk["usage"]["completion_tokens"]
            if not ttft and any((c.get("delta") or {}).get("content") for c in chunk["choices"]):
                ttft = time.perf_counter() - start
    return Sample(time.perf_counter() - start, ttft, tokens)


async def fixed_cost(
    client: httpx.AsyncClient, base: str, prompt: str, model: str = "smollm2"
) -> float:
    start = time.perf_counter()
    data = body(prompt, 1, False, model)
    try:
        response = await client.post(f"{base}/chat/completions", json=data)
    except httpx.RemoteProtocolError:
        STALE_RETRIES["count"] += 1
        start = time.perf_counter()
        response = await client.post(f"{base}/chat/completions", json=data)
    response.raise_for_status()
    return time.perf_counter() - start


async def cpu_by_kind(
    client: httpx.AsyncClient, procs: dict[str, Server], count: int
) -> dict[str, dict[str, float]]:
    """Milliseconds of CPU per one-token request of each kind, on the gateway,
    the bare proxy and (if started) the old tree's gateway, all in front of the
    stand-in upstream (its constant latency, so a long prompt does not lengthen
    the wait): ``count`` different texts a kind, the sides in turn."""
    targets = {
        side: procs[name]
        for side, name in (("gateway", "gateway"), ("old", "old"), ("bare", "bare stand-in"))
        if name in procs
    }
    sides = tuple(targets)
    texts = requests(count + 1)
    out: dict[str, dict[str, float]] = {}
    for kind in KINDS:
        for side in sides:  # lazy loads on the first text of a kind, not counted
            await fixed_cost(client, targets[side].base, texts[kind][0], "stand-in")
        used = dict.fromkeys((*sides, "gateway loop"), 0.0)
        for i, text in enumerate(texts[kind][1:]):
            for side in sides if i % 2 == 0 else tuple(reversed(sides)):
                pid = targets[side].pid
                before, loop = thread_cpu_seconds(pid), loop_cpu_seconds(pid)
                await fixed_cost(client, targets[side].base, text, "stand-in")
                used[side] += thread_cpu_seconds(pid) - before
                if side == "gateway":
                    used["gateway loop"] += loop_cpu_seconds(pid) - loop
        out[kind] = {side: spent / count * 1000 for side, spent in used.items()}
    return out


async def cpu_busy_by_kind(
    client: httpx.AsyncClient, procs: dict[str, Server], count: int, clients: int
) -> dict[str, dict[str, float]]:
    """The same, with ``clients`` requests in flight at once: a busy gateway.

    One request at a time, each side idles through the stand-in's wait, and the
    same code then costs more CPU than while requests keep coming (compare the
    two tables this script prints; docs/benchmarks.md has a run) — caches cooled
    by the processes that ran meanwhile, we think; this VM exposes no hardware
    counters to show it. Both are printed;
    this one is what capacity is planned with. Texts: ``count`` per
    kind, none of them used by ``cpu_by_kind``; each side's CPU is all of its
    threads over the whole batch, divided by ``count``."""
    targets = {
        side: procs[name]
        for side, name in (("gateway", "gateway"), ("old", "old"), ("bare", "bare stand-in"))
        if name in procs
    }
    texts = {kind: batch[count + 1 :] for kind, batch in requests(2 * count + 1).items()}
    out: dict[str, dict[str, float]] = {}
    for k, kind in enumerate(KINDS):
        out[kind] = {}
        sides = tuple(targets) if k % 2 == 0 else tuple(reversed(targets))
        for side in sides:
            server = targets[side]
            before = thread_cpu_seconds(server.pid)
            await _in_flight(client, server.base, texts[kind], clients)
            out[kind][side] = (thread_cpu_seconds(server.pid) - before) / count * 1000
    return out


async def _in_flight(client: httpx.AsyncClient, base: str, texts: list[str], clients: int) -> None:
    """One-token requests of ``texts`` to the stand-in, ``clients`` at a time."""
    semaphore = asyncio.Semaphore(clients)

    async def send(text: str) -> float:
        async with semaphore:
            return await fixed_cost(client, base, text, "stand-in")

    await asyncio.gather(*(send(text) for text in texts))


async def gather_limited(jobs: list[Coroutine[None, None, Sample]], limit: int) -> list[Sample]:
    semaphore = asyncio.Semaphore(limit)

    async def limited(job: Coroutine[None, None, Sample]) -> Sample:
        async with semaphore:
            return await job

    results = await asyncio.gather(*(limited(j) for j in jobs), return_exceptions=True)
    errors = [r for r in results if isinstance(r, BaseException)]
    if errors:
        raise SystemExit(f"{len(errors)} of {len(jobs)} concurrent requests failed: {errors[0]!r}")
    return [r for r in results if isinstance(r, Sample)]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def row(name: str, direct: float, gateway: float, unit: str, digits: int = 1) -> str:
    ratio = gateway / direct if direct else float("nan")
    return (
        f"{name:<34} {direct:>10.{digits}f} {gateway:>10.{digits}f} {unit:<6}"
        f" {ratio:>7.3f}  ({gateway - direct:+.{digits}f} {unit})"
    )


async def run(args: argparse.Namespace, procs: dict[str, Server]) -> None:
    bases = {"direct": procs["direct"].base, "gateway": procs["gateway"].base}
    async with httpx.AsyncClient(
        timeout=120,
        trust_env=False,
        auth=llama_auth(*(procs[name].base for name in ("gateway", "old") if name in procs)),
    ) as client:
        for base in (*bases.values(), procs["bare"].base):  # warm every path and the caches
            for prompt in PROMPTS:
                await one(client, base, prompt, 8)

        # One prompt for every request of a phase, on every side: after warm-up
        # llama.cpp's prompt cache serves it equally to all, so the model's share
        # of the latency is small and steady and the gateway's share is resolvable.
        # (With a fresh prompt per request, prompt processing varies by ±40 ms and
        # hides a few milliseconds.) The order alternates per round. The bare proxy
        # takes part in this phase only: it shows what the HTTP hop alone costs.
        sides = [*bases.items(), ("bare", procs["bare"].base)]
        fixed: dict[str, list[float]] = {name: [] for name, _ in sides}
        # CPU around each side's own requests only: a process also spends CPU
        # while idle (uvicorn's tick), here while the other sides are served.
        cpu = dict.fromkeys(("bare", "gateway"), 0.0)
        for i in range(args.rounds):
            for name, base in sides if i % 2 == 0 else reversed(sides):
                before = thread_cpu_seconds(procs[name].pid) if name in cpu else 0.0
                fixed[name].append(await fixed_cost(client, base, PROMPTS[0]))
                if name in cpu:
                    cpu[name] += thread_cpu_seconds(procs[name].pid) - before

        streamed: dict[str, list[Sample]] = {k: [] for k in bases}
        for i in range(args.stream_rounds):
            order = list(bases.items()) if i % 2 == 0 else list(reversed(bases.items()))
            for name, base in order:
                streamed[name].append(await one(client, base, PROMPTS[1], args.max_tokens))

        throughput: dict[str, float] = {}
        for name, base in bases.items():
            start = time.perf_counter()
            jobs = [
                one(client, base, PROMPTS[i % len(PROMPTS)], args.max_tokens // 2)
                for i in range(args.concurrency * args.concurrent_waves)
            ]
            done = await gather_limited(jobs, args.concurrency)
            throughput[name] = len(done) / (time.perf_counter() - start)

        idle_sides = ("gateway", "old", "bare stand-in")
        idle = idle_cpu({n: procs[n].pid for n in idle_sides if n in procs}, args.idle_seconds)
        by_kind = await cpu_by_kind(client, procs, args.cpu_requests)
        busy = await cpu_busy_by_kind(client, procs, args.cpu_requests, args.busy_clients)

    ms = 1000.0
    d, g = fixed["direct"], fixed["gateway"]
    print(f"\n{'':<34} {'direct':>10} {'gateway':>10} {'':<6} {'ratio':>7}")
    print(row("1-token request p50", pct(d, 0.5) * ms, pct(g, 0.5) * ms, "ms", 2))
    print(row("1-token request p95", pct(d, 0.95) * ms, pct(g, 0.95) * ms, "ms", 2))
    ds, gs = streamed["direct"], streamed["gateway"]
    print(
        row(
            f"stream {args.max_tokens} tok latency p50",
            pct([s.latency for s in ds], 0.5) * ms,
            pct([s.latency for s in gs], 0.5) * ms,
            "ms",
        )
    )
    print(
        row(
            f"stream {args.max_tokens} tok latency p95",
            pct([s.latency for s in ds], 0.95) * ms,
            pct([s.latency for s in gs], 0.95) * ms,
            "ms",
        )
    )
    print(
        row(
            "time to first token p50",
            pct([s.ttft for s in ds], 0.5) * ms,
            pct([s.ttft for s in gs], 0.5) * ms,
            "ms",
        )
    )

    def tps(samples: list[Sample]) -> float:
        # Generation rate after the first token: independent of prompt length and of
        # where each answer happens to stop.
        return statistics.median(
            (s.tokens - 1) / (s.latency - s.ttft) for s in samples if s.tokens > 1 and s.ttft
        )

    print(row("decode tokens/s per stream (median)", tps(ds), tps(gs), "tok/s"))
    print(
        row(
            f"requests/s, {args.concurrency} concurrent clients",
            throughput["direct"],
            throughput["gateway"],
            "req/s",
            2,
        )
    )
    print(f"stale keep-alive connections retried by the client: {STALE_RETRIES['count']}")
    # The added cost is the median of paired differences (each gateway request
    # against the direct request next to it), robust to slow drift.
    added = statistics.median(b - a for a, b in zip(d, g, strict=True)) * ms
    print(f"added latency, median of {len(d)} paired differences: {added:+.2f} ms")
    hop = statistics.median(b - a for a, b in zip(d, fixed["bare"], strict=True)) * ms
    print(
        f"  of which the HTTP hop (bare proxy on the same stack, no checks): {hop:+.2f} ms;"
        f" Gwanmun's own work: {added - hop:+.2f} ms"
    )
    per_request = {name: used / args.rounds * ms for name, used in cpu.items()}
    print(
        f"  CPU per 1-token request: bare proxy {per_request['bare']:.2f} ms, "
        f"gateway {per_request['gateway']:.2f} ms"
    )
    print(
        "\nidle CPU (no request; uvicorn's main loop wakes 10 times a second), ms per s: "
        + ", ".join(f"{name} {value:.2f}" for name, value in idle.items())
    )
    print(
        f"\nCPU per 1-token request by kind ({args.cpu_requests} different texts each, "
        f"stand-in upstream answering after {args.standin_latency_ms:g} ms), ms:"
    )
    old = "old" in procs
    extra = f"{'old':>10}{'new/old':>9}" if old else ""
    print(f"  {'kind':<12}{'gateway':>10}{'(loop)':>9}{'bare':>10}{extra}")
    for kind, used in by_kind.items():
        line = (
            f"  {kind:<12}{used['gateway']:>10.2f}{used['gateway loop']:>9.2f}{used['bare']:>10.2f}"
        )
        if old:
            line += f"{used['old']:>10.2f}{used['gateway'] / used['old']:>9.2f}"
        print(f"{line}   gateway <= 5 ms: {'yes' if used['gateway'] <= 5 else 'NO'}")
    print(
        "  (loop): the gateway's event-loop thread; the rest of its CPU is worker "
        "threads, i.e. the input guard of requests over 300 characters"
    )
    print(
        f"\nThe same, busy: {args.busy_clients} requests in flight at once "
        f"({args.cpu_requests} other texts each; all threads over the batch), ms:"
    )
    print(f"  {'kind':<12}{'gateway':>10}{'bare':>10}{extra}")
    for kind, used in busy.items():
        line = f"  {kind:<12}{used['gateway']:>10.2f}{used['bare']:>10.2f}"
        if old:
            line += f"{used['old']:>10.2f}{used['gateway'] / used['old']:>9.2f}"
        print(f"{line}   gateway <= 5 ms: {'yes' if used['gateway'] <= 5 else 'NO'}")
    kept = tps(gs) / tps(ds)
    print(
        f"\ntargets: added p50 {added:.2f} ms (<= 3 ms: {'yes' if added <= 3 else 'NO'}); "
        f"tokens/s kept {kept:.1%} (>= 95%: {'yes' if kept >= 0.95 else 'NO'})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200, help="1-token requests per side")
    parser.add_argument("--stream-rounds", type=int, default=20, help="streams per side")
    parser.add_argument("--max-tokens", type=int, default=64)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--concurrent-waves", type=int, default=3)
    parser.add_argument(
        "--cpu-requests", type=int, default=60, help="different texts per kind, CPU phase"
    )
    parser.add_argument(
        "--busy-clients",
        type=int,
        default=4,
        help="requests in flight at once in the busy CPU phase (the gateway kept busy)",
    )
    parser.add_argument(
        "--standin-latency-ms",
        type=float,
        default=20.0,
        help="the stand-in upstream's wait before each answer, CPU phase (the same for "
        "every request; the gateways' idle CPU runs on during it)",
    )
    parser.add_argument(
        "--idle-seconds", type=float, default=5.0, help="how long idle CPU is measured"
    )
    parser.add_argument(
        "--old",
        type=Path,
        help="another tree's src: its gateway is started too and measured beside in the "
        "CPU phase (the other phases compare direct, bare proxy and this tree's gateway)",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=max(1, (os.cpu_count() or 2) - 1),
        help="llama.cpp threads (default: all CPUs but one, which the gateway gets, as it "
        "would on its own host)",
    )
    args = parser.parse_args()
    print(
        f"gateway_overhead: SmolLM2-135M Q4_1, llama.cpp threads={args.threads}, "
        f"parallel slots={args.concurrency}, {os.cpu_count()} CPUs",
        flush=True,
    )
    with servers(args.threads, args.concurrency, args.old, args.standin_latency_ms / 1000) as procs:
        asyncio.run(run(args, procs))


if __name__ == "__main__":
    main()
