"""Fully connected layer, and layers that only change shape."""

from __future__ import annotations

from typing import Any

from tinydl import backend
from tinydl.autograd import Tensor
from tinydl.autograd.checks import require_float_input
from tinydl.autograd.default_dtype import get_default_dtype
from tinydl.nn import init
from tinydl.nn.module import Module, Parameter
from tinydl.ops.linalg import linear
from tinydl.ops.shape import flatten


def _positive(name: str, value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return value


def bind_arguments(
    layer: str, positional: tuple[Any, ...], names: tuple[str, ...], keywords: dict[str, Any]
) -> dict[str, Any]:
    """Bind arguments as Python binds PyTorch's signatures: ``positional`` fill ``names`` in
    order, then each keyword that was given (not None); a name given twice is an error."""
    if len(positional) > len(names):
        raise TypeError(
            f"{layer} takes at most {len(names)} positional arguments ({', '.join(names)}), "
            f"got {len(positional)}"
        )
    bound = dict(zip(names, positional, strict=False))
    for name, value in keywords.items():
        if value is not None:
            if name in bound:
                raise TypeError(f"{layer} got {name} twice, by position and by keyword")
            bound[name] = value
    return bound


def on_device(values: Any, device: Any = None) -> Any:
    """Host ``values`` placed on ``device`` (default: the default device); float values in
    the default dtype (float32 unless :func:`tinydl.set_default_dtype` changed it)."""
    if values.dtype.kind == "f":
        values = values.astype(get_default_dtype(), copy=False)
    return backend.to_device(values, device or backend.get_default_device())


def new_parameter(values: Any, device: Any = None) -> Parameter:
    """A Parameter holding host ``values``, placed on ``device`` (default: the default device)."""
    return Parameter(on_device(values, device))


class Dense(Module):
    """y = x @ W + b, with W of shape (in_features, out_features).

    ``Dense(in_features, out_features)`` as in PyTorch (also by keyword, and as
    ``nn.Linear``), or Keras-style ``Dense(out_features)``, which reads ``in_features``
    off the first batch it sees (call the model once, or ``summary()`` it, before making
    the optimiser). Defaults follow Keras: Glorot-uniform weights, zero bias (PyTorch's
    Linear draws both from U(±1/√in_features)). ``weight_init="he_normal"`` suits deep
    ReLU stacks.
    """

    def __init__(
        self,
        *features: int,
        in_features: int | None = None,
        out_features: int | None = None,
        bias: bool = True,
        weight_init: str = "glorot_uniform",
    ) -> None:
        keywords = {"in_features": in_features, "out_features": out_features}
        keras_style = len(features) == 1 and in_features is None and out_features is None
        names = ("out_features",) if keras_style else ("in_features", "out_features")
        bound = bind_arguments("Dense", features, names, keywords)
        if "out_features" not in bound:
            raise TypeError("Dense takes (in_features, out_features) or (out_features,)")
        self.out_features = _positive("out_features", bound["out_features"])
        self.use_bias = bias
        init.get(weight_init)  # fail now, not at the first batch, on a misspelt name
        self.weight_init = weight_init
        self.in_features: int | None = None
        self.needs_build = True
        if "in_features" in bound:
            self.build(_positive("in_features", bound["in_features"]))

    def build(self, in_features: int, device: Any = None) -> None:
        shape = (in_features, self.out_features)
        self.weight = new_parameter(init.get(self.weight_init)(shape), device)
        self.bias = (
            new_parameter(init.zeros((self.out_features,)), device) if self.use_bias else None
        )
        self.in_features = in_features
        self.needs_build = False

    def forward(self, x: Tensor) -> Tensor:
        require_float_input(x, "Dense")
        if x.ndim == 0:
            raise ValueError("Dense needs inputs with a features axis, got a 0-d tensor")
        if self.needs_build:
            self.build(x.shape[-1], x.device)
        if x.shape[-1] != self.in_features:
            raise ValueError(
                f"Dense expected inputs with {self.in_features} features in the last axis, "
                f"got shape {x.shape}"
            )
        return linear(x, self.weight, self.bias)

    def extra_repr(self) -> str:
        return f"{self.in_features or '?'} -> {self.out_features}, bias={self.use_bias}"


Linear = Dense  # PyTorch's name, the same class


class Flatten(Module):
    """(N, d1, d2, …) -> (N, d1·d2·…): keep the batch axis, flatten the rest. As PyTorch's
    ``nn.Flatten(start_dim=1, end_dim=-1)``: axes ``start_dim`` … ``end_dim`` become one."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        for name, dim in (("start_dim", start_dim), ("end_dim", end_dim)):
            if isinstance(dim, bool) or not isinstance(dim, int):
                raise TypeError(f"Flatten: {name} must be an int, got {dim!r}")
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, x: Tensor) -> Tensor:
        return flatten(x, self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        if (self.start_dim, self.end_dim) == (1, -1):
            return ""
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Reshape(Module):
    """Reshape each sample to ``shape`` (the batch axis is kept), like Keras's Reshape."""

    def __init__(self, *shape: int) -> None:
        self.shape = tuple(shape[0]) if len(shape) == 1 and isinstance(shape[0], tuple) else shape

    def forward(self, x: Tensor) -> Tensor:
        return x.reshape(x.shape[0], *self.shape)

    def extra_repr(self) -> str:
        return str(self.shape)
