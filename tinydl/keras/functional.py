"""The graph of a functional model: which layer calls (:class:`~tinydl.keras.layer.Node`)
lead from the inputs to the outputs, in which order they run, and how the graph is
written to a checkpoint and rebuilt from it.

Keras's order is kept, because programs index it (``model.layers[2]``): a layer's
*depth* is the number of calls between it and the outputs; ``model.layers`` lists the
deepest first (the inputs), and layers of one depth in the order a depth-first walk
back from the outputs first meets them.
"""

from __future__ import annotations

from typing import Any

from tinydl.keras.layer import KerasTensor, Layer, Node, flatten, map_structure


def _node_of(tensor: Any, where: str) -> Node:
    if not isinstance(tensor, KerasTensor) or tensor._keras_history is None:
        raise TypeError(
            f"{where} takes KerasTensors made by keras.Input(...) and by layers called on them, "
            f"got {tensor!r}"
        )
    return tensor.node


def walk(inputs: list[KerasTensor], outputs: list[KerasTensor]
         ) -> tuple[list[Node], list[Layer]]:
    """The calls from ``inputs`` to ``outputs`` in the order to run them, and the layers in
    Keras's order (inputs first)."""
    finished: set[int] = set()
    in_progress: set[int] = set()
    ordered: list[Node] = []  # from the inputs towards the outputs
    first_seen: dict[int, int] = {}  # layer id -> when the walk first met it
    input_ids = {id(t) for t in inputs}

    def visit(tensor: KerasTensor) -> None:
        node = _node_of(tensor, "keras.Model(inputs, outputs)")
        if id(node) in finished:
            return
        if not node.is_input and id(tensor) in input_ids:  # an inner tensor given as an input
            finished.add(id(node))
            return
        if id(node) in in_progress:
            raise ValueError(f"the graph has a cycle through layer {node.layer.name!r}")
        first_seen.setdefault(id(node.layer), len(first_seen))
        in_progress.add(id(node))
        for parent in node.input_tensors:
            visit(parent)
        in_progress.discard(id(node))
        finished.add(id(node))
        ordered.append(node)

    for output in outputs:
        visit(output)
    in_graph = {id(node) for node in ordered}
    node_depth: dict[int, int] = {}
    layer_depth: dict[int, int] = {}
    for node in reversed(ordered):
        depth = max(node_depth.setdefault(id(node), 0), layer_depth.get(id(node.layer), 0))
        layer_depth[id(node.layer)] = node_depth[id(node)] = depth
        for parent in node.input_tensors:
            parent_node = parent.node
            if id(parent_node) in in_graph:
                node_depth[id(parent_node)] = max(depth + 1, node_depth.get(id(parent_node), 0))
    for tensor in inputs:  # an input no output depends on still belongs to the model
        node = tensor.node
        if node.is_input and id(node.layer) not in layer_depth:
            layer_depth[id(node.layer)], first_seen[id(node.layer)] = 0, -1
            ordered.append(node)
    by_depth = sorted(range(len(ordered)), key=lambda i: -node_depth.get(id(ordered[i]), 0))
    nodes = [ordered[i] for i in by_depth]
    layers: list[Layer] = []
    for node in sorted(ordered, key=lambda n: (-layer_depth[id(n.layer)],
                                               first_seen[id(n.layer)])):
        if all(layer is not node.layer for layer in layers):
            layers.append(node.layer)
    _check_computable(inputs, nodes)
    return [node for node in nodes if not node.is_input], layers


def _check_computable(inputs: list[KerasTensor], nodes: list[Node]) -> None:
    known = {id(t) for t in inputs}
    done: list[str] = []
    for node in nodes:
        if node.is_input:  # its tensor is known only if it is one of the model's inputs
            continue
        for tensor in node.input_tensors:
            if id(tensor) not in known:
                raise ValueError(
                    f"graph disconnected: layer {node.layer.name!r} needs {tensor!r}, which the "
                    f"model's inputs do not lead to (add its keras.Input to inputs); the layers "
                    f"reached before it: {', '.join(done) or 'none'}"
                )
        done.append(node.layer.name)
        known.update(id(t) for t in flatten(node.outputs))


# ---- writing the graph down and reading it back --------------------------------------------------
TENSOR = "__keras_tensor__"


def graph_config(inputs: list[KerasTensor], outputs: list[KerasTensor], nodes: list[Node]
                 ) -> dict[str, Any]:
    """The calls as JSON: each node's layer name and its arguments, a tensor written as
    ``[TENSOR, node number, position]`` (inputs are node numbers ``-1 - i``)."""
    where: dict[int, list[Any]] = {id(t): [TENSOR, -1 - i, 0] for i, t in enumerate(inputs)}
    written = []
    for number, node in enumerate(nodes):
        def reference(leaf: Any, node: Node = node) -> Any:
            if isinstance(leaf, KerasTensor):
                return where[id(leaf)]
            if isinstance(leaf, (bool, int, float, str)) or leaf is None:
                return leaf
            raise TypeError(f"save(): layer {node.layer.name!r} was called with {leaf!r}, which a "
                            f"checkpoint cannot hold")

        written.append({"layer": node.layer.name,
                        "args": map_structure(reference, list(node.args)),
                        "kwargs": map_structure(reference, node.kwargs)})
        for position, tensor in enumerate(flatten(node.outputs)):
            where[id(tensor)] = [TENSOR, number, position]
    return {"inputs": [t.node.layer.name for t in inputs], "nodes": written,
            "outputs": [where[id(t)] for t in outputs]}


def rebuild(config: dict[str, Any], layers: dict[str, Layer]
            ) -> tuple[list[KerasTensor], list[KerasTensor]]:
    """Call the layers again on symbolic inputs as ``config`` says; the inputs and outputs."""
    inputs = [layers[name].output for name in config["inputs"]]
    made: list[list[KerasTensor]] = []

    def tensor(leaf: Any) -> Any:
        if isinstance(leaf, list) and leaf[:1] == [TENSOR]:
            _, number, position = leaf
            return inputs[-1 - number] if number < 0 else made[number][position]
        if isinstance(leaf, list):
            return [tensor(item) for item in leaf]
        if isinstance(leaf, dict):
            return {key: tensor(item) for key, item in leaf.items()}
        return leaf

    for entry in config["nodes"]:
        outputs = layers[entry["layer"]](*tensor(entry["args"]), **tensor(entry["kwargs"]))
        made.append(flatten(outputs))
    return inputs, [tensor(reference) for reference in config["outputs"]]
