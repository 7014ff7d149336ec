"""Run the Keras programs of examples/keras/ in full and record what they reach.

    python benchmarks/keras_examples.py [--examples seed_001_mlp,seed_002_cnn]

Each program runs unchanged, in its own process (``python examples/keras/NAME.py``, MNIST
from ``$TINYDL_DATA``), exactly as a learner would run it. Its printed test accuracy
(and, for seed 000, its summary's parameter total and the first test image's predicted
digit) and its wall time are appended to benchmarks/results/keras_examples.md, with the
machine.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
EXAMPLES = HERE.parent / "examples" / "keras"
sys.path.insert(0, str(HERE))
import fast_mode  # noqa: E402  (sibling scripts, not a package)
from mnist_speed import append_result, machine  # noqa: E402

# example -> (what the issue asks of it, the regular expression of its accuracy line)
TARGETS = {
    "seed_000_cnn_summary": ("prints the summary and the first test digit",
                             r"val_accuracy ([0-9.]+)\s+lr"),
    "seed_001_mlp": (">= 97.8% after 5 epochs", r"test_acc: ([0-9.]+)"),
    "seed_002_mlp": (">= 97.3% after 5 epochs", r"Test accuracy: ([0-9.]+)"),
    "seed_002_cnn": (">= 98.9% after 5 epochs", r"Test accuracy: ([0-9.]+)"),
    "kerasio_style_cnn": ("(runs unchanged; 2 epochs)", r"Test accuracy: ([0-9.]+)"),
}


def run(name: str) -> tuple[str, float]:
    print(f"$ python examples/keras/{name}.py", flush=True)
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / f"{name}.py")], capture_output=True, text=True,
        env={**os.environ, "MPLBACKEND": "Agg"}, check=True,
    )
    print(result.stdout[-2000:], flush=True)
    return result.stdout, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", default=",".join(TARGETS))
    fast_mode.add_option(parser)
    args = parser.parse_args()
    mode = fast_mode.set_mode(args.readable)  # the programs inherit it (TINYDL_FAST_PATHS)
    rows = ["| program | test accuracy | asked for | wall s |", "| --- | --- | --- | --- |"]
    notes = []
    for name in args.examples.split(","):
        stdout, seconds = run(name)
        target, pattern = TARGETS[name]
        accuracy = float(re.findall(pattern, stdout)[-1])
        rows.append(f"| `{name}.py` | {accuracy:.2%} | {target} | {seconds:.0f} |")
        if name == "seed_000_cnn_summary":
            total = re.search(r"Total params: ([0-9,]+)", stdout).group(1)
            last_lines = stdout.strip().splitlines()[-4:]
            notes.append(
                f"seed 000: summary total {total} parameters; accuracy above is the last "
                f"epoch's val_accuracy (its validation data is the test set); the first test "
                f"image's scores and predicted digit, as printed:\n\n```text\n"
                + "\n".join(last_lines) + "\n```"
            )
    text = "\n".join([
        f"\n## {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: {machine()}",
        f"(shared with other work while it ran: wall times are noisy; BLAS threads: "
        f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}; tinydl: {mode})\n",
        *rows, "", *notes,
    ])
    append_result("keras_examples.md", text)
    print(text)


if __name__ == "__main__":
    main()
