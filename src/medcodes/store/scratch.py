"""A build's scratch files: claimed by the process that writes them, removed by a later one once abandoned.

A build writes its new database beside the target (``.medcodes.db.building-PID``) and unpacks publishers' zips
into a temporary folder (``medcodes-unpack-PID-*``). A build that finishes or fails removes both; one that is
killed cannot, and leaves a few hundred MB. So the builder holds an exclusive ``flock`` on each while it works
(the kernel drops it when the process dies, however it dies), and the next build, or a server starting up,
removes those whose lock nobody holds: a pid alone would not do, since pids are reused and a volume may be
shared by containers that each number their processes from 1. Only names of this shape are ever touched.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

if sys.platform != "win32":  # elsewhere nothing is claimed, so nothing is ever removed
    import fcntl

# A scratch name is claimed an instant after it is created: one younger than this may be in that instant.
_YOUNGEST_ABANDONED = 10.0
# SQLite's companions of a database file (journal and WAL), removed with it.
COMPANIONS = ("-journal", "-wal", "-shm")


@dataclass(frozen=True, slots=True)
class Claim:
    """An open descriptor holding an exclusive lock on a scratch file or folder; ``release`` lets it go."""

    path: Path
    fd: int

    def release(self) -> None:
        os.close(self.fd)


def claim(path: Path) -> Claim:
    """Lock a scratch file or folder this process has just created (and may be the only one to hold)."""
    fd = os.open(path, os.O_RDONLY)
    if sys.platform != "win32":
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise
    return Claim(path, fd)


def abandoned(path: Path, now: float | None = None) -> bool:
    """Whether no live process holds ``path``'s lock (and it is old enough not to be in its first instant)."""
    if sys.platform == "win32":
        return False
    try:
        if (now or time.time()) - path.lstat().st_mtime < _YOUNGEST_ABANDONED:
            return False
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    finally:
        os.close(fd)  # closing drops the lock taken to look
    return True


def sweep(folder: Path, pattern: str) -> list[Path]:
    """Remove the abandoned scratch files and folders in ``folder`` named like ``pattern``; returns them.

    Nothing that cannot be removed (a read-only volume, another user's file) is an error: it is left as it is.
    """
    removed: list[Path] = []
    try:
        candidates = sorted(folder.glob(pattern))
    except OSError:
        return removed
    for path in candidates:
        if path.is_symlink() or not abandoned(path):
            continue
        try:
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink()
                for suffix in COMPANIONS:
                    path.with_name(path.name + suffix).unlink(missing_ok=True)
        except OSError:
            continue
        removed.append(path)
    return removed
