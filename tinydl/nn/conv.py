"""Convolution and pooling layers (NCHW). The maths lives in tinydl.ops.conv and
tinydl.ops.pooling, each a single Function built on im2col, and tinydl.ops.adaptive_pool.

Two convolution layers compute the same function and store W the same way, (out, in, kh,
kw); they differ in their signature and first weights, as ``Dense`` and ``Linear`` do:

- ``Conv2D`` (Keras's initialisation): Glorot-uniform weights, zero bias; it may read
  ``in_channels`` off the first batch. The zoo and the Keras front use it.
- ``Conv2d`` (PyTorch's): PyTorch's signature and initialisation, U(−1/√fan_in, 1/√fan_in)
  for weight and bias, fan_in = in_channels·kh·kw.
"""

from __future__ import annotations

import math
from typing import Any

from tinydl import check
from tinydl.autograd import Tensor
from tinydl.autograd.tensor_checks import floating
from tinydl.nn import init
from tinydl.nn.linear import bind_arguments, new_parameter
from tinydl.nn.module import Module
from tinydl.ops.adaptive_pool import adaptive_avg_pool2d, output_pair
from tinydl.ops.conv import conv2d, stride_and_padding
from tinydl.ops.pooling import max_pool2d, pool_window

IntPair = int | tuple[int, int]


class Conv2D(Module):
    """2-D convolution over (N, C, H, W) inputs with a weight of shape (out, in, kh, kw).

    ``Conv2D(in_channels, out_channels, kernel_size, stride=1, padding=0)`` as in PyTorch
    (stride and padding by position or keyword, every argument by its PyTorch name), or
    Keras-style ``Conv2D(out_channels, kernel_size)``, which reads ``in_channels`` off the
    first batch. Defaults follow Keras: Glorot-uniform weights, zero bias (PyTorch's
    layer, with PyTorch's initialisation, is :class:`Conv2d`). Output size per axis:
    (size + 2·padding − kernel) // stride + 1. Inputs are channels-first: a channels-last
    batch such as (N, 28, 28, 1) is refused with the transpose that fixes it.
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
        self.use_bias = check.flag("Conv2D", "bias", bias)
        init.get(weight_init)
        self.weight_init = weight_init
        self.in_channels: int | None = None
        self.needs_build = True
        if "in_channels" in bound:
            self.build(check.positive_int("Conv2D", "in_channels", bound["in_channels"]))

    def build(self, in_channels: int, device: Any = None, dtype: Any = None) -> None:
        shape = (self.out_channels, in_channels, *self.kernel_size)
        weight, bias = self.initial_values(shape)
        self.weight = new_parameter(weight, device, dtype)
        self.bias = new_parameter(bias, device, dtype) if self.use_bias else None
        self.in_channels = in_channels
        self.needs_build = False

    def initial_values(self, shape: tuple[int, ...]) -> tuple[Any, Any]:
        """The first weight (of ``shape``) and bias, as host arrays: Keras's,
        ``weight_init`` (Glorot-uniform) and zeros."""
        return init.get(self.weight_init)(shape), init.zeros((shape[0],))

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


class Conv2d(Conv2D):
    """PyTorch's ``nn.Conv2d(in_channels, out_channels, kernel_size, stride=1, padding=0,
    dilation=1, groups=1, bias=True, padding_mode="zeros", device=None, dtype=None)``.

    The layer of :class:`Conv2D` with PyTorch's initialisation: weight and bias from
    U(−1/√fan_in, 1/√fan_in) with fan_in = in_channels·kh·kw (PyTorch's
    ``kaiming_uniform_(a=√5)``), drawn from tinydl's seeded generator. ``padding`` may
    also be ``"valid"`` (none) or ``"same"`` (stride 1, odd kernels). tinydl's
    convolutions are not dilated or grouped and pad with zeros: other ``dilation``,
    ``groups`` or ``padding_mode`` values are refused.
    """

    def __init__(
        self, in_channels: int, out_channels: int, kernel_size: IntPair, stride: IntPair = 1,
        padding: IntPair | str = 0, dilation: IntPair = 1, groups: int = 1, bias: bool = True,
        padding_mode: str = "zeros", device: Any = None, dtype: Any = None,
    ) -> None:
        check_plain_convolution("Conv2d", dilation, groups, padding_mode)
        padding = padding_for("Conv2d", padding, kernel_size, stride)
        super().__init__(out_channels=out_channels, kernel_size=kernel_size, stride=stride,
                         padding=padding, bias=bias)
        dtype = None if dtype is None else check.float_dtype("Conv2d", "dtype", dtype)
        self.build(check.positive_int("Conv2d", "in_channels", in_channels), device, dtype)

    def initial_values(self, shape: tuple[int, ...]) -> tuple[Any, Any]:
        """PyTorch's: weight and bias from U(−1/√fan_in, 1/√fan_in)."""
        return pytorch_uniform(shape, out_channels=shape[0])

    def extra_repr(self) -> str:
        return pytorch_conv_repr(self)


