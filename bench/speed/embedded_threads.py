"""The embedded model's threads: the default (all cores but one) against all cores.

One ``gwanmun serve`` process with the embedded model (the packaged SmolLM2) is
started per setting, in turn, for several rounds (A B A B …) so drift and the
other work on the host hit both equally. In each run:

- *load*: ``--clients`` clients stream chat answers (``max_tokens`` 64, a fixed
  prompt) one after another for ``--seconds``; completion tokens per second of
  wall time over all clients, and time to first token;
- *gateway latency under that load*: a prober asks ``POST /v1/guard/scan`` (the
  input guard on a short Korean text with a resident number: the gateway's own
  CPU work, no model) every 50 ms; p50/p95.

    python bench/speed/embedded_threads.py                  # about three minutes
    python bench/speed/embedded_threads.py --rounds 4 --seconds 20

Printed per setting: tokens/s, TTFT p50, guard-scan p50/p95, and ratios
default/all-cores. Only 127.0.0.1 is used.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # devtools.* as a script

from bench.speed.gateway_overhead import gwanmun_process, wait_ready, write_config
from devtools.ports import free_port
from gwanmun.backends.embedded import available_cores, model_threads

PROMPT = "Write a short paragraph about the history of public libraries."
SCAN_TEXT = "민원인 김민수 씨의 주민등록번호는 900101-1234568 입니다. 회신 바랍니다."


@dataclass
class Run:
    tokens: int = 0
    seconds: float = 0.0
    ttft: list[float] = field(default_factory=list)
    scan: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # what went wrong, by kind


@contextmanager
def gateway(threads: int, parallel: int) -> Iterator[str]:
    """``gwanmun serve`` with the embedded model on ``threads`` (0: the default)."""
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="gwanmun-threads-") as tmp:
        config = Path(tmp) / "gwanmun.json"
        write_config(
            config,
            port,
            embedded={"n_threads": threads, "n_parallel": parallel, "n_ctx": 1024 * parallel},
        )
        proc = gwanmun_process(config)
        try:
            wait_ready(f"http://127.0.0.1:{port}/readyz", proc)
            yield f"http://127.0.0.1:{port}/v1"
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()


async def stream_once(client: httpx.AsyncClient, base: str, run: Run) -> None:
    body = {
        "model": "smollm2-135m-instruct",
        "messages": [{"role": "user", "content": PROMPT}],
        "max_tokens": 64,
        "temperature": 0,
        "seed": 1,
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    start = time.perf_counter()
    first = 0.0
    async with client.stream("POST", f"{base}/chat/completions", json=body) as response:
        if response.status_code != 200:
            run.errors.append(f"chat HTTP {response.status_code}")
            await response.aread()
            return
        async for line in response.aiter_lines():
            if not line.startswith("data:") or line.endswith("[DONE]"):
                continue
            event = json.loads(line[5:])
            if "error" in event:
                run.errors.append(f"stream {event['error'].get('code')}")
                return
            choices = event.get("choices") or []
            if not first and choices and choices[0].get("delta", {}).get("content"):
                first = time.perf_counter() - start
            if event.get("usage"):
                run.tokens += int(event["usage"].get("completion_tokens") or 0)
    if first:
        run.ttft.append(first)


async def measure(base: str, clients: int, seconds: float) -> Run:
    run = Run()
    limits = httpx.Limits(max_connections=clients + 4)
    async with httpx.AsyncClient(timeout=120, limits=limits) as client:
        for _ in range(2):  # warm-up: model, prompt cache, guard
            await stream_once(client, base, Run())
            await client.post(f"{base}/guard/scan", json={"text": SCAN_TEXT})
        stop = time.perf_counter() + seconds

        async def streamer() -> None:
            while time.perf_counter() < stop:
                await stream_once(client, base, run)

        async def prober() -> None:
            while time.perf_counter() < stop:
                start = time.perf_counter()
                response = await client.post(f"{base}/guard/scan", json={"text": SCAN_TEXT})
                if response.status_code == 200:
                    run.scan.append(time.perf_counter() - start)
                else:
                    run.errors.append(f"scan HTTP {response.status_code}")
                await asyncio.sleep(0.05)

        began = time.perf_counter()
        await asyncio.gather(prober(), *(streamer() for _ in range(clients)))
        run.seconds = time.perf_counter() - began
    return run


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--parallel", type=int, default=4, help="embedded.n_parallel")
    args = parser.parse_args()

    cores = available_cores()
    settings = {"default": 0, "all cores": cores}
    print(
        f"cores: {cores}; default = {model_threads(0)} thread(s), all cores = {cores}; "
        f"load average now: {os.getloadavg()[0]:.2f}",
        flush=True,
    )
    runs: dict[str, list[Run]] = {name: [] for name in settings}
    for round_ in range(args.rounds):
        order = list(settings) if round_ % 2 == 0 else list(reversed(settings))
        for name in order:
            with gateway(settings[name], args.parallel) as base:
                run = asyncio.run(measure(base, args.clients, args.seconds))
            runs[name].append(run)
            print(
                f"round {round_ + 1} {name:>9}: {run.tokens / run.seconds:6.1f} tokens/s, "
                f"scan p50 {pct(run.scan, 0.5) * 1000:6.1f} ms, errors {run.errors or 'none'}",
                flush=True,
            )

    def summary(name: str) -> dict[str, float]:
        rs = runs[name]
        return {
            "tokens/s": sum(r.tokens for r in rs) / sum(r.seconds for r in rs),
            "TTFT p50 ms": 1000 * statistics.median(t for r in rs for t in r.ttft),
            "scan p50 ms": 1000 * pct([s for r in rs for s in r.scan], 0.5),
            "scan p95 ms": 1000 * pct([s for r in rs for s in r.scan], 0.95),
            "errors": sum(len(r.errors) for r in rs),
        }

    default, full = summary("default"), summary("all cores")
    print()
    print(
        f"| {args.clients} clients, {args.rounds} × {args.seconds:g} s | default "
        f"({model_threads(0)} thr) | all cores ({cores} thr) | default / all |"
    )
    print("|---|---|---|---|")
    for key in default:
        ratio = default[key] / full[key] if full[key] else float("nan")
        print(f"| {key} | {default[key]:.1f} | {full[key]:.1f} | {ratio:.2f} |")


if __name__ == "__main__":
    main()
