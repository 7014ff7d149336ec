"""PyTorch-style custom Functions: a subclass of ``Function`` written with static methods,

    class LegendrePolynomial3(tinydl.autograd.Function):
        @staticmethod
        def forward(ctx, input):
            ctx.save_for_backward(input)
            return 0.5 * (5 * input ** 3 - 3 * input)

        @staticmethod
        def backward(ctx, grad_output):
            input, = ctx.saved_tensors
            return grad_output * 1.5 * (5 * input ** 2 - 1)

    y = LegendrePolynomial3.apply(x)

runs on tinydl's own graph. ``Function.apply`` sees the static ``forward`` and builds one
:class:`StaticFunctionNode` (of a subclass named after the user's class), an ordinary
tinydl Function whose ``forward`` and ``backward``
call the class's static ones with a :class:`FunctionCtx` and Tensors (where tinydl's own
ops take arrays). PyTorch's later form, a ``forward(*args)`` without ``ctx`` beside a static
``setup_context(ctx, inputs, output)``, runs too.

A node has one output, as every tinydl Function: a ``forward`` that returns a tuple is
refused with a message (split it into one Function per output).
"""

from __future__ import annotations

import functools
import inspect
from typing import Any

from tinydl.autograd.function import Function, is_grad_enabled, no_grad
from tinydl.autograd.tensor import Tensor
from tinydl.autograd.tensor_checks import broadcasts_to


def is_static_form(definition: type) -> bool:
    """Whether ``definition`` (a Function subclass) is written PyTorch's way, with a static
    ``forward``, rather than tinydl's (``forward(self, *arrays)``)."""
    return isinstance(inspect.getattr_static(definition, "forward"), staticmethod)


def _has_setup_context(definition: type) -> bool:
    return isinstance(inspect.getattr_static(definition, "setup_context", None), staticmethod)


class FunctionCtx:
    """PyTorch's ``ctx``: what a static ``forward`` leaves for ``backward``.

    ``save_for_backward(*tensors)`` keeps tensors (or None) that ``saved_tensors`` hands
    back; ``needs_input_grad`` has one bool per argument of ``forward``, True where that
    argument is a tensor whose gradient is wanted; any other attribute may be set
    (``ctx.constant = c``)."""

    def __init__(self, needs_input_grad: tuple[bool, ...]) -> None:
        self.needs_input_grad = needs_input_grad
        self.saved_tensors: tuple[Tensor | None, ...] = ()
        self.materialize_grads = True

    def save_for_backward(self, *tensors: Tensor | None) -> None:
        for position, value in enumerate(tensors):
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(
                    f"save_for_backward() keeps tensors (or None), got {type(value).__name__} "
                    f"at position {position}: keep other values as attributes, ctx.name = value"
                )
        self.saved_tensors = tensors

    def mark_non_differentiable(self, *outputs: Tensor) -> None:
        """Accepted: a one-output node's output is what it is; the gradient backward returns
        decides what flows."""

    def set_materialize_grads(self, value: bool) -> None:
        """Accepted: a tinydl node's one output always has a gradient when backward runs."""
        self.materialize_grads = bool(value)


class StaticFunctionNode(Function):
    """The graph node of one ``Definition.apply(*args)`` call: ``forward`` runs
    ``Definition.forward(ctx, *args)`` without recording, ``backward`` runs
    ``Definition.backward(ctx, grad_output)`` and keeps the gradients of the tensor
    arguments (the node's inputs), in order.

    d(output)/d(input) is whatever the definition's ``backward`` says it is:
    ``tinydl.gradcheck`` checks it like any other op's.
    """

    definition: type  # the user's class, set on the node class made for it (node_class)

    def __init__(self, args: tuple[Any, ...]) -> None:
        self.args = args
        self.positions = [i for i, value in enumerate(args) if isinstance(value, Tensor)]
        recording = is_grad_enabled()
        self.ctx = FunctionCtx(tuple(
            isinstance(value, Tensor) and value.requires_grad and recording for value in args
        ))

    def forward(self, *arrays):  # the tensors of self.args, as arrays; forward takes the tensors
        with no_grad():
            if _has_setup_context(self.definition):
                output = self.definition.forward(*self.args)
                self.definition.setup_context(self.ctx, self.args, output)
            else:
                output = self.definition.forward(self.ctx, *self.args)
        if not isinstance(output, Tensor):
            one = "a tuple: tinydl's Functions have one output, so split it into one " \
                  "Function per output" if isinstance(output, tuple) else type(output).__name__
            raise TypeError(f"{self.definition.__name__}.forward must return a Tensor, got {one}")
        return output.array

    def backward(self, gy):
        with no_grad():
            grads = self.definition.backward(self.ctx, Tensor(gy))
        grads = grads if isinstance(grads, tuple) else (grads,)
        name = f"{self.definition.__name__}.backward"
        if len(grads) != len(self.args):
            raise RuntimeError(
                f"{name} returned {len(grads)} gradient(s); forward took {len(self.args)} "
                f"argument(s) after ctx: return one per argument (None where there is none)"
            )
        for position, (value, grad) in enumerate(zip(self.args, grads, strict=True)):
            if grad is not None and not isinstance(value, Tensor):
                raise RuntimeError(
                    f"{name} returned a gradient at position {position}, whose forward "
                    f"argument is a {type(value).__name__}, not a tensor: return None there"
                )
        return tuple(_gradient_array(name, i, grads[i], self.args[i]) for i in self.positions)



def _gradient_array(name: str, position: int, grad: Any, value: Tensor) -> Any:
    """The array of ``grad``, the gradient returned for tensor argument ``value``."""
    if grad is None:
        return None
    if not isinstance(grad, Tensor):
        raise TypeError(
            f"{name} must return Tensors (or None), got {type(grad).__name__} at position "
            f"{position}"
        )
    if not broadcasts_to(grad.shape, value.shape):
        raise ValueError(
            f"{name} returned a gradient of shape {grad.shape} at position {position}, for an "
            f"input of shape {value.shape}"
        )
    return grad.array


def apply_static(definition: type, args: tuple[Any, ...]) -> Tensor:
    """``definition.apply(*args)`` for a Function written PyTorch's way: a graph node over
    the tensor arguments."""
    node = node_class(definition)(args)
    return node(*(args[i] for i in node.positions))


@functools.cache
def node_class(definition: type) -> type[StaticFunctionNode]:
    """The node class for ``definition``, named after it, so that ``y.grad_fn`` reads as
    PyTorch's (``LegendrePolynomial3Backward``) and names the class whose backward runs."""
    names = {"__module__": definition.__module__, "__qualname__": definition.__qualname__}
    return type(definition.__name__, (StaticFunctionNode,), {"definition": definition, **names})


def apply_own(definition: type, args: tuple[Any, ...]) -> Tensor:
    """``definition.apply(*tensors)`` for one of tinydl's own Functions: ``definition()``
    called on the tensors, when it is built without arguments."""
    needed = [
        name for name, parameter in inspect.signature(definition).parameters.items()
        if parameter.default is parameter.empty
        and parameter.kind not in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD)
    ]
    if needed:
        raise TypeError(
            f"{definition.__name__}.apply() builds {definition.__name__}() without arguments, "
            f"but it needs {', '.join(needed)}: call {definition.__name__}({', '.join(needed)})"
            f"(*tensors) instead"
        )
    return definition()(*args)
