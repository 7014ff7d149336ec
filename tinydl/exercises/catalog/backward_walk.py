"""Exercise 5, backward_walk: the topological order and the backward walk of tinydl/minimal.py.

The hints and the check of the stub ``stubs/backward_walk.py``.

The check builds graphs with minimal's own ops and runs the learner's two functions on
them. Every Function's backward is watched while the learner's walk runs, so a walk that
passes a gradient on before it is complete, or runs a Function twice, is stopped at that
moment with the two Functions named; afterwards every tensor's gradient is compared with
minimal's own backward on an identical graph.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from tinydl import minimal
from tinydl.exercises.checker import Failure, learner_attribute, learner_code, random_arrays
from tinydl.exercises.diagnosis import Mismatch, close, value_cause, worst_index
from tinydl.exercises.exercise import ENGINE_HINTS, Exercise

CHAIN_LENGTH = 5000  # far deeper than Python's ~1,000 nested calls


@dataclass
class Graph:
    """A graph of minimal's Tensors, its root, and names for the tensors that have one."""

    label: str
    root: minimal.Tensor = None  # type: ignore[assignment]
    names: dict[int, str] = field(default_factory=dict)

    def name(self, tensor: minimal.Tensor, name: str) -> minimal.Tensor:
        self.names[id(tensor)] = name
        return tensor

    def describe(self, tensor: minimal.Tensor) -> str:
        if id(tensor) in self.names:
            return self.names[id(tensor)]
        if tensor.creator is None:
            return f"a constant of shape {tensor.data.shape}"
        return f"an output of {type(tensor.creator).__name__}"

    def tensors(self) -> list[minimal.Tensor]:
        """minimal's own order: inputs first, root last."""
        return minimal.graph_in_order(self.root)


def used_twice() -> Graph:
    """x is used by two Adds: whichever runs first hands its output's gradient array to both
    of its inputs, so a walk that adds into a gradient in place corrupts the other."""
    graph = Graph("L = Σ (x + w)·(x + v), where x is used twice")
    x0, w0, v0 = random_arrays(13, (3,), (3,), (3,))
    x, w, v = (graph.name(minimal.Tensor(a), n) for a, n in zip((x0, w0, v0), "xwv", strict=True))
    s = graph.name(x + w, "s = x + w")
    t = graph.name(x + v, "t = x + v")
    graph.root = graph.name(graph.name(s * t, "s·t").sum(), "L")
    return graph


def small_mlp() -> Graph:
    graph = Graph("a two-layer MLP's squared error, L = Σ (relu(x W₁ + b₁) W₂ + b₂ − y)²")
    arrays = random_arrays(14, (4, 3), (3, 5), (5,), (5, 2), (2,), (4, 2))
    x, w1, b1, w2, b2, y = (
        graph.name(minimal.Tensor(a), n)
        for a, n in zip(arrays, ("x", "W₁", "b₁", "W₂", "b₂", "y"), strict=True)
    )
    h = graph.name((graph.name(graph.name(x @ w1, "x W₁") + b1, "x W₁ + b₁")).relu(), "h")
    out = graph.name(graph.name(h @ w2, "h W₂") + b2, "out = h W₂ + b₂")
    error = graph.name(out - y, "error = out − y")
    graph.root = graph.name(graph.name(error * error, "error²").sum(), "L")
    return graph


def long_chain() -> Graph:
    graph = Graph(f"a chain of {CHAIN_LENGTH:,} additions, L = Σ (x + 1 + 1 + ...)")
    tensor = graph.name(minimal.Tensor(np.linspace(-1.0, 1.0, 3)), "x")
    for _ in range(CHAIN_LENGTH):
        tensor = tensor + 1.0
    graph.root = graph.name(tensor.sum(), "L")
    return graph


GRAPHS = (used_twice, small_mlp, long_chain)


# ---- graph_in_order ------------------------------------------------------------------------


