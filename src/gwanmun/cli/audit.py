"""``gwanmun audit``: verify the chain, export records, count what happened."""

from __future__ import annotations

import csv
import json
import sys
from typing import Annotated, Literal

import typer

from gwanmun.audit.stats import iso_time, since_timestamp, summarise
from gwanmun.audit.store import AuditStore
from gwanmun.cli.common import HELP, err, fail, out, require_state, settings_or_exit
from gwanmun.errors import GwanmunError, InvalidRequest

audit_app = typer.Typer(
    help="Verify, export and summarise the audit log.", no_args_is_help=True, **HELP
)


def _store() -> AuditStore:
    from gwanmun.services import open_audit_store

    settings = settings_or_exit()
    require_state(
        settings, "audit.db", what="audit log", first="the gateway starts one when it runs."
    )
    try:
        return open_audit_store(settings)
    except GwanmunError as exc:
        raise fail(exc.message) from None


@audit_app.command("verify")
def audit_verify(
    head: Annotated[
        str | None,
        typer.Option(
            help="The last head you recorded, SEQ:HASH, to catch records cut off the end."
        ),
    ] = None,
) -> None:
    """Check every record's hash, link and HMAC; name the first bad one; list
    interrupted streams.

    A stream that started delivering and has no closing record (the gateway was
    killed mid-stream) is listed as interrupted; the next gateway start closes it
    with an "interrupted" record in the chain. Exit status: 0 intact, 1 broken.
    Keep the printed head somewhere else and pass it next time with --head.

    Example:

        gwanmun audit verify --head 1842:9f1c…e07a
    """
    expect = None
    if head is not None:
        seq, _, digest = head.partition(":")
        if not seq.isdigit() or len(digest) != 64:
            raise fail("--head must be SEQ:HASH as printed by a previous verify")
        expect = (int(seq), digest)
    store = _store()
    try:
        result = store.verify(expect_head=expect)
        streams = store.open_streams()
    finally:
        store.close()
    if streams:
        cut = sum(not s.live for s in streams)
        out.print(
            f"{len(streams)} stream(s) without a closing record, {cut} interrupted "
            "(the next gateway start records each as interrupted):",
            highlight=False,
        )
        for entry in streams:
            out.print(f"  {entry.describe()}", highlight=False, soft_wrap=True)
    if not result.ok:
        raise fail(result.describe())
    err.print(result.describe(), highlight=False)


@audit_app.command("export")
def audit_export(
    since: Annotated[
        str | None, typer.Option(help="Only records at or after this ISO date/time.")
    ] = None,
    fmt: Annotated[
        Literal["jsonl", "csv"], typer.Option("--format", help="jsonl or csv.")
    ] = "jsonl",
) -> None:
    """Write audit records to standard output (no prompt or answer text is ever stored).

    CSV times are ISO 8601 with the local UTC offset; JSON Lines keep the Unix time.

    Example:

        gwanmun audit export --since 2026-11-01 --format csv > audit-november.csv
    """
    try:
        start = since_timestamp(since, name="--since ")
    except InvalidRequest as exc:
        raise fail(exc.message) from None
    store = _store()
    try:
        rows = [{"seq": r.seq, "hash": r.hash, **r.body} for r in store.records(since=start)]
    finally:
        store.close()
    if fmt == "jsonl":
        for row in rows:
            sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
        return
    columns = ["seq", "time", "request_id", "user", "group", "model", "backend", "grade",
               "action", "outcome", "error_code", "latency_ms", "hash",
               # administrative actions (kind "admin"): who did it, to what
               "kind", "actor", "target"]  # fmt: skip
    writer = csv.writer(sys.stdout)
    writer.writerow([*columns, "finding_kinds"])
    for row in rows:
        kinds = sorted({f["kind"] for f in row.get("findings", [])})
        values = {"kind": "request", **row}
        values["time"] = iso_time(float(row["time"]))
        writer.writerow([values.get(c, "") for c in columns] + [" ".join(kinds)])


@audit_app.command("stats")
def audit_stats() -> None:
    """Count requests by outcome, grade, model and kind of finding.

    Example:

        gwanmun audit stats
    """
    store = _store()
    try:
        summary = summarise(r.body for r in store.records())
    finally:
        store.close()
    out.print(f"{summary['requests']} requests, {summary['tokens']} tokens", highlight=False)
    for name in ("outcome", "grade", "model", "group", "finding_kind"):
        counts = summary[f"by_{name}"]
        parts = ", ".join(f"{k}: {v}" for k, v in counts.items())
        out.print(f"  by {name.replace('_', ' ')}: {parts or '-'}", highlight=False)
