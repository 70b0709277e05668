"""The import graph has the shape the code's rooms promise; read with ``ast``, so a
lazy import inside a function counts as much as one at the top.

- The CLI is a tree: ``cli/main.py`` assembles the sub-commands, they share
  ``cli/common.py``, and nothing imports ``cli/main.py``.
- Tests and the benchmark/training scripts never import each other; what both
  need lives in ``devtools/``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def imported(path: Path) -> Iterator[str]:
    """Every module ``path`` imports, as a dotted name (relative imports resolved
    against the package the file is in)."""
    package = path.relative_to(ROOT).with_suffix("").parts[:-1]
    if package and package[0] == "src":
        package = package[1:]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = list(package[: len(package) - node.level + 1]) if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            yield module
            yield from (f"{module}.{alias.name}" for alias in node.names)


def offenders(files: list[Path], forbidden: str) -> list[str]:
    return [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in files
        for name in imported(path)
        if name == forbidden or name.startswith(forbidden + ".")
    ]


def test_nothing_imports_the_cli_entry_point() -> None:
    files = sorted((ROOT / "src" / "gwanmun").rglob("*.py"))
    assert offenders(files, "gwanmun.cli.main") == []


@pytest.mark.parametrize(("folder", "forbidden"), [("tests", "bench"), ("bench", "tests")])
def test_tests_and_benchmarks_do_not_import_each_other(folder: str, forbidden: str) -> None:
    files = sorted((ROOT / folder).rglob("*.py"))
    assert files
    assert offenders(files, forbidden) == []


def test_the_check_sees_imports_inside_functions() -> None:
    main = set(imported(ROOT / "src" / "gwanmun" / "cli" / "main.py"))
    assert {"gwanmun.cli.common", "gwanmun.web.app.create_app"} <= main
