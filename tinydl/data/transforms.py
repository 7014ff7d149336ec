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

from tinydl.data.errors import DataError
from tinydl.data.preprocess import normalize, to_float

Transform = Callable[[np.ndarray, np.random.Generator], np.ndarray]


class Compose:
    """Apply transforms one after the other."""

    def __init__(self, transforms: Sequence[Transform]) -> None:
        self.transforms = list(transforms)
        for position, transform in enumerate(self.transforms):
            if not callable(transform):
                raise DataError(
                    f"Compose needs callables transform(images, rng), but transform {position} "
                    f"is a {type(transform).__name__}"
                )

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
    """``(images - mean) / std`` as float32 (see :func:`normalize`); float input only."""

    def __init__(self, mean: Any, std: Any) -> None:
        self.mean = mean
        self.std = std

    def __call__(self, images: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        return normalize(images, self.mean, self.std)

    def __repr__(self) -> str:
        return f"Normalize(mean={self.mean}, std={self.std})"


class RandomShift:
    """Move each image by a random whole number of pixels, up to ``max_pixels`` per axis."""

    def __init__(self, max_pixels: int) -> None:
        if isinstance(max_pixels, bool) or not isinstance(max_pixels, int) or max_pixels < 0:
            raise DataError(f"RandomShift needs an integer max_pixels >= 0, got {max_pixels!r}")
        self.max_pixels = max_pixels

    def __call__(self, images: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        _check_batch(images, "RandomShift")
        rows, cols = rng.integers(-self.max_pixels, self.max_pixels + 1, size=(2, len(images)))
        return shift(images, rows, cols)

    def __repr__(self) -> str:
        return f"RandomShift({self.max_pixels})"


class RandomRotation:
    """Rotate each image by a random angle drawn uniformly from ``[-max_degrees, max_degrees]``."""

    def __init__(self, max_degrees: float) -> None:
        if not isinstance(max_degrees, (int, float)) or not 0 <= max_degrees <= 180:
            raise DataError(f"RandomRotation needs 0 <= max_degrees <= 180, got {max_degrees!r}")
        self.max_degrees = max_degrees

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
    rows, cols = np.asarray(rows, dtype=np.intp), np.asarray(cols, dtype=np.intp)
    height, width = images.shape[-2:]
    margin = int(max(np.abs(rows).max(initial=0), np.abs(cols).max(initial=0)))
    padded = np.pad(images, [(0, 0)] * (images.ndim - 2) + [(margin, margin)] * 2)
    # Output pixel y comes from input pixel y - rows[i], which sits at margin + y - rows[i].
    lead = (len(images),) + (1,) * (images.ndim - 3)
    source_rows = (margin - rows)[:, None] + np.arange(height)
    source_cols = (margin - cols)[:, None] + np.arange(width)
    picked = np.take_along_axis(padded, source_rows.reshape(*lead, height, 1), axis=-2)
    return np.take_along_axis(picked, source_cols.reshape(*lead, 1, width), axis=-1)


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
