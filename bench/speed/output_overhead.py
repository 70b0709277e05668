"""What the output checks cost a stream: the same requests through Gwanmun with
every output check on and with them all off, in one run.

    python bench/speed/output_overhead.py                 # about ten minutes on 2 cores
    python bench/speed/output_overhead.py --streams 5     # a smoke run
    python bench/speed/output_overhead.py --show          # also print each answer, off and on

Setup. One llama.cpp server process (the packaged SmolLM2) and two ``gwanmun
serve`` processes in front of it, identical but for the policy's ``output``
section (both start from the shipped default policy, so the input detectors
are the same on both sides; input checks are off on both, as they cost both
sides the same and would only dilute the ratio):

- "off": ``leak_scan: false, checks: []`` — nothing checked, nothing held back;
- "on": ``leak_scan: true``, every output check this tree registers
  (``CHECK_REGISTRY``, stage output or both, whose module imports: verbatim,
  grounding, toxicity), ``hold_back: minimal`` (the default). The verbatim check
  gets a real index to look up: the repository's ``docs/*.md`` and README,
  indexed into the "on" gateway's data directory before it starts. Grounding
  only acts on requests that carry source documents, which these do not.

Method. Warm-up, then per prompt kind ``--streams`` streamed answers per side
(``--max-tokens`` 128, temperature 0, seed 1), alternating off/on request by
request (and which side goes first, pair by pair) with the same prompt, so
drift on a shared machine hits both sides alike. Each measured request is
preceded by the same prompt with ``max_tokens`` 1 through the same gateway
(unmeasured), so llama.cpp's prompt cache serves both sides alike. Per stream: time to first
content token (first SSE chunk whose delta has non-empty content), decode
tokens/s = (completion tokens - 1) / (time from first content to end of stream)
with tokens from ``usage`` (``stream_options.include_usage``), total latency,
and characters delivered. Then ``--waves`` waves of ``--concurrency`` (8)
clients per side, the sides alternating wave by wave: aggregate tokens/s =
all completion tokens / all wall time of that side's waves.

Prompt kinds, reported apart, in English, Korean and Japanese (``--languages``):
answers that start with a word (the hold-back
releases the first token at once), answers that start a numbered list (the
first digit is shown at once; ``.`` then waits until ``1.`` cannot grow into an
identifier), and answers with contact
details — either given by the user (echoed: must come back unchanged) or made
up by the model (the leak re-scan masks them: ``[EMAIL]``, ``[PHONE]``).

Sanity: for every off/on pair the delivered texts must be identical unless the
"on" gateway reported an output finding; the run exits with status 1 if not.

Hold-back trace: after the run, every "off" answer's deltas are fed one by
one to an output session built in this process from the "on" policy, and the
script prints per prompt kind how many deltas came before the first release,
what went out first, the guard's CPU time to it, and the hold-only ratio: the
"off" side's time to the delta that let the first text out over its time to
the first delta — the TTFT ratio the hold alone would cost with a guard that
took no time. What holds the first words, counted in the model's deltas.

Targets (issue): time-to-first-token ratio on/off <= 1.10 (p50) for the
English kinds and <= 1.25 for the Korean and Japanese ones (issue 23), and
decode tokens/s ratio >= 0.95 (p50), per prompt kind and over all streams.
Only 127.0.0.1 is used.
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
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # bench.*, devtools.* as a script

import gwanmun.check.builtin  # noqa: F401 - registers the shipped checks
from bench.speed.gateway_overhead import (
    LLAMA_KEY_ENV,
    body,
    llamacpp_process,
    pct,
    wait_ready,
)
from devtools.ports import free_port
from gwanmun.check import CHECK_REGISTRY
from gwanmun.policy import default_policy_text, parse_policy
from gwanmun.types import Stage

ROOT = Path(__file__).resolve().parents[2]
SIDES = ("off", "on")

PROMPTS: dict[str, list[str]] = {
    "word first": [
        "Write a short paragraph about the history of public libraries.",
        "Describe the water cycle for a school pamphlet.",
        "Explain what a meeting summary should contain.",
    ],
    "numbered list": [
        "List five tips for writing a clear letter to a citizen.",
        "List three steps to renew a library card.",
    ],
    "contact details": [
        # Supplied by the user (masked on the way in, restored on the way out).
        "Write a short notice for residents: the library now opens at 9 a.m., and "
        "questions go to Kim Minji at 02-2133-5678 or minji.kim@seoul.go.kr.",
        # Made up by the model: the leak re-scan has something to mask.
        "Write a short e-mail to a resident about a lost library card. End it with a "
        "signature that has a name, a phone number and an e-mail address.",
        "Write a short notice about the new library opening hours, with an e-mail "
        "address residents can write to with questions.",
    ],
    # The people this is for write Korean and Japanese (issue 23). SmolLM2 answers
    # them in broken Korean or Japanese, which is what the hold-back has to read.
    "ko word first": [
        "공공 도서관의 역사에 대해 짧은 글을 써 주세요.",
        "학교 안내문에 쓸 물의 순환 설명을 써 주세요.",
    ],
    "ko list": [
        "시민에게 보내는 편지를 명확하게 쓰는 방법 다섯 가지를 목록으로 알려 주세요.",
    ],
    "ko contact details": [
        "주민 안내문을 써 주세요: 도서관은 오전 9시에 문을 열고, 문의는 김민지 주무관 "
        "02-2133-5678, minji.kim@seoul.go.kr 로 하면 됩니다.",
        "분실한 도서관 카드에 대해 주민에게 보내는 짧은 이메일을 쓰고, 끝에 이름과 "
        "전화번호와 이메일 주소가 있는 서명을 넣어 주세요.",
    ],
    "ja word first": [
        "公共図書館の歴史について短い文章を書いてください。",
        "学校のお知らせに使う水の循環の説明を書いてください。",
    ],
    "ja list": [
        "住民への手紙を分かりやすく書くためのこつを五つ、箇条書きで教えてください。",
    ],
    "ja contact details": [
        "住民向けのお知らせを書いてください。図書館は午前9時に開館し、問い合わせは"
        "田中美咲（03-5321-1111、misaki.tanaka@city.example.jp）までです。",
        "図書館カードをなくした住民への短いメールを書き、最後に名前と電話番号と"
        "メールアドレスのある署名を入れてください。",
    ],
}


def _language(kind: str) -> str:
    first = kind.split()[0]
    return first if first in ("ko", "ja") else "en"


@dataclass
class Stream:
    """One streamed answer as the client saw it."""

    prompt: str
    latency: float = 0.0
    ttft: float = 0.0
    tokens: int = 0
    text: str = ""
    findings: list[str] = field(default_factory=list)  # output finding kinds ("on" only)
    parts: list[str] = field(default_factory=list)  # the content deltas as they came
    arrivals: list[float] = field(default_factory=list)  # when each came (s from the request)

    @property
    def rate(self) -> float | None:
        """Decode tokens/s after the first content token."""
        if self.tokens > 1 and self.ttft and self.latency > self.ttft:
            return (self.tokens - 1) / (self.latency - self.ttft)
        return None


RETRIES = {"count": 0}


async def stream(client: httpx.AsyncClient, base: str, prompt: str, max_tokens: int) -> Stream:
    """A streamed request; retried once on a stale keep-alive connection (as in
    gateway_overhead.py: llama.cpp now and then closes one right after a stream)."""
    try:
        return await _stream(client, base, prompt, max_tokens)
    except httpx.RemoteProtocolError:
        RETRIES["count"] += 1
        return await _stream(client, base, prompt, max_tokens)


async def _stream(client: httpx.AsyncClient, base: str, prompt: str, max_tokens: int) -> Stream:
    result = Stream(prompt)
    parts: list[str] = []
    start = time.perf_counter()
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
            if "error" in chunk:
                raise RuntimeError(f"{base}: stream stopped: {chunk['error']}")
            if chunk.get("usage"):
                result.tokens = chunk["usage"]["completion_tokens"]
            meta = chunk.get("gwanmun") or {}
            result.findings += [f["kind"] for f in meta.get("output_findings", [])]
            for choice in chunk.get("choices") or []:
                content = (choice.get("delta") or {}).get("content")
                if content and choice.get("index", 0) == 0:
                    now = time.perf_counter() - start
                    if not result.ttft:
                        result.ttft = now
                    parts.append(content)
                    result.arrivals.append(now)
    result.latency = time.perf_counter() - start
    result.text = "".join(parts)
    result.parts = parts
    return result


def output_checks() -> tuple[list[str], dict[str, str]]:
    """Every built-in check that runs on answers (stage output or both), and those
    left out with why (none today: every shipped check needs only numpy)."""
    return [s.id for s in CHECK_REGISTRY.select() if s.stage.covers(Stage.OUTPUT)], {}


def policy_file(directory: Path, side: str, checks: list[str]) -> Path:
    """The shipped default policy with ``output``'s leak scan and checks set per side.

    Input checks (``output.input_checks``) are turned off on both sides: they run
    on the request, cost both sides the same, and would only dilute the ratio.
    """
    policy = yaml.safe_load(default_policy_text())
    output = dict(policy.get("output") or {}, input_checks=[])
    if side == "on":
        output.update(leak_scan=True, checks=checks, hold_back="minimal")
    else:
        output.update(leak_scan=False, checks=[])
    policy["output"] = output
    path = directory / f"policy-{side}.yaml"
    path.write_text(yaml.safe_dump(policy, allow_unicode=True, sort_keys=False), "utf-8")
    parse_policy(path.read_text("utf-8"), str(path))  # fail here, not in the gateway
    return path


def index_docs(data_dir: Path) -> int:
    """Index the repository's docs as a verbatim corpus; returns characters indexed."""
    from gwanmun.check.verbatim import CorpusIndex

    files = [*sorted((ROOT / "docs").glob("*.md")), ROOT / "README.md"]
    texts = [(str(f), f.read_text("utf-8")) for f in files if f.exists()]
    return CorpusIndex.build(data_dir / "corpus" / "bench-docs", "bench-docs", texts).chars


