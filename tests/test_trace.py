"""Backward tracing (tinydl.viz.trace): the ops of a two-layer network on one sample are
printed in the order backward visits them, with shapes, values and the gradients that
flow, and tracing changes nothing about the gradients or the engine."""

from __future__ import annotations

import re

import numpy as np
import pytest
from conftest import make

import tinydl
from tinydl import backend, nn, viz
from tinydl.autograd import function as engine
from tinydl.autograd.function import Function, topological_order

SAMPLE = [[0.5, -1.0, 2.0]]
LABEL = 1


class Affine(nn.Module):
    """x @ W + b written as two ops (nn.Dense fuses them into one Linear), so the trace
    shows the bias gradient being summed back over the axis it was broadcast along."""

    def __init__(self, inputs: int, outputs: int) -> None:
        self.weight = nn.Parameter(np.zeros((inputs, outputs)))
        self.bias = nn.Parameter(np.zeros(outputs))

    def forward(self, x: tinydl.Tensor) -> tinydl.Tensor:
        return x @ self.weight + self.bias


def two_layer_net(device: str) -> nn.Module:
    """3 -> 4 ReLU -> 2, float64, with fixed weights so the printed values are known."""
    model = nn.Sequential(Affine(3, 4), nn.ReLU(), Affine(4, 2))
    rng = np.random.default_rng(1)  # a seed where the ReLU lets 3 of 4 through
    model.load_state_dict(
        {
            "0.weight": rng.normal(size=(3, 4)),
            "0.bias": np.array([0.1, -0.1, 0.2, 0.0]),
            "2.weight": rng.normal(size=(4, 2)),
            "2.bias": np.array([0.05, -0.05]),
        }
    )
    for _, parameter in model.named_parameters():
        parameter.data = backend.to_device(parameter.numpy().astype(np.float64), device)
    return model


def sample_loss(model: nn.Module, device: str) -> tuple[tinydl.Tensor, tinydl.Tensor, dict]:
    x = make(SAMPLE, device, requires_grad=False)
    y = tinydl.tensor([LABEL], device=device)
    names = {"x": x, "y": y, **dict(model.named_parameters())}
    return nn.CrossEntropyLoss()(model(x), y), x, names


