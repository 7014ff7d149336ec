"""Keras layers, each a recipe for tinydl modules.

A Keras layer here holds its settings; once its input shape is known (``input_shape=``,
``keras.Input`` or the first batch) it *builds* the tinydl modules that do the work:
``layers.Dense(512, activation="relu")`` becomes ``[nn.Dense(784, 512), nn.ReLU()]``. The
model runs those modules, and nothing else, so every computation can be followed into
:mod:`tinydl.nn` and :mod:`tinydl.ops`.

Layouts. Keras images are channels-last, ``(N, H, W, C)``; tinydl's ``Conv2D`` and
``MaxPool2D`` are channels-first, ``(N, C, H, W)``. The model therefore carries images
channels-first between layers that want that layout and transposes only at the
boundaries: once into the first convolution, once out before a ``Flatten`` (so that
``Flatten`` orders features height, width, channel, exactly as Keras does and Keras's
weights for the ``Dense`` after it fit). Shapes reported by the layers (``summary()``,
``output_shape``) are always Keras's channels-last ones.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from tinydl import backend, nn, ops
from tinydl.autograd import Tensor
from tinydl.keras._args import (
    choose,
    int_pair,
    missing_names,
    positive_int,
    refuse,
    sample_shape,
    unique_name,
)

Shape = tuple[int, ...]

# Keras's activation names and the tinydl layer each becomes (None: no layer).
ACTIVATIONS: dict[str, type[nn.Module] | None] = {
    "linear": None, "relu": nn.ReLU, "sigmoid": nn.Sigmoid, "softmax": nn.Softmax,
    "tanh": nn.Tanh,
}


def activation_modules(where: str, activation: Any, channels_first: bool) -> list[nn.Module]:
    """The tinydl layer for a Keras activation name (none for None or "linear")."""
    if activation is None:
        return []
    kind = ACTIVATIONS[choose(where, "activation", activation, ACTIVATIONS)]
    if kind is None:
        return []
    if kind is nn.Softmax:  # Keras's softmax runs over the last (channel) axis
        return [nn.Softmax(axis=1 if channels_first else -1)]
    return [kind()]


class ChannelsFirst(nn.Module):
    """(N, H, W, C) -> (N, C, H, W): Keras's image layout into tinydl's convolution layout."""

    def forward(self, x: Tensor) -> Tensor:
        return ops.permute(x, 0, 3, 1, 2)


class ChannelsLast(nn.Module):
    """(N, C, H, W) -> (N, H, W, C): back to Keras's layout."""

    def forward(self, x: Tensor) -> Tensor:
        return ops.permute(x, 0, 2, 3, 1)


def _is_image(shape: Shape) -> bool:
    return len(shape) == 3


def relayout(shape: Shape, channels_first: bool, want_first: bool) -> list[nn.Module]:
    """The transpose (if any) that brings an image from its current layout to the wanted one."""
    if not _is_image(shape) or channels_first == want_first:
        return []
    return [ChannelsFirst() if want_first else ChannelsLast()]


class Input:
    """``keras.Input(shape=(28, 28, 1))``: the shape of one sample, without the batch axis.
    Only as the first entry of a ``Sequential`` (tinydl.keras has no functional API)."""

    def __init__(self, shape: Any = None, batch_size: Any = None, name: Any = None,
                 **unsupported: Any) -> None:
        if batch_size is not None:
            unsupported["batch_size"] = batch_size
        refuse("Input()", unsupported, ["shape", "name"])
        self.sample_shape = sample_shape("Input()", "shape", shape)
        self.name = name or unique_name("InputLayer")

    @property
    def shape(self) -> tuple[int | None, ...]:
        return (None, *self.sample_shape)

    def __repr__(self) -> str:
        return f"<Input shape={self.shape}>"


