"""tinydl.vision.datasets.ImageFolder over a folder of PNG files (classes, class_to_idx,
samples and targets ordered as torchvision's ``folder.py`` orders them: sorted class
folders, then each class's files walked and sorted), its loader and errors; and the
torchvision types of the MNIST-style datasets' ``data`` and ``targets``."""

from __future__ import annotations

import os

import numpy as np
import pytest
from test_data_datasets import isolated, make_cifar_batches  # noqa: F401  (a fixture)
from test_vision import fake_mnist

import tinydl
from tinydl.data import DataError, DataLoader
from tinydl.data.png import write_png
from tinydl.vision import datasets, transforms


def make_folder(root, layout: dict[str, list[str]], seed: int = 0) -> dict[str, np.ndarray]:
    """PNG files at ``root/<class>/<name>``: RGB, grey or RGBA by the name's first letter."""
    rng = np.random.default_rng(seed)
    written = {}
    for label, names in layout.items():
        for name in names:
            path = root / label / name
            path.parent.mkdir(parents=True, exist_ok=True)
            shape = {"g": (6, 5), "a": (6, 5, 4)}.get(path.name[0], (6, 5, 3))
            written[str(path)] = rng.integers(0, 256, shape, np.uint8)
            if name.endswith(".png"):
                write_png(path, written[str(path)])
            else:
                path.write_bytes(b"not an image this loader reads")
    return written


LAYOUT = {
    "dog": ["b.png", "a.png", "nested/c.png", "gz.png"],
    "cat": ["z.png", "ay.png"],
    "Zebra": ["readme.txt", "m.png"],
}


def test_classes_samples_and_targets_follow_torchvisions_order(tmp_path) -> None:
    make_folder(tmp_path, LAYOUT)
    (tmp_path / "not_a_class.png").write_bytes(b"")  # files beside the class folders: ignored
    dataset = datasets.ImageFolder(tmp_path)
    assert dataset.classes == ["Zebra", "cat", "dog"]  # sorted as strings: capitals first
    assert dataset.class_to_idx == {"Zebra": 0, "cat": 1, "dog": 2}
    relative = [(os.path.relpath(path, tmp_path), target) for path, target in dataset.samples]
    assert relative == [
        ("Zebra/m.png", 0),
        ("cat/ay.png", 1), ("cat/z.png", 1),
        ("dog/a.png", 2), ("dog/b.png", 2), ("dog/gz.png", 2), ("dog/nested/c.png", 2),
    ]
    assert dataset.targets == [0, 1, 1, 2, 2, 2, 2] and dataset.imgs == dataset.samples
    assert len(dataset) == 7 and "Number of datapoints: 7" in repr(dataset)


def test_items_are_rgb_arrays_as_pil_convert_rgb_gives(tmp_path) -> None:
    written = make_folder(tmp_path, {"x": ["rgb.png", "grey.png", "alpha.png"]})
    dataset = datasets.ImageFolder(tmp_path, target_transform=lambda t: t + 10)
    by_name = {os.path.basename(path): index for index, (path, _) in enumerate(dataset.samples)}
    image, target = dataset[by_name["alpha.png"]]
    assert target == 10 and image.dtype == np.uint8 and image.shape == (6, 5, 3)
    np.testing.assert_array_equal(image, written[str(tmp_path / "x" / "alpha.png")][:, :, :3])
    grey = dataset[by_name["grey.png"]][0]
    assert grey.shape == (6, 5, 3)
    np.testing.assert_array_equal(grey[:, :, 1], written[str(tmp_path / "x" / "grey.png")])


def test_transforms_and_a_loader_make_batches(tmp_path) -> None:
    make_folder(tmp_path, {"a": ["1.png", "2.png", "3.png"], "b": ["4.png", "5.png"]})
    transform = transforms.Compose([
        transforms.Resize(8), transforms.CenterCrop(8), transforms.RandomHorizontalFlip(),
        transforms.ToTensor(), transforms.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5)),
    ])
    dataset = datasets.ImageFolder(str(tmp_path), transform=transform)
    images, labels = next(iter(DataLoader(dataset, batch_size=5, shuffle=True, seed=0)))
    assert images.shape == (5, 3, 8, 8) and images.dtype == np.float32
    assert sorted(labels.numpy().tolist()) == [0, 0, 0, 1, 1]
    assert -1.0 <= float(images.numpy().min()) and float(images.numpy().max()) <= 1.0


