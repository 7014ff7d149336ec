"""Bad input for the pictures of tinydl.viz: the recorded graph, its drawing, the weight
templates and the backward trace. Format: see tests/bad_input_table.py."""

from __future__ import annotations

import numpy as np
import pytest
from bad_input_table import Case, check, params

import tinydl
from tinydl import nn, viz

X = tinydl.tensor([1.0, 2.0], requires_grad=True)


def freed_graph() -> tinydl.Tensor:
    loss = (X * X).sum()
    loss.backward()
    return loss


CASES = [
    Case("Graph-of-an-array", lambda: viz.Graph(np.ones(3)),
         TypeError, ("Graph expects the Tensor whose graph to record", "ndarray")),
    Case("Graph-after-backward", lambda: viz.Graph(freed_graph()),
         RuntimeError, ("backward() has freed it", "record the graph")),
    Case("render_graph-engine", lambda: viz.render_graph(X * 2, "g.png", engine="dot"),
         ValueError, ("engine must be 'auto', 'graphviz' or 'matplotlib'", "'dot'")),
    Case("render_graph-names-with-a-graph",
         lambda: viz.render_graph(viz.Graph(X * 2), "g.png", names={"x": X}),
         ValueError, ("names label the tensors while recording", "pass them to Graph()")),
    Case("weight_templates-no-dense", lambda: viz.weight_templates(nn.Sequential(nn.ReLU())),
         ValueError, ("need a model with a Dense or Linear layer", "Sequential has none")),
    Case("weight_templates-not-square", lambda: viz.weight_templates(nn.Sequential(nn.Dense(5, 2))),
         ValueError, ("takes 5 inputs, not a square image's pixels",)),
    Case("weight_templates-not-built", lambda: viz.weight_templates(nn.Sequential(nn.Dense(3))),
         ValueError, ("does not know its input size yet", "call the model once")),
    Case("trace-of-an-array", lambda: viz.trace(np.ones(3)),
         TypeError, ("trace expects the Tensor to run backward from", "ndarray")),
]


@pytest.mark.parametrize("case", params(CASES))
def test_bad_input(case: Case) -> None:
    check(case)
