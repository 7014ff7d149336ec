"""Array helpers to prepare images and labels: scale, normalise, one-hot encode.

They work on arrays of any device (NumPy, CuPy or the fake device) and keep
float32: Python scalars stay Python scalars, so NumPy 2 never promotes to float64.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tinydl import backend, check
from tinydl.data.errors import DataError


def to_float(images: Any) -> Any:
    """uint8 images (0-255) as float32 in [0, 1], on the same device."""
    _check_array(images, "to_float()")
    if images.dtype != np.uint8:
        raise DataError(
            f"to_float() scales uint8 images (0-255) to [0, 1], got dtype {images.dtype}; "
            f"cast other data with .astype('float32') instead"
        )
    scaled = images.astype(np.float32)
    scaled /= 255.0  # in place: a second batch-sized buffer costs more than the division
    return scaled


def _check_array(images: Any, caller: str) -> None:
    if not backend.is_array(images):
        raise DataError(
            f"{caller} needs images as an array (NumPy or CuPy), got {type(images).__name__}; "
            f"convert with np.asarray(images)"
        )


def normalize(images: Any, mean: Any, std: Any) -> Any:
    """``(images - mean) / std`` as float32, on the same device.

    ``mean`` and ``std`` are numbers, or one value per channel applied along
    axis 1 of ``(N, C, H, W)`` images. The images must already be float (use
    :func:`to_float` on uint8 images): MNIST's mean 0.1307 and std 0.3081, say,
    are statistics of pixels scaled to [0, 1].
    """
    _check_array(images, "normalize()")
    if images.dtype.kind != "f":
        raise DataError(
            f"normalize() needs float images, got {images.dtype}: scale uint8 images "
            f"to [0, 1] with to_float() first"
        )
    images = images.astype(np.float32, copy=False)
    return (images - _per_channel(mean, "mean", images)) / _per_channel(std, "std", images)


def _per_channel(value: Any, name: str, images: Any) -> Any:
    """A Python float, or a float32 array on ``images``' device shaped to broadcast on axis 1."""
    values = np.asarray(value, dtype=np.float32)
    if name == "std" and not (values > 0).all():
        raise DataError(f"normalize() needs std > 0, got {value}")
    if values.ndim == 0:
        return float(values)
    if values.ndim != 1 or images.ndim < 2 or images.shape[1] != len(values):
        raise DataError(
            f"normalize(): {name} has {values.size} values, so it must give one per channel "
            f"(axis 1 of (N, C, H, W) images), but the images have shape {images.shape}"
        )
    shape = (1, len(values)) + (1,) * (images.ndim - 2)
    return backend.array_module(images).asarray(values.reshape(shape))


def one_hot(labels: Any, num_classes: int, dtype: Any = np.float32) -> Any:
    """Rows of an identity matrix: ``out[..., k] = 1`` where the label is ``k``.

    ``labels`` are integers in ``[0, num_classes)`` (an array of any device, or
    a list); the result has shape ``labels.shape + (num_classes,)`` and ``dtype``
    (float32 by default, whatever the labels' integer type).
    """
    num_classes = check.positive_int("one_hot()", "num_classes", num_classes, error=DataError)
    if not backend.is_array(labels):
        labels = np.asarray(labels)
    if labels.dtype.kind not in "iu":
        raise DataError(f"one_hot() needs integer labels, got dtype {labels.dtype}")
    if labels.size:
        low, high = int(labels.min()), int(labels.max())
        if low < 0 or high >= num_classes:
            raise DataError(
                f"one_hot(): labels must lie in [0, {num_classes}), "
                f"found {low if low < 0 else high}"
            )
    xp = backend.array_module(labels)
    return xp.eye(num_classes, dtype=dtype)[labels]