def test_is_valid_file_loader_and_allow_empty(tmp_path) -> None:
    make_folder(tmp_path, {"a": ["keep.png", "drop.png"], "b": ["drop.png"]})
    kept = datasets.ImageFolder(tmp_path, is_valid_file=lambda path: "keep" in path,
                                allow_empty=True)
    assert [os.path.basename(path) for path, _ in kept.samples] == ["keep.png"]
    assert kept.classes == ["a", "b"]  # the empty class keeps its index
    sizes = datasets.ImageFolder(tmp_path, loader=lambda path: os.path.getsize(path))
    assert isinstance(sizes[0][0], int)


def test_empty_folders_and_non_png_images_are_refused_up_front(tmp_path) -> None:
    with pytest.raises(FileNotFoundError, match="found no class folder in"):
        datasets.ImageFolder(tmp_path)
    make_folder(tmp_path, {"a": ["1.png"], "b": ["notes.txt"], "c": []})
    (tmp_path / "c").mkdir()
    with pytest.raises(FileNotFoundError, match="no image for the classes b, c in"):
        datasets.ImageFolder(tmp_path)
    with pytest.raises(FileNotFoundError, match="a file that is_valid_file accepts"):
        datasets.ImageFolder(tmp_path, is_valid_file=lambda path: path.endswith(".png"))
    (tmp_path / "b" / "photo.JPG").write_bytes(b"\xff\xd8")
    (tmp_path / "c" / "x.png").write_bytes(b"")
    refused = r"1 of the 3 images .* not PNG \(the first: .*photo\.JPG\)"
    with pytest.raises(DataError, match=refused):
        datasets.ImageFolder(tmp_path)


# ---- data and targets of the array datasets ------------------------------------------------


def test_mnist_data_and_targets_are_tensors_as_in_torchvision(
    tmp_path, isolated, monkeypatch  # noqa: F811
) -> None:
    arrays = fake_mnist(tmp_path, monkeypatch)
    train = datasets.MNIST(tmp_path, download=False, transform=transforms.ToTensor())
    assert isinstance(train.data, tinydl.Tensor) and isinstance(train.targets, tinydl.Tensor)
    assert train.data.dtype == np.uint8 and train.targets.dtype == np.int64
    assert train.data.shape == (7, 28, 28) and train.data[0].shape == (28, 28)
    labels = arrays["train-labels-idx1-ubyte"]
    assert int((train.targets == int(labels[0])).sum()) == int((labels == labels[0]).sum())
    floats = train.data.float() / 255  # the learners' manual scaling
    assert floats.dtype == np.float32 and float(floats.max()) <= 1.0
    # Keeping a subset by assigning data and targets, as learners do with torchvision:
    keep = train.targets < 5
    train.data, train.targets = train.data[keep], train.targets[keep]
    assert len(train) == int((labels < 5).sum())
    x, y = next(iter(DataLoader(train, batch_size=len(train))))
    np.testing.assert_array_equal(y.numpy(), labels[labels < 5])
    np.testing.assert_allclose(x.numpy()[:, 0], arrays["train-images-idx3-ubyte"][labels < 5] / 255,
                               rtol=1e-6)


def test_cifar10_data_is_an_array_and_targets_a_list(tmp_path, isolated) -> None:  # noqa: F811
    batches = make_cifar_batches(tmp_path / "cifar-10-batches-py")
    dataset = datasets.CIFAR10(tmp_path, train=False, transform=transforms.ToTensor(),
                               download=False)
    assert isinstance(dataset.data, np.ndarray) and dataset.data.shape == (2, 32, 32, 3)
    assert dataset.targets == list(batches["test_batch"][b"labels"])
    assert all(type(label) is int for label in dataset.targets)
    x, y = dataset.get_batch(np.array([1, 0]))
    assert x.shape == (2, 3, 32, 32) and y.tolist() == dataset.targets[::-1]
