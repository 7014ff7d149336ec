"""Layers that repeat, enlarge, average or mask values without weights: ``RepeatVector``,
``UpSampling2D``, ``GlobalAveragePooling1D``, ``GlobalAveragePooling2D`` and ``Masking``.
Each is a few tinydl tensor operations, so autograd differentiates it."""

from __future__ import annotations

from typing import Any

from tinydl import backend, check, nn, ops
from tinydl.autograd import Tensor
from tinydl.keras._args import channels_last_only, choose, input_layout, missing_names
from tinydl.keras.layer import Layer, relayout


class RepeatVector(Layer):
    """``RepeatVector(n)``: (N, features) -> (N, n, features), the vector once per step
    (e.g. an encoder's summary fed to every step of a decoder)."""

    arguments = ("n",)

    def __init__(self, n: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.n = check.positive_int("layers.RepeatVector()", "n", n)

    def build(self, input_shape: Any) -> None:
        input_layout(f"layers.RepeatVector {self.name!r}", input_shape, "(batch, features)")
        self.built = True

    def compute_output_shape(self, input_shape: Any) -> Any:
        return (input_shape[0], self.n, input_shape[1])

    def call(self, inputs: Tensor) -> Tensor:
        return ops.stack([inputs] * self.n, axis=1)  # backward adds the n gradients up


class Upsample(nn.Module):
    """Nearest-neighbour enlargement of the two axes ``axes`` by ``size``: each value is
    broadcast over a (size[0], size[1]) block (autograd sums the block's gradients)."""

    def __init__(self, size: tuple[int, int], axes: tuple[int, int]) -> None:
        self.size, self.axes = size, axes

    def forward(self, x: Tensor) -> Tensor:
        (a, b), (h, w) = self.size, self.axes
        shape = list(x.shape)
        spread = shape[:h + 1] + [1] + shape[h + 1:w + 1] + [1] + shape[w + 1:]
        ones_shape = [1] * len(spread)
        ones_shape[h + 1], ones_shape[w + 2] = a, b
        xp = backend.array_module(x.array)
        blocks = x.reshape(*spread) * Tensor(xp.ones(ones_shape, dtype=x.dtype))
        shape[h], shape[w] = shape[h] * a, shape[w] * b
        return blocks.reshape(*shape)

    def extra_repr(self) -> str:
        return f"size={self.size}"


class UpSampling2D(Layer):
    """``UpSampling2D(size=(2, 2))``: every pixel repeated over a size[0] × size[1] block
    (Keras's "nearest" interpolation), in whichever layout the images travel."""

    arguments = ("size",)

    def __init__(self, size: Any = (2, 2), data_format: Any = None,
                 interpolation: str = "nearest", **kwargs: Any) -> None:
        where = "layers.UpSampling2D()"
        channels_last_only(where, data_format)
        choose(where, "interpolation", interpolation, ("nearest",))
        super().__init__(**kwargs)
        self.size = check.int_pair(where, "size", size)

    def make_parts(self, shape, channels_first):
        input_layout(f"layers.UpSampling2D {self.name!r}", shape, "(height, width, channels)")
        axes = (2, 3) if channels_first else (1, 2)
        height, width, channels = shape
        out = (None if height is None else height * self.size[0],
               None if width is None else width * self.size[1], channels)
        return [Upsample(self.size, axes)], out, channels_first


class Mean(nn.Module):
    """The mean over ``axes``."""

    def __init__(self, axes: tuple[int, ...], keepdims: bool = False) -> None:
        self.axes, self.keepdims = axes, keepdims

    def forward(self, x: Tensor) -> Tensor:
        return ops.mean(x, axis=self.axes, keepdims=self.keepdims)

    def extra_repr(self) -> str:
        return f"axes={self.axes}"


class GlobalAveragePooling2D(Layer):
    """``GlobalAveragePooling2D()``: each channel's mean over height and width, (N, C)
    (or (N, 1, 1, C) with ``keepdims=True``)."""

    arguments = ("keepdims",)

    def __init__(self, data_format: Any = None, keepdims: bool = False, **kwargs: Any) -> None:
        channels_last_only("layers.GlobalAveragePooling2D()", data_format)
        super().__init__(**kwargs)
        self.keepdims = bool(keepdims)

    def make_parts(self, shape, channels_first):
        input_layout(f"layers.GlobalAveragePooling2D {self.name!r}", shape,
                     "(height, width, channels)")
        if self.keepdims:
            return [*relayout(shape, channels_first, False), Mean((1, 2), True)], \
                (1, 1, shape[2]), False
        return [Mean((2, 3) if channels_first else (1, 2))], (shape[2],), False


class GlobalAveragePooling1D(Layer):
    """``GlobalAveragePooling1D()``: each feature's mean over the time steps of (N, T, F),
    (N, F); with a mask, the mean over the real (unmasked) steps only, as Keras."""

    arguments = ("keepdims",)
    supports_masking = True

    def __init__(self, data_format: Any = None, keepdims: bool = False, **kwargs: Any) -> None:
        channels_last_only("layers.GlobalAveragePooling1D()", data_format)
        super().__init__(**kwargs)
        self.keepdims = bool(keepdims)

    def build(self, input_shape: Any) -> None:
        input_layout(f"layers.GlobalAveragePooling1D {self.name!r}", input_shape,
                     "(batch, steps, features)")
        self.built = True

    def compute_output_shape(self, input_shape: Any) -> Any:
        if self.keepdims:
            return (input_shape[0], 1, input_shape[2])
        return (input_shape[0], input_shape[2])

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        return None

    def call(self, inputs: Tensor, mask: Any = None) -> Tensor:
        if mask is None:
            return ops.mean(inputs, axis=1, keepdims=self.keepdims)
        xp = backend.array_module(inputs.array)
        weights = Tensor(xp.asarray(mask.array if isinstance(mask, Tensor) else mask)
                         .astype(inputs.dtype)[:, :, None])
        total = ops.sum(inputs * weights, axis=1, keepdims=self.keepdims)
        return total / ops.sum(weights, axis=1, keepdims=self.keepdims)


class Masking(Layer):
    """``Masking(mask_value=0.0)``: a time step whose every feature equals ``mask_value`` is
    padding: its features become 0 and the output carries a mask (False there) for the
    layers after it, as Keras's."""

    arguments = ("mask_value",)
    supports_masking = True

    def __init__(self, mask_value: float = 0.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.mask_value = mask_value

    def build(self, input_shape: Any) -> None:
        self.built = True

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        return Tensor((inputs.array != self.mask_value).any(axis=-1))

    def call(self, inputs: Tensor) -> Tensor:
        real = (inputs.array != self.mask_value).any(axis=-1, keepdims=True)
        return inputs * Tensor(real.astype(inputs.dtype))


__all__ = ["GlobalAveragePooling1D", "GlobalAveragePooling2D", "Masking", "RepeatVector",
           "UpSampling2D"]
__getattr__ = missing_names("shaping", __all__)
