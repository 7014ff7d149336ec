"""Reading what ``torch.save`` wrote (e.g. ``torch.save(model.state_dict(), "mnist_cnn.pt")``)
without PyTorch and without running any code from the file.

Since PyTorch 1.6 such a file is a zip archive::

    mnist_cnn/data.pkl        a pickle of the saved object, tensors replaced by references
    mnist_cnn/data/0, /1, …   each tensor's storage: its raw bytes, little-endian
    mnist_cnn/byteorder, version, …

A pickle is a small program that may import and call anything it names, so it is read
with an unpickler that knows only the few names a file of tensors, numbers, strings and
containers uses (an ordered dict, "rebuild a tensor from a storage", the storage types,
NumPy's arrays and scalars) and refuses every other one. Each tensor becomes a NumPy
array: its storage's bytes viewed with the tensor's offset, shape and strides, after
checking that they stay inside the storage.
"""

from __future__ import annotations

import collections
import pickle
import zipfile
from collections.abc import Callable
from typing import Any

import numpy as np

from tinydl.data.safe_pickle import ALLOWED_GLOBALS

# The storage types a tensor's reference names, and the dtype of their elements.
_STORAGE_DTYPES = {
    "DoubleStorage": np.float64, "FloatStorage": np.float32, "HalfStorage": np.float16,
    "LongStorage": np.int64, "IntStorage": np.int32, "ShortStorage": np.int16,
    "CharStorage": np.int8, "ByteStorage": np.uint8, "BoolStorage": np.bool_,
    "ComplexDoubleStorage": np.complex128, "ComplexFloatStorage": np.complex64,
}


class _StorageType:
    """What the unpickler hands over for ``torch.FloatStorage`` and the like: a name and
    the NumPy dtype of its elements (None where NumPy has no such dtype)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.dtype = np.dtype(_STORAGE_DTYPES[name]) if name in _STORAGE_DTYPES else None


class _Storage:
    """One storage of the archive: its elements as a flat array, and where it was saved."""

    def __init__(self, values: np.ndarray, location: str) -> None:
        self.values, self.location = values, location


def is_torch_archive(archive: zipfile.ZipFile) -> bool:
    """Whether a zip archive is one ``torch.save`` wrote (it holds ``<name>/data.pkl``)."""
    return any(name.endswith("/data.pkl") and name.count("/") == 1 for name in archive.namelist())


def read_torch_archive(archive: zipfile.ZipFile, place: Callable[[np.ndarray, str], Any]) -> Any:
    """The object a ``torch.save`` archive holds, its tensors as arrays handed to
    ``place(array, saved_location)`` (which may move them to a device). Anything it cannot
    read safely raises :class:`pickle.UnpicklingError` saying why."""
    pickle_name = next(n for n in archive.namelist() if n.endswith("/data.pkl"))
    folder = pickle_name[: -len("data.pkl")]
    if folder + "byteorder" in archive.namelist():
        order = archive.read(folder + "byteorder").decode(errors="replace").strip()
        if order != "little":
            raise pickle.UnpicklingError(f"its tensors are stored {order}-endian; tinydl "
                                         f"reads little-endian files only")
    storages: dict[str, _Storage] = {}

    def storage(reference: tuple) -> _Storage:
        if (not isinstance(reference, tuple) or len(reference) != 5 or reference[0] != "storage"
                or not isinstance(reference[1], _StorageType)):
            raise pickle.UnpicklingError(f"unknown kind of persistent reference "
                                         f"{reference!r:.80}")
        _, kind, key, location, count = reference
        if kind.dtype is None:
            raise pickle.UnpicklingError(
                f"it holds a tensor stored as {kind.name}, which NumPy (and so tinydl) has no "
                f"dtype for; convert it in PyTorch first, e.g. tensor.float()"
            )
        if key not in storages:
            data = archive.read(f"{folder}data/{key}")
            if len(data) < count * kind.dtype.itemsize:
                raise pickle.UnpicklingError(f"its storage {key} is truncated")
            values = np.frombuffer(data, dtype=kind.dtype.newbyteorder("<"), count=count)
            storages[key] = _Storage(values, str(location))
        return storages[key]

    def rebuild_tensor(stored: _Storage, offset: int, size: tuple, stride: tuple, *_: Any) -> Any:
        return place(_strided(stored.values, offset, size, stride), stored.location)

    unpickler = _TorchUnpickler(archive.open(pickle_name), rebuild_tensor)
    unpickler.persistent_load = storage  # type: ignore[method-assign]
    return unpickler.load()


def _strided(values: np.ndarray, offset: int, size: tuple, stride: tuple) -> np.ndarray:
    """A copy of the tensor that views ``values`` from ``offset`` with ``size`` and
    ``stride`` (in elements), refused unless every element it reads lies inside ``values``
    (a crafted file could otherwise make NumPy read arbitrary memory)."""
    numbers = (offset, *size, *stride)
    if (not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in numbers)
            or len(size) != len(stride)):
        raise pickle.UnpicklingError(f"a tensor has an invalid offset, shape or strides "
                                     f"({offset}, {size}, {stride})")
    if 0 in size:
        return np.zeros(size, dtype=values.dtype)
    last = offset + sum((n - 1) * step for n, step in zip(size, stride, strict=True))
    if last >= values.size:
        raise pickle.UnpicklingError("a tensor reaches past the end of its storage")
    view = np.lib.stride_tricks.as_strided(
        values[offset:], shape=size, strides=[step * values.itemsize for step in stride],
        writeable=False,
    )
    return np.array(view, dtype=values.dtype.type)  # a copy, in the machine's byte order


def _rebuild_parameter(data: Any, *_: Any) -> Any:
    """A saved ``nn.Parameter``: its data (tinydl's arrays carry no gradient flag)."""
    return data


class _TorchUnpickler(pickle.Unpickler):
    """Resolves only the names a file of tensors and plain data needs."""

    def __init__(self, file: Any, rebuild_tensor: Callable[..., Any]) -> None:
        super().__init__(file)
        self.allowed: dict[tuple[str, str], Any] = {
            **ALLOWED_GLOBALS,
            ("collections", "OrderedDict"): collections.OrderedDict,
            ("torch._utils", "_rebuild_tensor_v2"): rebuild_tensor,
            ("torch._utils", "_rebuild_parameter"): _rebuild_parameter,
        }

    def find_class(self, module: str, name: str) -> Any:
        if module == "torch" and name.endswith("Storage"):
            return _StorageType(name)
        try:
            return self.allowed[module, name]
        except KeyError:
            raise pickle.UnpicklingError(
                f"it needs {module}.{name} to be loaded, and tinydl never runs code from a "
                f"file: it reads tensors, numbers, strings, lists and dicts (save "
                f"model.state_dict() rather than the model, and plain values rather than "
                f"objects)"
            ) from None
