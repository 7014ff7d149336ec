"""A :class:`~tinydl.viz.graph.Graph` drawn with matplotlib, for machines without Graphviz.

The layout is the layered one Graphviz's ``dot`` draws: every node sits one row above the
node it feeds, on the row set by its longest path to the drawn tensor, so the inputs and
first layer's weights are at the top and the loss at the bottom. Within a row, nodes are
placed above the mean position of the nodes they feed (one pass of the barycentre
heuristic), which keeps most edges short and uncrossed. Drawn on a figure outside pyplot,
headless, as :mod:`tinydl.plots`.
"""

from __future__ import annotations

from pathlib import Path

from tinydl.plots import _figure, _save
from tinydl.viz.graph import Graph

MAX_NODES = 400  # past this a drawing is unreadable; Graphviz copes better
FILL = {"op": "#fff3c4", "parameter": "lightblue", "constant": "lightgrey", "computed": "white"}
COLUMN_INCHES, ROW_INCHES = 2.9, 0.85


def layered_positions(graph: Graph) -> dict[str, tuple[float, int]]:
    """Each node's (x, row): row 0 holds the drawn tensor, row r the nodes r steps above it."""
    consumers: dict[str, list[str]] = {node.key: [] for node in graph.nodes}
    for source, target in graph.edges:
        consumers[source].append(target)
    row = {graph.nodes[0].key: 0}
    # Graph records a node after what it feeds, except that a tensor reached again by a later
    # path can feed a node recorded after it: repeat until no row grows (a DAG settles).
    changed = True
    while changed:
        changed = False
        for node in graph.nodes[1:]:
            rows = [row[c] + 1 for c in consumers[node.key] if c in row]
            if rows and max(rows) > row.get(node.key, -1):
                row[node.key] = max(rows)
                changed = True
    by_row: dict[int, list[str]] = {}
    for node in graph.nodes:  # in recording order, a stable start for the ordering
        by_row.setdefault(row[node.key], []).append(node.key)
    x: dict[str, float] = {}
    for r in sorted(by_row):
        keys = by_row[r]
        # Each node wants to sit above the mean position of what it feeds (placed below);
        # in that order, pushed apart to one column each, the row centred on those wishes.
        wish = {k: sum(x[c] for c in consumers[k]) / len(consumers[k]) if r else 0.0 for k in keys}
        keys.sort(key=wish.__getitem__)
        placed = [wish[keys[0]]]
        for key in keys[1:]:
            placed.append(max(wish[key], placed[-1] + 1))
        shift = sum(wish[k] - p for k, p in zip(keys, placed, strict=True)) / len(keys)
        x.update({k: p + shift for k, p in zip(keys, placed, strict=True)})
    return {key: (x[key], row[key]) for key in row}


def draw_graph(graph: Graph, path: str | Path) -> Path:
    """Draw ``graph`` to ``path`` with matplotlib and return the path."""
    if len(graph.nodes) > MAX_NODES:
        raise ValueError(
            f"the graph has {len(graph.nodes)} nodes, too many to draw readably without "
            f"Graphviz (at most {MAX_NODES}): install Graphviz, or write the DOT text with "
            "tinydl.viz.to_dot(tensor)"
        )
    positions = layered_positions(graph)
    rows = max(row for _, row in positions.values()) + 1
    left = min(x for x, _ in positions.values()) - 0.5
    right = max(x for x, _ in positions.values()) + 0.5
    figure = _figure(
        figsize=(max(4.0, (right - left) * COLUMN_INCHES), max(2.0, rows * ROW_INCHES))
    )
    axis = figure.add_axes((0, 0, 1, 1))
    axis.set_xlim(left, right)
    axis.set_ylim(-0.6, rows - 0.4)
    axis.axis("off")
    boxes = {}
    for node in graph.nodes:
        x, row = positions[node.key]
        boxes[node.key] = axis.text(
            x,
            row,
            "\n".join(node.lines()),
            ha="center",
            va="center",
            fontsize=7,
            family="monospace" if node.role != "op" else "sans-serif",
            weight="bold" if node.role == "op" else "normal",
            bbox={
                "boxstyle": "round,pad=0.5" if node.role == "op" else "square,pad=0.3",
                "facecolor": FILL[node.role],
                "edgecolor": "black",
                "linewidth": 0.6,
            },
        )
    for source, target in graph.edges:
        axis.annotate(
            "",
            xy=(0.5, 1.0),  # the top of the box fed
            xycoords=boxes[target],
            xytext=(0.5, 0.0),  # from the bottom of the box feeding it
            textcoords=boxes[source],
            arrowprops={
                "arrowstyle": "->",
                "color": "dimgrey",
                "linewidth": 0.7,
                "patchA": boxes[source].get_bbox_patch(),
                "patchB": boxes[target].get_bbox_patch(),
            },
        )
    return _save(figure, path)
