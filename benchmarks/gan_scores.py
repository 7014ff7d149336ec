"""Score the GAN examples' generators, epoch by epoch, against real digits and noise.

    python examples/gan_mnist.py --out runs/gan_mnist        # first, train (any epochs)
    python examples/dcgan_mnist.py --out runs/dcgan_mnist
    python benchmarks/gan_scores.py [--runs gan_mnist=runs/gan_mnist dcgan_mnist=...]

With tinydl's digit classifier (``tinydl.train.digit_classifier``: the zoo's mnist-mlp,
trained on the first call and cached), each row scores 10,000 images: the inception-style
score, the share of the rarest and the commonest digit, and the Fréchet distance of the
classifier's penultimate features to those of the 10,000 MNIST test images. The rows:
the test images themselves (the ceiling for the score and coverage; their distance to
themselves is 0 by definition), 10,000 training images (the distance two real samples
keep), uniform noise (the floor), and every ``generator_epoch_NN.npz`` the examples
wrote, sampled in evaluation mode with the same noise seed. The table and the issue's
targets for the last DCGAN epoch go to benchmarks/results/gan_scores.md; ``--figure``
also draws 64 samples of that generator.
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
    class_coverage,
    classifier_outputs,
    digit_classifier,
    inception_score,
    load_checkpoint,
    score_images,
)


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


def row(name: str, scores: dict[str, Any], real: dict[str, Any], noise_distance: float,
        seconds: str = "") -> str:
    coverage = scores["coverage"]
    rarest, commonest = int(coverage.argmin()), int(coverage.argmax())
    distance = scores["frechet_distance"]
    return (
        f"| {name} | {scores['inception_score']:.2f} | "
        f"{scores['inception_score'] / real['inception_score']:.0%} | "
        f"{coverage[rarest]:.1%} ({rarest}) | {coverage[commonest]:.1%} ({commonest}) | "
        f"{'-' if distance is None else f'{distance:.2f}'} | "
        f"{'-' if distance is None else f'{distance / noise_distance:.4f}'} | {seconds} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--runs", nargs="*", default=["gan_mnist=runs/gan_mnist", "dcgan_mnist=runs/dcgan_mnist"],
        help="EXAMPLE=FOLDER pairs: the example script's name and its --out folder",
    )
    parser.add_argument("--samples", type=int, default=10_000)
    parser.add_argument("--classifier", help="checkpoint of the classifier (default: the cache)")
    parser.add_argument("--data", help="folder holding mnist/ (default: $TINYDL_DATA)")
    parser.add_argument("--figure", help="write 64 samples of the last DCGAN epoch here (PNG)")
    parser.add_argument("--note", default="", help="how the runs were trained, for the log")
    fast_mode.add_option(parser)
    args = parser.parse_args()
    mode = fast_mode.set_mode(args.readable)

    classifier = digit_classifier(args.classifier, data_dir=args.data, progress=True)
    (train_images, _), (test_images, _) = data.load_mnist(args.data)
    test_probabilities, test_features = classifier_outputs(classifier, data.to_float(test_images))
    real = {
        "inception_score": inception_score(test_probabilities),
        "coverage": class_coverage(test_probabilities),
        "frechet_distance": None,
    }
    pick = np.random.default_rng(0).choice(len(train_images), args.samples, replace=False)
    train = score_images(data.to_float(train_images[pick]), classifier, test_features)
    uniform = np.random.default_rng(0).uniform(0, 1, (args.samples, 28, 28)).astype(np.float32)
    noise = score_images(uniform, classifier, test_features)
    floor = noise["frechet_distance"]
    rows = [
        "| images | score | score / real's | rarest digit | commonest digit | Fréchet distance "
        "| distance / noise's | s/epoch (median) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
        row("MNIST test images (ceiling)", real, real, floor),
        row(f"{args.samples:,} MNIST training images", train, real, floor),
        row("uniform noise (floor)", noise, real, floor),
    ]
    targets = []
    for pair in args.runs:
        name, folder = pair.split("=", 1)
        example = importlib.import_module(name)
        checkpoints = sorted(Path(folder).glob("generator_epoch_*.npz"))
        history_file = Path(folder) / "history.json"
        history = json.loads(history_file.read_text()) if history_file.exists() else {}
        seconds = history.get("epoch_seconds") or [float("nan")]
        for checkpoint in checkpoints:
            epoch = int(checkpoint.stem.rsplit("_", 1)[1])
            scores = score_images(generate(example, checkpoint, args.samples), classifier,
                                  test_features)
            rows.append(row(f"{name} epoch {epoch}", scores, real, floor,
                            f"{statistics.median(seconds):.0f}"))
            print(rows[-1], flush=True)
        if name == "dcgan_mnist" and checkpoints:
            targets = [
                f"DCGAN after epoch {epoch}: score {scores['inception_score']:.2f} = "
                f"{scores['inception_score'] / real['inception_score']:.0%} of real's (target "
                f">= 80%); rarest digit {scores['coverage'].min():.1%} (target >= 5%); "
                f"Fréchet distance {scores['frechet_distance'] / floor:.4f} of noise's "
                f"(target <= 0.1)."
            ]
            if args.figure:
                samples = generate(example, checkpoints[-1], 64, seed=1)
                plots.image_grid(samples, args.figure, title=f"DCGAN, epoch {epoch}")
    setup = (
        f"`python benchmarks/gan_scores.py {shlex.join(sys.argv[1:])}`: {args.samples:,} images "
        f"per row, classifier `{classifier_name(args.classifier)}`. Score = exp(E[KL(p(y|x) "
        f"|| p(y))]) (10 at most); distances to the 10,000 test images' features. Seconds per "
        f"epoch are the examples' own (history.json), so they count whatever else the machine "
        f"was running; --note says how the runs were made. tinydl (scoring): {mode}."
        + ("\n\n" + targets[0] if targets else "")
    )
    append_run("gan_scores.md", "GAN scores", setup, rows)


def classifier_name(path: str | None) -> str:
    return path or "mnist-mlp from the cache (tinydl.train.digit_classifier)"


if __name__ == "__main__":
    main()
