"""The one fast-path switch (tinydl/backend/fast_path_switch.py) and what it decides.

- The switch: ``set_fast_paths``, ``fast_paths(...)``, ``TINYDL_FAST_PATHS`` read once at
  import (bad values: tests/test_bad_inputs_fast_paths.py), plain versions by default,
  ``tinydl train`` fast unless ``--readable`` or ``TINYDL_FAST_PATHS=0``.
- A learner sees what they declared: with the fast paths off, ``viz.trace`` of a
  Conv2d → ReLU → MaxPool2d → Flatten → Linear model lists the convolution, the ReLU and
  the max-pool separately; an LSTM and attention show their composed ops. Either way the
  loss and every gradient are the same. The textbook Adam and the chunked one train a
  small model to the same losses and weights.
- Every zoo model trains a few steps to the same losses and gradients both ways (float32),
  from the same weights on the same batches: each fast path (fused block, batch-last
  layout, chunked Adam, fused LSTM) against its plain twin inside a real model.
- The standalone batch-last Conv2D, ConvTranspose2D and MaxPool2D against the plain ones.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import make
from test_cli import TRAIN_ARGS, mnist_root, needs_mnist, run

import tinydl
import tinydl.nn.functional as F  # noqa: N812
from tinydl import nn, viz, zoo
from tinydl.backend import fast_path_switch, host_threads
from tinydl.ops.conv import conv2d
from tinydl.ops.conv_transpose import conv_transpose2d
from tinydl.ops.pooling import max_pool2d

ROOT = Path(__file__).resolve().parents[1]


# ---- the switch ---------------------------------------------------------------------------
def test_set_fast_paths_and_the_context_manager():
    tinydl.set_fast_paths(True)
    assert tinydl.fast_paths_enabled()
    with pytest.raises(RuntimeError), tinydl.fast_paths(False):
        assert not tinydl.fast_paths_enabled()
        raise RuntimeError("the block fails")
    assert tinydl.fast_paths_enabled()  # restored, even after an error
    tinydl.set_fast_paths(False)
    assert not tinydl.fast_paths_enabled()


@pytest.mark.parametrize(
    ("value", "expected"), [(None, None), ("0", False), ("1", True), (" 1\n", True)]
)
def test_the_environment_variable(monkeypatch, value, expected):
    if value is None:
        monkeypatch.delenv("TINYDL_FAST_PATHS", raising=False)
    else:
        monkeypatch.setenv("TINYDL_FAST_PATHS", value)
    assert fast_path_switch.environment_choice() is expected


def import_tinydl_with(value: str | None) -> subprocess.CompletedProcess:
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    environment.pop("TINYDL_FAST_PATHS", None)
    if value is not None:
        environment["TINYDL_FAST_PATHS"] = value
    return subprocess.run(
        [sys.executable, "-c", "import tinydl; print(tinydl.fast_paths_enabled())"],
        env=environment, capture_output=True, text=True, check=False,
    )


@pytest.mark.parametrize(("value", "enabled"), [(None, False), ("1", True), ("0", False)])
def test_plain_by_default_unless_the_environment_says_so_at_import(value, enabled):
    done = import_tinydl_with(value)
    assert (done.returncode, done.stdout) == (0, f"{enabled}\n"), done.stderr


def test_a_bad_environment_value_names_the_variable_and_the_accepted_values():
    done = import_tinydl_with("yes")
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1] == (
        "ValueError: TINYDL_FAST_PATHS must be 0 (plain versions) or 1 (fast paths), got 'yes'"
    )


# ---- tinydl train: fast unless --readable or TINYDL_FAST_PATHS=0 --------------------------
def train_settings_line(tmp_path: Path, *extra: str) -> str:
    args = ["train", "mnist-mlp", *TRAIN_ARGS, "--limit", "64", "--data", str(mnist_root()),
            "--out", str(tmp_path), *extra]
    code, printed, err = run(args)
    assert (code, err) == (0, ""), err
    assert not tinydl.fast_paths_enabled()  # the command restored the switch
    return next(line for line in printed.splitlines() if " training images, batch " in line)


@needs_mnist
def test_train_readable_runs_the_plain_versions(tmp_path, monkeypatch):
    monkeypatch.delenv("TINYDL_FAST_PATHS", raising=False)
    assert train_settings_line(tmp_path / "a", "--readable").endswith(
        "on cpu, the plain versions of the ops"
    )
    monkeypatch.setenv("TINYDL_FAST_PATHS", "0")
    assert train_settings_line(tmp_path / "b").endswith("on cpu, the plain versions of the ops")
    monkeypatch.setenv("TINYDL_FAST_PATHS", "1")
    assert train_settings_line(tmp_path / "c").endswith("on cpu, fast paths")


# ---- what a learner traces: the layers they declared ---------------------------------------
def run_both_ways(build, forward, seed=0):
    """For the fast paths off and on: the backward trace's op names, the loss and every
    parameter's gradient of ``forward(model)``, from the same weights."""
    results = {}
    for fast in (False, True):
        tinydl.manual_seed(seed)
        model = build()
        with tinydl.fast_paths(fast):
            loss = forward(model)
            steps = viz.trace(loss, print_fn=None)
        grads = {name: p.grad.numpy() for name, p in model.named_parameters()}
        results[fast] = ([step.op for step in steps], loss.item(), grads)
    return results


