"""Checks that read a tensor's values (every label a class, every probability in [0, 1],
every token id a row of the table), and when they run.

Reading values is free on the host, but on a GPU it waits for the device: Python cannot go
on before the answer has come back, so the queue of work the GPU was given runs dry, every
step. These checks therefore run on every call while the values are NumPy arrays, and on a
GPU (or the strict fake device, which stands in for one in the tests) on the first
:data:`FIRST_CALLS` calls of each check only: where a wrongly wired model shows itself, as
:mod:`tinydl.ops.logit_check` looks at its first calls' scores. Later mistakes on a GPU go
unchecked, as PyTorch's CUDA kernels only assert inside the device.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tinydl import backend

FIRST_CALLS = 3  # the calls of each check that read a GPU's values (one wait each)
_device_calls: dict[str, int] = {}  # check -> the calls on a GPU that read values so far


def due(check: str, values: Any) -> bool:
    """Whether the check named ``check`` reads ``values`` on this call: always on the host, on
    a GPU on its first :data:`FIRST_CALLS` calls only; never when there are none."""
    if isinstance(values, np.ndarray) or not values.size:
        return bool(values.size)
    calls = _device_calls.get(check, 0)
    _device_calls[check] = calls + 1
    return calls < FIRST_CALLS


def restart() -> None:
    """Let every check read a GPU's values again on its next calls (the tests start each one
    afresh with this)."""
    _device_calls.clear()


def refuse_outside(where: str, name: str, values: Any, low: float, high: float, meaning: str,
                   advice: str = "") -> None:
    """Refuse ``values`` (an array of numbers) holding one outside [``low``, ``high``] or NaN,
    on the calls :func:`due` picks: ``binary_cross_entropy(): target must be probabilities in
    [0, 1], got values from -1 to 2 and NaN`` and ``advice``."""
    if not due(f"{where} {name}", values) or bool(((values >= low) & (values <= high)).all()):
        return
    host = backend.to_numpy(values)
    numbers = host[~np.isnan(host)] if host.dtype.kind == "f" else host
    found = [f"values from {numbers.min():.4g} to {numbers.max():.4g}"] if numbers.size else []
    found += ["NaN"] if numbers.size < host.size else []
    raise ValueError(
        f"{where}: {name} must be {meaning} in [{low:g}, {high:g}], got {' and '.join(found)}"
        f"{advice}"
    )
