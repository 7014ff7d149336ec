"""The ``tinydl`` command through ``tinydl.cli.main``: summary, help, one-line errors with
exit code 2, and a smoke run (train, evaluate, resume) on the real MNIST files when present."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
from pathlib import Path

import pytest

from tinydl import zoo
from tinydl.cli import main
from tinydl.train.checkpoint import read_extra

MNIST_FILE = "train-images-idx3-ubyte"


def mnist_root() -> Path | None:
    """The folder holding mnist/ ($TINYDL_DATA, else ../shared/data beside the checkout)."""
    root = Path(
        os.environ.get("TINYDL_DATA") or Path(__file__).resolve().parents[2] / "shared" / "data"
    )
    for folder in (root / "mnist", root):
        if (folder / MNIST_FILE).is_file() or (folder / f"{MNIST_FILE}.gz").is_file():
            return root
    return None


needs_mnist = pytest.mark.skipif(mnist_root() is None, reason="the MNIST files are not here")


def run(argv: list[str]) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of ``tinydl ARGV``."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


def test_summary_of_the_linear_cnn() -> None:
    code, out, err = run(["summary", "mnist-linear-cnn"])
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == 'Model: "Sequential"'
    assert any(re.fullmatch(r"conv2d_0 \(Conv2D\) +\(None, 32, 26, 26\) +320", x) for x in lines)
    assert any(re.fullmatch(r"dense_2 \(Dense\) +\(None, 100\) +2,163,300", x) for x in lines)
    assert "Total params: 2,164,630" in lines
    assert "Trainable params: 2,164,630" in lines


def test_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: tinydl [-h] COMMAND ...")
    assert all(command in out for command in ("train", "evaluate", "summary"))
    with pytest.raises(SystemExit) as exit_:
        main(["train", "--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert "--epochs EPOCHS" in out and "--resume" in out and "mnist-linear-cnn" in out


ERROR_CASES = {
    "unknown example": (
        ["train", "mnist-rnn"],
        "tinydl: error: unknown example 'mnist-rnn'; choose from: "
        + ", ".join(zoo.RECIPES),
    ),
    "unknown example in summary": (
        ["summary", "lenet"],
        "tinydl: error: unknown example 'lenet'; choose from: " + ", ".join(zoo.RECIPES),
    ),
    "missing data folder": (
        ["train", "mnist-mlp", "--data", "{tmp}/no-such-folder", "--out", "{tmp}/out"],
        "tinydl: error: --data {tmp}/no-such-folder: no such folder (it should hold mnist/ or "
        "its files)",
    ),
    "missing data folder for evaluate": (
        ["evaluate", "{tmp}/model.npz", "--data", "{tmp}/nowhere"],
        "tinydl: error: --data {tmp}/nowhere: no such folder (it should hold mnist/ or its files)",
    ),
    "missing checkpoint": (
        ["evaluate", "{tmp}/model.npz"],
        "tinydl: error: no checkpoint at {tmp}/model.npz",
    ),
}


@pytest.mark.parametrize("case", list(ERROR_CASES))
def test_errors_are_one_line_with_exit_code_2(case: str, tmp_path: Path) -> None:
    argv, message = ERROR_CASES[case]
    code, out, err = run([arg.format(tmp=tmp_path) for arg in argv])
    assert code == 2
    assert err == message.format(tmp=tmp_path) + "\n"
    assert "Traceback" not in out + err
    assert not (tmp_path / "out").exists()  # nothing created before the error


def test_non_positive_numbers_are_refused_by_the_parser(capsys) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["train", "mnist-mlp", "--epochs", "0"])
    assert exit_.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        "tinydl train: error: argument --epochs: expected a positive int, got '0'"
    )


# ---- a real run on MNIST -------------------------------------------------------------------

TRAIN_ARGS = ["--limit", "3000", "--batch-size", "32", "--epochs", "1", "--no-progress"]
PLOTS = ("samples.png", "curves.png", "confusion_matrix.png", "mistakes.png")


@pytest.fixture(scope="module")
def trained_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """One epoch of mnist-mlp on 3,000 images: the output folder and what it printed."""
    out = tmp_path_factory.mktemp("mnist-mlp")
    code, printed, err = run(
        ["train", "mnist-mlp", *TRAIN_ARGS, "--data", str(mnist_root()), "--out", str(out)]
    )
    assert (code, err) == (0, ""), err
    return out, printed


def printed_accuracy(printed: str) -> float:
    found = re.findall(r"test accuracy (\d\.\d{4})", printed)
    assert len(found) == 1, printed
    return float(found[0])


@needs_mnist
def test_train_reaches_85_percent_and_writes_its_files(trained_run) -> None:
    out, printed = trained_run
    lines = printed.splitlines()
    assert lines[0] == "mnist-mlp: A: Dense(512, relu) -> Dense(10), RMSprop, one-hot targets"
    assert "Total params: 407,050" in lines  # the model's summary comes next
    settings = lines.index(
        "3000 training images, batch 32, lr 0.001, 1 epochs on cpu, fast paths"
    )
    assert lines[settings + 1].startswith("epoch 1/1  loss ")
    assert lines[settings + 2].startswith("logits of the first test image: [")
    assert re.fullmatch(r"predicted digit \d, true digit 7", lines[settings + 3])
    accuracy = printed_accuracy(printed)
    assert accuracy >= 0.85
    assert sorted(path.name for path in out.iterdir()) == sorted(
        ["model.npz", "results.json", *PLOTS]
    )
    assert all((out / name).stat().st_size > 10_000 for name in PLOTS)
    results = json.loads((out / "results.json").read_text())
    assert results["example"] == "mnist-mlp" and results["epochs"] == 1
    assert results["fast_paths"] is True
    assert round(results["test_accuracy"], 4) == accuracy
    assert results["history"]["test_accuracy"] == [results["test_accuracy"]]
    assert read_extra(out / "model.npz")["example"] == "mnist-mlp"


@needs_mnist
def test_evaluate_prints_the_same_accuracy(trained_run) -> None:
    out, printed = trained_run
    code, report, err = run(["evaluate", str(out / "model.npz"), "--data", str(mnist_root())])
    assert (code, err) == (0, "")
    lines = report.splitlines()
    assert lines[0] == (
        f"mnist-mlp from {out / 'model.npz'}: test accuracy {printed_accuracy(printed):.4f}"
    )
    assert lines[1] == "class  precision  recall  f1"
    assert [line.split()[0] for line in lines[2:12]] == [str(digit) for digit in range(10)]
    assert lines[12] == "confusion matrix (rows: true digit, columns: predicted):"
    matrix = [[int(n) for n in re.findall(r"\d+", line)] for line in lines[13:23]]
    assert sum(map(sum, matrix)) == 10_000


@needs_mnist
def test_train_resume_runs_only_the_missing_epochs(trained_run, tmp_path: Path) -> None:
    out, _ = trained_run
    shutil.copy(out / "model.npz", tmp_path / "model.npz")
    args = [arg if arg != "1" else "2" for arg in TRAIN_ARGS]  # --epochs 2
    code, printed, err = run(["train", "mnist-mlp", *args, "--resume",
                              "--data", str(mnist_root()), "--out", str(tmp_path)])
    assert (code, err) == (0, "")
    epoch_lines = [line for line in printed.splitlines() if line.startswith("epoch ")]
    assert [line.split("  ")[0] for line in epoch_lines] == ["epoch 2/2"]
    results = json.loads((tmp_path / "results.json").read_text())
    assert results["epochs"] == 2 and len(results["history"]["loss"]) == 2
    assert read_extra(tmp_path / "model.npz")["epoch"] == 1
