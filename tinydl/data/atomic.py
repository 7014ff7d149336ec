"""Writing a file so that readers see either the old file or the complete new one, never half.

The bytes go to a temporary file in the destination's own folder (so the final
``os.replace`` is a rename on one file system, which is atomic); only when the
writer finishes without an exception does the temporary file take the real
name. After a crash or an error, what is left is at most a hidden ``*.part``
file that no loader looks for.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO


@contextmanager
def atomic_write(path: str | os.PathLike) -> Iterator[BinaryIO]:
    """Open a temporary binary file that replaces ``path`` when the ``with`` block succeeds.

    The file object's ``name`` is the temporary path, so the block may read back
    (and verify) what it wrote before the rename; raising inside the block
    deletes the temporary file and leaves ``path`` untouched.
    """
    path = Path(path)
    # delete=False: the file must outlive its handle, which is closed before the rename
    handle = tempfile.NamedTemporaryFile(
        dir=path.parent, prefix=f".{path.name}.", suffix=".part", delete=False
    )
    try:
        with handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        # Temporary files are created owner-only; give the result the usual permissions.
        os.chmod(handle.name, 0o666 & ~_umask())
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise


def _umask() -> int:
    current = os.umask(0)  # the only portable way to read the umask is to set it
    os.umask(current)
    return current
