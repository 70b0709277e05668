"""``gwanmun kb``: knowledge bases on this machine (the files in ``data_dir``).

Whoever runs the CLI can read the data directory anyway, so commands act as an
administrator; ``--group`` says which group a base belongs to, or whom to
search as (what that group would be given).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from gwanmun.cli.common import fail, out, settings_or_exit
from gwanmun.errors import GwanmunError
from gwanmun.kb.cite import where
from gwanmun.kb.service import KnowledgeBases, Upload
from gwanmun.types import Grade, Principal, Role

kb_app = typer.Typer(
    help="Knowledge bases: documents a group owns, searched and cited in answers.",
    no_args_is_help=True,
)


# Files indexed together by ``kb add`` (bounded: their texts are held at once).
_FILES_PER_BATCH = 16


def _open(*, indexing: bool = False) -> KnowledgeBases:
    """The knowledge bases; ``indexing``: with an encoder on every core, not all but
    one — no gateway serves from this process, so no event loop needs a core."""
    from gwanmun.backends.embedded import available_cores
    from gwanmun.kb.embedders import DEFAULT, embedder
    from gwanmun.services import default_input_guard, open_knowledge

    settings = settings_or_exit()
    encoder = embedder(DEFAULT, threads=available_cores()) if indexing else None
    return open_knowledge(settings, default_input_guard(settings), encoder)


def _operator(group: str | None = None) -> Principal:
    return Principal("cli", group=group, role=Role.ADMIN)


@kb_app.command("create")
def kb_create(
    kb_id: Annotated[str, typer.Argument(help="Id: letters, digits, '.', '_' or '-'.")],
    group: Annotated[str | None, typer.Option(help="Owner group (department).")] = None,
    institution: Annotated[
        bool, typer.Option("--institution", help="Owned by the institution.")
    ] = False,
    reader: Annotated[
        list[str] | None, typer.Option(help="A group that may read it ('*': everyone).")
    ] = None,
    name: Annotated[str | None, typer.Option(help="Display name.")] = None,
) -> None:
    """Create a knowledge base.

    Example:

        gwanmun kb create minwon-rules --group 민원과 --reader 기획과
    """
    if not institution and not group:
        raise fail("say who owns it: --group NAME or --institution")
    service = _open()
    try:
        kb = service.create(
            kb_id,
            _operator(group),
            name=name,
            owner=group,
            readers=reader or (),
            institution=institution,
        )
    except GwanmunError as exc:
        raise fail(exc.message) from None
    finally:
        service.store.close()
    out.print(f"created {kb.id} (owner {kb.owner or 'the institution'})", highlight=False)


@kb_app.command("add")
def kb_add(
    kb_id: Annotated[str, typer.Argument(help="The knowledge base.")],
    path: Annotated[Path, typer.Argument(help="A file, or a directory searched recursively.")],
) -> None:
    """Add documents (txt, md, pdf, docx, hwpx, hwp); a changed file replaces its old version.

    Example:

        gwanmun kb add minwon-rules ./규정집
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from gwanmun.documents import iter_documents

    if not path.exists():
        raise fail(f"{path} does not exist")
    files = list(iter_documents(path))
    if not files:
        raise fail(f"no .txt, .md, .pdf, .docx, .hwpx or .hwp files under {path}")
    service = _open(indexing=True)
    skipped: list[str] = []
    try:
        kb = service.store.get(kb_id)
        if kb is None:
            raise fail(f"no knowledge base {kb_id!r}; create it with `gwanmun kb create`")
        operator = _operator(kb.owner)
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            console=out,
            transient=True,
        ) as progress:
            task = progress.add_task("indexing", total=len(files))
            # A few files at a time: their passages are embedded in shared batches
            # and written in one transaction (``KnowledgeBases.add_many``).
            for start in range(0, len(files), _FILES_PER_BATCH):
                batch = files[start : start + _FILES_PER_BATCH]
                progress.update(task, description=batch[0].name[:40])
                uploads = [Upload(file.name, file.read_bytes()) for file in batch]
                outcomes = service.add_many(kb_id, uploads, operator)
                for file, added in zip(batch, outcomes, strict=True):
                    if isinstance(added, GwanmunError):
                        skipped.append(f"{file}: {added.message}")
                        continue
                    state = "indexed" if added.changed else "unchanged"
                    progress.console.print(
                        f"{state} {file.name}: {added.document.passages} passages, "
                        f"grade {added.document.grade.value}",
                        highlight=False,
                    )
                progress.advance(task, len(batch))
    finally:
        service.store.close()
    for line in skipped:
        out.print(f"skipped {line}", highlight=False)


