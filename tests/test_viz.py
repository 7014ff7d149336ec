"""tinydl.viz pictures: the computational graph (DOT text, rendering, the message without
Graphviz), first-layer filters, feature maps, weight/gradient histograms, and the
``tinydl visualize`` command on a checkpoint. Each PNG is read back and checked headless."""

from __future__ import annotations

import argparse
import os
import re
import sys
import types
from pathlib import Path

import numpy as np
import pytest
from conftest import assert_png_has_content, make, read_png

os.environ.setdefault("MPLBACKEND", "Agg")  # should pyplot get imported anyway, never a window
pytest.importorskip("matplotlib.image")

import tinydl  # noqa: E402  (after the skip: the pictures need matplotlib)
from tinydl import nn, viz, zoo  # noqa: E402
from tinydl.nn import module as module_registry  # noqa: E402
from tinydl.train.checkpoint import save_checkpoint  # noqa: E402
from tinydl.viz import cli as viz_cli  # noqa: E402
from tinydl.viz.graph import NO_DRAWING_HELP  # noqa: E402
from tinydl.viz.graph_drawing import MAX_NODES, layered_positions  # noqa: E402


def parse_dot(text: str) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """Node id -> the first line of its label (an op's name; a tensor's name, else its shape
    and dtype), and the edges as (from id, to id)."""
    labels = re.findall(r'^  (\w+) \[label="((?:[^"\\]|\\.)*)"', text, re.MULTILINE)
    edges = re.findall(r"^  (\w+) -> (\w+);$", text, re.MULTILINE)
    return {id_: label.split("\\n")[0] for id_, label in labels}, edges


def full_labels(text: str) -> dict[str, list[str]]:
    """Node id -> every line of its label."""
    labels = re.findall(r'^  (\w+) \[label="((?:[^"\\]|\\.)*)"', text, re.MULTILINE)
    return {id_: label.split("\\n") for id_, label in labels}


