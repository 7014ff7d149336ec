"""Bad input for the generator scores' judge and yardstick (tinydl.train.generative):
nearest_distances, not_digit_images, train_judge, digit_judge, RealDigits and score_images.
Format: see tests/bad_input_table.py."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pytest
from bad_input_table import Case, check, params

import tinydl
from tinydl import nn
from tinydl.train import generative
from tinydl.train.checkpoint import save_checkpoint

ROWS = np.random.default_rng(0).uniform(0, 1, (4, 3))
IMAGES = np.full((3, 28, 28), 0.5, np.float32)
DIGITS = np.zeros((5, 28, 28), np.uint8)
LABELS = np.arange(5)
TEN_CLASSES = nn.Sequential(nn.Flatten(), nn.Dense(784, 4), nn.ReLU(), nn.Dense(4, 10))
JUDGE_SHAPED = nn.Sequential(nn.Flatten(), nn.Dense(784, 4), nn.ReLU(), nn.Dense(4, 11))


def reference() -> generative.RealDigits:
    """A RealDigits of an untrained eleven-output model: only its shape matters here."""
    tinydl.manual_seed(0)
    return generative.RealDigits(JUDGE_SHAPED, IMAGES, np.concatenate([IMAGES] * 2))


def judge_from_another_model() -> None:
    """digit_judge() given a file that holds a zoo model, not the judge."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.npz"
        save_checkpoint(path, TEN_CLASSES, example="mnist-mlp")
        generative.digit_judge(path)


CASES = [
    # ---- nearest_distances ----
    Case("nearest_distances-columns", lambda: generative.nearest_distances(ROWS, ROWS[:, :2]),
         ValueError, ("nearest_distances(): images have shape (4, 3) but pool has (4, 2)",
                      "same number of columns")),
    Case("nearest_distances-skip-self-other-pool",
         lambda: generative.nearest_distances(ROWS, ROWS[:3], skip_self=True),
         ValueError, ("images have shape (4, 3) but pool has (3, 3)", "skip_self, the same rows")),
    Case("nearest_distances-1d", lambda: generative.nearest_distances(ROWS[0], ROWS),
         ValueError, ("nearest_distances(): images must be an (N, F) array", "(3,)")),
    Case("nearest_distances-nan", lambda: generative.nearest_distances(ROWS, ROWS * np.nan),
         ValueError, ("nearest_distances(): pool contains NaN or infinite values",)),
    Case("nearest_distances-strings",
         lambda: generative.nearest_distances(np.array([["a", "b"]]), ROWS),
         TypeError, ("nearest_distances(): images must be numeric", "<U1")),
    Case("nearest_distances-chunk-0", lambda: generative.nearest_distances(ROWS, ROWS, chunk=0),
         ValueError, ("nearest_distances(): chunk must be a positive integer", "0")),
    # ---- not_digit_images ----
    Case("not_digit_images-uint8",
         lambda: generative.not_digit_images(DIGITS, 5, np.random.default_rng(0)),
         TypeError, ("not_digit_images(): images must be floats in [0, 1]", "uint8")),
    Case("not_digit_images-count-0",
         lambda: generative.not_digit_images(IMAGES, 0, np.random.default_rng(0)),
         ValueError, ("not_digit_images(): count must be a positive integer", "0")),
    Case("not_digit_images-seed-for-rng", lambda: generative.not_digit_images(IMAGES, 5, 0),
         TypeError, ("needs rng as a numpy.random.Generator", "got int")),
    Case("not_digit_images-no-digits",
         lambda: generative.not_digit_images(IMAGES[:0], 5, np.random.default_rng(0)),
         ValueError, ("at least 1 image of 28x28 pixels", "(0, 28, 28)")),
    # ---- train_judge ----
    Case("train_judge-float-images", lambda: generative.train_judge(IMAGES, LABELS[:3]),
         ValueError, ("train_judge(): images must be uint8 digits", "float32 of shape (3, 28")),
    Case("train_judge-flat-images",
         lambda: generative.train_judge(DIGITS.reshape(5, 784), LABELS),
         ValueError, ("images must be uint8 digits shaped (N, 28, 28)", "(5, 784)")),
    Case("train_judge-label-10", lambda: generative.train_judge(DIGITS, LABELS + 6),
         ValueError, ("train_judge(): labels must be 5 integers in 0..9",)),
    Case("train_judge-one-hot-labels", lambda: generative.train_judge(DIGITS, np.eye(5)),
         ValueError, ("labels must be 5 integers in 0..9", "float64 of shape (5, 5)")),
    Case("train_judge-epochs-0", lambda: generative.train_judge(DIGITS, LABELS, epochs=0),
         ValueError, ("train_judge(): epochs must be a positive integer", "0")),
    # ---- digit_judge ----
    Case("digit_judge-another-model", judge_from_another_model,
         ValueError, ("digit_judge():", "holds 'mnist-mlp', not the digit judge")),
    # ---- RealDigits ----
    Case("RealDigits-ten-class-classifier",
         lambda: generative.RealDigits(TEN_CLASSES, IMAGES, IMAGES),
         ValueError, ("RealDigits() needs the digit judge", "11 outputs", "a classifier of 10")),
    Case("RealDigits-uint8-test-images",
         lambda: generative.RealDigits(JUDGE_SHAPED, DIGITS, IMAGES),
         TypeError, ("RealDigits(): images must be floats in [0, 1]", "uint8")),
    Case("RealDigits-tanh-training-images",
         lambda: generative.RealDigits(JUDGE_SHAPED, IMAGES, IMAGES - 1),
         ValueError, ("RealDigits(): pixel values must lie in [0, 1]", "(x + 1) / 2")),
    Case("frechet_baseline-count-0", lambda: reference().frechet_baseline(0),
         ValueError, ("RealDigits.frechet_baseline(): count must be a positive integer",)),
    Case("frechet_baseline-count-too-large", lambda: reference().frechet_baseline(7),
         ValueError, ("count must be between 2 and the 6 training images, got 7",)),
    # ---- score_images ----
    Case("score_images-features-for-reference",
         lambda: generative.score_images(IMAGES, np.zeros((3, 4))),
         TypeError, ("score_images() needs a RealDigits reference", "ndarray")),
    Case("score_images-more-images-than-training",
         lambda: generative.score_images(np.concatenate([IMAGES] * 3), reference()),
         ValueError, ("score_images(): 9 images but only 6 training images",)),
    Case("score_images-one-image", lambda: generative.score_images(IMAGES[:1], reference()),
         ValueError, ("score_images(): images must be at least 2 images", "(1, 28, 28)")),
]


@pytest.mark.parametrize("case", params(CASES))
def test_bad_input(case: Case) -> None:
    check(case)
