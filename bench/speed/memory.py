"""What each part of the gateway costs in resident memory, loaded one by one.

    python bench/speed/memory.py

One fresh process: Python with numpy, then the gateway's modules, then the
services of a default configuration (embedded model off: its llama.cpp server
is a process of its own and its model file is mapped, not copied), then each
input detector's lazy load (morphological analysers, the person models, the
injection classifier), the output checks (verbatim index, the sentence
encoder the groundedness check uses), a first Korean and Japanese request
through the input guard, the knowledge bases' morphology (the same analysers,
shared) and their encoder (loaded on first use). Printed: VmRSS after each
step and what the step added. One run; each number is this process's own, so
nothing else on the machine moves them much.
"""

from __future__ import annotations

import gc
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path


def rss_mb() -> float:
    gc.collect()
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def main() -> None:
    steps: list[tuple[str, float]] = [("python", rss_mb())]

    def step(name: str, action: Callable[[], object]) -> None:
        action()
        steps.append((name, rss_mb()))

    step("numpy", lambda: __import__("numpy"))
    step("gateway modules", lambda: __import__("gwanmun.web.app"))
    from gwanmun.services import build_services
    from gwanmun.settings import Settings

    tmp = tempfile.mkdtemp(prefix="gwanmun-memory-")
    settings = Settings(data_dir=Path(tmp), embedded={"enabled": False})
    holder: dict[str, object] = {}
    step("services (stores, guards built)", lambda: holder.update(s=build_services(settings)))
    services = holder["s"]
    scanner = services.scanner  # type: ignore[attr-defined]
    for detector in scanner.detectors:
        warm = getattr(detector, "warm_up", None)
        if callable(warm):
            step(f"detector {detector.id}", warm)
    output = services.gateway.output_guard  # type: ignore[attr-defined]
    for check in [*getattr(output, "checks", []), *getattr(output, "span_checks", [])]:
        warm = getattr(check, "warm_up", None)
        if callable(warm):
            step(f"output check {getattr(check, 'name', type(check).__name__)}", warm)
    grounding = getattr(output, "grounding", None)
    if grounding is not None:
        step("output check grounding", grounding.warm_up)
    text = (
        "김민수 주무관(010-1234-5678)께 민원 회신 초안을 부탁드립니다. "
        "田中太郎さん(03-1234-5678)への回答案もお願いします。"
    ) * 8
    step("first ko/ja request through the input guard", lambda: scanner.scan(text))
    from gwanmun.kb.analysis import terms

    step(
        "knowledge-base terms (ko, ja)",
        lambda: (terms("민원 처리 기간"), terms("図書館の開館時間")),
    )
    knowledge = services.knowledge  # type: ignore[attr-defined]
    step("knowledge-base encoder (e5)", lambda: knowledge.embedder.passages(["민원 처리 기간"]))

    print("| step | resident MB | added MB |")
    print("|---|---:|---:|")
    previous = steps[0][1]
    for name, mb in steps:
        print(f"| {name} | {mb:.0f} | {mb - previous:+.0f} |")
        previous = mb
    print(f"\nPython {sys.version.split()[0]}; total {steps[-1][1]:.0f} MB")


if __name__ == "__main__":
    main()
