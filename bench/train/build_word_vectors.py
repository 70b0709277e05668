"""Build ``src/gwanmun/data/ja_word_vectors.npz``: Japanese word vectors for the person tagger.

    python bench/train/build_word_vectors.py                  # fetches the wheel from PyPI
    python bench/train/build_word_vectors.py --wheel PATH     # or reads one already downloaded

Source: the chiVe word2vec vectors (Works Applications, Apache-2.0) as GiNZA
ships them in the PyPI wheel ``ja-ginza`` 5.3.0 (Megagon Labs, MIT): 480,443
words of sudachipy's vocabulary, pruned by spaCy to 20,000 distinct 300-wide
vectors (every word points at one of them). The wheel is fetched with
``pip download --no-deps`` and checked against its SHA-256; nothing of GiNZA is
installed or run, and nothing is downloaded at run time — the gateway reads only
the file this writes.

What is kept, to make the file small (about 2 MB):
- only words sudachipy (SplitMode.C, the tagger's mode) reads as one known
  morpheme, by surface or normalised form — a word it never produces can never
  be looked up;
- each vector reduced to its first 32 principal components (numpy SVD of the
  L2-normalised vectors), L2-normalised again, float16; only the vectors some
  kept word points at.

``gwanmun.detect.person_model`` looks a morpheme up by surface, then by
normalised form, and gives the Japanese tagger the vectors of the morpheme, its
two neighbours on each side, the words that close the noun run it is in and the
mean around it; ``bench/train/train_persons.py`` measures what they are worth (see
docs/benchmarks.md). Needs the ``bench`` extra (spaCy, for the hash that keys
GiNZA's table); about 5 seconds.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import numpy.typing as npt
import srsly
from spacy.strings import hash_string

from gwanmun.detect.names import _sudachi

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "src" / "gwanmun" / "data" / "ja_word_vectors.npz"
WHEEL = "ja_ginza-5.3.0-py3-none-any.whl"
WHEEL_SHA256 = "ac6479a805c5c5c23c270554934c1c1f344039560ef3a7e4b15a4275bea3c685"
VOCAB = "ja_ginza/ja_ginza-5.3.0/vocab/"
WIDTH = 32


def fetch(into: Path) -> Path:
    pip = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:"]
    subprocess.run([*pip, "ja-ginza==5.3.0", "-d", str(into)], check=True)
    return into / WHEEL


def read_vocab(wheel: Path) -> tuple[list[str], list[int], npt.NDArray[np.float32]]:
    """(words, the row of each, the vector table) of the wheel's spaCy vocab."""
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    if digest != WHEEL_SHA256:
        sys.exit(f"{wheel}: SHA-256 {digest}, expected {WHEEL_SHA256}")
    with zipfile.ZipFile(wheel) as archive:
        strings = json.loads(archive.read(VOCAB + "strings.json"))
        key2row = srsly.msgpack_loads(archive.read(VOCAB + "key2row"))
        table = np.load(io.BytesIO(archive.read(VOCAB + "vectors")))
    words, rows = [], []
    for word in strings:
        row = key2row.get(hash_string(word))
        if row is not None:
            words.append(word)
            rows.append(int(row))
    return words, rows, table.astype(np.float32)


def one_morpheme(words: list[str]) -> list[bool]:
    """Whether sudachipy, as the tagger runs it, reads each word alone as one
    dictionary morpheme."""
    tokenizer, mode = _sudachi()
    keep = []
    for word in words:
        ms = tokenizer.tokenize(word, mode)
        keep.append(
            len(ms) == 1
            and not ms[0].is_oov()
            and word in (ms[0].surface(), ms[0].normalized_form())
        )
    return keep


def reduce(table: npt.NDArray[np.float32], width: int) -> npt.NDArray[np.float32]:
    """The first ``width`` principal components of the normalised vectors, normalised."""
    unit = table / (np.linalg.norm(table, axis=1, keepdims=True) + 1e-6)
    centred = unit - unit.mean(axis=0)
    _, _, components = np.linalg.svd(centred, full_matrices=False)
    out = centred @ components[:width].T
    reduced: npt.NDArray[np.float32] = out / (np.linalg.norm(out, axis=1, keepdims=True) + 1e-6)
    return reduced


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheel", type=Path, help=f"a downloaded {WHEEL}")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        wheel = args.wheel or fetch(Path(tmp))
        words, rows, table = read_vocab(wheel)
    print(f"{len(words)} words, {len(table)} vectors of width {table.shape[1]}")
    keep = one_morpheme(words)
    words = [w for w, k in zip(words, keep, strict=True) if k]
    rows = [r for r, k in zip(rows, keep, strict=True) if k]
    used = sorted(set(rows))
    compact = {row: i for i, row in enumerate(used)}
    if any("\x00" in w for w in words):
        raise SystemExit("a word contains NUL: the joined format would break")
    vectors = reduce(table, WIDTH)[used]
    np.savez_compressed(
        OUT,
        allow_pickle=False,
        words=np.frombuffer("\x00".join(words).encode("utf-8"), dtype=np.uint8),
        rows=np.array([compact[r] for r in rows], dtype=np.uint16),
        vectors=vectors.astype(np.float16),
    )
    print(
        f"wrote {OUT.relative_to(ROOT)}: {len(words)} words, {len(used)} vectors of width "
        f"{WIDTH}, {OUT.stat().st_size // 1024} KiB"
    )


if __name__ == "__main__":
    main()