@kb_app.command("list")
def kb_list(
    kb_id: Annotated[str | None, typer.Argument(help="List this base's documents.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON output.")] = False,
) -> None:
    """List knowledge bases, or the documents of one (with grade and passages).

    Example:

        gwanmun kb list minwon-rules
    """
    service = _open()
    try:
        if kb_id is None:
            rows = [kb.as_dict() for kb in service.store.bases()]
        else:
            if service.store.get(kb_id) is None:
                raise fail(f"no knowledge base {kb_id!r}")
            rows = [d.as_dict() for d in service.store.documents(kb_id)]
    finally:
        service.store.close()
    if as_json:
        out.print_json(json.dumps(rows, ensure_ascii=False))
        return
    for row in rows:
        if kb_id is None:
            readers = ", ".join(row["readers"]) or "-"  # type: ignore[arg-type]
            out.print(
                f"{row['id']}\towner {row['owner'] or 'institution'}\treaders {readers}",
                highlight=False,
            )
        else:
            out.print(
                f"{row['name']}\tgrade {row['grade']}\t{row['passages']} passages\t{row['id']}",
                highlight=False,
            )


@kb_app.command("remove")
def kb_remove(
    kb_id: Annotated[str, typer.Argument(help="The knowledge base.")],
    document: Annotated[
        str | None, typer.Argument(help="A document's name or id; omit with --all.")
    ] = None,
    everything: Annotated[
        bool, typer.Option("--all", help="Delete the whole knowledge base.")
    ] = False,
) -> None:
    """Delete a document (its passages and vectors), or a whole base with --all.

    Example:

        gwanmun kb remove minwon-rules 규정.hwpx
    """
    if (document is None) == (not everything):
        raise fail("name one document, or pass --all to delete the whole base")
    service = _open()
    try:
        kb = service.store.get(kb_id)
        if kb is None:
            raise fail(f"no knowledge base {kb_id!r}")
        if everything:
            service.drop(kb_id, _operator(kb.owner))
            out.print(f"deleted {kb_id}", highlight=False)
        elif service.remove(kb_id, document or "", _operator(kb.owner)):
            out.print(f"removed {document}", highlight=False)
        else:
            raise fail(f"no document {document!r} in {kb_id}")
    finally:
        service.store.close()


@kb_app.command("search")
def kb_search(
    question: Annotated[str, typer.Argument(help="The question.")],
    kb: Annotated[list[str], typer.Option(help="A knowledge base to search (repeatable).")],
    group: Annotated[str, typer.Option(help="Search as this group (what it may read).")],
    max_grade: Annotated[Grade, typer.Option(help="Highest grade to return.")] = Grade.C,
    k: Annotated[int, typer.Option(min=1, max=50, help="How many passages.")] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="JSON output.")] = False,
) -> None:
    """Show the passages a question retrieves, as a group would get them.

    Example:

        gwanmun kb search "민원 처리 기간은?" --kb minwon-rules --group 기획과
    """
    service = _open()
    try:
        principal = Principal("cli", group=group)
        hits = service.search(kb, question, principal, max_grade=max_grade, k=k)
    except GwanmunError as exc:
        raise fail(exc.message) from None
    finally:
        service.store.close()
    if as_json:
        out.print_json(json.dumps([h.as_dict() for h in hits], ensure_ascii=False))
        return
    for n, hit in enumerate(hits, start=1):
        p = hit.passage
        place = where(p)
        out.print(f"[{n}] {p.document}{place} (grade {p.grade.value}, {p.kb_id})", highlight=False)
        out.print(p.text[:300], highlight=False, markup=False)
