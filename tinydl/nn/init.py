"""Weight initialisers. Each draws on the host from tinydl's seeded generator and
returns a float32 NumPy array, so the same seed gives the same weights on any device.

``fan_in`` is how many inputs feed one output unit (``in_features``, or
``in_channels·kh·kw`` for a convolution); ``fan_out`` how many outputs one input feeds.

- Glorot/Xavier keeps the variance of activations and of gradients about equal
  across layers for symmetric activations (tanh): Var(w) = 2 / (fan_in + fan_out).
- He/Kaiming compensates for ReLU zeroing half its inputs: Var(w) = 2 / fan_in.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from tinydl import backend, check
from tinydl.autograd import Tensor
from tinydl.random import generator

Shape = tuple[int, ...]


def fans(shape: Shape) -> tuple[int, int]:
    """(fan_in, fan_out) of a Dense weight (in, out) or a Conv2D weight (out, in, kh, kw).

    A weight with no elements (a size of 0) gets fans of at least 1: nothing is drawn for
    it, and its initialisers' 1/fan stays finite."""
    if len(shape) == 2:
        return max(shape[0], 1), max(shape[1], 1)
    receptive_field = math.prod(shape[2:])
    return max(shape[1] * receptive_field, 1), max(shape[0] * receptive_field, 1)


def symmetric_uniform(shape: Shape, limit: float) -> np.ndarray:
    """U(-limit, limit) draws (PyTorch's ``nn.Linear`` uses limit = 1/√in_features)."""
    return generator().uniform(-limit, limit, size=shape).astype(np.float32)


def _normal(shape: Shape, std: float) -> np.ndarray:
    return (generator().standard_normal(size=shape) * std).astype(np.float32)


def glorot_uniform(shape: Shape) -> np.ndarray:
    """U(-a, a) with a = √(6 / (fan_in + fan_out)). Keras's default for Dense and Conv2D."""
    fan_in, fan_out = fans(shape)
    return symmetric_uniform(shape, math.sqrt(6 / (fan_in + fan_out)))


def glorot_normal(shape: Shape) -> np.ndarray:
    """N(0, σ²) with σ = √(2 / (fan_in + fan_out))."""
    fan_in, fan_out = fans(shape)
    return _normal(shape, math.sqrt(2 / (fan_in + fan_out)))


def he_uniform(shape: Shape) -> np.ndarray:
    """U(-a, a) with a = √(6 / fan_in)."""
    return symmetric_uniform(shape, math.sqrt(6 / fans(shape)[0]))


def he_normal(shape: Shape) -> np.ndarray:
    """N(0, σ²) with σ = √(2 / fan_in)."""
    return _normal(shape, math.sqrt(2 / fans(shape)[0]))


def orthogonal(shape: Shape, gain: float = 1.0, rng: np.random.Generator | None = None
               ) -> np.ndarray:
    """A matrix with orthonormal rows or columns (whichever there are fewer of), times
    ``gain``: the QR decomposition of a Gaussian matrix, its signs fixed so that the draw
    is uniform over such matrices. Rows are every axis but the last (Keras's reading of
    the shape). Keras's default for a recurrent kernel: repeated multiplication by an
    orthogonal matrix neither shrinks nor blows up the state."""
    rows, columns = math.prod(shape[:-1]), shape[-1]
    rng = generator() if rng is None else rng
    draw = rng.standard_normal((max(rows, columns), min(rows, columns)))
    q, r = np.linalg.qr(draw)
    q *= np.sign(np.diag(r))  # QR's signs are arbitrary; this makes q Haar-distributed
    if rows < columns:
        q = q.T
    return (gain * q).reshape(shape).astype(np.float32)


def zeros(shape: Shape) -> np.ndarray:
    return np.zeros(shape, dtype=np.float32)


INITIALISERS = {
    "glorot_uniform": glorot_uniform,
    "glorot_normal": glorot_normal,
    "he_uniform": he_uniform,
    "he_normal": he_normal,
    "zeros": zeros,
}
# The other common spellings of the same initialisers.
INITIALISERS.update(
    xavier_uniform=glorot_uniform, xavier_normal=glorot_normal,
    kaiming_uniform=he_uniform, kaiming_normal=he_normal,
)


def get(name: str):
    """The initialiser called ``name`` (e.g. "he_normal")."""
    if name not in INITIALISERS:
        raise ValueError(
            f"unknown initialiser {name!r}; choose from {', '.join(sorted(INITIALISERS))}"
        )
    return INITIALISERS[name]


