"""``tinydl visualize CHECKPOINT --out DIR``: pictures of a trained model.

Writes the first convolution's filters, the feature maps of one test digit
through each convolution, and the computational graph of that digit's loss
(DOT text always, a PNG too when Graphviz is installed). ``--trace`` also
prints the backward pass of that loss, op by op.
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
from tinydl.viz.graph import GraphvizNotInstalledError, render_graph, to_dot
from tinydl.viz.layers import conv_layers, plot_feature_maps, plot_filters
from tinydl.viz.trace import trace


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``visualize`` command to the ``tinydl`` command's subparsers."""
    parser = subparsers.add_parser(
        "visualize",
        help="draw a checkpoint's filters, feature maps and computational graph",
        description=(
            "Draw a checkpoint's first-layer filters, the feature maps of one MNIST test digit "
            "and the computational graph of its loss (graph.dot; graph.png with Graphviz)."
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
        "--trace", action="store_true", help="also print the backward pass of that digit's loss"
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
    if conv_layers(model):
        try:
            written.append(plot_filters(model, out / "filters.png"))
            written.append(plot_feature_maps(model, x[0], out / "feature_maps.png"))
        except ImportError as err:  # no matplotlib: the graph below needs none
            print(f"no filters or feature maps: {err}")
    else:
        print(f"{recipe.name} has no convolution layers: no filters or feature maps to draw")

    device = next(model.parameters()).device
    inputs, target = tensor(x, device=device), tensor(y, device=device)
    model.eval()  # the graph of the model as it predicts (Dropout off)
    with fast_paths(False):  # the plain ops: one node per declared layer, no fused blocks
        loss = nn.CrossEntropyLoss()(model(inputs), target)
    names = {"image": inputs, "label": target, **dict(model.named_parameters())}
    out.mkdir(parents=True, exist_ok=True)
    dot_path = out / "graph.dot"
    dot_path.write_text(to_dot(loss, names))
    written.append(dot_path)
    try:
        written.append(render_graph(loss, out / "graph.png", names))
    except GraphvizNotInstalledError as err:
        print(f"graph.png not drawn: {err}")
    if args.trace:
        trace(loss, names)
    for path in written:
        print(f"wrote {path}")
    return written
