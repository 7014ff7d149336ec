"""Spotting probabilities handed to a loss that wants logits: the "double softmax".

A model ending in Softmax followed by ``cross_entropy`` (which applies its own softmax)
still trains, only worse, and no error ever says why. Two cheap checks catch it: the
logits' creator is a Softmax (an ``isinstance``, free on every call), or, for the first
few calls only (outside a graph the creator is unknown), every row lies in [0, 1] and sums
to 1, which real scores practically never do.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

from tinydl.autograd.tensor import Tensor
from tinydl.errors import ProbabilitiesAsLogitsWarning
from tinydl.ops.activations import Softmax

VALUE_CHECKS = 3  # the first calls whose values are examined (one GPU sync each)
_value_checks_left = VALUE_CHECKS
_PACKAGE = str(Path(__file__).resolve().parent.parent)


def looks_like_probabilities(x: Tensor) -> bool:
    """True when ``x`` (N, C) came out of a Softmax, or (first calls) its rows look like one's."""
    global _value_checks_left
    if isinstance(x.creator, Softmax):
        return True
    if _value_checks_left <= 0 or x.shape[0] == 0 or x.shape[1] < 2:
        return False
    _value_checks_left -= 1
    values = x.data
    in_unit_interval = ((values >= 0) & (values <= 1)).all()
    return bool(in_unit_interval) and bool((abs(values.sum(axis=1) - 1) < 1e-3).all())


def warn_if_probabilities(logits: Tensor, loss: str) -> None:
    """Warn (once per calling line, by Python's warning rules) if ``logits`` are probabilities."""
    if looks_like_probabilities(logits):
        warnings.warn(
            f"{loss}() got probabilities (rows in [0, 1] summing to 1, e.g. a Softmax output) "
            f"where it expects logits: it applies softmax itself, so the softmax runs twice and "
            f"the loss is wrong. Remove the final Softmax layer from the model (keep it only for "
            f"predictions), or use log_softmax with nll_loss",
            ProbabilitiesAsLogitsWarning,
            stacklevel=_user_stacklevel(),
        )


def _user_stacklevel() -> int:
    """The stacklevel of the first frame outside tinydl, so the warning names the user's line."""
    frame, level = sys._getframe(1), 1
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE):
        frame, level = frame.f_back, level + 1
    return level
