"""AI-generated labels and signed provenance records (AI Basic Act art. 31).

Every answer carries a provenance record: the SHA-256 of the text as the user
received it, a short hash of each sentence, the model, the time and the
institution, signed with the institution's Ed25519 key. ``export`` writes an
answer with a visible AI-generated mark and the record; ``verify`` says
whether a text came from this gateway unchanged and, if not, which sentences
changed, were added or removed — without the gateway keeping the text.
"""

from __future__ import annotations

import base64
import difflib
import hashlib
import json
import os
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from gwanmun.errors import ConfigError, InvalidRequest
from gwanmun.private import private_dir, tighten_if_exists

VERSION = 1
_SENTENCE = re.compile(r"[^.!?。！？\n]*(?:[.!?。！？]+|\n|$)")
_BLOCK = re.compile(r"<!-- gwanmun-provenance: (?P<b64>[A-Za-z0-9+/=]+) -->\s*\Z")
MARK_PREFIX = "> AI 생성 · AI生成 · AI-generated"


def _norm(text: str) -> str:
    """What is hashed: NFC, Unix newlines, no trailing spaces on lines, stripped."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n")
    return "\n".join(line.rstrip() for line in text.split("\n")).strip()


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.findall(_norm(text)) if s.strip()]


def _short(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _canonical(record: dict[str, Any]) -> bytes:
    return json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def key_id(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def load_or_create_signing_key(path: Path) -> Ed25519PrivateKey:
    """The institution's Ed25519 key in ``path`` (PEM), created with mode 0600 if missing."""
    try:
        data = path.read_bytes()
        tighten_if_exists(path)  # a key an older version left readable by others
    except FileNotFoundError:
        private_dir(path.parent, tighten_existing=False)
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(pem)
        return key
    except OSError as exc:
        raise ConfigError(f"cannot read the provenance key {path}: {exc.strerror}") from None
    try:
        loaded = serialization.load_pem_private_key(data, password=None)
    except ValueError:
        raise ConfigError(f"the provenance key {path} is not a PEM private key") from None
    if not isinstance(loaded, Ed25519PrivateKey):
        raise ConfigError(f"the provenance key {path} is not an Ed25519 key")
    return loaded


def load_public_key(pem: bytes) -> Ed25519PublicKey:
    try:
        key = serialization.load_pem_public_key(pem)
    except ValueError:
        raise InvalidRequest("the public key is not a PEM public key") from None
    if not isinstance(key, Ed25519PublicKey):
        raise InvalidRequest("the public key is not an Ed25519 key")
    return key


def public_pem(key: Ed25519PrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode("ascii")
    )


class ProvenanceSigner:
    def __init__(self, key: Ed25519PrivateKey, institution: str) -> None:
        self.key = key
        self.institution = institution
        self.key_id = key_id(key.public_key())

    def sign(self, text: str, *, model: str, request_id: str, when: float) -> dict[str, Any]:
        record: dict[str, Any] = {
            "v": VERSION,
            "ai_generated": True,
            "institution": self.institution,
            "model": model,
            "request_id": request_id,
            "time": datetime.fromtimestamp(when, UTC).isoformat(timespec="seconds"),
            "sha256": hashlib.sha256(_norm(text).encode("utf-8")).hexdigest(),
            "sentences": [_short(s) for s in sentences(text)],
            "key_id": self.key_id,
        }
        signature = self.key.sign(_canonical(record))
        return {**record, "signature": base64.b64encode(signature).decode("ascii")}


@dataclass(frozen=True, slots=True)
class Verdict:
    signature_ok: bool
    unchanged: bool
    record: dict[str, Any]
    changes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.signature_ok and self.unchanged

    def describe(self) -> str:
        who = (
            f"{self.record.get('institution')} (key {self.record.get('key_id')}), model "
            f"{self.record.get('model')}, {self.record.get('time')}"
        )
        if not self.signature_ok:
            return (
                "NOT VERIFIED: the signature does not match — the provenance record was "
                "altered, or it was signed with another key."
            )
        if self.unchanged:
            return f"verified: AI-generated text from {who}, unchanged."
        return f"CHANGED since it was generated by {who}:\n  " + "\n  ".join(self.changes)


