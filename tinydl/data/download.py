"""Downloading one file from a list of mirrors: progress bar, verification, atomic rename.

The bytes stream into a hidden temporary file next to the destination; the
file takes its real name only after the length matches ``Content-Length`` and
the caller's ``verify`` accepted it. An interrupted, truncated or corrupt
download therefore leaves nothing a later run would trust.
"""

from __future__ import annotations

import http.client
import os
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path
from urllib.error import HTTPError, URLError

from tqdm import tqdm

from tinydl.data.atomic import atomic_write
from tinydl.data.errors import DataError

_CHUNK = 1 << 16


class DownloadError(DataError):
    """No mirror delivered a verified copy; ``failures`` lists ``(url, reason)`` per mirror."""

    def __init__(self, message: str, failures: list[tuple[str, str]]) -> None:
        super().__init__(message)
        self.failures = failures


def download(
    urls: Sequence[str],
    destination: str | os.PathLike,
    verify: Callable[[Path, str], None] | None = None,
    progress: bool = True,
    timeout: float = 30.0,
) -> Path:
    """Fetch the first of ``urls`` that works into ``destination`` and return its path.

    ``verify(temporary_path, url)`` may raise :class:`DataError` to reject a
    download (bad checksum, bad format); the next mirror is then tried. If every
    mirror fails, :class:`DownloadError` lists each URL with its reason, and
    ``destination`` is left as it was.
    """
    destination = Path(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    failures: list[tuple[str, str]] = []
    for url in urls:
        try:
            _fetch(url, destination, verify, progress, timeout)
            return destination
        except (OSError, http.client.HTTPException, DataError) as err:
            # OSError covers URLError, refused connections and timeouts. A URLError's own text
            # wraps its reason in "<urlopen error ...>"; an HTTPError's says "HTTP Error 404: ...".
            plain = isinstance(err, URLError) and not isinstance(err, HTTPError)
            failures.append((url, str(err.reason if plain else err)))
    lines = "".join(f"\n  {url}: {reason}" for url, reason in failures)
    raise DownloadError(f"could not download {destination.name}:{lines}", failures)


def _fetch(
    url: str,
    destination: Path,
    verify: Callable[[Path, str], None] | None,
    progress: bool,
    timeout: float,
) -> None:
    request = urllib.request.Request(url, headers={"User-Agent": "tinydl"})
    with (
        urllib.request.urlopen(request, timeout=timeout) as response,
        atomic_write(destination, "download") as file,
    ):
        length = response.headers.get("Content-Length")
        expected = int(length) if length is not None else None
        received = 0
        with tqdm(
            total=expected,
            desc=destination.name,
            unit="B",
            unit_scale=True,
            unit_divisor=1024,
            disable=not progress,
        ) as bar:
            while chunk := response.read(_CHUNK):
                file.write(chunk)
                received += len(chunk)
                bar.update(len(chunk))
        # http.client returns a short body without complaint when the connection drops.
        if expected is not None and received != expected:
            raise DataError(
                f"the transfer stopped early: expected {expected} bytes (Content-Length), "
                f"received {received}"
            )
        file.flush()
        if verify is not None:
            verify(Path(file.name), url)
