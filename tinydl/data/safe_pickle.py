"""Loading pickles that may only hold plain data and NumPy arrays.

A pickle is a small program: while loading, it may import and call any
function it names, which is how a malicious file runs code. CIFAR-10's python
batches are pickles (that is the standard format), so they are loaded with an
unpickler that resolves only the handful of names such data needs and refuses
every other one. The caller still validates the structure it got back.
"""

from __future__ import annotations

import codecs
import io
import pickle
from typing import Any

import numpy as np

# NumPy's array-unpickling helpers (for protocols up to 4, and 5), wherever they live.
_RECONSTRUCT = np.zeros(0).__reduce__()[0]
_FROMBUFFER = np.zeros(0).__reduce_ex__(5)[0]
_SCALAR = np.float64(0).__reduce__()[0]  # how a NumPy number (np.float64(0.5)) is pickled

# The only globals a pickle may name: how NumPy (1.x or 2.x) pickles an array or a number,
# and how Python 3 pickles bytes at protocol 2. None of them can run arbitrary code.
ALLOWED_GLOBALS = {
    ("numpy.core.multiarray", "_reconstruct"): _RECONSTRUCT,
    ("numpy._core.multiarray", "_reconstruct"): _RECONSTRUCT,
    ("numpy.core.numeric", "_frombuffer"): _FROMBUFFER,
    ("numpy._core.numeric", "_frombuffer"): _FROMBUFFER,
    ("numpy.core.multiarray", "scalar"): _SCALAR,
    ("numpy._core.multiarray", "scalar"): _SCALAR,
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): np.dtype,
    ("_codecs", "encode"): codecs.encode,
}


class _PlainDataUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        try:
            return ALLOWED_GLOBALS[module, name]
        except KeyError:
            raise pickle.UnpicklingError(
                f"refusing to load the global {module}.{name}: only plain data and NumPy "
                f"arrays are allowed"
            ) from None


def load_plain_pickle(blob: bytes) -> Any:
    """Unpickle ``blob`` (Python 2 strings become ``bytes``), refusing any code reference.

    Raises :class:`pickle.UnpicklingError` for a forbidden global; a corrupt
    pickle may raise other exceptions, which callers wrap with the file name.
    """
    return _PlainDataUnpickler(io.BytesIO(blob), encoding="bytes").load()
