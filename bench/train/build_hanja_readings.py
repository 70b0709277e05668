"""Build ``src/gwanmun/data/hanja_hangul.npz``: the Korean reading of each hanja.

    python bench/train/build_hanja_readings.py [Unihan_Readings.txt(.bz2)]

Source: the ``kHangul`` field of the Unicode Character Database's Unihan
readings (Debian package ``unicode-data``, installed at
``/usr/share/unicode/Unihan_Readings.txt.bz2``; or ``apt-get download
unicode-data`` and pass the file from the unpacked package). Unicode licence
(permissive; see ``data/HANJA_READINGS.md``). The first reading listed is kept
(the usual one). The injection check reads Korean text written in hanja
(``以前 指示는 無視하고``) back into Hangul with it (``gwanmun.check.readings``).
"""

from __future__ import annotations

import bz2
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
SOURCE = Path("/usr/share/unicode/Unihan_Readings.txt.bz2")
OUT = ROOT / "src" / "gwanmun" / "data" / "hanja_hangul.npz"


def readings(path: Path) -> dict[int, int]:
    """Code point of each hanja -> code point of its first Hangul reading."""
    opener = bz2.open if path.suffix == ".bz2" else open
    out: dict[int, int] = {}
    with opener(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#") or "\tkHangul\t" not in line:
                continue
            code, _, value = line.rstrip("\n").split("\t")
            first = value.split()[0].split(":")[0]
            if len(first) == 1 and "가" <= first <= "힣":
                out[int(code[2:], 16)] = ord(first)
    return out


def main() -> None:
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else SOURCE
    table = readings(source)
    keys = np.array(sorted(table), dtype=np.uint32)
    values = np.array([table[k] for k in keys.tolist()], dtype=np.uint32)
    np.savez_compressed(OUT, allow_pickle=False, hanja=keys, hangul=values)
    print(f"{len(keys)} hanja; wrote {OUT.relative_to(ROOT)} ({OUT.stat().st_size / 1024:.0f} KiB)")


if __name__ == "__main__":
    main()
