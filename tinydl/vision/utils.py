"""torchvision's ``utils``: ``make_grid`` tiles a batch of images into one picture, and
``save_image`` writes that picture to a PNG file (through :mod:`tinydl.data.png`).

The rules are torchvision's: a grid holds ``nrow`` images per row, with ``padding``
pixels of ``pad_value`` around and between them; one-channel images become three equal
channels; ``normalize=True`` maps ``value_range`` (by default the images' own minimum and
maximum, over the whole batch or, with ``scale_each``, per image) to [0, 1], clipping
outside it; and ``save_image`` writes the value ``v`` as the byte ``floor(v * 255 + 0.5)``
clipped to 0-255.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from tinydl import backend, check
from tinydl.autograd.tensor import Tensor
from tinydl.data.png import write_png

__all__ = ["make_grid", "save_image"]


def make_grid(
    tensor: Tensor | list[Tensor],
    nrow: int = 8,
    padding: int = 2,
    normalize: bool = False,
    value_range: tuple[float, float] | None = None,
    scale_each: bool = False,
    pad_value: float = 0.0,
) -> Tensor:
    """One ``(C, H', W')`` Tensor showing the images of ``tensor`` in a grid.

    ``tensor`` is a batch ``(B, C, H, W)``, a list of ``(C, H, W)`` Tensors, or one image
    ``(C, H, W)`` or ``(H, W)`` (returned without padding). Row ``r``, column ``c`` of the
    grid holds image ``r * nrow + c`` (``min(nrow, B)`` columns, as many rows as needed),
    its top-left pixel at ``(padding + r * (H + padding), padding + c * (W + padding))``.
    """
    images = _as_batch(tensor)
    _check_grid_arguments(nrow, padding, normalize, value_range, scale_each, pad_value)
    xp = backend.array_module(images)
    if images.shape[1] == 1:  # one channel: grey as three equal channels
        images = xp.concatenate([images] * 3, axis=1)
    if normalize:
        images = _normalized(images, value_range, scale_each)
    if len(images) == 1:
        return Tensor(images[0])
    count, channels, height, width = images.shape
    columns = min(nrow, count)
    rows = math.ceil(count / columns)
    step_y, step_x = height + padding, width + padding
    grid = xp.full(
        (channels, rows * step_y + padding, columns * step_x + padding), pad_value, images.dtype
    )
    for k in range(count):
        top, left = padding + (k // columns) * step_y, padding + (k % columns) * step_x
        grid[:, top : top + height, left : left + width] = images[k]
    return Tensor(grid)


def _as_batch(tensor: Any) -> Any:
    """The images as a ``(B, C, H, W)`` array (a list of Tensors stacked)."""
    if isinstance(tensor, list) and tensor and all(isinstance(t, Tensor) for t in tensor):
        arrays = [t.array for t in tensor]
        if len({a.shape for a in arrays}) > 1:
            raise ValueError(
                f"make_grid needs images of one shape, got shapes "
                f"{sorted({tuple(a.shape) for a in arrays})}"
            )
        array = backend.array_module(arrays[0]).stack(arrays)
    elif isinstance(tensor, Tensor):
        array = tensor.array
    else:
        raise TypeError(
            f"make_grid needs a Tensor or a list of Tensors, got {type(tensor).__name__}"
            + (": make a Tensor with tinydl.tensor(array)" if backend.is_array(tensor) else "")
        )
    if array.ndim == 2:  # one (H, W) image
        array = array[None]
    if array.ndim == 3:  # one (C, H, W) image
        array = array[None]
    if array.ndim != 4:
        raise ValueError(
            f"make_grid needs images (B, C, H, W), (C, H, W) or (H, W), got shape {array.shape}"
        )
    return array


def _check_grid_arguments(
    nrow: Any, padding: Any, normalize: Any, value_range: Any, scale_each: Any, pad_value: Any
) -> None:
    check.positive_int("make_grid", "nrow", nrow)
    check.non_negative_int("make_grid", "padding", padding)
    check.flag("make_grid", "normalize", normalize)
    check.flag("make_grid", "scale_each", scale_each)
    if value_range is not None and not (
        isinstance(value_range, tuple) and len(value_range) == 2
        and all(map(check.is_number, value_range))
    ):
        raise TypeError(
            f"make_grid: value_range must be a tuple (min, max) of numbers, got {value_range!r}"
        )
    check.number("make_grid", "pad_value", pad_value)


def _normalized(images: Any, value_range: Any, scale_each: bool) -> Any:
    """``(images - low) / (high - low)``, clipped to [low, high] first, where ``(low,
    high)`` is ``value_range`` or the images' extremes, per image with ``scale_each``.
    A flat range (``high == low``) divides by 1e-5, as torchvision does."""
    xp = backend.array_module(images)
    images = images.astype(np.result_type(images.dtype, np.float32))
    groups = images if scale_each else images[None]  # one group per (low, high)
    out = xp.empty_like(groups)
    for index, group in enumerate(groups):
        if value_range is None:
            low, high = float(group.min()), float(group.max())
        else:
            low, high = float(value_range[0]), float(value_range[1])
        out[index] = (xp.clip(group, low, high) - low) / max(high - low, 1e-5)
    return out if scale_each else out[0]


def save_image(
    tensor: Tensor | list[Tensor],
    fp: str | os.PathLike | BinaryIO,
    nrow: int = 8,
    padding: int = 2,
    normalize: bool = False,
    value_range: tuple[float, float] | None = None,
    scale_each: bool = False,
    pad_value: float = 0.0,
    format: str | None = None,
) -> None:
    """Write the images (see :func:`make_grid`) to ``fp``, a path or a binary file object,
    as a PNG: float values in [0, 1] become bytes ``floor(v * 255 + 0.5)``, clipped.

    A one-channel image is written as grey RGB, three channels as RGB, four as RGBA.
    ``format`` may be ``"png"`` (needed for a file object without a ``.png`` name); tinydl
    writes PNG only. Integer images are refused: scale them to [0, 1] first.
    """
    _check_png_target(fp, format)
    grid = make_grid(tensor, nrow, padding, normalize, value_range, scale_each, pad_value).array
    if grid.dtype.kind != "f":
        raise TypeError(
            f"save_image needs float images with values in [0, 1], got {grid.dtype}: divide "
            f"by 255 (or use normalize=True)"
        )
    if grid.shape[0] not in (3, 4):  # make_grid made one channel three
        raise ValueError(
            f"save_image writes images of 1, 3 or 4 channels (grey, RGB, RGBA), got "
            f"{grid.shape[0]}"
        )
    host = backend.to_numpy(grid)
    if not np.isfinite(host).all():
        raise ValueError("save_image got NaN or infinite values: there is no pixel to write")
    pixels = np.clip(host * host.dtype.type(255) + host.dtype.type(0.5), 0, 255)
    write_png(fp, np.ascontiguousarray(pixels.astype(np.uint8).transpose(1, 2, 0)))


def _check_png_target(fp: Any, format: str | None) -> None:
    if format is not None:
        if not isinstance(format, str) or format.lower() != "png":
            raise ValueError(f"save_image: tinydl writes PNG only, got format={format!r}")
        return
    name = fp if isinstance(fp, (str, os.PathLike)) else getattr(fp, "name", None)
    if not isinstance(name, (str, os.PathLike)):
        raise ValueError(
            "save_image: a file object without a name needs format='png' (as PIL does)"
        )
    if Path(name).suffix.lower() != ".png":
        raise ValueError(
            f"save_image: tinydl writes PNG only, but the file name {str(name)!r} does not "
            f"end in .png (or pass format='png')"
        )
