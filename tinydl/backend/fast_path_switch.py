"""The one switch for every fast path: plain versions (the default) or fast ones.

Every clever path in tinydl (Sequential's fused Conv2D → ReLU → MaxPool2D block, the
CPU's batch-last convolutions and pooling, Adam's chunked update, the fused LSTM step
and sequence, the fused attention Function) sits in its module right below its plain
twin, which has the plain name (``Conv2D``, ``im2col``, ``lstm_cell``, ``attention``,
``adam_step``); the fast one adds ``_fast`` (``Fast`` in a class name). This switch
decides which one runs. Both compute the same function; the tests hold them together.

Defaults, by who meets them:

- A program that imports tinydl runs the plain versions: what a learner traces, draws
  or steps into is what they declared (``Conv2d → ReLU → MaxPool2d`` is three ops).
- ``tinydl train`` and the scripts in ``benchmarks/`` turn the fast paths on (``tinydl
  train --readable`` keeps them off), and so does ``set_fast_paths(True)`` or
  ``with fast_paths(True):`` in a program.
- ``TINYDL_FAST_PATHS=1`` (or ``0``) in the environment sets the starting value for the
  whole process, ``tinydl train`` included; it is read once, when tinydl is imported.

A CUDA device keeps its kernels (``kernels/``) either way: each is the GPU's
implementation of an op, tested against the NumPy code, and changes nothing a learner
sees in a graph. The switch lives in the backend, the lowest layer, so that ``ops``,
``nn`` and ``optim`` all read it without importing upwards.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from tinydl import check

ENVIRONMENT_VARIABLE = "TINYDL_FAST_PATHS"
_ACCEPTED = {"0": False, "1": True}


def environment_choice() -> bool | None:
    """What ``TINYDL_FAST_PATHS`` asks for (True for 1, False for 0), or None when unset.
    Any other value is an error naming the variable and the values it accepts."""
    value = os.environ.get(ENVIRONMENT_VARIABLE)
    if value is None:
        return None
    if value.strip() not in _ACCEPTED:
        raise ValueError(
            f"{ENVIRONMENT_VARIABLE} must be 0 (plain versions) or 1 (fast paths), got {value!r}"
        )
    return _ACCEPTED[value.strip()]


_enabled = bool(environment_choice())  # read once, at import: plain unless it says 1


def fast_paths_enabled() -> bool:
    """Whether the fast paths run (the ops ask this when they run, not when they are made)."""
    return _enabled


def set_fast_paths(enabled: bool) -> None:
    """Run the fast paths from now on (True) or the plain versions (False)."""
    global _enabled
    _enabled = check.flag("set_fast_paths()", "enabled", enabled)


@contextmanager
def fast_paths(enabled: bool) -> Iterator[None]:
    """``with fast_paths(False):`` runs the block with the plain versions (or, with True,
    the fast ones) and then restores the switch as it was."""
    before = fast_paths_enabled()
    set_fast_paths(enabled)
    try:
        yield
    finally:
        set_fast_paths(before)
