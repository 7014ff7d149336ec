"""Writing a file so that readers see either the old file or the complete new one, never half.

The bytes go to a temporary file in the destination's own folder (so the final
``os.replace`` is a rename on one file system, which is atomic); only when the
writer finishes without an exception does the temporary file take the real
name. The temporary file is hidden and carries the writer's process id,
``.model.npz.<pid>.<random>.part``: after an error it is removed at once; after a
kill (``kill -9``, a power cut) it stays, and the next write of the same file removes
it (:func:`remove_stale_parts`), once no running process has that id.

A write the file system refuses (a full disk, a file-size limit, a read-only or
forbidden folder) raises :class:`tinydl.errors.FileWriteError`, which names the file
and the operation that was writing it: the previous file is then untouched and no
temporary file is left.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import glob
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from tinydl.errors import FileWriteError


@contextlib.contextmanager
def atomic_write(
    path: str | os.PathLike, operation: str, make_folders: bool = False
) -> Iterator[BinaryIO]:
    """Open a temporary binary file that replaces ``path`` when the ``with`` block succeeds.

    The file object's ``name`` is the temporary path, so the block may read back
    (and verify) what it wrote before the rename; raising inside the block
    deletes the temporary file and leaves ``path`` untouched. ``operation`` (such as
    ``"save_checkpoint()"``) starts the message of a refused write; ``make_folders``
    creates the missing folders of ``path`` first.
    """
    path = Path(path)
    with _refusals_named(path, operation):
        if make_folders:
            path.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_parts(path.parent, path.name)
        # delete=False: the file must outlive its handle, which is closed before the rename
        handle = tempfile.NamedTemporaryFile(
            dir=path.parent, prefix=f".{path.name}.{os.getpid()}.", suffix=".part", delete=False
        )
    try:
        yield _PartFile(handle, path, operation)
        with _refusals_named(path, operation):
            handle.flush()
            os.fsync(handle.fileno())
            handle.close()
            # Temporary files are created owner-only; give the result the usual permissions.
            os.chmod(handle.name, 0o666 & ~_umask())
            os.replace(handle.name, path)
    except BaseException:
        with contextlib.suppress(OSError):  # the error being raised already says what failed
            handle.close()
        Path(handle.name).unlink(missing_ok=True)
        raise


class _PartFile:
    """The temporary file as the ``with`` block sees it: the same file object, except that
    a call the file system refuses raises :class:`FileWriteError` naming the real file.
    Every call, not only ``write``: a buffered file passes the bytes on later, in
    ``flush``, ``seek`` or ``truncate``, and the refusal comes there. (An OSError raised
    elsewhere in the block, a network error while downloading, stays what it is.)"""

    def __init__(self, file: BinaryIO, path: Path, operation: str) -> None:
        self._file, self._path, self._operation = file, path, operation

    def __getattr__(self, name: str) -> Any:  # write, seek, name, ...: the file's own
        attribute = getattr(self._file, name)
        if not callable(attribute):
            return attribute

        @functools.wraps(attribute)
        def named(*args: Any, **kwargs: Any) -> Any:
            with _refusals_named(self._path, self._operation):
                return attribute(*args, **kwargs)

        return named


@contextlib.contextmanager
def _refusals_named(path: Path, operation: str) -> Iterator[None]:
    """An OSError inside the block becomes a :class:`FileWriteError` that names ``path``."""
    try:
        yield
    except FileWriteError:
        raise
    except OSError as err:
        raise _write_error(path, operation, err) from err


def _write_error(path: Path, operation: str, err: OSError) -> FileWriteError:
    """The error for a write of ``path`` that the file system refused with ``err``."""
    code = errno.errorcode.get(err.errno) if err.errno is not None else None
    reason = f"{err.strerror} ({code})" if err.strerror and code else str(err)
    before = f"{path} is unchanged" if path.exists() else f"{path} was not created"
    error = FileWriteError(
        f"{operation}: cannot write {path}: {reason}; {before}, and no temporary file is left"
    )
    error.errno = err.errno  # the kind of refusal, for code that tells them apart
    return error


_PART = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)\.[A-Za-z0-9_]+\.part$")


def remove_stale_parts(folder: str | os.PathLike, name: str | None = None) -> list[Path]:
    """Delete the temporary files in ``folder`` (of the file ``name`` only, if given) that a
    killed writer left: those whose process id no running process has. Returns them."""
    removed = []
    for candidate in Path(folder).glob(f".{glob.escape(name) if name else '*'}.*.part"):
        found = _PART.match(candidate.name)
        if found and (name is None or found["name"] == name) and not _running(int(found["pid"])):
            candidate.unlink(missing_ok=True)
            removed.append(candidate)
    return removed


def _running(pid: int) -> bool:
    """Whether a process with this id exists (then its temporary file may be in use)."""
    if pid == os.getpid() or os.name == "nt":  # Windows: os.kill(pid, 0) would end the process
        return True
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except (ProcessLookupError, OverflowError):  # none has it (or could: past the C int)
        return False
    except PermissionError:  # it exists, under another user
        return True
    return True


def _umask() -> int:
    current = os.umask(0)  # the only portable way to read the umask is to set it
    os.umask(current)
    return current
