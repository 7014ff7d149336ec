"""Exercise 20, lstm_step: backward of one LSTM step (PyTorch's gate order i, f, g, o).

The hints and the check of the stub ``stubs/lstm_step.py``."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from types import ModuleType
from typing import Any

import tinydl
from tinydl import backend
from tinydl.autograd import Function, Tensor
from tinydl.exercises.checker import (
    FunctionCheck,
    check_function,
    learner_attribute,
    mistaken,
    random_arrays,
)
from tinydl.exercises.exercise import Exercise


class _TanhWithSigmoidSlope(Function):
    """tanh forward, but the sigmoid's slope y(1 − y) backward: the mistake it stands for."""

    def forward(self, x: Any) -> Any:
        self.y = backend.array_module(x).tanh(x)
        return self.y

    def backward(self, grad_output: Any) -> Any:
        return grad_output * self.y * (1 - self.y)


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


def check(module: ModuleType) -> None:
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
                    "the path from c through h is missing: your gradients are what they would be "
                    "if the new c reached the loss only directly (hc[1]), but it also reaches it "
                    "through h = o·tanh(c)",
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


EXERCISE = Exercise(
    "lstm_step",
    "backward of one LSTM step (PyTorch's gate order i, f, g, o)",
    (
        "go backwards through the step: h = o·tanh(c), then c = f·c_prev + i·g, then "
        "the four gates, then the one product a = x W_ihᵀ + h_prev W_hhᵀ + b. The new "
        "c reaches the loss twice: directly (hc[1]) and through h",
        "dc = g_c + g_h·o·(1 − tanh²c) (g_h, g_c: the two halves of grad_output); "
        "then di = dc·g, df = dc·c_prev, dg = dc·i, do = g_h·tanh(c); through the "
        "gates' own slopes: σ' = s·(1 − s) for i, f, o and tanh' = 1 − g² for g",
        "da = [di·i(1 − i) | df·f(1 − f) | dg·(1 − g²) | do·o(1 − o)] (N, 4H); "
        "dx = da @ W_ih, dh_prev = da @ W_hh, dc_prev = dc·f, dW_ih = daᵀ @ x, "
        "dW_hh = daᵀ @ h_prev, db = Σₙ da; in code: dc = grad_output[1] + "
        "grad_output[0] * self.o * (1 - self.tanh_c**2), xp.concatenate([...], axis=1)",
    ),
    ("o·(1 − tanh²c)", "daᵀ @ x", "da @ W_ih", "dc·f"),
    check,
)
