"""What ``fit``, ``evaluate`` and ``predict`` accept as data, and how arrays become batches.

A loop over batches is the general form: a :class:`~tinydl.data.DataLoader`, or any
iterable of ``(inputs, targets)`` pairs. Where a Keras or scikit-learn user would pass
whole arrays, ``(x, y)`` arrays (NumPy, CuPy or Tensors) and datasets are accepted too and
batched here with a ``DataLoader`` on the model's device.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from tinydl import backend
from tinydl.autograd import Tensor
from tinydl.backend import Device
from tinydl.data.dataset import Dataset
from tinydl.data.loader import DataLoader
from tinydl.nn.module import Module

DEFAULT_BATCH_SIZE = 32  # Keras's, for arrays given without a batch size


def model_device(model: Module) -> Device | None:
    """The device of the model's first parameter or buffer (None for a model without)."""
    first = next(model._named_tensors(Tensor), None)
    return None if first is None else first[1].device


def _is_array(value: Any) -> bool:
    return isinstance(value, Tensor) or backend.is_array(value)


def _is_xy_arrays(data: Any) -> bool:
    """A tuple ``(x, y)`` of whole arrays (a list of two Tensors is two batches)."""
    return isinstance(data, tuple) and len(data) == 2 and all(map(_is_array, data))


def _host_or_device(value: Any) -> Any:
    return value.array if isinstance(value, Tensor) else value


def as_batches(
    data: Any, argument: str, model: Module, batch_size: int | None, shuffle: bool
) -> Iterable[Any]:
    """``data`` as an iterable of ``(inputs, targets)`` batches.

    ``(x, y)`` arrays and datasets become a DataLoader of ``batch_size`` (32 if None) on
    the model's device; a loader or other iterable is used as it is (and then
    ``batch_size`` must be None: it already makes its own batches).
    """
    if _is_xy_arrays(data):
        x, y = map(_host_or_device, data)
        return _loader(x, y, argument, model, batch_size, shuffle)
    if isinstance(data, Dataset):
        return _loader(data, None, argument, model, batch_size, shuffle)
    if _is_array(data):
        raise TypeError(
            f"{argument} got one array of shape {tuple(data.shape)}, but training needs inputs "
            f"and targets: pass {argument}=(x, y) arrays, a dataset, or a DataLoader"
        )
    if isinstance(data, (str, bytes, dict)) or not isinstance(data, Iterable):
        raise TypeError(
            f"{argument} must be (x, y) arrays, a dataset, a DataLoader or another iterable of "
            f"(inputs, targets) batches, got {type(data).__name__}"
        )
    _no_batch_size(batch_size, data, argument)
    return data


def pairs(batches: Iterable[Any], argument: str) -> Iterator[tuple[Any, Any]]:
    """The ``(inputs, targets)`` of each batch, refusing batches of another shape."""
    for batch in batches:
        if not isinstance(batch, (tuple, list)) or len(batch) != 2:
            found = (
                f"a {type(batch).__name__} of {len(batch)} items"
                if isinstance(batch, (tuple, list)) else f"one {type(batch).__name__}"
            )
            raise TypeError(
                f"each batch of {argument} must be an (inputs, targets) pair, got {found}: "
                f"pass {argument}=(x, y) arrays or a DataLoader(x, y)"
            )
        yield batch[0], batch[1]


def input_batches(data: Any, model: Module, batch_size: int | None) -> Iterable[Any]:
    """What ``predict`` iterates over: input batches, from one array or from batches (whose
    ``(inputs, targets)`` pairs lose their targets)."""
    if _is_array(data):
        x = _host_or_device(data)
        step = batch_size or DEFAULT_BATCH_SIZE
        return (x[start : start + step] for start in range(0, len(x), step))
    if _is_xy_arrays(data):
        return input_batches(data[0], model, batch_size)
    if isinstance(data, Dataset):
        return (x for x, _ in _loader(data, None, "data", model, batch_size, False))
    if isinstance(data, (str, bytes, dict)) or not isinstance(data, Iterable):
        raise TypeError(
            f"predict() needs an array of inputs, a dataset, a DataLoader or another iterable of "
            f"batches, got {type(data).__name__}"
        )
    _no_batch_size(batch_size, data, "data")
    return (batch[0] if isinstance(batch, (tuple, list)) else batch for batch in data)


def _loader(
    x: Any, y: Any, argument: str, model: Module, batch_size: int | None, shuffle: bool
) -> DataLoader:
    if y is not None and len(x) != len(y):
        raise ValueError(
            f"{argument}=(x, y) needs one target per sample: x has {len(x)} samples, "
            f"y has {len(y)}"
        )
    size = batch_size or DEFAULT_BATCH_SIZE
    device = model_device(model)
    if y is None:
        return DataLoader(x, batch_size=size, shuffle=shuffle, device=device)
    return DataLoader(x, y, batch_size=size, shuffle=shuffle, device=device)


def _no_batch_size(batch_size: int | None, data: Any, argument: str) -> None:
    if batch_size is not None:
        raise ValueError(
            f"batch_size applies when {argument} is arrays or a dataset; this "
            f"{type(data).__name__} already makes its own batches (set its batch size instead)"
        )
