"""Knowledge bases as the rest of Gwanmun uses them: create, add, remove, search.

Ingest: a document's text comes out of ``documents.py`` under the same caps
as a chat attachment, is cut into passages (``passages.py``), and every
passage is graded by the input guard (``scan``: markings, identifiers,
personal data). A classification marking anywhere in a document applies to all
its passages; the document's grade is the highest of its passages. A passage
in which the policy blocks something (a My Number, a secret) is stored but
never retrieved, since sending it would only get the request blocked.

Search: the index covers the requested knowledge bases; who may read what and
the grade a backend may receive are a mask applied *inside* the ranking
(``index.rank``), never a filter on a top-k. A passage counts at the grade it
has once the policy's own masks are applied (``sent_grade``): one that is S
only for a phone number goes to an O backend with the number masked by the
input guard, exactly as if the user had typed it ("masked down"); a marking
is never masked away, so a 대외비 passage stays C. A knowledge base the caller may
not read is reported as not found, exactly like one that does not exist.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from gwanmun.documents import extract_upload
from gwanmun.errors import GwanmunError, InvalidRequest, NotFound, PermissionDenied
from gwanmun.guard.input import DetectorInputGuard
from gwanmun.kb.analysis import terms
from gwanmun.kb.embedders import Embedder
from gwanmun.kb.index import LexicalIndex, Nearest, rank
from gwanmun.kb.passages import Piece, split
from gwanmun.kb.store import Document, KnowledgeBase, KnowledgeStore, Passage
from gwanmun.settings import DocumentsConfig, LimitsConfig
from gwanmun.types import Action, ChatRequest, Grade, Principal, Role

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_MARKINGS = "markings"  # the detector whose findings grade a whole document
_EMBED_BATCH = 32
# Indexes kept in memory, by knowledge-base set and generation.
_CACHED_INDEXES = 8


@dataclass(frozen=True, slots=True)
class Hit:
    """A passage returned for a question, with its fused score."""

    passage: Passage
    score: float

    def as_dict(self, *, text: bool = True) -> dict[str, object]:
        p = self.passage
        out: dict[str, object] = {
            "id": p.id,
            "kb_id": p.kb_id,
            "document_id": p.document_id,
            "document": p.document,
            "section": p.section,
            "page": p.page,
            "page_end": p.page_end,
            "grade": p.grade.value,
            "sent_grade": p.send_grade.value,
            "sha256": p.sha256,
            "score": round(self.score, 5),
        }
        if text:
            out["text"] = p.text
        return out


@dataclass(frozen=True, slots=True)
class Added:
    document: Document
    changed: bool  # False: the same text was already indexed, nothing was done


@dataclass(frozen=True, slots=True)
class Upload:
    """One document to index: its file name, bytes, and optionally the id to give it."""

    name: str
    data: bytes
    document_id: str | None = None


@dataclass
class _Pending:
    """A document extracted, split and graded, waiting for its vectors."""

    document: Document
    pieces: list[Piece]
    shas: list[str]
    grades: list[Grade]
    sent: list[Grade]
    blocked: list[bool]
    # sha256 of a passage's text → its morphemes and vector (``_embed`` fills it)
    known: dict[str, tuple[tuple[str, ...], np.ndarray]] | None = None

    @property
    def texts(self) -> list[str]:
        return [p.text for p in self.pieces]

    def passages(self) -> list[Passage]:
        assert self.known is not None, "embed before writing"
        d = self.document
        return [
            Passage(
                id=f"{d.id}-{p.seq}",
                kb_id=d.kb_id,
                document_id=d.id,
                document=d.name,
                seq=p.seq,
                section=p.section,
                text=p.text,
                sha256=sha,
                grade=grade,
                blocked=blocked,
                terms=self.known[sha][0],
                vector=self.known[sha][1],
                page=p.page,
                page_end=p.page_end,
                sent_grade=sent,
            )
            for p, sha, grade, sent, blocked in zip(
                self.pieces, self.shas, self.grades, self.sent, self.blocked, strict=True
            )
        ]


@dataclass
class _Loaded:
    passages: list[Passage]
    lexical: LexicalIndex
    vectors: np.ndarray
    grades: np.ndarray  # per passage, the rank of the grade it is sent at (masks applied)
    kbs: np.ndarray  # index into the key's kb ids, per passage
    blocked: np.ndarray
    rows: dict[str, int]  # passage id → its row


class KnowledgeBases:
    """The knowledge-base service: one per process, shared by web and CLI."""

    def __init__(
        self,
        store: KnowledgeStore,
        scanner: DetectorInputGuard,
        embedder: Embedder,
        limits: DocumentsConfig | None = None,
        chat_limits: LimitsConfig | None = None,
    ) -> None:
        self.store = store
        self.chat_limits = chat_limits or LimitsConfig()
        self.scanner = scanner
        self.embedder = embedder
        self.limits = limits or DocumentsConfig()
        self._cache: OrderedDict[tuple[tuple[str, int], ...], _Loaded] = OrderedDict()
        self._lock = threading.Lock()

    # --- knowledge bases ------------------------------------------------------

    def create(
        self,
        kb_id: str,
        principal: Principal,
        *,
        name: str | None = None,
        owner: str | None = None,
        readers: Sequence[str] = (),
        institution: bool = False,
    ) -> KnowledgeBase:
        """A new knowledge base owned by the caller's group (or, for an admin with
        ``institution``, by the institution)."""
        if not _ID.match(kb_id):
            raise InvalidRequest(
                f"knowledge base id {kb_id!r}: letters, digits, '.', '_' or '-', at most 64",
                param="id",
            )
        if institution:
            if principal.role is not Role.ADMIN:
                raise PermissionDenied("Only an administrator creates institution-wide bases.")
            owner = None
        else:
            owner = owner or principal.group
            if owner is None:
                raise InvalidRequest("A knowledge base needs an owner group; you have none.")
            if owner != principal.group and principal.role is not Role.ADMIN:
                raise PermissionDenied("You can create knowledge bases for your own group only.")
        if self.store.get(kb_id) is not None:
            raise InvalidRequest(f"knowledge base {kb_id!r} exists already", param="id")
        kb = KnowledgeBase(
            kb_id, name or kb_id, owner, tuple(dict.fromkeys(readers)), created=time.time()
        )
        self.store.create(kb)
        return kb

    def readable(self, principal: Principal) -> list[KnowledgeBase]:
        return [kb for kb in self.store.bases() if self._may_read(principal, kb)]

    def get(self, kb_id: str, principal: Principal) -> KnowledgeBase:
        """The knowledge base if the caller may read it; not found otherwise (whether
        it exists is not told to someone who may not read it)."""
        kb = self.store.get(kb_id)
        if kb is None or not self._may_read(principal, kb):
            raise NotFound(
                f"No knowledge base {kb_id!r} that you may read; `gwanmun kb list` shows yours.",
                param="knowledge_bases",
            )
        return kb

    def drop(self, kb_id: str, principal: Principal) -> None:
        self._writable(kb_id, principal)
        self.store.drop(kb_id)
        self._forget(kb_id)

    # --- documents --------------------------------------------------------------

    def add(
        self,
        kb_id: str,
        name: str,
        data: bytes,
        principal: Principal,
        *,
        progress: Callable[[int, int], None] | None = None,
        document_id: str | None = None,
    ) -> Added:
        """Index one document (txt, md, pdf, docx, hwpx, hwp). Re-adding a name replaces
        that document only, and only if its text changed. A PDF's passages know
        their pages. ``document_id``: the id to give it (a ``/v1/files`` id),
        instead of a new one."""
        (outcome,) = self.add_many(
            kb_id, [Upload(name, data, document_id)], principal, progress=progress
        )
        if isinstance(outcome, GwanmunError):
            raise outcome
        return outcome

    def add_many(
        self,
        kb_id: str,
        uploads: Sequence[Upload],
        principal: Principal,
        *,
        progress: Callable[[int, int], None] | None = None,
    ) -> list[Added | GwanmunError]:
        """Index several documents as ``add`` does, faster: their passages are
        embedded in shared batches, a passage whose text the base already holds
        (an unchanged part of an edited document, a repeated boilerplate) reuses
        its vector and morphemes, and every document is written in one
        transaction. One outcome per upload, in order: what was added, or the
        error that upload alone got (its text could not be extracted, or it has
        none); the others are still indexed."""
        self._writable(kb_id, principal)
        outcomes: list[Added | GwanmunError] = []
        pending: list[_Pending] = []
        for upload in uploads:
            try:
                prepared = self._prepare(kb_id, upload)
            except GwanmunError as exc:
                outcomes.append(exc)
                continue
            if isinstance(prepared, Added):
                outcomes.append(prepared)
            else:
                pending.append(prepared)
                outcomes.append(Added(prepared.document, changed=True))
        if not pending:
            return outcomes
        self._embed(kb_id, pending, progress)
        self.store.put_documents([(p.document, p.passages()) for p in pending])
        self._forget(kb_id)
        return outcomes

    def _prepare(self, kb_id: str, upload: Upload) -> Added | _Pending:
        """Extract, split and grade one upload (no embedding yet); ``Added`` with
        ``changed=False`` when the same text is indexed already."""
        name, document_id = upload.name, upload.document_id
        text = extract_upload(name, upload.data, self.limits, pages=True)
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        old = self.store.document(kb_id, name)
        if old is not None and old.sha256 == digest and document_id in (None, old.id):
            return Added(old, changed=False)
        pieces = split(text)
        if not pieces:
            raise InvalidRequest(f"{name}: no text to index")
        scans = [self.scanner.scan(p.text) for p in pieces]
        marking = max(
            (d.grade for s in scans for d in s.decided if d.finding.detector == _MARKINGS),
            default=Grade.O,
        )
        grades = [max(s.grade, marking) for s in scans]
        # A marking is never masked away; personal data is, at question time.
        sent = [max(s.sent_grade, marking) for s in scans]
        document_id = document_id or f"doc-{uuid.uuid4().hex[:16]}"
        document = Document(
            id=document_id,
            kb_id=kb_id,
            name=name,
            sha256=digest,
            grade=max(grades),
            passages=len(pieces),
            added=time.time(),
        )
        return _Pending(
            document,
            pieces,
            [hashlib.sha256(p.text.encode("utf-8")).hexdigest() for p in pieces],
            grades,
            sent,
            [scan.action is Action.BLOCK for scan in scans],
        )

    def _embed(
        self,
        kb_id: str,
        pending: Sequence[_Pending],
        progress: Callable[[int, int], None] | None,
    ) -> None:
        """Fill in every pending passage's morphemes and vector: reused from a
        passage of the same text already in the base or earlier in this batch,
        else analysed and embedded, in batches across documents."""
        shas = list(dict.fromkeys(sha for p in pending for sha in p.shas))
        known = self.store.known_passages(kb_id, shas)
        texts = {sha: text for p in pending for sha, text in zip(p.shas, p.texts, strict=True)}
        todo = [sha for sha in shas if sha not in known]
        total = len(todo)
        if progress is not None:
            progress(0, total)
        for start in range(0, total, _EMBED_BATCH):
            batch = todo[start : start + _EMBED_BATCH]
            vectors = self.embedder.passages([texts[sha] for sha in batch])
            for sha, vector in zip(batch, vectors, strict=True):
                known[sha] = (tuple(terms(texts[sha])), vector)
            if progress is not None:
                progress(min(start + _EMBED_BATCH, total), total)
        for p in pending:
            p.known = known

    def documents(self, kb_id: str, principal: Principal) -> list[Document]:
        self.get(kb_id, principal)
        return self.store.documents(kb_id)

    def remove(self, kb_id: str, name_or_id: str, principal: Principal) -> bool:
        """Delete a document: its passages, vectors and any cached index go with it."""
        self._writable(kb_id, principal)
        target = next(
            (d for d in self.store.documents(kb_id) if name_or_id in (d.id, d.name)), None
        )
        if target is None:
            return False
        removed = self.store.remove_document(kb_id, target.id)
        self._forget(kb_id)
        return removed

    def passage(self, kb_id: str, passage_id: str, principal: Principal) -> Passage:
        """One passage of a base the caller may read (a citation, opened)."""
        self.get(kb_id, principal)
        found = self.store.passage(kb_id, passage_id)
        if found is None:
            raise NotFound(f"No passage {passage_id!r} in {kb_id!r}.", param="passage")
        return found

    # --- search -------------------------------------------------------------------

    def search(
        self,
        kb_ids: Sequence[str],
        question: str,
        principal: Principal,
        *,
        max_grade: Grade = Grade.C,
        k: int = 5,
        mode: str = "fused",
    ) -> list[Hit]:
        """The ``k`` best passages for ``question`` among those the caller may read,
        at or below ``max_grade`` (filters inside the ranking)."""
        kbs = [self.get(kb_id, principal) for kb_id in dict.fromkeys(kb_ids)]
        if not kbs or not question.strip():
            return []
        loaded = self._load(kbs)
        if not loaded.passages:
            return []
        readable = np.array([self._may_read(principal, kb) for kb in kbs], dtype=bool)
        allowed = readable[loaded.kbs] & (loaded.grades <= max_grade.rank) & ~loaded.blocked
        vector = self.embedder.queries([question])[0]
        nearest = None
        if self.store.ranks_vectors:
            readers = [kb.id for kb, ok in zip(kbs, readable, strict=True) if ok]
            grades = [g for g in Grade if g.rank <= max_grade.rank]
            nearest = self._in_store(loaded, allowed, readers, grades, vector)
        ranked = rank(
            loaded.lexical,
            loaded.vectors,
            terms(question),
            vector,
            allowed=allowed,
            k=k,
            mode=mode,
            nearest=nearest,
        )
        return [Hit(loaded.passages[r.row], r.score) for r in ranked]

    def _in_store(
        self,
        loaded: _Loaded,
        allowed: np.ndarray,
        kb_ids: Sequence[str],
        grades: Sequence[Grade],
        vector: np.ndarray,
    ) -> Nearest:
        """Dense ranking by the store (pgvector), its filters the same as ``allowed``."""

        def nearest(depth: int, also: Sequence[int]) -> tuple[list[int], np.ndarray]:
            found, extra = self.store.nearest(
                kb_ids, grades, vector, depth, [loaded.passages[r].id for r in also]
            )
            scores = np.zeros(len(loaded.passages), dtype=np.float32)
            rows: list[int] = []
            for passage_id, similarity in found:
                row = loaded.rows.get(passage_id)
                # Not in this index (added since it was loaded), or not allowed here:
                # the store's filters and the mask agree, so the second never happens.
                if row is None or not allowed[row]:
                    continue
                rows.append(row)
                scores[row] = similarity
            for passage_id, similarity in extra.items():
                row = loaded.rows.get(passage_id)
                if row is not None:
                    scores[row] = similarity
            return rows, scores

        return nearest

    def for_chat(
        self,
        request: ChatRequest,
        kb_ids: Sequence[str],
        principal: Principal,
        max_grade: Grade,
        *,
        k: int = 5,
    ) -> ChatRequest:
        """``request`` with the passages for its last user message as a source
        message (``cite.with_passages``); unchanged if nothing is found."""
        from gwanmun.kb.cite import question, with_passages

        hits = self.search(kb_ids, question(request), principal, max_grade=max_grade, k=k)
        return with_passages(request, hits, self.chat_limits)

    # --- internals ------------------------------------------------------------------

    @staticmethod
    def _may_read(principal: Principal, kb: KnowledgeBase) -> bool:
        return kb.readable_by(principal.group)

    def _writable(self, kb_id: str, principal: Principal) -> KnowledgeBase:
        # Administrators manage every base (they need not be able to read it).
        admin = self.store.get(kb_id) if principal.role is Role.ADMIN else None
        if admin is not None:
            return admin
        kb = self.get(kb_id, principal)
        if kb.owner is None or kb.owner != principal.group:
            raise PermissionDenied(
                f"Only the owner group of {kb_id!r} ({kb.owner or 'the institution'}) "
                "or an administrator may change it."
            )
        return kb

    def _load(self, kbs: Sequence[KnowledgeBase]) -> _Loaded:
        key = tuple(sorted((kb.id, kb.generation) for kb in kbs))
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                return hit
        ids = [kb.id for kb in kbs]
        position = {kb_id: i for i, kb_id in enumerate(ids)}
        passages = self.store.passages(ids)
        dim = self.embedder.dim
        loaded = _Loaded(
            passages=passages,
            lexical=LexicalIndex([p.terms for p in passages]),
            vectors=(
                np.stack([p.vector for p in passages]).astype(np.float32)
                if passages
                else np.zeros((0, dim), dtype=np.float32)
            ),
            grades=np.array([p.send_grade.rank for p in passages], dtype=np.int8),
            kbs=np.array([position[p.kb_id] for p in passages], dtype=np.int32),
            blocked=np.array([p.blocked for p in passages], dtype=bool),
            rows={p.id: row for row, p in enumerate(passages)},
        )
        with self._lock:
            self._cache[key] = loaded
            while len(self._cache) > _CACHED_INDEXES:
                self._cache.popitem(last=False)
        return loaded

    def _forget(self, kb_id: str) -> None:
        """Drop every cached index that includes ``kb_id`` (the generation changed
        too, so none would be used again; this frees the copies now)."""
        with self._lock:
            for key in [k for k in self._cache if any(i == kb_id for i, _ in k)]:
                del self._cache[key]
