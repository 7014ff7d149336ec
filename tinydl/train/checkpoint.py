"""Saving and loading a model (and optionally its optimiser) as one ``.npz`` file.

The file holds only arrays (``allow_pickle=False`` on load, so a checkpoint can
never run code) and the structure they came in (:mod:`tinydl.train.state_archive`: what
loads is what was saved, types included), written to a temporary file and renamed into
place: a crash mid-write leaves the previous checkpoint intact, never a half-written
one, and a write the disk refuses raises :class:`tinydl.errors.FileWriteError` naming the
file. Ctrl-C (SIGINT) or SIGTERM during a write is held until the new checkpoint is in
place; a second one aborts the write, leaving the previous checkpoint and no temporary
file.
"""

from __future__ import annotations

import contextlib
import io
import os
import signal
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from tinydl import check
from tinydl.data.atomic import atomic_write
from tinydl.errors import TinyDLError
from tinydl.nn.module import Module
from tinydl.train.state_archive import CheckpointError, pack, unpack


def folder_problem(folder: str | Path) -> str | None:
    """Why files cannot be written into ``folder`` (or the folders that would be created
    for it), or None if they can: part of the path is a file, or the file system refuses.
    Nothing is created: the probe is a temporary file in the nearest existing folder."""
    folder = Path(folder)
    existing = _nearest_existing(folder)
    if not existing.is_dir():
        where = "it" if existing == folder else str(existing)
        return f"{where} is a file, not a folder"
    try:
        with tempfile.TemporaryFile(dir=existing):
            pass
    except OSError as err:
        return f"cannot write there ({err.strerror or err})"
    return None


def _nearest_existing(folder: Path) -> Path:
    """``folder``, or the nearest of the folders above it that exists."""
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return folder


def check_output_folder(folder: str | Path, option: str) -> None:
    """A command's output folder (given by ``option``, e.g. ``--out``) must be one tinydl can
    write into: checked before any data is loaded, not at the first checkpoint, after an
    epoch of training."""
    problem = folder_problem(folder)
    if problem is not None:
        raise TinyDLError(f"{option} {folder}: {problem}; give a folder for the results")


def atomic_savez(path: str | Path, arrays: dict[str, np.ndarray], operation: str) -> Path:
    """Write ``arrays`` to ``path`` as ``.npz`` through a temporary file in the same folder and
    a rename (:func:`tinydl.data.atomic.atomic_write`), creating the folder if needed. A
    write the file system refuses raises :class:`tinydl.errors.FileWriteError`, whose
    message starts with ``operation``.

    SIGINT and SIGTERM are held while the file is written (see :func:`signals_held`).
    """
    path = Path(path)
    if path.is_dir():
        raise CheckpointError(
            f"cannot save a checkpoint to {path}: it is a folder; give a file name such as "
            f"{path / 'model.npz'}"
        )
    existing = _nearest_existing(path.parent)
    if not existing.is_dir():
        raise CheckpointError(f"cannot save a checkpoint to {path}: {existing} is a file, "
                              f"not a folder")
    with signals_held(), atomic_write(path, operation, make_folders=True) as file:
        np.savez(file, **arrays)
        _pause_for_tests()
    return path


# Test hook (tests/test_interrupt.py): with this variable set to a number of seconds, every
# checkpoint write waits that long after writing its temporary file and before renaming it,
# so a test can send a signal while the write is in progress. Unset, it costs one lookup.
PAUSE_VARIABLE = "TINYDL_TEST_CHECKPOINT_PAUSE"


def _pause_for_tests() -> None:
    delay = os.environ.get(PAUSE_VARIABLE)
    if delay:
        time.sleep(float(delay))


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """Hold SIGINT and SIGTERM until the block ends, then deliver them to their handlers.

    A checkpoint is then always the whole new one, even when Ctrl-C lands mid-write. A
    second signal aborts the block at once (a write that hangs can still be stopped; the
    temporary file is removed) and the first is delivered. Outside the main thread, where
    Python cannot handle signals, or under handlers set outside Python, nothing is held.
    """
    previous = {
        kind: handler
        for kind in (signal.SIGINT, signal.SIGTERM)
        if (handler := signal.getsignal(kind)) is not signal.SIG_IGN
    }
    if threading.current_thread() is not threading.main_thread() or None in previous.values():
        yield
        return
    received: list[int] = []

    def hold(signum: int, frame: Any) -> None:
        received.append(signum)
        if len(received) > 1:
            raise _Aborted

    for kind in previous:
        signal.signal(kind, hold)
    aborted = False
    try:
        yield
    except _Aborted:
        aborted = True
    finally:
        for kind, handler in previous.items():
            signal.signal(kind, handler)
    if received:  # now the first signal does what it would have done (usually: raise)
        signal.raise_signal(received[0])
    if aborted:  # its handler let the program go on, but the block did not finish
        raise KeyboardInterrupt


class _Aborted(KeyboardInterrupt):
    """A second signal while :func:`signals_held` holds the first."""