def assert_same_loss_and_gradients(results, rtol=1e-5):
    (_, plain_loss, plain_grads), (_, fast_loss, fast_grads) = results[False], results[True]
    assert fast_loss == pytest.approx(plain_loss, rel=rtol)
    assert plain_grads.keys() == fast_grads.keys()
    for name, grad in plain_grads.items():
        scale = float(np.abs(grad).max()) or 1.0
        np.testing.assert_allclose(fast_grads[name], grad, rtol=rtol, atol=rtol * scale,
                                   err_msg=name)


def test_a_traced_cnn_shows_the_convolution_relu_and_max_pool_separately(rng):
    x = tinydl.tensor(rng.standard_normal((4, 1, 12, 12)), dtype="float32")
    labels = tinydl.tensor([0, 1, 2, 1])

    def build():
        return nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                             nn.Linear(4 * 5 * 5, 3))

    results = run_both_ways(build, lambda model: F.cross_entropy(model(x), labels))
    plain_ops, fast_ops = results[False][0], results[True][0]
    assert plain_ops == ["CrossEntropy", "Linear", "Reshape", "MaxPool2D", "ReLU", "Conv2D"]
    assert fast_ops == ["CrossEntropy", "LinearFast", "Reshape", "Conv2DMaxPoolFast"]
    assert_same_loss_and_gradients(results)


def test_a_traced_lstm_shows_its_composed_step(rng):
    x = tinydl.tensor(rng.standard_normal((2, 4, 3)), dtype="float32")

    def build():  # with dropout between the layers: the same masks both ways
        return nn.LSTM(3, 5, num_layers=2, batch_first=True, dropout=0.5)

    results = run_both_ways(build, lambda model: (model(x)[0] ** 2).mean())
    plain_ops, fast_ops = results[False][0], results[True][0]
    assert "LSTMSequenceFast" not in plain_ops
    assert {"Sigmoid", "Tanh", "Linear"} <= set(plain_ops)
    assert fast_ops.count("LSTMSequenceFast") == 2  # one Function per layer
    assert not {"Sigmoid", "Tanh"} & set(fast_ops)
    assert_same_loss_and_gradients(results)


def test_traced_attention_shows_its_composed_ops(rng):
    x = tinydl.tensor(rng.standard_normal((2, 5, 8)), dtype="float32")

    def build():
        return nn.MultiHeadAttention(8, 2)

    results = run_both_ways(build, lambda model: (model(x, causal=True) ** 2).mean())
    plain_ops, fast_ops = results[False][0], results[True][0]
    assert {"Softmax", "MatMul"} <= set(plain_ops)
    assert "ScaledDotProductAttentionFast" not in plain_ops
    assert fast_ops.count("ScaledDotProductAttentionFast") == 1
    assert "Softmax" not in fast_ops
    assert_same_loss_and_gradients(results)


