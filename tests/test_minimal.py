"""tinydl/minimal.py, tinydl in one file: the same gradients as the real engine on a small
MLP, a backward walk that needs no recursion, and a length a learner reads at one sitting."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import tinydl
from tinydl import minimal, nn

MINIMAL_LINE_BUDGET = 180  # the engine, its docstrings and a 16-line demo


def test_a_small_mlp_has_the_real_engines_loss_and_gradients(rng) -> None:
    x, y = rng.standard_normal((8, 4)), rng.standard_normal((8, 3))
    tinydl.manual_seed(0)
    model = nn.Sequential(nn.Dense(4, 16), nn.ReLU(), nn.Dense(16, 3)).double()
    loss = nn.MSELoss()(model(tinydl.tensor(x, dtype="float64")), tinydl.tensor(y, dtype="float64"))
    loss.backward()

    first, second = model[0], model[2]
    w1, b1, w2, b2 = (minimal.Tensor(p.numpy())
                      for p in (first.weight, first.bias, second.weight, second.bias))
    error = (minimal.Tensor(x) @ w1 + b1).relu() @ w2 + b2 - y
    mine = (error * error).sum() * (1 / error.data.size)
    mine.backward()

    assert mine.data == pytest.approx(loss.item(), rel=1e-14)
    for ours, real in ((w1, first.weight), (b1, first.bias), (w2, second.weight),
                       (b2, second.bias)):
        assert ours.grad.shape == real.shape
        np.testing.assert_allclose(ours.grad, real.grad.numpy(), rtol=1e-12, atol=1e-15)


def test_a_tensor_used_twice_collects_both_gradients() -> None:
    a = minimal.Tensor([1.0, -2.0, 3.0])
    (a * a + a).sum().backward()  # d/da (a² + a) = 2a + 1
    np.testing.assert_array_equal(a.grad, [3.0, -3.0, 7.0])


def test_broadcasting_is_summed_back_in_backward() -> None:
    row, column = minimal.Tensor(np.ones((1, 3))), minimal.Tensor(np.arange(2.0).reshape(2, 1))
    (row * column + minimal.Tensor(np.zeros(3))).sum().backward()
    np.testing.assert_array_equal(row.grad, [[1.0, 1.0, 1.0]])  # Σ of column, per entry
    np.testing.assert_array_equal(column.grad, [[3.0], [3.0]])


def test_backward_walks_a_deep_graph_without_recursion() -> None:
    """50,000 chained additions: a recursive walk would pass Python's limit of ~1,000."""
    x = minimal.Tensor(1.0)
    y = x
    for _ in range(50_000):
        y = y + x
    y.backward()
    assert x.grad == 50_001
    assert sys.getrecursionlimit() < 50_000


def test_the_file_stands_alone_and_reads_at_one_sitting() -> None:
    path = Path(minimal.__file__)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= MINIMAL_LINE_BUDGET, f"{len(lines)} lines"
    imports = [line for line in lines if line.startswith(("import ", "from "))]
    assert imports == ["from __future__ import annotations", "import numpy as np"]
    root = str(path.parent.parent)  # this checkout's tinydl, whatever is installed
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join([root, os.environ.get(
        "PYTHONPATH", "")])}
    shown = subprocess.run([sys.executable, "-m", "tinydl.minimal"], capture_output=True,
                           text=True, check=True, env=environment).stdout.splitlines()
    first, last = (float(line.split()[-1]) for line in (shown[0], shown[-1]))
    assert last < first / 20  # the demo's perceptron learns
