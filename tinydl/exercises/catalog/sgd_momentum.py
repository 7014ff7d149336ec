"""Exercise 17, sgd_momentum: one step of SGD with momentum.

The hints and the check of the stub ``stubs/sgd_momentum.py``."""

from __future__ import annotations

from functools import partial
from types import ModuleType

import tinydl
from tinydl.exercises.checker import OptimizerCheck, check_optimizer, learner_attribute
from tinydl.exercises.diagnosis import Factor
from tinydl.exercises.exercise import Exercise

SGD_LR, SGD_MOMENTUM = 0.05, 0.9


def check(module: ModuleType) -> None:
    sgd = learner_attribute(module, "SGDMomentum")
    check_optimizer(
        module,
        OptimizerCheck(
            learner=partial(sgd, lr=SGD_LR, momentum=SGD_MOMENTUM),
            reference=partial(tinydl.optim.SGD, lr=SGD_LR, momentum=SGD_MOMENTUM),
            later_steps="the velocity must carry every earlier gradient, each older one "
            "weighed μ times less than the next newer one (the sum in the stub's docstring)",
            factors=[
                Factor(
                    1 / (1 - SGD_MOMENTUM),
                    too_large="the gradient was divided by 1 − μ",
                    too_small="the velocity was damped: in this rule (PyTorch's) a new gradient "
                    "enters the velocity at full size, not scaled by 1 − μ",
                ),
                Factor(
                    1 / SGD_LR,
                    too_large="the learning rate is missing",
                    too_small="the learning rate was applied twice",
                ),
            ],
        ),
    )


EXERCISE = Exercise(
    "sgd_momentum",
    "one step of SGD with momentum",
    (
        "compare b_t with b_{t−1} term by term: every old gradient's weight is "
        "multiplied by the same number, and one new term appears",
        "b_t = g_t + μ·(g_{t−1} + μ·g_{t−2} + ...), and the bracket is b_{t−1}",
        "b ← μ·b + g (b = g on the first step), then θ ← θ − lr·b, in place; in "
        "code: velocity *= self.momentum, velocity += grad, param -= self.lr * velocity",
    ),
    ("μ·b + g", "velocity *= self.momentum"),
    check,
)
