"""Exercise 19, layer_norm: backward of layer normalisation (each row over its features).

The hints and the check of the stub ``stubs/layer_norm.py``."""

from __future__ import annotations

from functools import partial
from types import ModuleType

import numpy as np

from tinydl.autograd import Tensor
from tinydl.exercises.checker import (
    FunctionCheck,
    check_function,
    learner_attribute,
    mistaken,
    random_arrays,
)
from tinydl.exercises.diagnosis import Mismatch, close
from tinydl.exercises.exercise import Exercise

LAYER_NORM_EPS = 1e-5


def _layer_norm(
    x: Tensor, gamma: Tensor, beta: Tensor, constant_statistics: bool = False
) -> Tensor:
    """Each row of x standardised over its last axis, then γ·x̂ + β. With
    ``constant_statistics`` the row mean and deviation are cut from the graph."""
    mean = x.mean(axis=-1, keepdims=True)
    centered = x - mean
    std = ((centered * centered).mean(axis=-1, keepdims=True) + LAYER_NORM_EPS).sqrt()
    if constant_statistics:
        mean, std = mean.detach(), std.detach()
    return (x - mean) / std * gamma + beta


def check(module: ModuleType) -> None:
    x, gamma, beta = random_arrays(9, (4, 5), (5,), (5,))
    inputs = {"x": x, "gamma": gamma, "beta": beta}
    layer_norm = learner_attribute(module, "LayerNorm")
    inv_std = 1 / np.sqrt(x.var(axis=-1, keepdims=True) + LAYER_NORM_EPS)
    x_hat = (x - x.mean(axis=-1, keepdims=True)) * inv_std

    def gamma_outside(mismatch: Mismatch) -> str | None:
        if mismatch.what != "dL/dx":
            return None
        g = mismatch.grad_output
        rows = partial(np.mean, axis=-1, keepdims=True)
        batch_norm_like = gamma * inv_std * (g - rows(g) - x_hat * rows(g * x_hat))
        if close(mismatch.learned, batch_norm_like):
            return (
                "γ taken out of the row means: your dL/dx is batch norm's formula turned "
                "sideways, with γ outside the means over the row. Batch norm may do that "
                "because γ is the same down a column; here γ varies along the row being "
                "averaged"
            )
        return None

    check_function(
        module,
        FunctionCheck(
            partial(layer_norm, LAYER_NORM_EPS),
            _layer_norm,
            inputs,
            "x (4, 5), gamma (5,), beta (5,)",
            diagnoses=[
                mistaken(
                    partial(_layer_norm, constant_statistics=True),
                    inputs,
                    "μ and σ treated as constants: x also changes the output through its row's "
                    "mean μ and deviation σ, which every element of the row moves",
                ),
                gamma_outside,
            ],
        ),
    )


EXERCISE = Exercise(
    "layer_norm",
    "backward of layer normalisation (each row over its features)",
    (
        "this is batch norm turned sideways: the statistics are per row, over the "
        "last axis, and every element of a row moves its row's μ and σ̂. But γ now "
        "varies along that axis: what is the gradient reaching x̂?",
        "per row, with ĝ = γ·g = ∂L/∂x̂: ∂x̂ₖ/∂xⱼ = ([k = j] − 1/D − x̂ₖ·x̂ⱼ/D)/σ̂, so "
        "dL/dxⱼ = (1/σ̂)·(ĝⱼ − mean(ĝ) − x̂ⱼ·mean(ĝ·x̂)) with means over the row",
        "dβ = Σₙ g and dγ = Σₙ g·x̂ (sums over the rows, axis 0); dx = (1/σ̂) · "
        "(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)) with ĝ = γ·g and means over axis -1 (keepdims); "
        "in code: g_hat = grad_output * self.gamma, then self.inv_std * (g_hat - "
        "g_hat.mean(axis=-1, keepdims=True) - self.x_hat * (g_hat * "
        "self.x_hat).mean(axis=-1, keepdims=True))",
    ),
    (
        "ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)",
        "[k = j] − 1/D − x̂ₖ·x̂ⱼ/D",
        "g_hat - g_hat.mean(axis=-1, keepdims=True)",
    ),
    check,
)
