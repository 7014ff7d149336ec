"""DataLoader batches, order and devices; the transforms; and the array helpers."""

from __future__ import annotations

import re

import numpy as np
import pytest

import tinydl
from tinydl import backend
from tinydl.data import (
    Compose,
    DataError,
    DataLoader,
    Normalize,
    RandomRotation,
    RandomShift,
    ToFloat,
    normalize,
    one_hot,
    rotate,
    shift,
    to_float,
)


def dataset(count: int = 10):
    """Images whose first pixel is their index, so every batch shows which samples it holds."""
    x = np.zeros((count, 1, 4, 4), np.float32)
    x[:, 0, 0, 0] = np.arange(count)
    return x, np.arange(count)


def epoch(loader) -> list[list[int]]:
    """The sample indices of each batch of one pass, checking x and y stay paired."""
    batches = []
    for xb, yb in loader:
        indices = xb.numpy()[:, 0, 0, 0].astype(int).tolist()
        assert yb.numpy().tolist() == indices
        batches.append(indices)
    return batches


# ---- DataLoader ----------------------------------------------------------------------------


def test_batches_in_order_and_the_short_last_batch():
    x, y = dataset(10)
    loader = DataLoader(x, y, batch_size=4)
    assert len(loader) == 3
    assert epoch(loader) == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    shapes = [(xb.shape, yb.shape) for xb, yb in loader]
    assert shapes == [((4, 1, 4, 4), (4,)), ((4, 1, 4, 4), (4,)), ((2, 1, 4, 4), (2,))]


def test_drop_last():
    x, y = dataset(10)
    loader = DataLoader(x, y, batch_size=4, drop_last=True)
    assert len(loader) == 2
    assert epoch(loader) == [[0, 1, 2, 3], [4, 5, 6, 7]]
    assert len(DataLoader(x, y, batch_size=5, drop_last=True)) == 2
    assert len(DataLoader(x, y, batch_size=11, drop_last=True)) == 0


def test_same_seed_same_epochs_and_successive_epochs_differ():
    x, y = dataset(20)
    first, second = (DataLoader(x, y, 6, shuffle=True, seed=7) for _ in range(2))
    epochs = [epoch(first) for _ in range(3)]
    assert [epoch(second) for _ in range(3)] == epochs
    assert epochs[0] != epochs[1] != epochs[2]
    for batches in epochs:
        assert sorted(sum(batches, [])) == list(range(20))
    assert epoch(DataLoader(x, y, 6, shuffle=True, seed=8)) != epochs[0]


def test_without_a_seed_the_global_seed_decides(monkeypatch):
    monkeypatch.setattr(tinydl.random, "_generator", tinydl.random.generator())  # restored after
    x, y = dataset(20)
    tinydl.random.manual_seed(3)
    a = epoch(DataLoader(x, y, 5, shuffle=True))
    tinydl.random.manual_seed(3)
    assert epoch(DataLoader(x, y, 5, shuffle=True)) == a


def test_batches_arrive_on_the_device_as_float32_and_int(device):
    x, y = dataset(6)
    for xb, yb in DataLoader(x.astype(np.float64), y, batch_size=4, device=device):
        assert xb.device == device and yb.device == device
        assert xb.dtype == np.float32 and yb.dtype == np.int64
        assert not xb.requires_grad


def test_the_default_device_is_used(monkeypatch):
    monkeypatch.setattr(backend.devices, "_default", backend.device("fake"))
    x, y = dataset(4)
    xb, _ = next(iter(DataLoader(x, y)))
    assert xb.device == "fake"


def test_device_resident_gives_the_same_batches(device):
    x, y = dataset(11)
    resident = DataLoader(x, y, 4, shuffle=True, seed=1, device=device, device_resident=True)
    streamed = DataLoader(x, y, 4, shuffle=True, seed=1, device=device)
    for _ in range(2):
        for (xa, ya), (xb, yb) in zip(resident, streamed, strict=True):
            assert xa.device == device and ya.device == device
            np.testing.assert_array_equal(xa.numpy(), xb.numpy())
            np.testing.assert_array_equal(ya.numpy(), yb.numpy())


def test_transforms_are_applied_on_host_batches_with_the_loader_generator():
    x = np.arange(8 * 2 * 2, dtype=np.uint8).reshape(8, 2, 2)
    y = np.arange(8)
    calls = []

    def record(images, rng):
        calls.append((type(images), rng))
        return images

    loader = DataLoader(x, y, 4, transform=Compose([record, ToFloat(), Normalize(0.5, 0.25)]))
    batches = [xb.numpy() for xb, _ in loader]
    np.testing.assert_allclose(np.concatenate(batches), (x / 255 - 0.5) / 0.25, rtol=1e-6)
    assert calls == [(np.ndarray, loader.generator)] * 2


