"""Convolution and max-pooling layers (NCHW). The maths lives in tinydl.ops.conv and
tinydl.ops.pooling, each a single Function built on im2col."""

from __future__ import annotations

from typing import Any

from tinydl.autograd import Tensor
from tinydl.nn import init
from tinydl.nn.linear import _positive, new_parameter
from tinydl.nn.module import Module
from tinydl.ops.conv import conv2d, pair
from tinydl.ops.pooling import max_pool2d

IntPair = int | tuple[int, int]


class Conv2D(Module):
    """2-D convolution over (N, C, H, W) inputs with a weight of shape (out, in, kh, kw).

    ``Conv2D(in_channels, out_channels, kernel_size, stride=1, padding=0)`` as in PyTorch,
    or Keras-style ``Conv2D(out_channels, kernel_size)``, which reads ``in_channels`` off
    the first batch. Defaults follow Keras: Glorot-uniform weights, zero bias.
    Output size per axis: (size + 2·padding − kernel) // stride + 1.
    """

    def __init__(
        self,
        *channels_and_kernel: Any,
        stride: IntPair = 1,
        padding: IntPair = 0,
        bias: bool = True,
        weight_init: str = "glorot_uniform",
    ) -> None:
        if len(channels_and_kernel) not in (2, 3):
            raise TypeError(
                "Conv2D takes (in_channels, out_channels, kernel_size) or "
                "(out_channels, kernel_size)"
            )
        *channels, kernel = channels_and_kernel
        self.out_channels = _positive("out_channels", channels[-1])
        self.kernel_size = pair(kernel, "kernel_size", "Conv2D", minimum=1)
        self.stride = pair(stride, "stride", "Conv2D", minimum=1)
        self.padding = pair(padding, "padding", "Conv2D", minimum=0)
        self.use_bias = bias
        init.get(weight_init)
        self.weight_init = weight_init
        self.in_channels: int | None = None
        self.needs_build = True
        if len(channels) == 2:
            self.build(_positive("in_channels", channels[0]))

    def build(self, in_channels: int, device: Any = None) -> None:
        shape = (self.out_channels, in_channels, *self.kernel_size)
        self.weight = new_parameter(init.get(self.weight_init)(shape), device)
        self.bias = (
            new_parameter(init.zeros((self.out_channels,)), device) if self.use_bias else None
        )
        self.in_channels = in_channels
        self.needs_build = False

    def forward(self, x: Tensor) -> Tensor:
        if self.needs_build:
            if x.ndim != 4:
                raise ValueError(f"Conv2D expects input of shape (N, C, H, W), got {x.shape}")
            self.build(x.shape[1], x.device)
        return conv2d(x, self.weight, self.bias, self.stride, self.padding)

    def extra_repr(self) -> str:
        return (
            f"{self.in_channels or '?'} -> {self.out_channels}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}, padding={self.padding}"
        )


class MaxPool2D(Module):
    """Max over each window; ``stride`` defaults to ``kernel_size`` (windows do not overlap),
    and padding pads with −∞ so a padded cell never wins."""

    def __init__(
        self, kernel_size: IntPair, stride: IntPair | None = None, padding: IntPair = 0
    ) -> None:
        self.kernel_size = pair(kernel_size, "kernel_size", "MaxPool2D", minimum=1)
        self.stride = (
            self.kernel_size if stride is None else pair(stride, "stride", "MaxPool2D", minimum=1)
        )
        self.padding = pair(padding, "padding", "MaxPool2D", minimum=0)

    def forward(self, x: Tensor) -> Tensor:
        return max_pool2d(x, self.kernel_size, self.stride, self.padding)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"
