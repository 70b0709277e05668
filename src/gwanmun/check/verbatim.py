"""Verbatim-copy check: does an answer reproduce a protected corpus?

**Normalisation** (Korean/Japanese-aware, and cheap enough for a gigabyte):
every character goes through one table lookup — NFKC (full-width → ASCII,
compatibility forms), case folding — and only letters and digits are kept.
Whitespace, punctuation and line breaks therefore never hide a copy, and
Hangul, kana and kanji are compared character by character (no word
boundaries needed). A position map ties each kept character to its offset in
the original text.

**Index** (``CorpusIndex.build``): hashes of every ``K``-character window,
thinned by winnowing (the smallest hash of each ``W`` consecutive windows is
kept), so any shared run of ``K + W - 1`` normalised characters is
guaranteed a common fingerprint. Fingerprints are a sorted ``uint64`` array
with the position of each; the normalised corpus and the position maps stay
on disk and are memory-mapped.

**Lookup** (``VerbatimCheck.check``): every window of the answer is looked up
(vectorised binary search). Hits on one document are chained along their
diagonal, tolerating small shifts (insertions, deletions) and gaps (edited
characters); each chain is extended character by character. A chain covering
at least ``min_chars`` of the answer (original characters) is a ``VERBATIM``
finding with the document, its offsets, and the share of characters that
match.
"""

from __future__ import annotations

import json
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from gwanmun.errors import ConfigError, NotFound
from gwanmun.private import private_dir
from gwanmun.types import Finding

K = 12  # window length, normalised characters
W = 8  # winnowing window: shared runs of K + W - 1 = 19 characters always match
_BASE = np.uint64(0x100000001B3)
_VERSION = 1
_MAX_SHIFT = 6  # diagonal drift tolerated inside one chain (inserted/deleted chars)
_MAX_GAP = 24  # answer characters between two hits of one chain

U32 = npt.NDArray[np.uint32]
U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]

_tables_lock = threading.Lock()
_tables: tuple[U32, npt.NDArray[np.bool_]] | None = None


def _char_tables() -> tuple[U32, npt.NDArray[np.bool_]]:
    """Per code point: the folded character, and whether it is kept (letter or digit)."""
    global _tables
    with _tables_lock:
        if _tables is None:
            fold = np.arange(0x110000, dtype=np.uint32)
            keep = np.zeros(0x110000, dtype=np.bool_)
            for cp in range(0x110000):
                if 0xD800 <= cp <= 0xDFFF:
                    continue
                ch = chr(cp)
                folded = unicodedata.normalize("NFKC", ch).casefold()
                if len(folded) == 1:
                    fold[cp] = ord(folded)
                    keep[cp] = folded.isalnum()
                else:
                    keep[cp] = ch.isalnum()
            _tables = (fold, keep)
        return _tables


def normalise(text: str) -> tuple[U32, I64]:
    """(normalised code points, original offset of each)."""
    fold, keep = _char_tables()
    cps = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    cps = np.minimum(cps, 0x10FFFF)
    positions = np.flatnonzero(keep[cps])
    return fold[cps[positions]], positions.astype(np.int64)


def window_hashes(cps: U32) -> U64:
    """Polynomial hash of every K-character window (uint64 arithmetic, wrapping)."""
    n = len(cps) - K + 1
    if n <= 0:
        return np.zeros(0, dtype=np.uint64)
    values = cps.astype(np.uint64) + np.uint64(1)
    h = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(K):
            h = h * _BASE + values[j : j + n]
        # Final mix (splitmix64) so that similar windows spread over the hash space.
        h ^= h >> np.uint64(30)
        h *= np.uint64(0xBF58476D1CE4E5B9)
        h ^= h >> np.uint64(27)
        h *= np.uint64(0x94D049BB133111EB)
        h ^= h >> np.uint64(31)
    return h


def winnow(hashes: U64) -> I64:
    """Positions kept by winnowing: the minimum of every W consecutive hashes."""
    n = len(hashes)
    if n <= W:
        return np.array([int(np.argmin(hashes))] if n else [], dtype=np.int64)
    windows = np.lib.stride_tricks.sliding_window_view(hashes, W)
    # Rightmost minimum of each window.
    offsets = W - 1 - np.argmin(windows[:, ::-1], axis=1)
    picked = np.arange(len(windows)) + offsets
    return np.unique(picked).astype(np.int64)


@dataclass(frozen=True, slots=True)
class Document:
    doc_id: int
    path: str
    start: int  # first normalised character in the corpus
    length: int  # normalised characters