def without_graphviz(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tinydl.viz.graph.shutil.which", lambda name: None)
    monkeypatch.setitem(sys.modules, "graphviz", None)  # `import graphviz` raises ImportError


# ---- the computational graph -------------------------------------------------------------
def test_dot_of_a_small_graph_has_its_ops_and_edges(device):
    a, b = make([1.0, 2.0, 3.0], device), make([4.0, 5.0, 6.0], device)
    c = make(0.5, device)
    total = (a * b + c).sum()
    text = viz.to_dot(total, {"a": a, "b": b, "c": c})
    assert text.startswith("digraph tinydl {") and text.endswith("}\n")
    labels, edges = parse_dot(text)
    node = {label: id_ for id_, label in labels.items()}
    assert sorted(label for label in labels.values() if "(" not in label) == [
        "Add", "Mul", "Sum", "a", "b", "c"
    ]
    assert labels[next(iter(labels))] == "() float64"  # the tensor drawn from, first
    mul, add, summed = node["Mul"], node["Add"], node["Sum"]
    product = [dst for src, dst in edges if src == mul]
    plus = [dst for src, dst in edges if src == add]
    assert [labels[t] for t in product + plus] == ["(3,) float64", "(3,) float64"]
    assert product != plus
    assert sorted(edges) == sorted(
        [
            (node["a"], mul),
            (node["b"], mul),
            (mul, product[0]),
            (product[0], add),
            (node["c"], add),
            (add, plus[0]),
            (plus[0], summed),
            (summed, node["() float64"]),
        ]
    )
    # Each tensor shows its value, as micrograd's drawing does; no gradient before backward.
    lines = full_labels(text)
    assert lines[node["a"]] == ["a", "(3,) float64", "value [1, 2, 3]"]
    assert lines[product[0]] == ["(3,) float64", "value [4, 10, 18]"]
    assert lines[node["() float64"]] == ["() float64", "value 33.5"]
    # Leaves that train are filled blue; computed tensors are not filled; ops are ovals.
    assert re.search(
        r'label="a\\n\(3,\) float64\\nvalue \[1, 2, 3\]", shape=box, style=filled, '
        r"fillcolor=lightblue",
        text,
    )
    assert f'{product[0]} [label="(3,) float64\\nvalue [4, 10, 18]", shape=box];' in text
    assert f'{mul} [label="Mul", shape=ellipse];' in text


def test_a_graph_recorded_before_backward_shows_every_gradient_after_it(device):
    a, b = make([1.0, 2.0, 3.0], device), make([4.0, 5.0, 6.0], device)
    product = a * b
    total = product.sum()
    graph = viz.Graph(total, {"a": a, "b": b, "product": product})
    total.backward()  # frees the engine's graph; the recorded one stays
    lines = {node.name: node.lines() for node in graph.nodes if node.name}
    assert lines["a"] == ["a", "(3,) float64", "value [1, 2, 3]", "grad [4, 5, 6]"]
    assert lines["b"][-1] == "grad [1, 2, 3]"
    # A computed tensor keeps its gradient too: dLoss/dproduct = 1 everywhere.
    assert lines["product"] == ["product", "(3,) float64", "value [4, 10, 18]", "grad [1, 1, 1]"]
    assert graph.nodes[0].lines() == ["() float64", "value 32", "grad 1"]
    assert [node.role for node in graph.nodes] == ["computed", "op", "computed", "op", "parameter",
                                                   "parameter"]
    with pytest.raises(RuntimeError, match=r"backward\(\) has freed it: record the graph"):
        viz.Graph(total)


def test_a_big_tensor_shows_min_mean_and_max():
    x = tinydl.tensor(np.arange(10.0).reshape(2, 5), requires_grad=True)
    (node,) = viz.Graph(x).nodes
    assert node.lines() == ["(2, 5) float32", "value min 0  mean 4.5  max 9"]


def test_dot_draws_a_tensor_used_twice_once_with_two_edges(device):
    x = make([1.0, -2.0], device)
    h = x * x  # x feeds Mul twice
    y = (h + h.exp()).sum()  # h feeds two ops: its creator must appear once
    labels, edges = parse_dot(viz.to_dot(y))
    ops = sorted(label for label in labels.values() if "(" not in label)
    assert ops == ["Add", "Exp", "Mul", "Sum"]
    mul = next(i for i, label in labels.items() if label == "Mul")
    x_node = next(i for i, label in labels.items() if label == "(2,) float64" and (i, mul) in edges)
    assert edges.count((x_node, mul)) == 2
    assert sum(1 for src, _ in edges if src == mul) == 1  # one output, drawn once
    assert len(edges) == len(set(edges)) + 1  # the only repeat is x -> Mul


def test_dot_marks_constants_grey_and_escapes_names():
    weight = tinydl.tensor([[1.0, 2.0]], requires_grad=True)
    data = tinydl.tensor([[3.0], [4.0]])
    text = viz.to_dot(weight @ data, {'say "hi"\\': weight})
    name = 'label="say \\"hi\\"\\\\\\n(1, 2) float32\\nvalue [[1, 2]]", shape=box, style=filled, '
    assert name in text
    assert (
        'label="(2, 1) float32\\nvalue [[3], [4]]", shape=box, style=filled, fillcolor=lightgrey'
        in text
    )
    assert "MatMul" in text


def test_dot_of_a_leaf_is_one_node():
    assert viz.to_dot(tinydl.tensor([1.0, 2.0])).count("[label=") == 1


def test_dot_walks_a_very_deep_graph_without_recursion():
    x = tinydl.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(3000):
        y = y * 1.0
    labels, edges = parse_dot(viz.to_dot(y))
    assert sum(label == "Mul" for label in labels.values()) == 3000
    assert len(edges) == 2 * 3000 + 3000  # each Mul: input tensor, constant 1.0, output


def test_dot_after_backward_says_the_graph_was_freed():
    x = tinydl.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match=r"backward\(\) has freed it: record the graph"):
        viz.to_dot(y)


