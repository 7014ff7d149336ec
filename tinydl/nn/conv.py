"""Convolution and max-pooling layers (NCHW). The maths lives in tinydl.ops.conv and
tinydl.ops.pooling, each a single Function built on im2col."""

from __future__ import annotations

from typing import Any

from tinydl import check
from tinydl.autograd import Tensor
from tinydl.autograd.tensor_checks import floating
from tinydl.nn import init
from tinydl.nn.linear import bind_arguments, new_parameter
from tinydl.nn.module import Module
from tinydl.ops.conv import conv2d, stride_and_padding
from tinydl.ops.pooling import max_pool2d, pool_window

IntPair = int | tuple[int, int]


class Conv2D(Module):
    """2-D convolution over (N, C, H, W) inputs with a weight of shape (out, in, kh, kw).

    ``Conv2D(in_channels, out_channels, kernel_size, stride=1, padding=0)`` as in PyTorch
    (also as ``nn.Conv2d``, with stride and padding by position or keyword and every
    argument by its PyTorch name), or Keras-style ``Conv2D(out_channels, kernel_size)``,
    which reads ``in_channels`` off the first batch. Defaults follow Keras: Glorot-uniform
    weights, zero bias. Output size per axis: (size + 2·padding − kernel) // stride + 1.
    Inputs are channels-first: a channels-last batch such as (N, 28, 28, 1) is refused with
    the transpose that fixes it.
    """

    def __init__(
        self,
        *arguments: Any,
        in_channels: int | None = None,
        out_channels: int | None = None,
        kernel_size: IntPair | None = None,
        stride: IntPair | None = None,
        padding: IntPair | None = None,
        bias: bool = True,
        weight_init: str = "glorot_uniform",
    ) -> None:
        keywords = {
            "in_channels": in_channels, "out_channels": out_channels, "kernel_size": kernel_size,
            "stride": stride, "padding": padding,
        }
        # Keras's Conv2D(filters, kernel_size): two values, neither channel count named
        keras_style = (in_channels is None and out_channels is None) and (
            len(arguments) + (kernel_size is not None) == 2
        )
        names = ("in_channels", "out_channels", "kernel_size", "stride", "padding")
        bound = bind_arguments("Conv2D", arguments, names[1 if keras_style else 0 :], keywords)
        if "out_channels" not in bound or "kernel_size" not in bound:
            raise TypeError(
                "Conv2D takes (in_channels, out_channels, kernel_size) or "
                "(out_channels, kernel_size)"
            )
        self.out_channels = check.positive_int("Conv2D", "out_channels", bound["out_channels"])
        self.kernel_size = check.int_pair("Conv2D", "kernel_size", bound["kernel_size"])
        self.stride, self.padding = stride_and_padding("Conv2D", bound.get("stride", 1),
                                                       bound.get("padding", 0))
        self.use_bias = bias
        init.get(weight_init)
        self.weight_init = weight_init
        self.in_channels: int | None = None
        self.needs_build = True
        if "in_channels" in bound:
            self.build(check.positive_int("Conv2D", "in_channels", bound["in_channels"]))

    def build(self, in_channels: int, device: Any = None) -> None:
        shape = (self.out_channels, in_channels, *self.kernel_size)
        self.weight = new_parameter(init.get(self.weight_init)(shape), device)
        self.bias = (
            new_parameter(init.zeros((self.out_channels,)), device) if self.use_bias else None
        )
        self.in_channels = in_channels
        self.needs_build = False

    def forward(self, x: Tensor) -> Tensor:
        floating("Conv2D", "input", x, "(N, C, H, W)")
        check_channels_first(x, self.in_channels)  # None while the layer is still to build
        if self.needs_build:
            self.build(x.shape[1], x.device)
        return conv2d(x, self.weight, self.bias, self.stride, self.padding)

    def extra_repr(self) -> str:
        return (
            f"{self.in_channels or '?'} -> {self.out_channels}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}, padding={self.padding}"
        )


def check_channels_first(x: Tensor, in_channels: int | None) -> None:
    """Refuse a channels-last image batch, (N, H, W, C) with C = 1 or 3, with the fix.

    With ``in_channels`` known, the batch is channels-last when axis 1 does not hold
    ``in_channels`` but the last axis does (or is 1 or 3). A layer still to learn its
    ``in_channels`` would silently take H as the channel count, so there a square image
    with 1 or 3 values in the last axis, (N, S, S, 1 or 3) with S > 4, is refused.
    """
    last = x.shape[3]
    if in_channels is None:
        suspicious = last in (1, 3) and x.shape[1] == x.shape[2] > 4
    else:
        suspicious = x.shape[1] != in_channels and (last == in_channels or last in (1, 3))
    if suspicious:
        expected = "" if in_channels is None else f" with C = {in_channels}"
        raise ValueError(
            f"Conv2D got input of shape {x.shape}, which looks channels-last (N, H, W, C); "
            f"tinydl is channels-first, like PyTorch: (N, C, H, W){expected}. "
            f"Reorder the batch's axes with x.permute(0, 3, 1, 2) (for a NumPy array, "
            f"array.transpose(0, 3, 1, 2))"
        )


Conv2d = Conv2D  # PyTorch's spelling, the same class


class MaxPool2D(Module):
    """Max over each window; ``stride`` defaults to ``kernel_size`` (windows do not overlap),
    and padding pads with −∞ so a padded cell never wins."""

    def __init__(
        self, kernel_size: IntPair, stride: IntPair | None = None, padding: IntPair = 0
    ) -> None:
        self.kernel_size, self.stride, self.padding = pool_window("MaxPool2D", kernel_size, stride,
                                                                  padding)

    def forward(self, x: Tensor) -> Tensor:
        return max_pool2d(x, self.kernel_size, self.stride, self.padding)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


MaxPool2d = MaxPool2D  # PyTorch's spelling, the same class
