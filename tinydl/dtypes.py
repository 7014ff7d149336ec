"""PyTorch's dtype names, as NumPy dtypes: ``tinydl.float32``, ``tinydl.long`` and so on,
so that ``torch.full(size, 1.0, dtype=torch.float)`` reads the same with tinydl. Any
argument that takes a dtype also takes a name ("float32") or a NumPy type.

Every dtype name a PyTorch program may write exists, because programs name them in tables
they build on every run (nanoGPT's ``{'float32': torch.float32, 'bfloat16':
torch.bfloat16, 'float16': torch.float16}``). Those NumPy has no type for (``bfloat16``,
``complex32``, the 8-bit floats, the quantised and the sub-byte integers) are
:class:`UnsupportedDtype` markers: they can be compared, printed and handed to
``tinydl.amp.autocast`` (which never changes precision), and making or casting a tensor
with one raises a TypeError that says what to use instead.

Some names are Python builtins (``float``, ``int``, ``bool``): they are shadowed only as
attributes of this module and of ``tinydl``, never in user code.
"""

import numpy as np

float16 = half = np.dtype(np.float16)
float32 = float = np.dtype(np.float32)  # noqa: A001  (PyTorch's torch.float)
float64 = double = np.dtype(np.float64)
complex64 = cfloat = np.dtype(np.complex64)
complex128 = cdouble = np.dtype(np.complex128)
uint8 = np.dtype(np.uint8)
uint16 = np.dtype(np.uint16)
uint32 = np.dtype(np.uint32)
uint64 = np.dtype(np.uint64)
int8 = np.dtype(np.int8)
int16 = short = np.dtype(np.int16)
int32 = int = np.dtype(np.int32)  # noqa: A001  (PyTorch's torch.int)
int64 = long = np.dtype(np.int64)
bool = np.dtype(np.bool_)  # noqa: A001  (PyTorch's torch.bool)


class UnsupportedDtype:
    """A PyTorch dtype that NumPy, and so tinydl, cannot hold: a name, never a tensor's type."""

    __slots__ = ("name", "instead")

    def __init__(self, name: str, instead: str) -> None:
        self.name, self.instead = name, instead

    def __repr__(self) -> str:
        return f"tinydl.{self.name}"

    def refusal(self, caller: str) -> str:
        """The message for ``caller`` (e.g. ``"tensor()"``) asked to make a tensor of it."""
        return (
            f"{caller}: tinydl has no {self.name} tensors: NumPy, which holds every tinydl "
            f"tensor, has no such type; use {self.instead}"
        )


_FLOAT_INSTEAD = "float32 (the default) or float16"
bfloat16 = UnsupportedDtype("bfloat16", _FLOAT_INSTEAD)
complex32 = chalf = UnsupportedDtype("complex32", "complex64")
float8_e4m3fn = UnsupportedDtype("float8_e4m3fn", _FLOAT_INSTEAD)
float8_e4m3fnuz = UnsupportedDtype("float8_e4m3fnuz", _FLOAT_INSTEAD)
float8_e5m2 = UnsupportedDtype("float8_e5m2", _FLOAT_INSTEAD)
float8_e5m2fnuz = UnsupportedDtype("float8_e5m2fnuz", _FLOAT_INSTEAD)
float8_e8m0fnu = UnsupportedDtype("float8_e8m0fnu", _FLOAT_INSTEAD)
float4_e2m1fn_x2 = UnsupportedDtype("float4_e2m1fn_x2", _FLOAT_INSTEAD)
qint8 = UnsupportedDtype("qint8", "int8 (tinydl does not quantise)")
quint8 = UnsupportedDtype("quint8", "uint8 (tinydl does not quantise)")
qint32 = UnsupportedDtype("qint32", "int32 (tinydl does not quantise)")
quint4x2 = UnsupportedDtype("quint4x2", "uint8 (tinydl does not quantise)")
quint2x4 = UnsupportedDtype("quint2x4", "uint8 (tinydl does not quantise)")
bits1x8, bits2x4, bits4x2, bits8, bits16 = (
    UnsupportedDtype(name, "uint8 or uint16")
    for name in ("bits1x8", "bits2x4", "bits4x2", "bits8", "bits16")
)
bit = UnsupportedDtype("bit", "bool")
uint1, uint2, uint3, uint4, uint5, uint6, uint7 = (
    UnsupportedDtype(f"uint{n}", "uint8") for n in range(1, 8)
)
int1, int2, int3, int4, int5, int6, int7 = (
    UnsupportedDtype(f"int{n}", "int8") for n in range(1, 8)
)

__all__ = [
    "UnsupportedDtype",
    "bool", "double", "float", "float16", "float32", "float64", "half", "int", "int8", "int16",
    "int32", "int64", "long", "short", "uint8", "uint16", "uint32", "uint64", "complex64",
    "cfloat", "complex128", "cdouble",
    "bfloat16", "complex32", "chalf", "float8_e4m3fn", "float8_e4m3fnuz", "float8_e5m2",
    "float8_e5m2fnuz", "float8_e8m0fnu", "float4_e2m1fn_x2", "qint8", "quint8", "qint32",
    "quint4x2", "quint2x4", "bits1x8", "bits2x4", "bits4x2", "bits8", "bits16", "bit",
    "uint1", "uint2", "uint3", "uint4", "uint5", "uint6", "uint7",
    "int1", "int2", "int3", "int4", "int5", "int6", "int7",
]