def test_render_graph_without_graphviz_draws_with_matplotlib(monkeypatch, tmp_path):
    without_graphviz(monkeypatch)
    x = tinydl.tensor([1.0, -2.0], requires_grad=True)
    w = tinydl.tensor([[0.5, 1.0], [2.0, -1.0]], requires_grad=True)
    loss = (x @ w).relu().sum()
    graph = viz.Graph(loss, {"x": x, "w": w})
    loss.backward()
    path = viz.render_graph(graph, tmp_path / "graph.png")
    assert_png_has_content(path, 300, 300)
    # Insisting on Graphviz where it is missing says what to install.
    with pytest.raises(viz.GraphvizNotInstalledError, match=re.escape(NO_DRAWING_HELP)):
        viz.render_graph(graph, tmp_path / "g.png", engine="graphviz")
    assert "apt install graphviz" in NO_DRAWING_HELP and "tinydl-edu[plot]" in NO_DRAWING_HELP
    assert "tinydl.viz.to_dot(tensor)" in NO_DRAWING_HELP


def test_render_graph_without_graphviz_or_matplotlib_says_how_to_install_them(
    monkeypatch, tmp_path
):
    without_graphviz(monkeypatch)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    x = tinydl.tensor([1.0], requires_grad=True)
    with pytest.raises(viz.GraphvizNotInstalledError, match=re.escape(NO_DRAWING_HELP)):
        viz.render_graph((x * 2).sum(), tmp_path / "graph.png")
    assert not (tmp_path / "graph.png").exists()


def test_render_graph_arguments_are_checked(tmp_path):
    x = tinydl.tensor([1.0], requires_grad=True)
    with pytest.raises(ValueError, match="engine must be 'auto', 'graphviz' or 'matplotlib', got"):
        viz.render_graph(x * 2, tmp_path / "g.png", engine="dot")
    with pytest.raises(ValueError, match=r"names label the tensors while recording: pass them to"):
        viz.render_graph(viz.Graph(x * 2), tmp_path / "g.png", names={"x": x})


def test_the_matplotlib_layout_puts_each_node_a_row_above_what_it_feeds():
    a = tinydl.tensor([1.0], requires_grad=True)
    b = a.exp()
    loss = (a * b).sum()  # a feeds Mul directly and through Exp: its row is set by the longer
    graph = viz.Graph(loss, {"a": a, "b": b})
    positions = layered_positions(graph)
    row = {(node.name or node.key): positions[node.key][1] for node in graph.nodes}
    # loss, Sum, a*b, Mul, b, Exp, a: a sits above Exp, not beside b.
    assert [row[k] for k in ("t0", "Sum", "Mul", "b", "Exp", "a")] == [0, 1, 3, 4, 5, 6]
    for source, target in graph.edges:
        assert positions[source][1] > positions[target][1]
    for r in set(row.values()):  # no two boxes of a row closer than one column
        xs = sorted(x for x, at in positions.values() if at == r)
        assert all(later - earlier >= 1 for earlier, later in zip(xs, xs[1:], strict=False))


def test_a_graph_too_big_for_matplotlib_says_what_to_do(monkeypatch, tmp_path):
    without_graphviz(monkeypatch)
    x = tinydl.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(MAX_NODES):
        y = y * 1.0
    with pytest.raises(ValueError, match=r"too many to draw readably without Graphviz"):
        viz.render_graph(y, tmp_path / "g.png")


def test_render_graph_with_the_python_package_but_no_dot_program(monkeypatch, tmp_path):
    monkeypatch.setattr("tinydl.viz.graph.shutil.which", lambda name: None)
    fake = types.ModuleType("graphviz")

    class ExecutableNotFound(RuntimeError):
        pass

    class Source:
        def __init__(self, text: str) -> None:
            pass

        def render(self, **options):
            raise ExecutableNotFound("failed to execute PosixPath('dot')")

    fake.ExecutableNotFound, fake.Source = ExecutableNotFound, Source
    monkeypatch.setitem(sys.modules, "graphviz", fake)
    x = tinydl.tensor([1.0], requires_grad=True)
    with pytest.raises(viz.GraphvizNotInstalledError, match=re.escape(NO_DRAWING_HELP)):
        viz.render_graph((x * 2).sum(), tmp_path / "graph.png", engine="graphviz")
    # "auto" goes on to matplotlib.
    assert_png_has_content(viz.render_graph((x * 2).sum(), tmp_path / "g.png"), 100, 100)


