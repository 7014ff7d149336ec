"""The reading map of docs/learning-path.md and the README: the files a learner reads, in
order, to follow a Dense layer and a Conv2D layer from the layer down to the engine, then the
training step around either, and how long each file is.

    python docs/reading_map.py            # print the tables (Markdown)
    python docs/reading_map.py --check    # exit 1 if the docs' tables are out of date
    python docs/reading_map.py --write    # put today's tables into the page and the README

"lines" counts every line, as ``wc -l`` does; "code" leaves out blank lines, comment lines
and docstrings (found with ``ast``), what is left to read once the prose is read.
tests/test_reading_map.py runs the check.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENGINE = [
    ("tinydl/minimal.py", "the whole idea: Tensor, Function, five ops, the backward walk"),
    ("tinydl/autograd/tensor.py", "`Tensor`: an array, `requires_grad`, `.grad`, its creator"),
    ("tinydl/autograd/function.py", "`Function.__call__` records the graph; `run_backward` "
     "walks it and sums gradients (`sum_to_shape`)"),
]
MAPS = {
    "Dense": ENGINE + [
        ("tinydl/ops/linalg.py", "`Linear`: y = x W + b (or x Wᵀ + b), backward under forward"),
        ("tinydl/nn/module.py", "`Module` and `Parameter`"),
        ("tinydl/nn/linear.py", "`Dense` (and `Linear`): hold W and b, call the op"),
    ],
    "Conv2D": ENGINE + [
        ("tinydl/ops/conv.py", "`im2col`, `col2im` and the `Conv2D` Function: one matrix "
         "product forward, col2im backward"),
        ("tinydl/nn/module.py", "`Module` and `Parameter`"),
        ("tinydl/nn/conv.py", "`Conv2D` (and `MaxPool2D`): hold the weights, call the ops"),
    ],
    "the training step": [
        ("tinydl/ops/activations.py", "`ReLU` (and the other activations)"),
        ("tinydl/ops/losses.py", "`CrossEntropy`: log-softmax and its gradient p − onehot(y)"),
        ("tinydl/optim/optimizer.py", "`step()` calls `update(param, grad, state)` for each "
         "parameter"),
        ("tinydl/optim/sgd.py", "`SGD`: θ ← θ − lr·g, with momentum"),
        ("tinydl/train/loop.py", "`train_one_epoch`: forward, loss, `zero_grad`, `backward`, "
         "`step`; `fit` around it"),
    ],
}


def line_counts(path: Path) -> tuple[int, int]:
    """(every line, the lines of code: not blank, not a comment, not in a docstring)."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    prose = set()
    for node in ast.walk(ast.parse(text)):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) and isinstance(
            body[0].value, ast.Constant
        ) and isinstance(body[0].value.value, str):
            prose.update(range(body[0].lineno, body[0].end_lineno + 1))
    code = sum(
        1 for number, line in enumerate(lines, start=1)
        if number not in prose and line.strip() and not line.strip().startswith("#")
    )
    return len(lines), code


def table(name: str) -> str:
    """The Markdown table of one reading path, with its total."""
    rows = ["| step | file | lines | code | what to read there |",
            "| --- | --- | --- | --- | --- |"]
    total_lines = total_code = 0
    for step, (file, what) in enumerate(MAPS[name], start=1):
        lines, code = line_counts(ROOT / file)
        total_lines, total_code = total_lines + lines, total_code + code
        rows.append(f"| {step} | `{file}` | {lines} | {code} | {what} |")
    rows.append(f"| | **{len(MAPS[name])} files** | **{total_lines}** | **{total_code}** | |")
    return "\n".join(rows)


def totals(name: str) -> tuple[int, int, int]:
    """(files, lines, code lines) of one reading path."""
    counts = [line_counts(ROOT / file) for file, _ in MAPS[name]]
    return len(counts), sum(c[0] for c in counts), sum(c[1] for c in counts)


def readme_summary() -> str:
    """The README's short version: one line per path."""
    return "\n".join(
        f"- {name}: {files} files, {lines} lines ({code} of code)"
        for name, (files, lines, code) in ((name, totals(name)) for name in MAPS)
    )


def stale_docs() -> list[str]:
    """The docs that do not hold the tables and summary as they are today."""
    page = (ROOT / "docs" / "learning-path.md").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    stale = [f"docs/learning-path.md: the {name} table" for name in MAPS
             if table(name) not in page]
    return stale + (["README.md: the reading map"] if readme_summary() not in readme else [])


def write_docs() -> None:
    """Put today's tables into docs/learning-path.md and the summary into the README, in
    place of the ones there (found by their header row and their first words)."""
    page_path, readme_path = ROOT / "docs" / "learning-path.md", ROOT / "README.md"
    tables = iter(table(name) for name in MAPS)
    header = re.escape("| step | file | lines | code | what to read there |")
    page = re.sub(header + r"\n(?:\|.*\n)+", lambda _: next(tables) + "\n",
                  page_path.read_text(encoding="utf-8"))
    page_path.write_text(page, encoding="utf-8")
    summary = iter(readme_summary().splitlines())
    names = "|".join(re.escape(name) for name in MAPS)
    readme = re.sub(rf"^- (?:{names}): \d+ files, .*$", lambda _: next(summary),
                    readme_path.read_text(encoding="utf-8"), flags=re.M)
    readme_path.write_text(readme, encoding="utf-8")


if __name__ == "__main__":
    if sys.argv[1:] == ["--write"]:
        write_docs()
        sys.exit(0)
    if sys.argv[1:] == ["--check"]:
        stale = stale_docs()
        print("\n".join(stale) or "the reading map is up to date")
        sys.exit(1 if stale else 0)
    for name in MAPS:
        print(f"{name}:\n\n{table(name)}\n")
    print(readme_summary())
