"""The transposed-convolution layer (NCHW). The maths lives in tinydl.ops.conv_transpose."""

from __future__ import annotations

from typing import Any

from tinydl import check
from tinydl.autograd import Tensor
from tinydl.nn import init
from tinydl.nn.conv import check_plain_convolution, pytorch_conv_repr, pytorch_uniform
from tinydl.nn.linear import new_parameter
from tinydl.nn.module import Module
from tinydl.ops.conv import stride_and_padding
from tinydl.ops.conv_transpose import check_output_padding, conv_transpose2d

IntPair = int | tuple[int, int]


class ConvTranspose2D(Module):
    """Transposed 2-D convolution: upsamples (N, C_in, H, W) to (N, C_out, OH, OW) with
    ``OH = (H − 1)·stride − 2·padding + kernel_size + output_padding``.

    ``ConvTranspose2D(in_channels, out_channels, kernel_size, stride=1, padding=0,
    output_padding=0)`` with the arguments of PyTorch's ``ConvTranspose2d`` and its weight
    layout (in_channels, out_channels, KH, KW), so its state dict
    loads. ``kernel_size=4, stride=2, padding=1`` doubles the height and width, the usual
    generator step. Defaults follow tinydl's Conv2D: Glorot-uniform weights, zero bias
    (PyTorch's layer, with PyTorch's initialisation, is :class:`ConvTranspose2d`).
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
        dtype: Any = None,
    ) -> None:
        name = "ConvTranspose2D"
        self.in_channels = check.positive_int(name, "in_channels", in_channels)
        self.out_channels = check.positive_int(name, "out_channels", out_channels)
        self.kernel_size = check.int_pair(name, "kernel_size", kernel_size)
        self.stride, self.padding = stride_and_padding(name, stride, padding)
        self.output_padding = check_output_padding(output_padding, self.stride, name)
        init.get(weight_init)  # fail on a misspelt name before drawing anything
        self.weight_init = weight_init
        weight, bias_values = self.initial_values(
            (self.in_channels, self.out_channels, *self.kernel_size)
        )
        self.weight = new_parameter(weight, device, dtype)
        self.bias = (new_parameter(bias_values, device, dtype)
                     if check.flag(type(self).__name__, "bias", bias) else None)

    def initial_values(self, shape: tuple[int, ...]) -> tuple[Any, Any]:
        """The first weight (of ``shape``) and bias, as host arrays: ``weight_init``
        (Glorot-uniform) and zeros."""
        return init.get(self.weight_init)(shape), init.zeros((shape[1],))

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


class ConvTranspose2d(ConvTranspose2D):
    """PyTorch's ``nn.ConvTranspose2d(in_channels, out_channels, kernel_size, stride=1,
    padding=0, output_padding=0, groups=1, bias=True, dilation=1, padding_mode="zeros",
    device=None, dtype=None)``: the layer of :class:`ConvTranspose2D` with PyTorch's
    initialisation, weight and bias from U(−1/√fan_in, 1/√fan_in) with fan_in counted as
    PyTorch counts it from the (in, out, kh, kw) weight, out_channels·kh·kw. Other
    ``groups``, ``dilation`` or ``padding_mode`` values than the defaults are refused."""

    def __init__(
        self, in_channels: int, out_channels: int, kernel_size: IntPair, stride: IntPair = 1,
        padding: IntPair = 0, output_padding: IntPair = 0, groups: int = 1, bias: bool = True,
        dilation: IntPair = 1, padding_mode: str = "zeros", device: Any = None,
        dtype: Any = None,
    ) -> None:
        check_plain_convolution("ConvTranspose2d", dilation, groups, padding_mode)
        dtype = None if dtype is None else check.float_dtype("ConvTranspose2d", "dtype", dtype)
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, output_padding,
                         bias=bias, device=device, dtype=dtype)

    def initial_values(self, shape: tuple[int, ...]) -> tuple[Any, Any]:
        """PyTorch's: weight and bias from U(−1/√fan_in, 1/√fan_in)."""
        return pytorch_uniform(shape, out_channels=shape[1])

    def extra_repr(self) -> str:
        return pytorch_conv_repr(self)