def fake_dot_program(folder: Path, exit_code: int = 0) -> Path:
    """A stand-in for Graphviz's ``dot``: records its arguments, copies stdin to ``-o``."""
    folder.mkdir()
    program = folder / "dot"
    program.write_text(
        f"#!{sys.executable}\n"
        "import sys\n"
        "args = sys.argv[1:]\n"
        "open(args[args.index('-o') + 1], 'w').write(' '.join(args) + '\\n' + sys.stdin.read())\n"
        f"sys.stderr.write('syntax error in line 1')\nsys.exit({exit_code})\n"
    )
    program.chmod(0o755)
    return folder


def test_render_graph_pipes_the_dot_text_to_the_dot_program(monkeypatch, tmp_path):
    bin_folder = fake_dot_program(tmp_path / "bin")
    monkeypatch.setenv("PATH", f"{bin_folder}{os.pathsep}{os.environ['PATH']}")
    x = tinydl.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    path = viz.render_graph(y, tmp_path / "out" / "graph.svg", {"x": x})
    assert path == tmp_path / "out" / "graph.svg"
    arguments, dot_text = path.read_text().split("\n", 1)
    assert arguments == f"-Tsvg -o {path}"
    assert dot_text == viz.to_dot(y, {"x": x})


def test_render_graph_reports_a_failing_dot_program(monkeypatch, tmp_path):
    bin_folder = fake_dot_program(tmp_path / "bin", exit_code=1)
    monkeypatch.setenv("PATH", f"{bin_folder}{os.pathsep}{os.environ['PATH']}")
    x = tinydl.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="Graphviz 'dot' failed to draw .*: syntax error"):
        viz.render_graph(x * 2, tmp_path / "graph.png")


@pytest.mark.skipif(
    viz.graph.shutil.which("dot") is None, reason="Graphviz's dot program is not installed"
)
def test_render_graph_draws_a_png_with_graphviz(tmp_path):
    x = tinydl.tensor([[1.0, 2.0]], requires_grad=True)
    w = tinydl.tensor([[1.0], [3.0]], requires_grad=True)
    assert_png_has_content(viz.render_graph((x @ w).relu().sum(), tmp_path / "g.png"), 100, 50)


# ---- filters and feature maps ------------------------------------------------------------
def small_cnn(in_channels: int = 1) -> nn.Module:
    tinydl.manual_seed(3)
    return nn.Sequential(
        nn.Conv2D(in_channels, 8, 3),
        nn.ReLU(),
        nn.MaxPool2D(2),
        nn.Conv2D(8, 6, 3),
        nn.ReLU(),
        nn.Flatten(),
        nn.Dense(6 * 4 * 4, 10),
    )


def blob_image(channels: int = 1, size: int = 14) -> np.ndarray:
    """A bright square with a diagonal stroke on black: something for filters to find."""
    image = np.zeros((channels, size, size), np.float32)
    image[:, 3:9, 4:10] = 1.0
    image[:, np.arange(size), np.arange(size)] = 0.6
    return image


def test_conv_layers_lists_nested_convolutions_by_name():
    inner = nn.Sequential(nn.Conv2D(1, 2, 3), nn.ReLU())
    model = nn.Sequential(inner, nn.Conv2D(2, 3, 3))
    assert [(name, layer) for name, layer in viz.conv_layers(model)] == [
        ("0.0", inner[0]),
        ("1", model[1]),
    ]


def test_plot_filters_of_a_grayscale_model(tmp_path):
    path = viz.plot_filters(small_cnn(), tmp_path / "filters.png")
    assert_png_has_content(path, 100, 300)


def test_plot_filters_of_a_colour_model(tmp_path):
    assert_png_has_content(viz.plot_filters(small_cnn(3), tmp_path / "f.png"), 100, 300)


def test_plot_filters_needs_a_convolution(tmp_path):
    with pytest.raises(
        ValueError, match="plot_filters needs a model with a Conv2D layer; Sequential has none"
    ):
        viz.plot_filters(nn.Sequential(nn.Dense(4, 2)), tmp_path / "f.png")


