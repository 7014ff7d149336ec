"""The exercises: fresh stubs fail as "not implemented yet", a correct solution of every
exercise passes, and each typical mistake is caught with its message (the problem, naming
the input and the worst element, and the likely cause). The correct solutions live in
tests/exercise_solutions/; each mistake below is one edit of a correct solution."""

from __future__ import annotations

import argparse
import re
import shutil
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from tinydl.exercises import EXERCISES, Result, check_exercise, check_exercises, stub_text
from tinydl.exercises import cli as exercises_cli
from tinydl.exercises.catalog.dropout import DROPOUT_P, DROPOUT_SEED
from tinydl.exercises.catalog.hinge import HINGE_LABELS, hinge_scores
from tinydl.exercises.checker import NOT_IMPLEMENTED
from tinydl.exercises.runner import write_stubs

SOLUTIONS = Path(__file__).parent / "exercise_solutions"


def with_mistake(directory: Path, name: str, old: str, new: str) -> Path:
    """Write exercise ``name``'s correct solution into ``directory`` with ``old`` replaced by
    ``new`` (which must occur exactly once), and return the directory."""
    text = (SOLUTIONS / f"{name}.py").read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} must occur once in the {name} solution"
    (directory / f"{name}.py").write_text(text.replace(old, new), encoding="utf-8")
    return directory


def run_cli(*argv: str) -> int:
    """``tinydl exercises ...`` through a parser wired as tinydl.cli wires it."""
    parser = argparse.ArgumentParser(prog="tinydl")
    exercises_cli.add_parser(parser.add_subparsers(dest="command", required=True))
    return exercises_cli.run(parser.parse_args(list(argv)))


# ---- the catalogue and the stubs --------------------------------------------------------------


def test_the_catalogue_covers_the_required_topics_and_ships_a_stub_for_each() -> None:
    required = {
        "sigmoid", "tanh", "matmul", "broadcast_add", "sum_mean", "softmax_cross_entropy",
        "mse", "hinge", "max_pool", "conv2d_im2col", "batch_norm", "dropout", "sgd_momentum",
        "adam", "layer_norm", "lstm_step", "attention",
    }  # fmt: skip
    assert required <= set(EXERCISES) and len(EXERCISES) >= 17
    shipped = resources.files("tinydl.exercises.stubs")
    stub_names = {p.name for p in shipped.iterdir() if p.name.endswith(".py")} - {"__init__.py"}
    assert stub_names == {exercise.filename for exercise in EXERCISES.values()}
    for name in EXERCISES:
        assert "raise NotImplementedError(" in stub_text(name)
        assert f"tinydl exercises check {name}" in stub_text(name)  # the docstring says how
        assert f"tinydl exercises hint {name}" in stub_text(name)


def test_fresh_stubs_all_fail_as_not_implemented_yet(tmp_path: Path) -> None:
    write_stubs(tmp_path)
    results = check_exercises(tmp_path)
    assert [r.name for r in results] == list(EXERCISES)
    for result in results:
        assert not result.passed
        assert result.problem.startswith("not implemented yet: "), result.report()
        assert result.advice == NOT_IMPLEMENTED
    by_name = {r.name: r for r in results}
    assert by_name["sigmoid"].problem == "not implemented yet: Sigmoid.forward (sigmoid.py line 28)"
    assert by_name["conv2d_im2col"].problem.startswith("not implemented yet: col2im (")
    assert by_name["adam"].problem.startswith("not implemented yet: Adam.update (step 1) (")


@pytest.mark.parametrize("name", list(EXERCISES))
def test_a_correct_solution_passes(name: str) -> None:
    result = check_exercise(name, SOLUTIONS)
    assert result == Result(name, True), result.report()
    assert result.report() == f"PASS  {name}"


def test_the_checker_reads_a_file_again_after_a_quick_same_size_edit(tmp_path: Path) -> None:
    # Bytecode caches know a file by its size and mtime in seconds: this edit keeps both.
    wrong = "return -grad_output * (1 - self.y * self.y)"
    with_mistake(tmp_path, "tanh", "return grad_output * (1 - self.y * self.y)", wrong)
    assert not check_exercise("tanh", tmp_path).passed
    path = tmp_path / "tanh.py"
    path.write_text(path.read_text().replace(wrong, wrong.replace("-grad", " grad")))
    assert check_exercise("tanh", tmp_path).passed