def save_checkpoint(
    path: str | Path, model: Module, optimizer: Any = None, **extra: Any
) -> Path:
    """Save the model's ``state_dict()``, the optimiser's state (to resume training) and any
    ``extra`` values (epoch, history, …: numbers, strings, arrays, and dicts, lists and
    tuples of them) to ``path``; :func:`load_checkpoint` gives them back as they were."""
    return write_checkpoint(path, model, optimizer, extra, "save_checkpoint()")


def write_checkpoint(
    path: str | Path, model: Module, optimizer: Any, extra: dict[str, Any], caller: str
) -> Path:
    """:func:`save_checkpoint`, for a caller (Keras's ``model.save()``) that its error
    messages name."""
    check_model(caller, model)
    arrays = pack("model", model.state_dict(), "model.state_dict()", caller)
    if optimizer is not None:
        arrays.update(pack("optimizer", optimizer.state_dict(), "optimizer.state_dict()",
                           caller))
    arrays.update(pack("extra", extra, "extra", caller))
    return atomic_savez(path, arrays, caller)


def check_model(caller: str, model: Any) -> None:
    """The model check of every function that takes a model (fit, evaluate, the checkpoints)."""
    check.instance(caller, "model", model, Module, "a tinydl Module (such as nn.Sequential(...))")


_ZIP_MAGIC = b"PK\x03\x04"  # how every non-empty .npz (a zip archive) begins


def _read(source: str | Path | BinaryIO) -> dict[str, np.ndarray]:
    """Every array of the ``.npz`` archive at ``source`` (a path or an open binary file)."""
    return read_npz(*read_bytes(source))


def read_bytes(source: str | os.PathLike | BinaryIO) -> tuple[bytes, str]:
    """The bytes of the file at path ``source``, or of what an open binary file object (an
    ``open(path, "rb")``, an ``io.BytesIO``) holds from its position; and a name for it
    in messages."""
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if not path.is_file():
            raise CheckpointError(f"no checkpoint at {path}")
        return path.read_bytes(), str(path)
    if not callable(getattr(source, "read", None)):
        raise TypeError(
            f"expected a path or a file object opened for reading in binary mode, got "
            f"{type(source).__name__}"
        )
    name = str(getattr(source, "name", f"the {type(source).__name__}"))
    data = source.read()
    if not isinstance(data, bytes):
        raise TypeError(f"{name} is open in text mode: open it with open(path, 'rb')")
    return data, name


def read_npz(data: bytes, name: str) -> dict[str, np.ndarray]:
    """Every array of the ``.npz`` archive ``data`` (``name`` names it in messages), read
    with ``allow_pickle=False``."""
    if data[: len(_ZIP_MAGIC)] != _ZIP_MAGIC:
        raise CheckpointError(f"{name} is not a tinydl checkpoint: it is not an .npz (zip) archive")
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as archive:
            return {entry: archive[entry] for entry in archive.files}
    except Exception as err:  # zipfile.BadZipFile, truncated data, pickled content, ...
        raise CheckpointError(
            f"{name} is not a readable tinydl checkpoint (truncated or corrupt?): {err}"
        ) from err


def read_extra(path: str | Path) -> dict[str, Any]:
    """Only the ``extra`` values of a checkpoint (which example, epoch, history, …)."""
    return _unflatten(_read(path), "extra", path) or {}


def checkpoint_example(path: str | Path) -> str:
    """Which example (zoo recipe) a checkpoint written by ``tinydl train`` belongs to: the
    ``example`` that ``tinydl train`` saves in ``extra``."""
    extra = read_extra(path)
    if "example" not in extra:
        raise CheckpointError(
            f"{path} does not say which example it is (not written by tinydl train)"
        )
    return extra["example"]


def _unflatten(entries: dict[str, np.ndarray], prefix: str, path: str | Path) -> Any:
    try:
        return unpack(entries, prefix)
    except CheckpointError as err:
        raise CheckpointError(f"{path} is not a readable tinydl checkpoint: {err}") from None


def load_checkpoint(
    path: str | Path, model: Module, optimizer: Any = None, allow_nonfinite: bool = False
) -> dict[str, Any]:
    """Load a checkpoint into ``model`` (and ``optimizer``); returns the saved ``extra`` values.

    Names and shapes are checked first, and a mismatch is reported in full; on any error
    neither the model nor the optimiser is changed. Weights that are NaN or infinite are
    refused unless ``allow_nonfinite=True`` (to inspect a diverged model).
    """
    check_model("load_checkpoint()", model)
    entries = _read(path)
    state = _unflatten(entries, "model", path)
    if not isinstance(state, dict) or not state:
        raise CheckpointError(f"{path} holds no model weights (is it a tinydl checkpoint?)")
    optimizer_state = _unflatten(entries, "optimizer", path) if optimizer is not None else None
    if optimizer is not None and not optimizer_state:
        raise CheckpointError(f"{path} holds no optimiser state to resume from")
    previous = model.state_dict() if optimizer is not None else None
    try:
        model.load_state_dict(state, allow_nonfinite=allow_nonfinite)
        if optimizer is not None:
            optimizer.load_state_dict(optimizer_state)
    except (ValueError, TypeError) as err:
        if previous is not None:  # the optimiser's state did not fit: undo the model
            model.load_state_dict(previous, allow_nonfinite=True)
        raise CheckpointError(f"{path}: {err}") from None
    return _unflatten(entries, "extra", path) or {}
