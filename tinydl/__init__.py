"""tinydl: a small, readable deep-learning engine in NumPy that also runs on CuPy.

Read it bottom-up: ``backend`` (which array library), ``autograd`` (Tensor and
the backward walk), ``ops`` (one Function per operation, derivative in its
docstring), then ``gradcheck`` to prove each backward right.
"""

# The upper layers, as tinydl.nn etc.; utils and vision hold torch.utils.data's and
# torchvision's names.
from tinydl import data, nn, optim, random, train, utils, vision, viz
from tinydl.autograd import Function, Tensor, is_grad_enabled, no_grad, tensor
from tinydl.autograd.default_dtype import get_default_dtype, set_default_dtype
from tinydl.autograd.factories import (
    arange,
    empty,
    eye,
    full,
    full_like,
    linspace,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randn,
    randn_like,
    randperm,
    zeros,
    zeros_like,
)
from tinydl.backend import Device, device, get_default_device, set_default_device
from tinydl.backend.fast_path_switch import fast_paths, fast_paths_enabled, set_fast_paths
from tinydl.dtypes import (  # PyTorch's dtype names; float, int and bool shadow builtins here
    bool,  # noqa: A004
    double,
    float,  # noqa: A004
    float16,
    float32,
    float64,
    half,
    int,  # noqa: A004
    int8,
    int16,
    int32,
    int64,
    long,
    short,
    uint8,
)
from tinydl.errors import (
    DeviceError,
    GradcheckError,
    NotLogProbabilitiesWarning,
    ProbabilitiesAsLogitsWarning,
    TinyDLError,
)
from tinydl.gradcheck import gradcheck
from tinydl.ops import (
    argmax,
    clip,
    concatenate,
    exp,
    flatten,
    log,
    log_softmax,
    matmul,
    maximum,
    mean,
    relu,
    reshape,
    sigmoid,
    softmax,
    sqrt,
    stack,
    tanh,
    transpose,
    where,
)
from tinydl.ops import max as max  # noqa: PLC0414  (shadows the builtin only inside tinydl.*)
from tinydl.ops import sum as sum  # noqa: PLC0414
from tinydl.random import manual_seed
from tinydl.train.save_load import load, save

__version__ = "0.1.0"

__all__ = [
    "Device", "DeviceError", "Function", "GradcheckError", "Tensor", "TinyDLError", "clip",
    "concatenate", "device", "exp", "get_default_device", "gradcheck", "is_grad_enabled", "log",
    "log_softmax", "manual_seed", "matmul", "max", "maximum", "mean", "no_grad", "relu", "reshape",
    "set_default_device", "sigmoid", "softmax", "sqrt", "stack", "sum", "tanh", "tensor",
    "transpose", "where", "data", "nn", "optim", "random", "train", "viz",
    "utils", "vision",
    "NotLogProbabilitiesWarning", "ProbabilitiesAsLogitsWarning", "argmax", "flatten",
    "get_default_dtype", "set_default_dtype", "fast_paths", "fast_paths_enabled", "set_fast_paths",
    "load", "save",
    "bool", "double", "float", "float16", "float32", "float64", "half", "int", "int8", "int16",
    "int32", "int64", "long", "short", "uint8",
    "arange", "empty", "eye", "full", "full_like", "linspace", "ones", "ones_like", "rand",
    "rand_like", "randint", "randn", "randn_like", "randperm", "zeros", "zeros_like",
]