def test_hinge_inputs_keep_away_from_the_kink_and_have_both_kinds_of_class() -> None:
    scores, rows = hinge_scores(), np.arange(len(HINGE_LABELS))
    margins = scores - scores[rows, HINGE_LABELS][:, None] + 1.0
    margins[rows, HINGE_LABELS] = np.nan  # the correct class is not compared with itself
    assert np.nanmin(np.abs(margins)) > 1e-3  # finite differences (eps 1e-6) never cross 0
    assert np.nansum(margins > 0) > 0 and np.nansum(margins < 0) > 0


def test_the_dropout_case_drops_some_units_and_keeps_others() -> None:
    keep = np.random.default_rng(DROPOUT_SEED).random((4, 5), dtype=np.float32) >= DROPOUT_P
    assert 0 < keep.sum() < keep.size


# ---- typical mistakes, each caught with its message ---------------------------------------------

# name: (exercise, text in the correct solution, the mistaken text, how the problem starts,
# how the likely cause starts or None). A table is easier to read unformatted.
# fmt: off
MISTAKES = {
    "matmul: missing transpose (shapes do not fit)": (
        "matmul", "grad_a = grad_output @ self.b.T", "grad_a = grad_output @ self.b",
        "MatMul.backward raised ValueError: matmul: ",
        "missing transpose: the shapes in that line do not fit. Here A is (2, 3), B (3, 4) and "
        "grad_output (2, 4); dL/dA must come out (2, 3) and dL/dB (3, 4)",
    ),
    "matmul: missing transpose (transposed result)": (
        "matmul", "grad_b = self.a.T @ grad_output", "grad_b = grad_output.T @ self.a",
        "MatMul.backward returned dL/dB of shape (4, 3) for A (2, 3) @ B (3, 4), but B has "
        "shape (3, 4)",
        "missing transpose: (4, 3) is B's shape (3, 4) transposed",
    ),
    "broadcast_add: gradient of the broadcast shape": (
        "broadcast_add", "sum_to_shape(grad_output, self.b_shape)", "grad_output",
        "BroadcastAdd.backward returned dL/db of shape (4, 3) for a (4, 3) + b (3,), but b has "
        "shape (3,)",
        "broadcasting not summed back: (4, 3) is the output's shape. b (3,) was broadcast "
        "(repeated) to (4, 3) in forward",
    ),
    "broadcast_add: averaged over the copies": (
        "broadcast_add", "grad = grad.sum(axis=tuple(range(extra)))",
        "grad = grad.mean(axis=tuple(range(extra)))",
        "dL/db is wrong for a (4, 3) + b (3,): gradient check failed for input 1 (shape (3,))",
        "dL/db is 4 times too small: broadcasting not summed back: the operand was repeated 4 "
        "times and its gradient averaged",
    ),
    "broadcast_add: summed with keepdims, shape not restored": (
        "broadcast_add", "sum_to_shape(grad_output, self.b_shape)",
        "grad_output.sum(axis=0, keepdims=True)",
        "BroadcastAdd.backward returned dL/db of shape (1, 3) for a (4, 3) + b (3,)",
        "the values may be right but are laid out as (1, 3), with the same number of elements "
        "as b's shape (3,)",
    ),
    "conv2d_im2col: wrong padding offset": (
        "conv2d_im2col", "return padded[:, :, p : p + h, p : p + w]",
        "return padded[:, :, :h, :w]",
        "col2im(cols, x_shape=(2, 2, 5, 5), kernel_size=3, stride=1, padding=1) gives wrong "
        "values: worst at index (0, 0, 2, 3), yours -5.09995, expected 6.14077 "
        "(tinydl.ops.conv.col2im)",
        "wrong padding offset: your col2im result is the right gradient shifted by 1 row(s) "
        "and 1 column(s) (positive: down/right)",
    ),
    "conv2d_im2col: padding not cut off": (
        "conv2d_im2col", "return padded[:, :, p : p + h, p : p + w]", "return padded",
        "col2im(cols, x_shape=(2, 2, 5, 5), kernel_size=3, stride=1, padding=1) returns shape "
        "(2, 2, 7, 7), expected x_shape (2, 2, 5, 5)",
        "the padding was not cut off",
    ),
    "conv2d_im2col: overlapping receptive fields assigned, not added": (
        "conv2d_im2col", "window_pixels += cols", "window_pixels[...] = cols",
        "col2im(cols, x_shape=(2, 2, 5, 5), kernel_size=3, stride=1, padding=1) gives wrong "
        "values",
        "overlapping windows overwritten",
    ),
    "conv2d_im2col: dW without the transpose": (
        "conv2d_im2col", "grad_w = (g @ self.cols.T)", "grad_w = (g @ self.cols)",
        "Conv2D.backward raised ValueError: matmul: ",
        "the layouts do not fit: rearranged, grad_output is G (O, N·OH·OW)",
    ),
    "softmax_cross_entropy: gradient without the 1/N": (
        "softmax_cross_entropy", "return grad * (grad_output / n)", "return grad * grad_output",
        "dL/dlogits is wrong for logits (4, 3) and labels [0, 2, 1, 2]: gradient check failed "
        "for input 0 (shape (4, 3)): 12 of 12 elements disagree. Worst at index (0, 0): "
        "analytic (backward) -0.115862, numeric (finite difference) -0.0289656, relative error "
        "0.75; allowed |analytic - numeric| <= atol + rtol*|numeric| with atol=1e-05, rtol=0.001.",
        "dL/dlogits is 4 times too large: the 1/N of the mean over the N = 4 samples is "
        "missing",
    ),
    "softmax_cross_entropy: one-hot not subtracted": (
        "softmax_cross_entropy", "        grad[xp.arange(n), self.labels] -= 1\n", "",
        "dL/dlogits is wrong for logits (4, 3) and labels [0, 2, 1, 2]: gradient check failed",
        "only the entries at the labels are wrong (one per row, the others are right)",
    ),
    "sigmoid: grad_output forgotten": (
        "sigmoid", "return grad_output * self.y * (1 - self.y)", "return self.y * (1 - self.y)",
        "dL/dx is wrong for x of shape (3, 4): gradient check failed for input 0 (shape (3, 4))",
        "the chain rule is missing: dL/dx is the local derivative alone. Multiply it by "
        "grad_output",
    ),
    "sigmoid: wrong forward": (
        "sigmoid", "self.y = 1 / (1 + xp.exp(-x))", "self.y = 1 / (1 + xp.exp(x))",
        "Sigmoid.forward gives wrong values for x of shape (3, 4): worst at index (1, 2), yours "
        "0.213493, expected 0.786507 (tinydl's own op)",
        None,
    ),
    "tanh: sign flipped": (
        "tanh", "return grad_output * (1 - self.y * self.y)",
        "return -grad_output * (1 - self.y * self.y)",
        "dL/dx is wrong for x of shape (3, 4)", "sign flipped: dL/dx is minus the right gradient",
    ),
    "tanh: grad_output changed in place": (
        "tanh", "return grad_output * (1 - self.y * self.y)",
        "grad_output *= 1 - self.y * self.y\n        return grad_output",
        "Tanh.backward changed grad_output in place for x of shape (3, 4)",
        "grad_output modified in place",
    ),
    "sum_mean: the mean without 1/n": (
        "sum_mean", "return copy_back(grad_output, self.x_shape, self.axis, self.keepdims) / count",
        "return copy_back(grad_output, self.x_shape, self.axis, self.keepdims)",
        "dL/dx is wrong for Mean(axis=None, keepdims=False) of x (3, 4)",
        "dL/dx is 12 times too large: the 1/n of the mean (n = 12 values per output) is missing",
    ),
    "sum_mean: reduced axis not put back": (
        "sum_mean", "        grad_output = xp.expand_dims(grad_output, axis)\n", "        pass\n",
        "Sum.backward raised ValueError: operands could not be broadcast together",
        "the reduced axis is missing: with keepdims=False, grad_output lacks the axis that was "
        "summed away",
    ),
    "mse: the 2 of the square missing": (
        "mse", "grad_x = (2 / self.diff.size) * self.diff * grad_output",
        "grad_x = (1 / self.diff.size) * self.diff * grad_output",
        "dL/dx is wrong for x and target of shape (3, 4)",
        "dL/dx is 2 times too small: the 2 of the square's derivative is missing",
    ),
    "mse: one gradient for two inputs": (
        "mse", "return grad_x, -grad_x", "return grad_x",
        "MSELoss.backward returned 1 gradient(s), but MSELoss has 2 input(s): return (dL/dx, "
        "dL/dtarget)",
        None,
    ),
    "hinge: correct class left out": (
        "hinge", "grad[xp.arange(n), self.labels] = -grad.sum(axis=1)", "pass",
        "dL/dscores is wrong for scores (4, 5), labels [1, 0, 3, 4], margin 1",
        "only the correct-class entries are wrong",
    ),
    "dropout: the 1/(1 - p) scale missing": (
        "dropout", "return grad_output * self.scaled_mask",
        "return grad_output * (self.scaled_mask > 0)",
        "dL/dx is wrong for x (4, 5), p = 0.3, seed = 5",
        "dL/dx is 1.42857 times too small: the 1/(1 − p) scaling is missing",
    ),
    "dropout: the mask missing": (
        "dropout", "return grad_output * self.scaled_mask", "return grad_output",
        "dL/dx is wrong for x (4, 5), p = 0.3, seed = 5", "the mask is missing",
    ),
    "dropout: a boolean mask upcasts float32": (
        "dropout", "keep.astype(x.dtype) / (1 - self.p)", "keep / (1 - self.p)",
        "Dropout.forward turns float32 inputs into a float64 output for x (4, 5), p = 0.3, "
        "seed = 5",
        "silent upcast: under NumPy 2",
    ),
    "batch_norm: mean and variance treated as constants": (
        "batch_norm", "(g - grad_beta / n - self.x_hat * (grad_gamma / n))", "g",
        "dL/dx is wrong for x (6, 3), gamma (3,), beta (3,)",
        "μ and σ treated as constants",
    ),
    "batch_norm: the path through sigma missing": (
        "batch_norm", "(g - grad_beta / n - self.x_hat * (grad_gamma / n))", "(g - grad_beta / n)",
        "dL/dx is wrong for x (6, 3), gamma (3,), beta (3,)",
        "the path through σ is missing",
    ),
    "max_pool: overlapping windows assigned, not added": (
        "max_pool", "+= won * grad_output", "= won * grad_output",
        "dL/dx is wrong for x (2, 2, 7, 7), kernel_size 3, stride 2",
        "overlapping windows overwritten",
    ),
    "sgd_momentum: param rebound, not updated in place": (
        "sgd_momentum", "param -= self.lr * velocity", "param = param - self.lr * velocity",
        "step 1, parameter 0 (shape (3, 4)): the parameter did not change",
        "param not updated in place",
    ),
    "sgd_momentum: velocity not kept in state": (
        "sgd_momentum", 'velocity = state["velocity"] = grad.copy()', "velocity = grad.copy()",
        "step 2, parameter 0 (shape (3, 4)) differs from tinydl.optim.SGD's: worst at index",
        "state not kept: step 1 was right, but this step is the one a fresh SGD would take",
    ),
    "sgd_momentum: damped velocity": (
        "sgd_momentum", "velocity += grad", "velocity += (1 - self.momentum) * grad",
        "step 2, parameter 0 (shape (3, 4)) differs from tinydl.optim.SGD's",
        "step 1 was right but a later one is not, so check the rule: the velocity must carry "
        "every earlier gradient",
    ),
    "sgd_momentum: gradient changed in place": (
        "sgd_momentum", "param -= self.lr * velocity", "grad *= self.lr\n        param -= grad",
        "step 1, parameter 0 (shape (3, 4)): SGDMomentum.update changed the gradient array",
        "grad modified in place",
    ),
    "adam: no bias correction": (
        "adam", "m_hat = m / (1 - beta1**t)\n        v_hat = v / (1 - beta2**t)",
        "m_hat = m\n        v_hat = v",
        "step 1, parameter 0 (shape (3, 4)) differs from tinydl.optim.Adam's",
        "your first step is 3.16228 times too large: the bias correction is missing",
    ),
    "adam: step count not increased": (
        "adam", 'state["step"] += 1', 'state["step"] = 1',
        "step 2, parameter 0 (shape (3, 4)) differs from tinydl.optim.Adam's",
        "step 1 was right but a later one is not",
    ),
    "layer_norm: mean and deviation treated as constants": (
        "layer_norm", "(g_hat - through_mean - through_std)", "g_hat",
        "dL/dx is wrong for x (4, 5), gamma (5,), beta (5,): gradient check failed for input 0",
        "μ and σ treated as constants",
    ),
    "layer_norm: gamma forgotten, which no pattern claims": (
        "layer_norm",
        "g_hat = grad_output * self.gamma  # dL/dx̂: γ varies along the row",
        "g_hat = grad_output",
        "dL/dx is wrong for x (4, 5), gamma (5,), beta (5,)",
        None,
    ),
    "layer_norm: gamma taken out of the means": (
        "layer_norm", "grad_x = self.inv_std * (g_hat - through_mean - through_std)",
        "g_hat = grad_output\n        through_mean = row_mean(g_hat)\n        "
        "through_std = self.x_hat * row_mean(g_hat * self.x_hat)\n        "
        "grad_x = self.gamma * self.inv_std * (g_hat - through_mean - through_std)",
        "dL/dx is wrong for x (4, 5), gamma (5,), beta (5,)",
        "γ taken out of the row means",
    ),
    "lstm_step: the path from c through h forgotten": (
        "lstm_step", "grad_output[1] + grad_h * self.o * (1 - self.tanh_c * self.tanh_c)",
        "grad_output[1]",
        "dL/dx is wrong for x (2, 3), h_prev (2, 4), c_prev (2, 4), w_ih (16, 3), w_hh (16, 4), "
        "b (16,): gradient check failed for input 0 (shape (2, 3))",
        "the path from c through h is missing",
    ),
    "lstm_step: the g gate differentiated as a sigmoid": (
        "lstm_step", "grad_c * self.i * (1 - self.g * self.g)",
        "grad_c * self.i * self.g * (1 - self.g)",
        "dL/dx is wrong for x (2, 3)",
        "the g gate's slope is the sigmoid's",
    ),
    "lstm_step: dW_ih transposed": (
        "lstm_step", "grad_a.T @ self.x", "self.x.T @ grad_a",
        "LSTMStep.backward returned dL/dw_ih of shape (3, 16)",
        "missing transpose: (3, 16) is w_ih's shape (16, 3) transposed",
    ),
    "attention: softmax treated as element-wise": (
        "attention", "self.p * (grad_p - (grad_p * self.p).sum(axis=1, keepdims=True))",
        "self.p * (1 - self.p) * grad_p",
        "dL/dQ is wrong for Q (3, 4), K (5, 4), V (5, 2): gradient check failed for input 0",
        "softmax treated as element-wise",
    ),
    "attention: the 1/sqrt(d) scale missing": (
        "attention", "grad_q = grad_scores @ self.k * self.scale", "grad_q = grad_scores @ self.k",
        "dL/dQ is wrong for Q (3, 4), K (5, 4), V (5, 2)",
        "dL/dQ is 2 times too large: the 1/√d scale is missing",
    ),
}
# fmt: on


