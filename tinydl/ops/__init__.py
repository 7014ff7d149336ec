"""Layer 3: one differentiable Function per primitive operation, forward beside backward.

Every op computes with ``xp`` from the backend, so the same lines run on NumPy
and CuPy. The functions here are the public entry points; the Function classes
(``Add``, ``MatMul``, …) are where the derivatives live.
"""

from tinydl.ops.activations import leaky_relu, log_softmax, relu, sigmoid, softmax, tanh
from tinydl.ops.arithmetic import add, div, mul, neg, pow, sub
from tinydl.ops.conversion import astype, compare, to_device
from tinydl.ops.elementwise import clip, exp, log, maximum, sqrt, where
from tinydl.ops.linalg import matmul
from tinydl.ops.reductions import argmax, max, mean, sum
from tinydl.ops.shape import concatenate, flatten, getitem, reshape, stack, transpose

__all__ = [
    "add", "astype", "clip", "compare", "concatenate", "div", "exp", "getitem", "log",
    "log_softmax", "matmul", "max", "maximum", "mean", "mul", "neg", "pow", "relu", "reshape",
    "sigmoid", "softmax", "sqrt", "stack", "sub", "sum", "tanh", "to_device", "transpose", "where",
    "leaky_relu",
    "argmax", "flatten",
]