def gateway_process(config: Path, log: Path) -> subprocess.Popen[bytes]:
    """``gwanmun serve`` configured by ``config``; its output goes to ``log``."""
    with log.open("wb") as out:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            [str(Path(sys.executable).with_name("gwanmun")), "serve"],
            env={**os.environ, "GWANMUN_CONFIG": str(config)},
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def gateway_config(tmp: Path, side: str, port: int, llama_port: int, checks: list[str]) -> Path:
    config = tmp / f"{side}.json"  # JSON is valid YAML
    settings = {
        "host": "127.0.0.1",
        "port": port,
        "data_dir": str(tmp / side),
        "allow_anonymous": True,
        "log_level": "warning",
        # The limiter still runs; the default 60/min would refuse the bench.
        "rate_limits": {"user_requests_per_minute": 0},
        "embedded": {"enabled": False},
        "policy_file": str(policy_file(tmp, side, checks)),
        "backends": [
            {
                "name": "llamacpp",
                "base_url": f"http://127.0.0.1:{llama_port}/v1",
                "api_key_env": LLAMA_KEY_ENV,
                "models": ["smollm2"],
                "max_grade": "C",
                "timeout_s": 120,
            }
        ],
    }
    config.write_text(json.dumps(settings), "utf-8")
    return config


