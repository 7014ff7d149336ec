"""Layers that merge several inputs into one: ``Concatenate``, ``Add``, ``Subtract``,
``Multiply``, ``Average``, and their functions (``layers.concatenate([a, b])``)."""

from __future__ import annotations

from functools import reduce
from typing import Any

from tinydl import backend, check, ops
from tinydl.autograd import Tensor
from tinydl.keras._args import fits, missing_names
from tinydl.keras.layer import Layer


def _arrays(masks: list[Any]) -> list[Any]:
    return [m.array if isinstance(m, Tensor) else m for m in masks]


class _Merge(Layer):
    """A layer of a list of inputs, ``layer([a, b, ...])``."""

    supports_masking = True
    least = 2

    def build(self, input_shape: Any) -> None:
        if not isinstance(input_shape, (list, tuple)) or len(input_shape) < self.least or not all(
            isinstance(shape, (list, tuple)) for shape in input_shape
        ):
            raise ValueError(f"layers.{type(self).__name__} {self.name!r} needs a list of at "
                             f"least {self.least} inputs, got {input_shape!r}")
        self.check_shapes([tuple(shape) for shape in input_shape])
        self.built = True

    def check_shapes(self, shapes: list[tuple]) -> None:
        """Element-wise merges need one shape (``None`` matching anything)."""
        if not all(fits(shape, shapes[0]) for shape in shapes[1:]):
            raise ValueError(f"layers.{type(self).__name__} {self.name!r} needs inputs of one "
                             f"shape, got {', '.join(map(str, shapes))}")

    def compute_output_shape(self, input_shape: Any) -> Any:
        first = input_shape[0]
        return tuple(next((s[i] for s in input_shape if s[i] is not None), None)
                     for i in range(len(first)))

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        """Real where any input is real, if every input has a mask (Keras's rule)."""
        if mask is None or any(m is None for m in mask):
            return None
        return Tensor(reduce(lambda a, b: a | b, _arrays(mask)))

    def merge(self, inputs: list[Tensor]) -> Tensor:
        raise NotImplementedError

    def call(self, inputs: list[Tensor]) -> Tensor:
        return self.merge(list(inputs))


class Add(_Merge):
    """``Add()([a, b, ...])``: the element-wise sum."""

    def merge(self, inputs):
        return reduce(lambda a, b: a + b, inputs)


class Subtract(_Merge):
    """``Subtract()([a, b])``: a − b."""

    def build(self, input_shape: Any) -> None:
        if isinstance(input_shape, (list, tuple)) and len(input_shape) != 2:
            raise ValueError(f"layers.Subtract {self.name!r} needs exactly two inputs, got "
                             f"{len(input_shape)}")
        super().build(input_shape)

    def merge(self, inputs):
        return inputs[0] - inputs[1]


class Multiply(_Merge):
    """``Multiply()([a, b, ...])``: the element-wise product."""

    def merge(self, inputs):
        return reduce(lambda a, b: a * b, inputs)


class Average(_Merge):
    """``Average()([a, b, ...])``: the element-wise mean."""

    def merge(self, inputs):
        return reduce(lambda a, b: a + b, inputs) / len(inputs)


class Concatenate(_Merge):
    """``Concatenate(axis=-1)([a, b, ...])``: joined along ``axis`` (the features, by
    default); every other axis must agree."""

    arguments = ("axis",)
    least = 1

    def __init__(self, axis: int = -1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not check.is_int(axis) or axis == 0:
            raise ValueError(f"layers.Concatenate(): axis must be a non-batch axis (an integer "
                             f"other than 0), got {axis!r}")
        self.axis = axis

    def check_shapes(self, shapes):
        rank = len(shapes[0])
        axis = self.axis % rank if -rank <= self.axis < rank else None
        if axis is None or any(len(shape) != rank for shape in shapes) or any(
            len({shape[i] for shape in shapes} - {None}) > 1 for i in range(rank) if i != axis
        ):
            raise ValueError(f"layers.Concatenate {self.name!r}: inputs of shapes "
                             f"{', '.join(map(str, shapes))} cannot be joined along axis "
                             f"{self.axis}")

    def compute_output_shape(self, input_shape):
        shape = list(super().compute_output_shape(input_shape))
        axis = self.axis % len(shape)
        sizes = [s[axis] for s in input_shape]
        shape[axis] = None if None in sizes else sum(sizes)
        return tuple(shape)

    def compute_mask(self, inputs, mask=None):
        """Keras's rule: each input's mask spread over its features (all real for an input
        without one), joined like the inputs, then real where any feature is."""
        if mask is None or all(m is None for m in mask):
            return None
        xp = backend.array_module(inputs[0].array)
        spread = []
        for x, m in zip(inputs, _arrays(mask), strict=True):
            if m is None:
                m = xp.ones(x.shape, dtype=bool)
            elif m.ndim < x.ndim:
                m = xp.broadcast_to(m[..., None], x.shape)
            spread.append(m)
        return Tensor(xp.concatenate(spread, axis=self.axis).any(axis=-1))

    def merge(self, inputs):
        return ops.concatenate(inputs, axis=self.axis)


def _function(kind: type[_Merge]) -> Any:
    def merged(inputs: list[Any], **kwargs: Any) -> Any:
        return kind(**kwargs)(inputs)

    merged.__name__ = kind.__name__.lower()
    merged.__doc__ = f"``layers.{merged.__name__}(inputs)``: ``layers.{kind.__name__}()(inputs)``."
    return merged


add, subtract, multiply, average, concatenate = map(
    _function, (Add, Subtract, Multiply, Average, Concatenate))

__all__ = ["Add", "Average", "Concatenate", "Multiply", "Subtract", "add", "average",
           "concatenate", "multiply", "subtract"]
__getattr__ = missing_names("merging", __all__)
