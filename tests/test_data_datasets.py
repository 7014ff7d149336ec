"""Dataset loaders on small generated files: where they look, what they verify, what they return.

No test here touches the network: ``isolated`` points the cache at a temporary folder
and clears ``$TINYDL_DATA``; every table has its mirrors removed or replaced.
"""

from __future__ import annotations

import hashlib
import pickle
import re
import tarfile
from pathlib import Path

import numpy as np
import pytest

from tinydl.data import (
    CIFAR10,
    FASHION_MNIST,
    MNIST,
    DataError,
    load_cifar10,
    load_fashion_mnist,
    load_idx_dataset,
    load_mnist,
    write_idx,
)
from tinydl.data.datasets import IDX_FILES

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def make_idx_dataset(
    folder: Path, seed: int = 0, train: int = 5, test: int = 3, gz: bool = True
) -> dict[str, np.ndarray]:
    """Write four small MNIST-style IDX files into ``folder``; returns the arrays by file stem."""
    rng = np.random.default_rng(seed)
    arrays = {}
    for stem, count in zip(IDX_FILES, (train, train, test, test), strict=True):
        shape = (count, 28, 28) if "images" in stem else (count,)
        arrays[stem] = rng.integers(0, 256 if "images" in stem else 10, shape, dtype=np.uint8)
    folder.mkdir(parents=True, exist_ok=True)
    for stem, array in arrays.items():
        write_idx(folder / (f"{stem}.gz" if gz else stem), array)
    return arrays


def content_digests(arrays: dict[str, np.ndarray], folder: Path) -> dict[str, str]:
    """SHA-256 of each file's uncompressed IDX content (as MNIST's table records them)."""
    digests = {}
    for stem, array in arrays.items():
        write_idx(folder / stem, array, compress=False)
        digests[stem] = hashlib.sha256((folder / stem).read_bytes()).hexdigest()
        (folder / stem).unlink()
    return digests


def mnist_table(arrays: dict[str, np.ndarray], scratch: Path, mirrors=()) -> dict:
    """MNIST's table with the generated files' digests and the given mirrors."""
    return {**MNIST, "mirrors": list(mirrors), "sha256": content_digests(arrays, scratch)}


def assert_dataset(result, arrays: dict[str, np.ndarray]) -> None:
    (x_train, y_train), (x_test, y_test) = result
    for images, labels, prefix in ((x_train, y_train, "train"), (x_test, y_test, "t10k")):
        assert images.dtype == np.uint8 and labels.dtype == np.int64
        np.testing.assert_array_equal(images, arrays[f"{prefix}-images-idx3-ubyte"])
        np.testing.assert_array_equal(labels, arrays[f"{prefix}-labels-idx1-ubyte"])


