"""``DataLoader``: mini-batches of a dataset as tinydl Tensors on a device."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from tinydl import backend
from tinydl.autograd.tensor import Tensor, tensor
from tinydl.backend import DeviceLike
from tinydl.data.errors import DataError
from tinydl.data.transforms import Transform
from tinydl.random import generator as global_generator


class DataLoader:
    """Iterate over ``(x_batch, y_batch)`` Tensors of ``batch_size`` samples on ``device``.

    ``x`` and ``y`` are host arrays with the same first dimension (samples).
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
    """

    def __init__(
        self,
        x: Any,
        y: Any,
        batch_size: int = 32,
        shuffle: bool = False,
        drop_last: bool = False,
        seed: int | None = None,
        transform: Transform | None = None,
        device: DeviceLike | None = None,
        device_resident: bool = False,
    ) -> None:
        x, y = np.asarray(x), np.asarray(y)
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
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise DataError(f"batch_size must be a positive integer, got {batch_size!r}")
        if device_resident and transform is not None:
            raise DataError(
                "device_resident=True keeps the data on the device, but transforms run on "
                "host batches: drop the transform or set device_resident=False"
            )
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.drop_last = drop_last
        self.transform = transform
        self.device_resident = device_resident
        self.device = backend.get_default_device() if device is None else backend.device(device)
        if seed is None:
            seed = int(global_generator().integers(2**63))
        self.generator = np.random.default_rng(seed)
        self.num_samples = len(x)
        if device_resident:
            x, y = tensor(x, device=self.device).data, tensor(y, device=self.device).data
        self._x, self._y = x, y

    def __len__(self) -> int:
        whole, rest = divmod(self.num_samples, self.batch_size)
        return whole + (1 if rest and not self.drop_last else 0)

    def __iter__(self) -> Iterator[tuple[Tensor, Tensor]]:
        if self.shuffle:
            order = self.generator.permutation(self.num_samples)
        else:
            order = np.arange(self.num_samples)
        if self.device_resident:
            order = backend.to_device(order, self.device)  # index on the device, no host copies
        for batch in range(len(self)):
            index = order[batch * self.batch_size : (batch + 1) * self.batch_size]
            if self.device_resident:
                yield Tensor(self._x[index]), Tensor(self._y[index])
                continue
            images = self._x[index]
            if self.transform is not None:
                images = self.transform(images, self.generator)
            yield tensor(images, device=self.device), tensor(self._y[index], device=self.device)

    def __repr__(self) -> str:
        return (
            f"DataLoader({self.num_samples} samples, batch_size={self.batch_size}, "
            f"shuffle={self.shuffle}, drop_last={self.drop_last}, device='{self.device}')"
        )
