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
from exercise_mistakes import MISTAKES, SOLUTIONS, with_mistake  # noqa: F401  (re-exported)

from tinydl.exercises import EXERCISES, Result, check_exercise, check_exercises, stub_text
from tinydl.exercises import cli as exercises_cli
from tinydl.exercises.catalog.dropout import DROPOUT_P, DROPOUT_SEED
from tinydl.exercises.catalog.hinge import HINGE_LABELS, hinge_scores
from tinydl.exercises.checker import NOT_IMPLEMENTED
from tinydl.exercises.runner import write_stubs


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
