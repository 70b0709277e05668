"""HWP 5 readers on PyPI beside Gwanmun's own, on the same files, in one run:
what each gets right (paragraphs, table cells kept in their rows, footnotes,
text past the preview, a second section), how each fails on hostile files, and
how fast each reads a long document.

    python3.11 -m venv /tmp/hwpcmp
    /tmp/hwpcmp/bin/pip install hwp-hwpx-parser==1.0.0 extract-hwp==0.2.1 gethwp==1.1.1 \\
        hwp2yaml==0.6.1
    .venv/bin/python bench/quality/hwp_parsers.py --candidates /tmp/hwpcmp/bin/python

Method. The files are written by ``devtools/hwp.py`` (HWP 5.1 records as Hangul
writes them: section/column definitions, PARA_HEADER/PARA_TEXT, a 'tbl ' control
with a LIST_HEADER per cell, an 'fn  ' footnote, a PrvText preview and the
summary stream). Every reader runs in a child process (its own interpreter, the
candidates in their own virtualenv so none of their dependencies enters
Gwanmun's) with a 4 GiB address-space limit and a 60 s timeout; the child
reports the text or the exception, its time and its peak RSS. Speed: the long
document (3,000 paragraphs, 100 tables, 100 footnotes), 7 rounds in which every
reader in turn reads it 4 times in a child after one warm-up (so the load of
the shared machine falls on all alike); the median per read, and its ratio to
Gwanmun's reader's median in the same run. Not run: helper-hwp 0.5.6, whose
import runs ``playwright install`` (a browser download) when its optional
packages are missing; hwpers (Python >= 3.12); pyhwp (AGPL).
Hostile files: the document cut in half, 64 bytes of its compressed body
overwritten, the password and distribution flags set, and a section of 200 MiB
of zeros deflated to ~200 KB (a decompression bomb).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from devtools import hwp  # noqa: E402

ROUNDS, REPEAT = 7, 4
CALLS = {
    "gwanmun (olefile + own records)": (
        "from gwanmun.documents import extract_text\n"
        "from pathlib import Path\n"
        "def run(p): return extract_text(Path(p))"
    ),
    "hwp-hwpx-parser 1.0.0": (
        "from hwp_hwpx_parser import Reader\n"
        "def run(p):\n"
        "    with Reader(p) as r: result = r.extract_text_with_notes()\n"
        "    return '\\n'.join([result.text, *(str(n) for n in result.footnotes)])"
    ),
    "extract-hwp 0.2.1": (
        "from extract_hwp import extract_text_from_hwp\n"
        "def run(p):\n"
        "    text, error = extract_text_from_hwp(p)\n"
        "    if error: raise RuntimeError(error)\n"
        "    return text"
    ),
    "gethwp 1.1.1": "import gethwp\ndef run(p): return gethwp.read_hwp(p)",
    "hwp2yaml 0.6.1": (
        "from hwp2yaml.extractor import extract_hwp_text\n"
        "def run(p):\n"
        "    r = extract_hwp_text(p)\n"
        "    if not r.success: raise RuntimeError(r.error)\n"
        "    return r.text"
    ),
}

CHILD = """
import json, resource, sys, time
resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))
{call}
path, repeat = sys.argv[1], int(sys.argv[2])
try:
    text = run(path)
    started = time.perf_counter()
    for _ in range(repeat):
        run(path)
    seconds = (time.perf_counter() - started) / max(repeat, 1)
    out = {{"text": text or "", "seconds": seconds}}
except BaseException as exc:
    out = {{"error": type(exc).__name__ + ": " + str(exc)[:120]}}