@contextmanager
def servers(
    threads: int, parallel: int, checks: list[str]
) -> Iterator[tuple[dict[str, str], int, Path]]:
    """The llama.cpp process and the two gateways; all stopped on the way out.
    Yields the gateways' bases, the verbatim corpus size and the temporary
    directory (the "on" policy file and data directory are in it)."""
    llama_port = free_port()
    ports = {side: free_port() for side in SIDES}
    procs: dict[str, subprocess.Popen[bytes]] = {}
    with tempfile.TemporaryDirectory(prefix="gwanmun-output-bench-") as name:
        tmp = Path(name)
        corpus_chars = index_docs(tmp / "on") if "verbatim" in checks else 0
        try:
            procs["llama.cpp"] = llamacpp_process(llama_port, threads, parallel)
            for side, port in ports.items():
                config = gateway_config(tmp, side, port, llama_port, checks)
                procs[side] = gateway_process(config, tmp / f"{side}.log")
                wait_ready(f"http://127.0.0.1:{port}/readyz", procs[side])
            bases = {side: f"http://127.0.0.1:{port}/v1" for side, port in ports.items()}
            yield bases, corpus_chars, tmp
        except BaseException:
            for what, proc in procs.items():  # say who died, before the logs go
                if proc.poll() is not None:
                    print(f"{what} process exited with status {proc.returncode}", file=sys.stderr)
                log = tmp / f"{what}.log"
                if log.exists() and log.stat().st_size:
                    tail = log.read_text("utf-8", errors="replace")[-2000:]
                    print(f"--- end of the {what!r} gateway's log ---\n{tail}", file=sys.stderr)
            raise
        finally:
            for proc in procs.values():
                if proc.poll() is None:
                    proc.send_signal(signal.SIGTERM)
            for proc in procs.values():
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()


