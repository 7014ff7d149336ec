"""The ``parameters`` argument shared by optimisers, clipping and penalties: checking it,
and clearing its gradients."""

from __future__ import annotations

from collections.abc import Iterable

from tinydl import backend
from tinydl.autograd import tensor_checks
from tinydl.autograd.tensor import Tensor


def as_parameter_list(parameters: Iterable[Tensor], caller: str) -> list[Tensor]:
    """``parameters`` (a list, a generator such as ``model.parameters()``, ...) as a list of
    distinct Tensors, or a clear error naming ``caller`` and what was wrong."""
    if isinstance(parameters, Tensor):
        raise TypeError(
            f"{caller} needs an iterable of tensors such as model.parameters(), got a single "
            "tensor: wrap it in a list, e.g. [weight]"
        )
    if callable(getattr(parameters, "parameters", None)):  # a Module: a common first slip
        raise TypeError(
            f"{caller} needs the model's parameters, got the model itself "
            f"({type(parameters).__name__}): pass model.parameters()"
        )
    try:
        parameters = list(parameters)
    except TypeError:
        raise TypeError(
            f"{caller} needs an iterable of tensors such as model.parameters(), "
            f"got {type(parameters).__name__}"
        ) from None
    if not parameters:
        raise ValueError(
            f"{caller} got no parameters: the list is empty, or it was a generator that was "
            "already used up (call model.parameters() again for each use)"
        )
    seen: dict[int, int] = {}
    for position, parameter in enumerate(parameters):
        tensor_checks.tensor(caller, f"parameter {position}", parameter)
        first = seen.setdefault(id(parameter), position)
        if first != position:
            raise ValueError(
                f"{caller}: parameter {position} is the same tensor as parameter {first}; "
                "pass each tensor once"
            )
    return parameters


def zero_gradients(parameters: Iterable[Tensor], set_to_none: bool) -> None:
    """``grad = None`` for each parameter, or zeros of its shape with ``set_to_none=False``
    (a new array: one gradient array may be shared by two parameters)."""
    for parameter in parameters:
        if parameter.grad is None:
            continue
        if set_to_none:
            parameter.grad = None
        else:
            grad = parameter.grad.array
            parameter.grad = Tensor(backend.array_module(grad).zeros_like(grad))
