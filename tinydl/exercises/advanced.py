"""The checks of the later chapters' exercises: layer normalisation, an LSTM step and
scaled dot-product attention.

Each reference is the same computation written with tinydl's elementary ops (matmul,
sigmoid, softmax, mean, ...), so the engine's own backward walk gives the right gradients
without a hand-written backward to trust. A typical mistake is recognised the same way: the
computation is written again with that mistake built in (a statistic detached, a softmax
whose backward keeps only the diagonal, ...) and the learner's gradient is compared with
the mistaken one.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import partial
from types import ModuleType
from typing import Any

import numpy as np

import tinydl
from tinydl import backend
from tinydl.autograd import Function, Tensor
from tinydl.exercises.checker import (
    FunctionCheck,
    check_function,
    learner_attribute,
    random_arrays,
    reference_grads,
)
from tinydl.exercises.diagnosis import Diagnose, Factor, Mismatch, close


def mistaken(
    reference: Callable[..., Tensor], inputs: dict[str, np.ndarray], cause: str
) -> Diagnose:
    """Recognise the mistake built into ``reference``: the learner's gradient equals the
    gradient that ``reference`` gives for the same inputs and grad_output."""
    names = list(inputs)

    def diagnose(mismatch: Mismatch) -> str | None:
        grads = reference_grads(reference, list(inputs.values()), mismatch.grad_output)
        position = names.index(mismatch.what.removeprefix("dL/d"))
        return cause if close(mismatch.learned, grads[position]) else None

    return diagnose


class _TanhWithSigmoidSlope(Function):
    """tanh forward, but the sigmoid's slope y(1 − y) backward: the mistake it stands for."""

    def forward(self, x: Any) -> Any:
        self.y = backend.array_module(x).tanh(x)
        return self.y

    def backward(self, grad_output: Any) -> Any:
        return grad_output * self.y * (1 - self.y)


class _SoftmaxDiagonalOnly(Function):
    """Softmax over the last axis whose backward keeps only the Jacobian's diagonal p(1 − p):
    the mistake of treating softmax as an element-wise function."""

    def forward(self, x: Any) -> Any:
        xp = backend.array_module(x)
        e = xp.exp(x - x.max(axis=-1, keepdims=True))
        self.p = e / e.sum(axis=-1, keepdims=True)
        return self.p

    def backward(self, grad_output: Any) -> Any:
        return grad_output * self.p * (1 - self.p)


# ---- layer normalisation ----------------------------------------------------------------------

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


def check_layer_norm(module: ModuleType) -> None:
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
                "γ taken out of the row means: γ varies along the normalised axis, so the "
                "gradient reaching x̂ is γ·g, and the means must be taken of γ·g (batch "
                "norm's formula can take γ out only because γ is constant down a column)"
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


# ---- an LSTM step -----------------------------------------------------------------------------


def _lstm_step(
    x: Tensor,
    h: Tensor,
    c: Tensor,
    w_ih: Tensor,
    w_hh: Tensor,
    b: Tensor,
    g_activation: Callable[[Tensor], Tensor] = tinydl.tanh,
    c_to_h: Callable[[Tensor], Tensor] = lambda c: c,
) -> Tensor:
    """One LSTM step, gates in PyTorch's order i, f, g, o, returning h and c stacked.
    ``g_activation`` and ``c_to_h`` let a mistake be built in."""
    hidden = h.shape[1]
    a = x @ w_ih.T + h @ w_hh.T + b
    i, f = a[:, :hidden].sigmoid(), a[:, hidden : 2 * hidden].sigmoid()
    g, o = g_activation(a[:, 2 * hidden : 3 * hidden]), a[:, 3 * hidden :].sigmoid()
    c_next = f * c + i * g
    h_next = o * c_to_h(c_next).tanh()
    return tinydl.stack([h_next, c_next])


LSTM_SHAPES = {"x": (2, 3), "h_prev": (2, 4), "c_prev": (2, 4), "w_ih": (16, 3), "w_hh": (16, 4)}


def check_lstm_step(module: ModuleType) -> None:
    arrays = random_arrays(10, *LSTM_SHAPES.values(), (16,))
    inputs = dict(zip([*LSTM_SHAPES, "b"], arrays, strict=True))
    lstm_step = learner_attribute(module, "LSTMStep")
    check_function(
        module,
        FunctionCheck(
            lstm_step,
            _lstm_step,
            inputs,
            "x (2, 3), h_prev (2, 4), c_prev (2, 4), w_ih (16, 3), w_hh (16, 4), b (16,)",
            diagnoses=[
                mistaken(
                    partial(_lstm_step, c_to_h=Tensor.detach),
                    inputs,
                    "the path from c through h is missing: the new c reaches the loss directly "
                    "(hc[1]) and through h = o·tanh(c), so the gradient of c is grad_output[1] "
                    "plus what arrives through h",
                ),
                mistaken(
                    partial(_lstm_step, g_activation=lambda t: _TanhWithSigmoidSlope()(t)),
                    inputs,
                    "the g gate's slope is the sigmoid's: g (the third block of gates) is a "
                    "tanh, so its slope is tanh's, written with g, not σ's",
                ),
            ],
        ),
    )


# ---- scaled dot-product attention -------------------------------------------------------------


def _attention(
    q: Tensor, k: Tensor, v: Tensor, softmax: Callable[[Tensor], Tensor] = tinydl.softmax
) -> Tensor:
    """softmax(Q Kᵀ/√d) V, the softmax over each row."""
    return softmax(q @ k.T * (1 / math.sqrt(q.shape[1]))) @ v


ATTENTION_SHAPES = {"Q": (3, 4), "K": (5, 4), "V": (5, 2)}


def check_attention(module: ModuleType) -> None:
    inputs = dict(zip(ATTENTION_SHAPES, random_arrays(11, *ATTENTION_SHAPES.values()), strict=True))
    attention = learner_attribute(module, "Attention")
    root_d = math.sqrt(ATTENTION_SHAPES["Q"][1])
    check_function(
        module,
        FunctionCheck(
            attention,
            _attention,
            inputs,
            "Q (3, 4), K (5, 4), V (5, 2)",
            factors=[
                Factor(
                    root_d,
                    too_large="the 1/√d scale is missing: forward multiplied the scores by "
                    "1/√d, so their gradient reaches Q and K multiplied by it too",
                    too_small="the 1/√d scale was applied twice",
                )
            ],
            diagnoses=[
                mistaken(
                    partial(_attention, softmax=lambda t: _SoftmaxDiagonalOnly()(t)),
                    inputs,
                    "softmax treated as element-wise: each p[t, s] depends on every score of "
                    "row t (they share one normaliser), so its Jacobian is not diagonal and "
                    "each score's gradient collects a term from every p of its row",
                )
            ],
        ),
    )