@pytest.mark.parametrize("mistake", list(MISTAKES))
def test_a_typical_mistake_is_caught_with_its_message(mistake: str, tmp_path: Path) -> None:
    name, old, new, problem, cause = MISTAKES[mistake]
    result = check_exercise(name, with_mistake(tmp_path, name, old, new))
    assert not result.passed
    assert result.problem.startswith(problem), result.report()
    if cause is None:
        assert result.cause is None, result.report()
    else:
        assert result.cause is not None and result.cause.startswith(cause), result.report()


def test_an_exception_shows_the_learners_line(tmp_path: Path) -> None:
    directory = with_mistake(
        tmp_path, "matmul", "grad_a = grad_output @ self.b.T", "grad_a = grad_output @ self.b"
    )
    result = check_exercise("matmul", directory)
    assert result.location == "matmul.py line 8, in backward: grad_a = grad_output @ self.b"
    assert result.advice is None  # the hints wait for 'tinydl exercises hint'
    lines = result.report().splitlines()
    assert lines[0].startswith("FAIL  matmul: MatMul.backward raised ValueError: matmul: ")
    assert lines[1:] == [
        f"      at {result.location}",
        f"      likely cause: {result.cause}",
    ]


def test_syntax_errors_and_renamed_classes_are_reported(tmp_path: Path) -> None:
    with_mistake(tmp_path, "matmul", "return grad_a, grad_b", "return grad_a, grad_b +")
    result = check_exercise("matmul", tmp_path)
    assert result.problem == "matmul.py is not valid Python: invalid syntax"
    assert result.location == "matmul.py line 10: return grad_a, grad_b +"
    with_mistake(tmp_path, "tanh", "class Tanh(stub.Tanh):", "class MyTanh(stub.Tanh):")
    result = check_exercise("tanh", tmp_path)
    assert result.problem == "tanh.py defines no Tanh"
    assert result.advice == "keep the name Tanh from the stub: the checker looks for it"


