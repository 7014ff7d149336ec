"""Line budgets for the engine a learner reads: ``tinydl/autograd/`` as a whole, and each file
of ``tinydl/ops/``, may not grow past the size it had once the argument checks were gathered
in ``tinydl/check.py`` and ``tinydl/autograd/tensor_checks.py`` (issue 22), as tinygrad holds
its core to a line count. Checks written out again in front of each op were how a fifth of
the engine became argument checking; a budget makes that creep visible in the commit that
causes it.

Lines are counted as ``wc -l`` counts them (docstrings and comments included: they are read
too). A file that shrinks may lower its budget, so that the saving stays.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OPS = ROOT / "tinydl" / "ops"

# part of tinydl (a folder counts all its .py files) -> the most lines it may have
BUDGETS = {
    "tinydl/autograd": 2446,
    "tinydl/ops/__init__.py": 80,
    "tinydl/ops/activations.py": 283,
    "tinydl/ops/adaptive_pool.py": 57,
    "tinydl/ops/arguments.py": 42,
    "tinydl/ops/arithmetic.py": 155,
    "tinydl/ops/array_sums.py": 24,
    "tinydl/ops/attention.py": 358,
    "tinydl/ops/conv.py": 386,
    "tinydl/ops/conv_pool.py": 316,
    "tinydl/ops/conv_transpose.py": 159,
    "tinydl/ops/conversion.py": 110,
    "tinydl/ops/dropout.py": 91,
    "tinydl/ops/einsum.py": 137,
    "tinydl/ops/elementwise.py": 357,
    "tinydl/ops/embedding.py": 96,
    "tinydl/ops/layer_norm.py": 142,
    "tinydl/ops/linalg.py": 200,
    "tinydl/ops/logit_check.py": 98,
    "tinydl/ops/losses.py": 554,
    "tinydl/ops/normalization.py": 197,
    "tinydl/ops/operands.py": 57,
    "tinydl/ops/pooling.py": 162,
    "tinydl/ops/recurrent.py": 379,
    "tinydl/ops/reductions.py": 346,
    "tinydl/ops/shape.py": 477,
    "tinydl/ops/sorting.py": 54,
    "tinydl/ops/special.py": 63,
    "tinydl/ops/sync_batch_norm.py": 64,
    "tinydl/ops/value_checks.py": 55,
}

HOW_TO_RAISE = (
    "Make it shorter (an argument check is one line calling tinydl.check or "
    "tinydl.autograd.tensor_checks, not a new if/raise), or, if the growth is worth its lines, "
    "raise the budget on purpose: edit its number in BUDGETS in tests/test_line_budget.py in "
    "the same commit, and say in the commit message what the lines buy."
)


def lines(part: str) -> int:
    """The lines of ``part`` as ``wc -l`` counts them (a folder: all its .py files)."""
    path = ROOT / part
    files = sorted(path.rglob("*.py")) if path.is_dir() else [path]
    return sum(file.read_bytes().count(b"\n") for file in files)


@pytest.mark.parametrize("part", sorted(BUDGETS))
def test_each_part_stays_within_its_line_budget(part: str) -> None:
    count, budget = lines(part), BUDGETS[part]
    assert count <= budget, (
        f"{part} has {count} lines, {count - budget} over its budget of {budget}. "
        + HOW_TO_RAISE
    )


def test_every_ops_file_has_a_budget_and_every_budget_a_file() -> None:
    ops_files = {f"tinydl/ops/{file.name}" for file in OPS.glob("*.py")}
    budgeted = {part for part in BUDGETS if part.startswith("tinydl/ops/")}
    assert not ops_files - budgeted, (
        f"{sorted(ops_files - budgeted)} have no line budget: add each to BUDGETS in "
        f"tests/test_line_budget.py at its size (python -c \"from tests.test_line_budget "
        f"import lines; print(lines('tinydl/ops/NAME.py'))\")"
    )
    assert all((ROOT / part).exists() for part in BUDGETS), (
        f"{[part for part in BUDGETS if not (ROOT / part).exists()]} are gone: remove their "
        f"budgets from tests/test_line_budget.py"
    )
