"""Exercise 11, softmax_cross_entropy: backward of softmax cross-entropy.

The hints and the check of the stub ``stubs/softmax_cross_entropy.py``."""

from __future__ import annotations

from functools import partial
from types import ModuleType

import numpy as np

import tinydl.nn.functional as F
from tinydl.autograd import Tensor
from tinydl.exercises.checker import FunctionCheck, check_function, learner_attribute, random_arrays
from tinydl.exercises.diagnosis import Factor, Mismatch, close, wrong_only_where
from tinydl.exercises.exercise import Exercise

CROSS_ENTROPY_LABELS = np.array([0, 2, 1, 2])  # 4 samples of 3 classes


def check(module: ModuleType) -> None:
    (logits,) = random_arrays(4, (4, 3))
    n = len(CROSS_ENTROPY_LABELS)
    cross_entropy = learner_attribute(module, "SoftmaxCrossEntropy")
    exp = np.exp(logits - logits.max(axis=1, keepdims=True))
    probs = exp / exp.sum(axis=1, keepdims=True)

    at_labels = np.zeros(logits.shape, dtype=bool)
    at_labels[np.arange(n), CROSS_ENTROPY_LABELS] = True

    def one_hot_missing(mismatch: Mismatch) -> str | None:
        if wrong_only_where(at_labels, mismatch):
            return (
                "only the entries at the labels are wrong (one per row, the others are "
                "right): the logit x_y appears in −log p_y twice, once inside the softmax's "
                "sum and once on its own, and the second term's derivative is missing"
            )
        return None

    def slips(mismatch: Mismatch) -> str | None:
        """The gradient with respect to the wrong thing: the logits or log-probabilities used
        where the probabilities belong, or −log p differentiated by p and not by the logits."""
        g, one_hot = mismatch.grad_output, at_labels.astype(float)
        wrong = {
            "input instead of output: your gradient is the right expression with the logits "
            "x (forward's input) where the probabilities p (its output, self.probs) belong": (
                logits - one_hot
            ),
            "log-probabilities instead of probabilities: your gradient is the right "
            "expression with log p where p itself belongs": np.log(probs) - one_hot,
            "the softmax left out: your gradient is dL/dp, with respect to the probabilities, "
            "but the logits reach the loss through the softmax, and every p of a row depends "
            "on every logit of that row": -one_hot / probs,
        }
        for cause, gradient in wrong.items():
            if close(mismatch.learned, gradient * g / n):
                return cause
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
                    too_large=f"the 1/N of the mean over the N = {n} samples is missing",
                    too_small="it was divided by N twice",
                )
            ],
            diagnoses=[slips, one_hot_missing],
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
