"""Exercise 14, batch_norm: backward of batch normalisation (training mode).

The hints and the check of the stub ``stubs/batch_norm.py``."""

from __future__ import annotations

from functools import partial
from types import ModuleType

import numpy as np

import tinydl.nn.functional as F
from tinydl.autograd import Tensor
from tinydl.exercises.checker import FunctionCheck, check_function, learner_attribute, random_arrays
from tinydl.exercises.diagnosis import Factor, Mismatch, close
from tinydl.exercises.exercise import Exercise

BATCH_NORM_EPS = 1e-5


def _reference_batch_norm(x: Tensor, gamma: Tensor, beta: Tensor) -> Tensor:
    return F.batch_norm(x, None, None, gamma, beta, training=True, eps=BATCH_NORM_EPS)


def check(module: ModuleType) -> None:
    x, gamma, beta = random_arrays(7, (6, 3), (3,), (3,))
    batch_norm = learner_attribute(module, "BatchNorm")
    inv_std = 1 / np.sqrt(x.var(axis=0) + BATCH_NORM_EPS)
    x_hat = (x - x.mean(axis=0)) * inv_std

    def paths_missing(mismatch: Mismatch) -> str | None:
        if mismatch.what != "dL/dx":
            return None
        g = mismatch.grad_output
        through_mean, through_std = g.mean(axis=0), x_hat * (g * x_hat).mean(axis=0)
        candidates = [
            (
                g,
                "μ and σ treated as constants: your dL/dx is what the direct path from x to x̂ "
                "alone gives, but x also changes the output through the batch mean μ and "
                "standard deviation σ, which every sample of its column moves",
            ),
            (
                g - through_mean,
                "the path through σ is missing: your dL/dx has the direct path and the one "
                "through the batch mean μ, but not the one through the standard deviation σ",
            ),
            (
                g - through_std,
                "the path through μ is missing: your dL/dx has the direct path and the one "
                "through the standard deviation σ, but not the one through the batch mean μ",
            ),
        ]
        for bracket, cause in candidates:
            if close(mismatch.learned, gamma * inv_std * bracket):
                return cause
        return None

    check_function(
        module,
        FunctionCheck(
            partial(batch_norm, BATCH_NORM_EPS),
            _reference_batch_norm,
            {"x": x, "gamma": gamma, "beta": beta},
            "x (6, 3), gamma (3,), beta (3,)",
            factors=[
                Factor(
                    len(x),
                    too_large="a sum over the batch was used where the formula "
                    "has a mean (or the other way round)",
                    too_small="a mean over the batch was used where the formula has a sum",
                )
            ],
            diagnoses=[paths_missing],
        ),
    )


EXERCISE = Exercise(
    "batch_norm",
    "backward of batch normalisation (training mode)",
    (
        "β and γ are the easy ones: each is used once per sample. x̂ₙ depends on xₙ "
        "directly, and also through μ and σ̂, which every sample of the column moves: "
        "three paths. Compute dμ/dxₙ and dσ̂/dxₙ first",
        "per column: dμ/dxₙ = 1/N, dσ̂/dxₙ = x̂ₙ/N, so ∂x̂ₘ/∂xₙ = ([m = n] − 1/N − "
        "x̂ₘ·x̂ₙ/N)/σ̂; and ∂L/∂x̂ = γ·g",
        "dβ = Σₙ g, dγ = Σₙ g·x̂, dx = γ/σ̂ · (g − mean(g) − x̂·mean(g·x̂)), sums and "
        "means over axis 0; in code with n = len(g): grad_x = self.gamma * "
        "self.inv_std * (g - grad_beta / n - self.x_hat * (grad_gamma / n))",
    ),
    (
        "g − mean(g) − x̂·mean(g·x̂)",
        "[m = n] − 1/N − x̂ₘ·x̂ₙ/N",
        "g - grad_beta / n - self.x_hat * (grad_gamma / n)",
    ),
    check,
)
