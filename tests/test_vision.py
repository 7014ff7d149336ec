"""tinydl.vision (torchvision's datasets and transforms) and DataLoader over datasets: item
semantics, the vectorised batch path checked against per-item collation, where the files
are looked for, and the torch.utils.data names."""

from __future__ import annotations

import numpy as np
import pytest
from test_data_datasets import (
    SHARED_DATA,
    content_digests,
    isolated,  # noqa: F401  (a fixture)
    make_cifar_batches,
    make_idx_dataset,
)

import tinydl
from tinydl import data
from tinydl.data import FASHION_MNIST, MNIST, DataError
from tinydl.data.dataset import Dataset, Subset, TensorDataset, collate
from tinydl.vision import datasets, transforms

MEAN, STD = 0.1307, 0.3081
MNIST_TRANSFORM = transforms.Compose([transforms.ToTensor(), transforms.Normalize((MEAN,), (STD,))])


# ---- transforms ----------------------------------------------------------------------------


def test_to_tensor_scales_uint8_and_adds_the_channel_axis() -> None:
    image = np.array([[0, 51], [255, 102]], np.uint8)
    out = transforms.ToTensor()(image)
    assert isinstance(out, tinydl.Tensor) and out.dtype == np.float32 and out.shape == (1, 2, 2)
    np.testing.assert_allclose(out.numpy()[0], [[0.0, 0.2], [1.0, 0.4]], rtol=1e-6)


def test_to_tensor_moves_channels_first() -> None:
    image = np.arange(2 * 3 * 3, dtype=np.uint8).reshape(2, 3, 3)  # H=2, W=3, C=3
    out = transforms.ToTensor()(image).numpy()
    assert out.shape == (3, 2, 3)
    for c in range(3):
        np.testing.assert_allclose(out[c], image[:, :, c] / 255, rtol=1e-6)


def test_to_tensor_keeps_the_values_of_other_dtypes() -> None:
    out = transforms.ToTensor()(np.array([[2.5, -1.0]], np.float64))
    assert out.dtype == np.float32 and out.numpy().tolist() == [[[2.5, -1.0]]]
    assert transforms.ToTensor()(np.array([[7, 300]], np.int32)).numpy().tolist() == [[[7, 300]]]


def test_to_tensor_follows_the_default_float_dtype() -> None:
    tinydl.set_default_dtype("float64")
    try:
        out = transforms.ToTensor()(np.array([[51]], np.uint8))
    finally:
        tinydl.set_default_dtype("float32")
    assert out.dtype == np.float64 and out.item() == 0.2


def test_normalize_per_channel_and_one_value_for_all() -> None:
    image = np.arange(12, dtype=np.float32).reshape(3, 2, 2)
    out = transforms.Normalize((1.0, 2.0, 3.0), (2.0, 4.0, 0.5))(image).numpy()
    for c, (m, s) in enumerate(((1.0, 2.0), (2.0, 4.0), (3.0, 0.5))):
        np.testing.assert_allclose(out[c], (image[c] - m) / s, rtol=1e-6)
    assert out.dtype == np.float32
    same = transforms.Normalize((0.5,), (0.25,))(tinydl.tensor(image)).numpy()
    np.testing.assert_allclose(same, (image - 0.5) / 0.25, rtol=1e-6)


def test_compose_runs_in_order_and_knows_if_it_can_run_on_batches() -> None:
    image = np.full((2, 2), 255, np.uint8)
    np.testing.assert_allclose(MNIST_TRANSFORM(image).numpy(), (1 - MEAN) / STD, rtol=1e-6)
    assert MNIST_TRANSFORM.batchable
    assert not transforms.Compose([transforms.ToTensor(), lambda t: t * 2]).batchable


@pytest.mark.parametrize("shape", [(5, 6, 7), (5, 6, 7, 3)])
def test_the_batch_path_equals_the_per_item_path(shape) -> None:
    """apply_batch (the fast path) against calling the transform on each image (reference)."""
    images = np.random.default_rng(0).integers(0, 256, shape, dtype=np.uint8)
    chain = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.2,), (0.7,))])
    per_item = np.stack([chain(image).numpy() for image in images])
    batch = chain.apply_batch(images)
    assert batch.dtype == per_item.dtype == np.float32
    np.testing.assert_array_equal(batch, per_item)


# ---- datasets ------------------------------------------------------------------------------


def fake_mnist(root, monkeypatch, layout: str = "") -> dict[str, np.ndarray]:
    arrays = make_idx_dataset(root / layout if layout else root, train=7, test=3)
    monkeypatch.setitem(MNIST, "sha256", content_digests(arrays, root))
    return arrays


