"""The floating-point dtype that new float tensors and new parameters get: float32 unless
:func:`set_default_dtype` says otherwise (PyTorch's ``torch.set_default_dtype``)."""

from __future__ import annotations

from typing import Any

import numpy as np

FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))
_default = FLOAT_DTYPES[0]


def get_default_dtype() -> np.dtype:
    """The dtype of float data given to ``tensor()`` without a dtype, and of new parameters."""
    return _default


def set_default_dtype(dtype: Any) -> None:
    """Make float32 (the default) or float64 the dtype of new float tensors and parameters.

    Already created tensors and models keep theirs (convert a model with ``model.double()``).
    Gradient checks want float64; training wants float32, about twice as fast.
    """
    global _default
    try:  # (np.dtype(None) would be float64, and None == a dtype compares as that)
        chosen = None if dtype is None else np.dtype(dtype)
    except TypeError:
        chosen = None
    if chosen is None or chosen not in FLOAT_DTYPES:
        raise TypeError(
            f"set_default_dtype() takes float32 or float64 (a NumPy dtype or its name), "
            f"got {dtype!r}"
        )
    _default = chosen
