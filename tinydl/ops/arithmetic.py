"""Arithmetic: ``+ - * /``, negation, powers. Broadcasting is undone by the engine
(``sum_to_shape``), so each backward here returns gradients of the output's shape."""

from __future__ import annotations

from numbers import Integral, Real
from typing import Any

from tinydl import backend
from tinydl.autograd.default_dtype import get_default_dtype
from tinydl.autograd.function import Function
from tinydl.autograd.tensor import Tensor
from tinydl.autograd.tensor_checks import operand_error
from tinydl.ops.operands import as_tensors


class Add(Function):
    """y = a + b.   dy/da = 1,  dy/db = 1."""

    def forward(self, a, b):
        return a + b

    def backward(self, gy):
        return gy, gy


class Sub(Function):
    """y = a - b.   dy/da = 1,  dy/db = -1."""

    def forward(self, a, b):
        return a - b

    def backward(self, gy):
        return gy, (-gy if self.needs_grad[1] else None)


class Mul(Function):
    """y = a * b.   dy/da = b,  dy/db = a."""

    def forward(self, a, b):
        self.a, self.b = a, b
        return a * b

    def backward(self, gy):
        return (
            gy * self.b if self.needs_grad[0] else None,
            gy * self.a if self.needs_grad[1] else None,
        )


class Div(Function):
    """y = a / b.   dy/da = 1/b,  dy/db = -a/b²."""

    def forward(self, a, b):
        self.a, self.b = a, b
        return a / b

    def backward(self, gy):
        ga = gy / self.b
        return ga, (-ga * self.a / self.b if self.needs_grad[1] else None)


class Neg(Function):
    """y = -x.   dy/dx = -1."""

    def forward(self, x):
        return -x

    def backward(self, gy):
        return -gy


class Pow(Function):
    """y = x**c for a constant c.   dy/dx = c · x**(c-1)."""

    def __init__(self, exponent: float) -> None:
        self.c = exponent

    def forward(self, x):
        self.x = x
        return x**self.c

    def backward(self, gy):
        return gy * (self.c * self.x ** (self.c - 1))


class Power(Function):
    """y = a**b, both tensors.   dy/da = b · a**(b-1),   dy/db = y · ln a (a > 0; taken as
    0 where a = 0, as PyTorch does, since a**b is flat there in b for b > 0)."""

    def forward(self, a, b):
        self.a, self.b = a, b
        self.y = a**b
        return self.y

    def backward(self, gy):
        xp = backend.array_module(gy)
        ga = gy * self.b * self.a ** (self.b - 1) if self.needs_grad[0] else None
        gb = None
        if self.needs_grad[1]:
            safe = xp.where(self.a == 0, 1, self.a)  # log(0) = -inf would meet y = 0
            gb = xp.where((self.a == 0) & (self.b >= 0), 0, gy * self.y * xp.log(safe))
        return ga, gb


# Each entry point lets NumPy find bad operands (no checks on the training path) and only
# then says in tinydl's words what was wrong: shapes that do not broadcast, non-numbers.


def _binary(function: Function, symbol: str, a: Tensor, b: Tensor) -> Tensor:
    try:
        return function(a, b)
    except (ValueError, TypeError) as err:
        raise operand_error(symbol, a, b, err) from None


def add(a: Any, b: Any) -> Tensor:
    return _binary(Add(), "+", *as_tensors(a, b))


def sub(a: Any, b: Any) -> Tensor:
    return _binary(Sub(), "-", *as_tensors(a, b))


def mul(a: Any, b: Any) -> Tensor:
    return _binary(Mul(), "*", *as_tensors(a, b))


def div(a: Any, b: Any) -> Tensor:
    a, b = as_tensors(a, b)
    if a.dtype.kind in "iub" and b.dtype.kind in "iub":  # int / int is a float, as in PyTorch
        a = a.astype(get_default_dtype())
    return _binary(Div(), "/", a, b)


def neg(x: Tensor) -> Tensor:
    try:
        return Neg()(x)
    except TypeError as err:
        raise operand_error("-", x, None, err) from None


def pow(x: Any, exponent: Any) -> Tensor:  # noqa: A001  (mirrors Python's operator name)
    """``x ** exponent``: a constant exponent (a Python number), or a tensor exponent (then
    ``x`` may be a number), as PyTorch's ``x.unsqueeze(-1).pow(torch.tensor([1, 2, 3]))``."""
    if isinstance(exponent, Tensor) or not isinstance(x, Tensor):
        return _binary(Power(), "**", *as_tensors(x, exponent))
    if not isinstance(exponent, Real):
        raise TypeError(
            f"tensor ** exponent needs a number or a tensor as the exponent, got "
            f"{type(exponent).__name__}"
        )
    # A Python number is "weak" under NumPy 2, so x**c keeps x's dtype; NumPy scalars
    # (np.float64(2.0)) are not, so they become Python numbers first.
    return Pow(int(exponent) if isinstance(exponent, Integral) else float(exponent))(x)