out["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(out, ensure_ascii=False))
"""

RULES = [
    "제1조 (목적)",
    "이 규정은 주민 불편 신고의 처리 절차를 정한다.",
    ["민원은 접수한 날부터 7일 안에 처리한다", hwp.Footnote("공휴일은 기간에 넣지 않는다."), "."],
    [hwp.Table([["구분", "기간"], ["일반 민원", "7일"], ["고충 민원", "14일\n연장 가능"]])],
    *[
        f"제{n}조 (세부 사항 {n}) 담당 부서는 신고 내용을 기록하고 처리 결과를 알린다."
        for n in range(3, 40)
    ],
    "부칙: 이 규정은 공포한 날부터 시행한다.",
]
SECOND = ["별표 1", "신고 서식은 누리집에서 내려받는다."]

CHECKS = {
    "paragraphs": lambda t: "이 규정은 주민 불편 신고의 처리 절차를 정한다." in t,
    "table rows": lambda t: (
        any("일반 민원" in line and "7일" in line for line in t.splitlines()) and "연장 가능" in t
    ),
    "footnote": lambda t: "공휴일은 기간에 넣지 않는다." in t,
    "past preview": lambda t: "부칙: 이 규정은 공포한 날부터 시행한다." in t,
    "2nd section": lambda t: "신고 서식은 누리집에서 내려받는다." in t,
    "no control junk": lambda t: not any(c in t for c in ("\x02", "\x0b", "\x11", "dces", " lbt")),
}


def _long() -> bytes:
    body: list[str | list[hwp.Part]] = []
    for n in range(3000):
        if n % 30 == 0:
            rows = [[f"항목 {n}-{r}", f"{r * 7}일", "담당 부서"] for r in range(4)]
            body.append([hwp.Table(rows)])
        elif n % 30 == 15:
            body.append([f"제{n}조 본문 문장 {n}", hwp.Footnote(f"각주 {n}: 예외 사항."), "."])
        else:
            body.append(f"문단 {n}: 민원 처리 기간은 {n % 14 + 1}일이며 결과는 서면으로 알린다.")
    return hwp.document(body)


def _files(folder: Path) -> dict[str, Path]:
    good = hwp.document(RULES, SECOND)
    corrupt = bytearray(good)
    deflater = zlib.compressobj(9, zlib.DEFLATED, -15)
    body = deflater.compress(hwp.section(RULES)) + deflater.flush()
    at = corrupt.index(body[:64]) + len(body) // 3  # inside the first section's deflate data
    corrupt[at : at + 64] = b"\xa5" * 64
    deflater = zlib.compressobj(9, zlib.DEFLATED, -15)
    zeros = bytes(1 << 20)  # in pieces: peak RSS carries over exec into the children
    bomb = b"".join(deflater.compress(zeros) for _ in range(200)) + deflater.flush()
    files = {
        "document": good,
        "uncompressed": hwp.document(RULES, SECOND, compressed=False),
        "long": _long(),
        "truncated": good[: len(good) // 2],
        "corrupt": bytes(corrupt),
        "password": hwp.document(RULES, password=True),
        "distribution": hwp.document(RULES, distribution=True),
        "bomb": hwp.document(raw_sections=[bomb]),
    }
    paths = {}
    for name, data in files.items():
        paths[name] = folder / f"{name}.hwp"
        paths[name].write_bytes(data)
    return paths


def _run(python: str, call: str, path: Path, repeat: int = 0) -> dict[str, object]:
    try:
        done = subprocess.run(
            [python, "-c", CHILD.format(call=call), str(path), str(repeat)],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=ROOT,
        )
    except subprocess.TimeoutExpired:
        return {"error": "timeout after 60 s"}
    lines = done.stdout.strip().splitlines()
    if done.returncode or not lines:
        return {"error": f"child died (exit {done.returncode}): {done.stderr.strip()[-120:]}"}
    result: dict[str, object] = json.loads(lines[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--candidates", required=True, help="python with the candidates installed")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        paths = _files(Path(tmp))
        for name, call in CALLS.items():
            python = sys.executable if name.startswith("gwanmun") else args.candidates
            print(f"## {name}")
            for case in ("document", "uncompressed"):
                result = _run(python, call, paths[case])
                text = str(result.get("text", ""))
                passed = [check for check, ok in CHECKS.items() if "text" in result and ok(text)]
                failed = [check for check in CHECKS if check not in passed]
                print(f"  {case}: ok={passed} missing={failed} {result.get('error', '')}")
            for case in ("truncated", "corrupt", "password", "distribution", "bomb"):
                result = _run(python, call, paths[case])
                outcome = (
                    f"error {result['error']}"
                    if "error" in result
                    else f"returned {len(str(result['text']))} chars"
                )
                print(f"  {case}: {outcome} (peak RSS {result.get('rss_mb', 0):.0f} MB)")
        _speed(args.candidates, paths["long"])


def _speed(candidates: str, path: Path) -> None:
    """Rounds of every reader in turn, so a change in the machine's load falls on all."""
    times: dict[str, list[float]] = {name: [] for name in CALLS}
    sizes: dict[str, str] = {}
    for _ in range(ROUNDS):
        for name, call in CALLS.items():
            python = sys.executable if name.startswith("gwanmun") else candidates
            result = _run(python, call, path, repeat=REPEAT)
            if "seconds" in result:
                times[name].append(float(str(result["seconds"])))
                sizes[name] = f"{len(str(result['text'])):,} chars"
            else:
                sizes[name] = str(result.get("error"))[:60]
    ours = statistics.median(times[next(iter(CALLS))])
    print(f"## speed: long document, median of {ROUNDS} rounds x {REPEAT} reads")
    for name, seconds in times.items():
        if seconds:
            median = statistics.median(seconds)
            print(f"  {name}: {median * 1000:.0f} ms/read ({median / ours:.2f}x gwanmun), "
                  f"{sizes[name]}")  # fmt: skip
        else:
            print(f"  {name}: {sizes[name]}")


if __name__ == "__main__":
    main()
