"""benchmarks/time_to_accuracy.py: where it evaluates, how it checks that tinydl and PyTorch did
the same work, the PyTorch twin of a tinydl model, and its --quick smoke run (which needs the
MNIST files; with PyTorch installed it runs both systems, else tinydl alone)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import load_script

import tinydl
from tinydl import nn, zoo

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "benchmarks" / "time_to_accuracy.py"


benchmark = load_script(SCRIPT)


def test_evaluations_fall_every_quarter_epoch_and_at_each_epochs_end() -> None:
    assert benchmark.evaluation_steps(235, 2) == {59, 118, 176, 235, 294, 353, 411, 470}
    assert benchmark.evaluation_steps(4, 1) == {1, 2, 3, 4}
    assert benchmark.evaluation_steps(1, 2) == {1, 2}


def run_result(**changes) -> dict:
    result = {
        "updates": 4, "samples_seen": 1024, "samples_digest": "ab", "weights_digest": "cd",
        "schedule": [[0.0004, 0.7], [0.01, 0.7], [0.005, 0.7], [4e-8, 0.7]],
    }
    return result | changes


def test_same_work_fails_unless_both_systems_did_the_same_updates() -> None:
    assert benchmark.same_work(0, run_result(), run_result()) == 0
    for key, value in [("updates", 5), ("samples_digest", "ef"), ("weights_digest", "00")]:
        with pytest.raises(RuntimeError, match=f"seed 2: tinydl and torch differ in {key}: "):
            benchmark.same_work(2, run_result(), run_result(**{key: value}))
    late = run_result(schedule=[[0.0004, 0.7], [0.01, 0.7], [0.005, 0.7], [4.1e-8, 0.7]])
    with pytest.raises(RuntimeError, match=r"seed 0: the lr or beta1 sequences differ \(by 2.4"):
        benchmark.same_work(0, run_result(), late)


def test_the_median_counts_a_target_never_reached_as_the_slowest() -> None:
    assert benchmark.median_seconds([3.0, None, 1.0]) == 3.0
    assert benchmark.median_seconds([None, 2.0, None]) is None


def test_the_pytorch_twin_holds_the_same_weights_and_computes_the_same_logits() -> None:
    torch = pytest.importorskip("torch")
    model = benchmark.fresh_model(zoo.recipe("mnist-fast"), seed=1)
    twin = benchmark.torch_twin(model, torch)
    assert [type(layer).__name__ for layer in twin] == [
        "Conv2d", "MaxPool2d", "ReLU", "Conv2d", "MaxPool2d", "ReLU", "Flatten", "Linear",
        "ReLU", "Linear",
    ]
    assert np.array_equal(twin[7].weight.detach().numpy(), model[7].weight.numpy().T)
    x = np.random.default_rng(0).random((8, 1, 28, 28), dtype=np.float32)
    with tinydl.no_grad(), torch.no_grad():
        ours, theirs = model(tinydl.Tensor(x)).numpy(), twin(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-5)
    with pytest.raises(ValueError, match="torch_twin\\(\\) has no PyTorch twin for Dropout"):
        benchmark.torch_twin(nn.Sequential(nn.Dense(4, 2), nn.Dropout(0.5)), torch)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--seeds", "0"], "argument --seeds: expected a positive int, got '0'"),
        (["--epochs", "1.5"], "argument --epochs: expected a positive int, got '1.5'"),
        (["--systems", "tinydl,jax"], "--systems: unknown jax; choose from tinydl,torch"),
    ],
)
def test_bad_arguments_are_refused_before_any_training(arguments: list[str], message: str) -> None:
    result = subprocess.run(
        [sys.executable, str(SCRIPT), *arguments], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == f"time_to_accuracy.py: error: {message}"


def test_the_quick_run_trains_both_systems_alike_and_records_nothing() -> None:
    try:
        tinydl.data.load_mnist(download=False, progress=False)
    except tinydl.data.DataError as error:
        pytest.skip(f"MNIST is not on this machine: {error}")
    with_torch = importlib.util.find_spec("torch") is not None
    results = ROOT / "benchmarks" / "results" / "time_to_accuracy.md"
    before = results.read_text() if results.exists() else None
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick", "--threads", "1",
         "--systems", "tinydl,torch" if with_torch else "tinydl"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "### 99.0%: mnist-fast (" in out and "### 99.5%: mnist-fast-995 (" in out
    assert "batch 256, 1 epoch of 1,024 images (4 updates), test accuracy on 4 evaluations" in out
    first, second = out.split("### 99.5%")
    rows = {line.split(" | ")[0]: line.split(" | ") for line in first.splitlines()
            if line.startswith("| t")}  # fmt: skip
    assert list(rows) == ["| tinydl", "| torch"] if with_torch else ["| tinydl"]
    assert [line[:10] for line in second.splitlines() if line.startswith("| t")] == ["| tinydl |"]
    if with_torch:
        assert "Checked for every seed: tinydl and PyTorch did the same number" in out
        # the same weights, batches and rule: after 4 updates at most 2 of 1,000 test
        # images are classified differently
        ours, theirs = float(rows["| tinydl"][3]), float(rows["| torch"][3])
        assert abs(ours - theirs) <= 0.002
    assert (results.read_text() if results.exists() else None) == before  # a smoke run


def test_the_gan_twins_have_the_examples_layers_and_parameters() -> None:
    """benchmarks/gan_step.py times PyTorch twins of the GAN examples' models."""
    torch = pytest.importorskip("torch")
    sys.path.insert(0, str(ROOT / "examples"))
    try:
        import dcgan_mnist
    finally:
        sys.path.remove(str(ROOT / "examples"))
    for model in (dcgan_mnist.build_generator(), dcgan_mnist.build_discriminator()):
        twin = benchmark.torch_twin(model, torch, copy_weights=False)
        assert len(twin) == len(model)
        assert sum(p.numel() for p in twin.parameters()) == sum(
            p.numel() for p in model.parameters()
        )
    with torch.no_grad():
        assert twin(torch.zeros(2, 1, 28, 28)).shape == (2, 1)
