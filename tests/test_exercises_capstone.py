"""The capstone, ``tinydl exercises train``: an MNIST network built from the learner's own
Functions and optimiser trains beside the same network on tinydl's own ops and reaches the
same accuracy; it refuses, by name, while an exercise it needs does not pass. Runs here use
a subset of MNIST; the full figure (one epoch, 60,000 images) is in docs/learning-path.md."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from exercise_mistakes import SOLUTIONS, with_mistake
from test_cli import mnist_root, needs_mnist
from test_exercises import run_cli

import tinydl
from tinydl.exercises import capstone
from tinydl.exercises.capstone import NETWORKS, UnsolvedExercisesError, train_capstone
from tinydl.exercises.runner import write_stubs


def solved(directory: Path, *names: str) -> Path:
    """``directory`` holding every fresh stub, and the correct solutions of ``names``."""
    write_stubs(directory)
    for name in names:
        shutil.copy(SOLUTIONS / f"{name}.py", directory)
    return directory


@needs_mnist
def test_the_mlp_on_the_reference_solutions_learns_as_tinydls_own(capsys) -> None:
    result = train_capstone(SOLUTIONS, "mlp", mnist_root(), limit=6000, test_limit=2000)
    assert (result.train_images, result.test_images) == (6000, 2000)
    assert result.accuracy >= 0.85  # 97.5% after the full epoch (docs/learning-path.md)
    assert abs(result.accuracy - result.reference_accuracy) <= 0.002
    assert result.final_loss == pytest.approx(result.reference_final_loss, rel=1e-4)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(
        "Training the MLP (784 → 256 → ReLU → 10) built from your matmul, broadcast_add, relu, "
        "softmax_cross_entropy and sgd_momentum, beside the same network on tinydl's own ops: "
        "6,000 MNIST training images, one epoch, batches of 64"
    )
    assert [line.split("/")[0].split()[-1] for line in lines[1:6]] == ["19", "38", "56", "75", "94"]
    assert lines[6] == "On 2,000 test images:"
    assert lines[7].startswith(f"  your Functions    test accuracy {result.accuracy:.2%}")
    assert lines[8].startswith(f"  tinydl's own ops  test accuracy {result.reference_accuracy:.2%}")


@needs_mnist
def test_the_cnn_on_the_reference_solutions_learns_as_tinydls_own() -> None:
    result = train_capstone(
        SOLUTIONS, "cnn", mnist_root(), limit=1280, test_limit=500, print_fn=None
    )
    assert result.accuracy >= 0.5
    assert abs(result.accuracy - result.reference_accuracy) <= 0.004
    assert result.final_loss == pytest.approx(result.reference_final_loss, rel=1e-4)


@needs_mnist
def test_the_learners_own_code_runs_and_tinydls_side_runs_the_plain_ops(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each file the MLP needs leaves a mark when the capstone (not the check) runs it.
    needs = NETWORKS["mlp"].needs
    for name in needs:
        with_mistake(tmp_path, name, '"""The worked solution', 'import pathlib\n\n"""The solution')
        path = tmp_path / f"{name}.py"
        path.write_text(
            path.read_text() + f"\n\npathlib.Path(__file__).with_name('ran-{name}').touch()\n"
        )
    monkeypatch.setattr(capstone, "refuse_unsolved", lambda network, directory: None)
    plain = []
    reference = capstone.tinydl_ops()
    relu = reference.relu
    monkeypatch.setattr(
        capstone, "tinydl_ops",
        lambda: capstone.Ops(**{**vars(reference), "relu": lambda x: (
            plain.append(not tinydl.fast_paths_enabled()), relu(x))[1]}),
    )  # fmt: skip
    with tinydl.fast_paths(True):
        train_capstone(tmp_path, "mlp", mnist_root(), limit=128, test_limit=100, print_fn=None)
    assert sorted(p.name for p in tmp_path.glob("ran-*")) == sorted(f"ran-{n}" for n in needs)
    assert plain and all(plain)


def test_it_refuses_by_name_while_an_exercise_it_needs_does_not_pass(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TINYDL_DATA", str(tmp_path / "no-data"))  # refused before any loading
    solved(tmp_path, "matmul", "broadcast_add", "softmax_cross_entropy", "sgd_momentum")
    with_mistake(tmp_path, "sgd_momentum", "velocity += grad", "velocity += (1 - 0.9) * grad")
    with pytest.raises(UnsolvedExercisesError) as refusal:
        train_capstone(tmp_path, "mlp")
    assert refusal.value.names == ["relu", "sgd_momentum"]
    assert str(refusal.value) == (
        "the MLP (784 → 256 → ReLU → 10) is built from your matmul, broadcast_add, relu, "
        "softmax_cross_entropy and sgd_momentum; 2 of them do not pass the checks yet:\n"
        "  relu: not implemented yet: ReLU.forward (relu.py line 27)\n"
        "  sgd_momentum: step 2, parameter 0 (shape (3, 4)) differs from tinydl.optim.SGD's: "
        "worst at index (1, 0), yours -0.440813, expected -0.313546\n"
        f"Check one with: tinydl exercises check relu --dir {tmp_path}"
    )
    shutil.copy(SOLUTIONS / "relu.py", tmp_path)
    shutil.copy(SOLUTIONS / "sgd_momentum.py", tmp_path)
    with pytest.raises(UnsolvedExercisesError) as refusal:  # the CNN needs two more
        train_capstone(tmp_path, "cnn")
    assert refusal.value.names == ["conv2d_im2col", "max_pool"]


def test_the_command_refuses_with_exit_code_1(tmp_path: Path, capsys) -> None:
    solved(tmp_path, "matmul", "broadcast_add", "relu", "softmax_cross_entropy")
    assert run_cli("exercises", "train", "--dir", str(tmp_path)) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(
        "tinydl exercises train: the MLP (784 → 256 → ReLU → 10) is built from your matmul, "
        "broadcast_add, relu, softmax_cross_entropy and sgd_momentum; 1 of them does not pass "
        "the checks yet:\n  sgd_momentum: not implemented yet: SGDMomentum.update (step 1)"
    )


@needs_mnist
def test_the_command_trains_a_quick_run(capsys) -> None:
    argv = ("exercises", "train", "--dir", str(SOLUTIONS), "--data", str(mnist_root()))
    assert run_cli(*argv, "--limit", "320") == 0
    out = capsys.readouterr().out
    assert "320 MNIST training images, one epoch" in out
    assert "On 10,000 test images:" in out


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (("--dir", "{tmp}/missing"), "tinydl exercises train: no folder {tmp}/missing; write the "
         "exercises first with: tinydl exercises new {tmp}/missing\n"),
        (("--limit", "0"), "tinydl exercises train: limit must be a positive integer, got 0\n"),
        (("--data", "{tmp}/nowhere"), "tinydl exercises train: data {tmp}/nowhere is no folder "
         "(it should hold mnist/ or MNIST's files)\n"),
    ],
)  # fmt: skip
def test_the_commands_usage_problems_exit_2(argv, says, tmp_path: Path, capsys) -> None:
    argv = [part.format(tmp=tmp_path) for part in argv]
    if "--dir" not in argv:
        argv += ["--dir", str(tmp_path)]
    assert run_cli("exercises", "train", *argv) == 2
    assert capsys.readouterr().err == says.format(tmp=tmp_path)


def test_an_unknown_network_is_a_usage_error(capsys) -> None:
    with pytest.raises(SystemExit) as leaving:
        run_cli("exercises", "train", "rnn")
    assert leaving.value.code == 2
    assert "invalid choice: 'rnn' (choose from 'mlp', 'cnn')" in capsys.readouterr().err