# ---- PyTorch's in-place initialisers: nn.init.normal_(layer.weight, 0.0, 0.02) -------------
# They overwrite an existing weight instead of making one. Like the functions above, they
# draw on the host from tinydl's seeded generator. They take the Tensor or, as PyTorch
# code often passes, its raw array ``layer.weight.data``.
def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The factor by which an activation shrinks a signal's standard deviation, undone by
    scaling the initial weights: 1 for linear and sigmoid, 5/3 for tanh, √2 for ReLU and
    √(2 / (1 + a²)) for LeakyReLU of slope ``param`` = a (0.01 by default), as in PyTorch."""
    gains = {"linear": 1.0, "conv1d": 1.0, "conv2d": 1.0, "conv_transpose2d": 1.0,
             "sigmoid": 1.0, "tanh": 5 / 3, "relu": math.sqrt(2.0), "selu": 0.75}
    check.one_of("calculate_gain()", "nonlinearity", nonlinearity, [*gains, "leaky_relu"])
    if nonlinearity == "leaky_relu":  # param is the slope
        slope = check.number("calculate_gain()", "param", 0.01 if param is None else param)
        return math.sqrt(2.0 / (1 + slope**2))
    return gains[nonlinearity]


def _target_array(target: Any, function: str) -> Any:
    """The float array that ``target`` (a Tensor or a raw array) holds."""
    array = target.array if isinstance(target, Tensor) else target
    if not hasattr(array, "dtype") or not hasattr(array, "shape"):
        raise TypeError(
            f"nn.init.{function}() needs a Tensor (e.g. layer.weight) or its array "
            f"(layer.weight.data or .array), got {type(target).__name__}"
        )
    if array.dtype.kind != "f":
        raise TypeError(f"nn.init.{function}() needs a float tensor, got dtype {array.dtype}")
    return array


def _overwrite(target: Any, draw: Any, function: str) -> Any:
    """Fill ``target`` in place with ``draw(shape)`` (host float64 values) and return it."""
    array = _target_array(target, function)
    xp = backend.array_module(array)
    array[...] = xp.asarray(np.asarray(draw(array.shape), dtype=array.dtype))
    return target


IN_OUT = "in_out"  # the value of a weight's ``layout`` attribute when stored (in, out)


def mark_in_out(weight: Tensor) -> Tensor:
    """Mark ``weight`` (a 2-D Parameter) as stored (in, out), as ``nn.Dense`` stores it, so
    that the in-place initialisers below read its fans right; returns it."""
    weight.layout = IN_OUT  # type: ignore[attr-defined]  (a Parameter has a __dict__)
    return weight


def _weight_fans(target: Any, function: str) -> tuple[int, int]:
    """(fan_in, fan_out) of the weight ``target`` in the layout it is stored in: PyTorch's
    (out, in, *kernel) for ``nn.Linear`` and ``nn.Conv2d`` (and any unmarked tensor, as in
    PyTorch), (in, out) for a weight :func:`mark_in_out` marked (``nn.Dense``)."""
    shape = _target_array(target, function).shape
    if len(shape) < 2:
        raise ValueError(
            f"nn.init.{function}() needs a weight of at least 2 dimensions to know its fans, "
            f"got shape {shape}"
        )
    if 0 in shape:  # as PyTorch warns
        warnings.warn(f"nn.init.{function}(): the tensor of shape {shape} has no elements, so "
                      f"initialising it does nothing", stacklevel=3)
    if len(shape) == 2 and getattr(target, "layout", None) != IN_OUT:
        return fans(shape[::-1])
    return fans(shape)


def uniform_(tensor: Any, a: float = 0.0, b: float = 1.0) -> Any:
    """Overwrite ``tensor`` with draws from U(a, b)."""
    if not a <= b:
        raise ValueError(f"nn.init.uniform_() needs a <= b, got a={a}, b={b}")
    return _overwrite(tensor, lambda shape: generator().uniform(a, b, shape), "uniform_")


def normal_(tensor: Any, mean: float = 0.0, std: float = 1.0) -> Any:
    """Overwrite ``tensor`` with draws from N(mean, std²) (DCGAN: mean 0, std 0.02)."""
    std = check.number("nn.init.normal_()", "std", std, ">= 0")
    return _overwrite(tensor, lambda shape: generator().normal(mean, std, shape), "normal_")


def constant_(tensor: Any, val: float) -> Any:
    """Overwrite every element of ``tensor`` with ``val``."""
    return _overwrite(tensor, lambda shape: np.full(shape, val, dtype=np.float64), "constant_")


def zeros_(tensor: Any) -> Any:
    return constant_(tensor, 0.0)


def ones_(tensor: Any) -> Any:
    return constant_(tensor, 1.0)


def xavier_uniform_(tensor: Any, gain: float = 1.0) -> Any:
    """U(-a, a) with a = gain·√(6 / (fan_in + fan_out)) (Glorot), in place."""
    fan_in, fan_out = _weight_fans(tensor, "xavier_uniform_")
    limit = gain * math.sqrt(6 / (fan_in + fan_out))
    return uniform_(tensor, -limit, limit)


def xavier_normal_(tensor: Any, gain: float = 1.0) -> Any:
    """N(0, σ²) with σ = gain·√(2 / (fan_in + fan_out)) (Glorot), in place."""
    fan_in, fan_out = _weight_fans(tensor, "xavier_normal_")
    return normal_(tensor, 0.0, gain * math.sqrt(2 / (fan_in + fan_out)))


def _kaiming_std(
    tensor: Any, a: float, mode: str, nonlinearity: str, function: str
) -> float:
    check.one_of(f"nn.init.{function}()", "mode", mode, ("fan_in", "fan_out"))
    fan_in, fan_out = _weight_fans(tensor, function)
    return calculate_gain(nonlinearity, a) / math.sqrt(fan_in if mode == "fan_in" else fan_out)


def kaiming_uniform_(
    tensor: Any, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu"
) -> Any:
    """U(-b, b) with b = √3·gain/√fan (He), in place; PyTorch's defaults."""
    limit = math.sqrt(3.0) * _kaiming_std(tensor, a, mode, nonlinearity, "kaiming_uniform_")
    return uniform_(tensor, -limit, limit)


def kaiming_normal_(
    tensor: Any, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu"
) -> Any:
    """N(0, σ²) with σ = gain/√fan (He), in place; PyTorch's defaults."""
    return normal_(tensor, 0.0, _kaiming_std(tensor, a, mode, nonlinearity, "kaiming_normal_"))
