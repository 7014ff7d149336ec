"""Bad input for the GAN entry points: conv_transpose2d / nn.ConvTranspose2D, leaky_relu /
nn.LeakyReLU, and the generator scores of tinydl.train.generative. Format: see
tests/bad_input_table.py."""

from __future__ import annotations

import numpy as np
import pytest
from bad_input_table import Case, check, params

import tinydl
from tinydl import nn
from tinydl.nn import functional as F  # noqa: N812
from tinydl.train import generative


def t(shape, dtype="float32"):
    return tinydl.tensor(np.ones(shape), dtype=dtype)


X, W, B = t((2, 3, 4, 4)), t((3, 2, 3, 3)), t((2,))
PROBS = np.full((4, 10), 0.1)
FEATURES = np.random.default_rng(0).standard_normal((5, 3))
IMAGES = np.full((3, 28, 28), 0.5, np.float32)
TINY = nn.Sequential(nn.Flatten(), nn.Dense(784, 4), nn.ReLU(), nn.Dense(4, 10))

CASES = [
    # ---- conv_transpose2d ----
    Case("conv_transpose2d-x-array", lambda: F.conv_transpose2d(np.ones((2, 3, 4, 4)), W),
         TypeError,
         ("conv_transpose2d()", "x must be a Tensor of shape (N, C, H, W)", "got ndarray")),
    Case("conv_transpose2d-x-3d", lambda: F.conv_transpose2d(t((3, 4, 4)), W),
         ValueError,
         ("conv_transpose2d()", "x must be a Tensor of shape (N, C, H, W)", "got shape (3, 4, 4)")),
    Case("conv_transpose2d-weight-2d", lambda: F.conv_transpose2d(X, t((3, 2))),
         ValueError, (
             "conv_transpose2d()",
             "weight must be a Tensor of shape (in_channels, out_channels, KH, KW)",
             "got shape (3, 2)",
         )),
    Case("conv_transpose2d-weight-conv-layout", lambda: F.conv_transpose2d(X, t((2, 3, 3, 3))),
         ValueError, ("x has 3 channels but weight expects 2", "(2, 3, 3, 3)")),
    Case("conv_transpose2d-bias-shape", lambda: F.conv_transpose2d(X, W, t((3,))),
         ValueError, ("bias must be a Tensor of shape (2,)", "one per output channel",
                      "got shape (3,)")),
    Case("ConvTranspose2D-uint8-images",
         lambda: nn.ConvTranspose2D(1, 2, 3)(tinydl.tensor(np.ones((1, 1, 4, 4), np.uint8))),
         TypeError, ("conv_transpose2d()", "x must be a floating-point Tensor", "got dtype uint8")),
    Case("conv_transpose2d-bias-list", lambda: F.conv_transpose2d(X, W, [0.0, 0.0]),
         ValueError, ("bias must be a Tensor of shape (2,)", "got list")),
    Case("conv_transpose2d-float64-weight",
         lambda: F.conv_transpose2d(X, t((3, 2, 3, 3), "float64")),
         TypeError, ("x is float32 but weight is float64", "no silent upcast")),
    Case("conv_transpose2d-stride-0", lambda: F.conv_transpose2d(X, W, stride=0),
         ValueError,
         ("conv_transpose2d()", "stride must be an integer >= 1 or a pair of them", "got 0")),
    Case("conv_transpose2d-padding-negative", lambda: F.conv_transpose2d(X, W, padding=-1),
         ValueError,
         ("conv_transpose2d()", "padding must be an integer >= 0 or a pair of them", "got -1")),
    Case("conv_transpose2d-output-padding-float",
         lambda: F.conv_transpose2d(X, W, stride=2, output_padding=0.5),
         ValueError, (
             "conv_transpose2d()",
             "output_padding must be an integer >= 0 or a pair of them",
             "got 0.5",
         )),
    Case("conv_transpose2d-output-padding-not-below-stride",
         lambda: F.conv_transpose2d(X, W, stride=2, output_padding=2),
         ValueError, ("output_padding (2, 2) must be smaller than stride (2, 2)",)),
    Case("conv_transpose2d-output-empty", lambda: F.conv_transpose2d(X, W, padding=4),
         ValueError, ("gives an output of size (-2, -2)", "lower the padding")),
    # ---- nn.ConvTranspose2D ----
    Case("ConvTranspose2D-in-channels-0", lambda: nn.ConvTranspose2D(0, 2, 3),
         ValueError, ("in_channels must be a positive integer", "got 0")),
    Case("ConvTranspose2D-out-channels-float", lambda: nn.ConvTranspose2D(3, 2.0, 3),
         ValueError, ("out_channels must be a positive integer", "2.0")),
    Case("ConvTranspose2D-kernel-0", lambda: nn.ConvTranspose2D(3, 2, 0),
         ValueError,
         ("ConvTranspose2D", "kernel_size must be an integer >= 1 or a pair of them", "got 0")),
    Case("ConvTranspose2D-kernel-triple", lambda: nn.ConvTranspose2D(3, 2, (3, 3, 3)),
         ValueError, (
             "ConvTranspose2D",
             "kernel_size must be an integer >= 1 or a pair of them",
             "got (3, 3, 3)",
         )),
    Case("ConvTranspose2D-output-padding-too-big",
         lambda: nn.ConvTranspose2D(3, 2, 3, stride=1, output_padding=1),
         ValueError,
         ("ConvTranspose2D", "output_padding (1, 1) must be smaller than stride (1, 1)")),
    Case("ConvTranspose2D-weight-init", lambda: nn.ConvTranspose2D(3, 2, 3, weight_init="nope"),
         ValueError, ("nope",)),
    Case("ConvTranspose2D-wrong-channels", lambda: nn.ConvTranspose2D(4, 2, 3)(X),
         ValueError, ("x has 3 channels but weight expects 4",)),
    # ---- leaky_relu / nn.LeakyReLU ----
    Case("leaky_relu-slope-string", lambda: F.leaky_relu(X, "0.2"),
         TypeError, ("leaky_relu()", "negative_slope must be a finite number", "got '0.2'")),
    Case("leaky_relu-slope-bool", lambda: F.leaky_relu(X, True),
         TypeError, ("leaky_relu()", "negative_slope must be a finite number", "got True")),
    Case("leaky_relu-slope-nan", lambda: F.leaky_relu(X, float("nan")),
         ValueError, ("leaky_relu()", "negative_slope must be a finite number", "got nan")),
    Case("leaky_relu-x-list", lambda: F.leaky_relu([1.0, -1.0]),
         TypeError, ("leaky_relu()", "x must be a Tensor", "got list")),
    Case("LeakyReLU-slope-none", lambda: nn.LeakyReLU(None),
         TypeError, ("LeakyReLU", "negative_slope must be a finite number", "got None")),
    Case("LeakyReLU-slope-inf", lambda: nn.LeakyReLU(float("inf")),
         ValueError, ("LeakyReLU", "negative_slope must be a finite number", "got inf")),
    # ---- the generator scores ----
    Case("inception_score-1d", lambda: generative.inception_score(np.full(10, 0.1)),
         ValueError, ("inception_score(): probabilities must be an (N, F) array", "(10,)")),
    Case("inception_score-logits",
         lambda: generative.inception_score(np.array([[2.0, -1.0], [0.5, 0.5]])),
         ValueError, ("each row of probabilities must be a distribution", "softmax")),
    Case("inception_score-strings", lambda: generative.inception_score(np.array([["a", "b"]])),
         TypeError, ("probabilities must be numeric", "<U1")),
    Case("inception_score-nan",
         lambda: generative.inception_score(np.array([[np.nan, 1.0]])),
         ValueError, ("probabilities contains NaN or infinite values",)),
    Case("class_coverage-empty", lambda: generative.class_coverage(np.zeros((0, 10))),
         ValueError, ("class_coverage(): probabilities must be an (N, F) array with N >= 1",)),
    Case("frechet_distance-one-sample",
         lambda: generative.frechet_distance(FEATURES[:1], FEATURES),
         ValueError, ("frechet_distance(): features must be an (N, F) array with N >= 2",)),
    Case("frechet_distance-dimensions",
         lambda: generative.frechet_distance(FEATURES, FEATURES[:, :2]),
         ValueError, ("features have 3 dimensions but reference_features have 2",)),
    Case("frechet_distance-inf",
         lambda: generative.frechet_distance(FEATURES, FEATURES * np.inf),
         ValueError, ("reference_features contains NaN or infinite values",)),
    Case("classifier_outputs-not-sequential",
         lambda: generative.classifier_outputs(nn.Dense(784, 10), IMAGES),
         TypeError, ("needs an nn.Sequential classifier", "Dense")),
    Case("classifier_outputs-tanh-range",
         lambda: generative.classifier_outputs(TINY, IMAGES - 1),
         ValueError, ("pixel values must lie in [0, 1]", "got -0.5..-0.5", "(x + 1) / 2")),
    Case("classifier_outputs-uint8",
         lambda: generative.classifier_outputs(TINY, np.zeros((3, 28, 28), np.uint8)),
         TypeError, ("images must be floats in [0, 1]", "uint8", "to_float")),
    Case("classifier_outputs-32x32",
         lambda: generative.classifier_outputs(TINY, np.zeros((3, 32, 32), np.float32)),
         ValueError, ("images must be at least 2 images of 28x28 pixels", "(3, 32, 32)")),
    Case("classifier_outputs-batch-size-0",
         lambda: generative.classifier_outputs(TINY, IMAGES, batch_size=0),
         ValueError, ("batch_size must be a positive int", "got 0")),
    Case("score_images-nan-images",
         lambda: generative.score_images(IMAGES * np.nan, None),
         ValueError, ("score_images(): pixel values must lie in [0, 1]", "nan")),
]


@pytest.mark.parametrize("case", params(CASES))
def test_bad_input(case: Case) -> None:
    check(case)
