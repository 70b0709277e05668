"""Template bundles institutions exchange: JSON signed with the institution's Ed25519 key.

A bundle carries the templates, the exporting institution, the time and the
public key that signs it. Import accepts a bundle only if

1. the signature over everything but the signature verifies (any edit of a
   template, the institution or the key breaks it), and
2. the key is trusted here: this gateway's own key, or a public key an
   administrator put in ``data_dir/trusted_keys/*.pem`` (a bundle re-signed by
   someone else with their own key is refused, naming the key id).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from pydantic import ValidationError

from gwanmun.errors import InvalidRequest
from gwanmun.prompts.store import Template, TemplateIn, WorkspaceStore
from gwanmun.provenance import key_id, load_public_key, public_pem

FORMAT = "gwanmun-templates"


def _canonical(value: dict[str, Any]) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def export_bundle(
    templates: list[Template], key: Ed25519PrivateKey, institution: str
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "format": FORMAT,
        "version": 1,
        "institution": institution,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "public_key": public_pem(key),
        "key_id": key_id(key.public_key()),
        "templates": [t.data.model_dump(mode="json") for t in templates],
    }
    signature = key.sign(_canonical(body))
    return {**body, "signature": base64.b64encode(signature).decode("ascii")}


def trusted_keys(own: Ed25519PublicKey, directory: Path) -> dict[str, Ed25519PublicKey]:
    keys = {key_id(own): own}
    for path in sorted(directory.glob("*.pem")) if directory.exists() else []:
        public = load_public_key(path.read_bytes())
        keys[key_id(public)] = public
    return keys


def verify_bundle(bundle: Any, trusted: dict[str, Ed25519PublicKey]) -> list[TemplateIn]:
    """The bundle's templates if it is intact and signed by a trusted key; else a clear error."""
    if not isinstance(bundle, dict) or bundle.get("format") != FORMAT:
        raise InvalidRequest("not a Gwanmun template bundle (format gwanmun-templates)")
    body = {k: v for k, v in bundle.items() if k != "signature"}
    try:
        embedded = load_public_key(str(bundle.get("public_key", "")).encode())
        signature = base64.b64decode(str(bundle.get("signature", "")), validate=True)
        embedded.verify(signature, _canonical(body))
    except (InvalidSignature, ValueError, InvalidRequest):
        raise InvalidRequest(
            "the bundle's signature does not verify: it was changed after it was signed "
            "(or damaged). Ask the sending institution for a fresh export."
        ) from None
    kid = key_id(embedded)
    if kid not in trusted:
        raise InvalidRequest(
            f"the bundle is signed by key {kid} ({bundle.get('institution')!r}), which this "
            "gateway does not trust. An administrator adds the institution's public key to "
            "data_dir/trusted_keys/ after checking its key id with them."
        )
    try:
        templates = [TemplateIn.model_validate(t) for t in bundle.get("templates", [])]
    except ValidationError as exc:
        first = exc.errors()[0]
        raise InvalidRequest(f"a template in the bundle is not valid: {first['msg']}") from None
    for template in templates:
        template.check_variables()
    return templates


def import_bundle(
    store: WorkspaceStore,
    bundle: Any,
    trusted: dict[str, Ed25519PublicKey],
    *,
    importer: str,
    check: Callable[[TemplateIn, str], None] | None = None,
) -> list[Template]:
    """Verify and import; ``check(template, what)`` may refuse a new template
    (the whole import then stops before anything is stored)."""
    templates = verify_bundle(bundle, trusted)
    origin = str(bundle.get("institution"))
    # An administrator imports for the whole institution; a template already here
    # (same title and text) is not added twice.
    have = {(t.data.title, t.data.body) for t in store.top(limit=100_000)}
    shared = [
        t.model_copy(update={"visibility": "institution"})
        for t in templates
        if (t.title, t.body) not in have
    ]
    if check is not None:  # only what would be stored: templates already here were checked
        for n, template in enumerate(shared, start=1):
            check(template, f"New template {n} of {len(shared)} in the bundle")
    return [store.add(t, author=importer, group=None, origin=origin) for t in shared]
