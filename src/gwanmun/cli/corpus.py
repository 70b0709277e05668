"""``gwanmun corpus``: protected texts that answers must not reproduce."""

from __future__ import annotations

import json
import re
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer

from gwanmun.cli.common import HELP, err, fail, out, settings_or_exit
from gwanmun.errors import GwanmunError

corpus_app = typer.Typer(
    help="Index protected documents (txt, md, pdf, docx, hwpx, hwp) for the verbatim-copy check.",
    no_args_is_help=True,
    **HELP,
)
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def corpus_root() -> Path:
    return settings_or_exit().data_dir / "corpus"


def _directory(name: str) -> Path:
    if not _NAME.match(name):
        raise fail(f"corpus name {name!r}: letters, digits, '.', '_' or '-', at most 64")
    return corpus_root() / name


@corpus_app.command("add")
def corpus_add(
    path: Annotated[Path, typer.Argument(help="A file, or a directory searched recursively.")],
    name: Annotated[str, typer.Option(help="Corpus name, e.g. press-releases-2026.")],
) -> None:
    """Add documents to a corpus (created if new). Unreadable files are listed and skipped.

    Example:

        gwanmun corpus add ./보도자료 --name press-2026
    """
    from rich.progress import BarColumn, Progress, TextColumn

    from gwanmun.check.verbatim import CorpusIndex
    from gwanmun.documents import extract_text, iter_documents

    if not path.exists():
        raise fail(f"{path} does not exist")
    directory = _directory(name)
    limits = settings_or_exit().documents
    skipped: list[str] = []
    files = list(iter_documents(path))
    if not files:
        raise fail(f"no .txt, .md, .pdf, .docx, .hwpx or .hwp files under {path}")

    with Progress(
        TextColumn("indexing"), BarColumn(), TextColumn("{task.completed}/{task.total} files"),
        console=err, transient=True, disable=not err.is_terminal,
    ) as progress:  # fmt: skip
        task = progress.add_task("index", total=len(files))

        def texts() -> Iterator[tuple[str, str]]:
            for file in files:
                progress.advance(task)
                try:
                    yield str(file), extract_text(file, limits)
                except GwanmunError as exc:
                    skipped.append(exc.message)

        try:
            index = CorpusIndex.build(directory, name, texts())
        except GwanmunError as exc:
            raise fail(exc.message) from None
    for message in skipped:
        err.print(f"[yellow]skipped:[/] {message}", highlight=False)
    added = len(files) - len(skipped)
    err.print(
        f"Corpus {name}: {added} documents added; {len(index.documents)} documents, "
        f"{index.chars:,} characters indexed in all."
    )
    if skipped:
        raise typer.Exit(1)


@corpus_app.command("list")
def corpus_list(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List corpora with their size.

    Example:

        gwanmun corpus list
    """
    rows = []
    root = corpus_root()
    for meta_path in sorted(root.glob("*/meta.json")) if root.exists() else []:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        size = sum(f.stat().st_size for f in meta_path.parent.iterdir())
        rows.append({"name": meta["name"], "documents": meta["docs"], "characters": meta["chars"],
                     "bytes_on_disk": size})  # fmt: skip
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        out.print("no corpora yet; add one with `gwanmun corpus add DIR --name NAME`")
    for row in rows:
        out.print(
            f"{row['name']}: {row['documents']} documents, {row['characters']:,} characters, "
            f"{row['bytes_on_disk'] / 1e6:.1f} MB on disk",
            highlight=False,
        )


@corpus_app.command("check")
def corpus_check(
    source: Annotated[str, typer.Argument(help="A text file, or - for standard input.")],
    min_chars: Annotated[int, typer.Option(help="Shortest copied span reported.")] = 50,
) -> None:
    """Report spans of a text copied from any corpus (exit 2 when something is found).

    Example:

        gwanmun corpus check 답변초안.txt --min-chars 80
    """
    from gwanmun.check.verbatim import CorpusIndex

    try:
        data = sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes()
        text = data.decode("utf-8")
    except OSError as exc:
        raise fail(f"cannot read {source}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise fail(f"{source} is not UTF-8 text") from None
    root = corpus_root()
    found = 0
    for meta_path in sorted(root.glob("*/meta.json")) if root.exists() else []:
        index = CorpusIndex(meta_path.parent)
        for match in index.matches(text, min_chars=min_chars):
            found += 1
            out.print(
                f"{match.answer_start}-{match.answer_end}: copied from {match.doc.path} "
                f"[{match.doc_start}-{match.doc_end}] ({match.similarity:.0%} identical) "
                f"in corpus {index.name}",
                highlight=False,
            )
    if not found:
        out.print("no copied spans found")
        return
    raise typer.Exit(2)


@corpus_app.command("remove")
def corpus_remove(name: Annotated[str, typer.Argument(help="Corpus name.")]) -> None:
    """Delete a corpus index (the source documents are not touched).

    Example:

        gwanmun corpus remove press-2026
    """
    directory = _directory(name)
    if not (directory / "meta.json").exists():
        raise fail(f"no corpus named {name!r}; `gwanmun corpus list` shows them")
    shutil.rmtree(directory)
    err.print(f"Removed corpus {name}.")