def test_random_transforms_are_reproducible_with_the_seed():
    rng = np.random.default_rng(0)
    x, y = rng.integers(0, 256, (12, 8, 8), dtype=np.uint8), np.zeros(12, np.int64)
    augment = Compose([RandomShift(2), RandomRotation(15)])
    runs = [
        [
            xb.numpy()
            for _ in range(2)
            for xb, _ in DataLoader(x, y, 5, True, seed=4, transform=augment)
        ]
        for _ in range(2)
    ]
    for a, b in zip(*runs, strict=True):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(runs[0][0], x[:5])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"x": np.zeros((5, 2)), "y": np.zeros(4)},
            "DataLoader needs one label per sample: x has 5 samples, y has 4 labels",
        ),
        (
            {"x": np.float32(1), "y": np.zeros(1)},
            "DataLoader needs arrays with a samples axis, got x of shape () and y of shape (1,)",
        ),
        ({"batch_size": 0}, "DataLoader: batch_size must be a positive integer, got 0"),
        ({"batch_size": 2.0}, "DataLoader: batch_size must be a positive integer, got 2.0"),
        (
            {"device_resident": True, "transform": ToFloat()},
            "device_resident=True keeps the data on the device, but transforms run on host "
            "batches: drop the transform or set device_resident=False",
        ),
    ],
)
def test_bad_arguments(kwargs, message):
    arguments = {"x": np.zeros((4, 2)), "y": np.zeros(4), **kwargs}
    with pytest.raises(DataError, match="^" + re.escape(message) + "$"):
        DataLoader(**arguments)


# ---- transforms ----------------------------------------------------------------------------


def test_shift_moves_pixels_and_fills_with_zeros():
    images = np.zeros((2, 5, 5), np.uint8)
    images[:, 2, 2] = 9
    images[:, 0, 0] = 1
    moved = shift(images, [1, -2], [0, 2])
    assert moved.dtype == np.uint8 and moved.shape == images.shape
    assert moved[0, 3, 2] == 9 and moved[0, 1, 0] == 1 and moved[0].sum() == 10
    assert moved[1, 0, 4] == 9 and moved[1].sum() == 9  # the corner pixel left the picture


def test_shift_handles_channels_and_matches_a_reference(rng):
    images = rng.standard_normal((3, 2, 6, 7)).astype(np.float32)
    rows, cols = [0, 3, -1], [-2, 1, 6]
    expected = np.zeros_like(images)
    for i, (dy, dx) in enumerate(zip(rows, cols, strict=True)):
        padded = np.pad(images[i], [(0, 0), (8, 8), (8, 8)])
        expected[i] = padded[:, 8 - dy : 8 - dy + 6, 8 - dx : 8 - dx + 7]
    np.testing.assert_array_equal(shift(images, rows, cols), expected)


def test_random_shift_stays_within_max_pixels(rng):
    images = rng.integers(1, 256, (50, 9, 9), dtype=np.uint8)
    moved = RandomShift(2)(images, np.random.default_rng(0))
    offsets = set()
    for original, result in zip(images, moved, strict=True):
        matches = [
            (dy, dx)
            for dy in range(-2, 3)
            for dx in range(-2, 3)
            if np.array_equal(shift(original[None], [dy], [dx])[0], result)
        ]
        assert len(matches) == 1
        offsets.add(matches[0])
    assert len(offsets) > 10  # the offsets really vary
    np.testing.assert_array_equal(RandomShift(0)(images, np.random.default_rng(0)), images)


@pytest.mark.parametrize("dtype", ["uint8", "float32", "float64"])
@pytest.mark.parametrize("size", [5, 6])
def test_rotate_by_quarter_turns_matches_rot90(rng, dtype, size):
    images = (rng.random((3, 2, size, size)) * 255).astype(dtype)
    for degrees, turns in ((90, 1), (-90, -1), (180, 2), (0, 0)):
        rotated = rotate(images, degrees)
        assert rotated.dtype == images.dtype
        np.testing.assert_allclose(rotated, np.rot90(images, turns, axes=(-2, -1)), atol=1e-4)


def test_rotate_is_counter_clockwise_and_bilinear():
    image = np.zeros((1, 5, 5), np.float32)
    image[0, 0, 2] = 1.0  # top centre
    turned = rotate(image, [90])
    assert turned[0, 2, 0] == pytest.approx(1.0)  # to the left centre
    square = rotate(np.ones((1, 9, 9), np.float32), 45)[0]
    np.testing.assert_allclose(square[2:7, 2:7], 1.0, rtol=1e-6)  # the inside keeps its value
    assert square[0, 0] == 0.0  # a corner samples from outside the picture: zero
    half = rotate(np.array([[[0, 0, 0], [0, 0, 100], [0, 0, 0]]], np.float32), 45)
    assert 0 < half[0, 0, 2] < 100  # sampled between pixels: bilinear, not nearest


