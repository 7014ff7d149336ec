"""``tinydl.save`` / ``tinydl.load``: PyTorch's ``torch.save(model.state_dict(), path)`` in
one word, for state dicts and nested dicts of them.

Underneath is the checkpoint format (:mod:`tinydl.train.checkpoint`): an ``.npz`` of plain
arrays, written atomically (a crash mid-write keeps the previous file) and read with
``allow_pickle=False``, so loading a file can never run code. Unlike ``torch.save`` it
does not pickle arbitrary objects: it saves arrays, tensors (as arrays) and what JSON
holds (numbers, strings, lists), nested in dicts, which covers ``model.state_dict()``,
``optimizer.state_dict()`` and ``{"model": ..., "optimizer": ..., "epoch": 3}``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tinydl import backend
from tinydl.autograd.tensor import Tensor
from tinydl.nn.module import Module
from tinydl.train.checkpoint import (
    CheckpointError,
    _read,
    atomic_savez,
    flatten_state,
    unflatten_state,
)

_ROOT = "saved"  # every entry's name starts here, apart from a checkpoint's "model/..."


def save(obj: Any, path: str | Path) -> Path:
    """Write ``obj`` (a state dict, or nested dicts of arrays, tensors and JSON values) to
    ``path`` (any name; ``"mnist_cnn.pt"`` works) and return the path. Dict keys must be
    strings without "/" (those nest), or integers (they come back as integers)."""
    if isinstance(obj, Module):
        raise TypeError(
            "tinydl.save() saves state dicts, not models (tinydl never pickles code): "
            "save model.state_dict(), then model.load_state_dict(tinydl.load(path)) "
            "into a freshly built model"
        )
    arrays: dict[str, Any] = {}
    flatten_state(_ROOT, _to_host(obj), arrays)
    return atomic_savez(path, arrays)


def load(path: str | Path, map_location: Any = None, weights_only: bool = True) -> Any:
    """What :func:`save` wrote to ``path``: dicts of NumPy arrays and JSON values
    (``model.load_state_dict()`` puts the arrays on the model's device). ``map_location``
    and ``weights_only`` are accepted for PyTorch code and change nothing: arrays always
    load on the host, and a file never holds code."""
    entries = _read(path)
    if not any(name == _ROOT or name.startswith((_ROOT + "/", _ROOT + "#")) for name in entries):
        raise CheckpointError(
            f"{path} was not written by tinydl.save() (for a checkpoint of fit() or "
            f"save_checkpoint(), use tinydl.train.load_checkpoint)"
        )
    return unflatten_state(entries, _ROOT)


def _to_host(obj: Any) -> Any:
    """Tensors and device arrays as host NumPy arrays, inside dicts, lists and tuples."""
    if isinstance(obj, Tensor):
        return obj.numpy()
    if backend.is_array(obj):
        return backend.to_numpy(obj)
    if isinstance(obj, dict):
        return {key: _to_host(value) for key, value in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_to_host(value) for value in obj]
    return obj
