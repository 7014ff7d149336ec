"""Keras's layers, each a recipe for tinydl modules.

A Keras layer here holds its settings; once its input shape is known (``input_shape=``,
``keras.Input`` or the first batch) it *builds* the tinydl modules that do the work:
``layers.Dense(512, activation="relu")`` becomes ``[nn.Dense(784, 512), nn.ReLU()]``
(``layer.parts``). Running the layer runs those modules, and nothing else, so every
computation can be followed into :mod:`tinydl.nn` and :mod:`tinydl.ops`. What all layers
share (calling on ``keras.Input``, masks, weights in Keras's layouts) is in
:mod:`tinydl.keras.layer`.

Layouts. Keras images are channels-last, ``(N, H, W, C)``; tinydl's ``Conv2D`` and
``MaxPool2D`` are channels-first, ``(N, C, H, W)``. A ``Sequential`` model therefore
carries images channels-first between layers that want that layout and transposes only
at the boundaries: once into the first convolution, once out before a ``Flatten`` (so
that ``Flatten`` orders features height, width, channel, exactly as Keras does and
Keras's weights for the ``Dense`` after it fit). A layer called on its own, or in a
functional model, takes and gives channels-last images. Shapes reported by the layers
(``summary()``, ``output_shape``) are always Keras's channels-last ones.

This module holds the core layers and lists them all: the recurrent ones are in
:mod:`tinydl.keras.recurrent`, attention and layer normalisation in
:mod:`tinydl.keras.attention`, ``Embedding`` in :mod:`tinydl.keras.embedding`, the
merging layers (``Concatenate``, ``Add``, ...) in :mod:`tinydl.keras.merging`, pooling
and reshaping over sequences in :mod:`tinydl.keras.shaping`.
"""

from __future__ import annotations

import math
from typing import Any

from tinydl import check, nn
from tinydl.keras._args import (
    channels_last_only,
    choose,
    input_layout,
    known_sizes,
    last_axis_only,
    missing_names,
)
from tinydl.keras.activations import activation_modules
from tinydl.keras.layer import (
    Input,
    InputLayer,
    KerasWeight,
    Layer,
    Shape,
    is_image,
    relayout,
)


def _initialiser(where: str, name: Any) -> str:
    return choose(where, "kernel_initializer", name, nn.init.INITIALISERS)


