"""The transposed-convolution layer (NCHW). The maths lives in tinydl.ops.conv_transpose."""

from __future__ import annotations

from typing import Any

from tinydl import check
from tinydl.autograd import Tensor
from tinydl.nn import init
from tinydl.nn.linear import new_parameter
from tinydl.nn.module import Module
from tinydl.ops.conv import stride_and_padding
from tinydl.ops.conv_transpose import check_output_padding, conv_transpose2d

IntPair = int | tuple[int, int]


class ConvTranspose2D(Module):
    """Transposed 2-D convolution: upsamples (N, C_in, H, W) to (N, C_out, OH, OW) with
    ``OH = (H − 1)·stride − 2·padding + kernel_size + output_padding``.

    ``ConvTranspose2D(in_channels, out_channels, kernel_size, stride=1, padding=0,
    output_padding=0)`` as PyTorch's ``ConvTranspose2d`` (also importable under that
    name), with its weight layout (in_channels, out_channels, KH, KW), so its state dict
    loads. ``kernel_size=4, stride=2, padding=1`` doubles the height and width, the usual
    generator step. Defaults follow tinydl's Conv2D: Glorot-uniform weights, zero bias.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: IntPair,
        stride: IntPair = 1,
        padding: IntPair = 0,
        output_padding: IntPair = 0,
        *,
        bias: bool = True,
        weight_init: str = "glorot_uniform",
        device: Any = None,
    ) -> None:
        name = "ConvTranspose2D"
        self.in_channels = check.positive_int(name, "in_channels", in_channels)
        self.out_channels = check.positive_int(name, "out_channels", out_channels)
        self.kernel_size = check.int_pair(name, "kernel_size", kernel_size)
        self.stride, self.padding = stride_and_padding(name, stride, padding)
        self.output_padding = check_output_padding(output_padding, self.stride, name)
        shape = (self.in_channels, self.out_channels, *self.kernel_size)
        self.weight = new_parameter(init.get(weight_init)(shape), device)
        self.bias = new_parameter(init.zeros((self.out_channels,)), device) if bias else None

    def forward(self, x: Tensor) -> Tensor:
        return conv_transpose2d(
            x, self.weight, self.bias, self.stride, self.padding, self.output_padding
        )

    def extra_repr(self) -> str:
        return (
            f"{self.in_channels} -> {self.out_channels}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}, padding={self.padding}, "
            f"output_padding={self.output_padding}"
        )


ConvTranspose2d = ConvTranspose2D  # PyTorch's spelling, the same class
