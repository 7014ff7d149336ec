"""SHA-256 digests, and the error for a file whose digest is not the published one."""

from __future__ import annotations

import hashlib
import os

from tinydl.data.errors import DataError


def sha256_file(path: str | os.PathLike) -> str:
    """The SHA-256 hex digest of a file's bytes, read in chunks (works for large archives)."""
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for chunk in iter(lambda: file.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def check_sha256(found: str, expected: str, source: str, what: str = "its bytes") -> None:
    """Raise :class:`DataError` naming ``source`` and both digests unless they match.

    ``what`` says which bytes were hashed, e.g. ``"its uncompressed content"``.
    """
    if found != expected:
        raise DataError(
            f"{source}: checksum mismatch: expected SHA-256 of {what} {expected}, "
            f"found {found}; the file is corrupt or not the expected one (delete or replace "
            f"a local copy)"
        )
