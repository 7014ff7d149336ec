"""Backward tracing: watch the chain rule run, one Function at a time.

    with tinydl.viz.trace_backward(names=dict(model.named_parameters())):
        loss.backward()

prints, in the order the backward walk visits them, each op with its output
(shape and values), the gradient flowing into it (dLoss/d(output)) and the
gradient it hands to each of its inputs. Meant for small graphs: a two-layer
network on one sample reads in a screenful.

With ``local_derivatives=True`` each step also shows the chain rule's other factor, the
op's local derivative d(output)/d(input), wherever the op is element-wise in that input
(ReLU, sigmoid, a product, a broadcast sum): then "grad to" is "local" times "grad in",
element by element. A matrix product, a sum or a transpose has a Jacobian instead, not
one number per element, and the step says so. The local derivative is what the op's own
backward hands back for an output gradient of ones; the op counts as element-wise in an
input when it hands back local × g for a second, uneven output gradient g as well.

How it works, without touching the engine: inside the block,
``tinydl.autograd.function.run_backward`` is replaced by a version that first
wraps the ``backward`` method of every Function in the graph (an instance
attribute shadowing the class's method), then runs the real walk. The wrappers
go away with the graph, or are removed afterwards when the graph is kept.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from tinydl import backend
from tinydl.autograd import Function, Tensor
from tinydl.autograd import function as engine
from tinydl.autograd.function import sum_to_shape, topological_order

LABEL_WIDTH = 20


@dataclass(frozen=True)
class InputGradient:
    """What one input of a traced op received: ``gradient`` is None for a constant."""

    source: str  # "#3 MatMul" for an op's output, a parameter's name, "leaf" or "constant"
    shape: tuple[int, ...]
    gradient: str | None
    broadcast_from: tuple[int, ...] | None  # the shape the op's gradient had before summing
    local: str | None = None  # d(output)/d(input) per element, "" where not element-wise


@dataclass(frozen=True)
class TraceStep:
    """One op as backward visited it."""

    number: int
    op: str
    output_shape: tuple[int, ...]
    output_dtype: str
    output: str
    grad_output: str
    inputs: tuple[InputGradient, ...]

    def lines(self) -> list[str]:
        shape = _shape(self.output_shape)
        lines = [
            f"#{self.number} {self.op} -> {shape} {self.output_dtype}",
            f"     {'value'.ljust(LABEL_WIDTH)} {self.output}",
            f"     {'grad in'.ljust(LABEL_WIDTH)} {self.grad_output}",
        ]
        for given in self.inputs:
            label = f"grad to {given.source}".ljust(LABEL_WIDTH)
            if given.gradient is None:
                lines.append(f"     {label} {_shape(given.shape)} none (needs no gradient)")
                continue
            if given.local is not None:
                local = given.local or f"not element-wise: see the docstring of {self.op}"
                lines.append(f"     {'local d/d ' + given.source:<{LABEL_WIDTH}} {local}")
            note = ""
            if given.broadcast_from is not None:
                note = f"  (summed from {_shape(given.broadcast_from)}: it was broadcast)"
            lines.append(f"     {label} {_shape(given.shape)} {given.gradient}{note}")
        return lines


def summarize(array: Any, max_values: int = 8) -> str:
    """The values of a small array (``max_values`` or fewer), else its min, mean and max."""
    host = backend.to_numpy(array)
    if host.size == 0:
        return "(empty)"
    if host.ndim == 0:
        return _number(host.item())
    if host.size <= max_values:
        return _nested(host.tolist())
    return (
        f"min {_number(host.min().item())}  mean {_number(host.mean().item())}  "
        f"max {_number(host.max().item())}"
    )


def _nested(values: list[Any]) -> str:
    """[[1, 2], [3, 4]] with every number in 4 significant digits."""
    return "[" + ", ".join(_nested(v) if isinstance(v, list) else _number(v) for v in values) + "]"


def _number(value: float | int | bool) -> str:
    # + 0.0 prints ReLU's -0.0 (a negative gradient times a zero mask) as 0
    return f"{value + 0.0:.4g}" if isinstance(value, float) else str(value)


def _shape(shape: tuple[int, ...]) -> str:
    return "(" + ", ".join(map(str, shape)) + ("," if len(shape) == 1 else "") + ")"


@contextlib.contextmanager
def trace_backward(
    names: Mapping[str, Tensor] | None = None,
    print_fn: Callable[[str], None] | None = print,
    max_values: int = 8,
    local_derivatives: bool = False,
) -> Iterator[list[TraceStep]]:
    """Trace every ``backward()`` run inside the block; yields the list of steps it fills.

    ``names`` labels tensors (e.g. ``dict(model.named_parameters())``); arrays of at
    most ``max_values`` elements are printed in full. ``print_fn=None`` only records.
    ``local_derivatives`` adds each op's local derivative (see the module's doc).
    """
    labels = {id(t): name for name, t in (names or {}).items()}
    steps: list[TraceStep] = []
    untraced = engine.run_backward

    def traced_run_backward(root: Tensor, grad: Any, retain_graph: bool = False) -> None:
        wrapped = _wrap_graph(root, labels, steps, print_fn, max_values, local_derivatives)
        try:
            untraced(root, grad, retain_graph)
        finally:
            for function in wrapped:  # still there only where retain_graph kept the graph
                function.__dict__.pop("backward", None)

    engine.run_backward = traced_run_backward
    try:
        yield steps
    finally:
        engine.run_backward = untraced


def trace(
    loss: Tensor,
    names: Mapping[str, Tensor] | None = None,
    print_fn: Callable[[str], None] | None = print,
    max_values: int = 8,
    local_derivatives: bool = False,
) -> list[TraceStep]:
    """Run ``loss.backward()`` under :func:`trace_backward` and return the steps."""
    if not isinstance(loss, Tensor):
        raise TypeError(f"trace expects the Tensor to run backward from, got {type(loss).__name__}")
    with trace_backward(names, print_fn, max_values, local_derivatives) as steps:
        loss.backward()
    return steps


def _wrap_graph(
    root: Tensor,
    labels: dict[int, str],
    steps: list[TraceStep],
    print_fn: Callable[[str], None] | None,
    max_values: int,
    local_derivatives: bool,
) -> list[Function]:
    """Make each Function under ``root`` report its backward call; returns them."""
    if root.creator is None:
        return []
    order = list(reversed(topological_order(root.creator)))  # the order backward visits
    number = {id(f): i for i, f in enumerate(order, start=1)}
    output_of = {id(root.creator): root}  # a Function keeps its inputs, not its output
    for function in order:
        for t in function.inputs:
            if t.creator is not None:
                output_of[id(t.creator)] = t
    if print_fn is not None:
        print_fn(
            f"backward through {len(order)} ops, in the order it visits them "
            "(grad in = dLoss/d(op output); grad to = what each input receives)"
        )

    def source(t: Tensor) -> str:
        if t.creator is not None:
            return f"#{number[id(t.creator)]} {type(t.creator).__name__}"
        return labels.get(id(t), "leaf" if t.requires_grad else "constant")

    def wrap(function: Function) -> None:
        untraced = function.backward
        output = output_of[id(function)]

        def traced(grad_output: Any) -> Any:
            local = _local_derivatives(untraced, grad_output) if local_derivatives else None
            returned = untraced(grad_output)
            grads = _as_tuple(returned)
            inputs = []
            for i, (t, g) in enumerate(zip(function.inputs, grads, strict=False)):
                if g is None or not t.requires_grad:
                    inputs.append(InputGradient(source(t), t.shape, None, None))
                    continue
                summed = sum_to_shape(g, t.shape)  # what the engine will hand the input
                broadcast = tuple(g.shape) if tuple(g.shape) != t.shape else None
                shown = None
                if local is not None:
                    shown = "" if local[i] is None else summarize(local[i], max_values)
                inputs.append(
                    InputGradient(
                        source(t), t.shape, summarize(summed, max_values), broadcast, shown
                    )
                )
            step = TraceStep(
                number[id(function)],
                type(function).__name__,
                output.shape,
                str(output.dtype),
                summarize(output.array, max_values),
                summarize(grad_output, max_values),
                tuple(inputs),
            )
            steps.append(step)
            if print_fn is not None:
                for line in step.lines():
                    print_fn(line)
            return returned

        function.backward = traced  # shadows the class's method on this instance only

    for function in order:
        wrap(function)
    return order


def _as_tuple(grads: Any) -> tuple[Any, ...]:
    return grads if isinstance(grads, tuple) else (grads,)


def _local_derivatives(backward: Callable[[Any], Any], grad_output: Any) -> list[Any | None]:
    """For each input of the op whose ``backward`` this is: its local derivative
    d(output)/d(input), one number per output element, where the op is element-wise in that
    input; None where it is not (or the input gets no gradient).

    The candidate is what backward hands back for an output gradient of ones; it is the
    local derivative only if backward hands back candidate × g for an uneven g too (a
    transpose, say, hands back gᵀ, and a product of matrices mixes the elements).
    """
    xp = backend.array_module(grad_output)
    ones = xp.ones_like(grad_output)
    uneven = (1 + (xp.arange(grad_output.size) % 7) / 7).astype(grad_output.dtype)
    uneven = uneven.reshape(grad_output.shape)
    # Copies: a backward may reuse the gradient it is given as its own output array.
    at_ones = _as_tuple(backward(ones.copy()))
    at_uneven = _as_tuple(backward(uneven.copy()))
    local: list[Any | None] = []
    for candidate, product in zip(at_ones, at_uneven, strict=True):
        elementwise = (
            candidate is not None
            and tuple(candidate.shape) == tuple(grad_output.shape)
            and bool(xp.allclose(candidate * uneven, product, rtol=1e-5, atol=1e-12))
        )
        local.append(candidate if elementwise else None)
    return local