def test_mnist_items_and_attributes(tmp_path, isolated, monkeypatch) -> None:  # noqa: F811
    arrays = fake_mnist(tmp_path, monkeypatch)
    train = datasets.MNIST(tmp_path, train=True, transform=MNIST_TRANSFORM, download=False)
    test = datasets.MNIST(tmp_path, train=False, download=False)
    assert (len(train), len(test)) == (7, 3)
    np.testing.assert_array_equal(train.data, arrays["train-images-idx3-ubyte"])
    np.testing.assert_array_equal(test.targets, arrays["t10k-labels-idx1-ubyte"])
    image, label = train[2]
    assert isinstance(image, tinydl.Tensor) and image.shape == (1, 28, 28)
    assert type(label) is int and label == arrays["train-labels-idx1-ubyte"][2]
    expected = (arrays["train-images-idx3-ubyte"][2] / 255 - MEAN) / STD
    np.testing.assert_allclose(image.numpy()[0], expected, rtol=1e-5, atol=1e-6)
    raw, _ = test[0]  # no transform: the uint8 image, as torchvision's .data holds it
    assert raw.dtype == np.uint8 and raw.shape == (28, 28)
    assert train.classes[3] == "3 - three" and train.class_to_idx["9 - nine"] == 9


def test_torchvisions_folder_layout_is_found(tmp_path, isolated, monkeypatch) -> None:  # noqa: F811
    arrays = fake_mnist(tmp_path, monkeypatch, layout="MNIST/raw")
    dataset = datasets.MNIST(tmp_path, download=False)
    np.testing.assert_array_equal(dataset.data, arrays["train-images-idx3-ubyte"])


def test_target_transform_and_fashion_mnist(tmp_path, isolated) -> None:  # noqa: F811
    arrays = make_idx_dataset(tmp_path / "fashion-mnist", train=4, test=2, gz=False)
    dataset = datasets.FashionMNIST(tmp_path, download=False, target_transform=lambda y: y + 100)
    assert dataset[1][1] == arrays["train-labels-idx1-ubyte"][1] + 100
    assert dataset.classes[9] == "Ankle boot" and FASHION_MNIST["name"] == "fashion-mnist"


def test_cifar10_keeps_hwc_data_and_gives_chw_tensors(tmp_path, isolated) -> None:  # noqa: F811
    batches = make_cifar_batches(tmp_path / "cifar-10-batches-py")
    dataset = datasets.CIFAR10(tmp_path, train=False, transform=transforms.ToTensor(),
                               download=False)
    assert dataset.data.shape == (2, 32, 32, 3)
    image, label = dataset[1]
    assert image.shape == (3, 32, 32) and label == batches["test_batch"][b"labels"][1]
    red = batches["test_batch"][b"data"][1, :1024].reshape(32, 32)
    np.testing.assert_allclose(image.numpy()[0], red / 255, rtol=1e-6)


def test_offline_and_nowhere_says_where_it_looked(tmp_path, isolated) -> None:  # noqa: F811
    with pytest.raises(DataError) as caught:
        datasets.MNIST(tmp_path / "data", download=False)
    message = str(caught.value)
    assert message.startswith("MNIST not found. Looked for train-images-idx3-ubyte[.gz]")
    assert f"  {tmp_path / 'data' / 'mnist'}\n  {tmp_path / 'data'}\n" in message
    assert "pass tinydl.vision.datasets.MNIST(root='/path/to/folder')" in message


@pytest.mark.skipif(not (SHARED_DATA / "mnist").is_dir(), reason="no ../shared/data/mnist")
def test_real_mnist_through_a_loader(monkeypatch) -> None:
    monkeypatch.setenv("TINYDL_DATA", str(SHARED_DATA))
    dataset = datasets.MNIST("../data", train=False, transform=MNIST_TRANSFORM, download=False)
    loader = tinydl.utils.data.DataLoader(dataset, batch_size=1000)
    assert len(loader.dataset) == 10000 and len(loader) == 10
    x, y = next(iter(loader))
    assert x.shape == (1000, 1, 28, 28) and x.dtype == np.float32 and y.dtype == np.int64
    assert y.numpy()[:5].tolist() == [7, 2, 1, 0, 4]
    assert abs(float(x.numpy().mean()) - (0.1325 - MEAN) / STD) < 0.05


# ---- DataLoader over datasets --------------------------------------------------------------


class Squares:
    """A generic dataset: only __getitem__ and __len__, samples (array, number, string)."""

    def __len__(self) -> int:
        return 5

    def __getitem__(self, i: int):
        return np.full((2,), i, np.float32), i * i, f"s{i}"


