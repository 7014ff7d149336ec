"""A strict fake device that lets CPU-only machines catch host/device mixing.

CuPy refuses to turn its arrays into NumPy arrays behind your back: ``np.asarray``
on a CuPy array raises, and so does arithmetic between a CuPy and a NumPy array.
Code that works on NumPy but forgets that rule only breaks on a GPU. The
``"fake"`` device reproduces the rule with NumPy underneath: its arrays are
:class:`StrictArray` wrappers, and its array module :data:`strict_numpy` is a
stand-in for ``cupy``. Running the test suite on ``device="fake"`` therefore
fails wherever the same code would fail on CuPy.

Explicit transfers stay allowed, as in CuPy: ``strict_numpy.asarray(host)``
moves a host array onto the fake device and :meth:`StrictArray.get` brings it
back.
"""

from __future__ import annotations

import operator
from typing import Any

import numpy as np

_IMPLICIT = (
    "implicit conversion of a fake-device array to a NumPy array is not allowed "
    "(CuPy refuses it too); move it explicitly with tensor.numpy() or backend.to_numpy()"
)
_MIXED = (
    "a host NumPy array was mixed with a fake-device array (CuPy refuses this too); "
    "move the host array to the device first"
)


def _unwrap(value: Any) -> Any:
    """Strip StrictArray wrappers from an argument tree, refusing host arrays."""
    if isinstance(value, StrictArray):
        return value._array
    if isinstance(value, np.ndarray):
        raise TypeError(_MIXED)
    if isinstance(value, (list, tuple)):
        return type(value)(_unwrap(item) for item in value)
    if isinstance(value, dict):
        return {key: _unwrap(item) for key, item in value.items()}
    return value


def _wrap(value: Any) -> Any:
    """Wrap NumPy results as StrictArrays; CuPy also returns 0-d arrays, not scalars."""
    if isinstance(value, (np.ndarray, np.generic)):
        return StrictArray(np.asarray(value))
    if isinstance(value, (list, tuple)):
        return type(value)(_wrap(item) for item in value)
    return value


def _index(key: Any) -> Any:
    """Indices may be host arrays (CuPy copies them over), so only unwrap device ones."""
    if isinstance(key, StrictArray):
        return key._array
    if isinstance(key, tuple):
        return tuple(_index(part) for part in key)
    return key


class StrictArray:
    """A NumPy array on the fake device: usable like a CuPy array, never silently host."""

    __slots__ = ("_array",)
    __array_priority__ = 100

    def __init__(self, array: np.ndarray) -> None:
        self._array = array

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        raise TypeError(_IMPLICIT)

    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any) -> Any:
        return _wrap(getattr(ufunc, method)(*_unwrap(inputs), **_unwrap(kwargs)))

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        return _wrap(func(*_unwrap(args), **_unwrap(kwargs)))

    def get(self) -> np.ndarray:
        """Copy to the host, like ``cupy.ndarray.get``."""
        return self._array.copy()

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):  # never forward __array_interface__ and friends
            raise AttributeError(name)
        attribute = getattr(self._array, name)
        if not callable(attribute):
            return _wrap(attribute) if name == "T" else attribute
        return lambda *args, **kwargs: _wrap(attribute(*_unwrap(args), **_unwrap(kwargs)))

    def __getitem__(self, key: Any) -> StrictArray:
        return _wrap(self._array[_index(key)])

    def __setitem__(self, key: Any, value: Any) -> None:
        self._array[_index(key)] = _unwrap(value)

    def __len__(self) -> int:
        return len(self._array)

    def __iter__(self):
        return (_wrap(row) for row in self._array)

    def __repr__(self) -> str:
        return f"fake_{self._array!r}"

    # Scalar conversions synchronise on a GPU but are allowed there, so they are here too.
    def __bool__(self) -> bool:
        return bool(self._array)

    def __float__(self) -> float:
        return float(self._array)

    def __int__(self) -> int:
        return int(self._array)


def _operator(ufunc: np.ufunc, reflected: bool = False):
    if reflected:
        return lambda self, other: ufunc(other, self)
    return lambda self, other: ufunc(self, other)


for _name, _ufunc in {
    "add": np.add, "sub": np.subtract, "mul": np.multiply, "truediv": np.true_divide,
    "floordiv": np.floor_divide, "mod": np.remainder, "pow": np.power, "matmul": np.matmul,
    "and": np.bitwise_and, "or": np.bitwise_or, "xor": np.bitwise_xor,
}.items():
    setattr(StrictArray, f"__{_name}__", _operator(_ufunc))
    setattr(StrictArray, f"__r{_name}__", _operator(_ufunc, reflected=True))
for _name, _ufunc in {
    "lt": np.less, "le": np.less_equal, "gt": np.greater, "ge": np.greater_equal,
    "eq": np.equal, "ne": np.not_equal,
}.items():
    setattr(StrictArray, f"__{_name}__", _operator(_ufunc))
for _name, _ufunc in {"neg": np.negative, "pos": np.positive, "abs": np.absolute,
                      "invert": np.invert}.items():
    setattr(StrictArray, f"__{_name}__", lambda self, _u=_ufunc: _u(self))
for _name in ("iadd", "isub", "imul", "itruediv"):
    _inplace = getattr(operator, _name)

    def _method(self, other, _op=_inplace):
        _op(self._array, _unwrap(other))
        return self

    setattr(StrictArray, f"__{_name}__", _method)
StrictArray.__hash__ = None  # type: ignore[assignment]  # arrays are unhashable


class _StrictUfunc:
    """A NumPy ufunc that, like CuPy's, refuses host arrays (``ufunc.at`` takes host indices)."""

    def __init__(self, ufunc: np.ufunc) -> None:
        self._ufunc = ufunc

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return _wrap(self._ufunc(*_unwrap(args), **_unwrap(kwargs)))

    def at(self, target: StrictArray, indices: Any, values: Any = None) -> None:
        self._ufunc.at(_unwrap(target), _index(indices), _unwrap(values))

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._ufunc, name)
        if not callable(method):
            return method
        return lambda *args, **kwargs: _wrap(method(*_unwrap(args), **_unwrap(kwargs)))


class _StrictNumpy:
    """The fake device's stand-in for the ``cupy`` module: NumPy behind a strict wall."""

    # Only these accept host arrays: they are the explicit host-to-device transfer.
    _TRANSFERS = ("asarray", "array", "asanyarray")

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(np, name)
        if isinstance(attribute, np.ufunc):
            return _StrictUfunc(attribute)
        if isinstance(attribute, type) or not callable(attribute):  # dtypes and constants
            return attribute
        if name in self._TRANSFERS:
            return lambda obj, *args, **kwargs: _wrap(
                attribute(_index(obj), *_unwrap(args), **_unwrap(kwargs))
            )
        return lambda *args, **kwargs: _wrap(attribute(*_unwrap(args), **_unwrap(kwargs)))

    def __repr__(self) -> str:
        return "<strict fake-device array module>"


strict_numpy = _StrictNumpy()
