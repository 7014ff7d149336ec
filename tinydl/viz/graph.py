"""The computational graph of a tensor: recorded, written as Graphviz DOT text, and drawn
(with Graphviz when it is installed, else with matplotlib).

Tensors are boxes and Functions are ovals named after their class; edges follow the
forward pass, input -> op -> output. As in micrograd's drawing, each tensor's box shows its
value and its gradient beside its shape: its name when one is given (parameters are
blue, other leaves grey), ``shape dtype``, ``value`` (the numbers of a small tensor, else
min, mean and max) and ``grad``, once a backward pass has filled it in.

:class:`Graph` records the graph when it is made, so it can be drawn after ``backward()``
has freed the engine's own copy; it also asks every computed tensor to keep its gradient
(``retain_grad``), so that the drawing shows dLoss/dtensor at every box, not only at the
parameters. The walk is iterative, so a graph thousands of ops deep is no problem.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from tinydl.autograd import Function, Tensor
from tinydl.errors import TinyDLError
from tinydl.viz.trace import summarize

NO_DRAWING_HELP = (
    "Neither Graphviz nor matplotlib is installed, so the graph cannot be drawn. Install "
    "matplotlib (pip install 'tinydl-edu[plot]') or Graphviz's 'dot' program (apt install "
    "graphviz, brew install graphviz or conda install graphviz). Without either, write the "
    "DOT text with tinydl.viz.to_dot(tensor) and open it in any Graphviz viewer."
)
SUMMARY_VALUES = 4  # a tensor with this many numbers or fewer shows them all


class GraphvizNotInstalledError(TinyDLError, RuntimeError):
    """Drawing a graph needs Graphviz or matplotlib, and neither is installed."""


@dataclass(frozen=True)
class GraphNode:
    """One box (a tensor) or oval (an op) of a :class:`Graph`."""

    key: str  # "t3" for a tensor, "f4" for a Function
    role: str  # "op", "parameter" (a leaf that trains), "constant" (one that does not), "computed"
    name: str  # the op's class name, or the tensor's name ("" when it has none)
    tensor: Tensor | None  # None for an op

    def lines(self) -> list[str]:
        """The label: an op's name; a tensor's name, shape and dtype, value and gradient."""
        if self.tensor is None:
            return [self.name]
        t = self.tensor
        shape = "(" + ", ".join(map(str, t.shape)) + ("," if t.ndim == 1 else "") + ")"
        lines = [self.name] if self.name else []
        lines += [f"{shape} {t.dtype}", "value " + summarize(t.array, SUMMARY_VALUES)]
        if t.grad is not None:
            lines.append("grad " + summarize(t.grad.array, SUMMARY_VALUES))
        return lines


class Graph:
    """The graph that produced ``tensor``, recorded now; ``names`` labels tensors, e.g.
    ``dict(model.named_parameters())``.

    Record it before ``backward()`` (which frees the engine's graph); run backward, and the
    drawing shows every tensor's gradient too. ``nodes`` start with ``tensor`` itself;
    ``edges`` are ``(from key, to key)`` pairs, one per use (an op that takes the same
    tensor twice has two edges from it).
    """

    def __init__(self, tensor: Tensor, names: Mapping[str, Tensor] | None = None) -> None:
        if not isinstance(tensor, Tensor):
            raise TypeError(
                f"Graph expects the Tensor whose graph to record, got {type(tensor).__name__}"
            )
        labels = {id(t): name for name, t in (names or {}).items()}
        self.nodes: list[GraphNode] = []
        self.edges: list[tuple[str, str]] = []
        keys: dict[int, str] = {}

        def tensor_node(t: Tensor) -> str:
            if id(t) not in keys:
                keys[id(t)] = f"t{len(keys)}"
                if t.is_leaf:
                    role = "parameter" if t.requires_grad else "constant"
                else:
                    role = "computed"
                    if t.requires_grad:
                        t.retain_grad()  # so that the drawing can show dLoss/dt
                self.nodes.append(GraphNode(keys[id(t)], role, labels.get(id(t), ""), t))
            return keys[id(t)]

        def function_node(f: Function) -> str:
            keys[id(f)] = f"f{len(keys)}"
            self.nodes.append(GraphNode(keys[id(f)], "op", type(f).__name__, None))
            return keys[id(f)]

        root = tensor_node(tensor)
        pending: list[tuple[Function, str]] = []
        if tensor.creator is not None:
            pending.append((tensor.creator, root))
        while pending:
            function, output = pending.pop()
            if id(function) in keys:  # an output used twice is reached twice
                continue
            op = function_node(function)
            self.edges.append((op, output))
            if not hasattr(function, "inputs"):
                raise RuntimeError(
                    "drawing the graph needs it, but backward() has freed it: record the graph "
                    "(tinydl.viz.Graph(loss)) before calling backward(), or call "
                    "backward(retain_graph=True)"
                )
            for t in function.inputs:
                self.edges.append((tensor_node(t), op))
                if t.creator is not None:
                    pending.append((t.creator, tensor_node(t)))

    def to_dot(self) -> str:
        """The graph as Graphviz DOT text."""
        lines = [
            "digraph tinydl {",
            "  rankdir=TB;",
            '  node [fontname="Helvetica", fontsize=10];',
        ]
        for node in self.nodes:
            label = "\\n".join(_escape(line) for line in node.lines())
            lines.append(f'  {node.key} [label="{label}", {_DOT_STYLE[node.role]}];')
        lines += [f"  {source} -> {target};" for source, target in self.edges]
        lines.append("}")
        return "\n".join(lines) + "\n"


_DOT_STYLE = {
    "op": "shape=ellipse",
    "parameter": "shape=box, style=filled, fillcolor=lightblue",
    "constant": "shape=box, style=filled, fillcolor=lightgrey",
    "computed": "shape=box",
}


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def to_dot(tensor: Tensor, names: Mapping[str, Tensor] | None = None) -> str:
    """The graph that produced ``tensor`` as Graphviz DOT text (see :class:`Graph`)."""
    return Graph(tensor, names).to_dot()


def render_graph(
    graph: Graph | Tensor,
    path: str | Path,
    names: Mapping[str, Tensor] | None = None,
    engine: str = "auto",
) -> Path:
    """Draw ``graph`` (a :class:`Graph`, or the tensor to record one from) to ``path``, in
    the format its suffix names (.png, .svg, .pdf).

    ``engine="auto"`` uses Graphviz's ``dot`` program, else the ``graphviz`` Python package
    when its program is found, else matplotlib; ``"graphviz"`` or ``"matplotlib"`` insists
    on one. Raises :class:`GraphvizNotInstalledError` (saying what to install) when nothing
    can draw.
    """
    if engine not in ("auto", "graphviz", "matplotlib"):
        raise ValueError(f"engine must be 'auto', 'graphviz' or 'matplotlib', got {engine!r}")
    if not isinstance(graph, Graph):
        graph = Graph(graph, names)
    elif names is not None:
        raise ValueError("names label the tensors while recording: pass them to Graph()")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if engine != "matplotlib" and _draw_with_graphviz(graph, path):
        return path
    if engine == "graphviz":
        raise GraphvizNotInstalledError(NO_DRAWING_HELP)
    from tinydl.viz.graph_drawing import draw_graph  # imports matplotlib

    try:
        return draw_graph(graph, path)
    except ImportError:
        raise GraphvizNotInstalledError(NO_DRAWING_HELP) from None


def _draw_with_graphviz(graph: Graph, path: Path) -> bool:
    """Draw with the ``dot`` program or the ``graphviz`` package; False where neither runs."""
    file_format = path.suffix.lstrip(".") or "png"
    dot_text = graph.to_dot()
    executable = shutil.which("dot")
    if executable is not None:
        result = subprocess.run(
            [executable, f"-T{file_format}", "-o", str(path)],
            input=dot_text,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"Graphviz 'dot' failed to draw {path}: {result.stderr.strip()}")
        return True
    try:
        import graphviz
    except ImportError:
        return False
    try:
        graphviz.Source(dot_text).render(outfile=path, format=file_format, cleanup=True)
    except graphviz.ExecutableNotFound:
        return False
    return True
