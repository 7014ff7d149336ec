"""Dataset loaders: MNIST and Fashion-MNIST (IDX files) and CIFAR-10 (python batches).

Each dataset is described by one table (a dict: mirrors, checksums, shapes), and
one function serves all tables of a kind. Files are looked for where
:mod:`tinydl.data.locations` says (``root``, ``$TINYDL_DATA``, the cache
folder); missing ones are downloaded into the cache folder. Every file is
verified, local or downloaded, before its data is returned.

The answer has Keras's shape: ``(x_train, y_train), (x_test, y_test)``, images
as uint8 and labels as int64 vectors of shape ``(N,)``.
"""

from __future__ import annotations

import hashlib
import os
import tarfile
from pathlib import Path
from typing import Any

import numpy as np

from tinydl.data.checksum import check_sha256, sha256_file
from tinydl.data.download import DownloadError, download
from tinydl.data.errors import DataError
from tinydl.data.idx import decompress, parse_idx
from tinydl.data.locations import cache_dir, not_found_error, search_dirs
from tinydl.data.safe_pickle import load_plain_pickle

Split = tuple[np.ndarray, np.ndarray]

IDX_FILES = (
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
)

# In a table's "sha256", a plain file name maps to the digest of the file's UNCOMPRESSED
# content (so it holds for a .gz from any mirror and for an unpacked copy), a name ending in
# ".gz" to the digest of the gzip file exactly as the mirrors serve it.
MNIST: dict[str, Any] = {
    "name": "mnist",
    "title": "MNIST",
    "loader": "load_mnist",
    "mirrors": [
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "https://storage.googleapis.com/cvdf-datasets/mnist/",
    ],
    # Of the uncompressed files; the mirrors' .gz files differ from each other byte-wise.
    "sha256": {
        "train-images-idx3-ubyte": (
            "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"
        ),
        "train-labels-idx1-ubyte": (
            "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"
        ),
        "t10k-images-idx3-ubyte": (
            "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"
        ),
        "t10k-labels-idx1-ubyte": (
            "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"
        ),
    },
    "image_shape": (28, 28),
    "num_classes": 10,
}

FASHION_MNIST: dict[str, Any] = {
    "name": "fashion-mnist",
    "title": "Fashion-MNIST",
    "loader": "load_fashion_mnist",
    "mirrors": [
        "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
        "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/",
    ],
    # Of the .gz files as served (published by TensorFlow Datasets; the Fashion-MNIST README
    # gives the MD5 of the same files). No digest of the uncompressed content is published,
    # so an unpacked copy is checked for its IDX structure, shapes and label range only.
    "sha256": {
        "train-images-idx3-ubyte.gz": (
            "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84"
        ),
        "train-labels-idx1-ubyte.gz": (
            "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845"
        ),
        "t10k-images-idx3-ubyte.gz": (
            "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073"
        ),
        "t10k-labels-idx1-ubyte.gz": (
            "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5"
        ),
    },
    "image_shape": (28, 28),
    "num_classes": 10,
}

CIFAR10: dict[str, Any] = {
    "name": "cifar10",
    "title": "CIFAR-10",
    "loader": "load_cifar10",
    "mirrors": ["https://www.cs.toronto.edu/~kriz/"],
    "archive": "cifar-10-python.tar.gz",
    "folder": "cifar-10-batches-py",
    # Of the archive (170,498,071 bytes), as published by Keras.
    "sha256": {
        "cifar-10-python.tar.gz": (
            "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"
        ),
    },
    "train_batches": [f"data_batch_{number}" for number in range(1, 6)],
    "test_batches": ["test_batch"],
    "num_classes": 10,
}


def load_mnist(
    root: str | os.PathLike | None = None, download: bool = True, progress: bool = True
) -> tuple[Split, Split]:
    """MNIST digits: ``(x_train, y_train), (x_test, y_test)``; 60,000 + 10,000 uint8
    images of shape (28, 28) and int64 labels 0-9.

    Looks in ``root``, ``$TINYDL_DATA`` and the cache folder for the four IDX
    files (``.gz`` or unpacked), then downloads the missing ones if ``download``.
    Each file's uncompressed content must match its published SHA-256.
    """
    return load_idx_dataset(MNIST, root, download, progress)


def load_fashion_mnist(
    root: str | os.PathLike | None = None, download: bool = True, progress: bool = True
) -> tuple[Split, Split]:
    """Fashion-MNIST (Zalando's clothing images), shaped exactly like :func:`load_mnist`.

    A ``.gz`` file must match its published SHA-256; an unpacked file has no
    published digest and is checked for structure, shape and label range.
    """
    return load_idx_dataset(FASHION_MNIST, root, download, progress)


