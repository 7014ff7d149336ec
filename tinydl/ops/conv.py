"""2-D convolution (cross-correlation, as in every deep-learning library) as one Function.

A convolution is a matrix product in disguise. ``im2col`` copies every
receptive field of the input into one column of a matrix, so that the whole
layer becomes ONE matrix product (GEMM) with the flattened filters; ``col2im``
is its adjoint and sends gradients of those columns back onto the image,
adding where receptive fields overlap. One big GEMM is what both NumPy (BLAS)
and CuPy (cuBLAS) are fastest at; a graph of per-pixel ops would be hopeless.

Layout: the columns are ``cols[(c, kh, kw), (n, oh, ow)]`` and the filters
``W[o, (c, kh, kw)]``, so the forward pass is ``W @ cols`` and each GEMM of
forward and backward is a single call on contiguous operands. Measured on the
MNIST CNN's layers, this beat both per-image GEMMs (``cols`` of shape
(N, C·KH·KW, OH·OW): many small GEMMs, slow dL/dW) and (N·OH·OW, C·KH·KW)
columns (a slower im2col and larger NCHW transposes) by 1.1-2x.

Read :func:`im2col`, :func:`col2im` and :class:`Conv2D` first: they are the plain
version, and what runs unless the fast paths are on. Below them, the CPU's fast path
keeps the batch last, columns ordered (oh, ow, n) (:func:`im2col_fast`,
:class:`Conv2DFast`); :func:`conv2d` picks one.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tinydl import backend, check
from tinydl.autograd.function import Function
from tinydl.autograd.tensor import Tensor
from tinydl.autograd.tensor_checks import fits_input, floating, same_dtype, tensor
from tinydl.backend import host_threads, kernels
from tinydl.backend.fast_path_switch import fast_paths_enabled
from tinydl.ops.linalg import times_transposed, times_transposed_fast

Pair = tuple[int, int]
IntOrPair = int | tuple[int, int]


def output_size(size: Pair, kernel_size: Pair, stride: Pair, padding: Pair) -> Pair:
    """(OH, OW) of a window sliding over ``size`` padded by ``padding`` on each side:
    ``⌊(H + 2·pad − KH) / stride⌋ + 1`` per axis."""
    return tuple(  # type: ignore[return-value]
        (n + 2 * p - k) // s + 1
        for n, k, s, p in zip(size, kernel_size, stride, padding, strict=True)
    )


def pad2d(x: Any, padding: Pair, value: float) -> Any:
    """``x`` (N, C, H, W) with ``padding`` rows/columns of ``value`` added on each side."""
    ph, pw = padding
    if ph == 0 and pw == 0:
        return x
    n, c, h, w = x.shape
    padded = backend.array_module(x).full((n, c, h + 2 * ph, w + 2 * pw), value, dtype=x.dtype)
    padded[:, :, ph : ph + h, pw : pw + w] = x
    return padded


def window_slice(offset: Pair, count: Pair, stride: Pair) -> tuple[slice, slice]:
    """The (rows, columns) of the input pixels at kernel position ``offset`` = (i, j) in all
    windows at once: pixel (i + s·a, j + s·b) for output (a, b). One strided view per kernel
    position is how im2col, col2im and max-pooling avoid any Python loop over pixels."""
    (i, j), (oh, ow), (sh, sw) = offset, count, stride
    return slice(i, i + sh * oh, sh), slice(j, j + sw * ow, sw)


def im2col(x: Any, kernel_size: Pair, stride: Pair, padding: Pair) -> Any:
    """Unfold the receptive fields of ``x`` (N, C, H, W) into a (C·KH·KW, N·OH·OW) matrix.

    Column (n, oh, ow) holds the C·KH·KW input values that output pixel (oh, ow)
    of image n sees, so a convolution is ``W.reshape(O, -1) @ im2col(x)``.
    One strided copy per kernel position (KH·KW copies of N·C·OH·OW values each).
    On a GPU, kernels/im2col.cu does it instead.
    """
    n, c, h, w = x.shape
    kh, kw = kernel_size
    oh, ow = output_size((h, w), kernel_size, stride, padding)
    if backend.is_cuda(x):  # one GPU thread per column element (kernels/im2col.cu)
        return kernels.im2col(x, kernel_size, stride, padding, (oh, ow))
    # Channels first: then the rows (c, kh, kw) of cols match W.reshape(O, -1)'s columns.
    images = pad2d(x, padding, 0.0).transpose(1, 0, 2, 3)  # (C, N, Hp, Wp), a view
    cols = backend.array_module(x).empty((c, kh, kw, n, oh, ow), dtype=x.dtype)
    for i in range(kh):
        for j in range(kw):
            rows, columns = window_slice((i, j), (oh, ow), stride)
            cols[:, i, j] = images[:, :, rows, columns]
    return cols.reshape(c * kh * kw, n * oh * ow)


def col2im(
    cols: Any, x_shape: tuple[int, int, int, int], kernel_size: Pair, stride: Pair, padding: Pair
) -> Any:
    """The adjoint of :func:`im2col`: add each column's values back onto the pixels they came
    from, giving an (N, C, H, W) array. A pixel inside several receptive fields receives the
    sum of all their contributions (strided ``+=`` per kernel position; no scatter-add). On a
    GPU, kernels/im2col.cu gathers instead: one thread per pixel sums its columns' entries."""
    n, c, h, w = x_shape
    kh, kw = kernel_size
    (ph, pw), (oh, ow) = padding, output_size((h, w), kernel_size, stride, padding)
    if backend.is_cuda(cols):  # one GPU thread per pixel, gathering (kernels/im2col.cu)
        return kernels.col2im(cols, x_shape, kernel_size, stride, padding, (oh, ow))
    cols = cols.reshape(c, kh, kw, n, oh, ow)
    grad = backend.array_module(cols).zeros((n, c, h + 2 * ph, w + 2 * pw), dtype=cols.dtype)
    images = grad.transpose(1, 0, 2, 3)  # a view: adding into it fills grad
    for i in range(kh):
        for j in range(kw):
            rows, columns = window_slice((i, j), (oh, ow), stride)
            images[:, :, rows, columns] += cols[:, i, j]
    return grad[:, :, ph : ph + h, pw : pw + w]


