"""Where dataset files are looked for, in order, and the message when they are nowhere.

For a dataset called ``name`` (``"mnist"``, ``"fashion-mnist"``, ``"cifar10"``):

1. the ``root`` passed to the loader: ``root/name/``, then ``root/`` itself;
2. ``$TINYDL_DATA``: ``$TINYDL_DATA/name/``, then ``$TINYDL_DATA/`` itself;
3. the user cache folder ``$XDG_CACHE_HOME/tinydl/name`` (``~/.cache/tinydl/name``
   when ``XDG_CACHE_HOME`` is unset), which is also where downloads go.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tinydl.data.errors import DatasetNotFoundError

ENV_VARIABLE = "TINYDL_DATA"


def cache_dir(name: str) -> Path:
    """The user cache folder of dataset ``name`` (not created here)."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base).expanduser().absolute() / "tinydl" / name


def search_dirs(name: str, root: str | os.PathLike | None) -> list[Path]:
    """The folders searched for dataset ``name``, first match wins (see the module doc)."""
    bases = [root, os.environ.get(ENV_VARIABLE) or None]
    dirs = []
    for base in bases:
        if base is not None:
            base = Path(base).expanduser().absolute()
            dirs += [base / name, base]
    return [*dirs, cache_dir(name)]


def not_found_error(
    table: dict[str, Any], wanted: str, dirs: Sequence[Path], download_problem: str
) -> DatasetNotFoundError:
    """The error for a dataset found nowhere: every folder searched, and how to fix it.

    ``table`` is the dataset's table (its ``name``, ``title`` and ``loader``
    function name), ``wanted`` names the files looked for, and
    ``download_problem`` says why no download happened or how it failed.
    """
    lines = [f"\n  {folder}" for folder in dirs]
    if not os.environ.get(ENV_VARIABLE):  # say so where its folders would have been listed
        lines.insert(-1, f"\n  (${ENV_VARIABLE} is not set)")
    return DatasetNotFoundError(
        f"{table['title']} not found. Looked for {wanted} in:{''.join(lines)}\n"
        f"{download_problem}\n"
        f"To use local copies, pass {table['loader']}(root='/path/to/folder') or set "
        f"{ENV_VARIABLE}=/path/to/folder; the files may sit in that folder or in its "
        f"subfolder {table['name']}/."
    )
