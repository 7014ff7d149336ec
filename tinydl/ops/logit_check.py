"""Spotting a classification loss handed the wrong kind of scores.

Two mistakes train without any error and only worse, so nothing ever says why:

- probabilities where logits belong, the "double softmax": a model ending in Softmax
  followed by ``cross_entropy``, which applies its own softmax;
- scores that are not log-probabilities given to ``nll_loss``: a model without its final
  LogSoftmax (raw scores), or with Softmax in its place. ``nll_loss`` only picks
  −input[n, target[n]], so on raw scores it rewards making the target's score large,
  without bound: the loss goes negative and keeps falling.

Cheap checks catch both: the scores' creator (an ``isinstance``, free on every call), or,
for the first few calls only (outside a graph the creator is unknown), the rows' values:
probabilities lie in [0, 1] and sum to 1, log-probabilities are <= 0 and their exps sum
to 1, which real scores practically never do.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

from tinydl import backend
from tinydl.autograd.tensor import Tensor
from tinydl.errors import NotLogProbabilitiesWarning, ProbabilitiesAsLogitsWarning
from tinydl.ops.activations import LogSoftmax, Softmax

VALUE_CHECKS = 3  # the first calls whose values are examined (one GPU sync each)
_value_checks_left = VALUE_CHECKS
_PACKAGE = str(Path(__file__).resolve().parent.parent)


def _may_check_values(x: Tensor) -> bool:
    """Whether this call's values are examined: one of the first calls, and rows to look at."""
    global _value_checks_left
    if _value_checks_left <= 0 or x.shape[0] == 0 or x.shape[1] < 2:
        return False
    _value_checks_left -= 1
    return True


def looks_like_probabilities(x: Tensor) -> bool:
    """True when ``x`` (N, C) came out of a Softmax, or (first calls) its rows look like one's."""
    if isinstance(x.creator, Softmax):
        return True
    if not _may_check_values(x):
        return False
    values = x.array
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


def looks_like_log_probabilities(x: Tensor) -> bool:
    """True when ``x`` (N, C) came out of a LogSoftmax, or its rows look like one's (and
    beyond the first calls, when nothing is examined)."""
    if isinstance(x.creator, LogSoftmax) or not _may_check_values(x):
        return True
    xp = backend.array_module(x.array)
    values = x.array
    peak = values.max(axis=1, keepdims=True)
    log_total = xp.log(xp.exp(values - peak).sum(axis=1)) + peak[:, 0]  # log Σ exp, stably
    return bool((values <= 1e-6).all()) and bool((abs(log_total) < 1e-3).all())


def warn_unless_log_probabilities(input: Tensor, loss: str) -> None:  # noqa: A002
    """Warn (once per calling line) if ``input`` to ``loss`` is not log-probabilities."""
    if not looks_like_log_probabilities(input):
        warnings.warn(
            f"{loss}() got scores that are not log-probabilities (every value <= 0, each row's "
            f"exps summing to 1) where it expects the output of log_softmax: on raw scores it "
            f"rewards making the target's score ever larger, and the loss goes negative. End "
            f"the model with nn.LogSoftmax(dim=1) (or apply F.log_softmax(x, dim=1)), or use "
            f"cross_entropy, which takes raw scores",
            NotLogProbabilitiesWarning,
            stacklevel=_user_stacklevel(),
        )


def _user_stacklevel() -> int:
    """The stacklevel of the first frame outside tinydl, so the warning names the user's line."""
    frame, level = sys._getframe(1), 1
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE):
        frame, level = frame.f_back, level + 1
    return level
