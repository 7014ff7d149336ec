"""Transposed 2-D convolution ("deconvolution"), the layer a generator upsamples with.

A convolution with stride s maps an (H', W') image to a smaller (H, W) one; as a linear
map it is a matrix A, and its backward pass for the input multiplies by Aᵀ. The
transposed convolution is that Aᵀ used as a forward pass: each input pixel spreads
its value, weighted by the kernel, over a KH×KW patch of the larger output, and the
patches add where they overlap. So it is built from the very same pieces as
:class:`tinydl.ops.conv.Conv2D`, with the roles swapped: forward is Conv2D's backward
for the input (a GEMM, then ``col2im``), and backward for the input is Conv2D's
forward (``im2col``, then a GEMM). :class:`ConvTranspose2D` is the plain version, with
the NCHW ``im2col``/``col2im`` (which run the kernels of kernels/im2col.cu on CUDA
arrays); :class:`ConvTranspose2DFast` below it, the CPU's fast path, uses Conv2D's
batch-last versions of those pieces.

Weight layout (in_channels, out_channels, KH, KW), as PyTorch's ``conv_transpose2d``:
the weight of ``Conv2D(out → in)`` whose transpose this is, so a PyTorch
``ConvTranspose2d`` state dict loads unchanged.
"""

from __future__ import annotations

from typing import Any

from tinydl import check
from tinydl.autograd.function import Function
from tinydl.autograd.tensor import Tensor
from tinydl.ops.conv import (
    IntOrPair,
    Pair,
    check_weight_and_bias,
    col2im,
    col2im_fast,
    im2col,
    im2col_fast,
    stride_and_padding,
    to_images,
    to_images_fast,
    to_matrix,
    to_matrix_fast,
    uses_batch_last,
)
from tinydl.ops.linalg import times_transposed, times_transposed_fast


def transposed_output_size(
    size: Pair, kernel_size: Pair, stride: Pair, padding: Pair, output_padding: Pair
) -> Pair:
    """(OH, OW) of a transposed convolution, per axis ``(H − 1)·stride − 2·padding + KH +
    output_padding``: the input size of the convolution whose transpose this is.
    ``output_padding`` (< stride) picks among the sizes that a strided convolution maps
    to the same H, since it rounds down."""
    axes = zip(size, kernel_size, stride, padding, output_padding, strict=True)
    return tuple((n - 1) * s - 2 * p + k + extra for n, k, s, p, extra in axes)  # type: ignore


class ConvTranspose2D(Function):
    """Y = Wᵀ ⋆ X + b: the adjoint of the convolution ``Conv2D(Y) = W ⋆ Y``, plus a bias.

    With ``X`` seen as (C_in, N·H·W) and ``W`` (C_in, C_out, KH, KW) as (C_in, C_out·KH·KW):

        Y = col2im(Wᵀ·X) + b          (each input pixel's patch, added onto the output)

    and with ``cols = im2col(dY)`` (C_out·KH·KW, N·H·W), the windows of the output gradient
    that each input pixel wrote to:

        dL/dX = W·cols                (the convolution of dY with W)
        dL/dW = X·colsᵀ
        dL/db = Σ dY                  over the batch and all output pixels
    """

    # The columns' layout, as in Conv2D: NCHW here, batch last in ConvTranspose2DFast.
    im2col, col2im = staticmethod(im2col), staticmethod(col2im)
    to_matrix, to_images = staticmethod(to_matrix), staticmethod(to_images)
    times_transposed = staticmethod(times_transposed)

    def __init__(self, stride: Pair, padding: Pair, output_padding: Pair) -> None:
        self.stride, self.padding, self.output_padding = stride, padding, output_padding

    def forward(self, x, weight, bias=None):
        in_channels, out_channels, kh, kw = weight.shape
        out_size = transposed_output_size(
            x.shape[2:], (kh, kw), self.stride, self.padding, self.output_padding
        )
        self.x_matrix = self.to_matrix(x)  # (C_in, N·H·W), kept for dL/dW
        self.weight, self.x_shape = weight, x.shape
        cols = weight.reshape(in_channels, -1).T @ self.x_matrix
        y_shape = (x.shape[0], out_channels, *out_size)
        y = self.col2im(cols, y_shape, (kh, kw), self.stride, self.padding)
        if bias is not None:
            y += bias[:, None, None]
        return y

    def backward(self, gy):
        weight = self.weight
        gx = gw = None
        if self.needs_grad[0] or self.needs_grad[1]:
            cols = self.im2col(gy, weight.shape[2:], self.stride, self.padding)
            if self.needs_grad[0]:
                gx = self.to_images(weight.reshape(weight.shape[0], -1) @ cols, self.x_shape)
            if self.needs_grad[1]:
                gw = self.times_transposed(self.x_matrix, cols).reshape(weight.shape)
        if len(self.needs_grad) == 2:  # called without a bias
            return gx, gw
        return gx, gw, gy.sum(axis=(0, 2, 3)) if self.needs_grad[2] else None