def load_idx_dataset(
    table: dict[str, Any],
    root: str | os.PathLike | None = None,
    download: bool = True,
    progress: bool = True,
) -> tuple[Split, Split]:
    """Load any MNIST-style dataset described by ``table`` (see :data:`MNIST`)."""
    dirs = search_dirs(table["name"], root)
    found = {stem: _find_idx(dirs, stem) for stem in IDX_FILES}
    missing = [stem for stem, path in found.items() if path is None]
    if missing:
        wanted = ", ".join(f"{stem}[.gz]" for stem in missing)
        found.update(_download_idx(table, missing, dirs, wanted, download, progress))
    arrays = {stem: _read_idx_verified(path, stem, table, path) for stem, path in found.items()}
    train, test = (
        _check_split(
            arrays, found, f"{prefix}-images-idx3-ubyte", f"{prefix}-labels-idx1-ubyte", table
        )
        for prefix in ("train", "t10k")
    )
    return train, test


def _find_idx(dirs: list[Path], stem: str) -> Path | None:
    for folder in dirs:
        for name in (f"{stem}.gz", stem):
            if (folder / name).is_file():
                return folder / name
    return None


def _download_idx(
    table: dict[str, Any],
    missing: list[str],
    dirs: list[Path],
    wanted: str,
    allowed: bool,
    progress: bool,
) -> dict[str, Path]:
    """Fetch each missing file's ``.gz`` into the cache folder; verified before it is kept."""
    if not allowed:
        raise not_found_error(table, wanted, dirs, "Downloading is off (download=False).")
    paths = {}
    for stem in missing:
        urls = [mirror + f"{stem}.gz" for mirror in table["mirrors"]]
        destination = cache_dir(table["name"]) / f"{stem}.gz"
        try:
            paths[stem] = download(
                urls,
                destination,
                progress=progress,
                verify=lambda path, url, stem=stem: _read_idx_verified(path, stem, table, url),
            )
        except DownloadError as err:
            raise not_found_error(table, wanted, dirs, f"Downloading failed: {err}") from None
    return paths


def _read_idx_verified(
    path: Path, stem: str, table: dict[str, Any], source: str | os.PathLike
) -> np.ndarray:
    """Read one IDX file, checking it against ``table``'s digest for ``stem`` if it has one."""
    blob = path.read_bytes()
    content = decompress(blob, source)
    digests = table["sha256"]
    if stem in digests:
        found = hashlib.sha256(content).hexdigest()
        check_sha256(found, digests[stem], str(source), "its uncompressed content")
    elif content is not blob and f"{stem}.gz" in digests:
        found = hashlib.sha256(blob).hexdigest()
        check_sha256(found, digests[f"{stem}.gz"], str(source), "the .gz file")
    return parse_idx(content, source)


def _check_split(
    arrays: dict[str, np.ndarray],
    paths: dict[str, Path],
    images_stem: str,
    labels_stem: str,
    table: dict[str, Any],
) -> Split:
    """Images and labels of one split, after checking they fit together and the table."""
    images, labels = arrays[images_stem], arrays[labels_stem]
    expected = tuple(table["image_shape"])
    if images.dtype != np.uint8 or images.shape[1:] != expected:
        raise DataError(
            f"{paths[images_stem]}: expected uint8 images of shape (N, {expected[0]}, "
            f"{expected[1]}), found {images.dtype} of shape {images.shape}"
        )
    if labels.dtype != np.uint8 or labels.shape != images.shape[:1]:
        raise DataError(
            f"{paths[labels_stem]}: expected {len(images)} uint8 labels (one per image in "
            f"{paths[images_stem].name}), found {labels.dtype} of shape {labels.shape}"
        )
    return images, _checked_labels(labels, table["num_classes"], paths[labels_stem])


def _checked_labels(labels: np.ndarray, num_classes: int, source: Any) -> np.ndarray:
    """Labels as int64, after checking they lie in [0, num_classes)."""
    labels = labels.astype(np.int64)
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        bad = labels[(labels < 0) | (labels >= num_classes)][0]
        raise DataError(f"{source}: labels must lie in [0, {num_classes}), found {bad}")
    return labels


def load_cifar10(
    root: str | os.PathLike | None = None,
    download: bool = True,
    channels_first: bool = True,
    progress: bool = True,
) -> tuple[Split, Split]:
    """CIFAR-10: ``(x_train, y_train), (x_test, y_test)``; 50,000 + 10,000 uint8
    colour images and int64 labels 0-9 (airplane, automobile, bird, cat, deer, dog,
    frog, horse, ship, truck).

    Images are ``(N, 3, 32, 32)``, the layout tinydl's ``Conv2D`` and
    :mod:`tinydl.data.transforms` take, or ``(N, 32, 32, 3)`` (Keras's
    channels-last layout) with ``channels_first=False``. Labels have shape
    ``(N,)``, where Keras gives ``(N, 1)``.

    Reads the folder ``cifar-10-batches-py`` (``data_batch_1``..``5``,
    ``test_batch``) or the archive ``cifar-10-python.tar.gz`` (checked against
    its published SHA-256) from ``root``, ``$TINYDL_DATA`` or the cache folder,
    else downloads the archive. The batches are pickles: they are loaded with an
    unpickler that refuses everything but plain data and NumPy arrays, and their
    structure is validated.
    """
    return load_cifar_dataset(CIFAR10, root, download, channels_first, progress)


