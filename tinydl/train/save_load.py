"""``tinydl.save`` / ``tinydl.load``: PyTorch's ``torch.save`` and ``torch.load``.

Underneath is the checkpoint format (:mod:`tinydl.train.checkpoint`): an ``.npz`` of plain
arrays, written atomically to a path (a crash mid-write keeps the previous file) and read
with ``allow_pickle=False``. State needs no pickle: arrays, tensors, NumPy scalars,
numbers, strings, booleans and None, nested in dicts (keys ``str`` or ``int``), lists and
tuples, which covers ``model.state_dict()``, ``optimizer.state_dict()`` and ``{"model":
..., "optimizer": ..., "epoch": 3}``, are saved as named arrays and a JSON tree, and
``load`` gives back exactly what was saved, types included
(:mod:`tinydl.train.state_archive`); loading such a file never runs code.

Anything else (a whole model, an optimiser object, any picklable object) is pickled, as
``torch.save`` does, beside its tensors (:mod:`tinydl.train.pickled_object`). ``load``
unpickles it calling only the classes and functions the program allowed
(:mod:`tinydl.serialization`), unless ``weights_only=False`` says to trust the file.

``load`` also reads what ``torch.save`` wrote (:mod:`tinydl.train.torch_files`), so a
state dict saved by a PyTorch program loads into the same model written with tinydl.
"""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from tinydl import backend
from tinydl.train.checkpoint import CheckpointError, atomic_savez, read_bytes, read_npz
from tinydl.train.pickled_object import is_pickled, pickled, unpickled
from tinydl.train.state_archive import pack, unpack
from tinydl.train.torch_files import is_torch_archive, read_torch_archive

_ROOT = "saved"  # every entry's name starts here, apart from a checkpoint's "model/..."


def save(obj: Any, f: str | os.PathLike | BinaryIO) -> Path | None:
    """Write ``obj`` to ``f``: a path (any name; ``"mnist_cnn.pt"`` works), written
    atomically, whose Path is returned; or a binary file object open for writing
    (``open(path, "wb")``, ``io.BytesIO()``), written from its position, and None is
    returned.

    State (dicts with ``str`` or ``int`` keys, lists and tuples of arrays of numbers or
    strings, tensors, NumPy scalars, int, float, bool, str and None) is saved as arrays, and
    :func:`load` gives it back as it was, types included. Any other object (``model``
    itself, an optimiser, a set, an object of the program's own class) is pickled, as
    ``torch.save`` does, its tensors moved to the host and kept beside the pickle; one that
    pickle cannot save (a lambda, a class defined inside a function) raises
    :class:`CheckpointError` saying so, before writing."""
    is_path = isinstance(f, (str, os.PathLike))
    if not is_path and (not callable(getattr(f, "write", None)) or isinstance(f, io.TextIOBase)):
        raise TypeError(
            f"tinydl.save() writes to a path or to a binary file object (open(path, 'wb'), "
            f"io.BytesIO()), got {type(f).__name__}"
        )
    try:
        arrays = pack(_ROOT, obj, "obj", "tinydl.save()")
    except CheckpointError:  # not state: pickled, as torch.save does
        arrays = pickled(_ROOT, obj, "tinydl.save()")
    if is_path:
        return atomic_savez(f, arrays, "tinydl.save()")
    np.savez(f, **arrays)
    return None


def load(
    f: str | os.PathLike | BinaryIO, map_location: Any = None, *, weights_only: bool | None = None,
) -> Any:
    """What :func:`save` (or ``torch.save``) wrote to ``f``, a path or a binary file object
    open for reading (``open(path, "rb")``, ``io.BytesIO``): for :func:`save`'s files, the
    object as it was saved (a Tensor comes back a Tensor, an array an array, a model a
    model); for ``torch.save``'s, its tensors as arrays. A ``model.load_state_dict()`` of
    it puts the arrays on the model's device.

    ``weights_only`` (True, or None, the default, as in PyTorch 2.6 and later): an object
    that :func:`save` pickled is rebuilt calling only the classes and functions allowed
    with :func:`tinydl.serialization.safe_globals` or ``add_safe_globals``, and any other
    one it needs is refused, naming it, before anything of it runs. ``weights_only=False``
    calls whatever the pickle names: it runs code from the file, so use it only for a file
    you trust. State files and ``torch.save`` files never run code, whatever it says.

    ``map_location`` says where the arrays go, as in ``torch.load``: a device ("cpu",
    "cuda", "cuda:1", ``tinydl.device(...)``), or a dict from saved location to device
    (``{"cuda:0": "cpu"}``). Without it, the tensors of a pickled object go back to the
    device they were saved from; the arrays of state and of ``torch.save`` files stay on
    the host (NumPy arrays; state is saved from the host, "cpu").
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
        if not is_pickled(entries, _ROOT):
            return unpack(entries, _ROOT, lambda array: place(array, "cpu"))
        kept = unpack(entries, _ROOT)  # the pickled object's tensors and arrays, on the host
    except CheckpointError as err:
        raise CheckpointError(f"{name} is not a readable tinydl.save() file: {err}") from None
    back_where_saved = _placement(map_location, unmapped=backend.to_device)
    return unpickled(entries, _ROOT, kept, back_where_saved, weights_only is not False, name)


_ZIP_START = b"PK\x03\x04"
_PICKLE_START = b"\x80"  # the PROTO opcode that starts every pickle since protocol 2


def _stay(array: Any, location: str) -> Any:
    return array


def _placement(map_location: Any, unmapped: Callable[[Any, str], Any] = _stay) -> Any:
    """``map_location`` as a function (array, saved location) -> the array where it goes;
    ``unmapped`` places an array that ``map_location`` says nothing about."""
    if map_location is None:
        return unmapped
    if isinstance(map_location, Mapping):
        targets = {str(saved): backend.device(target) for saved, target in map_location.items()}
        return lambda array, location: (
            backend.to_device(array, targets[location]) if location in targets
            else unmapped(array, location)
        )
    if callable(map_location):
        raise TypeError(
            "tinydl.load(): map_location as a function is not supported; give a device "
            "('cpu', 'cuda') or a dict such as {'cuda:0': 'cpu'}"
        )
    target = backend.device(map_location)
    return lambda array, location: backend.to_device(array, target)
