"""Activation functions and softmax. Each keeps its output (or a mask) from forward,
because the derivative is cheapest to write in terms of it."""

from __future__ import annotations

import math

from tinydl import backend, check
from tinydl.autograd.function import Function, is_grad_enabled
from tinydl.autograd.tensor import Tensor
from tinydl.autograd.tensor_checks import floating, tensor
from tinydl.backend import host_threads
from tinydl.backend.fast_path_switch import fast_paths_enabled
from tinydl.ops.arguments import axis_of
from tinydl.ops.special import erf

_SQRT_2_OVER_PI = math.sqrt(2 / math.pi)


class ReLU(Function):
    """y = max(x, 0).   dy/dx = 1 where x > 0, else 0 (0 at the kink x = 0)."""

    def forward(self, x):
        self.positive = x > 0
        return backend.array_module(x).maximum(x, 0)  # (where(x > 0, x, 0) is 7x slower)

    def backward(self, gy):
        return gy * self.positive


class LeakyReLU(Function):
    """y = x where x > 0, else a·x (a = ``negative_slope``).

    dy/dx = 1 where x > 0, else a (a at the kink x = 0, as PyTorch): negative inputs keep a
    small gradient, so a unit never goes silent the way a ReLU can.
    """

    def __init__(self, negative_slope: float) -> None:
        self.negative_slope = negative_slope  # a Python float: x·a keeps x's dtype

    def forward(self, x):
        self.positive = x > 0
        return backend.array_module(x).where(self.positive, x, x * self.negative_slope)

    def backward(self, gy):
        return backend.array_module(gy).where(self.positive, gy, gy * self.negative_slope)


class LeakyReLUFast(LeakyReLU):
    """:class:`LeakyReLU` without ``where``, for slopes 0 ≤ a ≤ 1 (the fast path):

        y = max(x, a·x),   dy/dx = max(1[x > 0], a)   (1 where x > 0, else a).

    The same numbers bit for bit: with a ≤ 1, a·x ≤ x exactly when x ≥ 0. ``where`` over a
    mask of random signs runs at the speed of a mispredicted branch per element; these are
    branch-free passes. Measured on a batch-last (64, 64, 14, 14) float32 activation, the
    DCGAN discriminator's first (medians of 200 alternating calls, one thread): forward
    3.02 → 0.18 ms, backward 2.99 → 0.36 ms. Both passes run in parts on the host's
    threads (backend/host_threads.py).
    """

    def forward(self, x):
        xp = backend.array_module(x)
        self.positive, y = xp.empty_like(x, dtype=bool), xp.empty_like(x)

        def leaky(x, positive, y):
            xp.greater(x, 0, out=positive)
            xp.multiply(x, self.negative_slope, out=y)
            xp.maximum(x, y, out=y)

        host_threads.run_on_elements(leaky, x, self.positive, y)
        return y

    def backward(self, gy):
        xp = backend.array_module(gy)
        gx = xp.empty_like(self.positive, dtype=gy.dtype)  # in x's layout, as the plain one

        def times_slope(positive, gy, gx):
            xp.maximum(positive, self.negative_slope, out=gx, dtype=gx.dtype)
            gx *= gy

        host_threads.run_on_elements(times_slope, self.positive, gy, gx)
        return gx


class Sigmoid(Function):
    """y = 1 / (1 + e⁻ˣ).   dy/dx = y (1 - y)."""

    def forward(self, x):
        xp = backend.array_module(x)
        # tanh form: the same value, but no overflow in e⁻ˣ for very negative x
        self.y = 0.5 * (xp.tanh(0.5 * x) + 1)
        return self.y

    def backward(self, gy):
        return gy * self.y * (1 - self.y)


class Tanh(Function):
    """y = tanh x.   dy/dx = 1 - y²."""

    def forward(self, x):
        self.y = backend.array_module(x).tanh(x)
        return self.y

    def backward(self, gy):
        return gy * (1 - self.y * self.y)


class GELU(Function):
    """y = x·Φ(x), Φ the standard normal CDF: each input is weighted by how likely a
    standard normal variable is to be smaller (Hendrycks & Gimpel, 2016).

    ``approximate="none"``: Φ(x) = (1 + erf(x/√2))/2, and
        dy/dx = Φ(x) + x·φ(x),   φ(x) = e^(−x²/2)/√(2π) (the normal density).
    ``approximate="tanh"`` (GPT-2's form): Φ(x) ≈ (1 + tanh u)/2, u = √(2/π)(x + 0.044715x³),
        dy/dx = (1 + tanh u)/2 + x/2 · (1 − tanh² u) · √(2/π)(1 + 3·0.044715x²).
    """

    def __init__(self, approximate: str) -> None:
        self.approximate = approximate

    def forward(self, x):
        xp = backend.array_module(x)
        self.x = x
        if self.approximate == "tanh":
            # In place on one scratch array: this runs on the widest tensor of a Transformer.
            t = x * x
            t *= 0.044715
            t += 1
            t *= x
            t *= _SQRT_2_OVER_PI  # u = √(2/π)·x·(1 + 0.044715x²)
            self.t = xp.tanh(t, out=t)
            y = t + 1
            y *= x
            y *= 0.5  # y = x·(1 + tanh u)/2
            return y
        self.cdf = 0.5 * (1 + erf(x * (1 / math.sqrt(2))))
        return x * self.cdf

    def backward(self, gy):
        xp = backend.array_module(gy)
        x = self.x
        if self.approximate == "tanh":
            t = self.t
            g = x * x
            g *= 3 * 0.044715
            g += 1
            g *= _SQRT_2_OVER_PI  # du/dx = √(2/π)(1 + 3·0.044715x²)
            g *= 1 - t * t
            g *= x
            g += 1 + t
            g *= 0.5  # (1 + tanh u)/2 + x/2 · (1 − tanh² u) · du/dx
            g *= gy
            return g
        density = xp.exp(-0.5 * x * x) * (1 / math.sqrt(2 * math.pi))
        return gy * (self.cdf + x * density)