@pytest.fixture
def isolated(tmp_path, monkeypatch) -> Path:
    """A cache folder inside tmp_path, no $TINYDL_DATA, and MNIST's mirrors unreachable."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("TINYDL_DATA", raising=False)
    for table in (MNIST, FASHION_MNIST, CIFAR10):
        monkeypatch.setitem(table, "mirrors", [])
    return tmp_path / "cache"


def test_root_with_files_directly_inside(tmp_path, isolated):
    arrays = make_idx_dataset(tmp_path / "files")
    table = mnist_table(arrays, tmp_path)
    assert_dataset(load_idx_dataset(table, root=tmp_path / "files", download=False), arrays)


def test_root_with_a_dataset_subfolder_and_unpacked_files(tmp_path, isolated):
    arrays = make_idx_dataset(tmp_path / "data" / "mnist", gz=False)
    table = mnist_table(arrays, tmp_path)
    assert_dataset(load_idx_dataset(table, root=str(tmp_path / "data"), download=False), arrays)


def test_tinydl_data_variable(tmp_path, isolated, monkeypatch):
    arrays = make_idx_dataset(tmp_path / "shared" / "mnist")
    monkeypatch.setenv("TINYDL_DATA", str(tmp_path / "shared"))
    monkeypatch.setitem(MNIST, "sha256", content_digests(arrays, tmp_path))
    assert_dataset(load_mnist(download=False), arrays)


def test_root_comes_before_tinydl_data_which_comes_before_the_cache(
    tmp_path, isolated, monkeypatch
):
    in_root = make_idx_dataset(tmp_path / "root", seed=1)
    in_env = make_idx_dataset(tmp_path / "env", seed=2)
    in_cache = make_idx_dataset(isolated / "tinydl" / "mnist", seed=3)
    monkeypatch.setenv("TINYDL_DATA", str(tmp_path / "env"))
    # Each time, only the files that should win match the table's digests.
    monkeypatch.setitem(MNIST, "sha256", content_digests(in_root, tmp_path))
    assert_dataset(load_mnist(root=tmp_path / "root", download=False), in_root)
    monkeypatch.setitem(MNIST, "sha256", content_digests(in_env, tmp_path))
    assert_dataset(load_mnist(download=False), in_env)
    monkeypatch.delenv("TINYDL_DATA")
    monkeypatch.setitem(MNIST, "sha256", content_digests(in_cache, tmp_path))
    assert_dataset(load_mnist(download=False), in_cache)


def test_xdg_cache_home_unset_means_home_cache(tmp_path, monkeypatch):
    from tinydl.data.locations import cache_dir

    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert cache_dir("mnist") == tmp_path / ".cache" / "tinydl" / "mnist"


def test_local_file_with_wrong_checksum_names_file_and_both_hashes(tmp_path, isolated):
    arrays = make_idx_dataset(tmp_path / "files")
    table = mnist_table(arrays, tmp_path)
    found, wrong = table["sha256"]["t10k-labels-idx1-ubyte"], "0" * 64
    table["sha256"]["t10k-labels-idx1-ubyte"] = wrong
    path = tmp_path / "files" / "t10k-labels-idx1-ubyte.gz"
    with pytest.raises(
        DataError,
        match="^"
        + re.escape(
            f"{path}: checksum mismatch: expected SHA-256 of its uncompressed content {wrong}, "
            f"found {found}; the file is corrupt or not the expected one (delete or replace "
            "a local copy)"
        ),
    ):
        load_idx_dataset(table, root=tmp_path / "files", download=False)


def test_real_mnist_checksums_reject_other_files(tmp_path, isolated):
    make_idx_dataset(tmp_path / "files")
    with pytest.raises(DataError, match="checksum mismatch: expected SHA-256 of its uncompressed"):
        load_mnist(root=tmp_path / "files", download=False)


def test_fashion_mnist_checks_the_gz_digest_or_only_the_structure_of_unpacked_files(
    tmp_path, isolated, monkeypatch
):
    arrays = make_idx_dataset(tmp_path / "fashion-mnist", gz=False)
    # No digest is published for unpacked files: structure, shapes and labels are checked.
    assert_dataset(load_fashion_mnist(root=tmp_path, download=False), arrays)
    make_idx_dataset(tmp_path / "packed" / "fashion-mnist")
    with pytest.raises(DataError, match=re.escape("expected SHA-256 of the .gz file 3aede38d")):
        load_fashion_mnist(root=tmp_path / "packed", download=False)
    gz_digests = {
        f"{stem}.gz": hashlib.sha256(
            (tmp_path / "packed" / "fashion-mnist" / f"{stem}.gz").read_bytes()
        ).hexdigest()
        for stem in IDX_FILES
    }
    monkeypatch.setitem(FASHION_MNIST, "sha256", gz_digests)
    assert_dataset(load_fashion_mnist(root=tmp_path / "packed", download=False), arrays)


def test_wrong_image_shape_label_count_and_label_range(tmp_path, isolated):
    folder = tmp_path / "files"
    arrays = make_idx_dataset(folder, gz=False)
    table = {**MNIST, "sha256": {}}
    write_idx(folder / "t10k-images-idx3-ubyte", np.zeros((3, 28, 27), np.uint8))
    with pytest.raises(
        DataError,
        match=re.escape(
            f"{folder / 't10k-images-idx3-ubyte'}: expected uint8 images of shape (N, 28, 28), "
            f"found uint8 of shape (3, 28, 27)"
        ),
    ):
        load_idx_dataset(table, root=folder, download=False)
    write_idx(folder / "t10k-images-idx3-ubyte", arrays["t10k-images-idx3-ubyte"])
    write_idx(folder / "train-labels-idx1-ubyte", np.zeros(4, np.uint8))
    with pytest.raises(
        DataError,
        match=re.escape(
            f"{folder / 'train-labels-idx1-ubyte'}: expected 5 uint8 labels (one per image in "
            f"train-images-idx3-ubyte), found uint8 of shape (4,)"
        ),
    ):
        load_idx_dataset(table, root=folder, download=False)
    write_idx(folder / "train-labels-idx1-ubyte", np.array([1, 2, 10, 3, 4], np.uint8))
    with pytest.raises(
        DataError,
        match=re.escape(
            f"{folder / 'train-labels-idx1-ubyte'}: labels must lie in [0, 10), found 10"
        ),
    ):
        load_idx_dataset(table, root=folder, download=False)


def test_not_found_without_download_lists_every_folder_and_the_remedy(tmp_path, isolated):
    with pytest.raises(DataError) as caught:
        load_mnist(root=tmp_path / "nowhere", download=False)
    assert str(caught.value) == (
        "MNIST not found. Looked for train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz], "
        "t10k-images-idx3-ubyte[.gz], t10k-labels-idx1-ubyte[.gz] in:\n"
        f"  {tmp_path / 'nowhere' / 'mnist'}\n"
        f"  {tmp_path / 'nowhere'}\n"
        "  ($TINYDL_DATA is not set)\n"
        f"  {isolated / 'tinydl' / 'mnist'}\n"
        "Downloading is off (download=False).\n"
        "To use local copies, pass load_mnist(root='/path/to/folder') or set "
        "TINYDL_DATA=/path/to/folder; the files may sit in that folder or in its subfolder mnist/."
    )
    assert not isolated.exists()  # looking creates nothing


def test_only_the_missing_files_are_reported(tmp_path, isolated, monkeypatch):
    make_idx_dataset(tmp_path / "files")
    (tmp_path / "files" / "t10k-labels-idx1-ubyte.gz").unlink()
    monkeypatch.setenv("TINYDL_DATA", str(tmp_path / "env"))
    with pytest.raises(DataError) as caught:
        load_mnist(root=tmp_path / "files", download=False)
    message = str(caught.value)
    assert message.startswith("MNIST not found. Looked for t10k-labels-idx1-ubyte[.gz] in:\n")
    assert f"  {tmp_path / 'env' / 'mnist'}\n  {tmp_path / 'env'}\n" in message
    assert "TINYDL_DATA is not set" not in message


@pytest.mark.skipif(not (SHARED_DATA / "mnist").is_dir(), reason="no ../shared/data/mnist")
def test_real_mnist_from_the_shared_folder(isolated, monkeypatch):
    monkeypatch.setenv("TINYDL_DATA", str(SHARED_DATA))
    (x_train, y_train), (x_test, y_test) = load_mnist(download=False)
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert x_train.dtype == x_test.dtype == np.uint8
    assert y_train.dtype == y_test.dtype == np.int64
    assert np.bincount(y_train).tolist() == [
        5923,
        6742,
        5958,
        6131,
        5842,
        5421,
        5918,
        6265,
        5851,
        5949,
    ]
    assert np.bincount(y_test).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    counts = np.bincount(x_train.ravel(), minlength=256)  # pixel statistics without a copy
    values = np.arange(256) / 255
    mean = counts @ values / counts.sum()
    std = np.sqrt(counts @ (values - mean) ** 2 / counts.sum())
    assert round(mean, 4) == 0.1307 and round(std, 4) == 0.3081


# ---- CIFAR-10 ------------------------------------------------------------------------------


def make_cifar_batches(folder: Path, per_batch: int = 2, seed: int = 0) -> dict[str, dict]:
    """Write the six python batches (pickled as the real ones are), ``per_batch`` images each."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    batches = {}
    for name in CIFAR10["train_batches"] + CIFAR10["test_batches"]:
        batches[name] = {
            b"batch_label": name.encode(),
            b"labels": rng.integers(0, 10, per_batch).tolist(),
            b"data": rng.integers(0, 256, (per_batch, 3072), dtype=np.uint8),
            b"filenames": [b"image.png"] * per_batch,
        }
        (folder / name).write_bytes(pickle.dumps(batches[name], protocol=2))
    return batches


