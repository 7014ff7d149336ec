"""Feedback that follows the hint ladder: a failed check names the mistake and its evidence
but never the answer (that is what ``tinydl exercises hint`` reveals, one level at a time,
and counts); a leftover exit() is reported with its line; at a kink, where a gradient check
cannot judge, the checker says why."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from exercise_mistakes import MISTAKES, with_mistake
from test_exercises import run_cli
from test_exercises_progress import formula_key

from tinydl.exercises import EXERCISES, check_exercise
from tinydl.exercises.runner import write_stubs


def what_the_checker_wrote(result) -> str:
    """The problem, likely cause and advice: everything but the echo of the learner's line
    (which is their own code, right or wrong)."""
    return " ".join(part for part in (result.problem, result.cause, result.advice) if part)


@pytest.mark.parametrize("mistake", list(MISTAKES))
def test_no_check_output_gives_the_answer_away(mistake: str, tmp_path: Path) -> None:
    name, old, new, _, _ = MISTAKES[mistake]
    result = check_exercise(name, with_mistake(tmp_path, name, old, new))
    assert not result.passed
    written = formula_key(what_the_checker_wrote(result))
    for answer in EXERCISES[name].answers:
        assert formula_key(answer) not in written, f"{mistake} gives {answer!r} away"
    for hint in EXERCISES[name].hints[1:]:  # the derivative and the formula, word for word
        assert " ".join(hint.split()) not in " ".join(what_the_checker_wrote(result).split())


def test_every_exercise_has_learner_style_mistakes_in_the_diagnosis_table() -> None:
    covered = {name for name, *_ in MISTAKES.values()}
    assert covered == set(EXERCISES)
    explained = {name for name, *_, cause in MISTAKES.values() if cause is not None}
    assert explained == set(EXERCISES)  # and each has a mistake whose cause is named


def test_a_failed_check_shows_no_hint_and_the_hint_and_status_counts_agree(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_stubs(tmp_path)
    with_mistake(tmp_path, "tanh", "(1 - self.y * self.y)", "(1 - self.y) ** 2")
    hints = [" ".join(hint.split()) for hint in EXERCISES["tanh"].hints]
    for shown in range(4):
        assert run_cli("exercises", "check", "tanh", "--dir", str(tmp_path)) == 1
        checked = " ".join(capsys.readouterr().out.split())
        assert not any(hint in checked for hint in hints)
        if shown < 3:
            assert f"Stuck? Hint {shown + 1} of 3 for tanh: tinydl exercises hint tanh" in checked
        else:
            assert "All 3 hints for tanh are shown; to see them again:" in checked
        assert run_cli("exercises", "status", "--dir", str(tmp_path)) == 0
        tanh_line = next(line for line in capsys.readouterr().out.splitlines() if "tanh.py" in line)
        assert re.search(rf"failing +hints {shown}/3 ", tanh_line), tanh_line
        assert run_cli("exercises", "hint", "tanh", "--dir", str(tmp_path)) == 0
        revealed = " ".join(capsys.readouterr().out.split())
        assert [hint in revealed for hint in hints] == [k <= shown for k in range(3)]


def test_a_leftover_exit_fails_the_check_with_its_line_and_exit_code_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with_mistake(
        tmp_path, "relu", "        return grad_output * self.positive\n",
        "        return grad_output * self.positive\n\n\nexit()\n",
    )  # fmt: skip
    assert run_cli("exercises", "check", "relu", "--dir", str(tmp_path)) == 1
    assert capsys.readouterr().out.splitlines()[:3] == [
        "FAIL  relu: loading relu.py called exit(), which would end the checker as well",
        "      at relu.py line 16, in <module>: exit()",
        "      advice: remove the exit() or sys.exit() call: the checker imports your file and "
        "calls your code, so the file must run to its end",
    ]
    with_mistake(
        tmp_path, "sigmoid", "return grad_output * self.y * (1 - self.y)",
        'raise SystemExit("done")',
    )  # fmt: skip
    result = check_exercise("sigmoid", tmp_path)
    assert result.problem == (
        "Sigmoid.backward called exit('done'), which would end the checker as well"
    )
    assert result.location == "sigmoid.py line 14, in backward: raise SystemExit(\"done\")"


@pytest.mark.parametrize(
    ("mistake", "why"),
    [
        ("relu: the gradient passes at x = 0", "a numeric gradient, (f(ε) − f(−ε))/2ε = ½, agrees "
         "with neither side: a gradient check cannot judge your code at 0. Libraries pick a value "
         "by convention; PyTorch's, and tinydl's, is 0"),
        ("max_pool: every tied pixel gets the window's gradient", "so a finite difference sees "
         "half a slope and a gradient check cannot judge your code there. Libraries give the "
         "window's gradient to one pixel by convention: PyTorch's, tinydl's (and the stub's "
         "argmax) is the first in the window, row by row"),
    ],
)  # fmt: skip
def test_at_a_kink_the_checker_says_why_a_numeric_gradient_cannot_judge(
    mistake: str, why: str, tmp_path: Path
) -> None:
    name, old, new, _, _ = MISTAKES[mistake]
    result = check_exercise(name, with_mistake(tmp_path, name, old, new))
    assert result.cause.endswith(why), result.report()


def test_a_mistake_off_the_kinks_gets_no_kink_explanation(tmp_path: Path) -> None:
    name, old, new, _, _ = MISTAKES["max_pool: overlapping windows assigned, not added"]
    result = check_exercise(name, with_mistake(tmp_path, name, old, new))
    assert "kink" not in result.cause


DOCS = Path(__file__).resolve().parents[1] / "docs"
FIRST = re.compile(
    r"\*\*Do the exercise first:\*\* (?P<names>.*?) \(`tinydl exercises new DIR`", re.S
)


def test_each_op_page_says_do_the_exercise_first_then_read_the_source() -> None:
    for page in sorted((DOCS / "ops").glob("*.md")):
        text = page.read_text(encoding="utf-8")
        match = FIRST.search(text)
        assert match, f"{page.name} lacks the 'Do the exercise first' line"
        assert match.start() < text.index("Source:"), f"{page.name}: the exercise comes first"
        names = re.findall(r"`(\w+)`", match["names"])
        assert names and set(names) <= set(EXERCISES), (page.name, names)
        assert "Then read the source, whose docstring" in " ".join(text.split())


def test_the_learning_path_names_every_exercise() -> None:
    text = (DOCS / "learning-path.md").read_text(encoding="utf-8")
    assert {name for name in EXERCISES if f"`{name}`" in text} == set(EXERCISES)
    assert "tinydl exercises train --dir my-exercises" in text


def test_the_engine_exercises_hints_say_what_each_gives(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for _ in range(3):
        run_cli("exercises", "hint", "backward_walk", "--dir", str(tmp_path))
    headings = re.findall(r"^backward_walk, hint \d of 3 \((.*)\):$", capsys.readouterr().out, re.M)
    assert headings[-3:] == ["what to think about", "the idea, step by step", "the code"]
