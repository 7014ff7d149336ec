"""Issue 11's proof: a PyTorch-style MNIST script runs on tinydl with only its imports
changed. With PyTorch's import lines swapped in, no line names tinydl, and the tinydl copy trains
(on a small, learnable stand-in for MNIST, so the test needs no download) and saves its
state dict the PyTorch way."""

from __future__ import annotations

import ast
import runpy
import sys
from pathlib import Path

import numpy as np
from conftest import load_script
from test_data_datasets import content_digests, isolated  # noqa: F401  (a fixture)

import tinydl
from tinydl.data import MNIST
from tinydl.data.datasets import IDX_FILES
from tinydl.data.idx import write_idx

ROOT = Path(__file__).resolve().parents[1]
TINYDL_SCRIPT = ROOT / "examples" / "pytorch_style_mnist.py"
COMPARE_SCRIPT = ROOT / "benchmarks" / "pytorch_style_compare.py"


def test_only_the_import_lines_name_tinydl() -> None:
    compare = load_script(COMPARE_SCRIPT)
    ours = TINYDL_SCRIPT.read_text()
    theirs = compare.torch_twin(ours)
    # every tinydl import line was swapped, and the body is PyTorch code as it stands
    assert sorted(set(ours.splitlines()) - set(theirs.splitlines())) == sorted(
        compare.TORCH_IMPORTS
    )
    code_after_docstring = ast.Module(ast.parse(theirs).body[1:], type_ignores=[])
    assert "tinydl" not in ast.unparse(code_after_docstring)


def write_learnable_mnist(folder: Path, train: int, test: int) -> dict[str, np.ndarray]:
    """MNIST-shaped IDX files where digit k is a bright 7x7 square at one of ten places
    on a noisy background: a CNN learns it in one short epoch."""
    rng = np.random.default_rng(0)
    arrays = {}
    for prefix, count in (("train", train), ("t10k", test)):
        labels = rng.integers(0, 10, count).astype(np.uint8)
        images = rng.integers(0, 60, (count, 28, 28)).astype(np.uint8)
        for image, label in zip(images, labels, strict=True):
            row, col = divmod(int(label), 5)
            image[3 + 12 * row : 10 + 12 * row, 1 + 5 * col : 8 + 5 * col] = 255
        arrays[f"{prefix}-images-idx3-ubyte"] = images
        arrays[f"{prefix}-labels-idx1-ubyte"] = labels
    folder.mkdir(parents=True)
    for stem in IDX_FILES:
        write_idx(folder / f"{stem}.gz", arrays[stem])
    return arrays


def test_the_tinydl_copy_trains_and_saves(tmp_path, isolated, monkeypatch, capsys) -> None:  # noqa: F811
    arrays = write_learnable_mnist(tmp_path / "data" / "MNIST" / "raw", train=200, test=100)
    monkeypatch.setitem(MNIST, "sha256", content_digests(arrays, tmp_path))
    monkeypatch.chdir(tmp_path)
    script = runpy.run_path(str(TINYDL_SCRIPT), run_name="script")  # defines, runs nothing
    monkeypatch.setattr(
        sys, "argv",
        ["pytorch_style_mnist.py", "--epochs", "1", "--batch-size", "32", "--data", "data",
         "--train-subset", "160", "--test-subset", "100", "--log-interval", "5", "--save-model"],
    )
    accuracy = script["main"]()
    out = capsys.readouterr().out
    assert "Train Epoch: 1 [0/160 (0%)]\tLoss: " in out
    assert f"Accuracy: {round(accuracy)}/100 ({accuracy:.2f}%)" in out
    assert accuracy >= 80  # ten classes: chance is 10%
    saved = tinydl.load("mnist_cnn.pt")
    model = script["Net"]()
    model.load_state_dict(saved)
    assert sorted(saved) == sorted(model.state_dict())
    assert saved["fc1.weight"].shape == (128, 9216)  # PyTorch's (out, in), as nn.Linear stores it