def assert_cifar(result, batches: dict[str, dict], channels_first: bool = True) -> None:
    (x_train, y_train), (x_test, y_test) = result
    for images, labels, names in (
        (x_train, y_train, CIFAR10["train_batches"]),
        (x_test, y_test, CIFAR10["test_batches"]),
    ):
        data = np.concatenate([batches[name][b"data"] for name in names])
        expected = [label for name in names for label in batches[name][b"labels"]]
        assert images.dtype == np.uint8 and labels.dtype == np.int64
        assert labels.tolist() == expected
        assert images.shape == (
            (len(data), 3, 32, 32) if channels_first else (len(data), 32, 32, 3)
        )
        # Row layout: all red values, then green, then blue, each 32x32 row by row.
        pixel = images[:, 2, 5, 7] if channels_first else images[:, 5, 7, 2]
        np.testing.assert_array_equal(pixel, data[:, 2 * 1024 + 5 * 32 + 7])
        assert images.flags.c_contiguous


def test_cifar_from_a_batches_folder_in_either_layout(tmp_path, isolated):
    batches = make_cifar_batches(tmp_path / "cifar10" / "cifar-10-batches-py")
    # Channels-first by default: the layout tinydl's Conv2D takes (issue 11).
    assert_cifar(load_cifar10(root=tmp_path, download=False), batches)
    assert_cifar(load_cifar10(root=tmp_path, download=False, channels_first=False), batches, False)