class Dense(Layer):
    """``Dense(units, activation=None)``: tinydl's ``nn.Dense`` (y = x W + b, W of shape
    (in, units), Keras's kernel layout) followed by the activation's layer."""

    arguments = ("units", "activation", "use_bias", "kernel_initializer")
    supports_masking = True

    def __init__(self, units: int, activation: str | None = None, use_bias: bool = True,
                 kernel_initializer: str = "glorot_uniform", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.units = check.positive_int("layers.Dense()", "units", units)
        activation_modules("layers.Dense()", activation, False)  # refuse a bad name now
        self.activation, self.use_bias = activation, bool(use_bias)
        self.kernel_initializer = _initialiser("layers.Dense()", kernel_initializer)

    def make_parts(self, shape, channels_first):
        known_sizes(f"layers.Dense {self.name!r} (its last axis)", shape[-1:])
        self.engine = nn.Dense(shape[-1], self.units, bias=self.use_bias,
                               weight_init=self.kernel_initializer)
        modules = [*relayout(shape, channels_first, False), self.engine,
                   *activation_modules("layers.Dense()", self.activation, False)]
        return modules, (*shape[:-1], self.units), False

    def weight_layouts(self):
        return _kernel_and_bias(self.engine, None, self.use_bias)


def _padding_for(where: str, padding: str, size: Shape, kernel: Shape, stride: Shape
                 ) -> tuple[tuple[int, int], Shape]:
    """tinydl's symmetric padding and the output size for Keras's "valid" or "same"."""
    if padding == "valid":
        out = tuple((n - k) // s + 1 for n, k, s in zip(size, kernel, stride, strict=True))
        if min(out) < 1:
            raise ValueError(
                f"{where}: a {kernel} window does not fit the {size} input with padding='valid'"
            )
        return (0, 0), out
    pads, out = [], []
    for n, k, s in zip(size, kernel, stride, strict=True):
        count = math.ceil(n / s)
        total = max((count - 1) * s + k - n, 0)
        if total % 2:
            raise ValueError(
                f"{where}: padding='same' here needs {total} rows/columns of padding, split "
                f"unevenly by Keras; tinydl pads symmetrically. Use an odd kernel size with "
                f"stride 1, or padding='valid'"
            )
        pads.append(total // 2)
        out.append(count)
    return (pads[0], pads[1]), tuple(out)


def _image_input(where: str, shape: Shape) -> None:
    known_sizes(where, shape)
    if not is_image(shape):
        raise ValueError(
            f"{where} needs images of shape (height, width, channels) (channels-last, as Keras), "
            f"got input shape {shape}; for grayscale digits of shape (28, 28) add "
            f"layers.Reshape((28, 28, 1)) before it"
        )


class Conv2D(Layer):
    """``Conv2D(filters, kernel_size, strides=1, padding="valid", activation=None)`` on
    channels-last images: tinydl's channels-first ``nn.Conv2D`` underneath (kernel
    (filters, in, kh, kw); ``get_weights()`` gives Keras's (kh, kw, in, filters))."""

    arguments = ("filters", "kernel_size", "strides", "padding", "activation", "use_bias",
                 "kernel_initializer")

    def __init__(self, filters: int, kernel_size: Any, strides: Any = (1, 1),
                 padding: str = "valid", activation: str | None = None, use_bias: bool = True,
                 kernel_initializer: str = "glorot_uniform", data_format: str | None = None,
                 **kwargs: Any) -> None:
        where = "layers.Conv2D()"
        channels_last_only(where, data_format)
        super().__init__(**kwargs)
        self.filters = check.positive_int(where, "filters", filters)
        self.kernel_size = check.int_pair(where, "kernel_size", kernel_size)
        self.strides = check.int_pair(where, "strides", strides)
        self.padding = check.one_of(where, "padding", padding, ("valid", "same"))
        activation_modules(where, activation, True)
        self.activation, self.use_bias = activation, bool(use_bias)
        self.kernel_initializer = _initialiser(where, kernel_initializer)

    def make_parts(self, shape, channels_first):
        where = f"layers.Conv2D {self.name!r}"
        _image_input(where, shape)
        pad, (height, width) = _padding_for(where, self.padding, shape[:2], self.kernel_size,
                                            self.strides)
        self.engine = nn.Conv2D(shape[2], self.filters, self.kernel_size, stride=self.strides,
                                padding=pad, bias=self.use_bias,
                                weight_init=self.kernel_initializer)
        modules = [*relayout(shape, channels_first, True), self.engine,
                   *activation_modules(where, self.activation, True)]
        return modules, (height, width, self.filters), True

    def weight_layouts(self):  # (out, in, kh, kw) -> Keras's (kh, kw, in, out)
        return _kernel_and_bias(self.engine, (2, 3, 1, 0), self.use_bias)


class MaxPooling2D(Layer):
    """``MaxPooling2D(pool_size=(2, 2), strides=None, padding="valid")``: tinydl's
    ``nn.MaxPool2D`` (strides default to the pool size, as in Keras)."""

    arguments = ("pool_size", "strides", "padding")

    def __init__(self, pool_size: Any = (2, 2), strides: Any = None, padding: str = "valid",
                 data_format: str | None = None, **kwargs: Any) -> None:
        where = "layers.MaxPooling2D()"
        channels_last_only(where, data_format)
        super().__init__(**kwargs)
        self.pool_size = check.int_pair(where, "pool_size", pool_size)
        self.strides = self.pool_size if strides is None else check.int_pair(where, "strides",
                                                                             strides)
        self.padding = check.one_of(where, "padding", padding, ("valid", "same"))

    def make_parts(self, shape, channels_first):
        where = f"layers.MaxPooling2D {self.name!r}"
        _image_input(where, shape)
        pad, (height, width) = _padding_for(where, self.padding, shape[:2], self.pool_size,
                                            self.strides)
        pool = nn.MaxPool2D(self.pool_size, stride=self.strides, padding=pad)
        return [*relayout(shape, channels_first, True), pool], (height, width, shape[2]), True


class Flatten(Layer):
    """``Flatten()``: one feature vector per sample, in Keras's (height, width, channel)
    order (a channels-first image is transposed back first)."""

    def make_parts(self, shape, channels_first):
        known_sizes(f"layers.Flatten {self.name!r}", shape)
        modules = [*relayout(shape, channels_first, False), nn.Flatten()]
        return modules, (math.prod(shape),), False


class Reshape(Layer):
    """``Reshape(target_shape)``: each sample to ``target_shape`` (one entry may be -1)."""

    arguments = ("target_shape",)

    def __init__(self, target_shape: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not isinstance(target_shape, (tuple, list)) or not target_shape or not all(
            check.is_int(n) and (n >= 1 or n == -1) for n in target_shape
        ) or list(target_shape).count(-1) > 1:
            raise ValueError(
                f"layers.Reshape(): target_shape must be a tuple of positive sizes (one may be "
                f"-1), got {target_shape!r}"
            )
        self.target_shape = tuple(target_shape)

    def make_parts(self, shape, channels_first):
        known_sizes(f"layers.Reshape {self.name!r}", shape)
        size, known = math.prod(shape), -math.prod(self.target_shape)
        target = tuple(n if n != -1 else size // known for n in self.target_shape) if (
            -1 in self.target_shape and size % known == 0) else self.target_shape
        if math.prod(target) != size:
            raise ValueError(
                f"layers.Reshape {self.name!r}: cannot reshape input of shape {shape} "
                f"({size} values) to {self.target_shape}"
            )
        return [*relayout(shape, channels_first, False), nn.Reshape(*target)], target, False


class Dropout(Layer):
    """``Dropout(rate)``: tinydl's ``nn.Dropout(p=rate)`` (inverted dropout, off in
    evaluation and prediction)."""

    arguments = ("rate",)
    supports_masking = True

    def __init__(self, rate: float, noise_shape: Any = None, seed: Any = None,
                 **kwargs: Any) -> None:
        extra = {k: v for k, v in (("noise_shape", noise_shape), ("seed", seed)) if v is not None}
        super().__init__(**kwargs, **extra)
        self.rate = check.probability("layers.Dropout()", "rate", rate)

    def make_parts(self, shape, channels_first):
        return [nn.Dropout(self.rate)], shape, channels_first


class BatchNormalization(Layer):
    """``BatchNormalization(momentum=0.99, epsilon=1e-3)`` over the last (channel) axis:
    tinydl's ``BatchNorm1D`` for vectors, ``BatchNorm2D`` for images. Keras's momentum
    keeps ``momentum`` of the old running average; tinydl's (PyTorch's) is the weight of
    the new batch, so it becomes ``1 - momentum``."""

    arguments = ("momentum", "epsilon", "center", "scale")
    supports_masking = True

    def __init__(self, axis: int = -1, momentum: float = 0.99, epsilon: float = 1e-3,
                 center: bool = True, scale: bool = True, **kwargs: Any) -> None:
        where = "layers.BatchNormalization()"
        last_axis_only(where, axis, "the channel axis")
        if bool(center) != bool(scale):
            raise ValueError(f"{where}: center and scale must be both True or both False")
        super().__init__(**kwargs)
        self.momentum = check.number(where, "momentum", momentum, "[0, 1)")
        self.epsilon = check.number(where, "epsilon", epsilon, "> 0")
        self.center, self.scale = bool(center), bool(scale)

    def make_parts(self, shape, channels_first):
        known_sizes(f"layers.BatchNormalization {self.name!r}", shape)
        input_layout(f"layers.BatchNormalization {self.name!r}", shape,
                     "(features,) or (height, width, channels)")
        settings = {"eps": self.epsilon, "momentum": 1 - self.momentum, "affine": self.scale}
        if len(shape) == 1:
            self.engine = nn.BatchNorm1D(shape[0], **settings)
            return [self.engine], shape, False
        self.engine = nn.BatchNorm2D(shape[2], **settings)
        return [*relayout(shape, channels_first, True), self.engine], shape, True

    def weight_layouts(self):
        bn = self.engine
        affine = [KerasWeight.transposed(bn.weight), KerasWeight.transposed(bn.bias)]
        moving = [KerasWeight.transposed(t, trainable=False)
                  for t in (bn.running_mean, bn.running_var)]
        return (affine if self.scale else []) + moving

    def build_chain(self, shape: Shape, channels_first: bool) -> tuple[Shape, bool]:
        built = super().build_chain(shape, channels_first)
        # Keras's moving variance follows the batch's biased variance, so a last batch of
        # one sample trains as in Keras (PyTorch's unbiased one refuses it)
        self.engine.unbiased_running_var = False
        return built


class Activation(Layer):
    """``Activation("relu")``: the activation's tinydl layer, in whatever layout the data
    travels (softmax over the channel axis)."""

    arguments = ("activation",)
    supports_masking = True

    def __init__(self, activation: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        activation_modules("layers.Activation()", activation, False)
        self.activation = activation

    def make_parts(self, shape, channels_first):
        modules = activation_modules("layers.Activation()", self.activation, channels_first)
        return modules, shape, channels_first


class Softmax(Layer):
    """``Softmax()``: tinydl's ``nn.Softmax`` over the last (channel) axis."""

    supports_masking = True

    def __init__(self, axis: int = -1, **kwargs: Any) -> None:
        last_axis_only("layers.Softmax()", axis, "the last axis")
        super().__init__(**kwargs)

    def make_parts(self, shape, channels_first):
        return activation_modules("layers.Softmax()", "softmax", channels_first), shape, \
            channels_first


def _kernel_and_bias(engine: nn.Module, axes: tuple[int, ...] | None, use_bias: bool
                     ) -> list[KerasWeight]:
    """A kernel stored with its axes in another order than Keras's (or the same), and a bias."""
    weights = [KerasWeight.transposed(engine.weight, axes)]
    return weights + ([KerasWeight.transposed(engine.bias)] if use_bias else [])


# The layers of the other modules, listed here so that ``layers.LSTM`` etc. work.
from tinydl.keras.attention import LayerNormalization, MultiHeadAttention  # noqa: E402
from tinydl.keras.embedding import Embedding  # noqa: E402
from tinydl.keras.merging import (  # noqa: E402
    Add,
    Average,
    Concatenate,
    Multiply,
    Subtract,
    add,
    average,
    concatenate,
    multiply,
    subtract,
)
from tinydl.keras.recurrent import GRU, LSTM, Bidirectional, SimpleRNN, TimeDistributed  # noqa: E402
from tinydl.keras.shaping import (  # noqa: E402
    GlobalAveragePooling1D,
    GlobalAveragePooling2D,
    Masking,
    RepeatVector,
    UpSampling2D,
)

LAYERS: dict[str, type[Layer]] = {
    kind.__name__: kind
    for kind in (Activation, Add, Average, BatchNormalization, Bidirectional, Concatenate,
                 Conv2D, Dense, Dropout, Embedding, Flatten, GRU, GlobalAveragePooling1D,
                 GlobalAveragePooling2D, InputLayer, LSTM, LayerNormalization, Masking,
                 MaxPooling2D,
                 MultiHeadAttention, Multiply, RepeatVector, Reshape, SimpleRNN, Softmax,
                 Subtract, TimeDistributed, UpSampling2D)
}
FUNCTIONS = {"add": add, "average": average, "concatenate": concatenate, "multiply": multiply,
             "subtract": subtract}
__all__ = ["Input", "Layer", *sorted(LAYERS), *sorted(FUNCTIONS)]
__getattr__ = missing_names("layers", __all__, "; tinydl.nn holds the engine's own modules")