def check_order(graph_in_order: Callable[[Any], Any], graph: Graph, path: Path) -> None:
    """The learner's list holds every tensor of the graph once, each after its inputs."""
    with learner_code(path, f"graph_in_order for {graph.label}"):
        order = list(graph_in_order(graph.root))
    where = f"for {graph.label}"
    strangers = [item for item in order if not isinstance(item, minimal.Tensor)]
    if strangers:
        raise Failure(
            f"graph_in_order returned a {type(strangers[0]).__name__} among the tensors {where}",
            cause="the list holds the graph's tensors themselves (minimal.Tensor), not their "
            "data, their creators or pairs",
        )
    expected = graph.tensors()
    counts = Counter(id(tensor) for tensor in order)
    repeated = next((tensor for tensor in order if counts[id(tensor)] > 1), None)
    if repeated is not None:
        uses = _uses(graph, repeated)
        raise Failure(
            f"graph_in_order lists {graph.describe(repeated)} {counts[id(repeated)]} times "
            f"{where}",
            cause=f"listed more than once: {graph.describe(repeated)} is used by {len(uses)} "
            f"functions ({', '.join(uses)}), so the walk reaches it along {len(uses)} paths",
        )
    missing = [tensor for tensor in expected if id(tensor) not in counts]
    if missing:
        raise Failure(
            f"graph_in_order leaves out {len(missing)} of the graph's {len(expected)} "
            f"tensors {where}, among them {graph.describe(missing[0])}",
            cause=_missing_cause(graph, missing),
        )
    members = {id(tensor) for tensor in expected}
    if any(id(tensor) not in members for tensor in order):
        raise Failure(
            f"graph_in_order lists tensors that {graph.describe(graph.root)} was not computed "
            f"from {where}"
        )
    position = {id(tensor): i for i, tensor in enumerate(order)}
    for tensor in order:
        for parent in tensor.creator.inputs if tensor.creator is not None else ():
            if position[id(parent)] > position[id(tensor)]:
                reversed_ok = _is_topological(graph, order[::-1])
                raise Failure(
                    f"graph_in_order lists {graph.describe(tensor)} before "
                    f"{graph.describe(parent)}, one of the tensors it was made from, {where}",
                    cause="the order is reversed: your list starts at the root and ends at the "
                    "inputs, but each tensor belongs after the tensors it was made from"
                    if reversed_ok
                    else None,
                )


def _is_topological(graph: Graph, order: list[minimal.Tensor]) -> bool:
    position = {id(tensor): i for i, tensor in enumerate(order)}
    return all(
        position[id(parent)] < position[id(tensor)]
        for tensor in order
        if tensor.creator is not None
        for parent in tensor.creator.inputs
    )


def _missing_cause(graph: Graph, missing: list[minimal.Tensor]) -> str | None:
    if any(tensor is graph.root for tensor in missing):
        return f"the root itself is missing: {graph.describe(graph.root)} is part of its graph"
    if all(tensor.creator is None for tensor in missing):
        return (
            "only tensors that no function made are missing (the inputs, parameters and "
            "constants): they belong to the graph too, and backward gives them gradients"
        )
    return None


def _uses(graph: Graph, tensor: minimal.Tensor) -> list[str]:
    """Which functions use ``tensor``, once per use, named by what they make."""
    return [
        f"the {type(made.creator).__name__} making {graph.describe(made)}"
        for made in graph.tensors()
        if made.creator is not None
        for parent in made.creator.inputs
        if parent is tensor
    ]


# ---- backward --------------------------------------------------------------------------------


class Watch:
    """Wraps every Function of a graph so that each call of its backward is checked as it
    happens: called once, after every Function that uses its output, with a gradient."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.made_by = {id(t.creator): t for t in graph.tensors() if t.creator is not None}
        self.users: dict[int, list[minimal.Function]] = {}  # id(tensor): each use's Function
        for made in self.made_by.values():
            for parent in made.creator.inputs:
                self.users.setdefault(id(parent), []).append(made.creator)
        self.calls: Counter[int] = Counter()
        self.sent: dict[int, tuple[np.ndarray, ...]] = {}  # copies of what each backward returned
        for made in self.made_by.values():
            made.creator.backward = self._watched(made.creator, made.creator.backward)

    def _watched(
        self, function: minimal.Function, original: Callable[..., Any]
    ) -> Callable[..., Any]:
        graph, output = self.graph, self.made_by[id(function)]
        title = f"the backward of the {type(function).__name__} making {graph.describe(output)}"

        def backward(grad: Any) -> Any:
            self.calls[id(function)] += 1
            if self.calls[id(function)] > 1:
                raise Failure(
                    f"{title} ran twice for {graph.label}",
                    cause="a function's backward runs once, when its output's gradient is "
                    "complete; running it again sends every contribution twice",
                )
            waiting = [user for user in self.users.get(id(output), []) if not self.calls[id(user)]]
            if waiting:
                raise Failure(
                    f"{title} ran before the backward of the {type(waiting[0]).__name__} "
                    f"making {graph.describe(self.made_by[id(waiting[0])])}, which uses it, for "
                    f"{graph.label}",
                    cause=f"out of order: the gradient of {graph.describe(output)} was passed "
                    f"on before every function that uses it had sent its share",
                )
            if grad is None:
                raise Failure(
                    f"{title} was given None as the gradient of {graph.describe(output)} for "
                    f"{graph.label}",
                    cause="the root's gradient was never set: the walk starts from dL/dL"
                    if output is graph.root
                    else None,
                )
            returned = original(grad)
            self.sent[id(function)] = tuple(np.array(g, dtype=float) for g in returned)
            return returned

        return backward

    def contributions(self, tensor: minimal.Tensor) -> list[np.ndarray]:
        """What each use of ``tensor`` sent it, one array per use."""
        return [
            self.sent[id(made.creator)][position]
            for made in self.made_by.values()
            if id(made.creator) in self.sent
            for position, parent in enumerate(made.creator.inputs)
            if parent is tensor
        ]


def check_backward(backward: Callable[[Any], Any], build: Callable[[], Graph], path: Path) -> None:
    """The learner's backward on ``build()``'s graph, watched, against minimal's own."""
    graph, reference = build(), build()
    reference.root.backward()
    watch = Watch(graph)
    with learner_code(path, f"backward for {graph.label}"):
        backward(graph.root)
    where = f"for {graph.label}"
    # From the root down: a wrong gradient spreads to everything below it.
    pairs = list(zip(graph.tensors(), reference.tensors(), strict=True))[::-1]
    for tensor, right in pairs:
        name = graph.describe(tensor)
        if tensor.grad is None:
            raise Failure(
                f"{name} has no grad after backward {where}",
                cause="the root's grad was never set: the walk starts from dL/dL"
                if tensor is graph.root
                else f"never reached: no function sent {name} a gradient",
            )
        learned = np.asarray(tensor.grad, dtype=float)
        if learned.shape != right.grad.shape:
            raise Failure(
                f"the grad of {name} has shape {learned.shape} after backward {where}, but "
                f"{name} has shape {right.grad.shape}: a gradient has the shape of what it is "
                f"the gradient of"
            )
        if close(learned, right.grad):
            continue
        index = worst_index(learned, right.grad)
        raise Failure(
            f"the grad of {name} is wrong {where}: worst at index {index}, yours "
            f"{learned[index]:.6g}, expected {right.grad[index]:.6g} (minimal's own backward)",
            cause=_lost_contribution(graph, watch, tensor, learned)
            or _shared_array(graph, tensor)
            or value_cause(Mismatch(f"the grad of {name}", learned, right.grad)),
        )