@dataclass(frozen=True, slots=True)
class Match:
    doc: Document
    answer_start: int  # original offsets into the checked text
    answer_end: int
    doc_start: int  # original offsets into the document's extracted text
    doc_end: int
    similarity: float  # share of the answer span's characters that match

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.doc.path,
            "answer_start": self.answer_start,
            "answer_end": self.answer_end,
            "source_start": self.doc_start,
            "source_end": self.doc_end,
            "similarity": round(self.similarity, 3),
        }


class CorpusIndex:
    """A built index in a directory: ``build`` writes it, ``open`` maps it."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        meta_path = directory / "meta.json"
        if not meta_path.exists():
            raise NotFound(f"no corpus index in {directory} (add one with `gwanmun corpus add`)")
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta.get("version") != _VERSION or meta.get("k") != K or meta.get("w") != W:
            raise ConfigError(f"{directory}: built by another version; rebuild it")
        self.name: str = meta["name"]
        self.documents = [
            Document(d["id"], d["path"], d["start"], d["length"])
            for d in map(json.loads, (directory / "docs.jsonl").read_text("utf-8").splitlines())
        ]
        self._starts = np.array([d.start for d in self.documents], dtype=np.int64)
        self.chars = int(meta["chars"])
        self.fp_hash: U64 = np.load(directory / "fp_hash.npy", mmap_mode="r")
        self.fp_pos: I64 = np.load(directory / "fp_pos.npy", mmap_mode="r")
        self.text: U32 = _mapped(directory / "norm.u32", self.chars)
        self.orig: U32 = _mapped(directory / "orig.u32", self.chars)

    @staticmethod
    def build(
        directory: Path,
        name: str,
        documents: Iterable[tuple[str, str]],
        *,
        progress: Any = None,
    ) -> CorpusIndex:
        """Add ``(path, text)`` pairs to the index in ``directory`` (created if missing).

        The normalised text and position maps are appended on disk; the
        fingerprints are merged and re-sorted; ``meta.json`` is written last,
        so an interrupted run leaves the previous index readable.
        """
        # The index holds the protected documents' text: private like the databases.
        private_dir(directory)
        docs: list[dict[str, Any]] = []
        hash_parts: list[U64] = []
        pos_parts: list[I64] = []
        total = 0
        if (directory / "meta.json").exists():
            old = CorpusIndex(directory)
            docs = [
                {"id": d.doc_id, "path": d.path, "start": d.start, "length": d.length}
                for d in old.documents
            ]
            hash_parts.append(np.array(old.fp_hash))
            pos_parts.append(np.array(old.fp_pos))
            total = old.chars
            del old
        with (
            open(directory / "norm.u32", "r+b" if total else "wb") as norm_out,
            open(directory / "orig.u32", "r+b" if total else "wb") as orig_out,
        ):
            # Past the recorded end: drops anything an interrupted run appended.
            norm_out.truncate(total * 4)
            orig_out.truncate(total * 4)
            norm_out.seek(total * 4)
            orig_out.seek(total * 4)
            for path, text in documents:
                cps, positions = normalise(text)
                if positions.size and int(positions[-1]) > 0xFFFFFFFF:
                    raise ConfigError(f"{path}: a document over 4 G characters is not supported")
                norm_out.write(cps.tobytes())
                orig_out.write(positions.astype(np.uint32).tobytes())
                hashes = window_hashes(cps)
                kept = winnow(hashes)
                hash_parts.append(hashes[kept])
                pos_parts.append(kept + total)
                docs.append({"id": len(docs), "path": path, "start": total, "length": len(cps)})
                total += len(cps)
                if progress is not None:
                    progress(len(docs), total)
        fp_hash = np.concatenate(hash_parts) if hash_parts else np.zeros(0, np.uint64)
        fp_pos = np.concatenate(pos_parts) if pos_parts else np.zeros(0, np.int64)
        order = np.argsort(fp_hash, kind="stable")
        np.save(directory / "fp_hash.tmp.npy", fp_hash[order])
        np.save(directory / "fp_pos.tmp.npy", fp_pos[order])
        del fp_hash, fp_pos, order, hash_parts, pos_parts
        (directory / "fp_hash.tmp.npy").replace(directory / "fp_hash.npy")
        (directory / "fp_pos.tmp.npy").replace(directory / "fp_pos.npy")
        with open(directory / "docs.jsonl", "w", encoding="utf-8") as out:
            for doc in docs:
                out.write(json.dumps(doc, ensure_ascii=False) + "\n")
        meta = {"version": _VERSION, "name": name, "k": K, "w": W, "docs": len(docs)}
        (directory / "meta.json").write_text(json.dumps({**meta, "chars": total}), "utf-8")
        return CorpusIndex(directory)

    def document_at(self, position: int) -> Document:
        return self.documents[int(np.searchsorted(self._starts, position, side="right")) - 1]

    def matches(self, text: str, *, min_chars: int) -> list[Match]:
        """Spans of ``text`` (at least ``min_chars`` original characters) copied from the corpus."""
        cps, positions = normalise(text)
        hashes = window_hashes(cps)
        if not len(hashes) or not len(self.fp_hash):
            return []
        left = np.searchsorted(self.fp_hash, hashes, side="left")
        right = np.searchsorted(self.fp_hash, hashes, side="right")
        found = np.flatnonzero(right > left)
        pairs: list[tuple[int, int]] = []
        for q in found.tolist():
            # Very common windows (boilerplate) are capped so one query stays cheap.
            for i in range(int(left[q]), min(int(right[q]), int(left[q]) + 32)):
                pairs.append((q, int(self.fp_pos[i])))
        return self._chains(text, cps, positions, pairs, min_chars)

    def _chains(
        self, text: str, cps: U32, positions: I64, pairs: list[tuple[int, int]], min_chars: int
    ) -> list[Match]:
        by_doc: dict[int, list[tuple[int, int]]] = {}
        for q, c in pairs:
            by_doc.setdefault(self.document_at(c).doc_id, []).append((q, c))
        results: list[Match] = []
        for doc_id, hits in by_doc.items():
            doc = self.documents[doc_id]
            hits.sort()
            chains: list[list[tuple[int, int]]] = []
            for q, c in hits:
                for chain in chains:
                    last_q, last_c = chain[-1]
                    if (
                        0 <= q - last_q <= _MAX_GAP
                        and abs((c - q) - (last_c - last_q)) <= _MAX_SHIFT
                    ):
                        chain.append((q, c))
                        break
                else:
                    chains.append([(q, c)])
            for chain in chains:
                match = self._extend(text, cps, positions, doc, chain, min_chars)
                if match is not None:
                    results.append(match)
        results.sort(key=lambda m: (m.answer_start, -m.answer_end))
        kept: list[Match] = []
        for match in results:
            if kept and match.answer_start < kept[-1].answer_end:
                if (
                    match.answer_end - match.answer_start
                    > kept[-1].answer_end - kept[-1].answer_start
                ):
                    kept[-1] = match
                continue
            kept.append(match)
        return kept

    def _extend(
        self,
        text: str,
        cps: U32,
        positions: I64,
        doc: Document,
        chain: list[tuple[int, int]],
        min_chars: int,
    ) -> Match | None:
        q0, c0 = chain[0]
        q1, c1 = chain[-1]
        q1, c1 = q1 + K, c1 + K
        doc_end = doc.start + doc.length
        # Extend both ends while characters agree.
        while q0 > 0 and c0 > doc.start and cps[q0 - 1] == self.text[c0 - 1]:
            q0, c0 = q0 - 1, c0 - 1
        while q1 < len(cps) and c1 < doc_end and cps[q1] == self.text[c1]:
            q1, c1 = q1 + 1, c1 + 1
        answer_start = int(positions[q0])
        answer_end = int(positions[q1 - 1]) + 1
        if answer_end - answer_start < min_chars:
            return None
        return Match(
            doc=doc,
            answer_start=answer_start,
            answer_end=answer_end,
            doc_start=int(self.orig[c0]),
            doc_end=int(self.orig[c1 - 1]) + 1,
            similarity=_similarity(cps[q0:q1], self.text[c0:c1]),
        )


def _mapped(path: Path, length: int) -> U32:
    if length == 0:
        return np.zeros(0, dtype=np.uint32)
    return np.memmap(path, dtype=np.uint32, mode="r", shape=(length,))


def _similarity(a: U32, b: U32) -> float:
    """Share of characters in common order (difflib ratio on short spans)."""
    import difflib

    if not len(a) or not len(b):
        return 0.0
    return difflib.SequenceMatcher(None, a.tolist(), b.tolist(), autojunk=False).ratio()


class VerbatimCheck:
    """``TextCheck`` over one or more corpus indexes."""

    name = "verbatim"

    def __init__(self, indexes: list[CorpusIndex], *, min_chars: int = 50) -> None:
        self.indexes = indexes
        self.min_chars = min_chars

    def check(self, text: str) -> list[Finding]:
        findings: list[Finding] = []
        for index in self.indexes:
            for match in index.matches(text, min_chars=self.min_chars):
                findings.append(
                    Finding(
                        "VERBATIM",
                        match.answer_start,
                        match.answer_end,
                        min(1.0, match.similarity),
                        f"verbatim:{index.name}:{match.doc.path}",
                    )
                )
        return findings
