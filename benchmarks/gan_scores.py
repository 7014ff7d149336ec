"""Score the GAN examples' generators, epoch by epoch, against real digits, noise and cheats.

    python examples/gan_mnist.py --out runs/gan_mnist        # first, train (any epochs)
    TINYDL_FAST_PATHS=1 python examples/dcgan_mnist.py --out runs/dcgan_mnist
    python benchmarks/gan_scores.py [--runs gan_mnist=runs/gan_mnist ...] [--record]

Each row scores ``--samples`` images (5,000) with ``tinydl.train.score_images`` against
``RealDigits``: a random half of the MNIST test digits (the reference) and the 60,000
training digits (where copies are looked for), judged by ``tinydl.train.digit_judge``
(trained on the first call and cached). The halves are random because MNIST's test set is
two sets in a row: its first 5,000 digits were written by other people, more neatly, than
its last 5,000, and the two halves lie three times as far apart as the training digits lie
from the first. The rows: the other 5,000 test digits (real digits that neither the
judge nor a generator saw: they must pass every target), 5,000 training digits (the
second real set of the Fréchet baseline, so its multiple is 1; each is a copy of a
training image by definition), uniform noise, two cheats that an earlier scorer passed
(ten training digits, one of each class, repeated; the ten class-mean images repeated:
they must fail), and every ``generator_epoch_NN.npz`` the examples wrote, sampled in
evaluation mode with the same noise seed. The last column lists the targets missed
(``tinydl.train.TARGETS``). The table prints; ``--record`` appends it to
benchmarks/results/gan_scores.md. ``--figure`` draws 64 samples of the last DCGAN epoch.
"""

from __future__ import annotations

import argparse
import importlib
import json
import shlex
import statistics
import sys
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "examples"))  # the examples' models
import fast_mode  # noqa: E402  (sibling scripts, not a package)
from results_log import append_run  # noqa: E402

import tinydl  # noqa: E402
from tinydl import data, plots  # noqa: E402
from tinydl.train import (  # noqa: E402
    TARGETS,
    RealDigits,
    classifier_outputs,
    digit_judge,
    load_checkpoint,
    score_images,
)
from tinydl.train.generative import DIGITS  # noqa: E402

REFERENCE = 5_000  # a random half of the test digits is the reference; the other half is scored
HEADER = [
    "| images | score | score / real's | rarest digit | not a digit | Fréchet distance "
    "| × two real sets' | duplicates | copies | targets missed | s/epoch (median) |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
]


def generate(example: Any, checkpoint: Path, count: int, seed: int = 0) -> np.ndarray:
    """``count`` samples of the generator saved in ``checkpoint``, in [0, 1]."""
    generator = example.build_generator()
    load_checkpoint(checkpoint, generator)
    generator.eval()  # batch norm uses its running statistics
    rng = np.random.default_rng(seed)
    batches = []
    with tinydl.no_grad():
        for start in range(0, count, 500):
            noise = tinydl.tensor(example.sample_noise(min(500, count - start), rng))
            batches.append(generator(noise).numpy().reshape(-1, 28, 28))
    return (np.concatenate(batches) + 1) / 2  # tanh's [-1, 1] -> [0, 1]


def cheats(images: np.ndarray, labels: np.ndarray, count: int) -> dict[str, np.ndarray]:
    """The two fake generators an earlier scorer passed: ten training digits (the first of
    each class) and the ten class means, each repeated to make ``count`` images."""
    firsts = np.stack([images[labels == digit][0] for digit in range(DIGITS)])
    means = np.stack([images[labels == digit].mean(axis=0) for digit in range(DIGITS)])
    repeat = np.arange(count) % DIGITS
    return {
        "cheat: ten training digits, repeated": firsts[repeat],
        "cheat: the ten class means, repeated": means[repeat],
    }


def row(name: str, scores: dict[str, Any], seconds: str = "") -> str:
    coverage = scores["coverage"]
    rarest = int(coverage[:DIGITS].argmin())
    return (
        f"| {name} | {scores['inception_score']:.2f} | {scores['score_ratio']:.0%} | "
        f"{coverage[rarest]:.1%} ({rarest}) | {scores['not_a_digit']:.1%} | "
        f"{scores['frechet_distance']:.2f} | {scores['frechet_ratio']:.2f} | "
        f"{scores['duplicate_share']:.1%} | {scores['copy_share']:.1%} | "
        f"{', '.join(key.split()[0] for key in scores['failed']) or 'none'} | {seconds} |"
    )


