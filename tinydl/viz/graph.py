"""The computational graph of a tensor, as Graphviz DOT text and (with Graphviz) as a picture.

Tensors are boxes (shape, dtype, and a name when one is given: parameters are
blue, other leaves grey); Functions are ellipses named after their class. Edges
follow the forward pass: input -> op -> output. The walk is iterative, so a
graph thousands of ops deep is no problem.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path

from tinydl.autograd import Function, Tensor
from tinydl.errors import TinyDLError

GRAPHVIZ_HELP = (
    "Graphviz is not installed, so the graph cannot be drawn. Install the 'dot' program "
    "(apt install graphviz, brew install graphviz or conda install graphviz); the Python "
    "package (pip install graphviz) is used when present but also needs the 'dot' program. "
    "Without Graphviz, write the DOT text with tinydl.viz.to_dot(tensor) and open it in any "
    "Graphviz viewer."
)


class GraphvizNotInstalledError(TinyDLError, RuntimeError):
    """Drawing a graph needs Graphviz, and it is not installed."""


def to_dot(tensor: Tensor, names: Mapping[str, Tensor] | None = None) -> str:
    """The graph that produced ``tensor`` as Graphviz DOT text.

    ``names`` labels tensors, e.g. ``dict(model.named_parameters())``. Call this
    before ``backward()`` (or backward with ``retain_graph=True``): backward frees the graph.
    """
    labels = {id(t): name for name, t in (names or {}).items()}
    lines = [
        "digraph tinydl {",
        "  rankdir=TB;",
        '  node [fontname="Helvetica", fontsize=10];',
    ]
    node_ids: dict[int, str] = {}

    def tensor_node(t: Tensor) -> str:
        if id(t) not in node_ids:
            node_ids[id(t)] = f"t{len(node_ids)}"
            lines.append(f"  {node_ids[id(t)]} [{_tensor_style(t, labels.get(id(t)))}];")
        return node_ids[id(t)]

    def function_node(f: Function) -> str:
        if id(f) not in node_ids:
            node_ids[id(f)] = f"f{len(node_ids)}"
            lines.append(f'  {node_ids[id(f)]} [label="{type(f).__name__}", shape=ellipse];')
        return node_ids[id(f)]

    root = tensor_node(tensor)
    pending: list[tuple[Function, str]] = []
    if tensor.creator is not None:
        pending.append((tensor.creator, root))
    seen: set[int] = set()
    while pending:
        function, output = pending.pop()
        if id(function) in seen:  # an output used twice is reached twice
            continue
        seen.add(id(function))
        op = function_node(function)
        lines.append(f"  {op} -> {output};")
        if not hasattr(function, "inputs"):
            raise RuntimeError(
                "to_dot() needs the graph, but backward() has freed it: draw the graph before "
                "calling backward(), or call backward(retain_graph=True)"
            )
        for t in function.inputs:
            lines.append(f"  {tensor_node(t)} -> {op};")
            if t.creator is not None:
                pending.append((t.creator, tensor_node(t)))
    lines.append("}")
    return "\n".join(lines) + "\n"


def _tensor_style(t: Tensor, name: str | None) -> str:
    shape = "(" + ", ".join(map(str, t.shape)) + ("," if t.ndim == 1 else "") + ")"
    text = f"{shape} {t.dtype}"
    if name is not None:
        text = f"{_escape(name)}\\n{text}"
    if t.is_leaf:
        colour = "lightblue" if t.requires_grad else "lightgrey"
        return f'label="{text}", shape=box, style=filled, fillcolor={colour}'
    return f'label="{text}", shape=box'


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def render_graph(
    tensor: Tensor, path: str | Path, names: Mapping[str, Tensor] | None = None
) -> Path:
    """Draw the graph of ``tensor`` to ``path`` (format from the suffix: .png, .svg, .pdf).

    Uses the ``dot`` program, else the ``graphviz`` Python package; raises
    :class:`GraphvizNotInstalledError` (saying how to install it) when neither works.
    """
    path = Path(path)
    file_format = path.suffix.lstrip(".") or "png"
    dot_text = to_dot(tensor, names)
    path.parent.mkdir(parents=True, exist_ok=True)
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
        return path
    try:
        import graphviz
    except ImportError:
        raise GraphvizNotInstalledError(GRAPHVIZ_HELP) from None
    try:
        graphviz.Source(dot_text).render(outfile=path, format=file_format, cleanup=True)
    except graphviz.ExecutableNotFound:
        raise GraphvizNotInstalledError(GRAPHVIZ_HELP) from None
    return path