def to_matrix(x: Any) -> Any:
    """(N, C, H, W) images as the (C, N·H·W) matrix the GEMMs take, columns in im2col's
    (n, h, w) order (a copy: the axes are reordered)."""
    return x.transpose(1, 0, 2, 3).reshape(x.shape[1], -1)


def to_images(matrix: Any, shape: tuple[int, int, int, int]) -> Any:
    """The inverse of :func:`to_matrix`: a (C, N·H·W) matrix as (N, C, H, W) images of
    ``shape``, stored contiguously (the GPU's kernels read them in that order)."""
    n, c, h, w = shape
    return backend.array_module(matrix).ascontiguousarray(
        matrix.reshape(c, n, h, w).transpose(1, 0, 2, 3)
    )


class Conv2D(Function):
    """Y = W ⋆ X + b: ``Y[n, o] = Σ_c X[n, c] ⋆ W[o, c] + b[o]`` (cross-correlation, NCHW).

    With ``cols = im2col(X)`` (C·KH·KW, N·OH·OW) and ``W`` seen as (O, C·KH·KW),
    the forward pass is one GEMM, ``Y = W·cols + b`` (then reordered to NCHW).
    With ``dY`` the output gradient seen as (O, N·OH·OW):

        dL/dX = col2im(Wᵀ·dY)      (each column's gradient back onto its pixels)
        dL/dW = dY·colsᵀ           (every output pixel's contribution, summed)
        dL/db = Σ dY               over the batch and all output pixels
    """

    # The columns' layout: this module's im2col and its helpers, (n, oh, ow) order.
    # Conv2DFast below swaps in the batch-last ones; nothing else differs.
    im2col, col2im = staticmethod(im2col), staticmethod(col2im)
    to_matrix, to_images = staticmethod(to_matrix), staticmethod(to_images)
    times_transposed = staticmethod(times_transposed)

    def __init__(self, stride: Pair, padding: Pair) -> None:
        self.stride, self.padding = stride, padding

    def forward(self, x, weight, bias=None):
        out_channels, _, kh, kw = weight.shape
        oh, ow = output_size(x.shape[2:], (kh, kw), self.stride, self.padding)
        # Backward needs the columns again for dL/dW. They are KH·KW times larger than x
        # (9x for a 3x3 kernel: 9 MB for the MNIST CNN's second layer at batch 64), but
        # rebuilding them took 7% of a training step, so they are kept, not recomputed.
        self.x_shape, self.weight = x.shape, weight
        self.cols = self.im2col(x, (kh, kw), self.stride, self.padding)
        y = weight.reshape(out_channels, -1) @ self.cols  # (O, N·OH·OW)
        if bias is not None:
            y += bias[:, None]
        return self.to_images(y, (x.shape[0], out_channels, oh, ow))

    def backward(self, gy):
        weight, out_channels = self.weight, self.weight.shape[0]
        gy_matrix = self.to_matrix(gy)  # dY in the columns' layout, (O, N·OH·OW)
        gx = gw = None
        if self.needs_grad[0]:
            gx_cols = weight.reshape(out_channels, -1).T @ gy_matrix
            gx = self.col2im(gx_cols, self.x_shape, weight.shape[2:], self.stride, self.padding)
        if self.needs_grad[1]:
            gw = self.times_transposed(gy_matrix, self.cols).reshape(weight.shape)
        if len(self.needs_grad) == 2:  # called without a bias
            return gx, gw
        return gx, gw, gy_matrix.sum(axis=1) if self.needs_grad[2] else None


