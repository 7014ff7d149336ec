"""``datasets.mnist.load_data()`` (and ``fashion_mnist``, ``cifar10``) in Keras's layout,
read by tinydl's own loaders (local files via ``$TINYDL_DATA``, the cache folder, or the
checksummed download).

Keras's layout: uint8 images, (N, 28, 28) or (N, 32, 32, 3) channels-last, and uint8
labels, (N,) or, for CIFAR-10, (N, 1).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from tinydl import data
from tinydl.keras._args import missing_names

Split = tuple[np.ndarray, np.ndarray]


class KerasDataset:
    """One dataset with Keras's ``load_data()``."""

    def __init__(self, name: str, load: Callable[[], tuple[Split, Split]],
                 label_shape: tuple[int, ...]) -> None:
        self.name, self._load, self._label_shape = name, load, label_shape

    def load_data(self) -> tuple[Split, Split]:
        """``(x_train, y_train), (x_test, y_test)`` as Keras returns them."""
        splits = self._load()
        return tuple(  # type: ignore[return-value]
            (images, labels.astype(np.uint8).reshape(len(labels), *self._label_shape))
            for images, labels in splits
        )

    def __repr__(self) -> str:
        return f"<tinydl.keras.datasets.{self.name}>"


mnist = KerasDataset("mnist", data.load_mnist, ())
fashion_mnist = KerasDataset("fashion_mnist", data.load_fashion_mnist, ())
cifar10 = KerasDataset("cifar10", lambda: data.load_cifar10(channels_first=False), (1,))

__all__ = ["cifar10", "fashion_mnist", "mnist"]
__getattr__ = missing_names("datasets", __all__)