class ConvTranspose2DFast(ConvTranspose2D):
    """:class:`ConvTranspose2D` with the batch last, as :class:`tinydl.ops.conv.Conv2DFast`:
    the same maths, every array stored (C, H, W, N). What it bought: the DCGAN example's
    training iteration went from 1.25x to 1.06x PyTorch's time (commit e5b1943,
    ``python benchmarks/gan_step.py``)."""

    im2col, col2im = staticmethod(im2col_fast), staticmethod(col2im_fast)
    to_matrix, to_images = staticmethod(to_matrix_fast), staticmethod(to_images_fast)
    times_transposed = staticmethod(times_transposed_fast)


def conv_transpose2d(
    x: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: IntOrPair = 1,
    padding: IntOrPair = 0,
    output_padding: IntOrPair = 0,
) -> Tensor:
    """Transposed convolution of ``x`` (N, C_in, H, W) with ``weight`` (C_in, C_out, KH, KW),
    plus ``bias`` (C_out,), as ``torch.nn.functional.conv_transpose2d``.

    Returns (N, C_out, OH, OW) with ``OH = (H − 1)·stride − 2·padding + KH + output_padding``
    (and likewise OW): kernel 4, stride 2, padding 1 doubles the size. ``output_padding``
    must be smaller than ``stride`` (it only chooses among sizes a strided convolution
    would map back to H).
    """
    stride, padding = stride_and_padding("conv_transpose2d()", stride, padding)
    output_padding = check_output_padding(output_padding, stride, "conv_transpose2d()")
    inputs = check_weight_and_bias(x, weight, bias, "conv_transpose2d()", transposed=True)
    kernel_size = weight.shape[2:]
    out_size = transposed_output_size(x.shape[2:], kernel_size, stride, padding, output_padding)
    if min(out_size) < 1:
        raise ValueError(
            f"conv_transpose2d(): input {x.shape[2:]} with kernel {kernel_size}, stride "
            f"{stride}, padding {padding} and output_padding {output_padding} gives an output "
            f"of size {out_size}: lower the padding"
        )
    function = ConvTranspose2DFast if uses_batch_last(x) else ConvTranspose2D
    return function(stride, padding, output_padding)(*inputs)


def check_output_padding(output_padding: Any, stride: Pair, where: str) -> Pair:
    """``output_padding`` (an int or a pair, each ≥ 0) as a pair below ``stride`` on each
    axis, as PyTorch requires."""
    output_padding = check.int_pair(where, "output_padding", output_padding, least=0)
    if any(extra >= s for extra, s in zip(output_padding, stride, strict=True)):
        raise ValueError(
            f"{where}: output_padding {output_padding} must be smaller than stride "
            f"{stride} on each axis"
        )
    return output_padding
