"""One run per output folder: ``tinydl train`` locks its ``--out`` folder while it runs.

Two runs writing one folder would interleave their files (one run's ``model.npz``, the
other's results and plots). So a run holds a lock file in the folder,
``.tinydl-train.lock``, that records who holds it (process id, what it runs, since
when), and a second run is refused with that record in its message.

The lock itself is the operating system's (``flock``), on the open lock file: the system
drops it when the process ends, however it ends. A run killed with ``kill -9`` leaves its
lock file behind, but not the lock; the next run takes it over and says so. (A pid alone
cannot tell: a dead run's pid may by then belong to another process.) Where the system
has no ``flock`` (Windows) the folder is not locked.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tinydl.data.atomic import remove_stale_parts
from tinydl.errors import TinyDLError

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None

LOCK_NAME = ".tinydl-train.lock"


@dataclass
class FolderLock:
    """What taking the lock found: the record of a run that ended without releasing it (or
    None), and the temporary files of killed writes that were removed."""

    taken_over_from: dict[str, Any] | None = None
    removed_parts: list[Path] = field(default_factory=list)


@contextlib.contextmanager
def folder_lock(folder: str | os.PathLike, option: str, what: str) -> Iterator[FolderLock]:
    """Hold ``folder`` (created if missing) for this process while the block runs. ``what``
    (e.g. "tinydl train mnist-cnn") is recorded for a second run's message; ``option``
    (e.g. "--out") names the folder there. A folder that another live process holds raises
    :class:`tinydl.TinyDLError`. Taking the lock also removes the ``.part`` files that
    killed writes left in the folder. A folder this created and left empty is removed."""
    folder = Path(folder)
    created = not folder.exists()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOCK_NAME
    handle = _acquire(path, option, folder) if fcntl is not None else None
    try:
        found = FolderLock()
        if handle is not None:
            found.taken_over_from = _record(handle)
            handle.seek(0)
            handle.truncate()
            handle.write(json.dumps({"pid": os.getpid(), "what": what,
                                     "since": time.strftime("%Y-%m-%d %H:%M:%S")}))
            handle.flush()
        found.removed_parts = remove_stale_parts(folder)
        yield found
    finally:
        if handle is not None:
            path.unlink(missing_ok=True)  # before the lock goes: see _acquire
            handle.close()
        if created and not any(folder.iterdir()):
            folder.rmdir()


def _acquire(path: Path, option: str, folder: Path) -> Any:
    """The open lock file, locked by this process."""
    while True:
        handle = open(os.open(path, os.O_RDWR | os.O_CREAT, 0o644), "r+")  # never truncates
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:  # held by a live process
            owner = _record(handle)
            handle.close()
            raise TinyDLError(
                f"{option} {folder} is in use by another run: {describe(owner)}; wait for it "
                f"to end, or give another {option}"
            ) from None
        # The owner removes the file before it unlocks: a file opened just before that is
        # locked now, but no longer the one at ``path``. Open the new one.
        with contextlib.suppress(FileNotFoundError):
            if os.path.samestat(os.fstat(handle.fileno()), os.stat(path)):
                return handle
        handle.close()


def _record(handle: Any) -> dict[str, Any] | None:
    """The owner's record in the lock file, or None if it holds none (empty or unreadable)."""
    handle.seek(0)
    try:
        record = json.loads(handle.read())
    except ValueError:
        return None
    return record if isinstance(record, dict) else None


def describe(record: dict[str, Any] | None) -> str:
    """A lock record in words: ``tinydl train mnist-cnn (pid 4242, since 2025-01-31 12:00:00)``."""
    if record is None:
        return f"its lock file {LOCK_NAME} does not say which"
    what, pid, since = (record.get(key, "?") for key in ("what", "pid", "since"))
    return f"{what} (pid {pid}, since {since})"