def test_random_rotation_draws_angles_from_the_generator(rng):
    images = rng.integers(0, 256, (4, 8, 8), dtype=np.uint8)
    a = RandomRotation(20)(images, np.random.default_rng(5))
    angles = np.random.default_rng(5).uniform(-20, 20, 4)
    np.testing.assert_array_equal(a, rotate(images, angles))
    np.testing.assert_array_equal(RandomRotation(0)(images, np.random.default_rng(1)), images)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: RandomShift(-1), "RandomShift: max_pixels must be an integer >= 0, got -1"),
        (lambda: RandomShift(1.5), "RandomShift: max_pixels must be an integer >= 0, got 1.5"),
        (lambda: RandomRotation(200), "RandomRotation: max_degrees must lie in [0, 180], got 200"),
        (
            lambda: RandomShift(1)(np.zeros((4, 4)), np.random.default_rng()),
            "RandomShift needs a host NumPy batch of shape (N, H, W) or (N, C, H, W), "
            "found shape (4, 4)",
        ),
        (
            lambda: rotate(backend.to_device(np.zeros((1, 4, 4)), "fake"), 10),
            "rotate() needs a host NumPy batch of shape (N, H, W) or (N, C, H, W), "
            "found StrictArray",
        ),
    ],
)
def test_transform_errors(call, message):
    with pytest.raises(DataError, match="^" + re.escape(message) + "$"):
        call()


# ---- helpers -------------------------------------------------------------------------------


def test_to_float_scales_uint8_on_any_device(device):
    images = backend.to_device(np.array([[0, 51, 255]], np.uint8), device)
    result = to_float(images)
    assert backend.device_of(result) == device and result.dtype == np.float32
    np.testing.assert_allclose(backend.to_numpy(result), [[0.0, 0.2, 1.0]], rtol=1e-7)
    with pytest.raises(
        DataError,
        match=re.escape(
            "to_float() scales uint8 images (0-255) to [0, 1], got dtype float32; cast other data "
            "with .astype('float32') instead"
        ),
    ):
        to_float(result)


def test_normalize_scalar_and_per_channel_keeps_float32(device, rng):
    host = rng.random((2, 3, 4, 4)).astype(np.float32)
    images = backend.to_device(host, device)
    result = normalize(images, 0.1307, 0.3081)
    assert backend.device_of(result) == device and result.dtype == np.float32
    np.testing.assert_allclose(backend.to_numpy(result), (host - 0.1307) / 0.3081, rtol=1e-5)
    mean, std = [0.1, 0.2, 0.3], [0.5, 0.25, 2.0]
    result = normalize(images, mean, std)
    assert result.dtype == np.float32
    expected = (host - np.reshape(mean, (1, 3, 1, 1))) / np.reshape(std, (1, 3, 1, 1))
    np.testing.assert_allclose(backend.to_numpy(result), expected, rtol=1e-5)
    assert normalize(host.astype(np.float64), 0.5, 0.5).dtype == np.float32


@pytest.mark.parametrize(
    ("images", "mean", "std", "message"),
    [
        (
            np.zeros((1, 2, 2), np.uint8),
            0.5,
            0.5,
            "normalize() needs float images, got uint8: scale uint8 images to [0, 1] with "
            "to_float() first",
        ),
        (np.zeros((1, 2, 2), np.float32), 0.5, 0.0, "normalize() needs std > 0, got 0.0"),
        (
            np.zeros((1, 3, 2, 2), np.float32),
            [0.5, 0.5],
            1.0,
            "normalize(): mean has 2 values, so it must give one per channel (axis 1 of "
            "(N, C, H, W) images), but the images have shape (1, 3, 2, 2)",
        ),
    ],
)
def test_normalize_errors(images, mean, std, message):
    with pytest.raises(DataError, match="^" + re.escape(message) + "$"):
        normalize(images, mean, std)


@pytest.mark.parametrize("label_dtype", ["uint8", "int64"])
def test_one_hot_on_any_device(device, label_dtype):
    labels = backend.to_device(np.array([2, 0, 1, 2], label_dtype), device)
    encoded = one_hot(labels, 3)
    assert backend.device_of(encoded) == device and encoded.dtype == np.float32
    np.testing.assert_array_equal(backend.to_numpy(encoded), np.eye(3)[[2, 0, 1, 2]])
    assert one_hot([[1]], 2, dtype=np.float64).tolist() == [[[0.0, 1.0]]]
    assert one_hot(np.zeros(0, np.int64), 4).shape == (0, 4)


@pytest.mark.parametrize(
    ("labels", "num_classes", "message"),
    [
        (np.array([0, 3]), 3, "one_hot(): labels must lie in [0, 3), found 3"),
        (np.array([-1, 2]), 3, "one_hot(): labels must lie in [0, 3), found -1"),
        (np.array([0.0, 1.0]), 3, "one_hot() needs integer labels, got dtype float64"),
        (np.array([0, 1]), 0, "one_hot(): num_classes must be a positive integer, got 0"),
        (np.array([0, 1]), 2.0, "one_hot(): num_classes must be a positive integer, got 2.0"),
    ],
)
def test_one_hot_errors(labels, num_classes, message):
    with pytest.raises(DataError, match="^" + re.escape(message) + "$"):
        one_hot(labels, num_classes)
