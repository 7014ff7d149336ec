"""tinydl.vision.utils: make_grid's layout, padding, channels and normalisation, and the bytes
save_image writes, checked against torchvision's documented rules (torchvision cannot be
installed beside this venv's PyTorch, so the expected values are worked out here from
``torchvision/utils.py``'s rules, which the docstrings of tinydl.vision.utils state)."""

from __future__ import annotations

import io

import numpy as np
import pytest

import tinydl
from tinydl import backend
from tinydl.data.png import decode_png, read_png
from tinydl.vision import utils


def batch(count: int, channels: int = 3, height: int = 2, width: int = 3) -> tinydl.Tensor:
    """Image k filled with the value k + 1 (channel c adds c / 10), so placement is visible."""
    values = np.arange(1, count + 1, dtype=np.float32)[:, None, None, None]
    values = values + np.arange(channels, dtype=np.float32)[None, :, None, None] / 10
    return tinydl.tensor(np.broadcast_to(values, (count, channels, height, width)).copy())


def test_grid_layout_padding_and_rows() -> None:
    grid = utils.make_grid(batch(5), nrow=2, padding=1, pad_value=-1.0).numpy()
    # 2 columns, 3 rows: width 1 + 2 * (3 + 1), height 1 + 3 * (2 + 1)
    assert grid.shape == (3, 10, 9)
    for k in range(5):
        row, column = divmod(k, 2)
        top, left = 1 + row * 3, 1 + column * 4
        np.testing.assert_array_equal(grid[:, top : top + 2, left : left + 3],
                                      batch(5).numpy()[k])
    occupied = np.zeros((10, 9), bool)
    for k in range(5):
        row, column = divmod(k, 2)
        occupied[1 + row * 3 : 3 + row * 3, 1 + column * 4 : 4 + column * 4] = True
    assert (grid[:, ~occupied] == -1.0).all()  # padding, and the empty sixth cell


def test_fewer_images_than_nrow_make_one_row_and_the_default_padding_is_2() -> None:
    grid = utils.make_grid(batch(3, height=4, width=4))
    assert grid.shape == (3, 2 + 6, 2 + 3 * 6)
    assert grid.dtype == np.float32 and (grid.numpy()[:, :2] == 0).all()


def test_one_channel_becomes_three_and_a_single_image_is_returned_unpadded() -> None:
    grey = batch(4, channels=1)
    grid = utils.make_grid(grey, nrow=4, padding=0).numpy()
    assert grid.shape == (3, 2, 12)
    assert (grid[0] == grid[1]).all() and (grid[1] == grid[2]).all()
    single = utils.make_grid(grey[0]).numpy()  # (1, H, W): three channels, no padding
    assert single.shape == (3, 2, 3) and (single == 1.0).all()
    assert utils.make_grid(tinydl.tensor(np.ones((2, 3), np.float32))).shape == (3, 2, 3)
    listed = utils.make_grid([batch(2)[0], batch(2)[1]], padding=0).numpy()
    np.testing.assert_array_equal(listed, np.concatenate(list(batch(2).numpy()), axis=2))


def test_normalize_maps_the_batch_range_each_image_or_a_given_range() -> None:
    images = tinydl.tensor(np.array([[[[-1.0, 0.0]]], [[[1.0, 3.0]]]], np.float32))  # (2,1,1,2)
    whole = utils.make_grid(images, normalize=True, padding=0).numpy()[0]
    np.testing.assert_allclose(whole, [[0.0, 0.25, 0.5, 1.0]])  # (v + 1) / 4 over the batch
    each = utils.make_grid(images, normalize=True, scale_each=True, padding=0).numpy()[0]
    np.testing.assert_allclose(each, [[0.0, 1.0, 0.0, 1.0]])
    ranged = utils.make_grid(images, normalize=True, value_range=(0.0, 2.0), padding=0)
    np.testing.assert_allclose(ranged.numpy()[0], [[0.0, 0.0, 0.5, 1.0]])  # clipped first
    flat = utils.make_grid(tinydl.full((2, 1, 1, 1), 0.7), normalize=True, padding=0)
    assert (flat.numpy() == 0).all()  # max - min = 0: divided by 1e-5, as torchvision
    assert (images.numpy()[1, 0, 0] == [1.0, 3.0]).all()  # the input is left alone


def test_make_grid_stays_on_the_images_device(device) -> None:
    grid = utils.make_grid(batch(3).to(device), nrow=2)
    assert grid.device == tinydl.device(device)
    expected = utils.make_grid(batch(3), nrow=2).numpy()
    np.testing.assert_array_equal(backend.to_numpy(grid.array), expected)


def test_save_image_writes_floor_of_255_v_plus_half_clipped(tmp_path) -> None:
    values = np.array([-0.2, 0.0, 0.001, 0.5 / 255, 0.0039, 0.2, 0.5, 0.999, 1.0, 1.7],
                      np.float32)
    image = tinydl.tensor(values.reshape(1, 1, 10))
    utils.save_image(image, tmp_path / "row.png")
    pixels = read_png(tmp_path / "row.png")
    assert pixels.shape == (1, 10, 3)  # one channel is written as grey RGB
    expected = np.clip(np.floor(values * np.float32(255) + np.float32(0.5)), 0, 255)
    assert expected.tolist() == [0, 0, 0, 1, 1, 51, 128, 255, 255, 255]
    for channel in range(3):
        np.testing.assert_array_equal(pixels[0, :, channel], expected)


def test_save_image_grid_options_and_file_objects(tmp_path) -> None:
    images = tinydl.tensor(np.random.default_rng(0).random((6, 3, 5, 4)).astype(np.float32))
    utils.save_image(images, tmp_path / "grid.png", nrow=3, padding=1, pad_value=1.0)
    pixels = read_png(tmp_path / "grid.png")
    grid = utils.make_grid(images, nrow=3, padding=1, pad_value=1.0).numpy()
    np.testing.assert_array_equal(pixels, np.floor(grid * 255 + 0.5).astype(np.uint8)
                                  .transpose(1, 2, 0))
    buffer = io.BytesIO()
    utils.save_image(images, buffer, format="png", nrow=3, padding=1, pad_value=1.0)
    np.testing.assert_array_equal(decode_png(buffer.getvalue()), pixels)
    rgba = tinydl.tensor(np.full((4, 2, 2), 0.5, np.float32))
    utils.save_image(rgba, tmp_path / "rgba.png")
    assert read_png(tmp_path / "rgba.png").shape == (2, 2, 4)


def test_save_image_is_readable_by_matplotlib(tmp_path) -> None:
    image_module = pytest.importorskip("matplotlib.image")
    images = tinydl.tensor(np.linspace(0, 1, 2 * 3 * 4 * 5, dtype=np.float32).reshape(2, 3, 4, 5))
    utils.save_image(images, tmp_path / "mpl.png", padding=0)
    read = image_module.imread(tmp_path / "mpl.png")  # floats in [0, 1]
    expected = np.concatenate(list(images.numpy()), axis=2).transpose(1, 2, 0)
    np.testing.assert_allclose(read[:, :, :3], expected, atol=0.5 / 255 + 1e-6)