class Layer:
    """What every Keras layer shares: a name, an optional ``input_shape``, the tinydl
    ``modules`` it builds, and its weights in Keras's layouts."""

    #: The keyword arguments the layer takes besides ``name`` and ``input_shape``.
    arguments: tuple[str, ...] = ()

    def __init__(self, name: str | None = None, input_shape: Any = None,
                 **unsupported: Any) -> None:
        kind = type(self).__name__
        refuse(f"layers.{kind}()", unsupported, [*self.arguments, "name", "input_shape"])
        self.name = name if name is not None else unique_name(kind)
        self.declared_input_shape = (
            None if input_shape is None else sample_shape(kind, "input_shape", input_shape)
        )
        self.modules: list[nn.Module] = []
        self.input_shape: Shape | None = None
        self.output_shape: Shape | None = None
        self.engine: nn.Module | None = None  # the module holding the weights, if any
        self.input_channels_first = False  # whether built inputs arrive (N, C, H, W)
        self.output_channels_first = False  # whether the built output travels (N, C, H, W)

    @property
    def built(self) -> bool:
        return self.output_shape is not None

    def build(self, shape: Shape, channels_first: bool) -> tuple[Shape, bool]:
        """Make the tinydl modules for inputs of Keras shape ``shape`` that currently travel
        channels-first (``channels_first``) or not; return the output's shape and layout."""
        if self.declared_input_shape is not None and self.declared_input_shape != shape:
            raise ValueError(
                f"layer {self.name!r} declares input_shape={self.declared_input_shape}, but the "
                f"layer before it gives {shape}"
            )
        self.modules, out_shape, out_first = self.make_modules(shape, channels_first)
        self.input_shape, self.output_shape = shape, out_shape
        self.input_channels_first = channels_first
        self.output_channels_first = out_first and _is_image(out_shape)
        return out_shape, self.output_channels_first

    def make_modules(self, shape: Shape, channels_first: bool
                     ) -> tuple[list[nn.Module], Shape, bool]:
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        """The constructor's arguments (what ``load_model`` rebuilds the layer from)."""
        config = {name: getattr(self, name) for name in self.arguments}
        return {"name": self.name, **config}

    # ---- weights in Keras's layouts -----------------------------------------------------
    def weight_layouts(self) -> list[tuple[Tensor, tuple[int, ...] | None]]:
        """Each weight tensor and the axis order that turns it into Keras's layout."""
        return []

    def weight_tensors(self) -> list[Tensor]:
        """The layer's weights (in tinydl's layouts), for the model's dtype and device."""
        return [tensor for tensor, _ in self.weight_layouts()]

    def count_params(self) -> tuple[int, int]:
        """(trainable, non-trainable) numbers of values, as Keras counts them."""
        trainable = sum(p.numel() for module in self.modules for p in module.parameters())
        frozen = sum(b.numel() for module in self.modules for _, b in module.named_buffers())
        return trainable, frozen

    def get_weights(self) -> list[np.ndarray]:
        """The weights as Keras lays them out (a Conv2D kernel is (kh, kw, in, out))."""
        return [
            t.numpy() if axes is None else t.numpy().transpose(axes)
            for t, axes in self.weight_layouts()
        ]

    def set_weights(self, weights: list[Any]) -> None:
        """Load weights given in Keras's layouts (e.g. from a Keras model's get_weights())."""
        slots = self.weight_layouts()
        if not isinstance(weights, (list, tuple)) or len(weights) != len(slots):
            count = len(weights) if isinstance(weights, (list, tuple)) else type(weights).__name__
            raise ValueError(
                f"layer {self.name!r} has {len(slots)} weight arrays, set_weights() got {count}"
            )
        values = []
        for (tensor, axes), value in zip(slots, weights, strict=True):
            value = np.asarray(value, dtype=tensor.dtype)
            inverse = None if axes is None else tuple(np.argsort(axes))
            value = value if inverse is None else value.transpose(inverse)
            if value.shape != tensor.shape:
                keras_shape = tensor.shape if axes is None else tuple(tensor.shape[a] for a in axes)
                raise ValueError(
                    f"layer {self.name!r}: a weight of Keras shape {keras_shape} got an array "
                    f"of shape {np.shape(weights[len(values)])}"
                )
            values.append(value)
        for (tensor, _), value in zip(slots, values, strict=True):
            tensor.array = backend.to_device(value, tensor.device)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r}>"


def _initialiser(where: str, name: Any) -> str:
    return choose(where, "kernel_initializer", name, nn.init.INITIALISERS)