async def gather_all(jobs: list[Coroutine[None, None, Stream]]) -> list[Stream]:
    results = await asyncio.gather(*jobs, return_exceptions=True)
    errors = [r for r in results if isinstance(r, BaseException)]
    if errors:
        raise SystemExit(f"{len(errors)} of {len(jobs)} concurrent requests failed: {errors[0]!r}")
    return [r for r in results if isinstance(r, Stream)]


@dataclass
class Report:
    streams: dict[str, dict[str, list[Stream]]]  # kind -> side -> streams, paired by index
    throughput: dict[str, float]  # side -> aggregate tokens/s over the concurrent waves


async def measure(args: argparse.Namespace, bases: dict[str, str]) -> Report:
    """The sequential pairs, then the concurrent waves.

    Before every measured stream (and every measured wave) the same prompts go
    through the same gateway with ``max_tokens`` 1, unmeasured: llama.cpp then
    has the prompt in a slot's cache whichever side comes first, so a cache
    miss (about +180 ms of prompt processing here) never lands on one side only
    and the model's share of the time to first token stays small and steady.
    """
    async with httpx.AsyncClient(timeout=180, trust_env=False) as client:
        every = [p for ps in PROMPTS.values() for p in ps]
        for prompt in every:  # warm-up: model pages, guards, detectors
            for base in bases.values():
                await stream(client, base, prompt, 8)
        streams: dict[str, dict[str, list[Stream]]] = {}
        for kind, prompts in PROMPTS.items():
            streams[kind] = {side: [] for side in SIDES}
            for i in range(args.streams):
                prompt = prompts[i % len(prompts)]
                for side in SIDES if i % 2 == 0 else SIDES[::-1]:
                    await stream(client, bases[side], prompt, 1)
                    streams[kind][side].append(
                        await stream(client, bases[side], prompt, args.max_tokens)
                    )
            print(f"  {kind}: {args.streams} streams per side done", flush=True)

        elapsed = {side: 0.0 for side in SIDES}
        tokens = {side: 0 for side in SIDES}
        for wave in range(args.waves):
            wave_prompts = [
                every[(wave * args.concurrency + j) % len(every)] for j in range(args.concurrency)
            ]
            for side in SIDES if wave % 2 == 0 else SIDES[::-1]:
                await gather_all([stream(client, bases[side], p, 1) for p in wave_prompts])
                jobs = [stream(client, bases[side], p, args.max_tokens) for p in wave_prompts]
                start = time.perf_counter()
                done = await gather_all(jobs)
                elapsed[side] += time.perf_counter() - start
                tokens[side] += sum(s.tokens for s in done)
        throughput = {side: tokens[side] / elapsed[side] for side in SIDES}
    return Report(streams, throughput)


def summarize(
    name: str, off: list[Stream], on: list[Stream], lines: list[str]
) -> tuple[float, float]:
    """Rows for one group of streams; returns the p50 ratios (TTFT, tokens/s)."""
    ms = 1000.0

    def row(label: str, a: float, b: float, unit: str, digits: int = 1) -> float:
        ratio = b / a if a else float("nan")
        lines.append(
            f"{name + ': ' + label:<46} {a:>9.{digits}f} {b:>9.{digits}f} {unit:<5} {ratio:>7.3f}"
        )
        return ratio

    def rates(samples: list[Stream]) -> list[float]:
        return [r for s in samples if (r := s.rate) is not None]

    ttft = row("TTFT p50", pct([s.ttft for s in off], 0.5) * ms,
               pct([s.ttft for s in on], 0.5) * ms, "ms")  # fmt: skip
    row("TTFT p95", pct([s.ttft for s in off], 0.95) * ms,
        pct([s.ttft for s in on], 0.95) * ms, "ms")  # fmt: skip
    tps = row("decode tok/s p50", pct(rates(off), 0.5), pct(rates(on), 0.5), "tok/s")
    # For a rate the slow tail is the low end: the 5th percentile.
    row("decode tok/s p5 (slow tail)", pct(rates(off), 0.05), pct(rates(on), 0.05), "tok/s")
    row("latency p50", pct([s.latency for s in off], 0.5) * ms,
        pct([s.latency for s in on], 0.5) * ms, "ms", 0)  # fmt: skip
    row("latency p95", pct([s.latency for s in off], 0.95) * ms,
        pct([s.latency for s in on], 0.95) * ms, "ms", 0)  # fmt: skip
    row("chars delivered (mean)", statistics.mean(len(s.text) for s in off),
        statistics.mean(len(s.text) for s in on), "chars", 0)  # fmt: skip
    return ttft, tps


