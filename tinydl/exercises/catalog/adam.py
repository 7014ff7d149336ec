"""Exercise 18, adam: one step of Adam.

The hints and the check of the stub ``stubs/adam.py``."""

from __future__ import annotations

from functools import partial
from types import ModuleType

import tinydl
from tinydl.exercises.checker import OptimizerCheck, check_optimizer, learner_attribute
from tinydl.exercises.diagnosis import Factor
from tinydl.exercises.exercise import Exercise

ADAM_LR, ADAM_BETAS, ADAM_EPS = 0.01, (0.9, 0.999), 1e-10  # a tiny eps keeps the step ratios exact


def check(module: ModuleType) -> None:
    adam = learner_attribute(module, "Adam")
    beta1, beta2 = ADAM_BETAS
    check_optimizer(
        module,
        OptimizerCheck(
            learner=partial(adam, lr=ADAM_LR, betas=ADAM_BETAS, eps=ADAM_EPS),
            reference=partial(tinydl.optim.Adam, lr=ADAM_LR, betas=ADAM_BETAS, eps=ADAM_EPS),
            later_steps="m and v are kept in state and updated as the stub's docstring says, "
            "and the step count t is kept in state and increased by 1 every step (the bias "
            "correction depends on it)",
            factors=[
                Factor(
                    (1 - beta1) / (1 - beta2) ** 0.5,
                    too_large="the bias correction is missing: m and v start from zero, so "
                    "early on they are far smaller than the averages they estimate, m by more "
                    "than √v; your step is that ratio too large",
                    too_small="the bias correction is applied the wrong way round",
                ),
                Factor(
                    1 / (1 - beta1),
                    too_large="m's bias correction was applied twice",
                    too_small="m's bias correction is missing (v's is there)",
                ),
                Factor(
                    1 / (1 - beta2) ** 0.5,
                    too_large="v's bias correction is missing (m's is there)",
                    too_small="v's bias correction was applied twice",
                ),
            ],
        ),
    )


EXERCISE = Exercise(
    "adam",
    "one step of Adam",
    (
        "unroll m for a gradient g that never changes: m₁ = (1 − β₁)·g, m₂ = "
        "β₁·(1 − β₁)·g + (1 − β₁)·g, ... What is m_t? Dividing by that factor gives "
        "m̂ = g",
        "m_t = (1 − β₁)·(1 + β₁ + ... + β₁ᵗ⁻¹)·g = (1 − β₁ᵗ)·g, and likewise "
        "v_t = (1 − β₂ᵗ)·g²",
        "m̂ = m / (1 − β₁ᵗ) and v̂ = v / (1 − β₂ᵗ); in code: keep m, v and the step t "
        "in state, m_hat = m / (1 - beta1**t), v_hat = v / (1 - beta2**t), "
        "param -= self.lr * m_hat / (xp.sqrt(v_hat) + self.eps)",
    ),
    ("m / (1 − β₁ᵗ)", "1 - beta1**t", "(1 − β₁ᵗ)·g"),
    check,
)
