"""The exercises ask rather than tell: no stub gives its answer away, three hints come one at a
time on request and are counted, ``status`` shows how far a learner is, and the full level
leaves the forward passes to the learner too."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from test_exercises import SOLUTIONS, run_cli, with_mistake

from tinydl.exercises import EXERCISES, check_exercise, check_exercises, stub_text
from tinydl.exercises.progress import STATE_FILE, exercise_status
from tinydl.exercises.runner import write_stubs

FULL = [name for name in EXERCISES if stub_text(name, "full") != stub_text(name)]


def formula_key(text: str) -> str:
    """A formula reduced to what cannot be respelt: no spaces or multiplication signs, one
    minus sign, one transpose, lower case, code names shortened to the maths' letters, so
    "G @ Bᵀ" and "grad_output @ self.b.T" give the same key."""
    text = text.lower().replace("−", "-").replace("ᵀ", ".t").replace("grad_output", "g")
    text = text.replace("self.", "").replace("xp.", "")
    return re.sub(r"[\s·*⋅×]", "", text)


def test_the_formula_key_finds_an_answer_however_it_is_spelt() -> None:
    # What the matmul stub said before this check existed: it would fail the test below.
    old_matmul_doc = "dL/dL/dA = G @ Bᵀ    (N, M)(M, K) -> (N, K)"
    assert formula_key("G @ Bᵀ") in formula_key(old_matmul_doc)
    assert formula_key("G @ Bᵀ") == formula_key("grad_output @ self.b.T")
    assert formula_key("y·(1 − y)") == formula_key("self.y * (1 - self.y)")
    assert formula_key("1 − y²") not in formula_key("y = tanh x, squashes into (−1, 1)")


@pytest.mark.parametrize("name", list(EXERCISES))
def test_no_stub_gives_its_answer_away(name: str) -> None:
    item = EXERCISES[name]
    assert len(item.hints) == 3 and all(len(hint) > 40 for hint in item.hints)
    assert item.answers
    revealed = formula_key(item.hints[1] + item.hints[2])
    for answer in item.answers:
        assert formula_key(answer) in revealed, f"{answer!r} is not what the hints reveal"
    for level in ("guided", "full"):
        stub = formula_key(stub_text(name, level))
        for answer in item.answers:
            assert formula_key(answer) not in stub, f"the {level} {name} stub gives {answer!r}"
    first_hint = formula_key(item.hints[0])  # what to think about: no answer in it
    assert not any(formula_key(answer) in first_hint for answer in item.answers)


# ---- hints --------------------------------------------------------------------------------------


def test_hints_come_one_at_a_time_and_are_counted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hints = EXERCISES["matmul"].hints
    for shown in (1, 2, 3):
        assert run_cli("exercises", "hint", "matmul", "--dir", str(tmp_path)) == 0
        out = capsys.readouterr().out
        headings = re.findall(r"^matmul, hint (\d) of 3 \((.*)\):$", out, flags=re.M)
        assert [int(level) for level, _ in headings] == list(range(1, shown + 1))
        assert " ".join(out.split()).endswith(" ".join(hints[shown - 1].split()))
        state = json.loads((tmp_path / STATE_FILE).read_text())
        assert state["hints"] == {"matmul": shown}
    assert [kind for _, kind in headings] == [
        "what to think about",
        "the element-wise derivative",
        "the vectorised formula",
    ]
    assert run_cli("exercises", "hint", "matmul.py", "--dir", str(tmp_path)) == 0
    assert capsys.readouterr().out.startswith("no more hints for matmul: all 3 again.\n")
    assert json.loads((tmp_path / STATE_FILE).read_text())["hints"] == {"matmul": 3}


def test_hint_usage_problems_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli("exercises", "hint", "nope", "--dir", str(tmp_path)) == 2
    assert capsys.readouterr().err.startswith(
        "tinydl exercises hint: no exercise called 'nope'; the exercises are: sigmoid, "
    )
    missing = tmp_path / "missing"
    assert run_cli("exercises", "hint", "tanh", "--dir", str(missing)) == 2
    assert capsys.readouterr().err == (
        f"tinydl exercises hint: no folder {missing}; write the stubs first with: "
        f"tinydl exercises new {missing}\n"
    )
    (tmp_path / STATE_FILE).write_text("{not json")
    assert run_cli("exercises", "hint", "tanh", "--dir", str(tmp_path)) == 2
    assert capsys.readouterr().err.startswith(
        f"tinydl exercises hint: {tmp_path / STATE_FILE} is not valid JSON ("
    )


# ---- status -------------------------------------------------------------------------------------


def test_status_shows_passed_failing_and_not_started_with_the_hints_used(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli("exercises", "new", str(tmp_path)) == 0
    shutil.copy(SOLUTIONS / "matmul.py", tmp_path)
    wrong = "return -grad_output * (1 - self.y * self.y)"
    with_mistake(tmp_path, "tanh", "return grad_output * (1 - self.y * self.y)", wrong)
    run_cli("exercises", "hint", "tanh", "--dir", str(tmp_path))
    run_cli("exercises", "hint", "tanh", "--dir", str(tmp_path))
    (tmp_path / "sigmoid.py").unlink()
    capsys.readouterr()
    assert run_cli("exercises", "status", "--dir", str(tmp_path)) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(EXERCISES) + 1
    assert lines[0] == "  1. sigmoid.py                not started  hints 0/3"
    assert lines[1].startswith(
        "  2. tanh.py                   failing      hints 2/3  dL/dx is wrong for x of shape "
        "(3, 4): gradient check failed"
    )
    assert lines[7] == "  8. matmul.py                 passed       hints 0/3"
    assert lines[-1] == f"1 passed, 1 failing, {len(EXERCISES) - 2} not started"


def test_status_counts_an_unchanged_full_level_stub_as_not_started(tmp_path: Path) -> None:
    write_stubs(tmp_path, level="full")
    assert {s.state for s in exercise_status(tmp_path)} == {"not started"}


def test_status_without_exercise_files_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli("exercises", "status", "--dir", str(tmp_path)) == 2
    assert capsys.readouterr().err == (
        f"tinydl exercises status: no exercise files in {tmp_path}; write them with: "
        f"tinydl exercises new {tmp_path}\n"
    )


# ---- the full level -----------------------------------------------------------------------------


def test_the_full_level_leaves_the_given_code_to_the_learner(tmp_path: Path) -> None:
    # Where the learner writes the forward pass (or an optimiser's whole step) already, the
    # full level is the guided one.
    assert set(FULL) == set(EXERCISES) - {
        "sigmoid", "relu", "central_difference", "backward_walk", "sum_to_shape", "mse",
        "dropout", "sgd_momentum", "adam",
    }  # fmt: skip
    write_stubs(tmp_path, level="full")
    for name in EXERCISES:
        guided, full = stub_text(name), stub_text(name, "full")
        assert "# given:" not in full
        compile(full, f"{name}.py", "exec")
        if name in FULL:
            assert full != guided and "Full level: you write the forward pass too" in full
            assert full.count("raise NotImplementedError(") > guided.count(
                "raise NotImplementedError("
            )
        else:  # the learner writes everything at both levels
            assert full == guided
    results = {r.name: r for r in check_exercises(tmp_path)}
    assert all(r.problem.startswith("not implemented yet: ") for r in results.values())
    assert results["matmul"].problem == "not implemented yet: MatMul.forward (matmul.py line 26)"
    assert results["conv2d_im2col"].problem.startswith("not implemented yet: col2im (")
    text = stub_text("conv2d_im2col", "full")
    assert 'raise NotImplementedError("write im2col")' in text
    assert 'raise NotImplementedError("write Conv2D.forward")' in text


def test_a_full_level_answer_with_its_own_forward_passes(tmp_path: Path) -> None:
    text = stub_text("matmul", "full")
    text = text.replace(
        'raise NotImplementedError("write MatMul.forward")',
        "self.a, self.b = a, b\n        return a @ b",
    ).replace(
        'raise NotImplementedError("write MatMul.backward: return (dL/dA, dL/dB)")',
        "return grad_output @ self.b.T, self.a.T @ grad_output",
    )
    (tmp_path / "matmul.py").write_text(text, encoding="utf-8")
    assert check_exercise("matmul", tmp_path).passed


def test_new_at_the_full_level_says_so_and_records_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli("exercises", "new", str(tmp_path), "--level", "full") == 0
    assert capsys.readouterr().out.startswith(
        f"wrote {len(EXERCISES)} exercise stubs to {tmp_path}/ (full level)"
    )
    assert json.loads((tmp_path / STATE_FILE).read_text()) == {"hints": {}, "level": "full"}
    assert (tmp_path / "tanh.py").read_text(encoding="utf-8") == stub_text("tanh", "full")
    with pytest.raises(ValueError, match="level must be 'guided' or 'full', got 'hard'"):
        stub_text("tanh", "hard")