def test_plot_filters_of_a_layer_not_built_yet(tmp_path):
    with pytest.raises(ValueError, match="layer 0 does not know its input channels yet"):
        viz.plot_filters(nn.Sequential(nn.Conv2D(4, 3)), tmp_path / "f.png")


def test_feature_maps_are_each_convolution_output_for_one_image(device):
    model = small_cnn().to(device)
    model.train()
    image = blob_image()
    maps = viz.feature_maps(model, image)
    assert [(name, m.shape) for name, m in maps] == [("0", (8, 12, 12)), ("3", (6, 4, 4))]
    assert all(isinstance(m, np.ndarray) and m.dtype == np.float32 for _, m in maps)
    with tinydl.no_grad():
        first = model[0](tinydl.tensor(image[None], device=device))
        second = model[3](model[2](model[1](first)))
    np.testing.assert_allclose(maps[0][1], first.numpy()[0], rtol=1e-6)
    np.testing.assert_allclose(maps[1][1], second.numpy()[0], rtol=1e-6)
    assert all(layer.training for layer in model.modules())  # the mode is restored
    assert module_registry._call_observers == []
    # (H, W), (1, H, W) and (1, 1, H, W) are the same image.
    for same in (image[0], image[None]):
        np.testing.assert_array_equal(viz.feature_maps(model, same)[1][1], maps[1][1])


def test_feature_maps_take_one_image_only():
    with pytest.raises(
        ValueError,
        match=re.escape(
            "expected one image of shape (H, W), (C, H, W) or (1, C, H, W), got (2, 1, 14, 14)"
        ),
    ):
        viz.feature_maps(small_cnn(), np.zeros((2, 1, 14, 14)))


def test_plot_feature_maps(tmp_path, device):
    model = small_cnn().to(device)
    path = viz.plot_feature_maps(model, blob_image(), tmp_path / "maps.png", max_maps=4)
    assert_png_has_content(path, 250, 300)


def test_plot_feature_maps_needs_a_convolution(tmp_path):
    with pytest.raises(ValueError, match="plot_feature_maps needs a model with a Conv2D layer"):
        viz.plot_feature_maps(nn.Sequential(nn.Flatten()), np.zeros((1, 4, 4)), tmp_path / "m.png")


# ---- histograms --------------------------------------------------------------------------
def one_training_step(model: nn.Module, device: str, seed: int) -> None:
    rng = np.random.default_rng(seed)
    x = tinydl.tensor(rng.normal(size=(4, 1, 14, 14)), device=device)
    y = tinydl.tensor(rng.integers(0, 10, 4), device=device)
    optimizer = tinydl.optim.SGD(model.parameters(), lr=0.1)
    optimizer.zero_grad()
    nn.CrossEntropyLoss()(model(x), y).backward()
    optimizer.step()


def test_histogram_recorder_records_weights_and_gradients(device):
    model = small_cnn().to(device)
    recorder = viz.HistogramRecorder(model, bins=20)
    recorder.record("start")
    one_training_step(model, device, seed=0)
    recorder.record()
    assert recorder.labels == ["start", "record 2"]
    names = [name for name, _ in model.named_parameters()]
    assert list(recorder.weights) == list(recorder.gradients) == names
    for name, parameter in model.named_parameters():
        before, after = recorder.weights[name]
        values = parameter.numpy()
        assert after.counts.sum() == parameter.numel()
        assert after.edges[0] == values.min() and after.edges[-1] == values.max()
        assert len(after.counts) == 20
        grads = parameter.grad.numpy()
        assert recorder.gradients[name][0] is None  # no gradient before training
        gradient = recorder.gradients[name][1]
        np.testing.assert_array_equal(gradient.counts, np.histogram(grads, bins=20)[0])
        widths = np.diff(after.edges)
        assert (after.density() * widths).sum() == pytest.approx(1.0)
    bias_at_start = recorder.weights["0.bias"][0]  # zeros: one value
    assert bias_at_start.constant and bias_at_start.counts.tolist() == [8]
    assert bias_at_start.edges.tolist() == [0.0, 0.0]


