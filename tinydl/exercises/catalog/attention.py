"""Exercise 21, attention: backward of scaled dot-product attention, softmax(Q Kᵀ/√d) V.

The hints and the check of the stub ``stubs/attention.py``."""

from __future__ import annotations

import math
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
from tinydl.exercises.diagnosis import Factor
from tinydl.exercises.exercise import Exercise


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


class _SoftmaxSlopeOfInput(Function):
    """Softmax over the last axis whose backward is right but written with its input (the
    scores) where its output p belongs: the input-instead-of-output mistake."""

    def forward(self, x: Any) -> Any:
        xp = backend.array_module(x)
        self.x = x
        e = xp.exp(x - x.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)

    def backward(self, grad_output: Any) -> Any:
        return self.x * (grad_output - (grad_output * self.x).sum(axis=-1, keepdims=True))


def _attention(
    q: Tensor, k: Tensor, v: Tensor, softmax: Callable[[Tensor], Tensor] = tinydl.softmax
) -> Tensor:
    """softmax(Q Kᵀ/√d) V, the softmax over each row."""
    return softmax(q @ k.T * (1 / math.sqrt(q.shape[1]))) @ v


ATTENTION_SHAPES = {"Q": (3, 4), "K": (5, 4), "V": (5, 2)}


def check(module: ModuleType) -> None:
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
                ),
                mistaken(
                    partial(_attention, softmax=lambda t: _SoftmaxSlopeOfInput()(t)),
                    inputs,
                    "input instead of output: the softmax's backward was written with the "
                    "scores A = Q Kᵀ/√d, its input, where the probabilities P, its output "
                    "(self.p), belong",
                ),
            ],
        ),
    )


EXERCISE = Exercise(
    "attention",
    "backward of scaled dot-product attention, softmax(Q Kᵀ/√d) V",
    (
        "three steps back: Y = P V is a matrix product (as in matmul); P = softmax(A) "
        "row by row, and every p of a row depends on every score of that row; "
        "A = Q Kᵀ · (1/√d) is a matrix product again, scaled",
        "∂P[t, s]/∂A[t, r] = P[t, s]·([s = r] − P[t, r]), so dA[t, r] = P[t, r]·"
        "(dP[t, r] − Σₛ dP[t, s]·P[t, s])",
        "dV = Pᵀ @ G, dP = G @ Vᵀ, dA = P ⊙ (dP − rowsum(dP ⊙ P)), "
        "dQ = dA @ K / √d, dK = dAᵀ @ Q / √d; in code: grad_p = grad_output @ "
        "self.v.T, grad_a = self.p * (grad_p - (grad_p * self.p).sum(axis=1, "
        "keepdims=True))",
    ),
    (
        "Pᵀ @ G",
        "G @ Vᵀ",
        "dP − rowsum(dP ⊙ P)",
        "[s = r] − P[t, r]",
        "grad_p - (grad_p * self.p).sum(axis=1, keepdims=True)",
    ),
    check,
)
