"""Launchers for the hand-written CUDA kernels in ``kernels/`` (installed as ``tinydl.kernels``).

Each launcher takes the arrays of one op, allocates its outputs, packs the kernel's
arguments in the C types its signature declares (ints as ``int32``, element counts
as ``int64``, floating-point scalars in the arrays' own dtype: CuPy would pass a
Python float as a C ``double``) and launches it. The ops call them only on CuPy
arrays (``backend.is_cuda``); NumPy and fake-device arrays keep the ops' NumPy
code, which is each kernel's reference and what the parity tests compare it with.

Each ``.cu`` file is compiled once, on first use, by NVRTC through
``cupy.RawModule``, and cached (CuPy also keeps the binary on disk). The launchers
allocate with ``xp`` rather than naming CuPy, and reach the GPU only in
:func:`_launch`.
"""

from __future__ import annotations

import functools
import math
from importlib import resources
from typing import Any

import numpy as np

from tinydl.backend import cuda
from tinydl.backend.devices import array_module

THREADS_PER_BLOCK = 256
# Enough blocks to fill any current GPU; the kernels' grid-stride loops cover larger arrays.
MAX_BLOCKS = 65535
_COMPILE_OPTIONS = ("--std=c++14",)
_SUFFIXES = {np.dtype(np.float32): "f32", np.dtype(np.float64): "f64"}

Pair = tuple[int, int]


def source(file: str) -> str:
    """The CUDA C source of ``file`` (e.g. ``"im2col.cu"``), read from the installed package."""
    return resources.files("tinydl.kernels").joinpath(file).read_text(encoding="utf-8")


@functools.cache
def _module(file: str) -> Any:
    return cuda.cupy_module().RawModule(code=source(file), options=_COMPILE_OPTIONS)


@functools.cache
def kernel(file: str, name: str) -> Any:
    """The compiled ``extern "C"`` kernel ``name`` of ``file``, compiled on the first call."""
    return _module(file).get_function(name)


def typed_name(name: str, dtype: Any) -> str:
    """The entry point of kernel ``name`` for arrays of ``dtype``: ``name_f32`` or ``name_f64``."""
    dtype = np.dtype(dtype)
    if dtype not in _SUFFIXES:
        raise TypeError(f"the CUDA kernel {name} supports float32 and float64 arrays, got {dtype}")
    return f"{name}_{_SUFFIXES[dtype]}"