def make_cifar_archive(path: Path, folder: Path) -> str:
    """Pack ``folder``'s batches as cifar-10-python.tar.gz does; returns the archive's SHA-256."""
    with tarfile.open(path, "w:gz") as archive:
        for batch in sorted(folder.iterdir()):
            archive.add(batch, arcname=f"cifar-10-batches-py/{batch.name}")
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_cifar_from_the_archive_checks_its_digest(tmp_path, isolated, monkeypatch):
    batches = make_cifar_batches(tmp_path / "batches")
    (tmp_path / "env").mkdir()
    archive = tmp_path / "env" / "cifar-10-python.tar.gz"
    digest = make_cifar_archive(archive, tmp_path / "batches")
    monkeypatch.setenv("TINYDL_DATA", str(tmp_path / "env"))
    with pytest.raises(
        DataError,
        match=re.escape(
            f"{archive}: checksum mismatch: expected SHA-256 of the archive "
            f"{CIFAR10['sha256']['cifar-10-python.tar.gz']}, found {digest};"
        ),
    ):
        load_cifar10(download=False)
    monkeypatch.setitem(CIFAR10, "sha256", {"cifar-10-python.tar.gz": digest})
    assert_cifar(load_cifar10(download=False), batches)


def test_cifar_archive_missing_a_member(tmp_path, isolated, monkeypatch):
    make_cifar_batches(tmp_path / "batches")
    (tmp_path / "batches" / "test_batch").unlink()
    archive = tmp_path / "cifar-10-python.tar.gz"
    monkeypatch.setitem(
        CIFAR10,
        "sha256",
        {"cifar-10-python.tar.gz": make_cifar_archive(archive, tmp_path / "batches")},
    )
    with pytest.raises(
        DataError,
        match=re.escape(
            f"{archive}: expected a file cifar-10-batches-py/test_batch in the archive"
        ),
    ):
        load_cifar10(root=tmp_path, download=False)


class _RunsCode:
    def __reduce__(self):
        return (print, ("this pickle ran code",))


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (
            _RunsCode(),
            "not a readable CIFAR-10 batch (refusing to load the global __builtin__.print: "
            "only plain data and NumPy arrays are allowed)",
        ),
        (
            [1, 2],
            "expected a dict with keys b'data' and b'labels' (a CIFAR-10 python batch), found list",
        ),
        ({b"data": [0], b"labels": [0]}, "expected b'data' to be an array, found list"),
        (
            {b"data": np.zeros((1, 3071), np.uint8), b"labels": [0]},
            "expected b'data' to be uint8 of shape (N, 3072), found uint8 of shape (1, 3071)",
        ),
        (
            {b"data": np.zeros((1, 3072), np.uint8), b"labels": [0, 1]},
            "expected b'labels' to be 1 integers (one per image), found int64 of shape (2,)",
        ),
        (
            {b"data": np.zeros((1, 3072), np.uint8), b"labels": [-1]},
            "labels must lie in [0, 10), found -1",
        ),
    ],
    ids=["code", "not-a-dict", "data-not-array", "data-shape", "label-count", "label-range"],
)
def test_cifar_batches_are_loaded_safely_and_validated(
    tmp_path, isolated, capsys, payload, message
):
    folder = tmp_path / "cifar-10-batches-py"
    make_cifar_batches(folder)
    (folder / "data_batch_3").write_bytes(pickle.dumps(payload, protocol=2))
    with pytest.raises(DataError, match="^" + re.escape(f"{folder / 'data_batch_3'}: {message}")):
        load_cifar10(root=tmp_path, download=False)
    assert capsys.readouterr().out == ""


def test_cifar_not_found_lists_folders(tmp_path, isolated):
    with pytest.raises(DataError) as caught:
        load_cifar10(root=tmp_path, download=False)
    assert str(caught.value).startswith(
        "CIFAR-10 not found. Looked for cifar-10-batches-py/ (the batch files) or "
        f"cifar-10-python.tar.gz in:\n  {tmp_path / 'cifar10'}\n  {tmp_path}\n"
    )
    assert "pass load_cifar10(root='/path/to/folder')" in str(caught.value)


def test_pickled_bytes_round_trip_through_the_safe_unpickler():
    from tinydl.data.safe_pickle import load_plain_pickle

    value = {b"data": np.arange(6, dtype=np.uint8).reshape(2, 3), b"labels": [1, 2]}
    for protocol in (2, pickle.HIGHEST_PROTOCOL):
        back = load_plain_pickle(pickle.dumps(value, protocol=protocol))
        np.testing.assert_array_equal(back[b"data"], value[b"data"])
        assert back[b"labels"] == [1, 2]
