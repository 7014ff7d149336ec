"""Random augmentations and preprocessing applied to each batch by :class:`DataLoader`.

A transform is any callable ``transform(images, rng) -> images``: ``images``
is a host NumPy batch of shape ``(N, H, W)`` or ``(N, C, H, W)`` (the last two
axes are the picture), and ``rng`` is the loader's ``np.random.Generator``, so
a seeded loader draws the same augmentations every run. Transforms run before
the batch moves to the device; everything here is plain NumPy (no SciPy).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from tinydl import backend, check
from tinydl.autograd.tensor import Tensor
from tinydl.data.errors import DataError
from tinydl.data.preprocess import to_float

Transform = Callable[[np.ndarray, np.random.Generator], np.ndarray]


class Compose:
    """Apply transforms one after the other."""

    def __init__(self, transforms: Sequence[Transform]) -> None:
        self.transforms = list(transforms)
        for position, transform in enumerate(self.transforms):
            check.function("Compose", f"transforms[{position}]", transform,
                           "transform(images, rng)", error=DataError)

    def __call__(self, images: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        for transform in self.transforms:
            images = transform(images, rng)
        return images

    def __repr__(self) -> str:
        return f"Compose({self.transforms!r})"


class ToFloat:
    """uint8 pixels 0-255 to float32 in [0, 1] (see :func:`to_float`)."""

    def __call__(self, images: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        return to_float(images)

    def __repr__(self) -> str:
        return "ToFloat()"


class Normalize:
    """``(image - mean) / std`` channel by channel: torchvision's ``Normalize``, which is
    also the normalising transform of a :class:`~tinydl.data.DataLoader`.

    ``mean`` and ``std`` hold one value per channel, or one value for all channels; no std
    may be 0. The images must be float already (put ``ToTensor()`` first in a
    torchvision chain, ``ToFloat()`` first in a DataLoader's :class:`Compose`) and keep
    their dtype. One rule, three ways to call it:

    - ``normalize(image)``: one image ``(..., C, H, W)``, a float Tensor or array, as in
      torchvision; gives a new Tensor.
    - ``normalize(images, rng)``: how a DataLoader calls its transform: a host batch
      ``(N, C, H, W)``, or ``(N, H, W)`` as one channel; gives a new array (``rng`` is
      not used: nothing here is random).
    - ``normalize.apply_batch(images)``: the batch path of the :mod:`tinydl.vision`
      datasets: ``(N, C, H, W)`` Tensor or array, normalised in place, the same kind back.

    ``inplace`` is accepted for torchvision's signature; the first two calls always make a
    new array.
    """

    batchable = True

    def __init__(self, mean: Any, std: Any, inplace: bool = False) -> None:
        self.mean, self.std = _channel_values(mean, "mean"), _channel_values(std, "std")
        if not (self.std != 0).all():
            raise ValueError(f"Normalize needs every std to be non-zero, got std={std!r}")
        self.inplace = inplace

    def __call__(self, image: Any, rng: np.random.Generator | None = None) -> Any:
        array = image.array if isinstance(image, Tensor) else image
        if rng is not None and backend.is_array(array):  # a DataLoader's batch
            return self.apply_batch(array.copy())
        if not backend.is_array(array) or array.ndim < 3:
            found = (
                f"shape {tuple(array.shape)}" if backend.is_array(array) else type(image).__name__
            )
            raise TypeError(
                f"Normalize needs a float image tensor of shape (C, H, W) (put ToTensor() "
                f"first), got {found}"
            )
        batch = array.reshape(-1, *array.shape[-3:]).copy()  # the caller's image stays as it is
        return Tensor(self.apply_batch(batch).reshape(array.shape))

    def apply_batch(self, images: Any) -> Any:
        """``(N, C, H, W)`` (or ``(N, H, W)``) float images, normalised channel by channel
        in place; a Tensor gives a Tensor back, an array an array."""
        array = images.array if isinstance(images, Tensor) else images
        if array.dtype.kind != "f":
            raise TypeError(
                f"Normalize needs float images, got {array.dtype}: put ToTensor() (or "
                f"tinydl.data's ToFloat()) before it"
            )
        array -= self._per_channel(self.mean, array)
        array /= self._per_channel(self.std, array)
        return images

    def _per_channel(self, values: np.ndarray, images: Any) -> Any:
        """One Python float, or an array in the images' dtype and on their device shaped
        ``(1, C, 1, 1)`` (no float64 value may upcast float32 images)."""
        if values.size == 1:
            return float(values[0])
        channels = images.shape[1] if images.ndim == 4 else 1
        if values.size != channels:
            raise ValueError(
                f"Normalize has {values.size} values of mean/std, but the images have "
                f"{channels} channels: give one value per channel, or one for all"
            )
        shaped = values.astype(images.dtype).reshape(1, channels, 1, 1)
        return backend.array_module(images).asarray(shaped)

    def __repr__(self) -> str:
        return f"Normalize(mean={self.mean.tolist()}, std={self.std.tolist()})"


def _channel_values(values: Any, name: str) -> np.ndarray:
    try:
        array = np.asarray(values, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        array = np.empty(0)
    if array.size == 0 or not np.isfinite(array).all():
        raise ValueError(
            f"Normalize needs {name} as a sequence of numbers, one per channel, got {values!r}"
        )
    return array


class RandomShift:
    """Move each image by a random whole number of pixels, up to ``max_pixels`` per axis."""

    def __init__(self, max_pixels: int) -> None:
        self.max_pixels = check.non_negative_int("RandomShift", "max_pixels", max_pixels,
                                                 error=DataError)

    def __call__(self, images: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        _check_batch(images, "RandomShift")
        rows, cols = rng.integers(-self.max_pixels, self.max_pixels + 1, size=(2, len(images)))
        return shift(images, rows, cols)

    def __repr__(self) -> str:
        return f"RandomShift({self.max_pixels})"


class RandomRotation:
    """Rotate each image by a random angle drawn uniformly from ``[-max_degrees, max_degrees]``."""

    def __init__(self, max_degrees: float) -> None:
        self.max_degrees = check.number("RandomRotation", "max_degrees", max_degrees, "[0, 180]",
                                        error=DataError)

    def __call__(self, images: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        _check_batch(images, "RandomRotation")
        return rotate(images, rng.uniform(-self.max_degrees, self.max_degrees, len(images)))

    def __repr__(self) -> str:
        return f"RandomRotation({self.max_degrees})"


def shift(images: np.ndarray, rows: Any, cols: Any) -> np.ndarray:
    """Image ``i`` moved down by ``rows[i]`` and right by ``cols[i]`` pixels; zeros fill in."""
    _check_batch(images, "shift()")
    for name, values in (("rows", rows), ("cols", cols)):
        values = np.asarray(values)
        if values.shape != (len(images),) or values.dtype.kind not in "iu":
            raise DataError(
                f"shift() needs {name} as one integer per image, shape ({len(images)},), "
                f"got {values.dtype} of shape {values.shape}"
            )
    height, width = images.shape[-2:]
    moved = np.zeros_like(images)
    # One slice copy per image (0.3 ms for 256 digits; a gather per pixel took 1.5 ms).
    moves = zip(np.asarray(rows).tolist(), np.asarray(cols).tolist(), strict=True)
    for i, (down, right) in enumerate(moves):
        (to_rows, from_rows), (to_cols, from_cols) = _moved(down, height), _moved(right, width)
        moved[i, ..., to_rows, to_cols] = images[i, ..., from_rows, from_cols]
    return moved


def _moved(by: int, size: int) -> tuple[slice, slice]:
    """Where pixels moved by ``by`` along an axis of ``size`` land, and where they came from."""
    kept = max(size - abs(by), 0)
    if by >= 0:
        return slice(by, by + kept), slice(0, kept)
    return slice(0, kept), slice(-by, -by + kept)


def rotate(images: np.ndarray, degrees: Any) -> np.ndarray:
    """Image ``i`` rotated by ``degrees[i]`` about its centre, counter-clockwise as displayed.

    Each output pixel is sampled bilinearly from the point that the inverse
    rotation maps it to; points outside the image count as 0. The dtype is
    kept (integer images are rounded back).
    """
    _check_batch(images, "rotate()")
    count, height, width = len(images), *images.shape[-2:]
    angles = np.deg2rad(np.broadcast_to(np.asarray(degrees, dtype=np.float64), (count,)))
    cos, sin = np.cos(angles)[:, None, None], np.sin(angles)[:, None, None]
    centre_y, centre_x = (height - 1) / 2, (width - 1) / 2
    y, x = np.meshgrid(np.arange(height) - centre_y, np.arange(width) - centre_x, indexing="ij")
    # Rows grow downwards, so a counter-clockwise turn by a maps source (x, y) to
    # (x cos a + y sin a, -x sin a + y cos a); inverting it gives where each output looks.
    source_x = cos * x - sin * y + centre_x
    source_y = sin * x + cos * y + centre_y
    top, left = np.floor(source_y), np.floor(source_x)
    down, right = source_y - top, source_x - left  # bilinear weights of the far neighbours

    planes = images.reshape(count, -1, height * width)
    compute = np.result_type(images.dtype, np.float32)
    out = np.zeros(planes.shape, compute)
    for step_y, step_x, weight in (
        (0, 0, (1 - down) * (1 - right)),
        (0, 1, (1 - down) * right),
        (1, 0, down * (1 - right)),
        (1, 1, down * right),
    ):
        row, col = top + step_y, left + step_x
        inside = (row >= 0) & (row < height) & (col >= 0) & (col < width)
        flat = np.clip(row, 0, height - 1) * width + np.clip(col, 0, width - 1)
        values = np.take_along_axis(planes, flat.astype(np.intp).reshape(count, 1, -1), axis=-1)
        out += values * (weight * inside).astype(compute).reshape(count, 1, -1)
    if images.dtype.kind in "iu":
        limits = np.iinfo(images.dtype)
        out = np.clip(np.rint(out), limits.min, limits.max)
    return out.astype(images.dtype).reshape(images.shape)


def _check_batch(images: Any, who: str) -> None:
    if not isinstance(images, np.ndarray) or images.ndim not in (3, 4):
        found = f"shape {images.shape}" if isinstance(images, np.ndarray) else type(images).__name__
        raise DataError(
            f"{who} needs a host NumPy batch of shape (N, H, W) or (N, C, H, W), found {found}"
        )
