"""``tinydl visualize CHECKPOINT --out DIR``: pictures of a trained model.

Writes, for a convolutional network, the first convolution's filters and the feature maps
of one test digit through each convolution; for a fully connected one, its first layer's
weights as 28×28 templates; and for both, the computational graph of that digit's loss,
layer by layer as the model declares them, with every tensor's value and gradient
(``graph.dot``, and ``graph.png`` drawn by Graphviz, or by matplotlib where Graphviz is
not installed). ``--trace`` also prints the backward pass of that loss, op by op, with
each op's local derivative.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from tinydl import backend, data, nn, zoo
from tinydl.autograd import tensor
from tinydl.backend.fast_path_switch import fast_paths
from tinydl.errors import TinyDLError
from tinydl.train.checkpoint import check_output_folder, checkpoint_example, load_checkpoint
from tinydl.viz.graph import Graph, GraphvizNotInstalledError, render_graph
from tinydl.viz.layers import (
    conv_layers,
    dense_layers,
    plot_feature_maps,
    plot_filters,
    plot_weight_templates,
)
from tinydl.viz.trace import trace


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``visualize`` command to the ``tinydl`` command's subparsers."""
    parser = subparsers.add_parser(
        "visualize",
        help="draw a checkpoint's filters or weight templates and its computational graph",
        description=(
            "Draw a checkpoint's first-layer filters and the feature maps of one MNIST test "
            "digit (a CNN) or its first-layer weights as 28x28 templates (an MLP), and the "
            "computational graph of that digit's loss with every value and gradient "
            "(graph.dot and graph.png)."
        ),
    )
    parser.add_argument("checkpoint", help="a model.npz written by 'tinydl train'")
    parser.add_argument(
        "--out",
        default=None,
        help="folder for the pictures (default: CHECKPOINT's folder/visualize)",
    )
    parser.add_argument(
        "--data", default=None, help="folder holding mnist/ (default: $TINYDL_DATA, then the cache)"
    )
    parser.add_argument("--device", default=None, help="cpu or cuda[:N] (default: cpu)")
    parser.add_argument(
        "--digit", type=int, default=0, help="which test image to follow (default: 0, the first)"
    )
    parser.add_argument(
        "--trace",
        action="store_true",
        help="also print the backward pass of that digit's loss, with each local derivative",
    )
    return parser


def visualize(args: argparse.Namespace) -> list[Path]:
    """Run ``tinydl visualize``; returns the files written."""
    checkpoint = Path(args.checkpoint)
    if args.data is not None and not Path(args.data).is_dir():
        raise TinyDLError(
            f"--data {args.data}: no such folder (it should hold mnist/ or its files)"
        )
    if args.out is not None:
        check_output_folder(args.out, "--out")
    recipe = zoo.recipe(checkpoint_example(checkpoint))
    model = recipe.build()
    load_checkpoint(checkpoint, model)
    model.to(backend.device(args.device) if args.device else backend.get_default_device())
    out = Path(args.out) if args.out else checkpoint.parent / "visualize"

    _, (test_images, test_labels) = data.load_mnist(args.data)
    if not 0 <= args.digit < len(test_images):
        raise ValueError(f"--digit must be between 0 and {len(test_images) - 1}, got {args.digit}")
    chosen = slice(args.digit, args.digit + 1)
    x, y = zoo.prepare(recipe, test_images[chosen], test_labels[chosen])
    print(f"{recipe.name} from {checkpoint}; test digit {args.digit} is {test_labels[args.digit]}")

    written = []
    try:
        if conv_layers(model):
            written.append(plot_filters(model, out / "filters.png"))
            written.append(plot_feature_maps(model, x[0], out / "feature_maps.png"))
        elif dense_layers(model):
            written.append(plot_weight_templates(model, out / "templates.png"))
    except ImportError as err:  # no matplotlib: the graph's DOT text below needs none
        print(f"no filters, feature maps or templates: {err}")

    device = next(model.parameters()).device
    inputs, target = tensor(x, device=device), tensor(y, device=device)
    model.eval()  # the graph of the model as it predicts (Dropout off)
    with fast_paths(False):  # the plain ops: one node per declared layer, no fused blocks
        loss = nn.CrossEntropyLoss()(model(inputs), target)
        names = {"image": inputs, "label": target, **dict(model.named_parameters())}
        graph = Graph(loss, names)
        if args.trace:
            trace(loss, names, local_derivatives=True)
        else:
            loss.backward()  # every tensor's gradient, for the drawing
    out.mkdir(parents=True, exist_ok=True)
    dot_path = out / "graph.dot"
    dot_path.write_text(graph.to_dot())
    written.append(dot_path)
    try:
        written.append(render_graph(graph, out / "graph.png"))
    except GraphvizNotInstalledError as err:
        print(f"graph.png not drawn: {err}")
    for path in written:
        print(f"wrote {path}")
    return written