def numbers(text: str) -> list[float]:
    return [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?(?:e-?\d+)?", text)]


def test_trace_of_a_two_layer_net_lists_the_ops_in_backward_order(device, capsys):
    model = two_layer_net(device)
    loss, x, names = sample_loss(model, device)
    expected_order = [type(f).__name__ for f in reversed(topological_order(loss.creator))]
    steps = viz.trace(loss, names)
    printed = capsys.readouterr().out.splitlines()

    assert expected_order == ["CrossEntropy", "Add", "MatMul", "ReLU", "Add", "MatMul"]
    assert [s.op for s in steps] == expected_order
    assert printed[0] == (
        "backward through 6 ops, in the order it visits them "
        "(grad in = dLoss/d(op output); grad to = what each input receives)"
    )
    headers = [line for line in printed if line.startswith("#")]
    assert headers == [
        "#1 CrossEntropy -> () float64",
        "#2 Add -> (1, 2) float64",
        "#3 MatMul -> (1, 2) float64",
        "#4 ReLU -> (1, 4) float64",
        "#5 Add -> (1, 4) float64",
        "#6 MatMul -> (1, 4) float64",
    ]
    sources = [[given.source for given in s.inputs] for s in steps]
    assert sources == [
        ["#2 Add", "y"],
        ["#3 MatMul", "2.bias"],
        ["#4 ReLU", "2.weight"],
        ["#5 Add"],
        ["#6 MatMul", "0.bias"],
        ["x", "0.weight"],
    ]
    # Each op's incoming gradient is what the op before it handed down.
    for earlier, later in zip(steps, steps[1:], strict=False):
        handed = next(g for g in earlier.inputs if g.source == f"#{later.number} {later.op}")
        assert handed.gradient == later.grad_output


def test_traced_values_and_gradients_are_the_true_ones(capsys):
    model = two_layer_net("cpu")
    loss, x, names = sample_loss(model, "cpu")
    hidden = np.maximum(np.array(SAMPLE) @ model[0].weight.numpy() + model[0].bias.numpy(), 0)
    logits = hidden @ model[2].weight.numpy() + model[2].bias.numpy()
    probabilities = np.exp(logits) / np.exp(logits).sum()
    steps = viz.trace(loss, names)
    text = capsys.readouterr().out

    loss_step, logits_step = steps[0], steps[1]
    assert numbers(loss_step.output) == pytest.approx([-np.log(probabilities[0, LABEL])], rel=1e-3)
    assert loss_step.grad_output == "1"  # dLoss/dLoss
    dlogits = probabilities - np.eye(2)[LABEL]  # softmax minus one-hot
    assert numbers(loss_step.inputs[0].gradient) == pytest.approx(dlogits.ravel(), rel=1e-3)
    assert loss_step.inputs[1].gradient is None  # labels get no gradient
    assert numbers(logits_step.output) == pytest.approx(logits.ravel(), rel=1e-3)
    relu_step = steps[3]
    assert numbers(relu_step.output) == pytest.approx(hidden.ravel(), rel=1e-3, abs=1e-12)
    # Small arrays are printed in full, keeping their rows; the biggest one (3, 4) is summarised.
    assert "     grad to y            (1,) none (needs no gradient)" in text
    assert re.search(r"grad to 2\.weight +\(4, 2\) \[\[.*\], \[.*\], \[.*\], \[.*\]\]", text)
    weight_grad = model[0].weight.grad.numpy()
    assert steps[5].inputs[1].gradient == (
        f"min {weight_grad.min():.4g}  mean {weight_grad.mean():.4g}  max {weight_grad.max():.4g}"
    )
    # A bias gets the row gradient summed over the batch axis it was broadcast along.
    bias_line = next(line for line in text.splitlines() if "grad to 2.bias" in line)
    assert bias_line.endswith("(summed from (1, 2): it was broadcast)")
    assert steps[1].inputs[1].broadcast_from == (1, 2) and steps[1].inputs[1].shape == (2,)


def test_tracing_changes_no_gradient(device):
    traced_model, plain_model = two_layer_net(device), two_layer_net(device)
    viz.trace(sample_loss(traced_model, device)[0], print_fn=None)
    sample_loss(plain_model, device)[0].backward()
    for (name, traced), (_, plain) in zip(
        traced_model.named_parameters(), plain_model.named_parameters(), strict=True
    ):
        assert traced.grad is not None, name
        np.testing.assert_array_equal(traced.grad.numpy(), plain.grad.numpy())


def test_trace_backward_context_restores_the_engine(capsys):
    untraced = engine.run_backward
    model = two_layer_net("cpu")
    loss, _, _ = sample_loss(model, "cpu")
    with viz.trace_backward(print_fn=None) as steps:
        assert engine.run_backward is not untraced
        loss.backward(retain_graph=True)
    assert engine.run_backward is untraced
    assert len(steps) == 6
    functions = topological_order(loss.creator)  # the graph was kept...
    assert all("backward" not in vars(f) for f in functions)  # ...without the wrappers
    model.zero_grad()
    loss.backward()  # outside the block: nothing printed
    assert capsys.readouterr().out == ""


def test_trace_backward_restores_the_engine_when_backward_fails():
    class Broken(Function):
        def forward(self, x):
            return x * 2

        def backward(self, grad_output):
            raise ArithmeticError("broken backward")

    untraced = engine.run_backward
    x = tinydl.tensor([1.0], requires_grad=True)
    with pytest.raises(ArithmeticError, match="broken backward"), viz.trace_backward(print_fn=None):
        Broken()(x).sum().backward()
    assert engine.run_backward is untraced


def test_trace_records_every_backward_in_the_block(capsys):
    x = tinydl.tensor([1.0, 2.0], requires_grad=True)
    with viz.trace_backward() as steps:
        (x * 3).sum().backward()
        (x.exp()).sum().backward()
    assert [s.op for s in steps] == ["Sum", "Mul", "Sum", "Exp"]
    assert capsys.readouterr().out.count("backward through 2 ops") == 2


def test_trace_of_a_leaf_prints_nothing(capsys):
    x = tinydl.tensor(3.0, requires_grad=True)
    assert viz.trace(x) == []
    assert x.grad.item() == 1.0
    assert capsys.readouterr().out == ""


def test_trace_labels_unnamed_leaves():
    weight = tinydl.tensor([[2.0]], requires_grad=True)
    constant = tinydl.tensor([[3.0]])
    (step,) = viz.trace(weight @ constant, print_fn=None)
    assert [(g.source, g.gradient) for g in step.inputs] == [("leaf", "[[3]]"), ("constant", None)]


def test_summarize(device):
    assert viz.summarize(np.array(2.5)) == "2.5"
    assert viz.summarize(np.array([1, 2, 3])) == "[1, 2, 3]"
    assert viz.summarize(np.array([[1.0, 2.0], [3.0, 4.0]])) == "[[1, 2], [3, 4]]"
    assert viz.summarize(np.zeros((0, 3))) == "(empty)"
    assert viz.summarize(np.array([-0.0, 1.0])) == "[0, 1]"  # ReLU's -0.0 gradients read as 0
    values = backend.to_device(np.arange(10, dtype=np.float32) / 3, device)
    assert viz.summarize(values) == "min 0  mean 1.5  max 3"
    assert viz.summarize(values, max_values=10) == (
        "[0, 0.3333, 0.6667, 1, 1.333, 1.667, 2, 2.333, 2.667, 3]"
    )


# ---- local derivatives ----------------------------------------------------------------------
def test_local_derivatives_of_element_wise_ops(device):
    x = make([[0.5, -1.0, 2.0]], device)
    bias = make([0.1, 0.2, 0.3], device)
    y = (x * 2.0 + bias).sigmoid()
    loss = (y * y).sum()
    steps = viz.trace(loss, {"x": x, "bias": bias}, print_fn=None, local_derivatives=True)
    by_op = {step.op: step for step in steps}
    s = 1 / (1 + np.exp(-(np.array([0.5, -1.0, 2.0]) * 2 + [0.1, 0.2, 0.3])))
    (sigmoid_input,) = by_op["Sigmoid"].inputs
    np.testing.assert_allclose(numbers(sigmoid_input.local), s * (1 - s), rtol=1e-3)  # y(1-y)
    to_product, to_bias = by_op["Add"].inputs
    assert numbers(to_product.local) == [1, 1, 1] and numbers(to_bias.local) == [1, 1, 1]
    (to_x, to_two) = by_op["Mul"].inputs[0], by_op["Mul"].inputs[1]
    assert to_x.source == "x" and numbers(to_x.local) == [2, 2, 2]
    assert to_two.gradient is None and to_two.local is None  # the constant gets no gradient


def test_an_op_that_mixes_elements_has_no_local_derivative_per_element(device):
    a = make([[1.0, 2.0], [3.0, 4.0]], device)
    steps = viz.trace((a.T * a).sum(), {"a": a}, print_fn=None, local_derivatives=True)
    transpose = next(step for step in steps if step.op == "Permute")
    assert transpose.inputs[0].local == ""  # a transpose: same shape, yet not element-wise
    (summed,) = next(step for step in steps if step.op == "Sum").inputs
    assert summed.local == ""
    lines = transpose.lines()
    assert "     local d/d a          not element-wise: see the docstring of Permute" in lines


def test_local_derivatives_change_no_gradient(device):
    def gradients(local: bool) -> list[np.ndarray]:
        model = two_layer_net(device)
        loss, _, names = sample_loss(model, device)
        viz.trace(loss, names, print_fn=None, local_derivatives=local)
        return [p.grad.numpy() for p in model.parameters()]

    for with_local, without in zip(gradients(True), gradients(False), strict=True):
        np.testing.assert_array_equal(with_local, without)
