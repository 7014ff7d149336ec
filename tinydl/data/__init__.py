"""Layer 6, data: IDX files, dataset loaders, downloads, preprocessing and ``DataLoader``.

``read_png``/``write_png`` read and write PNG images with zlib alone.
``load_mnist()`` finds MNIST in ``root``, ``$TINYDL_DATA`` or the cache folder
(downloading it there if needed, with checksums and atomic writes) and returns
Keras-style ``(x_train, y_train), (x_test, y_test)``. ``DataLoader`` turns
arrays into shuffled, augmented mini-batches of Tensors on a device.
"""

from tinydl.data.dataset import Dataset, Subset, TensorDataset
from tinydl.data.datasets import (
    CIFAR10,
    FASHION_MNIST,
    MNIST,
    load_cifar10,
    load_fashion_mnist,
    load_idx_dataset,
    load_mnist,
)
from tinydl.data.download import DownloadError, download
from tinydl.data.errors import DataError, DatasetNotFoundError
from tinydl.data.idx import read_idx, write_idx
from tinydl.data.loader import DataLoader
from tinydl.data.png import read_png, write_png
from tinydl.data.preprocess import normalize, one_hot, to_float
from tinydl.data.transforms import (
    Compose,
    Normalize,
    RandomRotation,
    RandomShift,
    ToFloat,
    rotate,
    shift,
)

__all__ = [
    "CIFAR10",
    "Compose",
    "DataError",
    "DatasetNotFoundError",
    "DataLoader",
    "Dataset",
    "DownloadError",
    "FASHION_MNIST",
    "MNIST",
    "Normalize",
    "RandomRotation",
    "RandomShift",
    "Subset",
    "TensorDataset",
    "ToFloat",
    "download",
    "load_cifar10",
    "load_fashion_mnist",
    "load_idx_dataset",
    "load_mnist",
    "normalize",
    "one_hot",
    "read_idx",
    "read_png",
    "rotate",
    "shift",
    "to_float",
    "write_idx",
    "write_png",
]
