"""tinydl: a small, readable deep-learning engine in NumPy that also runs on CuPy.

Read it bottom-up: ``backend`` (which array library), ``autograd`` (Tensor and
the backward walk), ``ops`` (one Function per operation, derivative in its
docstring), then ``gradcheck`` to prove each backward right.
"""

# The upper layers, as tinydl.nn etc.; utils and vision hold torch.utils.data's and
# torchvision's names; accelerator, amp, backends and cuda PyTorch's device and precision
# probes and switches (torch.cuda, torch.backends, ...).
from tinydl import (
    accelerator,
    amp,
    backends,
    cuda,
    data,
    distributed,
    nn,
    onnx,
    optim,
    random,
    serialization,
    train,
    utils,
    vision,
    viz,
    xpu,
)
from tinydl.amp import autocast
from tinydl.autograd import Function, Tensor, is_grad_enabled, no_grad, tensor
from tinydl.autograd.default_dtype import get_default_dtype, set_default_dtype
from tinydl.autograd.factories import (
    arange,
    empty,
    eye,
    full,
    full_like,
    linspace,
    multinomial,
    normal,
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
from tinydl.autograd.function import inference_mode, set_grad_enabled
from tinydl.autograd.tensor import as_tensor, from_numpy, is_tensor, numel
from tinydl.backend import Device, device, get_default_device, set_default_device
from tinydl.backend.fast_path_switch import fast_paths, fast_paths_enabled, set_fast_paths
from tinydl.backend.host_threads import get_num_threads, set_num_threads
from tinydl.dtypes import *  # noqa: F403  (PyTorch's dtype names; float, int, bool shadow builtins)
from tinydl.dtypes import __all__ as _dtype_names
from tinydl.eager import compile  # noqa: A004  (PyTorch's torch.compile)
from tinydl.errors import (
    DeviceError,
    GradcheckError,
    NotLogProbabilitiesWarning,
    ProbabilitiesAsLogitsWarning,
    TinyDLError,
)
from tinydl.gradcheck import gradcheck
from tinydl.legacy_tensors import *  # noqa: F403  (FloatTensor, LongTensor, ...)
from tinydl.legacy_tensors import __all__ as _legacy_names
from tinydl.not_offered import attribute_error

# These shadow builtins only inside tinydl.*: tinydl.max(x), tinydl.abs(x), ...
from tinydl.ops import abs as abs  # noqa: PLC0414
from tinydl.ops import all as all  # noqa: PLC0414
from tinydl.ops import any as any  # noqa: PLC0414
from tinydl.ops import (
    argmax,
    argmin,
    argsort,
    bincount,
    bmm,
    chunk,
    clamp,
    clip,
    clone,
    concatenate,
    cos,
    cumsum,
    einsum,
    exp,
    expm1,
    flatten,
    flip,
    gather,
    log,
    log1p,
    log_softmax,
    masked_fill,
    maximum,
    mean,
    minimum,
    mm,
    narrow,
    nonzero,
    norm,
    permute,
    relu,
    reshape,
    sigmoid,
    sin,
    softmax,
    sort,
    split,
    sqrt,
    squeeze,
    stack,
    std,
    tanh,
    topk,
    transpose,
    tril,
    triu,
    unsqueeze,
    var,
    where,
)
from tinydl.ops import max as max  # noqa: PLC0414
from tinydl.ops import min as min  # noqa: PLC0414
from tinydl.ops import pow as pow  # noqa: PLC0414
from tinydl.ops import sum as sum  # noqa: PLC0414
from tinydl.random import Generator, manual_seed
from tinydl.torch_functions import add, cat, div, matmul, mul, sub
from tinydl.train.save_load import load, save

concat = cat

__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    # Only reached for a name tinydl does not have: say what it offers instead.
    raise attribute_error("tinydl", name)


__all__ = [
    "Device", "DeviceError", "Function", "GradcheckError", "Tensor", "TinyDLError", "clip",
    "concatenate", "device", "exp", "get_default_device", "gradcheck", "is_grad_enabled", "log",
    "log_softmax", "manual_seed", "matmul", "max", "maximum", "mean", "no_grad", "relu", "reshape",
    "set_default_device", "sigmoid", "softmax", "sqrt", "stack", "sum", "tanh", "tensor",
    "transpose", "where", "data", "nn", "optim", "random", "train", "viz",
    "utils", "vision",
    "NotLogProbabilitiesWarning", "ProbabilitiesAsLogitsWarning", "argmax", "flatten",
    "get_default_dtype", "set_default_dtype", "fast_paths", "fast_paths_enabled", "set_fast_paths",
    "get_num_threads", "set_num_threads",
    "load", "save",
    "arange", "empty", "eye", "full", "full_like", "linspace", "ones", "ones_like", "rand",
    "rand_like", "randint", "randn", "randn_like", "randperm", "zeros", "zeros_like",
    # PyTorch's surface beyond the above (issue 21)
    "accelerator", "amp", "backends", "cuda", "autocast", "compile",
    "multinomial", "normal", "inference_mode", "set_grad_enabled", "as_tensor", "from_numpy",
    "is_tensor", "numel", "abs", "add", "all", "any", "argmin", "argsort", "bmm", "cat",
    "chunk", "clamp", "clone", "concat", "cos", "cumsum", "div", "gather", "masked_fill",
    "min", "minimum", "mm", "mul", "narrow", "norm", "permute", "pow", "sin", "sort", "split",
    "squeeze", "std", "sub", "topk", "tril", "triu", "unsqueeze", "var",
    *(name for name in _dtype_names if name != "UnsupportedDtype"),
    "Generator", "bincount", "distributed", "einsum", "expm1", "flip", "log1p", "nonzero", "onnx",
    "serialization", "xpu", *_legacy_names,
]
