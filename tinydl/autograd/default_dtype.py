"""The floating-point dtype that new float tensors and new parameters get: float32 unless
:func:`set_default_dtype` says otherwise (PyTorch's ``torch.set_default_dtype``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from tinydl import check

_default = check.FLOAT_DTYPES[0]


def get_default_dtype() -> np.dtype:
    """The dtype of float data given to ``tensor()`` without a dtype, and of new parameters."""
    return _default


def set_default_dtype(dtype: Any) -> None:
    """Make float32 (the default) or float64 the dtype of new float tensors and parameters.

    Already created tensors and models keep theirs (convert a model with ``model.double()``).
    Gradient checks want float64; training wants float32, about twice as fast.
    """
    global _default
    _default = check.float_dtype("set_default_dtype()", "dtype", dtype)
