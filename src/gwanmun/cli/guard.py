"""``gwanmun scan`` and ``gwanmun policy``: the input guard from the terminal."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from gwanmun.cli.common import HELP, fail, out, settings_or_exit
from gwanmun.errors import GwanmunError
from gwanmun.policy import check_kinds, default_policy_text, load_policy, weaker_than
from gwanmun.types import Action, Grade

policy_app = typer.Typer(help="Validate and explain guard policies.", no_args_is_help=True, **HELP)

_STYLE = {
    Action.BLOCK: "bold white on red",
    Action.MASK: "bold black on yellow",
    Action.WARN: "underline yellow",
    Action.ALLOW: "dim",
}


def _read_utf8(source: str) -> str:
    raw = sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise fail(
            f"{'standard input' if source == '-' else source} is not valid UTF-8 "
            f"(byte {exc.start}); convert it first, e.g. `iconv -f cp949 -t utf-8`"
        ) from None


def scan(
    source: Annotated[str, typer.Argument(help="A text file, or '-' for standard input.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of highlighting.")] = (
        False
    ),
    policy_file: Annotated[
        Path | None, typer.Option("--policy", help="Policy YAML (default: configured or shipped).")
    ] = None,
    backend_grade: Annotated[
        Grade, typer.Option(help="Grade the receiving model may take (C, S or O).")
    ] = Grade.C,
) -> None:
    """Scan a text for sensitive data, grade it C/S/O and show what the guard would do.

    Exit status: 0 allowed, masked or warned; 2 blocked.

    Example:

        gwanmun scan 민원회신_초안.txt

        echo "담당 김민수 주무관 010-1234-5678" | gwanmun scan - --json
    """
    from gwanmun.guard.factory import input_guard_for

    try:
        text = _read_utf8(source)
    except OSError as exc:
        raise fail(f"cannot read {source}: {exc.strerror}") from None
    try:
        policy = load_policy(policy_file or settings_or_exit().policy_file)
        result = input_guard_for(policy).scan(text, backend_grade=backend_grade)
    except GwanmunError as exc:
        raise fail(exc.message) from None
    if as_json:
        print(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
    else:
        # The action judged for each finding (an institution term's own, not its kind's).
        actions = {id(d.finding): d.action for d in result.decided}
        highlighted = Text()
        cursor = 0
        for f in sorted(result.findings, key=lambda f: f.start):
            if f.start < cursor:
                continue
            highlighted.append(text[cursor : f.start])
            highlighted.append(text[f.start : f.end], style=_STYLE[actions[id(f)]])
            highlighted.append(f"⟨{f.kind}⟩", style="dim")
            cursor = f.end
        highlighted.append(text[cursor:])
        out.print(highlighted, soft_wrap=True)
        table = Table("kind", "offsets", "score", "detector", "action")
        for f in result.findings:
            table.add_row(
                f.kind, f"{f.start}-{f.end}", f"{f.score:.2f}", f.detector, actions[id(f)].value
            )
        if result.findings:
            out.print(table)
        out.print(
            f"grade [bold]{result.grade.value}[/], action [bold]{result.action.value}[/]"
            + (f" — {'; '.join(result.reasons)}" if result.reasons else ""),
            highlight=False,
        )
    if result.action is Action.BLOCK:
        raise typer.Exit(2)


@policy_app.command("check")
def policy_check(
    file: Annotated[Path, typer.Argument(help="Policy YAML file to validate.")],
) -> None:
    """Validate a policy file, explain what it does with each kind, and list every
    rule weaker than the default policy (a file extends the default unless it
    says `extends: none`).

    Example:

        gwanmun policy check /etc/gwanmun/policy.yaml
    """
    from gwanmun.guard.factory import input_guard_for

    try:
        policy = load_policy(file)
        guard = input_guard_for(policy)
    except GwanmunError as exc:
        raise fail(exc.message) from None
    known = {kind for d in guard.detectors for kind in d.kinds}
    unknown = check_kinds(policy, known)
    if unknown:
        raise fail(
            f"{file}: no detector emits {', '.join(unknown)} (typo?); known kinds: "
            + ", ".join(sorted(known))
        )
    data = policy.data
    table = Table("kind", "action", "grade", "min score", "note", title=f"policy {policy.name}")
    for kind in sorted(known | set(data.kinds)):
        rule = policy.rule(kind)
        grade = "by marking" if kind == "MARKING" else rule.grade.value
        note = rule.note if kind in data.kinds else "(default rule)"
        table.add_row(kind, rule.action.value, grade, f"{rule.min_score:.2f}", note)
    out.print(table)
    out.print(
        f"{len(data.org_terms)} institution terms, {len(data.internal_domains)} internal "
        f"domains, {len(data.internal_networks)} internal networks. Above a backend's grade: "
        f"{data.on_grade_exceeded}.",
        highlight=False,
    )
    weaker = weaker_than(policy, load_policy())
    if policy.data.extends == "none":
        out.print("[yellow]extends: none[/] — this file is the whole policy, not the default's.")
    if weaker:
        out.print(
            f"[yellow]{len(weaker)} rules are weaker than the default policy:[/]", highlight=False
        )
        for line in weaker:
            out.print(f"  - {line}", highlight=False)
    else:
        out.print("No rule is weaker than the default policy.")
    out.print(f"[green]{file} is valid.[/]")


@policy_app.command("show")
def policy_show() -> None:
    """Print the shipped default policy (a starting point for your own).

    Example:

        gwanmun policy show > /etc/gwanmun/policy.yaml
    """
    sys.stdout.write(default_policy_text())
