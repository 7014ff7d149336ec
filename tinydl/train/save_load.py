"""``tinydl.save`` / ``tinydl.load``: PyTorch's ``torch.save(model.state_dict(), path)`` in
one word, for state dicts and nested dicts of them.

Underneath is the checkpoint format (:mod:`tinydl.train.checkpoint`): an ``.npz`` of plain
arrays, written atomically to a path (a crash mid-write keeps the previous file) and read
with ``allow_pickle=False``, so loading a file can never run code. Unlike ``torch.save`` it
does not pickle arbitrary objects: it saves arrays, tensors, NumPy scalars, numbers,
strings, booleans and None, nested in dicts (keys ``str`` or ``int``), lists and tuples,
which covers ``model.state_dict()``, ``optimizer.state_dict()`` and ``{"model": ...,
"optimizer": ..., "epoch": 3}``. ``load`` gives back exactly what was saved, types
included (:mod:`tinydl.train.state_archive`); what could not come back so is refused by
``save``, which names where it is.

``load`` also reads what ``torch.save`` wrote (:mod:`tinydl.train.torch_files`), so a
state dict saved by a PyTorch program loads into the same model written with tinydl.
"""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from tinydl import backend
from tinydl.nn.module import Module
from tinydl.train.checkpoint import CheckpointError, atomic_savez, read_bytes, read_npz
from tinydl.train.state_archive import pack, unpack
from tinydl.train.torch_files import is_torch_archive, read_torch_archive

_ROOT = "saved"  # every entry's name starts here, apart from a checkpoint's "model/..."


def save(obj: Any, f: str | os.PathLike | BinaryIO) -> Path | None:
    """Write ``obj`` (a state dict, or nested dicts of arrays, tensors and JSON values) to
    ``f``: a path (any name; ``"mnist_cnn.pt"`` works), written atomically, whose Path is
    returned; or a binary file object open for writing (``open(path, "wb")``,
    ``io.BytesIO()``), written from its position, and None is returned.

    :func:`load` gives back what was saved, types included: dict keys must be ``str`` or
    ``int``, and the values arrays (not of Python objects), tensors, NumPy scalars, int,
    float, bool, str, None, or dicts, lists and tuples of them; anything else raises
    :class:`CheckpointError` naming where it is (``obj['model'][0]``), before writing."""
    if isinstance(obj, Module):
        raise TypeError(
            f"tinydl.save() saves state dicts, not models (tinydl never pickles code), got the "
            f"{type(obj).__name__} itself: save model.state_dict() instead, and to load it, "
            f"build the model again as the program first built it and call "
            f"model.load_state_dict(tinydl.load(f)); copy.deepcopy(model) keeps a whole "
            f"model in memory"
        )
    is_path = isinstance(f, (str, os.PathLike))
    if not is_path and (not callable(getattr(f, "write", None)) or isinstance(f, io.TextIOBase)):
        raise TypeError(
            f"tinydl.save() writes to a path or to a binary file object (open(path, 'wb'), "
            f"io.BytesIO()), got {type(f).__name__}"
        )
    arrays = pack(_ROOT, obj, "obj", "tinydl.save()")
    if is_path:
        return atomic_savez(f, arrays, "tinydl.save()")
    np.savez(f, **arrays)
    return None


def load(
    f: str | os.PathLike | BinaryIO, map_location: Any = None, *, weights_only: bool | None = None,
) -> Any:
    """What :func:`save` (or ``torch.save``) wrote to ``f``, a path or a binary file object
    open for reading (``open(path, "rb")``, ``io.BytesIO``): for :func:`save`'s files, the
    object as it was saved (a Tensor comes back a Tensor, an array an array); for
    ``torch.save``'s, its tensors as arrays. A ``model.load_state_dict()`` of it puts the
    arrays on the model's device.

    ``map_location`` says where the arrays go, as in ``torch.load``: None or "cpu" (the
    host: NumPy arrays), a device ("cuda", "cuda:1", ``tinydl.device(...)``), or a dict
    from saved location to device (``{"cuda:0": "cpu"}``; tinydl files are saved from the
    host, "cpu"). ``weights_only`` is accepted for PyTorch code; tinydl always loads
    weights only: a file is never allowed to run code, and one that would need to (a
    pickled model or object from ``torch.save``) is refused whatever ``weights_only`` says.
    """
    if weights_only not in (None, True, False):
        raise TypeError(f"tinydl.load(): weights_only must be True, False or None, got "
                        f"{weights_only!r}")
    place = _placement(map_location)
    data, name = read_bytes(f)
    if data[:4] == _ZIP_START and is_torch_archive(zipfile.ZipFile(io.BytesIO(data))):
        try:
            return read_torch_archive(zipfile.ZipFile(io.BytesIO(data)), place)
        except Exception as err:  # a refused name, a corrupt pickle or storage, ...
            raise CheckpointError(f"cannot load {name}, written by torch.save: {err}") from err
    if data[:1] == _PICKLE_START:
        raise CheckpointError(
            f"{name} is a pickle, not an archive: torch.save's legacy format "
            f"(_use_new_zipfile_serialization=False) or pickle.dump. tinydl reads files of "
            f"tinydl.save() and of torch.save() since PyTorch 1.6; save it again with those"
        )
    entries = read_npz(data, name)
    if not any(entry == _ROOT or entry.startswith((_ROOT + "/", _ROOT + "#"))
               for entry in entries):
        raise CheckpointError(
            f"{name} was not written by tinydl.save() (for a checkpoint of fit() or "
            f"save_checkpoint(), use tinydl.train.load_checkpoint)"
        )
    try:
        return unpack(entries, _ROOT, lambda array: place(array, "cpu"))
    except CheckpointError as err:
        raise CheckpointError(f"{name} is not a readable tinydl.save() file: {err}") from None


_ZIP_START = b"PK\x03\x04"
_PICKLE_START = b"\x80"  # the PROTO opcode that starts every pickle since protocol 2


def _placement(map_location: Any) -> Any:
    """``map_location`` as a function (array, saved location) -> the array where it goes."""
    if map_location is None:
        return lambda array, location: array
    if isinstance(map_location, Mapping):
        targets = {str(saved): backend.device(target) for saved, target in map_location.items()}
        return lambda array, location: (
            backend.to_device(array, targets[location]) if location in targets else array
        )
    if callable(map_location):
        raise TypeError(
            "tinydl.load(): map_location as a function is not supported; give a device "
            "('cpu', 'cuda') or a dict such as {'cuda:0': 'cpu'}"
        )
    target = backend.device(map_location)
    return lambda array, location: backend.to_device(array, target)