def test_adam_trains_the_same_both_ways(rng):
    """The textbook ``Adam.adam_step`` and the chunked ``adam_step_fast``: the same losses
    and weights over a few steps of a small model (a chunk smaller than its weight)."""
    x = tinydl.tensor(rng.standard_normal((16, 6)), dtype="float32")
    labels = tinydl.tensor(rng.integers(0, 3, 16))
    runs = {}
    for fast in (False, True):
        tinydl.manual_seed(0)
        model = nn.Sequential(nn.Linear(6, 32), nn.ReLU(), nn.Linear(32, 3))
        optimizer = tinydl.optim.Adam(model.parameters(), lr=0.01)
        optimizer.chunk_size = 64
        losses = []
        with tinydl.fast_paths(fast):
            for _ in range(5):
                loss = F.cross_entropy(model(x), labels)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                losses.append(loss.item())
        runs[fast] = losses, [p.numpy() for p in model.parameters()]
    np.testing.assert_allclose(runs[True][0], runs[False][0], rtol=1e-6)
    for fast_weight, plain_weight in zip(runs[True][1], runs[False][1], strict=True):
        np.testing.assert_allclose(fast_weight, plain_weight, rtol=1e-5, atol=1e-6)


# ---- the zoo, trained both ways ------------------------------------------------------------
ZOO = {  # recipe name -> the input shape of one small batch
    "mnist-mlp": (8, 28, 28),
    "mnist-mlp-dropout": (8, 28, 28),
    "mnist-cnn": (8, 1, 28, 28),
    "mnist-linear-cnn": (4, 1, 28, 28),
    "mnist-deep-cnn": (4, 1, 32, 32),
    "mnist-best": (8, 1, 28, 28),
    "mnist-lstm": (8, 28, 28),
    "mnist-fast": (8, 1, 28, 28),
    "mnist-fast-995": (8, 1, 28, 28),
}
STEPS = 3


def train_a_few_steps(name: str, fast: bool) -> tuple[list[float], list[dict]]:
    """``STEPS`` steps of a zoo recipe (its model, optimiser and loss) from seed 0 on the
    same random batches: the losses and each step's gradients."""
    recipe = zoo.recipe(name)
    tinydl.manual_seed(0)
    model = recipe.build()
    optimizer = recipe.optimizer(model.parameters(), recipe.lr)
    loss_fn = nn.CrossEntropyLoss(label_smoothing=recipe.label_smoothing)
    batches = np.random.default_rng(1)
    losses, grads = [], []
    with tinydl.fast_paths(fast):
        for _ in range(STEPS):
            x = tinydl.tensor(batches.random(ZOO[name], dtype=np.float32))
            labels = batches.integers(0, 10, ZOO[name][0])
            targets = np.eye(10, dtype=np.float32)[labels] if recipe.one_hot_targets else labels
            loss = loss_fn(model(x), tinydl.tensor(targets))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
            grads.append({n: p.grad.numpy() for n, p in model.named_parameters()})
    return losses, grads


@pytest.mark.parametrize("name", ZOO)
def test_every_zoo_model_trains_the_same_both_ways(name):
    """The losses of every step agree to float32 precision, and so do the first step's
    gradients (both runs start from the same weights). Later gradients are held to 1e-3 of
    their scale: Adam divides each gradient by its own size, so where one is near ε
    (1e-7), float32 rounding moves that weight's step by a good fraction of the lr, and
    the runs part a little (mnist-best's gradients by 1.3e-4 of their scale after 3 steps)."""
    assert set(ZOO) == set(zoo.RECIPES)
    plain_losses, plain_grads = train_a_few_steps(name, fast=False)
    fast_losses, fast_grads = train_a_few_steps(name, fast=True)
    np.testing.assert_allclose(fast_losses, plain_losses, rtol=1e-5)
    for step, tolerance in ((0, 1e-5), (-1, 1e-3)):
        for parameter, grad in plain_grads[step].items():
            scale = float(np.abs(grad).max()) or 1.0
            np.testing.assert_allclose(fast_grads[step][parameter], grad, rtol=1e-4,
                                       atol=tolerance * scale, err_msg=parameter)


# ---- the standalone batch-last ops against the plain ones ----------------------------------
CONV_CASES = [  # x shape, weight shape, stride, padding
    ((2, 3, 7, 6), (4, 3, 3, 3), 1, 0),
    ((2, 2, 9, 8), (3, 2, 3, 2), 2, 1),
    ((1, 2, 5, 5), (2, 2, 1, 1), 1, (1, 2)),
    ((2, 1, 6, 6), (5, 1, 2, 2), 1, 0),  # O > C·KH·KW: dY·colsᵀ taken the plain way round
    ((2, 3, 8, 8), (4, 3, 4, 4), 2, 1),  # the DCGAN's: windows overlap across the 4 phases
    ((2, 2, 10, 9), (3, 2, 5, 4), (3, 2), (2, 1)),  # phases of unequal sizes, pad > stride
]
POOL_CASES = [  # x shape, kernel, stride, padding
    ((2, 3, 8, 6), 2, None, 0),
    ((2, 2, 7, 9), 3, 2, 1),
    ((1, 2, 6, 5), (3, 2), (1, 2), (1, 0)),
]