def load_cifar_dataset(
    table: dict[str, Any],
    root: str | os.PathLike | None = None,
    download: bool = True,
    channels_first: bool = True,
    progress: bool = True,
) -> tuple[Split, Split]:
    """Load a CIFAR-style dataset described by ``table`` (see :data:`CIFAR10`)."""
    names = table["train_batches"] + table["test_batches"]
    dirs = search_dirs(table["name"], root)
    source = _find_cifar(dirs, table, names)
    if source is None:
        source = _download_cifar(table, dirs, download, progress)
    blobs = _read_cifar_files(source, table, names)
    splits = []
    for batch_names in (table["train_batches"], table["test_batches"]):
        parts = [_parse_cifar_batch(*blobs[name], table["num_classes"]) for name in batch_names]
        images = np.concatenate([images for images, _ in parts])
        if not channels_first:
            images = images.transpose(0, 2, 3, 1)
        labels = np.concatenate([labels for _, labels in parts])
        splits.append((np.ascontiguousarray(images), labels))
    return splits[0], splits[1]


def _find_cifar(dirs: list[Path], table: dict[str, Any], names: list[str]) -> Path | None:
    """The first batches folder or archive found: a folder path, or the archive's path."""
    for folder in dirs:
        for candidate in (folder / table["folder"], folder):
            if all((candidate / name).is_file() for name in names):
                return candidate
        if (folder / table["archive"]).is_file():
            return folder / table["archive"]
    return None


def _download_cifar(table: dict[str, Any], dirs: list[Path], allowed: bool, progress: bool) -> Path:
    wanted = f"{table['folder']}/ (the batch files) or {table['archive']}"
    if not allowed:
        raise not_found_error(table, wanted, dirs, "Downloading is off (download=False).")
    urls = [mirror + table["archive"] for mirror in table["mirrors"]]
    try:
        return download(
            urls,
            cache_dir(table["name"]) / table["archive"],
            progress=progress,
            verify=lambda path, url: _check_archive(path, table, url),
        )
    except DownloadError as err:
        raise not_found_error(table, wanted, dirs, f"Downloading failed: {err}") from None


def _check_archive(path: Path, table: dict[str, Any], source: Any) -> None:
    expected = table["sha256"].get(table["archive"])
    if expected is not None:
        check_sha256(sha256_file(path), expected, str(source), "the archive")


def _read_cifar_files(
    source: Path, table: dict[str, Any], names: list[str]
) -> dict[str, tuple[bytes, str]]:
    """Each batch's bytes and a name for messages, from a folder or (verified) archive."""
    if source.is_dir():
        return {name: ((source / name).read_bytes(), str(source / name)) for name in names}
    _check_archive(source, table, source)
    blobs = {}
    try:
        with tarfile.open(source, "r:gz") as archive:
            for name in names:
                member = f"{table['folder']}/{name}"
                try:
                    file = archive.extractfile(member)
                except KeyError:
                    file = None
                if file is None:
                    raise DataError(f"{source}: expected a file {member} in the archive")
                blobs[name] = (file.read(), f"{source}:{member}")
    except (tarfile.TarError, OSError, EOFError) as err:
        raise DataError(f"{source}: corrupt archive ({err})") from None
    return blobs


def _parse_cifar_batch(blob: bytes, source: str, num_classes: int) -> Split:
    """One python batch as uint8 images (N, 3, 32, 32) and int64 labels, validated."""
    try:
        batch = load_plain_pickle(blob)
    except Exception as err:  # a corrupt pickle can raise nearly any exception type
        raise DataError(f"{source}: not a readable CIFAR-10 batch ({err})") from None
    if not isinstance(batch, dict) or not {b"data", b"labels"} <= batch.keys():
        found = list(batch) if isinstance(batch, dict) else type(batch).__name__
        raise DataError(
            f"{source}: expected a dict with keys b'data' and b'labels' (a CIFAR-10 python "
            f"batch), found {found}"
        )
    data = batch[b"data"]
    if not isinstance(data, np.ndarray):
        raise DataError(f"{source}: expected b'data' to be an array, found {type(data).__name__}")
    if data.dtype != np.uint8 or data.ndim != 2 or data.shape[1] != 3 * 32 * 32:
        raise DataError(
            f"{source}: expected b'data' to be uint8 of shape (N, 3072), "
            f"found {data.dtype} of shape {data.shape}"
        )
    labels = np.asarray(batch[b"labels"])
    if labels.dtype.kind not in "iu" or labels.shape != (len(data),):
        raise DataError(
            f"{source}: expected b'labels' to be {len(data)} integers (one per image), "
            f"found {labels.dtype} of shape {labels.shape}"
        )
    # Each row holds the red, then green, then blue 32x32 plane, row by row.
    return data.reshape(-1, 3, 32, 32), _checked_labels(labels, num_classes, source)