class Dense(Layer):
    """``Dense(units, activation=None)``: tinydl's ``nn.Dense`` (y = x W + b, W of shape
    (in, units), Keras's kernel layout) followed by the activation's layer."""

    arguments = ("units", "activation", "use_bias", "kernel_initializer")

    def __init__(self, units: int, activation: str | None = None, use_bias: bool = True,
                 kernel_initializer: str = "glorot_uniform", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.units = positive_int("layers.Dense()", "units", units)
        activation_modules("layers.Dense()", activation, False)  # refuse a bad name now
        self.activation, self.use_bias = activation, bool(use_bias)
        self.kernel_initializer = _initialiser("layers.Dense()", kernel_initializer)

    def make_modules(self, shape, channels_first):
        self.engine = nn.Dense(shape[-1], self.units, bias=self.use_bias,
                               weight_init=self.kernel_initializer)
        modules = [*relayout(shape, channels_first, False), self.engine,
                   *activation_modules("layers.Dense()", self.activation, False)]
        return modules, (*shape[:-1], self.units), False

    def weight_layouts(self):
        layouts = [(self.engine.weight, None)]
        return layouts + ([(self.engine.bias, None)] if self.use_bias else [])


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
    if not _is_image(shape):
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
        if data_format not in (None, "channels_last"):
            raise ValueError(
                f"{where}: data_format={data_format!r} is not offered; tinydl.keras layers are "
                f"channels-last like Keras's default (tinydl.nn.Conv2D is the channels-first one)"
            )
        super().__init__(**kwargs)
        self.filters = positive_int(where, "filters", filters)
        self.kernel_size = int_pair(where, "kernel_size", kernel_size)
        self.strides = int_pair(where, "strides", strides)
        self.padding = choose(where, "padding", padding, ("valid", "same"))
        activation_modules(where, activation, True)
        self.activation, self.use_bias = activation, bool(use_bias)
        self.kernel_initializer = _initialiser(where, kernel_initializer)

    def make_modules(self, shape, channels_first):
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

    def weight_layouts(self):
        layouts = [(self.engine.weight, (2, 3, 1, 0))]  # (out, in, kh, kw) -> (kh, kw, in, out)
        return layouts + ([(self.engine.bias, None)] if self.use_bias else [])


class MaxPooling2D(Layer):
    """``MaxPooling2D(pool_size=(2, 2), strides=None, padding="valid")``: tinydl's
    ``nn.MaxPool2D`` (strides default to the pool size, as in Keras)."""

    arguments = ("pool_size", "strides", "padding")

    def __init__(self, pool_size: Any = (2, 2), strides: Any = None, padding: str = "valid",
                 data_format: str | None = None, **kwargs: Any) -> None:
        where = "layers.MaxPooling2D()"
        if data_format not in (None, "channels_last"):
            raise ValueError(f"{where}: data_format={data_format!r} is not offered (channels-last)")
        super().__init__(**kwargs)
        self.pool_size = int_pair(where, "pool_size", pool_size)
        self.strides = self.pool_size if strides is None else int_pair(where, "strides", strides)
        self.padding = choose(where, "padding", padding, ("valid", "same"))

    def make_modules(self, shape, channels_first):
        where = f"layers.MaxPooling2D {self.name!r}"
        _image_input(where, shape)
        pad, (height, width) = _padding_for(where, self.padding, shape[:2], self.pool_size,
                                            self.strides)
        pool = nn.MaxPool2D(self.pool_size, stride=self.strides, padding=pad)
        return [*relayout(shape, channels_first, True), pool], (height, width, shape[2]), True


class Flatten(Layer):
    """``Flatten()``: one feature vector per sample, in Keras's (height, width, channel)
    order (a channels-first image is transposed back first)."""

    def make_modules(self, shape, channels_first):
        modules = [*relayout(shape, channels_first, False), nn.Flatten()]
        return modules, (math.prod(shape),), False


class Reshape(Layer):
    """``Reshape(target_shape)``: each sample to ``target_shape`` (one entry may be -1)."""

    arguments = ("target_shape",)

    def __init__(self, target_shape: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not isinstance(target_shape, (tuple, list)) or not target_shape or not all(
            isinstance(n, int) and not isinstance(n, bool) and (n >= 1 or n == -1)
            for n in target_shape
        ) or list(target_shape).count(-1) > 1:
            raise ValueError(
                f"layers.Reshape(): target_shape must be a tuple of positive sizes (one may be "
                f"-1), got {target_shape!r}"
            )
        self.target_shape = tuple(target_shape)

    def make_modules(self, shape, channels_first):
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

    def __init__(self, rate: float, noise_shape: Any = None, seed: Any = None,
                 **kwargs: Any) -> None:
        extra = {k: v for k, v in (("noise_shape", noise_shape), ("seed", seed)) if v is not None}
        super().__init__(**kwargs, **extra)
        nn.Dropout(rate)  # its own check of the rate
        self.rate = rate

    def make_modules(self, shape, channels_first):
        return [nn.Dropout(self.rate)], shape, channels_first


class BatchNormalization(Layer):
    """``BatchNormalization(momentum=0.99, epsilon=1e-3)`` over the last (channel) axis:
    tinydl's ``BatchNorm1D`` for vectors, ``BatchNorm2D`` for images. Keras's momentum
    keeps ``momentum`` of the old running average; tinydl's (PyTorch's) is the weight of
    the new batch, so it becomes ``1 - momentum``."""

    arguments = ("momentum", "epsilon", "center", "scale")

    def __init__(self, axis: int = -1, momentum: float = 0.99, epsilon: float = 1e-3,
                 center: bool = True, scale: bool = True, **kwargs: Any) -> None:
        where = "layers.BatchNormalization()"
        if axis != -1:
            raise ValueError(f"{where}: only axis=-1 (the channel axis) is offered, got {axis!r}")
        if bool(center) != bool(scale):
            raise ValueError(f"{where}: center and scale must be both True or both False")
        super().__init__(**kwargs)
        if not 0 <= momentum < 1:
            raise ValueError(f"{where}: momentum must lie in [0, 1), got {momentum!r}")
        self.momentum, self.epsilon = momentum, epsilon
        self.center, self.scale = bool(center), bool(scale)

    def make_modules(self, shape, channels_first):
        settings = {"eps": self.epsilon, "momentum": 1 - self.momentum, "affine": self.scale}
        if len(shape) == 1:
            self.engine = nn.BatchNorm1D(shape[0], **settings)
            return [self.engine], shape, False
        if not _is_image(shape):
            raise ValueError(
                f"layers.BatchNormalization {self.name!r} takes vectors or images "
                f"(height, width, channels), got input shape {shape}"
            )
        self.engine = nn.BatchNorm2D(shape[2], **settings)
        return [*relayout(shape, channels_first, True), self.engine], shape, True

    def weight_layouts(self):
        bn = self.engine
        affine = [(bn.weight, None), (bn.bias, None)] if self.scale else []
        return affine + [(bn.running_mean, None), (bn.running_var, None)]


class Activation(Layer):
    """``Activation("relu")``: the activation's tinydl layer, in whatever layout the data
    travels (softmax over the channel axis)."""

    arguments = ("activation",)

    def __init__(self, activation: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        activation_modules("layers.Activation()", activation, False)
        self.activation = activation

    def make_modules(self, shape, channels_first):
        modules = activation_modules("layers.Activation()", self.activation, channels_first)
        return modules, shape, channels_first


class Softmax(Layer):
    """``Softmax()``: tinydl's ``nn.Softmax`` over the last (channel) axis."""

    def __init__(self, axis: int = -1, **kwargs: Any) -> None:
        if axis != -1:
            raise ValueError(f"layers.Softmax(): only axis=-1 is offered, got {axis!r}")
        super().__init__(**kwargs)

    def make_modules(self, shape, channels_first):
        return [nn.Softmax(axis=1 if channels_first else -1)], shape, channels_first


LAYERS: dict[str, type[Layer]] = {
    kind.__name__: kind
    for kind in (Activation, BatchNormalization, Conv2D, Dense, Dropout, Flatten, MaxPooling2D,
                 Reshape, Softmax)
}
__all__ = ["Input", *sorted(LAYERS)]
__getattr__ = missing_names("layers", __all__, "; tinydl.nn holds the engine's own modules")