def verdict(ttft: float, tps: float, bound: float) -> str:
    t = "met" if ttft <= bound else "NOT met"
    r = "met" if tps >= 0.95 else "NOT met"
    return f"TTFT {ttft:.3f} <= {bound:.2f}: {t}; tokens/s {tps:.3f} >= 0.95: {r}"


def ttft_bound(name: str) -> float:
    """The TTFT target: 1.10 for the English kinds, 1.25 for Korean and
    Japanese ones (issue 23) and for all streams once those are in."""
    if name == "all streams":
        return 1.10 if set(map(_language, PROMPTS)) == {"en"} else 1.25
    return 1.10 if _language(name) == "en" else 1.25


def hold_back_trace(report: Report, tmp: Path) -> list[str]:
    """What holds the first words: each "off" stream's deltas, as the model sent
    them, fed one by one to an output session built in this process from the
    "on" gateway's policy and data directory (the same guard the "on" gateway
    runs). Per prompt kind: how many deltas had come when the session released
    its first text (the model's first delta is the "off" side's first token),
    how many characters it still held then, and the guard's CPU time up to that
    release. Independent of the machine's load: it counts deltas, not ms."""
    from gwanmun.errors import OutputBlocked
    from gwanmun.guard.factory import input_guard_for, output_guard_for
    from gwanmun.policy import load_policy
    from gwanmun.types import ChatMessage, ChatRequest, Grade

    policy = load_policy(tmp / "policy-on.yaml")
    scanner = input_guard_for(policy)
    guard = output_guard_for(policy, scanner, data_dir=tmp / "on")

    def first_release(off: Stream) -> tuple[int, int, float, str] | None:
        """(delta index, characters still held, guard CPU s, text shown) at the
        session's first release, or None if it released nothing before the end."""
        request = ChatRequest(
            model="smollm2", messages=(ChatMessage("user", off.prompt),), max_tokens=128
        )
        session = guard.open(request, scanner.inspect(request, backend_grade=Grade.S))
        fed, spent = "", 0.0
        for index, part in enumerate(off.parts):
            start = time.process_time()
            try:
                shown = session.feed(part)
            except OutputBlocked:
                return None
            spent += time.process_time() - start
            fed += part
            if shown:
                return index, len(fed) - len(shown), spent, shown
        return None

    every = [off for sides in report.streams.values() for off in sides["off"]]
    for off in every:  # warm-up: models, analysers, caches (as the gateway's warm-up does)
        first_release(off)
    lines = [
        "\nHold-back trace (each 'off' answer's deltas replayed through the 'on' guard;",
        "hold-only ratio = (off TTFT + time from the 1st delta to the releasing one) / off TTFT):",
        f"{'':<22} {'deltas before release':>22} {'held then':>10} {'guard CPU':>10}"
        f" {'hold-only ratio':>16}",
    ]
    for kind, sides in report.streams.items():
        waits: list[int] = []
        held: list[int] = []
        cpu: list[float] = []
        floors: list[float] = []
        firsts: list[str] = []
        for off in sides["off"]:
            found = first_release(off)
            if found is None:
                continue
            index, kept, spent, shown = found
            waits.append(index)
            held.append(kept)
            cpu.append(spent)
            firsts.append(shown)
            floors.append(off.arrivals[index] / off.arrivals[0])
        if not waits:
            lines.append(f"{kind:<22} {'nothing released before the end':>22}")
            continue
        lines.append(
            f"{kind:<22} {statistics.median(waits):>22.1f} {statistics.median(held):>10.1f} "
            f"{statistics.median(cpu) * 1000:>8.2f}ms {statistics.median(floors):>16.2f}"
        )
        for first in sorted(set(firsts))[:3]:
            lines.append(f"{'':<24}first shown: {first[:40]!r}")
    return lines