def _lost_contribution(
    graph: Graph, watch: Watch, tensor: minimal.Tensor, learned: np.ndarray
) -> str | None:
    sent = watch.contributions(tensor)
    if len(sent) < 2:
        return None
    for kept in range(1, len(sent)):
        for start in range(len(sent)):
            part = sum(sent[(start + k) % len(sent)] for k in range(kept))
            if close(learned, part):
                uses = _uses(graph, tensor)
                return (
                    f"contributions lost: {graph.describe(tensor)} is used {len(uses)} times "
                    f"({', '.join(uses)}), but its grad holds what only {kept} of those uses "
                    f"sent: the rest was overwritten"
                )
    return None


def _shared_array(graph: Graph, tensor: minimal.Tensor) -> str | None:
    twin = next(
        (other for other in graph.tensors() if other is not tensor and other.grad is tensor.grad),
        None,
    )
    if twin is None:
        return None
    return (
        f"one array, two gradients: the grad of {graph.describe(tensor)} is the very array "
        f"that is also the grad of {graph.describe(twin)} (an Add hands its output's gradient "
        f"array to both of its inputs), so adding into one of them in place changed the other"
    )


def check(module: ModuleType) -> None:
    path = Path(module.__file__)
    graph_in_order = learner_attribute(module, "graph_in_order")
    backward = learner_attribute(module, "backward")
    for build in GRAPHS:
        check_order(graph_in_order, build(), path)
    for build in GRAPHS:
        check_backward(backward, build, path)


EXERCISE = Exercise(
    "backward_walk",
    "the topological order and the backward walk of the engine",
    (
        "graph_in_order: a tensor may be written down once everything it was made from is "
        "written down, so visit its inputs first, and remember which tensors you have met "
        "(a tensor used twice is reached twice). backward: in which order must the tensors "
        "be visited for every gradient to be complete before it is passed on?",
        "graph_in_order is a depth-first search that writes a tensor down on its second "
        "visit, after its inputs: keep a stack of (tensor, inputs_listed) pairs instead of "
        "recursing. backward walks that list from its end (the root) to its start: every "
        "function that uses a tensor comes before it, so by then its gradient is the sum of "
        "what every use sent",
        "order, seen, stack = [], set(), [(root, False)]; while stack: tensor, done = "
        "stack.pop(); if done: order.append(tensor); elif id(tensor) not in seen: "
        "seen.add(id(tensor)), stack.append((tensor, True)), then push (parent, False) for "
        "each of tensor.creator.inputs. backward: root.grad = np.ones_like(root.data); for "
        "tensor in reversed(graph_in_order(root)) with a creator: for each parent and grad "
        "of zip(creator.inputs, creator.backward(tensor.grad)): parent.grad = grad if "
        "parent.grad is None else parent.grad + grad",
    ),
    ("stack.append((tensor, True))", "reversed(graph_in_order(root))", "parent.grad + grad"),
    check,
    hint_kinds=ENGINE_HINTS,
)
