"""PyTorch's dtype names, as NumPy dtypes: ``tinydl.float32``, ``tinydl.long`` and so on,
so that ``torch.full(size, 1.0, dtype=torch.float)`` reads the same with tinydl. Any
argument that takes a dtype also takes a name ("float32") or a NumPy type.

Some names are Python builtins (``float``, ``int``, ``bool``): they are shadowed only as
attributes of this module and of ``tinydl``, never in user code.
"""

import numpy as np

float16 = half = np.dtype(np.float16)
float32 = float = np.dtype(np.float32)  # noqa: A001  (PyTorch's torch.float)
float64 = double = np.dtype(np.float64)
uint8 = np.dtype(np.uint8)
int8 = np.dtype(np.int8)
int16 = short = np.dtype(np.int16)
int32 = int = np.dtype(np.int32)  # noqa: A001  (PyTorch's torch.int)
int64 = long = np.dtype(np.int64)
bool = np.dtype(np.bool_)  # noqa: A001  (PyTorch's torch.bool)

__all__ = [
    "bool", "double", "float", "float16", "float32", "float64", "half", "int", "int8", "int16",
    "int32", "int64", "long", "short", "uint8",
]