# ---- the CPU's fast path: batch last -----------------------------------------------------
# Stored (C, H, W, N), with the images of the batch side by side in memory, the pixels a
# kernel position reads for a whole output row are one run of OW·N floats (with stride 1)
# instead of N·C separate runs of OW. Measured on the MNIST CNN's second layer (batch 64,
# 13x13 inputs) against the (N, C, H, W) whole-row path it replaced: im2col 1.85 -> 1.24 ms,
# col2im 2.41 -> 2.04 ms; and the GEMM's (O, OH·OW·N) output is already the (N, O, OH, OW)
# result as a view: no transpose copy. On the fast MNIST CNN's step (benchmarks/
# fast_step.py, 24 channels, batch 256) it took 66.0 -> 63.3 ms, 0.96x -> 0.88x PyTorch's
# (commit aac7e7b; benchmarks/results/README.md, "Issue 13"). The GPU keeps NCHW, the
# layout of its kernels.


def uses_batch_last(x: Tensor) -> bool:
    """Whether an op on ``x`` computes batch last: while the fast paths are on, on the CPU."""
    return fast_paths_enabled() and not backend.is_cuda(x.array)


def pad_batch_last(x: Any, padding: Pair, value: float = 0.0) -> Any:
    """``x`` (N, C, H, W) as a (C, Hp, Wp, N) array padded with ``value``: one copy, a fast
    one when x is itself a view of (C, H, W, N) memory (the output of a batch-last op)."""
    n, c, h, w = x.shape
    top, left = padding
    shape = (c, h + 2 * top, w + 2 * left, n)
    padded = backend.array_module(x).full(shape, value, dtype=x.dtype)
    padded[:, top : top + h, left : left + w] = x.transpose(1, 2, 3, 0)
    return padded


