"""Train the seed MNIST models A-F end to end and record what they reach.

    python benchmarks/mnist_examples.py [--examples mnist-mlp,mnist-cnn] [--data DIR]

Each example runs as ``tinydl train EXAMPLE`` in its own process with its recipe's
defaults (seed 0), so its peak memory is its own. The figures (test accuracy after the
last epoch, median seconds per epoch, total time, peak resident memory) come from the
``results.json`` each run writes, and go into benchmarks/results/mnist_examples.md
together with the machine they were measured on.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import fast_mode  # noqa: E402  (sibling scripts, not a package)
from mnist_speed import append_result, machine  # noqa: E402

from tinydl import zoo  # noqa: E402


def run(example: str, data: str | None, out: Path) -> dict:
    command = [
        sys.executable,
        "-m",
        "tinydl.cli",
        "train",
        example,
        "--no-progress",
        "--out",
        str(out),
    ]
    if data:
        command += ["--data", data]
    print("$", " ".join(command[1:]), flush=True)
    subprocess.run(command, check=True)
    return json.loads((out / "results.json").read_text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", default=",".join(zoo.RECIPES))
    parser.add_argument(
        "--data", default=None, help="folder holding mnist/ (default: $TINYDL_DATA)"
    )
    parser.add_argument("--out", default="runs/results", help="where the runs write their files")
    fast_mode.add_option(parser)
    args = parser.parse_args()
    mode = fast_mode.set_mode(args.readable)  # tinydl train follows TINYDL_FAST_PATHS

    rows = [
        "| example | epochs | batch | test accuracy | target | median s/epoch | total s "
        "| peak memory (MB) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name in args.examples.split(","):
        recipe = zoo.recipe(name)
        result = run(name, args.data, Path(args.out) / name)
        target = f">= {recipe.target_accuracy:.1%}" if recipe.target_accuracy else "-"
        met = (
            ""
            if not recipe.target_accuracy
            else (" (met)" if result["test_accuracy"] >= recipe.target_accuracy else " (NOT met)")
        )
        rows.append(
            f"| {name} | {result['epochs']} | {recipe.batch_size} | "
            f"{result['test_accuracy']:.2%} | {target}{met} | "
            f"{statistics.median(result['seconds_per_epoch']):.1f} | "
            f"{result['total_seconds']:.0f} | {result['peak_memory_mb']:.0f} |"
        )
    table = (
        f"### Seed models, {time.strftime('%Y-%m-%d')}\n\n"
        f"Machine: {machine()}; trained on the CPU. "
        f"Command: `python benchmarks/mnist_examples.py{' --readable' if args.readable else ''}`. "
        f"tinydl: {mode}.\n\n" + "\n".join(rows) + "\n"
    )
    print(table)
    append_result("mnist_examples.md", table)


if __name__ == "__main__":
    main()
