"""Saving and loading a model (and optionally its optimiser) as one ``.npz`` file.

The file holds only arrays (``allow_pickle=False`` on load, so a checkpoint can
never run code), written to a temporary file and renamed into place: a crash
mid-write leaves the previous checkpoint intact, never a half-written one.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from tinydl.data.atomic import atomic_write
from tinydl.errors import TinyDLError
from tinydl.nn.module import Module


class CheckpointError(TinyDLError, ValueError):
    """A checkpoint file is missing, corrupt, or does not fit the model."""


def flatten_state(prefix: str, state: Any, out: dict[str, np.ndarray]) -> None:
    """Nested dicts of arrays become ``prefix/key/subkey`` entries; other leaves (and empty
    dicts, which have no entries to stand for them) go to JSON."""
    if isinstance(state, dict) and state:
        for key, value in state.items():
            flatten_state(f"{prefix}/{key}", value, out)
    elif isinstance(state, np.ndarray):
        out[prefix] = state
    else:
        out[prefix + "#json"] = np.array(json.dumps(state))


def unflatten_state(entries: dict[str, np.ndarray], prefix: str) -> Any:
    """The inverse of :func:`flatten_state` for every entry under ``prefix``."""
    root: dict[str, Any] = {}
    for name, value in entries.items():
        if not (name == prefix or name.startswith(prefix + "/") or name == prefix + "#json"):
            continue
        is_json = name.endswith("#json")
        path = name.removesuffix("#json")[len(prefix):].strip("/").split("/")
        leaf = json.loads(str(value)) if is_json else value
        if path == [""]:
            return leaf
        node = root
        for key in path[:-1]:
            node = node.setdefault(key, {})
        node[path[-1]] = leaf
    return _restore_int_keys(root)


def _restore_int_keys(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    return {(int(k) if k.isdigit() else k): _restore_int_keys(v) for k, v in node.items()}


def atomic_savez(path: str | Path, arrays: dict[str, np.ndarray]) -> Path:
    """Write ``arrays`` to ``path`` as ``.npz`` through a temporary file in the same folder and
    a rename (:func:`tinydl.data.atomic.atomic_write`), creating the folder if needed."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(path) as file:
        np.savez(file, **arrays)
    return path


def save_checkpoint(
    path: str | Path, model: Module, optimizer: Any = None, **extra: Any
) -> Path:
    """Save the model's ``state_dict()``, the optimiser's state (to resume training) and any
    JSON-able ``extra`` values (epoch, history, …) to ``path``."""
    arrays: dict[str, np.ndarray] = {}
    flatten_state("model", dict(model.state_dict()), arrays)
    if optimizer is not None:
        flatten_state("optimizer", optimizer.state_dict(), arrays)
    flatten_state("extra", extra, arrays)
    return atomic_savez(path, arrays)


_ZIP_MAGIC = b"PK\x03\x04"  # how every non-empty .npz (a zip archive) begins


def _read(path: str | Path) -> dict[str, np.ndarray]:
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"no checkpoint at {path}")
    with path.open("rb") as file:
        if file.read(len(_ZIP_MAGIC)) != _ZIP_MAGIC:
            raise CheckpointError(
                f"{path} is not a tinydl checkpoint: it is not an .npz (zip) archive"
            )
    try:
        with np.load(path, allow_pickle=False) as archive:
            return {name: archive[name] for name in archive.files}
    except Exception as err:  # zipfile.BadZipFile, truncated data, pickled content, ...
        raise CheckpointError(
            f"{path} is not a readable tinydl checkpoint (truncated or corrupt?): {err}"
        ) from err


def read_extra(path: str | Path) -> dict[str, Any]:
    """Only the ``extra`` values of a checkpoint (which example, epoch, history, …)."""
    return unflatten_state(_read(path), "extra") or {}


def load_checkpoint(path: str | Path, model: Module, optimizer: Any = None) -> dict[str, Any]:
    """Load a checkpoint into ``model`` (and ``optimizer``); returns the saved ``extra`` values.

    Names and shapes are checked first, and a mismatch is reported in full; on any error
    neither the model nor the optimiser is changed.
    """
    entries = _read(path)
    state = unflatten_state(entries, "model")
    if not isinstance(state, dict) or not state:
        raise CheckpointError(f"{path} holds no model weights (is it a tinydl checkpoint?)")
    optimizer_state = unflatten_state(entries, "optimizer") if optimizer is not None else None
    if optimizer is not None and not optimizer_state:
        raise CheckpointError(f"{path} holds no optimiser state to resume from")
    previous = model.state_dict() if optimizer is not None else None
    try:
        model.load_state_dict(state)
        if optimizer is not None:
            optimizer.load_state_dict(optimizer_state)
    except ValueError as err:
        if previous is not None:
            model.load_state_dict(previous)  # the optimiser's state did not fit: undo the model
        raise CheckpointError(f"{path}: {err}") from None
    return unflatten_state(entries, "extra") or {}