def pytorch_uniform(shape: tuple[int, ...], out_channels: int) -> tuple[Any, Any]:
    """A convolution's first weight (of ``shape``) and bias (``out_channels`` values) as
    PyTorch draws them: U(−1/√fan_in, 1/√fan_in), where PyTorch counts fan_in from the
    weight's shape as shape[1]·kh·kw (in_channels·kh·kw for ``Conv2d``; for
    ``ConvTranspose2d``, whose weight is (in, out, kh, kw), out_channels·kh·kw)."""
    limit = 1 / math.sqrt(math.prod(shape[1:]))
    return init.symmetric_uniform(shape, limit), init.symmetric_uniform((out_channels,), limit)


def pytorch_conv_repr(layer: Module) -> str:
    """The line PyTorch prints inside ``Conv2d(...)`` and ``ConvTranspose2d(...)``."""
    text = (f"{layer.in_channels}, {layer.out_channels}, kernel_size={layer.kernel_size}, "
            f"stride={layer.stride}")
    if layer.padding != (0, 0):
        text += f", padding={layer.padding}"
    if getattr(layer, "output_padding", (0, 0)) != (0, 0):
        text += f", output_padding={layer.output_padding}"
    return text + ("" if layer.bias is not None else ", bias=False")


def check_plain_convolution(layer: str, dilation: Any, groups: Any, padding_mode: Any) -> None:
    """Refuse PyTorch's convolution options that tinydl's im2col does not implement."""
    if check.int_pair(layer, "dilation", dilation) != (1, 1):
        raise ValueError(f"{layer}: dilation must be 1 (tinydl's convolutions are not "
                         f"dilated), got {dilation!r}")
    if check.positive_int(layer, "groups", groups) != 1:
        raise ValueError(f"{layer}: groups must be 1 (tinydl's convolutions connect every "
                         f"input channel to every output channel), got {groups!r}")
    if padding_mode != "zeros":
        raise ValueError(f"{layer}: padding_mode must be 'zeros' (tinydl pads with zeros "
                         f"only), got {padding_mode!r}")


def padding_for(layer: str, padding: Any, kernel_size: Any, stride: Any) -> Any:
    """PyTorch's ``padding`` as numbers: ``"valid"`` is 0; ``"same"`` (stride 1) pads
    (k − 1)/2 on each side so the output keeps the input's size, which needs an odd k;
    numbers stay as they are."""
    if not isinstance(padding, str):
        return padding
    check.one_of(layer, "padding", padding, ("valid", "same"))
    if padding == "valid":
        return 0
    kernel = check.int_pair(layer, "kernel_size", kernel_size)
    if check.int_pair(layer, "stride", stride) != (1, 1):
        raise ValueError(f"{layer}: padding='same' needs stride 1 (as in PyTorch), got "
                         f"stride={stride!r}")
    if kernel[0] % 2 == 0 or kernel[1] % 2 == 0:
        raise ValueError(f"{layer}: padding='same' needs an odd kernel_size in tinydl, which "
                         f"pads both sides equally, got {kernel_size!r}")
    return kernel[0] // 2, kernel[1] // 2


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


class AdaptiveAvgPool2d(Module):
    """PyTorch's ``nn.AdaptiveAvgPool2d(output_size)``: the mean over equal windows that
    gives an output of ``output_size`` (an int or an (h, w) pair; None keeps that axis):
    ``AdaptiveAvgPool2d((1, 1))`` averages each channel, as a ResNet does before its
    classifier. Each output size must divide the input's (see
    :func:`tinydl.ops.adaptive_pool.adaptive_avg_pool2d`)."""

    def __init__(self, output_size: Any) -> None:
        output_pair(output_size, "AdaptiveAvgPool2d")
        self.output_size = output_size

    def forward(self, x: Tensor) -> Tensor:
        return adaptive_avg_pool2d(x, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"
