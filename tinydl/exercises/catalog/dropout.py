"""Exercise 13, dropout: forward and backward of inverted dropout.

The hints and the check of the stub ``stubs/dropout.py``."""

from __future__ import annotations

from functools import partial
from types import ModuleType

import tinydl
import tinydl.nn.functional as F
from tinydl.autograd import Tensor
from tinydl.exercises.checker import FunctionCheck, check_function, learner_attribute, random_arrays
from tinydl.exercises.diagnosis import Factor, Mismatch, close
from tinydl.exercises.exercise import Exercise

DROPOUT_P, DROPOUT_SEED = 0.3, 5


def _reference_dropout(x: Tensor) -> Tensor:
    """tinydl's dropout draws the same mask as the stub's keep_mask after manual_seed(seed)."""
    tinydl.manual_seed(DROPOUT_SEED)
    return F.dropout(x, DROPOUT_P)


def check(module: ModuleType) -> None:
    (x,) = random_arrays(6, (4, 5))
    dropout = learner_attribute(module, "Dropout")

    def mask_missing(mismatch: Mismatch) -> str | None:
        if close(mismatch.learned, mismatch.grad_output):
            dropped = int((mismatch.expected == 0).sum())
            return (
                f"the mask is missing: your dL/dx is grad_output itself everywhere, also at "
                f"the {dropped} units forward dropped, whose output is 0 whatever x is"
            )
        return None

    check_function(
        module,
        FunctionCheck(
            partial(dropout, DROPOUT_P, DROPOUT_SEED),
            _reference_dropout,
            {"x": x},
            f"x (4, 5), p = {DROPOUT_P}, seed = {DROPOUT_SEED}",
            factors=[
                Factor(
                    1 / (1 - DROPOUT_P),
                    too_large="the 1/(1 − p) scaling was applied twice",
                    too_small="the 1/(1 − p) scaling is missing: forward scales the kept "
                    "units up, and backward does not",
                )
            ],
            diagnoses=[mask_missing],
        ),
    )


EXERCISE = Exercise(
    "dropout",
    "forward and backward of inverted dropout",
    (
        "once drawn, the mask is a constant: each yᵢ is xᵢ times a fixed number. What "
        "is the derivative of c·x?",
        "∂yᵢ/∂xᵢ = mᵢ/(1 − p): 0 for a dropped unit, 1/(1 − p) for a kept one",
        "dL/dx = g · m / (1 − p); in code: keep the scaled mask from forward "
        "(self.scaled_mask = keep.astype(x.dtype) / (1 - self.p)) and return "
        "grad_output * self.scaled_mask",
    ),
    ("g · m / (1 − p)", "grad_output * self.scaled_mask"),
    check,
)