def _launch(file: str, name: str, threads: int, *args: Any) -> None:
    """Run kernel ``name`` of ``file`` on the GPU of ``args[0]``: one thread per unit of work
    (``threads`` of them) in blocks of THREADS_PER_BLOCK; beyond MAX_BLOCKS blocks, the
    kernels' grid-stride loops give each thread several units."""
    blocks = max(1, min(-(-threads // THREADS_PER_BLOCK), MAX_BLOCKS))
    with args[0].device:
        kernel(file, name)((blocks,), (THREADS_PER_BLOCK,), args)


def _window_geometry(
    x_shape: tuple[int, ...], kernel_size: Pair, stride: Pair, padding: Pair, out_size: Pair
) -> tuple[np.int32, ...]:
    """The 12 ``int`` arguments shared by the im2col and pooling kernels, in their order."""
    return tuple(np.int32(v) for v in (*x_shape, *kernel_size, *stride, *padding, *out_size))


# ---- im2col.cu ---------------------------------------------------------------------------
def im2col(x: Any, kernel_size: Pair, stride: Pair, padding: Pair, out_size: Pair) -> Any:
    """``tinydl.ops.conv.im2col`` on the GPU: (C·KH·KW, N·OH·OW) columns of ``x`` (N, C, H, W)."""
    xp = array_module(x)
    x = xp.ascontiguousarray(x)
    (n, c, _, _), (kh, kw), (oh, ow) = x.shape, kernel_size, out_size
    cols = xp.empty((c * kh * kw, n * oh * ow), dtype=x.dtype)
    geometry = _window_geometry(x.shape, kernel_size, stride, padding, out_size)
    _launch("im2col.cu", typed_name("im2col", x.dtype), cols.size, x, cols, *geometry)
    return cols


def col2im(
    cols: Any,
    x_shape: tuple[int, int, int, int],
    kernel_size: Pair,
    stride: Pair,
    padding: Pair,
    out_size: Pair,
) -> Any:
    """``tinydl.ops.conv.col2im`` on the GPU: one thread per pixel gathers its columns' values."""
    xp = array_module(cols)
    cols = xp.ascontiguousarray(cols)
    x = xp.empty(x_shape, dtype=cols.dtype)
    geometry = _window_geometry(x_shape, kernel_size, stride, padding, out_size)
    _launch("im2col.cu", typed_name("col2im", cols.dtype), x.size, cols, x, *geometry)
    return x


# ---- pooling.cu --------------------------------------------------------------------------
def max_pool_forward(
    x: Any, kernel_size: Pair, stride: Pair, padding: Pair, out_size: Pair
) -> tuple[Any, Any]:
    """Max-pooling of ``x`` (N, C, H, W): the maxima (N, C, OH, OW), and the int32 argmax
    (the winning kernel position i·KW + j of each window, as ``MaxPool2D`` stores it)."""
    xp = array_module(x)
    x = xp.ascontiguousarray(x)
    y = xp.empty((*x.shape[:2], *out_size), dtype=x.dtype)
    argmax = xp.empty(y.shape, dtype=xp.int32)
    geometry = _window_geometry(x.shape, kernel_size, stride, padding, out_size)
    _launch("pooling.cu", typed_name("max_pool_forward", x.dtype), y.size, x, y, argmax, *geometry)
    return y, argmax


def max_pool_backward(
    grad_y: Any,
    argmax: Any,
    x_shape: tuple[int, int, int, int],
    kernel_size: Pair,
    stride: Pair,
    padding: Pair,
) -> Any:
    """The gradient (N, C, H, W) of max-pooling: each pixel gathers the gradients of the
    windows whose maximum it is."""
    xp = array_module(grad_y)
    grad_y, argmax = xp.ascontiguousarray(grad_y), xp.ascontiguousarray(argmax)
    grad_x = xp.empty(x_shape, dtype=grad_y.dtype)
    geometry = _window_geometry(x_shape, kernel_size, stride, padding, grad_y.shape[2:])
    name = typed_name("max_pool_backward", grad_y.dtype)
    _launch("pooling.cu", name, grad_x.size, grad_y, argmax, grad_x, *geometry)
    return grad_x


# ---- softmax_cross_entropy.cu --------------------------------------------------------------
def cross_entropy_forward(logits: Any, labels: Any) -> tuple[Any, tuple[Any, ...]]:
    """Per-row losses −log softmax(logits)[label] for logits (N, C) and integer labels (N,),
    and what :func:`cross_entropy_backward` needs (the logits, labels and two (N,) arrays)."""
    xp = array_module(logits)
    logits = xp.ascontiguousarray(logits)
    labels = xp.ascontiguousarray(labels, dtype=xp.int64)
    rows, classes = logits.shape
    losses, row_max, log_norm = (xp.empty(rows, dtype=logits.dtype) for _ in range(3))
    name = typed_name("softmax_cross_entropy_forward", logits.dtype)
    arrays = logits, labels, losses, row_max, log_norm
    _launch("softmax_cross_entropy.cu", name, rows, *arrays, np.int32(rows), np.int32(classes))
    return losses, (logits, labels, row_max, log_norm)


def cross_entropy_backward(saved: tuple[Any, ...], grad_losses: Any, count: int) -> Any:
    """dL/dlogits = (softmax − onehot) · g / count, where g is ``grad_losses`` (one value, or
    one per row) and ``count`` is N for a 'mean' reduction, else 1."""
    logits, labels, row_max, log_norm = saved
    xp = array_module(logits)
    grad_losses = xp.ascontiguousarray(grad_losses, dtype=logits.dtype)
    grad_logits = xp.empty_like(logits)
    rows, classes = logits.shape
    layout = np.int32(0 if grad_losses.size == 1 else 1), np.int32(count)  # stride, divisor
    name = typed_name("softmax_cross_entropy_backward", logits.dtype)
    arrays = logits, labels, row_max, log_norm, grad_losses, grad_logits
    sizes = np.int32(rows), np.int32(classes)
    _launch("softmax_cross_entropy.cu", name, logits.size, *arrays, *sizes, *layout)
    return grad_logits


# ---- optimizers.cu -------------------------------------------------------------------------
def sgd_update(
    param: Any,
    grad: Any,
    state: dict[str, Any],
    lr: float,
    momentum: float,
    nesterov: bool,
    weight_decay: float,
) -> None:
    """``SGD.update`` as one kernel: updates ``param`` (and its momentum buffer) in place."""
    first_step = "momentum_buffer" not in state
    velocity = _state_buffer(state, "momentum_buffer", param) if momentum else _absent(param)
    real = param.dtype.type
    scalars = real(lr), real(momentum), real(weight_decay), np.int32(nesterov)
    _update("sgd_update", param, grad, [velocity], *scalars, np.int32(first_step))


def rmsprop_update(
    param: Any,
    grad: Any,
    state: dict[str, Any],
    lr: float,
    alpha: float,
    eps: float,
    momentum: float,
    weight_decay: float,
) -> None:
    """``RMSprop.update`` as one kernel: updates ``param`` and its state in place."""
    square_avg = _state_buffer(state, "square_avg", param)
    velocity = _state_buffer(state, "momentum_buffer", param) if momentum else _absent(param)
    real = param.dtype.type
    scalars = (real(v) for v in (lr, alpha, 1 - alpha, eps, momentum, weight_decay))
    _update("rmsprop_update", param, grad, [square_avg, velocity], *scalars)


def adam_update(
    param: Any,
    grad: Any,
    state: dict[str, Any],
    lr: float,
    betas: tuple[float, float],
    eps: float,
    weight_decay: float,
    decoupled: bool,
) -> None:
    """``Adam.update`` (``decoupled=False``) or ``AdamW.update`` (True) as one kernel:
    updates ``param`` and its state in place, counting the step as they do."""
    beta1, beta2 = betas
    mean = _state_buffer(state, "exp_avg", param)
    mean_square = _state_buffer(state, "exp_avg_sq", param)
    state["step"] = t = state.get("step", 0) + 1
    # Combined as Python floats, exactly as the NumPy path combines them.
    step_size = lr / (1 - beta1**t)
    bias_correction2_sqrt = math.sqrt(1 - beta2**t)
    l2 = 0.0 if decoupled else weight_decay  # Adam adds λθ to the gradient ...
    shrink = 1 - lr * weight_decay if decoupled else 1.0  # ... AdamW shrinks θ instead
    scalars = beta1, 1 - beta1, beta2, 1 - beta2, step_size, bias_correction2_sqrt, eps, l2, shrink
    real = param.dtype.type
    _update("adam_update", param, grad, [mean, mean_square], *(real(v) for v in scalars))


def _state_buffer(state: dict[str, Any], name: str, param: Any) -> Any:
    """``state[name]``, first created as zeros shaped like ``param`` (as ``Optimizer.buffer``)."""
    if name not in state:
        state[name] = array_module(param).zeros(param.shape, dtype=param.dtype)
    return state[name]


def _absent(param: Any) -> Any:
    """An empty array standing for a state buffer the rule does not use (never read)."""
    return array_module(param).empty(0, dtype=param.dtype)


def _update(name: str, param: Any, grad: Any, buffers: list[Any], *scalars: Any) -> None:
    """Launch optimiser kernel ``name`` (``param, grad, *buffers, size, *scalars``), updating
    ``param`` and ``buffers`` in place. The kernels see flat arrays, so a non-contiguous one is
    updated through a contiguous copy that is written back."""
    xp = array_module(param)
    in_place = [param, *buffers]
    flat = [a if a.flags.c_contiguous else xp.ascontiguousarray(a) for a in in_place]
    grad = xp.ascontiguousarray(grad)
    arrays = flat[0], grad, *flat[1:]
    kernel_name = typed_name(name, param.dtype)
    _launch("optimizers.cu", kernel_name, param.size, *arrays, np.int64(param.size), *scalars)
    for original, copy in zip(in_place, flat, strict=True):
        if copy is not original:
            original[...] = copy