def test_a_missing_gradient_is_reported(tmp_path: Path) -> None:
    with_mistake(tmp_path, "matmul", "return grad_a, grad_b", "return grad_a, None")
    result = check_exercise("matmul", tmp_path)
    assert result.problem == (
        "MatMul.backward returned NoneType as dL/dB for A (2, 3) @ B (3, 4), not an array"
    )


def test_a_missing_file_is_reported(tmp_path: Path) -> None:
    result = check_exercise("matmul", tmp_path)
    assert result.problem == f"no file {(tmp_path / 'matmul.py').resolve()}"
    assert result.advice == f"write the stubs with: tinydl exercises new {tmp_path}"


def test_an_unknown_exercise_is_refused() -> None:
    with pytest.raises(KeyError, match="no exercise called 'nope'; the exercises are: sigmoid, "):
        check_exercise("nope")


# ---- the command line -------------------------------------------------------------------------


def test_new_writes_every_stub_and_says_what_next(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    directory = tmp_path / "work"
    assert run_cli("exercises", "new", str(directory)) == 0
    for name in EXERCISES:
        assert (directory / f"{name}.py").read_text(encoding="utf-8") == stub_text(name)
    out = capsys.readouterr().out
    assert out.startswith(f"wrote {len(EXERCISES)} exercise stubs to {directory}/")
    assert "  1. sigmoid.py " in out
    assert f"tinydl exercises check --dir {directory}" in out


def test_new_refuses_to_overwrite_unless_forced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "matmul.py").write_text("# my answer\n")
    assert run_cli("exercises", "new", str(tmp_path)) == 2
    err = capsys.readouterr().err
    assert err == (
        f"tinydl exercises new: 1 exercise file(s) already exist: {tmp_path / 'matmul.py'}. "
        f"Nothing was written; pass --force to overwrite them (the answers in them would be "
        f"lost)\n"
    )
    assert (tmp_path / "matmul.py").read_text() == "# my answer\n"
    assert not (tmp_path / "sigmoid.py").exists()
    assert run_cli("exercises", "new", str(tmp_path), "--force") == 0
    assert (tmp_path / "matmul.py").read_text(encoding="utf-8") == stub_text("matmul")


