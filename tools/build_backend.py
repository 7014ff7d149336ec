"""tinydl's build backend: setuptools' own, with one change to editable installs.

setuptools installs an editable project through an import finder that it appends to
``sys.meta_path``, after Python's own path finder (setuptools issue 3557). Python's finder
takes any folder named ``tinydl`` on ``sys.path`` for an empty namespace package, and the
first entry of ``sys.path`` is the script's folder. So a script run beside a clone named
``tinydl`` (clone into ``~/tinydl``, run ``python play.py`` from ``~``) imported that folder
instead of the package: ``module 'tinydl' has no attribute 'tensor'``.

The editable wheel built here carries one more ``.pth`` file, which Python's ``site`` runs
after setuptools' own (the files run in name order, and ``_`` sorts before letters), and the
small module it imports: a finder put at the front of ``sys.meta_path`` that answers for
``tinydl`` only. A real package found on ``sys.path`` (one with an ``__init__.py``: a
checkout on ``PYTHONPATH``, or the clone's own folder) still wins, as it would without an
editable install; a folder that is only a namespace candidate gives way to the editable
install. Regular wheels need nothing: there the package is a real folder with an
``__init__.py`` on ``sys.path``, which Python prefers to a namespace folder wherever it
comes.
``tests/test_install.py`` installs both ways and imports tinydl beside such a folder.
"""

from __future__ import annotations

import base64
import hashlib
import zipfile
from pathlib import Path

from setuptools import build_meta
from setuptools.build_meta import *  # noqa: F403  (every hook but build_editable as it is)

FINDER_FIRST = "tinydl_finder_first.pth"
FINDER_MODULE = "_tinydl_finder_first"
FINDER_SOURCE = '''"""Put in place by tinydl's editable install (tools/build_backend.py).

A folder named tinydl that holds no package (a clone's root, seen from the folder above it)
must not shadow the editable install; a real tinydl package found on sys.path first still
wins, as it would without one.
"""
import importlib.machinery
import sys


class RealPackageFirst:
    @staticmethod
    def find_spec(name, path=None, target=None):
        if name != "tinydl":
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is not None and spec.origin is not None:  # a namespace candidate has none
            return spec
        for finder in sys.meta_path:
            if getattr(finder, "__module__", None) == {editable!r}:
                return finder.find_spec(name, path, target)
        return None


sys.meta_path.insert(0, RealPackageFirst)
'''


def build_editable(
    wheel_directory: str,
    config_settings: dict | None = None,
    metadata_directory: str | None = None,
) -> str:
    """setuptools' editable wheel, plus the ``.pth`` file and module that let a real tinydl
    package, or else the editable install, win over a namespace folder."""
    name = build_meta.build_editable(wheel_directory, config_settings, metadata_directory)
    wheel = Path(wheel_directory) / name
    with zipfile.ZipFile(wheel) as archive:
        finders = [Path(n).stem for n in archive.namelist() if n.endswith("_finder.py")]
    if len(finders) != 1:  # setuptools chose a plain path entry: nothing to reorder
        return name
    finder_source = FINDER_SOURCE.format(editable=finders[0])
    _add_to_wheel(wheel, f"{FINDER_MODULE}.py", finder_source.encode())
    _add_to_wheel(wheel, FINDER_FIRST, f"import {FINDER_MODULE}\n".encode())
    return name


def _add_to_wheel(wheel: Path, name: str, content: bytes) -> None:
    """Rewrite ``wheel`` with one more file, listed in its RECORD with its hash and size."""
    with zipfile.ZipFile(wheel) as archive:
        members = [(info, archive.read(info)) for info in archive.infolist()]
    digest = base64.urlsafe_b64encode(hashlib.sha256(content).digest()).rstrip(b"=").decode()
    entry = f"{name},sha256={digest},{len(content)}\n".encode()
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in members:
            if info.filename.endswith(".dist-info/RECORD"):
                archive.writestr(name, content)
                data = entry + data
            archive.writestr(info, data)
