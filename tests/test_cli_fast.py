"""``tinydl train`` reports the training time (issue 13): the training batches alone, printed
and written to results.json as ``training_seconds``; mnist-fast's one-cycle schedule steps
after every batch; examples/mnist_fast.py trains exactly as the command does."""

from __future__ import annotations

import json
import re
import runpy
import sys
from pathlib import Path

import numpy as np
import pytest
from test_cli import mnist_root, needs_mnist, run

from tinydl import nn, zoo
from tinydl.optim.lr_scheduler import OneCycleLR

LIMIT = 600  # 3 batches of 256 (the last one short)


def train(example: str, out: Path) -> tuple[dict, str]:
    """results.json and the output of ``tinydl train EXAMPLE`` for one epoch on LIMIT images."""
    code, printed, err = run([
        "train", example, "--limit", str(LIMIT), "--epochs", "1", "--no-progress",
        "--data", str(mnist_root()), "--out", str(out),
    ])
    assert (code, err) == (0, ""), err
    return json.loads((out / "results.json").read_text()), printed


@pytest.fixture(scope="module")
def fast_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, str]:
    return train("mnist-fast", tmp_path_factory.mktemp("mnist-fast"))


def check_training_seconds(results: dict, printed: str) -> None:
    history = results["history"]
    assert results["training_seconds"] == pytest.approx(sum(history["train_seconds"]))
    assert 0 < results["training_seconds"] < sum(history["seconds"]) < results["total_seconds"]
    found = re.findall(r"^training time (\d+\.\d)s \(the training batches alone\)$", printed,
                       re.MULTILINE)
    assert found == [f"{results['training_seconds']:.1f}"]


@needs_mnist
def test_train_prints_and_records_the_training_seconds(fast_run, tmp_path: Path) -> None:
    check_training_seconds(*fast_run)
    check_training_seconds(*train("mnist-mlp", tmp_path))  # every example, not only this one


@needs_mnist
def test_mnist_fast_steps_its_one_cycle_schedule_after_every_batch(fast_run) -> None:
    recipe = zoo.recipe("mnist-fast")
    optimizer = recipe.optimizer([nn.Parameter(np.zeros(1, np.float32))], recipe.lr)
    batches = -(-LIMIT // recipe.batch_size)
    scheduler = recipe.scheduler(optimizer, 1, batches)
    assert isinstance(scheduler, OneCycleLR) and scheduler.total_steps == batches
    for _ in range(batches):
        scheduler.step()
    assert fast_run[0]["history"]["lr"] == pytest.approx([optimizer.lr], rel=1e-12)


@needs_mnist
def test_the_example_script_trains_exactly_as_the_command(
    fast_run, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    script = Path(__file__).resolve().parents[1] / "examples" / "mnist_fast.py"
    monkeypatch.setattr(sys, "argv", [
        str(script), "--data", str(mnist_root()), "--limit", str(LIMIT), "--epochs", "1",
    ])
    runpy.run_path(str(script), run_name="__main__")
    found = re.findall(r"^epoch 1/1 .* test accuracy (\d\.\d{4}) ", capsys.readouterr().out,
                       re.MULTILINE)
    assert found == [f"{fast_run[0]['test_accuracy']:.4f}"]
