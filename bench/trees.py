"""Running a measurement under another source tree, for the scripts that
compare this tree's code with an old one's in one run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any


def in_tree(src: Path, code: str, what: str) -> Any:
    """Run ``code`` in a fresh interpreter whose ``gwanmun`` is the one under
    ``src``; the JSON value it printed on its last line. A failure ends the
    script, quoting the child's standard error and saying ``what`` failed."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode:
        raise SystemExit(f"{src}: {what} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])
