"""Map-style datasets as PyTorch has them (``torch.utils.data``): ``Dataset``,
``TensorDataset``, ``Subset``, and the collation of single samples into a batch.

A dataset has ``len(dataset)`` samples and ``dataset[i]`` gives one, usually an
``(input, target)`` pair. Collating a batch one Python item at a time is slow for
MNIST-sized images, so a dataset may also answer :meth:`Dataset.get_batch`: the samples
at many indices at once, already stacked. :class:`~tinydl.data.DataLoader` asks for that;
the base class's version falls back to fetching items one by one.
"""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Number
from typing import Any

import numpy as np

from tinydl import backend, check
from tinydl.autograd.tensor import Tensor
from tinydl.autograd.tensor_checks import numeric_array
from tinydl.data.errors import DataError


class Dataset:
    """Base class of map-style datasets: subclasses define ``__len__`` and ``__getitem__``.

    ``get_batch(indices)`` returns the samples at ``indices`` stacked field by field:
    a tuple of arrays for tuple samples (``(images, labels)``), one array otherwise.
    Override it when the dataset can gather a whole batch with one array operation.
    """

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__")

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must define __len__")

    def get_batch(self, indices: np.ndarray) -> Any:
        return collate([self[int(i)] for i in indices])


def fetch_batch(dataset: Any, indices: np.ndarray) -> Any:
    """The samples at ``indices`` of any dataset, stacked: in one go if it offers
    ``get_batch``, else item by item through ``dataset[i]``."""
    if isinstance(dataset, Dataset):
        return dataset.get_batch(indices)
    return collate([dataset[int(i)] for i in indices])


def collate(samples: list[Any]) -> Any:
    """Stack single samples into a batch, field by field (PyTorch's default collation).

    Tuple or list samples give a tuple of batches, one per field. Arrays, Tensors and
    numbers are stacked along a new first axis; anything else (strings, say) stays a list.
    """
    first = samples[0]
    if isinstance(first, (tuple, list)):
        if any(not isinstance(s, (tuple, list)) or len(s) != len(first) for s in samples):
            raise DataError(
                f"a dataset's samples must all have the same structure to form a batch: the "
                f"first has {len(first)} fields, another is {_describe(samples)}"
            )
        return tuple(_stack(list(field)) for field in zip(*samples, strict=True))
    return _stack(samples)


def _describe(samples: list[Any]) -> str:
    odd = next(
        s for s in samples if not isinstance(s, (tuple, list)) or len(s) != len(samples[0])
    )
    if isinstance(odd, (tuple, list)):
        return f"a {type(odd).__name__} of {len(odd)}"
    return f"a {type(odd).__name__}"


_STACKABLE = ("an array", "a number", "a string")


def _stack(values: list[Any]) -> Any:
    """One field of a batch: arrays or Tensors of one shape stacked, numbers in an array,
    strings kept as a list; anything else is refused, as PyTorch's collation does."""
    kinds = [_kind(v) for v in values]
    odd = next((i for i, kind in enumerate(kinds) if kind != kinds[0]), None)
    if kinds[0] not in _STACKABLE or odd is not None:
        strange = next((k for k in kinds if k not in _STACKABLE), None)
        found = (f"a sample holds {strange}" if strange else
                 f"one field is {kinds[0]} in the batch's sample 0 but {kinds[odd]} in {odd}")
        raise DataError(
            f"a batch is stacked from arrays, Tensors, numbers or strings, but {found}: make "
            f"the dataset's __getitem__ return those, the same kinds for every sample (e.g. "
            f"an (image, label) pair)"
        )
    if kinds[0] == "a string":
        return values
    if kinds[0] == "a number":
        return np.asarray(values)
    arrays = [v.array if isinstance(v, Tensor) else v for v in values]
    odd = next((i for i, a in enumerate(arrays) if a.shape != arrays[0].shape), None)
    if odd is not None:
        raise DataError(
            f"the samples of a batch must have one shape to be stacked, got "
            f"{tuple(arrays[0].shape)} in the batch's sample 0 and {tuple(arrays[odd].shape)} "
            f"in {odd}: resize or pad them in the dataset (or a transform), or use batch_size=1"
        )
    return backend.array_module(arrays[0]).stack(arrays)


def _kind(value: Any) -> str:
    """What a field of a sample is, for :func:`_stack`: one of :data:`_STACKABLE`, or "None"
    or "a" and its type's name."""
    if isinstance(value, Tensor) or backend.is_array(value):
        return "an array"
    if isinstance(value, (Number, np.generic)):
        return "a number"
    if isinstance(value, (str, bytes)):
        return "a string"
    return "None" if value is None else f"a {type(value).__name__}"


class TensorDataset(Dataset):
    """Samples ``(a[i], b[i], ...)`` of arrays or Tensors with the same first dimension."""

    def __init__(self, *arrays: Any) -> None:
        if not arrays:
            raise DataError("TensorDataset needs at least one array")
        converted = []
        for position, array in enumerate(arrays):
            array = array.array if isinstance(array, Tensor) else array
            if not backend.is_array(array):
                array = numeric_array(array, f"array {position}", "TensorDataset")
            check.numeric_dtype("TensorDataset", f"array {position}", array.dtype)
            if array.ndim == 0:
                raise DataError(
                    f"TensorDataset needs arrays with a samples axis, got a 0-d array at "
                    f"position {position}"
                )
            converted.append(array)
        sizes = [len(array) for array in converted]
        if len(set(sizes)) > 1:
            raise DataError(
                f"TensorDataset needs arrays of one length (one row per sample), got lengths "
                f"{', '.join(map(str, sizes))}"
            )
        self.arrays = tuple(converted)

    def __len__(self) -> int:
        return len(self.arrays[0])

    def __getitem__(self, index: int) -> tuple[Tensor, ...]:
        return tuple(Tensor(array[index]) for array in self.arrays)

    def get_batch(self, indices: Any) -> tuple[Any, ...]:
        return tuple(array[indices] for array in self.arrays)

    def __repr__(self) -> str:
        shapes = ", ".join(str(tuple(array.shape)) for array in self.arrays)
        return f"TensorDataset({shapes})"


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``, in that order (``Subset(train, range(500))``)."""

    def __init__(self, dataset: Any, indices: Sequence[int]) -> None:
        if not hasattr(dataset, "__getitem__") or not hasattr(dataset, "__len__"):
            raise DataError(
                f"Subset needs a dataset with __getitem__ and __len__, got "
                f"{type(dataset).__name__}"
            )
        picked = np.asarray(indices)
        if picked.ndim != 1 or (picked.size and picked.dtype.kind not in "iu"):
            raise DataError(f"Subset needs a sequence of integer indices, got {indices!r}")
        picked = picked.astype(np.intp)
        if picked.size and (picked.min() < -len(dataset) or picked.max() >= len(dataset)):
            raise DataError(
                f"Subset indices must lie in [0, {len(dataset)}) for a dataset of "
                f"{len(dataset)} samples, got {picked.min()}..{picked.max()}"
            )
        self.dataset, self.indices = dataset, picked

    def __len__(self) -> int:
        return len(self.indices)

    def __getitem__(self, index: int) -> Any:
        return self.dataset[int(self.indices[index])]

    def get_batch(self, indices: np.ndarray) -> Any:
        return fetch_batch(self.dataset, self.indices[indices])