def test_histogram_recorder_needs_bins():
    with pytest.raises(ValueError, match="bins must be a positive integer, got 0"):
        viz.HistogramRecorder(small_cnn(), bins=0)


def test_plot_histograms_over_training(tmp_path):
    model = small_cnn()
    recorder = viz.HistogramRecorder(model)
    recorder.record("start")
    for step in range(1, 4):
        one_training_step(model, "cpu", seed=step)
        recorder.record(f"step {step}")
    path = viz.plot_histograms(recorder, tmp_path / "h.png", parameters=["0.weight", "3.bias"])
    assert_png_has_content(path, 400, 800)
    one_row = viz.plot_histograms(recorder, tmp_path / "one.png", parameters=["6.weight"])
    assert read_png(one_row).shape[0] < 0.7 * read_png(path).shape[0]


def test_plot_histograms_draws_every_parameter_by_default(tmp_path):
    model = nn.Sequential(nn.Dense(5, 3))
    recorder = viz.HistogramRecorder(model)
    recorder.record()
    model[0].weight.grad = tinydl.tensor(np.arange(15.0).reshape(5, 3))
    recorder.record()
    assert_png_has_content(viz.plot_histograms(recorder, tmp_path / "h.png"), 300, 800)


def test_plot_histograms_errors(tmp_path):
    recorder = viz.HistogramRecorder(small_cnn())
    with pytest.raises(
        ValueError, match=r"the recorder has no histograms yet: call recorder\.record"
    ):
        viz.plot_histograms(recorder, tmp_path / "h.png")
    recorder.record()
    with pytest.raises(ValueError, match=r"no histograms for 9\.weight; recorded: 0\.weight, "):
        viz.plot_histograms(recorder, tmp_path / "h.png", parameters=["9.weight"])


# ---- tinydl visualize --------------------------------------------------------------------
def mnist_folder() -> Path:
    folder = Path(
        os.environ.get("TINYDL_DATA") or Path(__file__).resolve().parents[2] / "shared" / "data"
    )
    if not any((folder / "mnist").glob("t10k-images*")) and not any(folder.glob("t10k-images*")):
        pytest.skip(f"MNIST not found in {folder} (set TINYDL_DATA)")
    return folder


def run_visualize(*argv: str) -> list[Path]:
    parser = argparse.ArgumentParser(prog="tinydl")
    viz_cli.add_parser(parser.add_subparsers(dest="command"))
    return viz_cli.visualize(parser.parse_args(["visualize", *argv]))


def test_visualize_command_on_a_cnn_checkpoint(tmp_path, monkeypatch, capsys):
    data_folder = mnist_folder()
    without_graphviz(monkeypatch)
    tinydl.manual_seed(0)
    checkpoint = save_checkpoint(tmp_path / "model.npz", zoo.cnn(), example="mnist-cnn")
    out = tmp_path / "pictures"
    written = run_visualize(str(checkpoint), "--out", str(out), "--data", str(data_folder))
    assert written == [
        out / "filters.png", out / "feature_maps.png", out / "graph.dot", out / "graph.png"
    ]
    assert_png_has_content(out / "filters.png", 200, 500)
    assert_png_has_content(out / "feature_maps.png", 600, 500)
    assert_png_has_content(out / "graph.png", 1500, 800)  # drawn by matplotlib: no Graphviz
    dot = (out / "graph.dot").read_text()
    labels, _ = parse_dot(dot)
    # The declared layers, one op each (the plain ops, not the fused block).
    ops = [label for key, label in labels.items() if key.startswith("f")]
    assert ops == [
        "CrossEntropy", "Linear", "ReLU", "Linear", "Reshape", "MaxPool2D", "ReLU", "Conv2D",
        "MaxPool2D", "ReLU", "Conv2D",
    ]
    lines = {label[0]: label for label in full_labels(dot).values()}
    assert lines["0.weight"][:2] == ["0.weight", "(32, 1, 3, 3) float32"]
    assert lines["0.weight"][2].startswith("value min ")
    assert lines["0.weight"][3].startswith("grad min ")  # backward ran: gradients drawn
    assert lines["image"][:2] == ["image", "(1, 1, 28, 28) float32"]
    printed = capsys.readouterr().out
    assert "mnist-cnn from" in printed and "test digit 0 is 7" in printed
    assert f"wrote {out / 'graph.png'}" in printed


