"""What people store (templates, group and user names) passes the input guard.

Stored text is kept as written and shown to others (a group template, a user
list), so it cannot be masked per request the way a prompt is. The rule is one
rule: anything the policy would **mask or block** in a prompt is refused in
stored text, with a 400 that names the kind, the field and the position —
never the value. Warnings (``warn``) are stored. A template that needs
personal data takes it as a ``{{variable}}`` filled in at use.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Protocol

from gwanmun.errors import InvalidRequest
from gwanmun.guard.input import ScanResult
from gwanmun.types import Action


class Scanner(Protocol):
    def scan(self, text: str) -> ScanResult: ...


def stored_text_problems(scanner: Scanner, fields: Mapping[str, str]) -> list[str]:
    """Each finding the policy would mask or block, as ``KIND in field at a-b``."""
    problems: list[str] = []
    for name, text in fields.items():
        if not text:
            continue
        for decided in scanner.scan(text).decided:
            if decided.action.rank >= Action.MASK.rank:
                f = decided.finding
                problems.append(f"{f.kind} in {name} at characters {f.start}-{f.end}")
    return problems


def check_stored_text(scanner: Scanner, fields: Mapping[str, str], *, what: str) -> None:
    """Raise ``InvalidRequest`` (400) when ``fields`` hold what policy masks or blocks."""
    problems = stored_text_problems(scanner, fields)
    if problems:
        raise InvalidRequest(
            f"{what} was not saved: it contains {'; '.join(problems)}. Stored text is kept "
            "as written, so what the policy masks or blocks in a prompt is refused here; "
            "remove it (a template takes personal data as a {{variable}}) and save again.",
            param=problems[0].split(" in ", 1)[1].split(" at ", 1)[0],
            details={"kinds": sorted({p.split(" ", 1)[0] for p in problems})},
        )


def template_fields(title: str, category: str, body: str, labels: Iterable[str]) -> dict[str, str]:
    """A template's stored text, by field name."""
    fields = {"title": title, "category": category, "body": body}
    fields.update({f"variables[{n}].label": label for n, label in enumerate(labels)})
    return fields