def phase_slices(size: int, pad: int, stride: int, phase: int) -> tuple[slice, slice]:
    """Where phase ``phase`` of one padded axis meets the image: (its entries, the image's).
    Entry a of the phase is padded pixel ``phase + stride·a``, image pixel that less ``pad``."""
    first = max(0, -((pad - phase) // -stride))  # the first entry inside the image
    start = phase + stride * first - pad
    count = len(range(start, size, stride))
    return slice(first, first + count), slice(start, size, stride)


def phase_pairs(
    x_shape: tuple[int, int, int, int], stride: Pair, padding: Pair
) -> Iterator[tuple[int, int, tuple[slice, slice], tuple[slice, slice]]]:
    """For each phase (u, v): (u, v, the phase's rows and columns, the image's), pairing
    phases[:, u, v, rows, columns] with the (C, H, W, N) image's pixels they hold."""
    (h, w), (sh, sw), (top, left) = x_shape[2:], stride, padding
    for u in range(sh):
        rows, image_rows = phase_slices(h, top, sh, u)
        for v in range(sw):
            columns, image_columns = phase_slices(w, left, sw, v)
            yield u, v, (rows, columns), (image_rows, image_columns)


def zero_phases(xp: Any, x_shape: tuple[int, ...], stride: Pair, padding: Pair, dtype: Any) -> Any:
    """Zeros for the padded (C, H, W, N) image split into its stride's phases (see below)."""
    (n, c, h, w), (sh, sw), (top, left) = x_shape, stride, padding
    return xp.zeros((c, sh, sw, -(-(h + 2 * top) // sh), -(-(w + 2 * left) // sw), n), dtype=dtype)


def phase_window(offset: Pair, count: Pair, stride: Pair) -> tuple[int, int, slice, slice]:
    """:func:`window_slice` in the phases: kernel position ``offset`` = (i, j) reads phase
    (i mod SH, j mod SW), rows from i div SH and columns from j div SW, one contiguous block."""
    (i, j), (oh, ow), (sh, sw) = offset, count, stride
    return i % sh, j % sw, slice(i // sh, i // sh + oh), slice(j // sw, j // sw + ow)


def im2col_fast(x: Any, kernel_size: Pair, stride: Pair, padding: Pair) -> Any:
    """:func:`im2col` with the batch last: a (C·KH·KW, OH·OW·N) matrix, column (oh, ow, n).

    The padded image is first split into its stride's phases, ``phases[:, u, v, a, b]`` =
    padded pixel (u + SH·a, v + SW·b): kernel position (i, j) then reads one block of
    phase (i mod SH, j mod SW), rows from i div SH, columns from j div SW, whose rows are
    runs of OW·N floats instead of N (a stride-2 window skips every other pixel of the
    image). On the DCGAN's (64, 64, 14, 14) float32 input (kernel 4, stride 2, padding
    1), one thread, medians of 100 calls: 1.20 -> 0.44 ms. Stride 1 has one phase.
    Channels share no memory, so parts of them run on the host's threads at once
    (backend/host_threads.py): on 2, right after a GEMM, 1.27 -> 0.87 ms.
    """
    xp = backend.array_module(x)
    n, c = x.shape[:2]
    (kh, kw), (oh, ow) = kernel_size, output_size(x.shape[2:], kernel_size, stride, padding)
    phases = zero_phases(xp, x.shape, stride, padding, x.dtype)
    images = x.transpose(1, 2, 3, 0)  # (C, H, W, N): a free view of batch-last memory
    cols = xp.empty((c, kh, kw, oh, ow, n), dtype=x.dtype)

    def copy(_: int, channels: slice) -> None:
        for u, v, (rows, columns), (image_rows, image_columns) in phase_pairs(x.shape, stride,
                                                                              padding):
            phases[channels, u, v, rows, columns] = images[channels, image_rows, image_columns]
        for i in range(kh):
            for j in range(kw):
                u, v, rows, columns = phase_window((i, j), (oh, ow), stride)
                cols[channels, i, j] = phases[channels, u, v, rows, columns]

    host_threads.run_in_parts(copy, c, host_threads.rows_per_part(cols))
    return cols.reshape(c * kh * kw, -1)


def col2im_fast(
    cols: Any, x_shape: tuple[int, int, int, int], kernel_size: Pair, stride: Pair, padding: Pair
) -> Any:
    """The adjoint of :func:`im2col_fast`, through the same phases (each pixel's columns
    added in the same order as :func:`col2im`'s): an (N, C, H, W) view of (C, H, W, N)
    memory. DCGAN's (64, 64, 14, 14) gradient, as above: 1.45 -> 1.14 ms; in parts of the
    channels on 2 threads, as im2col_fast, 2.14 -> 1.30 ms."""
    xp = backend.array_module(cols)
    n, c, h, w = x_shape
    (kh, kw), (oh, ow) = kernel_size, output_size((h, w), kernel_size, stride, padding)
    cols = cols.reshape(c, kh, kw, oh, ow, n)
    phases = zero_phases(xp, x_shape, stride, padding, cols.dtype)
    grad = xp.empty((c, h, w, n), dtype=cols.dtype)

    def add(_: int, channels: slice) -> None:
        for i in range(kh):
            for j in range(kw):
                u, v, rows, columns = phase_window((i, j), (oh, ow), stride)
                phases[channels, u, v, rows, columns] += cols[channels, i, j]
        for u, v, (rows, columns), (image_rows, image_columns) in phase_pairs(x_shape, stride,
                                                                              padding):
            grad[channels, image_rows, image_columns] = phases[channels, u, v, rows, columns]

    host_threads.run_in_parts(add, c, host_threads.rows_per_part(cols))
    return grad.transpose(3, 0, 1, 2)


def to_matrix_fast(x: Any) -> Any:
    """(N, C, H, W) as a (C, H·W·N) matrix: free when ``x`` is a view of (C, H, W, N)
    memory (the output of a batch-last op), one copy otherwise."""
    return x.transpose(1, 2, 3, 0).reshape(x.shape[1], -1)


def to_images_fast(matrix: Any, shape: tuple[int, int, int, int]) -> Any:
    """The inverse of :func:`to_matrix_fast`: an (N, C, H, W) view of the (C, H·W·N) matrix."""
    n, c, h, w = shape
    return matrix.reshape(c, h, w, n).transpose(3, 0, 1, 2)


class Conv2DFast(Conv2D):
    """:class:`Conv2D` with the batch last (see the notes above): the same maths, the
    columns ordered (oh, ow, n) and every array stored (C, H, W, N)."""

    im2col, col2im = staticmethod(im2col_fast), staticmethod(col2im_fast)
    to_matrix, to_images = staticmethod(to_matrix_fast), staticmethod(to_images_fast)
    times_transposed = staticmethod(times_transposed_fast)


def stride_and_padding(where: str, stride: Any, padding: Any) -> tuple[Pair, Pair]:
    """``stride`` (each ≥ 1) and ``padding`` (each ≥ 0), ints or (h, w) pairs, as pairs."""
    return check.int_pair(where, "stride", stride), check.int_pair(where, "padding", padding, 0)


def check_window_fits(x_shape: tuple[int, ...], kernel_size: Pair, padding: Pair, where: str
                      ) -> None:
    """Refuse a kernel larger than the padded input (there would be no output pixel)."""
    size = x_shape[2:]
    padded = tuple(n + 2 * p for n, p in zip(size, padding, strict=True))
    if kernel_size[0] > padded[0] or kernel_size[1] > padded[1]:
        raise ValueError(
            f"{where}: kernel {kernel_size} is larger than the padded input {padded} "
            f"(input {size} plus padding {padding} on each side)"
        )


def conv2d(
    x: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: IntOrPair = 1,
    padding: IntOrPair = 0,
) -> Tensor:
    """2-D convolution of ``x`` (N, C, H, W) with ``weight`` (O, C, KH, KW), plus ``bias`` (O,).

    ``stride`` and ``padding`` (zeros) are an int or an (h, w) pair, as in
    ``torch.nn.functional.conv2d``. Returns (N, O, OH, OW) with
    ``OH = (H + 2·padding − KH) // stride + 1`` (and likewise OW).
    """
    stride, padding = stride_and_padding("conv2d()", stride, padding)
    inputs = check_weight_and_bias(x, weight, bias, "conv2d()", transposed=False)
    check_window_fits(x.shape, weight.shape[2:], padding, "conv2d()")
    function = Conv2DFast if uses_batch_last(x) else Conv2D
    return function(stride, padding)(*inputs)


def check_weight_and_bias(
    x: Tensor, weight: Any, bias: Any, where: str, transposed: bool
) -> list[Tensor]:
    """Refuse images ``x``, a weight, bias or dtype that do not fit; return the Function's
    inputs.

    A convolution's weight is (out_channels, in_channels, KH, KW); a transposed
    convolution's is (in_channels, out_channels, KH, KW), as in PyTorch.
    """
    layout = "(in_channels, out_channels, KH, KW)" if transposed else (
        "(out_channels, in_channels, KH, KW)"
    )
    tensor(where, "x", x, "(N, C, H, W)")
    tensor(where, "weight", weight, layout)
    in_channels, out_channels = weight.shape[:2] if transposed else weight.shape[1::-1]
    if in_channels != x.shape[1]:
        hint = ""
        if x.shape[3] == in_channels:  # (N, H, W, C): the channels-last layout of Keras
            hint = (
                "; x looks channels-last, but tinydl is channels-first (N, C, H, W): "
                "x.permute(0, 3, 1, 2) fixes it"
            )
        raise ValueError(
            f"{where}: x has {x.shape[1]} channels but weight expects {in_channels} "
            f"(weight shape {weight.shape}){hint}"
        )
    if weight.dtype.kind == "f":
        floating(where, "x", x)
    same_dtype(where, "weight", weight, "x", x)
    fits_input(where, "bias", bias, (out_channels,), x, "(one per output channel)")
    return [x, weight] if bias is None else [x, weight, bias]
