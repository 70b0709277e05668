"""What the output checks cost a stream: the same requests through Gwanmun with
every output check on and with them all off, in one run.

    python bench/output_overhead.py                 # a few minutes
    python bench/output_overhead.py --streams 60    # tighter percentiles

One llama.cpp server process (the packaged SmolLM2) and two ``gwanmun serve``
processes in front of it, identical but for the policy's ``output`` section:
"off" (no leak re-scan, no checks) and "on" (leak re-scan, every output check
the factory knows — verbatim, groundedness, and toxicity when installed —
with the default minimal hold-back). Requests alternate off/on, same prompts,
temperature 0. Measured per stream: time to first content token, decode
tokens/s after it, total latency; then 8 concurrent clients per side.

Prompts come in two kinds, reported apart: ones whose answers start with a word
(the hold-back releases the first token at once) and ones that make the model
start a numbered list (the first characters wait until "1." cannot grow into
an identifier). Targets (issue 4): time-to-first-token ratio ≤ 1.10 and tokens/s
ratio ≥ 0.95. Only 127.0.0.1 is used.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import yaml

try:
    from bench.gateway_overhead import (
        Sample,
        free_port,
        gather_limited,
        gwanmun_process,
        llamacpp_process,
        one,
        pct,
        wait_ready,
    )
except ModuleNotFoundError:  # run as a script: bench/ itself is on sys.path
    from gateway_overhead import (  # type: ignore[no-redef]
        Sample,
        free_port,
        gather_limited,
        gwanmun_process,
        llamacpp_process,
        one,
        pct,
        wait_ready,
    )

from gwanmun.guard.factory import CHECKS
from gwanmun.policy import default_policy_text

PROMPTS = {
    "word first": [
        "Write a short paragraph about the history of public libraries.",
        "Describe the water cycle for a school pamphlet.",
        "Explain what a meeting summary should contain.",
    ],
    "numbered list": [
        "List five tips for writing a clear letter to a citizen.",
        "List three steps to renew a library card.",
    ],
}


def available_checks() -> list[str]:
    checks = ["verbatim", "grounding"]
    for name, target in CHECKS.items():
        module = target.partition(":")[0]
        try:
            __import__(module)
        except ImportError:
            continue
        if name == "toxicity":
            checks.append(name)
    return checks


def policy_file(directory: Path, on: bool) -> Path:
    policy = yaml.safe_load(default_policy_text())
    policy["output"] = (
        {"leak_scan": True, "checks": available_checks(), "hold_back": "minimal"}
        if on
        else {"leak_scan": False, "checks": []}
    )
    path = directory / f"policy-{'on' if on else 'off'}.yaml"
    path.write_text(yaml.safe_dump(policy, allow_unicode=True), encoding="utf-8")
    return path


@contextmanager
def servers(threads: int, parallel: int) -> Iterator[dict[str, str]]:
    llama_port = free_port()
    ports = {"off": free_port(), "on": free_port()}
    procs: list[subprocess.Popen[bytes]] = []
    with tempfile.TemporaryDirectory(prefix="gwanmun-output-bench-") as tmp:
        try:
            procs.append(llamacpp_process(llama_port, threads, parallel))
            wait_ready(f"http://127.0.0.1:{llama_port}/health", procs[0])
            for side, port in ports.items():
                config = Path(tmp) / f"{side}.json"
                config.write_text(
                    json.dumps(
                        {
                            "host": "127.0.0.1",
                            "port": port,
                            "data_dir": str(Path(tmp) / side),
                            "allow_anonymous": True,
                            "log_level": "warning",
                            "rate_limits": {"user_requests_per_minute": 0},
                            "embedded": {"enabled": False},
                            "policy_file": str(policy_file(Path(tmp), side == "on")),
                            "backends": [
                                {
                                    "name": "llamacpp",
                                    "base_url": f"http://127.0.0.1:{llama_port}/v1",
                                    "models": ["smollm2"],
                                    "max_grade": "C",
                                    "timeout_s": 120,
                                }
                            ],
                        }
                    )
                )
                procs.append(gwanmun_process(config))
                wait_ready(f"http://127.0.0.1:{port}/readyz", procs[-1])
            yield {side: f"http://127.0.0.1:{port}/v1" for side, port in ports.items()}
        finally:
            for proc in procs:
                proc.send_signal(signal.SIGTERM)
            for proc in procs:
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()


def rate(sample: Sample) -> float | None:
    if sample.tokens > 1 and sample.ttft and sample.latency > sample.ttft:
        return (sample.tokens - 1) / (sample.latency - sample.ttft)
    return None


async def run(args: argparse.Namespace, bases: dict[str, str]) -> bool:
    ok = True
    async with httpx.AsyncClient(timeout=120, trust_env=False) as client:
        for prompts in PROMPTS.values():  # warm-up: prompt caches, model pages
            for prompt in prompts:
                for base in bases.values():
                    await one(client, base, prompt, 8)
        print(f"\n{'':<36} {'off':>10} {'on':>10} {'ratio':>8}")
        for kind, prompts in PROMPTS.items():
            samples: dict[str, list[Sample]] = {"off": [], "on": []}
            for i in range(args.streams):
                prompt = prompts[i % len(prompts)]
                order = ["off", "on"] if i % 2 == 0 else ["on", "off"]
                for side in order:
                    samples[side].append(await one(client, bases[side], prompt, args.max_tokens))
            ttft = {s: pct([x.ttft for x in samples[s]], 0.5) * 1000 for s in samples}
            tps = {
                s: pct([r for x in samples[s] if (r := rate(x)) is not None], 0.5) for s in samples
            }
            ttft_ratio = ttft["on"] / ttft["off"]
            tps_ratio = tps["on"] / tps["off"]
            print(f"{kind + ': time to first token p50':<36} {ttft['off']:>8.1f}ms "
                  f"{ttft['on']:>8.1f}ms {ttft_ratio:>8.3f}")  # fmt: skip
            print(f"{kind + ': decode tokens/s p50':<36} {tps['off']:>10.1f} {tps['on']:>10.1f} "
                  f"{tps_ratio:>8.3f}")  # fmt: skip
            met = ttft_ratio <= 1.10 and tps_ratio >= 0.95
            print(f"  targets (TTFT <= 1.10, tokens/s >= 0.95): {'met' if met else 'NOT met'}")
            ok = ok and met
        throughput: dict[str, float] = {}
        for side, base in bases.items():
            start = time.perf_counter()
            prompts = [p for ps in PROMPTS.values() for p in ps]
            jobs = [
                one(client, base, prompts[i % len(prompts)], args.max_tokens // 2)
                for i in range(8 * 3)
            ]
            done = await gather_limited(jobs, 8)
            throughput[side] = sum(s.tokens for s in done) / (time.perf_counter() - start)
        ratio = throughput["on"] / throughput["off"]
        print(f"{'tokens/s, 8 concurrent clients':<36} {throughput['off']:>10.1f} "
              f"{throughput['on']:>10.1f} {ratio:>8.3f}")  # fmt: skip
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--streams", type=int, default=30, help="streams per side and prompt kind")
    parser.add_argument("--max-tokens", type=int, default=96)
    parser.add_argument("--threads", type=int, default=max(1, (os.cpu_count() or 2) - 1))
    parser.add_argument("--parallel", type=int, default=8)
    args = parser.parse_args()
    print(f"output_overhead: checks on = leak re-scan + {', '.join(available_checks())}; "
          f"llama.cpp threads={args.threads}, {os.cpu_count()} CPUs")  # fmt: skip
    with servers(args.threads, args.parallel) as bases:
        asyncio.run(run(args, bases))


if __name__ == "__main__":
    main()
