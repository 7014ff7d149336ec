"""Keras's activation names and the tinydl layer each becomes.

A softmax or sigmoid at the end of a Keras model is normally followed by a cross-entropy
that takes probabilities. Keras keeps the activation's input (the logits) on its output
so that the loss can start from the logits instead, exactly; the two layers here do the
same: they are tinydl's ``nn.Softmax`` and ``nn.Sigmoid``, and they leave their input on
the output (a note beside it: see :mod:`tinydl.keras._notes`), which
:mod:`tinydl.keras.losses` reads.
"""

from __future__ import annotations

from typing import Any

from tinydl import nn
from tinydl.autograd import Tensor
from tinydl.keras import _notes as notes
from tinydl.keras._args import choose


class Softmax(nn.Softmax):
    """``nn.Softmax`` that keeps its input, the logits, on its output."""

    def forward(self, x: Tensor) -> Tensor:
        probabilities = super().forward(x)
        keep_logits(probabilities, x, "softmax", self.axis)
        return probabilities


class Sigmoid(nn.Sigmoid):
    """``nn.Sigmoid`` that keeps its input, the logits, on its output."""

    def forward(self, x: Tensor) -> Tensor:
        probabilities = super().forward(x)
        keep_logits(probabilities, x, "sigmoid", None)
        return probabilities


def keep_logits(output: Tensor, logits: Tensor, activation: str, axis: int | None) -> None:
    """Record on ``output`` that it is ``activation(logits)`` (along ``axis``)."""
    notes.write(output, logits=logits, activation=(activation, axis))


def logits_of(output: Tensor, activation: str) -> Tensor | None:
    """The logits ``output`` was made from by ``activation`` over its last axis, if it was."""
    made_by = notes.read(output, "activation")
    if made_by is None or made_by[0] != activation or made_by[1] not in (None, -1, output.ndim - 1):
        return None
    return notes.read(output, "logits")


def activation_of(output: Tensor) -> str | None:
    """The activation ("softmax", "sigmoid") that made ``output``, if one did."""
    made_by = notes.read(output, "activation")
    return None if made_by is None else made_by[0]


# Keras's activation names and the tinydl layer each becomes (None: no layer).
ACTIVATIONS: dict[str, type[nn.Module] | None] = {
    "linear": None, "relu": nn.ReLU, "sigmoid": Sigmoid, "softmax": Softmax, "tanh": nn.Tanh,
}


def activation_modules(where: str, activation: Any, channels_first: bool) -> list[nn.Module]:
    """The tinydl layer for a Keras activation name (none for None or "linear")."""
    if activation is None:
        return []
    kind = ACTIVATIONS[choose(where, "activation", activation, ACTIVATIONS)]
    if kind is None:
        return []
    if kind is Softmax:  # Keras's softmax runs over the last (channel) axis
        return [Softmax(axis=1 if channels_first else -1)]
    return [kind()]