def judge_summary(judge: Any, test_images: np.ndarray, test_labels: np.ndarray) -> str:
    """The judge's accuracy on all 10,000 test digits and its verdict on as much noise."""
    probabilities = classifier_outputs(judge, test_images)[0]
    noise = np.random.default_rng(1).uniform(0, 1, test_images.shape).astype(np.float32)
    on_noise = classifier_outputs(judge, noise)[0]
    called_a_digit = on_noise.argmax(axis=1) < DIGITS
    return (
        f"The judge: {(probabilities.argmax(axis=1) == test_labels).mean():.2%} of the 10,000 "
        f"test digits right, {(probabilities.argmax(axis=1) == DIGITS).mean():.2%} called "
        f"'not a digit'. On 10,000 uniform-noise images: {called_a_digit.mean():.2%} called a "
        f"digit; its mean probability of the likeliest digit "
        f"{on_noise[:, :DIGITS].max(axis=1).mean():.4f}, of 'not a digit' "
        f"{on_noise[:, DIGITS].mean():.4f}."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--runs", nargs="*", default=["gan_mnist=runs/gan_mnist", "dcgan_mnist=runs/dcgan_mnist"],
        help="EXAMPLE=FOLDER pairs: the example script's name and its --out folder",
    )
    parser.add_argument("--samples", type=int, default=5_000, help="images per row, at most 5,000")
    parser.add_argument("--judge", help="checkpoint of the digit judge (default: the cache)")
    parser.add_argument("--data", help="folder holding mnist/ (default: $TINYDL_DATA)")
    parser.add_argument("--figure", help="write 64 samples of the last DCGAN epoch here (PNG)")
    parser.add_argument("--note", default="", help="how the runs were trained, for the log")
    parser.add_argument("--record", action="store_true",
                        help="append the table to benchmarks/results/gan_scores.md")
    fast_mode.add_option(parser)
    args = parser.parse_args()
    if not 2 <= args.samples <= REFERENCE:
        parser.error(f"--samples must be between 2 and {REFERENCE:,}, got {args.samples}")
    mode = fast_mode.set_mode(args.readable)

    judge = digit_judge(args.judge, data_dir=args.data, progress=True)
    (train_images, train_labels), (test_images, test_labels) = data.load_mnist(args.data)
    train_digits, test_digits = data.to_float(train_images), data.to_float(test_images)
    halves = np.random.default_rng(0).permutation(len(test_digits))
    reference = RealDigits(judge, test_digits[halves[:REFERENCE]], train_digits)
    pick = np.random.default_rng(0).choice(len(train_digits), args.samples, replace=False)
    uniform = np.random.default_rng(0).uniform(0, 1, (args.samples, 28, 28)).astype(np.float32)
    baselines = {
        f"{args.samples:,} other MNIST test digits (real)":
            test_digits[halves[REFERENCE : REFERENCE + args.samples]],
        f"{args.samples:,} MNIST training digits": train_digits[pick],
        "uniform noise": uniform,
        **cheats(train_digits, train_labels, args.samples),
    }
    rows = list(HEADER)
    for name, images in baselines.items():
        rows.append(row(name, score_images(images, reference)))
        print(rows[-1], flush=True)
    verdicts = []
    for pair in args.runs:
        name, folder = pair.split("=", 1)
        example = importlib.import_module(name)
        checkpoints = sorted(Path(folder).glob("generator_epoch_*.npz"))
        history_file = Path(folder) / "history.json"
        history = json.loads(history_file.read_text()) if history_file.exists() else {}
        seconds = history.get("epoch_seconds") or [float("nan")]
        for checkpoint in checkpoints:
            epoch = int(checkpoint.stem.rsplit("_", 1)[1])
            scores = score_images(generate(example, checkpoint, args.samples), reference)
            rows.append(row(f"{name} epoch {epoch}", scores, f"{statistics.median(seconds):.0f}"))
            print(rows[-1], flush=True)
        if checkpoints:
            verdicts.append(
                f"{name} after epoch {epoch}: "
                + ("meets every target." if not scores["failed"]
                   else f"misses {', '.join(scores['failed'])}.")
            )
        if name == "dcgan_mnist" and checkpoints and args.figure:
            samples = generate(example, checkpoints[-1], 64, seed=1)
            plots.image_grid(samples, args.figure, title=f"DCGAN, epoch {epoch}")
    setup = (
        f"`python benchmarks/gan_scores.py {shlex.join(sys.argv[1:])}`: {args.samples:,} images "
        f"per row, judge `{args.judge or 'digit_judge() from the cache'}`, against RealDigits("
        f"{REFERENCE:,} random test digits, the 60,000 training digits); the two real sets of the "
        f"Fréchet baseline keep {reference.frechet_baseline(args.samples):.2f} apart. Score = "
        f"exp(E[KL(p(y|x) || p(y))]) over the judge's 11 classes. Duplicates and copies: "
        f"samples closer to another sample, or to a training image, than 99% of the reference "
        f"test digits of their judged class are to their nearest training image. Targets: "
        f"{'; '.join(str(target) for target in TARGETS)}. Seconds per epoch are the examples' "
        f"own (history.json), so they count whatever else the machine was running; --note "
        f"says how the runs were made. tinydl (scoring): {mode}.\n\n"
        + judge_summary(judge, test_digits, test_labels)
        + "".join(f"\n\n{verdict}" for verdict in verdicts)
    )
    publish(setup, rows, args.record)


def publish(setup: str, rows: list[str], record: bool) -> None:
    """Print the table, and append it to results/gan_scores.md only if ``record``."""
    if record:
        append_run("gan_scores.md", "GAN scores", setup, rows)
    else:
        print(f"\n{setup}\n\n" + "\n".join(rows) + "\n\n(not recorded: --record appends it)")


if __name__ == "__main__":
    main()