def verify_text(text: str, record: dict[str, Any], public: Ed25519PublicKey) -> Verdict:
    signed = {k: v for k, v in record.items() if k != "signature"}
    try:
        public.verify(base64.b64decode(str(record.get("signature", ""))), _canonical(signed))
        signature_ok = True
    except (InvalidSignature, ValueError):
        signature_ok = False
    digest = hashlib.sha256(_norm(text).encode("utf-8")).hexdigest()
    unchanged = digest == record.get("sha256")
    changes: list[str] = []
    if not unchanged:
        before = [str(h) for h in record.get("sentences", [])]
        after = [_short(s) for s in sentences(text)]
        ops = difflib.SequenceMatcher(a=before, b=after, autojunk=False).get_opcodes()
        for tag, a0, a1, b0, b1 in ops:
            if tag == "replace":
                changes.append(f"sentence {_range(a0, a1)} changed (now {_range(b0, b1)})")
            elif tag == "delete":
                changes.append(f"sentence {_range(a0, a1)} removed")
            elif tag == "insert":
                changes.append(f"sentence {_range(b0, b1)} added")
        if not changes:
            changes.append("whitespace or punctuation between sentences changed")
    return Verdict(signature_ok, unchanged, record, changes)


def _range(start: int, end: int) -> str:
    return str(start + 1) if end - start == 1 else f"{start + 1}-{end}"


def mark_line(record: dict[str, Any]) -> str:
    return (
        f"{MARK_PREFIX} — {record.get('institution')}, {record.get('model')}, "
        f"{record.get('time')}. 사용 전 사실관계를 확인하세요 · 利用前に内容を確認してください · "
        "Verify before use."
    )


def export_text(text: str, record: dict[str, Any]) -> str:
    """The answer with a visible AI mark above it and the signed record below it."""
    blob = base64.b64encode(_canonical(record)).decode("ascii")
    return f"{mark_line(record)}\n\n{_norm(text)}\n\n<!-- gwanmun-provenance: {blob} -->\n"


def verify_export(document: str, public: Ed25519PublicKey) -> Verdict:
    """``verify_text`` over an exported document, and its visible AI-generated
    mark too: a mark edited or deleted is a change, like an edited sentence."""
    text, record = parse_export(document)
    verdict = verify_text(text, record, public)
    first = document.lstrip("\ufeff").split("\n", 1)[0].rstrip("\r ")
    if first == mark_line(record):
        return verdict
    problem = (
        "the visible AI-generated mark (first line) was edited"
        if first.startswith(MARK_PREFIX[:6])
        else "the visible AI-generated mark (first line) was removed"
    )
    return Verdict(verdict.signature_ok, False, record, [problem, *verdict.changes])


def parse_export(document: str) -> tuple[str, dict[str, Any]]:
    """Split an exported document into (answer text, provenance record)."""
    match = _BLOCK.search(document)
    if match is None:
        raise InvalidRequest(
            "no provenance record found: the file has no '<!-- gwanmun-provenance: … -->' "
            "line at its end (was it exported with `gwanmun export`?)"
        )
    try:
        record = json.loads(base64.b64decode(match.group("b64")))
    except ValueError:
        raise InvalidRequest("the provenance record is damaged (not base64 JSON)") from None
    if not isinstance(record, dict):
        raise InvalidRequest("the provenance record is damaged (not a JSON object)")
    body = document[: match.start()]
    lines = body.split("\n")
    if lines and lines[0].startswith(MARK_PREFIX):
        lines = lines[1:]
    return "\n".join(lines), record
