"""Exercise 12, hinge: backward of the multiclass hinge (SVM) loss.

The hints and the check of the stub ``stubs/hinge.py``."""

from __future__ import annotations

from functools import partial
from types import ModuleType

import numpy as np

import tinydl.nn.functional as F
from tinydl.autograd import Tensor
from tinydl.exercises.checker import FunctionCheck, check_function, learner_attribute, random_arrays
from tinydl.exercises.diagnosis import Factor, Mismatch, wrong_only_where
from tinydl.exercises.exercise import Exercise

HINGE_LABELS = np.array([1, 0, 3, 4])  # 4 samples of 5 classes


def hinge_scores() -> np.ndarray:
    """Scores (4, 5) whose margins s_j − s_y + 1 all lie well away from the kink at 0, so
    finite differences never straddle it (checked by a test)."""
    (scores,) = random_arrays(5, (4, 5))
    return scores


def check(module: ModuleType) -> None:
    scores = hinge_scores()
    n = len(HINGE_LABELS)
    hinge = learner_attribute(module, "MulticlassHinge")
    correct_class = np.zeros(scores.shape, dtype=bool)
    correct_class[np.arange(n), HINGE_LABELS] = True

    def correct_class_wrong(mismatch: Mismatch) -> str | None:
        if wrong_only_where(correct_class, mismatch):
            return (
                "only the correct-class entries are wrong (one per row, at the label; the "
                "other entries are right): the label's score s_yₙ appears in every term of "
                "its row's sum, so count how many of those terms are not zero"
            )
        return None

    check_function(
        module,
        FunctionCheck(
            partial(hinge, HINGE_LABELS.copy(), 1.0),
            partial(F.hinge_loss, target=Tensor(HINGE_LABELS), margin=1.0),
            {"scores": scores},
            f"scores (4, 5), labels {HINGE_LABELS.tolist()}, margin 1",
            factors=[
                Factor(
                    n,
                    too_large=f"the 1/N of the mean over the N = {n} samples is missing",
                    too_small="it was divided by N twice",
                )
            ],
            diagnoses=[correct_class_wrong],
        ),
    )


EXERCISE = Exercise(
    "hinge",
    "backward of the multiclass hinge (SVM) loss",
    (
        "a violating term s_nj − s_nyₙ + margin > 0 is linear in two scores, s_nj and "
        "s_nyₙ; a term that does not violate adds nothing. How many times does s_nyₙ "
        "appear in Lₙ?",
        "dLₙ/ds_nj = 1 if j violates, else 0 (for j ≠ yₙ); dLₙ/ds_nyₙ = −(the number "
        "of violating classes in row n); the mean multiplies all by 1/N",
        "dL/ds = (violating as 0.0/1.0, with −(its row's count of violators) at each "
        "label) · g / N; in code: grad = self.violating.astype(grad_output.dtype), "
        "grad[xp.arange(n), self.labels] = -grad.sum(axis=1), then grad * "
        "(grad_output / n)",
    ),
    ("dLₙ/ds_nyₙ = −(", "-grad.sum(axis=1)"),
    check,
)