class GELUFast(Function):
    """:class:`GELU`'s tanh form computing, with y, its derivative dy/dx in the same forward
    (the fast path, taken when a gradient will be asked for). With s = x², t = tanh u:

        y = x·(1 + t)/2,   dy/dx = (1 + t)·(1/2 + A·(1 − t)),   A = x·√(2/π)·(1 + 3·0.044715s)/2,

    (1 − t² = (1 − t)(1 + t) lets the two terms share 1 + t). Backward is then one
    multiplication, and only dy/dx is kept, not x and tanh u. On the GPT's (32, 64, 512)
    float32 activation, one thread, medians of 200 alternating calls: forward 0.60 →
    0.98 ms, backward 0.85 → 0.13 ms (14 passes over memory and 1, against 9 and 13).
    Forward runs in parts on the host's threads (backend/host_threads.py), each part the
    same passes over its block, the same bits however it is split: on 2 threads, right after
    a GEMM, 1.43 → 0.92 ms, the GPT's step 0.96x (``benchmarks/host_threads.py``). Backward,
    one multiplication, is bound by memory: split, it took 0.26 → 0.25 ms, so it is not.
    """

    def forward(self, x):
        xp = backend.array_module(x)
        y, self.slope = xp.empty_like(x), xp.empty_like(x)

        def gelu(x, y, slope):
            s = x * x
            xp.multiply(s, _SQRT_2_OVER_PI * 0.044715, out=slope)
            slope += _SQRT_2_OVER_PI
            slope *= x  # u = √(2/π)·x·(1 + 0.044715s)
            xp.tanh(slope, out=slope)  # t
            s *= 1.5 * _SQRT_2_OVER_PI * 0.044715
            s += 0.5 * _SQRT_2_OVER_PI
            s *= x  # A
            xp.add(slope, 1, out=y)
            xp.subtract(1, slope, out=slope)
            slope *= s
            slope += 0.5
            slope *= y  # dy/dx
            y *= x
            y *= 0.5

        host_threads.run_on_elements(gelu, x, y, self.slope)
        return y

    def backward(self, gy):
        return gy * self.slope


class Softmax(Function):
    """yᵢ = e^{xᵢ} / Σⱼ e^{xⱼ} along ``axis``.

    dL/dxᵢ = yᵢ (gᵢ - Σⱼ gⱼ yⱼ), the Jacobian diag(y) - y yᵀ applied to the gradient g.
    """

    def __init__(self, axis: int) -> None:
        self.axis = axis

    def forward(self, x):
        xp = backend.array_module(x)
        shifted = x - x.max(axis=self.axis, keepdims=True)  # e^x never overflows
        e = xp.exp(shifted)
        self.y = e / e.sum(axis=self.axis, keepdims=True)
        return self.y

    def backward(self, gy):
        y = self.y
        return y * (gy - (gy * y).sum(axis=self.axis, keepdims=True))


class LogSoftmax(Function):
    """yᵢ = xᵢ - log Σⱼ e^{xⱼ} along ``axis`` (computed stably with the max subtracted).

    dL/dxᵢ = gᵢ - softmax(x)ᵢ Σⱼ gⱼ.
    """

    def __init__(self, axis: int) -> None:
        self.axis = axis

    def forward(self, x):
        xp = backend.array_module(x)
        shifted = x - x.max(axis=self.axis, keepdims=True)
        self.y = shifted - xp.log(xp.exp(shifted).sum(axis=self.axis, keepdims=True))
        return self.y

    def backward(self, gy):
        xp = backend.array_module(gy)
        return gy - xp.exp(self.y) * gy.sum(axis=self.axis, keepdims=True)


def relu(x: Tensor) -> Tensor:
    return ReLU()(x)


def leaky_relu(x: Tensor, negative_slope: float = 0.01) -> Tensor:
    """x where x > 0, else ``negative_slope``·x (PyTorch's default slope 0.01)."""
    negative_slope = check.number("leaky_relu()", "negative_slope", negative_slope)
    function = LeakyReLUFast if fast_paths_enabled() and 0 <= negative_slope <= 1 else LeakyReLU
    return function(negative_slope)(tensor("leaky_relu()", "x", x))


def sigmoid(x: Tensor) -> Tensor:
    return Sigmoid()(x)


def tanh(x: Tensor) -> Tensor:
    return Tanh()(x)


def gelu(x: Tensor, approximate: str = "none") -> Tensor:
    """x·Φ(x) (PyTorch's ``F.gelu``): exact with ``approximate="none"``, the tanh formula
    with ``approximate="tanh"``."""
    check.one_of("gelu()", "approximate", approximate, ("none", "tanh"))
    floating("gelu()", "x", x)
    if approximate == "tanh" and fast_paths_enabled() and is_grad_enabled() and x.requires_grad:
        return GELUFast()(x)
    return GELU(approximate)(x)


def softmax(x: Tensor, axis: int | None = None, *, dim: int | None = None) -> Tensor:
    """Softmax along ``axis`` (PyTorch: ``dim``), the last axis by default."""
    axis = axis_of(axis, dim, "softmax()")
    return Softmax(-1 if axis is None else axis)(x)


def log_softmax(x: Tensor, axis: int | None = None, *, dim: int | None = None) -> Tensor:
    """log(softmax(x)) along ``axis`` (PyTorch: ``dim``), the last axis by default."""
    axis = axis_of(axis, dim, "log_softmax()")
    return LogSoftmax(-1 if axis is None else axis)(x)