def test_visualize_command_on_an_mlp_checkpoint_with_trace(tmp_path, monkeypatch, capsys):
    data_folder = mnist_folder()
    without_graphviz(monkeypatch)
    tinydl.manual_seed(0)
    checkpoint = save_checkpoint(tmp_path / "mlp.npz", zoo.mlp(), example="mnist-mlp")
    written = run_visualize(str(checkpoint), "--data", str(data_folder), "--digit", "1", "--trace")
    out = tmp_path / "visualize"  # the default: next to the checkpoint
    assert written == [out / "templates.png", out / "graph.dot", out / "graph.png"]
    assert_png_has_content(out / "templates.png", 500, 500)
    assert_png_has_content(out / "graph.png", 600, 600)
    labels, _ = parse_dot((out / "graph.dot").read_text())
    assert [label for key, label in labels.items() if key.startswith("f")] == [
        "CrossEntropy", "Linear", "ReLU", "Linear"
    ]
    printed = capsys.readouterr().out
    assert "test digit 1 is 2" in printed
    assert "#1 CrossEntropy -> () float32" in printed  # the trace
    assert re.search(r"grad to 3\.weight +\(512, 10\) min ", printed)
    # ReLU is element-wise: its local derivative is 0 or 1 in each place.
    relu = printed[printed.index("ReLU -> (1, 512)"):]
    local = re.search(r"local d/d #\d Linear +min (\S+)  mean \S+  max (\S+)", relu)
    assert local is not None and local.groups() == ("0", "1")
    assert "not element-wise: see the docstring of Linear" in printed


def test_weight_templates_in_either_layout(tmp_path):
    linear = nn.Sequential(nn.Flatten(), nn.Linear(16, 3), nn.ReLU(), nn.Linear(3, 2))
    dense = nn.Sequential(nn.Flatten(), nn.Dense(16, 3))
    with tinydl.no_grad():
        linear[1].weight.zero_()
        linear[1].weight[1, 5] = 1.0  # (out, in): unit 1 looks at pixel 5, (1, 1) of a 4x4
        dense[1].weight.zero_()
        dense[1].weight[5, 1] = 1.0  # (in, out): the same
    for model in (linear, dense):
        name, templates = viz.weight_templates(model)
        assert name == "1" and templates.shape == (3, 4, 4)
        assert templates[1, 1, 1] == 1.0 and np.count_nonzero(templates) == 1
    path = viz.plot_weight_templates(linear, tmp_path / "t.png", max_units=2, columns=2)
    assert read_png(path).shape[1] >= 100


def test_weight_templates_errors(tmp_path):
    with pytest.raises(ValueError, match="need a model with a Dense or Linear layer; Sequential"):
        viz.plot_weight_templates(nn.Sequential(nn.ReLU()), tmp_path / "t.png")
    with pytest.raises(ValueError, match="layer 0 takes 5 inputs, not a square image's pixels"):
        viz.plot_weight_templates(nn.Sequential(nn.Dense(5, 2)), tmp_path / "t.png")
    with pytest.raises(ValueError, match="layer 0 does not know its input size yet"):
        viz.plot_weight_templates(nn.Sequential(nn.Dense(3)), tmp_path / "t.png")


def test_visualize_command_errors(tmp_path):
    tinydl.manual_seed(0)
    checkpoint = save_checkpoint(tmp_path / "model.npz", zoo.mlp(), example="mnist-mlp")
    with pytest.raises(tinydl.TinyDLError, match="--data .*nowhere: no such folder"):
        run_visualize(str(checkpoint), "--data", str(tmp_path / "nowhere"))
    with pytest.raises(ValueError, match="--digit must be between 0 and 9999, got 10000"):
        run_visualize(str(checkpoint), "--data", str(mnist_folder()), "--digit", "10000")
