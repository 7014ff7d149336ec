"""Exercise 7, softmax_cross_entropy: backward of softmax cross-entropy.

The hints and the check of the stub ``stubs/softmax_cross_entropy.py``."""

from __future__ import annotations

from functools import partial
from types import ModuleType

import numpy as np

import tinydl.nn.functional as F
from tinydl.autograd import Tensor
from tinydl.exercises.checker import FunctionCheck, check_function, learner_attribute, random_arrays
from tinydl.exercises.diagnosis import Factor, Mismatch, close
from tinydl.exercises.exercise import Exercise

CROSS_ENTROPY_LABELS = np.array([0, 2, 1, 2])  # 4 samples of 3 classes


def check(module: ModuleType) -> None:
    (logits,) = random_arrays(4, (4, 3))
    n = len(CROSS_ENTROPY_LABELS)
    cross_entropy = learner_attribute(module, "SoftmaxCrossEntropy")
    exp = np.exp(logits - logits.max(axis=1, keepdims=True))
    probs = exp / exp.sum(axis=1, keepdims=True)

    def one_hot_missing(mismatch: Mismatch) -> str | None:
        if close(mismatch.learned, probs * mismatch.grad_output / n):
            return (
                "the −onehot(y) term is missing: subtract 1 at each sample's label, "
                "p − onehot(y), before scaling"
            )
        return None

    check_function(
        module,
        FunctionCheck(
            partial(cross_entropy, CROSS_ENTROPY_LABELS.copy()),
            partial(F.cross_entropy, target=Tensor(CROSS_ENTROPY_LABELS)),
            {"logits": logits},
            f"logits (4, 3) and labels {CROSS_ENTROPY_LABELS.tolist()}",
            factors=[
                Factor(
                    n,
                    too_large=f"the softmax gradient is missing the 1/N: the loss is the "
                    f"mean over the N = {n} samples, so each sample's gradient p − onehot(y) "
                    f"is divided by N",
                    too_small="it was divided by N twice",
                )
            ],
            diagnoses=[one_hot_missing],
        ),
    )


EXERCISE = Exercise(
    "softmax_cross_entropy",
    "backward of softmax cross-entropy",
    (
        "work on one sample first: −log p_y = −x_y + log Σₖ eˣᵏ. Differentiate it with "
        "respect to x_c, once for c = y and once for c ≠ y; then the mean over the N "
        "samples, then g",
        "∂(−log p_{n,yₙ})/∂x_nc = p_nc − [c = yₙ], where [c = yₙ] is 1 at the label "
        "and 0 elsewhere",
        "dL/dx = (p − onehot(y)) · g / N; in code: copy self.probs, subtract 1 at "
        "[xp.arange(N), self.labels], multiply by grad_output / N",
    ),
    ("p_nc − [c = yₙ]", "p − onehot(y)"),
    check,
)
