"""State only the gateway's own user may read: directories 0700, files 0600.

The databases hold account hashes, audit records (with masked text when
``audit_text: masked``) and templates; the key files sign and chain them. A
process umask of 022 would leave them readable by every local user, so the
modes are set explicitly, whatever the umask, and tightened on files and
directories this user owns that an older version created more open.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

log = logging.getLogger("gwanmun")

DIR_MODE = 0o700
FILE_MODE = 0o600


def private_dir(path: Path, *, tighten_existing: bool = True) -> None:
    """Create ``path`` and its missing parents as 0700.

    An existing ``path`` is tightened to 0700 too, unless ``tighten_existing`` is
    off (a directory the operator chose for a key file may hold other things).
    """
    missing: list[Path] = []
    current = Path(path)
    while not current.exists():
        missing.append(current)
        current = current.parent
    for directory in reversed(missing):
        directory.mkdir(mode=DIR_MODE, exist_ok=True)
        os.chmod(directory, DIR_MODE)  # mkdir's mode is filtered by the umask
    if tighten_existing and not missing:
        _tighten(Path(path), DIR_MODE)


def private_file(path: Path) -> None:
    """Create ``path`` empty as 0600 if missing; tighten it to 0600 if it exists."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, FILE_MODE)
    os.close(fd)
    _tighten(Path(path), FILE_MODE)


def tighten_if_exists(path: Path) -> None:
    """Tighten a file a library created beside ours (SQLite's -wal and -shm)."""
    if path.exists():
        _tighten(path, FILE_MODE)


def _tighten(path: Path, mode: int) -> None:
    info = path.stat()
    if stat.S_IMODE(info.st_mode) & ~mode == 0:
        return
    if info.st_uid != os.getuid():
        # Not ours to change: say so rather than fail a start that may be intended.
        log.warning(
            "state is readable by other users and owned by someone else; restrict it",
            extra={"path": str(path), "mode": oct(stat.S_IMODE(info.st_mode))},
        )
        return
    os.chmod(path, mode)
