"""tinydl.vision.transforms beyond ToTensor/Normalize: Resize (against PyTorch's interpolate,
through tests/reference/vision.npz and directly where PyTorch is installed, and against PIL
for PIL-like images), CenterCrop, RandomCrop, RandomHorizontalFlip, Grayscale, Lambda; the
batch path against the per-item path; the one Normalize of tinydl.data and tinydl.vision.

torchvision cannot be installed beside this venv's PyTorch: where its numbers matter,
they come from what torchvision runs (``F.interpolate`` for tensors, PIL for PIL images)
or from the rules in its source, quoted at each test."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import tinydl
from tinydl import backend, data
from tinydl.vision import transforms as T

REFERENCE = Path(__file__).parent / "reference" / "vision.npz"


def load_resize_cases() -> dict[str, dict[str, np.ndarray]]:
    with np.load(REFERENCE, allow_pickle=False) as archive:
        cases: dict[str, dict[str, np.ndarray]] = {}
        for key in archive.files:
            if key.startswith("resize_"):
                case, field = key.split(".")
                cases.setdefault(case, {})[field] = archive[key]
    return cases


RESIZE_CASES = load_resize_cases()


# ---- Resize --------------------------------------------------------------------------------


@pytest.mark.parametrize("case", sorted(RESIZE_CASES))
def test_resize_matches_pytorchs_interpolate_from_the_fixture(case: str, device: str) -> None:
    fields = RESIZE_CASES[case]
    x, expected = fields["x"], fields["y"]
    resize = T.Resize(tuple(fields["size"].tolist()), antialias=bool(fields["antialias"]))
    out = resize(tinydl.tensor(x, dtype=x.dtype.name, device=device))
    assert out.dtype == x.dtype and out.device == tinydl.device(device)
    if x.dtype == np.uint8:  # torchvision: float32, interpolate, round, uint8
        np.testing.assert_array_equal(out.numpy(), expected)
        return
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-10, atol=1e-12)
    single = resize(tinydl.tensor(x.astype(np.float32), device=device))
    assert single.dtype == np.float32
    np.testing.assert_allclose(single.numpy(), expected, rtol=1e-5, atol=1e-5)


def test_resize_matches_interpolate_on_random_sizes() -> None:
    torch = pytest.importorskip("torch")
    functional = pytest.importorskip("torch.nn.functional")
    rng = np.random.default_rng(0)
    for _ in range(25):
        height, width, new_height, new_width = (int(v) for v in rng.integers(1, 40, 4))
        x = rng.standard_normal((2, 3, height, width))
        for antialias in (True, False):
            expected = functional.interpolate(
                torch.tensor(x), size=(new_height, new_width), mode="bilinear",
                align_corners=False, antialias=antialias,
            ).numpy()
            resize = T.Resize((new_height, new_width), antialias=antialias)
            out = resize(tinydl.tensor(x, dtype="float64"))
            np.testing.assert_allclose(out.numpy(), expected, rtol=1e-9, atol=1e-12)


def test_resize_output_size_follows_torchvisions_rule() -> None:
    # torchvision's _compute_resized_output_size: the shorter side becomes size, the longer
    # int(size * long / short); max_size caps the longer side, scaling the shorter with it.
    cases = [
        (8, None, (20, 30), (8, 12)),
        (8, None, (30, 20), (12, 8)),
        (7, None, (10, 15), (7, 10)),  # int(10.5)
        (6, None, (9, 9), (6, 6)),
        ([6], None, (9, 12), (6, 8)),
        ((5, 9), None, (20, 30), (5, 9)),
        (10, 12, (10, 30), (4, 12)),  # long 30 > 12: short int(12 * 10 / 30)
        (10, 40, (10, 30), (10, 30)),
    ]
    for size, max_size, (height, width), expected in cases:
        resize = T.Resize(size, max_size=max_size)
        assert resize.output_size(height, width) == expected
        out = resize(np.zeros((height, width), np.uint8))
        assert out.shape == expected and out.dtype == np.uint8


def test_resize_keeps_the_kind_and_layout_of_the_image() -> None:
    rng = np.random.default_rng(1)
    grey = rng.integers(0, 256, (12, 16), np.uint8)
    colour = rng.integers(0, 256, (12, 16, 3), np.uint8)
    assert T.Resize(6)(grey).shape == (6, 8)
    assert T.Resize(6)(colour).shape == (6, 8, 3)
    tensor = T.Resize(6)(tinydl.tensor(rng.random((2, 5, 3, 12, 16), dtype=np.float32)))
    assert isinstance(tensor, tinydl.Tensor) and tensor.shape == (2, 5, 3, 6, 8)
    np.testing.assert_array_equal(T.Resize(12)(colour), colour)  # already that size


def test_pil_like_images_are_always_antialiased_and_within_one_level_of_pil() -> None:
    image_module = pytest.importorskip("PIL.Image")
    rng = np.random.default_rng(2)
    for shape, size in [((37, 45, 3), (16, 20)), ((37, 45), (80, 91)), ((28, 28), (10, 10)),
                        ((20, 33, 3), (20, 12)), ((64, 48, 3), (31, 23))]:
        image = rng.integers(0, 256, shape, np.uint8)
        ours = T.Resize(size, antialias=False)(image)  # ignored for PIL-like images, as in PIL
        pil = image_module.fromarray(image).resize(size[::-1], image_module.BILINEAR)
        expected = np.asarray(pil)
        difference = np.abs(ours.astype(int) - expected)
        # PIL computes in 8-bit fixed point and rounds after each axis; tinydl rounds once.
        assert ours.shape == expected.shape and difference.max() <= 1
        assert difference.mean() < 0.25


def test_resize_of_a_uint8_tensor_rounds_halves_to_even() -> None:
    # torch.round: 0.5 -> 0, 1.5 -> 2 (two pixels averaged when halving the width)
    image = tinydl.tensor(np.array([[[0, 1, 1, 2, 2, 3, 3, 4]]], np.uint8))
    out = T.Resize((1, 4), antialias=False)(image)
    assert out.dtype == np.uint8 and out.numpy().tolist() == [[[0, 2, 2, 4]]]


# ---- crops ---------------------------------------------------------------------------------


def test_center_crop_rounds_the_offset_as_python_does() -> None:
    image = np.arange(7 * 9, dtype=np.uint8).reshape(7, 9)
    # torchvision: top = int(round((7 - 2) / 2)) = round(2.5) = 2; left = round(3.0) = 3
    np.testing.assert_array_equal(T.CenterCrop((2, 3))(image), image[2:4, 3:6])
    # round(1.5) = 2 for a 5-row image
    np.testing.assert_array_equal(T.CenterCrop((2, 9))(image[:5]), image[2:4])
    tensor = tinydl.tensor(np.arange(2 * 6 * 6, dtype=np.float32).reshape(2, 6, 6))
    np.testing.assert_array_equal(T.CenterCrop(4)(tensor).numpy(), tensor.numpy()[:, 1:5, 1:5])


def test_center_crop_larger_than_the_image_pads_with_zeros() -> None:
    image = np.full((2, 3, 3), 9, np.uint8)
    out = T.CenterCrop(5)(image)
    # torchvision pads left (5-3)//2 = 1, right (5-3+1)//2 = 1, top (5-2)//2 = 1, bottom 2
    expected = np.zeros((5, 5, 3), np.uint8)
    expected[1:3, 1:4] = 9
    np.testing.assert_array_equal(out, expected)


def test_random_crop_takes_the_window_its_draws_name() -> None:
    image = tinydl.tensor(np.arange(3 * 8 * 10, dtype=np.float32).reshape(3, 8, 10))
    for seed in range(5):
        tinydl.manual_seed(seed)
        out = T.RandomCrop((3, 4))(image).numpy()
        top, left = (np.random.default_rng(seed).random((1, 2)) * (6, 7)).astype(int)[0]
        np.testing.assert_array_equal(out, image.numpy()[:, top : top + 3, left : left + 4])


def test_random_crop_padding_fill_and_modes() -> None:
    image = np.arange(1, 13, dtype=np.uint8).reshape(3, 4)
    crop = T.RandomCrop((3 + 2 + 4, 4 + 1 + 3), padding=(1, 2, 3, 4), fill=7)  # whole padded image
    expected = np.pad(image, ((2, 4), (1, 3)), constant_values=7)
    np.testing.assert_array_equal(crop(image), expected)
    for mode in ("edge", "reflect", "symmetric"):
        crop = T.RandomCrop((7, 8), padding=2, padding_mode=mode)
        np.testing.assert_array_equal(crop(image), np.pad(image, 2, mode=mode))
    colour = np.zeros((2, 2, 3), np.uint8)
    padded = T.RandomCrop(4, padding=1, fill=(10, 20, 30))(colour)
    assert padded[0, 0].tolist() == [10, 20, 30] and padded[1, 1].tolist() == [0, 0, 0]


def test_random_crop_pad_if_needed_pads_both_sides_by_the_shortfall() -> None:
    image = np.ones((2, 3), np.uint8)
    tinydl.manual_seed(0)
    out = T.RandomCrop((4, 4), pad_if_needed=True)(image)
    assert out.shape == (4, 4) and out.sum() <= 6
    # torchvision pads the width by 4 - 3 on each side, the height by 4 - 2 on each side:
    # a (6, 5) image from which the window is drawn.
    tinydl.manual_seed(0)
    top, left = (np.random.default_rng(0).random((1, 2)) * (3, 2)).astype(int)[0]
    padded = np.pad(image, ((2, 2), (1, 1)))
    np.testing.assert_array_equal(out, padded[top : top + 4, left : left + 4])


# ---- flip, grey, Lambda --------------------------------------------------------------------


def test_horizontal_flip_probability_and_draws() -> None:
    image = np.arange(6, dtype=np.uint8).reshape(2, 3)
    np.testing.assert_array_equal(T.RandomHorizontalFlip(1.0)(image), image[:, ::-1])
    np.testing.assert_array_equal(T.RandomHorizontalFlip(0.0)(image), image)
    images = np.stack([image + k for k in range(50)])
    tinydl.manual_seed(3)
    out = T.RandomHorizontalFlip(0.3).apply_batch(images)
    flipped = np.random.default_rng(3).random(50) < 0.3
    assert 5 < flipped.sum() < 30
    np.testing.assert_array_equal(out[flipped], images[flipped][:, :, ::-1])
    np.testing.assert_array_equal(out[~flipped], images[~flipped])


def test_grayscale_of_a_tensor_uses_torchvisions_weights() -> None:
    # torchvision's rgb_to_grayscale: (0.2989 r + 0.587 g + 0.114 b).to(img.dtype)
    rng = np.random.default_rng(4)
    image = rng.random((3, 4, 5)).astype(np.float32)
    grey = T.Grayscale()(tinydl.tensor(image)).numpy()
    assert grey.shape == (1, 4, 5) and grey.dtype == np.float32
    np.testing.assert_allclose(grey[0], 0.2989 * image[0] + 0.587 * image[1] + 0.114 * image[2],
                               rtol=1e-6)
    whole = rng.integers(0, 256, (3, 4, 5), np.uint8)
    truncated = (0.2989 * whole[0] + 0.587 * whole[1] + 0.114 * whole[2]).astype(np.uint8)
    np.testing.assert_array_equal(T.Grayscale()(tinydl.tensor(whole)).numpy()[0], truncated)
    three = T.Grayscale(num_output_channels=3)(tinydl.tensor(image)).numpy()
    assert three.shape == (3, 4, 5) and (three == grey).all()
    one = tinydl.tensor(image[:1])
    np.testing.assert_array_equal(T.Grayscale()(one).numpy(), image[:1])


def test_grayscale_of_a_pil_like_image_equals_pils_convert_l() -> None:
    image_module = pytest.importorskip("PIL.Image")
    rng = np.random.default_rng(5)
    rgb = rng.integers(0, 256, (30, 40, 3), np.uint8)
    expected = np.asarray(image_module.fromarray(rgb).convert("L"))
    np.testing.assert_array_equal(T.Grayscale()(rgb), expected)
    rgba = np.concatenate([rgb, rng.integers(0, 256, (30, 40, 1), np.uint8)], axis=2)
    np.testing.assert_array_equal(T.Grayscale()(rgba), expected)  # alpha ignored, as in PIL
    three = T.Grayscale(3)(rgb)
    assert three.shape == (30, 40, 3) and (three == expected[:, :, None]).all()
    assert T.Grayscale(3)(expected).shape == (30, 40, 3)


def test_lambda_runs_its_function_and_keeps_the_chain_per_item() -> None:
    double = T.Lambda(lambda t: t * 2)
    assert double(tinydl.tensor([1.0, 2.0])).numpy().tolist() == [2.0, 4.0]
    assert not T.Compose([T.ToTensor(), double]).batchable and repr(double) == "Lambda()"


# ---- the batch path ------------------------------------------------------------------------

CHAINS = {
    "resize-crop-grey-tensor": lambda: T.Compose([
        T.Resize(10), T.CenterCrop((8, 9)), T.Grayscale(3), T.ToTensor(),
        T.Normalize((0.5, 0.4, 0.3), (0.2, 0.3, 0.4)),
    ]),
    "tensor-side": lambda: T.Compose([
        T.ToTensor(), T.Resize((7, 5)), T.CenterCrop(6), T.Grayscale(), T.Normalize((0.1,), (2,)),
    ]),
    "padded-crop": lambda: T.Compose([T.RandomCrop(12, padding=2, padding_mode="reflect"),
                                      T.ToTensor()]),
    "flip": lambda: T.Compose([T.RandomHorizontalFlip(0.5), T.ToTensor()]),
}


@pytest.mark.parametrize("chain", sorted(CHAINS))
@pytest.mark.parametrize("shape", [(6, 12, 14), (6, 12, 14, 3)])
def test_the_batch_path_equals_the_per_item_path(chain, shape) -> None:
    """apply_batch (one array operation per transform) against one call per image; a
    random transform draws one choice per image, the same numbers in both paths."""
    images = np.random.default_rng(6).integers(0, 256, shape, np.uint8)
    tinydl.manual_seed(11)
    per_item = np.stack([CHAINS[chain]()(image).numpy() for image in images])
    tinydl.manual_seed(11)
    batch = CHAINS[chain]().apply_batch(images)
    assert isinstance(batch, tinydl.Tensor) and batch.dtype == per_item.dtype
    np.testing.assert_allclose(batch.numpy(), per_item, rtol=1e-6, atol=1e-6)


def test_a_pil_like_batch_stays_pil_like_until_to_tensor() -> None:
    images = np.random.default_rng(7).integers(0, 256, (4, 9, 9, 3), np.uint8)
    grey = T.Grayscale().apply_batch(images)
    assert isinstance(grey, np.ndarray) and grey.shape == (4, 9, 9) and grey.dtype == np.uint8
    assert T.ToTensor().apply_batch(grey).shape == (4, 1, 9, 9)


# ---- one Normalize -------------------------------------------------------------------------


def test_one_normalize_serves_torchvision_chains_and_data_loaders() -> None:
    assert T.Normalize is data.Normalize
    normalize = data.Normalize((0.5, 0.25), (0.5, 2.0))
    images = np.arange(2 * 2 * 3 * 3, dtype=np.float32).reshape(2, 2, 3, 3)
    expected = (images - np.array([0.5, 0.25]).reshape(1, 2, 1, 1)) / np.array(
        [0.5, 2.0]).reshape(1, 2, 1, 1)
    loader_form = normalize(images, np.random.default_rng(0))  # a DataLoader's call
    assert isinstance(loader_form, np.ndarray) and loader_form is not images
    np.testing.assert_allclose(loader_form, expected, rtol=1e-6)
    assert images[0, 0, 0, 0] == 0  # the loader's batch is left alone
    sample_form = normalize(tinydl.tensor(images[0]))
    assert isinstance(sample_form, tinydl.Tensor)
    np.testing.assert_allclose(sample_form.numpy(), expected[0], rtol=1e-6)
    batch_form = normalize.apply_batch(tinydl.tensor(images.copy()))
    assert isinstance(batch_form, tinydl.Tensor)
    np.testing.assert_allclose(batch_form.numpy(), expected, rtol=1e-6)
    grey = np.ones((3, 4, 4), np.float64)  # (N, H, W): one channel, dtype kept
    out = data.Normalize(0.5, 0.25)(grey, np.random.default_rng(0))
    assert out.dtype == np.float64 and (out == 2.0).all()


def test_normalize_keeps_the_images_device(device) -> None:
    images = backend.to_device(np.ones((2, 3, 2, 2), np.float32), device)
    out = data.Normalize((1.0, 0.0, 0.5), (1.0, 2.0, 0.5))(images, np.random.default_rng(0))
    assert backend.device_of(out) == tinydl.device(device)
    assert backend.to_numpy(out)[0, :, 0, 0].tolist() == [0.0, 0.5, 1.0]
