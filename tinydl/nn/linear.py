"""Fully connected layers, and layers that only change shape.

Two fully connected layers compute the same function and differ in how they store W:

- ``Dense`` (Keras's layout): W of shape (in_features, out_features), ``y = x @ W + b``,
  the form in which the maths reads left to right; Glorot initialisation; it may infer
  ``in_features`` from the first batch. The zoo, the Keras front and the docs use it.
- ``Linear`` (PyTorch's layout): W of shape (out_features, in_features),
  ``y = x @ Wᵀ + b``, PyTorch's initialisation, so PyTorch state dicts load unchanged and
  weights tie across layers as PyTorch programs tie them.

Both run the one ``Linear`` Function of :mod:`tinydl.ops.linalg`.
"""

from __future__ import annotations

import math
from typing import Any

from tinydl import backend, check
from tinydl.autograd import Tensor
from tinydl.autograd.default_dtype import get_default_dtype
from tinydl.autograd.tensor_checks import floating
from tinydl.nn import init
from tinydl.nn.module import Module, Parameter
from tinydl.ops.linalg import dense, linear
from tinydl.ops.shape import flatten


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


def on_device(values: Any, device: Any = None, dtype: Any = None) -> Any:
    """Host ``values`` placed on ``device`` (default: the default device); float values in
    ``dtype``, by default the default dtype (float32 unless :func:`tinydl.set_default_dtype`
    changed it)."""
    if values.dtype.kind == "f":
        values = values.astype(dtype or get_default_dtype(), copy=False)
    return backend.to_device(values, device or backend.get_default_device())


def new_parameter(values: Any, device: Any = None, dtype: Any = None) -> Parameter:
    """A Parameter holding host ``values``, placed on ``device`` (default: the default
    device), floats in ``dtype`` (default: the default dtype)."""
    return Parameter(on_device(values, device, dtype))


def check_features(x: Any, in_features: int, layer: str) -> None:
    """What a fully connected layer needs of its input: a floating-point Tensor whose last
    axis has ``in_features`` values."""
    floating(layer, "input", x, "(..., in_features)")
    if x.shape[-1] != in_features:
        raise ValueError(
            f"{layer} expected inputs with {in_features} features in the last axis, "
            f"got shape {x.shape}"
        )


class Dense(Module):
    """y = x @ W + b, with W of shape (in_features, out_features) (Keras's layout).

    ``Dense(in_features, out_features)`` (also by keyword), or Keras-style
    ``Dense(out_features)``, which reads ``in_features`` off the first batch it sees (call
    the model once, or ``summary()`` it, before making the optimiser). Defaults follow
    Keras: Glorot-uniform weights, zero bias. ``weight_init="he_normal"`` suits deep ReLU
    stacks. PyTorch's layer, with W stored (out_features, in_features), is :class:`Linear`.
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
        self.out_features = check.positive_int("Dense", "out_features", bound["out_features"])
        self.use_bias = check.flag("Dense", "bias", bias)
        init.get(weight_init)  # fail now, not at the first batch, on a misspelt name
        self.weight_init = weight_init
        self.in_features: int | None = None
        self.needs_build = True
        if "in_features" in bound:
            self.build(check.positive_int("Dense", "in_features", bound["in_features"]))

    def build(self, in_features: int, device: Any = None) -> None:
        shape = (in_features, self.out_features)
        self.weight = init.mark_in_out(new_parameter(init.get(self.weight_init)(shape), device))
        self.bias = (
            new_parameter(init.zeros((self.out_features,)), device) if self.use_bias else None
        )
        self.in_features = in_features
        self.needs_build = False

    def forward(self, x: Tensor) -> Tensor:
        if self.needs_build:  # from the first batch's shape, once it is known to fit
            self.build(floating("Dense", "input", x, "(..., in_features)").shape[-1], x.device)
        check_features(x, self.in_features, "Dense")
        return dense(x, self.weight, self.bias)

    def extra_repr(self) -> str:
        return f"{self.in_features or '?'} -> {self.out_features}, bias={self.use_bias}"


class Linear(Module):
    """PyTorch's ``nn.Linear(in_features, out_features, bias=True, device=None,
    dtype=None)``: y = x @ Wᵀ + b with W of shape (out_features, in_features), as PyTorch
    stores it, so ``load_state_dict`` of a PyTorch model and weight tying
    (``embedding.weight = lm_head.weight``) work unchanged.

    Initialisation as PyTorch's: W and b from U(-1/√in_features, 1/√in_features) (its
    ``kaiming_uniform_(a=√5)``), drawn from tinydl's seeded generator. Inputs are
    (*, in_features); outputs (*, out_features). ``nn.Dense`` is the same layer with W
    stored (in_features, out_features).
    """

    def __init__(
        self, in_features: int, out_features: int, bias: bool = True, device: Any = None,
        dtype: Any = None,
    ) -> None:
        self.in_features = check.positive_int("Linear", "in_features", in_features)
        self.out_features = check.positive_int("Linear", "out_features", out_features)
        dtype = None if dtype is None else check.float_dtype("Linear", "dtype", dtype)
        limit = 1 / math.sqrt(in_features)
        draw = init.symmetric_uniform
        self.weight = new_parameter(draw((out_features, in_features), limit), device, dtype)
        self.bias = (new_parameter(draw((out_features,), limit), device, dtype)
                     if check.flag("Linear", "bias", bias) else None)

    def forward(self, x: Tensor) -> Tensor:
        check_features(x, self.in_features, "Linear")
        return linear(x, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


class Flatten(Module):
    """(N, d1, d2, …) -> (N, d1·d2·…): keep the batch axis, flatten the rest. As PyTorch's
    ``nn.Flatten(start_dim=1, end_dim=-1)``: axes ``start_dim`` … ``end_dim`` become one."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        self.start_dim = check.integer("Flatten", "start_dim", start_dim)
        self.end_dim = check.integer("Flatten", "end_dim", end_dim)

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
