"""Whole-batch picture operations on ``(N, C, H, W)`` arrays: resize, pad, crop, grey.

They are the arithmetic behind torchvision's transforms in :mod:`tinydl.vision.transforms`,
written once for a batch so that a DataLoader transforms a batch with a few array
operations. Each works on the array module of its input (NumPy or CuPy) and keeps the
images' dtype; integer images are computed in float32 and rounded back, as torchvision
does with uint8 tensors.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from tinydl import backend


def resize_weights(in_size: int, out_size: int, antialias: bool) -> np.ndarray:
    """The ``(out_size, in_size)`` matrix that resizes one axis bilinearly.

    Output pixel ``i`` covers the input interval around ``centre = (i + 0.5) * scale``,
    ``scale = in_size / out_size``. Its value is an average of the input pixels whose
    centres ``j + 0.5`` lie near it, weighted by a tent ``max(0, 1 - |distance| / width)``
    and normalised to sum to 1. With ``width = 1`` this is textbook bilinear interpolation
    (PyTorch's ``interpolate(mode="bilinear", align_corners=False)``): the two nearest
    pixels. When shrinking (``scale > 1``) with ``antialias``, the tent widens to
    ``scale``, so every input pixel contributes instead of most being skipped: the
    filter PIL always uses and ``interpolate(..., antialias=True)`` copies.
    """
    scale = in_size / out_size
    width = scale if antialias and scale > 1 else 1.0
    centres = (np.arange(out_size) + 0.5) * scale
    distance = np.arange(in_size) + 0.5 - centres[:, None]
    weights = np.maximum(0.0, 1.0 - np.abs(distance) / width)
    return weights / weights.sum(axis=1, keepdims=True)


def resize(images: Any, size: tuple[int, int], antialias: bool) -> Any:
    """``(N, C, H, W)`` images resized to ``size = (height, width)``, bilinearly.

    Resizing is linear along each axis, so it is two matrix products: the rows through
    ``resize_weights(W, width)``, then the columns through ``resize_weights(H, height)``.
    Integer images are computed in float32 and rounded back (halves to even, as
    ``torch.round``), as torchvision does with uint8 tensors.
    """
    xp = backend.array_module(images)
    compute = images.dtype if images.dtype.kind == "f" else np.dtype(np.float32)
    rows = resize_weights(images.shape[-1], size[1], antialias).T.astype(compute)
    columns = resize_weights(images.shape[-2], size[0], antialias).astype(compute)
    return _back_to(xp.asarray(columns) @ (images.astype(compute) @ xp.asarray(rows)), images.dtype)


def _back_to(values: Any, dtype: np.dtype) -> Any:
    """Float ``values`` in ``dtype``: rounded and clipped to its range if it is an integer."""
    if dtype.kind in "iu":
        limits = np.iinfo(dtype)
        values = backend.array_module(values).clip(values.round(), limits.min, limits.max)
    return values.astype(dtype)


def pad(
    images: Any,
    left: int,
    top: int,
    right: int,
    bottom: int,
    fill: float | Sequence[float] = 0,
    mode: str = "constant",
) -> Any:
    """``(N, C, H, W)`` images with borders added (NumPy's pad modes: ``"constant"`` with
    ``fill``, one value or one per channel, ``"edge"``, ``"reflect"``, ``"symmetric"``)."""
    xp = backend.array_module(images)
    widths = ((0, 0), (0, 0), (top, bottom), (left, right))
    if mode != "constant":
        return xp.pad(images, widths, mode=mode)
    fills = np.broadcast_to(np.asarray(fill, dtype=np.float64), (images.shape[1],))
    if (fills == fills[0]).all():
        return xp.pad(images, widths, constant_values=_back_to(fills, images.dtype)[0])
    values = _back_to(fills, images.dtype)
    channels = [
        xp.pad(images[:, c : c + 1], widths, constant_values=values[c])
        for c in range(images.shape[1])
    ]
    return xp.concatenate(channels, axis=1)


def crop(images: Any, top: Any, left: Any, height: int, width: int) -> Any:
    """The ``height x width`` window at ``(top, left)`` of each ``(N, C, H, W)`` image.

    ``top`` and ``left`` are ints (one window for all) or one int per image (``(N,)``
    arrays, each image its own window), and every window lies inside its image.
    """
    if np.ndim(top) == 0 and np.ndim(left) == 0:
        return images[:, :, top : top + height, left : left + width]
    xp = backend.array_module(images)
    count = len(images)
    tops = xp.asarray(np.broadcast_to(top, (count,)))
    lefts = xp.asarray(np.broadcast_to(left, (count,)))
    rows = (tops[:, None] + xp.arange(height))[:, None, :, None]  # (N, 1, height, 1)
    columns = (lefts[:, None] + xp.arange(width))[:, None, None, :]  # (N, 1, 1, width)
    image = xp.arange(count)[:, None, None, None]
    channel = xp.arange(images.shape[1])[None, :, None, None]
    return images[image, channel, rows, columns]


def luma(images: Any, weights: tuple[float, float, float]) -> Any:
    """``(N, 1, H, W)``: the weighted sum of the red, green and blue channels of
    ``(N, 3 or more, H, W)`` images, in float (float32 for integer images)."""
    compute = images.dtype if images.dtype.kind == "f" else np.dtype(np.float32)
    red, green, blue = (images[:, c : c + 1].astype(compute) for c in range(3))
    return weights[0] * red + weights[1] * green + weights[2] * blue


def luma_8bit(images: Any) -> Any:
    """PIL's ``convert("L")`` of 8-bit RGB images: ``(N, 1, H, W)`` uint8.

    ITU-R 601-2 luma, ``L = 0.299 R + 0.587 G + 0.114 B``, in PIL's integer arithmetic:
    the weights in 16-bit fixed point (19595, 38470 and 7471 out of 65536), rounded.
    """
    red, green, blue = (images[:, c : c + 1].astype(np.int32) for c in range(3))
    return ((red * 19595 + green * 38470 + blue * 7471 + 0x8000) >> 16).astype(np.uint8)
