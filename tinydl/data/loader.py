"""``DataLoader``: mini-batches of a dataset as tinydl Tensors on a device."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from numbers import Number
from typing import Any

import numpy as np

from tinydl import backend, check
from tinydl.autograd.tensor import Tensor, tensor
from tinydl.autograd.tensor_checks import numeric_array
from tinydl.backend import DeviceLike
from tinydl.data.dataset import TensorDataset, fetch_batch
from tinydl.data.errors import DataError
from tinydl.data.sampler import BatchSampler
from tinydl.data.transforms import Transform
from tinydl.random import Generator
from tinydl.random import generator as global_generator


class DataLoader:
    """Iterate over ``(x_batch, y_batch)`` Tensors of ``batch_size`` samples on ``device``.

    ``DataLoader(x, y)``: ``x`` and ``y`` are host arrays with the same first dimension
    (samples); ``loader.dataset`` is then ``TensorDataset(x, y)``.
    ``DataLoader(dataset)`` (or ``dataset=``): any map-style dataset (``len(dataset)``,
    ``dataset[i]``), as in PyTorch. Each batch stacks the samples' fields (see
    :func:`tinydl.data.dataset.collate`), in one array operation when the dataset offers
    ``get_batch`` (the torchvision-style datasets of :mod:`tinydl.vision` do, when their
    transforms can run on whole batches).
    With ``shuffle``, each epoch (each ``for`` loop over the loader) visits the
    samples in a new random order. All randomness, the order and the
    ``transform``'s augmentations, comes from the loader's own
    ``np.random.Generator`` seeded with ``seed``: two loaders built with the same
    seed give the same epochs, and successive epochs differ. Without a seed,
    the seed is drawn from tinydl's global generator (see
    :func:`tinydl.random.manual_seed`).

    ``transform(images, rng)`` (see :mod:`tinydl.data.transforms`) runs on the
    host batch before it moves to the device. Float batches become float32,
    integer labels keep their dtype. ``device`` defaults to the default device
    at construction. ``drop_last`` skips a final batch smaller than
    ``batch_size``; ``len(loader)`` is the number of batches.

    ``device_resident=True`` moves the whole dataset to the device once and
    slices batches there (fast on a GPU for MNIST-sized data); it cannot be
    combined with a transform, which needs host batches.

    ``num_workers``, ``pin_memory`` and ``persistent_workers`` are accepted so that
    PyTorch code runs unchanged, and have no effect: batches are gathered with whole-array
    operations in the calling process, and moved to ``device`` as they are made.

    PyTorch's ordering arguments, by keyword: ``sampler`` (an iterable of indices, such
    as a :class:`~tinydl.data.sampler.RandomSampler`) gives the order, grouped into
    batches of ``batch_size``; ``batch_sampler`` gives whole batches of indices (and then
    ``batch_size``, ``shuffle``, ``sampler`` and ``drop_last`` stay unset, as in PyTorch);
    ``generator`` (a :class:`tinydl.Generator`) draws the shuffled order (and the
    transforms' randomness) in place of ``seed``. The orders differ from PyTorch's for
    the same seed (see :mod:`tinydl.data.sampler`).
    """

    def __init__(
        self,
        x: Any = None,
        y: Any = None,
        batch_size: int | None = None,
        shuffle: bool = False,
        drop_last: bool = False,
        seed: int | None = None,
        transform: Transform | None = None,
        device: DeviceLike | None = None,
        device_resident: bool = False,
        num_workers: int = 0,
        pin_memory: bool = False,
        persistent_workers: bool = False,
        *,
        dataset: Any = None,
        sampler: Iterable[Any] | None = None,
        batch_sampler: Iterable[Any] | None = None,
        generator: Generator | None = None,
    ) -> None:
        _check_ignored_options(num_workers, pin_memory, persistent_workers)
        batch_size = _check_order(batch_size, shuffle, drop_last, seed, sampler, batch_sampler,
                                  generator)
        self.sampler, self.batch_sampler = sampler, batch_sampler
        if (x is None) == (dataset is None):
            raise DataError(
                "DataLoader needs a dataset, DataLoader(dataset) or DataLoader(dataset=...), "
                "or arrays, DataLoader(x, y); got " + ("both" if x is not None else "neither")
            )
        if dataset is not None and y is not None:
            raise DataError("DataLoader(dataset=...) takes no y: a dataset holds its own labels")
        if dataset is not None or not (
            y is not None or backend.is_array(x) or isinstance(x, Tensor)
        ):
            self._init_dataset(x if dataset is None else dataset, device_resident)
        else:
            self._init_arrays(x, y)
        self.batch_size = batch_size
        if transform is not None:
            check.function("DataLoader", "transform", transform, "transform(images, rng)",
                           error=DataError)
        if device_resident and transform is not None:
            raise DataError(
                "device_resident=True keeps the data on the device, but transforms run on "
                "host batches: drop the transform or set device_resident=False"
            )
        self.shuffle = check.flag("DataLoader", "shuffle", shuffle, error=DataError)
        self.drop_last = check.flag("DataLoader", "drop_last", drop_last, error=DataError)
        self.transform = transform
        self.device_resident = device_resident
        self.device = backend.get_default_device() if device is None else backend.device(device)
        if generator is not None:
            self.generator = generator.numpy_generator  # draws advance the Generator
        else:
            if seed is None:
                seed = int(global_generator().integers(2**63))
            self.generator = np.random.default_rng(seed)
        self.num_samples = len(self.dataset)
        if device_resident:
            self.dataset = TensorDataset(
                *(tensor(array, device=self.device).array for array in self.dataset.arrays)
            )

    def _init_dataset(self, dataset: Any, device_resident: bool) -> None:
        if not hasattr(dataset, "__getitem__") or not hasattr(dataset, "__len__"):
            raise DataError(
                f"DataLoader needs a dataset (with __len__ and __getitem__) or arrays x and y, "
                f"got {type(dataset).__name__}"
            )
        if device_resident and not isinstance(dataset, TensorDataset):
            raise DataError(
                f"device_resident=True needs arrays (DataLoader(x, y)) or a TensorDataset, "
                f"got a {type(dataset).__name__}, whose samples are made on the host"
            )
        self.dataset = dataset

    def _init_arrays(self, x: Any, y: Any) -> None:
        if isinstance(y, int) and not _is_array_like(x):
            raise DataError(
                f"DataLoader({type(x).__name__}, {y}): a dataset holds its own labels, so the "
                f"second argument is y; pass the batch size by name: batch_size={y}"
            )
        if y is None:
            raise DataError(
                f"DataLoader(x) got an array of shape {tuple(x.shape)} without labels: pass "
                f"DataLoader(x, y), or DataLoader(TensorDataset(x)) for inputs alone"
            )
        x = x.array if isinstance(x, Tensor) else x
        y = y.array if isinstance(y, Tensor) else y
        x, y = (
            backend.to_numpy(v) if backend.is_array(v) else numeric_array(v, name, "DataLoader")
            for v, name in ((x, "x"), (y, "y"))
        )
        for values, name in ((x, "x"), (y, "y")):
            check.numeric_dtype("DataLoader", name, values.dtype)
        if x.ndim == 0 or y.ndim == 0:
            raise DataError(
                f"DataLoader needs arrays with a samples axis, got x of shape {x.shape} "
                f"and y of shape {y.shape}"
            )
        if len(x) != len(y):
            raise DataError(
                f"DataLoader needs one label per sample: x has {len(x)} samples, "
                f"y has {len(y)} labels"
            )
        self.dataset = TensorDataset(x, y)

    def __len__(self) -> int:
        if self.batch_sampler is not None:
            return len(self.batch_sampler)
        count = self.num_samples if self.sampler is None else len(self.sampler)
        whole, rest = divmod(count, self.batch_size)
        return whole + (1 if rest and not self.drop_last else 0)

    def __iter__(self) -> Iterator[tuple[Tensor, Tensor]]:
        for index in self._batch_indices():
            if self.device_resident:
                yield tuple(Tensor(array[index]) for array in self.dataset.arrays)
                continue
            fields = fetch_batch(self.dataset, index)
            if not isinstance(fields, tuple):
                yield self._as_tensor(self._transformed(fields))
                continue
            yield tuple(
                self._as_tensor(self._transformed(field) if position == 0 else field)
                for position, field in enumerate(fields)
            )

    def _batch_indices(self) -> Iterator[Any]:
        """Each batch's sample indices, an integer array (on the device when the data is)."""
        if self.sampler is None and self.batch_sampler is None:  # slices of one order
            order = (self.generator.permutation(self.num_samples) if self.shuffle
                     else np.arange(self.num_samples))
            if self.device_resident:
                order = backend.to_device(order, self.device)  # index there, no host copies
            for batch in range(len(self)):
                yield order[batch * self.batch_size : (batch + 1) * self.batch_size]
            return
        batches = self.batch_sampler
        if batches is None:
            batches = BatchSampler(self.sampler, self.batch_size, self.drop_last)
        for batch in batches:
            index = _index_array(batch, self.num_samples)
            yield backend.to_device(index, self.device) if self.device_resident else index

    def _transformed(self, inputs: Any) -> Any:
        return inputs if self.transform is None else self.transform(inputs, self.generator)

    def _as_tensor(self, field: Any) -> Any:
        """A stacked field as a Tensor on the loader's device (a list of strings stays a list)."""
        return field if isinstance(field, list) else tensor(field, device=self.device)

    def __repr__(self) -> str:
        return (
            f"DataLoader({self.num_samples} samples, batch_size={self.batch_size}, "
            f"shuffle={self.shuffle}, drop_last={self.drop_last}, device='{self.device}')"
        )


def _check_order(
    batch_size: Any, shuffle: Any, drop_last: Any, seed: Any, sampler: Any, batch_sampler: Any,
    generator: Any,
) -> int | None:
    """The batch size (32 unless given; None beside a batch_sampler, as in PyTorch), after
    PyTorch's rules on how the ordering arguments combine."""
    if sampler is not None and shuffle:
        raise DataError("DataLoader: sampler gives the order, so it cannot be combined with "
                        "shuffle=True (as in PyTorch); shuffle with a RandomSampler instead")
    if batch_sampler is not None and (batch_size is not None or shuffle or drop_last or
                                      sampler is not None):
        raise DataError("DataLoader: batch_sampler gives whole batches, so batch_size, "
                        "shuffle, sampler and drop_last must be left unset (as in PyTorch)")
    for name, value in (("sampler", sampler), ("batch_sampler", batch_sampler)):
        if value is not None:
            check.instance("DataLoader", name, value, Iterable, "an iterable of indices",
                           error=DataError)
    if generator is not None:
        check.instance("DataLoader", "generator", generator, Generator,
                       "a tinydl.Generator", error=DataError)
        if seed is not None:
            raise DataError("DataLoader: give seed or generator, not both (both seed the order)")
    if batch_size is None:
        return None if batch_sampler is not None else 32
    return check.positive_int("DataLoader", "batch_size", batch_size, error=DataError)


def _index_array(batch: Any, count: int) -> np.ndarray:
    """A sampler's batch of indices as an int64 array, each checked to lie in [0, count)."""
    index = np.asarray(batch.numpy() if isinstance(batch, Tensor) else batch)
    if index.ndim != 1 or (index.size and index.dtype.kind not in "iu"):
        raise DataError(f"DataLoader: a sampler must give integer indices, got {batch!r:.60}")
    index = index.astype(np.int64, copy=False)
    if index.size and (index.min() < -count or index.max() >= count):
        raise DataError(
            f"DataLoader: the sampler gave index {int(index.max())}, but the dataset has "
            f"{count} samples"
        )
    return index


def _is_array_like(value: Any) -> bool:
    """Arrays, Tensors and nested lists of numbers: inputs ``x``, not a dataset object."""
    return backend.is_array(value) or isinstance(value, (Tensor, list, np.generic, Number))


def _check_ignored_options(num_workers: Any, pin_memory: Any, persistent_workers: Any) -> None:
    """PyTorch's worker options have no effect here, but a wrong value is still an error."""
    check.non_negative_int("DataLoader", "num_workers", num_workers, error=DataError)
    check.flag("DataLoader", "pin_memory", pin_memory, error=DataError)
    check.flag("DataLoader", "persistent_workers", persistent_workers, error=DataError)
    if persistent_workers and num_workers == 0:
        raise DataError("persistent_workers=True needs num_workers > 0 (as in PyTorch)")
