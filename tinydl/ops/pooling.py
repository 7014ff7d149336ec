"""2-D max-pooling as one Function.

Forward takes a running maximum over the KH·KW kernel positions, each one
strided view of the (padded) input covering all windows at once, and remembers
which position won in each window. Backward sends each window's gradient to
that position: a gather, never a scatter-add.

:class:`MaxPool2D` is the plain version, on (N, C, H, W) arrays (and the kernels of
kernels/pooling.cu on CUDA arrays); :class:`MaxPool2DFast` below it, the CPU's fast
path, does the same with the batch last.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tinydl import backend, check
from tinydl.autograd.function import Function
from tinydl.autograd.tensor import Tensor
from tinydl.autograd.tensor_checks import floating
from tinydl.backend import kernels
from tinydl.ops.conv import (
    IntOrPair,
    Pair,
    check_window_fits,
    output_size,
    pad2d,
    pad_batch_last,
    stride_and_padding,
    uses_batch_last,
    window_slice,
)


def running_max(candidates: Iterator[Any]) -> tuple[Any, Any]:
    """The element-wise maximum of equally shaped arrays, and the uint8 index of the first
    one holding it (PyTorch's tie rule: a later candidate must be strictly greater)."""
    first = next(candidates)
    xp = backend.array_module(first)
    y, argmax = first.copy(), xp.zeros(first.shape, dtype=xp.uint8)
    for k, candidate in enumerate(candidates, start=1):
        # The winner is the last to beat the maximum before it: max(argmax, k·[candidate > y])
        # (xp.where with an unpredictable mask: 20x slower in NumPy; copyto(where=) 30x).
        xp.maximum(argmax, (candidate > y).view(xp.uint8) * xp.uint8(k), out=argmax)
        xp.maximum(y, candidate, out=y)
    return y, argmax


class MaxPool2D(Function):
    """y[n, c, a, b] = max of x over window (a, b) (padding counts as −∞).

    dL/dx = dL/dy at the position of each window's maximum, 0 elsewhere; a
    pixel that is the maximum of several overlapping windows receives the sum
    of their gradients. Tied maxima: the first in the window (row-major order)
    wins, as in PyTorch, so the gradient is deterministic.
    """

    def __init__(self, kernel_size: Pair, stride: Pair, padding: Pair) -> None:
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding

    def forward(self, x):
        self.x_shape = x.shape
        self.out_size = output_size(x.shape[2:], self.kernel_size, self.stride, self.padding)
        if backend.is_cuda(x):  # one GPU thread per window, same argmax (kernels/pooling.cu)
            window = self.kernel_size, self.stride, self.padding
            y, self.argmax = kernels.max_pool_forward(x, *window, self.out_size)
            return y
        images = pad2d(x, self.padding, float("-inf"))
        y, self.argmax = running_max(self.windows(images))
        return y

    def window_slices(self) -> Iterator[tuple[slice, slice]]:
        """The (rows, columns) of each kernel position's pixels in all windows, in row-major
        order: a loop over positions, one whole-array op each, was measured 30x faster in
        NumPy than reducing a 6-D strided view with .max(axis=...)."""
        kh, kw = self.kernel_size
        for i in range(kh):
            for j in range(kw):
                yield window_slice((i, j), self.out_size, self.stride)

    def windows(self, images):
        """The (N, C, OH, OW) view of ``images`` (N, C, H, W) at each kernel position."""
        for rows, columns in self.window_slices():
            yield images[:, :, rows, columns]

    def backward(self, gy):
        if backend.is_cuda(gy):  # one GPU thread per input pixel, gathering (kernels/pooling.cu)
            window = self.kernel_size, self.stride, self.padding
            return kernels.max_pool_backward(gy, self.argmax, self.x_shape, *window)
        n, c, h, w = self.x_shape
        ph, pw = self.padding
        grad = backend.array_module(gy).zeros((n, c, h + 2 * ph, w + 2 * pw), dtype=gy.dtype)
        # Overlapping windows may pick the same pixel, hence += (one strided add a position).
        for k, window in enumerate(self.windows(grad)):
            window += gy * (self.argmax == k)
        return grad[:, :, ph : ph + h, pw : pw + w]


class MaxPool2DFast(MaxPool2D):
    """:class:`MaxPool2D` on the CPU with the batch last, (C, H, W, N), where a window's
    pixels for all images are one run: free when x is a convolution's output (stored so,
    see conv.im2col_fast); otherwise one copy, which pays for itself (measured 1.7x faster
    at 26x26 than the (N, C, H, W) version it replaced; commit aac7e7b)."""

    def forward(self, x):
        self.x_shape = x.shape
        self.out_size = output_size(x.shape[2:], self.kernel_size, self.stride, self.padding)
        if self.padding == (0, 0):
            images = backend.array_module(x).ascontiguousarray(x.transpose(1, 2, 3, 0))
        else:
            images = pad_batch_last(x, self.padding, float("-inf"))
        y, self.argmax = running_max(self.windows(images))
        return y.transpose(3, 0, 1, 2)  # (C, OH, OW, N) memory shown as (N, C, OH, OW)

    def windows(self, images):
        """The (C, OH, OW, N) view of ``images`` (C, H, W, N) at each kernel position."""
        for rows, columns in self.window_slices():
            yield images[:, rows, columns]

    def backward(self, gy):
        n, c, h, w = self.x_shape
        (ph, pw), g = self.padding, gy.transpose(1, 2, 3, 0)
        grad = backend.array_module(gy).zeros((c, h + 2 * ph, w + 2 * pw, n), dtype=gy.dtype)
        for k, window in enumerate(self.windows(grad)):
            window += g * (self.argmax == k)
        return grad[:, ph : ph + h, pw : pw + w].transpose(3, 0, 1, 2)


def pool_window(where: str, kernel_size: Any, stride: Any, padding: Any) -> tuple[Pair, ...]:
    """``kernel_size``, ``stride`` (by default the kernel's) and ``padding`` as (h, w) pairs;
    the padding at most half the kernel, so that every window holds an input pixel."""
    kernel_size = check.int_pair(where, "kernel_size", kernel_size)
    stride, padding = stride_and_padding(where, kernel_size if stride is None else stride,
                                         padding)
    if 2 * padding[0] > kernel_size[0] or 2 * padding[1] > kernel_size[1]:
        raise ValueError(
            f"{where}: padding {padding} must be at most half of kernel_size {kernel_size}, "
            f"so that every window holds at least one input pixel"
        )
    return kernel_size, stride, padding


def max_pool2d(
    x: Tensor,
    kernel_size: IntOrPair,
    stride: IntOrPair | None = None,
    padding: IntOrPair = 0,
) -> Tensor:
    """Max-pooling of ``x`` (N, C, H, W) over KH×KW windows, as ``torch.nn.functional.max_pool2d``.

    ``stride`` defaults to ``kernel_size`` (non-overlapping windows); ``padding``
    adds −∞ on each side (never 0, which would beat all-negative windows) and may
    be at most half the kernel size. ``kernel_size``, ``stride`` and ``padding``
    are an int or an (h, w) pair. Returns (N, C, OH, OW) with
    ``OH = (H + 2·padding − KH) // stride + 1`` (and likewise OW).
    """
    floating("max_pool2d()", "x", x, "(N, C, H, W)")
    kernel_size, stride, padding = pool_window("max_pool2d()", kernel_size, stride, padding)
    check_window_fits(x.shape, kernel_size, padding, "max_pool2d()")
    function = MaxPool2DFast if uses_batch_last(x) else MaxPool2D
    return function(kernel_size, stride, padding)(x)