def output_and_gradients(op, shapes, device, fast):
    """``op`` on float64 leaves of ``shapes``: its output and the leaves' gradients as NumPy
    arrays, and the name of the Function that made the output."""
    leaves = [make(np.random.default_rng(7).standard_normal(shape), device) for shape in shapes]
    with tinydl.fast_paths(fast):
        y = op(*leaves)
        (y * y).sum().backward()  # an upstream gradient that differs per element
    return [y.numpy()] + [t.grad.numpy() for t in leaves], type(y.creator).__name__


def assert_fast_matches_plain(op, shapes, device):
    """``op`` on float64 leaves of ``shapes``, with the fast paths off and on: the same
    output and input gradients, from the plain Function and its ``...Fast`` twin."""
    results = [output_and_gradients(op, shapes, device, fast) for fast in (False, True)]
    (plain, plain_op), (fast, fast_op) = results
    assert fast_op == plain_op + "Fast"
    for got, want in zip(fast, plain, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(("x_shape", "w_shape", "stride", "padding"), CONV_CASES)
def test_batch_last_convolutions_match_the_plain_ones(x_shape, w_shape, stride, padding, device):
    transposed_w_shape = (x_shape[1], w_shape[0], *w_shape[2:])
    assert_fast_matches_plain(lambda x, w, b: conv2d(x, w, b, stride, padding),
                              [x_shape, w_shape, w_shape[:1]], device)
    assert_fast_matches_plain(lambda x, w, b: conv_transpose2d(x, w, b, stride, padding),
                              [x_shape, transposed_w_shape, w_shape[:1]], device)


@pytest.mark.parametrize(("x_shape", "w_shape", "stride", "padding"), CONV_CASES)
def test_batch_last_convolutions_split_over_threads_change_no_bit(
        x_shape, w_shape, stride, padding, device, monkeypatch):
    """im2col's copies and col2im's sums run in parts of the channels on the host's threads
    (backend/host_threads.py): one channel a part on three threads gives the same bits."""
    transposed_w_shape = (x_shape[1], w_shape[0], *w_shape[2:])
    cases = [(lambda x, w, b: conv2d(x, w, b, stride, padding), [x_shape, w_shape, w_shape[:1]]),
             (lambda x, w, b: conv_transpose2d(x, w, b, stride, padding),
              [x_shape, transposed_w_shape, w_shape[:1]])]
    monkeypatch.setattr(host_threads, "SMALLEST_PART", 1)
    for op, shapes in cases:
        results = []
        for threads in (1, 3):
            monkeypatch.setattr(host_threads, "thread_count", lambda threads=threads: threads)
            results.append(output_and_gradients(op, shapes, device, fast=True)[0])
        for got, want in zip(*results, strict=True):
            np.testing.assert_array_equal(got, want)


def test_batch_last_weight_gradients_are_stored_in_c_order(device):
    """times_transposed_fast makes some weight gradients as (cols·dYᵀ)ᵀ and copies them
    back into C order: Adam's chunked step takes only contiguous arrays, and a transposed
    view sent the DCGAN's two largest weights through its plain step."""
    rng = np.random.default_rng(5)
    for op, w_shape in ((conv2d, (4, 3, 4, 4)), (conv_transpose2d, (3, 4, 4, 4))):
        x, w = make(rng.standard_normal((2, 3, 8, 8)), device), make(rng.standard_normal(w_shape),
                                                                      device)
        with tinydl.fast_paths(True):
            op(x, w, None, 2, 1).sum().backward()
        grad = w.grad.array
        c_order = tuple(int(np.prod(w_shape[k + 1 :])) * grad.itemsize for k in range(4))
        assert grad.strides == c_order


@pytest.mark.parametrize(("x_shape", "kernel", "stride", "padding"), POOL_CASES)
def test_batch_last_max_pool_matches_the_plain_one(x_shape, kernel, stride, padding, device):
    assert_fast_matches_plain(lambda x: max_pool2d(x, kernel, stride, padding), [x_shape], device)
