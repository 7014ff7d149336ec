"""Layer 3: one differentiable Function per primitive operation, forward beside backward.

Every op computes with ``xp`` from the backend, so the same lines run on NumPy
and CuPy. The functions here are the public entry points; the Function classes
(``Add``, ``MatMul``, …) are where the derivatives live.
"""

from tinydl.ops.activations import leaky_relu, log_softmax, relu, sigmoid, softmax, tanh
from tinydl.ops.arithmetic import add, div, mul, neg, pow, sub
from tinydl.ops.conversion import astype, clone, compare, floor_divide, remainder, to_device
from tinydl.ops.einsum import einsum
from tinydl.ops.elementwise import (
    abs,
    clamp,
    clip,
    cos,
    exp,
    expm1,
    log,
    log1p,
    masked_fill,
    maximum,
    minimum,
    nonzero,
    sin,
    sqrt,
    tril,
    triu,
    where,
)
from tinydl.ops.linalg import bmm, matmul, mm
from tinydl.ops.reductions import (
    ValuesIndices,
    all,
    any,
    argmax,
    argmin,
    bincount,
    cumsum,
    max,
    mean,
    min,
    norm,
    std,
    sum,
    var,
)
from tinydl.ops.shape import (
    chunk,
    concatenate,
    expand,
    flatten,
    flip,
    gather,
    getitem,
    narrow,
    permute,
    repeat,
    reshape,
    reverse_axes,
    split,
    squeeze,
    stack,
    transpose,
    unsqueeze,
)
from tinydl.ops.sorting import argsort, sort, topk

__all__ = [
    "add", "astype", "clip", "compare", "concatenate", "div", "exp", "getitem", "log",
    "log_softmax", "matmul", "max", "maximum", "mean", "mul", "neg", "pow", "relu", "reshape",
    "sigmoid", "softmax", "sqrt", "stack", "sub", "sum", "tanh", "to_device", "transpose", "where",
    "leaky_relu",
    "argmax", "flatten",
    "ValuesIndices", "abs", "argmin", "argsort", "bmm", "chunk", "clamp", "cos", "cumsum",
    "expand", "gather", "masked_fill", "min", "minimum", "mm", "narrow", "permute", "repeat",
    "reverse_axes", "sin", "sort", "split", "squeeze", "std", "topk", "tril", "triu",
    "unsqueeze", "var", "all", "any", "clone", "floor_divide", "norm", "remainder",
    "bincount", "einsum", "expm1", "flip", "log1p", "nonzero",
]