def sanity(report: Report, show: bool) -> bool:
    """Per prompt: characters delivered, what "on" masked, and that clean texts match."""
    print("\nAnswers (first pair per prompt; chars off/on; on-side output findings):")
    same = masked = differ = 0
    for kind, sides in report.streams.items():
        seen: set[str] = set()
        for off, on in zip(sides["off"], sides["on"], strict=True):
            if on.text == off.text:
                same += 1
            elif on.findings:
                masked += 1
            else:
                differ += 1
            if off.prompt in seen:
                continue
            seen.add(off.prompt)
            status = (
                "identical"
                if on.text == off.text
                else f"masked {', '.join(sorted(set(on.findings)))}"
                if on.findings
                else "DIFFERENT without a finding"
            )
            print(f"  [{kind}] {off.prompt[:56]}…: {len(off.text)}/{len(on.text)} chars, {status}")
            if show or (on.text != off.text):
                print(f"      off: {off.text!r}\n      on:  {on.text!r}")
    total = same + masked + differ
    print(
        f"pairs: {total}; identical {same}; different where 'on' masked a leak {masked}; "
        f"different without a finding {differ}"
    )
    return differ == 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--streams", type=int, default=30, help="streams per side and prompt kind")
    parser.add_argument("--max-tokens", type=int, default=128)
    parser.add_argument("--concurrency", type=int, default=8, help="concurrent clients")
    parser.add_argument("--waves", type=int, default=3, help="concurrent waves per side")
    parser.add_argument(
        "--threads",
        type=int,
        default=max(1, (os.cpu_count() or 2) - 1),
        help="llama.cpp threads (default: all CPUs but one, left to the gateways)",
    )
    parser.add_argument("--show", action="store_true", help="print every prompt's answers")
    parser.add_argument(
        "--languages",
        default="en,ko,ja",
        help="prompt languages to run, comma-separated (default: en,ko,ja)",
    )
    args = parser.parse_args()
    wanted = set(args.languages.split(","))
    for kind in list(PROMPTS):
        if _language(kind) not in wanted:
            del PROMPTS[kind]

    checks, missing = output_checks()
    print(
        f"output_overhead: SmolLM2-135M, llama.cpp threads={args.threads}, "
        f"parallel slots={args.concurrency}, {os.cpu_count()} CPUs, "
        f"load average at start {os.getloadavg()[0]:.2f}"
    )
    print(f"checks on: leak re-scan + {', '.join(checks) or 'none'} (hold_back minimal)")
    for name, why in missing.items():
        print(f"check not available, left out: {name} ({why})")
    started = time.perf_counter()
    with servers(args.threads, args.concurrency, checks) as (bases, corpus_chars, tmp):
        if corpus_chars:
            print(f"verbatim corpus for 'on': docs/*.md + README.md, {corpus_chars:,} characters")
        report = asyncio.run(measure(args, bases))
        trace = hold_back_trace(report, tmp)

    lines: list[str] = []
    ratios: dict[str, tuple[float, float]] = {}
    for kind, sides in report.streams.items():
        ratios[kind] = summarize(kind, sides["off"], sides["on"], lines)
    everything = {side: [s for v in report.streams.values() for s in v[side]] for side in SIDES}
    ratios["all streams"] = summarize("all streams", everything["off"], everything["on"], lines)
    off_tps, on_tps = report.throughput["off"], report.throughput["on"]
    lines.append(
        f"{f'{args.concurrency} clients x {args.waves} waves: tokens/s':<46} "
        f"{off_tps:>9.1f} {on_tps:>9.1f} {'tok/s':<5} {on_tps / off_tps:>7.3f}"
    )

    print(f"\n{args.streams} streams per side and prompt kind, max_tokens {args.max_tokens}")
    print(f"{'':<46} {'off':>9} {'on':>9} {'':<5} {'on/off':>7}")
    print("\n".join(lines))
    print("\nTargets (p50 ratios):")
    for name, (ttft, tps) in ratios.items():
        print(f"  {name:<18} {verdict(ttft, tps, ttft_bound(name))}")
    print(
        f"  concurrent tokens/s ratio {on_tps / off_tps:.3f} >= 0.95: "
        f"{'met' if on_tps / off_tps >= 0.95 else 'NOT met'}"
    )
    print("\n".join(trace))
    clean = sanity(report, args.show)
    print(
        f"\nstale keep-alive connections retried: {RETRIES['count']}; "
        f"load average at end {os.getloadavg()[0]:.2f}; run took "
        f"{time.perf_counter() - started:.0f} s"
    )
    if not clean:
        sys.exit("some 'on' answers differ from 'off' without an output finding")


if __name__ == "__main__":
    main()