def test_check_one_exercise_passes_with_exit_code_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(SOLUTIONS / "matmul.py", tmp_path)
    assert run_cli("exercises", "check", "matmul.py", "--dir", str(tmp_path)) == 0
    assert capsys.readouterr().out == "PASS  matmul\n"


def test_check_defaults_to_the_current_directory_and_fails_with_exit_code_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    write_stubs(tmp_path)
    shutil.copy(SOLUTIONS / "sigmoid.py", tmp_path)
    monkeypatch.chdir(tmp_path)
    assert run_cli("exercises", "check") == 1
    out = capsys.readouterr().out
    assert out.startswith("PASS  sigmoid\nFAIL  tanh: not implemented yet: Tanh.backward")
    assert out.endswith(
        f"\nStuck? Hint 1 of 3 for tanh:  tinydl exercises hint tanh --dir .\n"
        f"1 of {len(EXERCISES)} exercises pass\n"
    )


def test_check_all_reports_missing_files_among_present_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(SOLUTIONS / "tanh.py", tmp_path)
    assert run_cli("exercises", "check", "--dir", str(tmp_path)) == 1
    out = capsys.readouterr().out
    assert f"FAIL  sigmoid: no file {(tmp_path / 'sigmoid.py').resolve()}\n" in out
    assert "PASS  tanh\n" in out


def test_check_all_solutions_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli("exercises", "check", "--dir", str(SOLUTIONS)) == 0
    out = capsys.readouterr().out
    assert out.endswith(f"{len(EXERCISES)} of {len(EXERCISES)} exercises pass\n")
    assert re.findall(r"^PASS  (\w+)$", out, flags=re.M) == list(EXERCISES)


def test_check_usage_problems_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli("exercises", "check", "--dir", str(tmp_path)) == 2
    assert capsys.readouterr().err == (
        f"tinydl exercises check: no exercise files in {tmp_path}; write them with: "
        f"tinydl exercises new {tmp_path}\n"
    )
    assert run_cli("exercises", "check", "nope", "--dir", str(tmp_path)) == 2
    assert capsys.readouterr().err.startswith(
        "tinydl exercises check: no exercise called 'nope'; the exercises are: sigmoid, tanh, "
    )


def test_list_shows_the_exercises_in_order(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli("exercises", "list") == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(EXERCISES)
    assert lines[0] == (
        "  1. sigmoid.py                forward and backward of the sigmoid, σ(x) = 1/(1 + e⁻ˣ)"
    )
    assert [line.split()[1] for line in lines] == [e.filename for e in EXERCISES.values()]
