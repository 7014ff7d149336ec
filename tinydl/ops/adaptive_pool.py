"""Adaptive average pooling: the mean over windows chosen so that the output has a given
size, PyTorch's ``F.adaptive_avg_pool2d`` (a ResNet's ``avgpool``, output 1×1: the mean of
each channel).

tinydl offers the sizes that divide the input evenly, where every window has the same
kh × kw = (H / out_h) × (W / out_w) pixels and adaptive pooling is ordinary average pooling
with stride = kernel. It is composed from two ops that autograd already differentiates:
a reshape that puts each window on axes of its own, and a mean over them. So

    y[n, c, i, j] = (1 / (kh·kw)) · Σ x[n, c, i·kh + a, j·kw + b],
    dy[n, c, i, j] / dx[n, c, i·kh + a, j·kw + b] = 1 / (kh·kw)

(each pixel's gradient is its window's gradient shared equally). PyTorch's overlapping
windows of unequal sizes, for sizes that do not divide, are refused with a message.
"""

from __future__ import annotations

from typing import Any

from tinydl import check
from tinydl.autograd.tensor import Tensor
from tinydl.ops.reductions import mean
from tinydl.ops.shape import reshape


def output_pair(output_size: Any, where: str) -> tuple[int | None, int | None]:
    """``output_size`` (an int, or an (h, w) pair of ints or None, None meaning "as the
    input") as an (h, w) pair."""
    sizes = (output_size, output_size) if not isinstance(output_size, (tuple, list)) \
        else tuple(output_size)
    rule = "must be a positive int or a pair of positive ints or None"
    if len(sizes) != 2 or not all(s is None or (check.is_int(s) and s > 0) for s in sizes):
        raise ValueError(f"{where}: output_size {rule}, got {output_size!r}")
    return tuple(None if s is None else int(s) for s in sizes)  # type: ignore[return-value]


def adaptive_avg_pool2d(x: Tensor, output_size: Any) -> Tensor:
    """The mean over equal windows of (N, C, H, W) or (C, H, W) input that gives an output
    of ``output_size`` (an int, or a pair whose None keeps that axis): ``(1, 1)`` averages
    each channel. Each output size must divide the input's."""
    where = "adaptive_avg_pool2d()"
    check.instance(where, "x", x, Tensor, "a Tensor")
    if x.ndim not in (3, 4):
        raise ValueError(f"{where} needs input of shape (N, C, H, W) or (C, H, W), got shape "
                         f"{x.shape}")
    height, width = x.shape[-2:]
    out_h, out_w = output_pair(output_size, where)
    out_h, out_w = out_h or height, out_w or width
    if height % out_h or width % out_w:
        raise ValueError(
            f"{where}: output size ({out_h}, {out_w}) must divide the input's ({height}, "
            f"{width}) evenly in tinydl (PyTorch's uneven, overlapping windows are not "
            f"offered); choose a size that divides it, such as 1"
        )
    windows = reshape(x, *x.shape[:-2], out_h, height // out_h, out_w, width // out_w)
    return mean(windows, (-3, -1))
