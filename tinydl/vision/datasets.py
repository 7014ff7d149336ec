"""torchvision's ``datasets``: ``MNIST``, ``FashionMNIST`` and ``CIFAR10`` as map-style
datasets, backed by the array loaders of :mod:`tinydl.data`.

``datasets.MNIST(root, train=True, transform=..., download=True)`` finds the files where
:func:`tinydl.data.load_mnist` looks (``root``, including torchvision's ``root/MNIST/raw``
layout, then ``$TINYDL_DATA``, then the cache folder), downloads and checks them if they
are nowhere, and holds one split in torchvision's types: for MNIST and Fashion-MNIST
``dataset.data`` is a uint8 Tensor ``(N, 28, 28)`` and ``dataset.targets`` an int64 Tensor;
for CIFAR-10 ``data`` is a uint8 NumPy array ``(N, 32, 32, 3)`` and ``targets`` a list of
ints. ``dataset[i]`` is ``(image, label)`` after ``transform`` and ``target_transform``; the
image given to ``transform`` is a uint8 NumPy array, where torchvision gives a PIL image.
Assigning ``data`` and ``targets`` (a subset, say) works as in torchvision.

``datasets.ImageFolder`` (see :mod:`tinydl.vision.folder`) reads a folder of PNG files.

Batches come through :meth:`get_batch`: when the transforms can run on whole batches
(see :mod:`tinydl.vision.transforms`), a batch is one indexing plus a few array operations.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from tinydl import check
from tinydl.autograd.tensor import Tensor
from tinydl.data.dataset import Dataset
from tinydl.data.datasets import CIFAR10 as CIFAR10_TABLE
from tinydl.data.datasets import FASHION_MNIST, load_cifar_dataset, load_idx_dataset
from tinydl.data.datasets import MNIST as MNIST_TABLE
from tinydl.data.locations import search_dirs
from tinydl.vision.folder import IMG_EXTENSIONS, ImageFolder, default_loader
from tinydl.vision.transforms import is_batchable

__all__ = [
    "CIFAR10", "FashionMNIST", "IMG_EXTENSIONS", "ImageFolder", "MNIST", "VisionDataset",
    "default_loader",
]

Splits = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]

# The last dataset read, so that building the train and then the test split reads and
# verifies the files once: {(table name, folders searched): splits}.
_last_loaded: dict[tuple[str, tuple[Path, ...]], Splits] = {}


class VisionDataset(Dataset):
    """One split of an image-classification dataset held as two arrays.

    Subclasses set ``table`` (the dataset's description in :mod:`tinydl.data.datasets`),
    ``classes`` and ``_load(table, root, download)``.
    """

    table: dict[str, Any]
    classes: list[str]
    folder: str  # torchvision's folder under root

    def __init__(
        self,
        root: str | os.PathLike | None,
        train: bool = True,
        transform: Callable[[Any], Any] | None = None,
        target_transform: Callable[[Any], Any] | None = None,
        download: bool = True,
    ) -> None:
        name = type(self).__name__
        if root is not None:
            check.instance(name, "root", root, (str, os.PathLike), "a folder path")
        check.flag(name, "train", train)
        check.flag(name, "download", download)
        if transform is not None:
            check.function(name, "transform", transform, "transform(image)")
        if target_transform is not None:
            check.function(name, "target_transform", target_transform, "target_transform(label)")
        self.root, self.train = root, train
        self.transform, self.target_transform = transform, target_transform
        table = {**self.table, "loader": f"tinydl.vision.datasets.{name}"}  # for messages
        folder = self._torchvision_folder(root)
        key = (table["name"], tuple(search_dirs(table["name"], folder)))
        if key not in _last_loaded:
            splits = self._load(table, folder, download)
            for images, labels in splits:
                images.flags.writeable = labels.flags.writeable = False  # shared by both splits
            _last_loaded.clear()
            _last_loaded[key] = splits
        self.data, self.targets = self._as_attributes(*_last_loaded[key][0 if train else 1])
        self.class_to_idx = {label: index for index, label in enumerate(self.classes)}

    def _torchvision_folder(self, root: str | os.PathLike | None) -> Any:
        """``root/<Name>/raw`` where torchvision keeps the files, if it exists, else root."""
        if root is None:
            return None
        raw = Path(root).expanduser() / self.folder / "raw"
        return raw if raw.is_dir() else root

    def _load(self, table: dict[str, Any], root: Any, download: bool) -> Splits:
        return load_idx_dataset(table, root, download)

    def _as_attributes(self, images: np.ndarray, labels: np.ndarray) -> tuple[Any, Any]:
        """``data`` and ``targets`` in torchvision's types: for MNIST, Tensors."""
        return Tensor(images), Tensor(labels)

    def __len__(self) -> int:
        return len(self.data)

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        image, target = _array(self.data)[index], int(_array(self.targets)[index])
        if self.transform is not None:
            image = self.transform(image)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return image, target

    def get_batch(self, indices: np.ndarray) -> Any:
        """Images and labels at ``indices``, transformed as whole batches when every
        transform can be; otherwise item by item (see :meth:`Dataset.get_batch`)."""
        transforms = [t for t in (self.transform, self.target_transform) if t is not None]
        if not all(map(is_batchable, transforms)):
            return super().get_batch(indices)
        images = _array(self.data)[indices]
        if isinstance(self.targets, list):
            targets = np.array([self.targets[i] for i in indices], np.int64)
        else:
            targets = _array(self.targets)[indices]
        if self.transform is not None:
            images = self.transform.apply_batch(images)
        if self.target_transform is not None:
            targets = self.target_transform.apply_batch(targets)
        return _array(images), _array(targets)

    def __repr__(self) -> str:
        lines = [
            f"Dataset {type(self).__name__}",
            f"    Number of datapoints: {len(self)}",
            f"    Root location: {self.root}",
            f"    Split: {'Train' if self.train else 'Test'}",
        ]
        if self.transform is not None:
            lines.append("    Transform: " + repr(self.transform).replace("\n", "\n    "))
        return "\n".join(lines)


class MNIST(VisionDataset):
    """MNIST handwritten digits: 60,000 training and 10,000 test images, 28x28 uint8."""

    table = MNIST_TABLE
    folder = "MNIST"
    classes = [
        "0 - zero", "1 - one", "2 - two", "3 - three", "4 - four",
        "5 - five", "6 - six", "7 - seven", "8 - eight", "9 - nine",
    ]


class FashionMNIST(VisionDataset):
    """Zalando's Fashion-MNIST: clothing images shaped exactly like MNIST's."""

    table = FASHION_MNIST
    folder = "FashionMNIST"
    classes = [
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
        "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    ]


class CIFAR10(VisionDataset):
    """CIFAR-10: 50,000 training and 10,000 test colour images; ``data`` is a NumPy array
    ``(N, 32, 32, 3)`` uint8 and ``targets`` a list of ints, as in torchvision, and
    ``ToTensor`` makes each image ``(3, 32, 32)``."""

    table = CIFAR10_TABLE
    folder = "cifar-10-batches-py"
    classes = [
        "airplane", "automobile", "bird", "cat", "deer",
        "dog", "frog", "horse", "ship", "truck",
    ]

    def _torchvision_folder(self, root: str | os.PathLike | None) -> Any:
        return root  # torchvision's root/cifar-10-batches-py is where tinydl looks already

    def _load(self, table: dict[str, Any], root: Any, download: bool) -> Splits:
        return load_cifar_dataset(table, root, download, channels_first=False)

    def _as_attributes(self, images: np.ndarray, labels: np.ndarray) -> tuple[Any, Any]:
        return images, labels.tolist()  # torchvision's CIFAR10: a NumPy array and a list


def _array(values: Any) -> Any:
    """The raw array of a Tensor; anything else (an array the user assigned) as it is."""
    return values.array if isinstance(values, Tensor) else values