def test_generic_datasets_are_collated_item_by_item() -> None:
    loader = data.DataLoader(Squares(), batch_size=2)
    batches = list(loader)
    assert len(batches) == 3 and loader.dataset.__class__ is Squares
    x, y, names = batches[2]
    assert x.numpy().tolist() == [[4.0, 4.0]] and y.numpy().tolist() == [16]
    assert names == ["s4"]


def test_a_batchable_dataset_never_calls_getitem(tmp_path, isolated, monkeypatch) -> None:  # noqa: F811
    fake_mnist(tmp_path, monkeypatch)
    dataset = datasets.MNIST(tmp_path, transform=MNIST_TRANSFORM, download=False)

    def refuse(self, index):
        raise AssertionError("per-item path used")

    batches = list(data.DataLoader(dataset, batch_size=3, shuffle=True, seed=4))
    monkeypatch.setattr(datasets.MNIST, "__getitem__", refuse)
    again = list(data.DataLoader(dataset, batch_size=3, shuffle=True, seed=4))
    for (x1, y1), (x2, y2) in zip(batches, again, strict=True):
        np.testing.assert_array_equal(x1.numpy(), x2.numpy())
        np.testing.assert_array_equal(y1.numpy(), y2.numpy())


def test_batch_path_and_per_item_path_give_the_same_batches(
    tmp_path, isolated, monkeypatch  # noqa: F811
) -> None:
    fake_mnist(tmp_path, monkeypatch)
    dataset = datasets.MNIST(tmp_path, transform=MNIST_TRANSFORM, download=False)
    indices = np.array([6, 0, 3, 3])
    fast = dataset.get_batch(indices)
    reference = collate([dataset[int(i)] for i in indices])
    for fast_field, reference_field in zip(fast, reference, strict=True):
        assert fast_field.dtype == reference_field.dtype
        np.testing.assert_array_equal(fast_field, reference_field)
    # A transform that cannot run on batches sends the dataset down the per-item path.
    dataset.transform = transforms.Compose([transforms.ToTensor(), lambda t: t * 2])
    doubled = 2 * dataset.data[indices][:, None].astype(np.float32) / 255
    np.testing.assert_allclose(dataset.get_batch(indices)[0], doubled, rtol=1e-6)


def test_array_loaders_expose_a_tensor_dataset() -> None:
    x, y = np.arange(12.0).reshape(6, 2), np.arange(6)
    loader = data.DataLoader(x, y, batch_size=4)
    assert isinstance(loader.dataset, TensorDataset) and len(loader.dataset) == 6
    first, label = loader.dataset[5]
    assert first.numpy().tolist() == [10.0, 11.0] and label.item() == 5


def test_worker_options_are_accepted_and_change_nothing() -> None:
    x, y = np.arange(20.0).reshape(10, 2), np.arange(10)
    plain = [b[1].numpy().tolist() for b in data.DataLoader(x, y, 3, shuffle=True, seed=2)]
    workers = data.DataLoader(x, y, 3, shuffle=True, seed=2, num_workers=4, pin_memory=True,
                              persistent_workers=True)
    assert [b[1].numpy().tolist() for b in workers] == plain


def test_subset_and_dataset_keyword() -> None:
    base = TensorDataset(np.arange(10) * 10, np.arange(10))
    subset = Subset(base, range(2, 7))
    assert len(subset) == 5 and subset[0][0].item() == 20
    batches = [b[0].numpy().tolist() for b in data.DataLoader(dataset=subset, batch_size=2)]
    assert batches == [[20, 30], [40, 50], [60]]


def test_torch_utils_data_names_are_tinydls_own() -> None:
    from tinydl.utils import data as utils_data

    assert utils_data.DataLoader is data.DataLoader
    assert (utils_data.Dataset, utils_data.TensorDataset, utils_data.Subset) == (
        Dataset, TensorDataset, Subset
    )
    assert tinydl.utils.data is utils_data


def test_dataset_batches_land_on_the_loaders_device(
    tmp_path, isolated, monkeypatch, device: str  # noqa: F811
) -> None:
    fake_mnist(tmp_path, monkeypatch)
    dataset = datasets.MNIST(tmp_path, transform=MNIST_TRANSFORM, download=False)
    x, y = next(iter(data.DataLoader(dataset, batch_size=4, device=device)))
    assert x.device == y.device == tinydl.device(device)
    assert x.shape == (4, 1, 28, 28) and x.dtype == np.float32
    expected = (dataset.data[:4, None] / np.float32(255) - np.float32(MEAN)) / np.float32(STD)
    np.testing.assert_allclose(x.numpy(), expected, rtol=1e-5, atol=1e-6)
