"""``keras.ops``: the backend-neutral functions Keras 3 programs call inside a layer's
``call`` (``ops.shape(x)``, ``ops.arange(n)``, ``ops.matmul(a, b)``, ...), each mapped
onto tinydl's own function, so autograd differentiates it.

Given a ``KerasTensor`` (in a functional model's definition) a function records one step
of the graph instead of computing, as in Keras. Functions Keras has and tinydl.keras does
not map are refused by name.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

import tinydl
from tinydl import backend, check
from tinydl import ops as engine
from tinydl.autograd import Tensor
from tinydl.keras._args import missing_names
from tinydl.keras.layer import KerasTensor, TensorOperation, flatten


def _tensor(value: Any) -> Any:
    """Arrays and nested lists as Tensors (float64 values as float32, Keras's floatx)."""
    if isinstance(value, (Tensor, int, float, bool)) or value is None:
        return value
    array = value if backend.is_array(value) else np.asarray(value)
    return Tensor(array.astype(np.float32) if array.dtype == np.float64 else array)


def _keras_op(function: Callable[..., Any]) -> Callable[..., Any]:
    """``function`` on tinydl Tensors, or one recorded step of the graph on KerasTensors."""

    @functools.wraps(function)
    def op(*args: Any, **kwargs: Any) -> Any:
        if any(isinstance(leaf, KerasTensor) for leaf in flatten((args, kwargs))):
            return TensorOperation(function.__name__,
                                   lambda *a: function(*a, **kwargs))(*args)
        return function(*args, **kwargs)

    return op


def shape(x: Any) -> tuple[int | None, ...]:
    """The shape, a tuple of Python ints (``None`` for a KerasTensor's unknown sizes)."""
    return tuple(x.shape) if isinstance(x, KerasTensor) else tuple(_tensor(x).shape)


def arange(start: Any, stop: Any = None, step: Any = 1, dtype: Any = None) -> Tensor:
    """Keras's ``arange``: integers give int32 (Keras's default), any float float32."""
    if stop is None:
        start, stop = 0, start
    integral = all(map(check.is_int, (start, stop, step)))
    values = tinydl.arange(start, stop, step)
    return values.astype(dtype or ("int32" if integral else "float32"))


@_keras_op
def cast(x: Any, dtype: Any) -> Tensor:
    return _tensor(x).astype(check.dtype("ops.cast()", "dtype", dtype))


def convert_to_tensor(x: Any, dtype: Any = None) -> Tensor:
    tensor = _tensor(x)
    return tensor if dtype is None else tensor.astype(
        check.dtype("ops.convert_to_tensor()", "dtype", dtype))


def convert_to_numpy(x: Any) -> np.ndarray:
    return x.numpy() if isinstance(x, Tensor) else np.asarray(x)


def zeros(shape: Any, dtype: Any = "float32") -> Tensor:
    return tinydl.zeros(*tuple(shape), dtype=dtype)


def ones(shape: Any, dtype: Any = "float32") -> Tensor:
    return tinydl.ones(*tuple(shape), dtype=dtype)


def _unary(name: str, function: Callable[[Tensor], Tensor], doc: str) -> Callable[..., Any]:
    def op(x: Any) -> Tensor:
        return function(_tensor(x))

    op.__name__, op.__doc__ = name, doc
    return _keras_op(op)


def _binary(name: str, function: Callable[[Any, Any], Tensor], doc: str) -> Callable[..., Any]:
    def op(x1: Any, x2: Any) -> Tensor:
        return function(_tensor(x1), _tensor(x2))

    op.__name__, op.__doc__ = name, doc
    return _keras_op(op)


relu = _unary("relu", engine.relu, "max(x, 0).")
sigmoid = _unary("sigmoid", engine.sigmoid, "1 / (1 + e^-x).")
tanh = _unary("tanh", engine.tanh, "tanh(x).")
exp = _unary("exp", engine.exp, "e^x.")
log = _unary("log", engine.log, "The natural logarithm.")
sqrt = _unary("sqrt", engine.sqrt, "The square root.")
negative = _unary("negative", engine.neg, "-x.")
square = _unary("square", lambda x: x * x, "x².")
add = _binary("add", engine.add, "x1 + x2.")
subtract = _binary("subtract", engine.sub, "x1 - x2.")
multiply = _binary("multiply", engine.mul, "x1 · x2.")
divide = _binary("divide", engine.div, "x1 / x2.")
matmul = _binary("matmul", engine.matmul, "The matrix product.")
maximum = _binary("maximum", engine.maximum, "The element-wise maximum.")


@_keras_op
def softmax(x: Any, axis: int = -1) -> Tensor:
    return engine.softmax(_tensor(x), axis)


@_keras_op
def mean(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    return engine.mean(_tensor(x), axis=axis, keepdims=keepdims)


@_keras_op
def sum(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:  # noqa: A001  (Keras's)
    return engine.sum(_tensor(x), axis=axis, keepdims=keepdims)


@_keras_op
def max(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:  # noqa: A001  (Keras's)
    return engine.max(_tensor(x), axis=axis, keepdims=keepdims)


@_keras_op
def concatenate(xs: list[Any], axis: int = 0) -> Tensor:
    return engine.concatenate([_tensor(x) for x in xs], axis=axis)


@_keras_op
def stack(xs: list[Any], axis: int = 0) -> Tensor:
    return engine.stack([_tensor(x) for x in xs], axis=axis)


@_keras_op
def reshape(x: Any, newshape: Any) -> Tensor:
    return _tensor(x).reshape(*tuple(newshape))


@_keras_op
def transpose(x: Any, axes: Any = None) -> Tensor:
    x = _tensor(x)
    return x.permute(*(reversed(range(x.ndim)) if axes is None else axes))


@_keras_op
def expand_dims(x: Any, axis: int) -> Tensor:
    x = _tensor(x)
    axis = check.axis("ops.expand_dims()", "axis", axis, x.ndim + 1)
    return x.reshape(*x.shape[:axis], 1, *x.shape[axis:])


@_keras_op
def squeeze(x: Any, axis: Any = None) -> Tensor:
    x = _tensor(x)
    axes = [i for i, n in enumerate(x.shape) if n == 1] if axis is None else check.axes(
        "ops.squeeze()", "axis", axis, x.ndim)
    return x.reshape(*(n for i, n in enumerate(x.shape) if i not in axes))


@_keras_op
def where(condition: Any, x1: Any, x2: Any) -> Tensor:
    return engine.where(_tensor(condition), _tensor(x1), _tensor(x2))


@_keras_op
def clip(x: Any, x_min: float, x_max: float) -> Tensor:
    return engine.clip(_tensor(x), x_min, x_max)


__all__ = ["add", "arange", "cast", "clip", "concatenate", "convert_to_numpy",
           "convert_to_tensor", "divide", "exp", "expand_dims", "log", "matmul", "max",
           "maximum", "mean", "multiply", "negative", "ones", "relu", "reshape", "shape",
           "sigmoid", "softmax", "sqrt", "square", "squeeze", "stack", "subtract", "sum",
           "tanh", "transpose", "where", "zeros"]
__getattr__ = missing_names("ops", __all__, "; tinydl.ops holds the engine's own functions")
