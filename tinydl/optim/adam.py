"""Adam, and AdamW (Adam with decoupled weight decay)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from tinydl import backend
from tinydl.autograd.tensor import Tensor
from tinydl.backend import host_threads, kernels
from tinydl.backend.fast_path_switch import fast_paths_enabled
from tinydl.optim.optimizer import Optimizer


class Adam(Optimizer):
    """Adam, PyTorch's ``torch.optim.Adam`` rule exactly (without ``amsgrad``).

    Two running means per element, of the gradient and of its square (both start
    at 0), at step t = 1, 2, ...:

        m ← β₁m + (1 − β₁)g          v ← β₂v + (1 − β₂)g²
        m̂ = m / (1 − β₁ᵗ)            v̂ = v / (1 − β₂ᵗ)
        θ ← θ − lr · m̂ / (√v̂ + ε)

    Dividing by 1 − βᵗ (bias correction) undoes the pull towards the zero start
    during the first steps. ``weight_decay`` λ adds λθ to the gradient first (L2
    regularisation, which Adam then rescales; see :class:`AdamW` for the decoupled
    form, usually better). :meth:`adam_step` is this rule written out;
    :meth:`adam_step_fast`, the CPU's fast path, computes it in place, in chunks.

    Defaults, as PyTorch: lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.
    Keras's ``Adam`` calls the betas beta_1 and beta_2 and defaults to
    epsilon=1e-7, which it adds to √v before the bias correction:
    θ ← θ − lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ) · m / (√v + ε). That is this rule with
    ε = ε_keras / √(1 − β₂ᵗ), larger than ε_keras in early steps.
    """

    lr: float
    betas: tuple[float, float]
    eps: float
    weight_decay: float
    chunk_size: int = 131072
    """Elements per chunk in :meth:`adam_step_fast` (512 KB of float32 per array), the fastest of
    16K to 256K in benchmarks/optimizer_step.py on a 2-core EPYC (512 KB L2, 32 MB L3)."""

    def __init__(
        self,
        params: Iterable[Tensor],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)
        self._scratch: dict[tuple[Any, ...], Any] = {}

    def update(self, param: Any, grad: Any, state: dict[str, Any]) -> None:
        if backend.is_cuda(param):  # this rule as one kernel (kernels/optimizers.cu)
            settings = self.lr, self.betas, self.eps, self.weight_decay
            return kernels.adam_update(param, grad, state, *settings, decoupled=False)
        if self.weight_decay:
            grad = grad + self.weight_decay * param  # g ← g + λθ   (a new array: grad is shared)
        step = self.adam_step_fast if fast_paths_enabled() else self.adam_step
        step(param, grad, state)

    def adam_step(self, param: Any, grad: Any, state: dict[str, Any]) -> None:
        """The Adam update of ``param`` from ``grad`` (once any weight decay is applied), as
        the paper writes it (Kingma & Ba, 2015, Algorithm 1), at step t = 1, 2, ...:

            m ← β₁m + (1 − β₁)g,    v ← β₂v + (1 − β₂)g²        (the running means)
            m̂ = m / (1 − β₁ᵗ),      v̂ = v / (1 − β₂ᵗ)           (bias corrections)
            θ ← θ − lr · m̂ / (√v̂ + ε)
        """
        xp = backend.array_module(param)
        beta1, beta2 = self.betas
        state["step"] = t = state.get("step", 0) + 1
        m = beta1 * self.buffer(state, "exp_avg", param) + (1 - beta1) * grad
        v = beta2 * self.buffer(state, "exp_avg_sq", param) + (1 - beta2) * grad * grad
        state["exp_avg"], state["exp_avg_sq"] = m, v
        m_hat = m / (1 - beta1**t)
        v_hat = v / (1 - beta2**t)
        param -= self.lr * m_hat / (xp.sqrt(v_hat) + self.eps)

    def adam_step_fast(self, param: Any, grad: Any, state: dict[str, Any]) -> None:
        """:meth:`adam_step` in place, in chunks of :attr:`chunk_size` elements of the
        C-contiguous arrays (any other array takes the plain step), with the bias
        corrections folded into two scalars, as PyTorch's fast Adams do:
        θ ← θ − lr/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε). The same maths, rounded
        differently (the tests hold the two to float32 tolerance); the chunk size
        changes no bit of the result.

        What it bought: one ``Adam.step()`` over the DCGAN example's 9.9M parameters went
        from 62-71 ms (whole arrays) to 30-37 ms (commit 156ba7f), and takes 22.0 ms
        against the plain step's 34.0 ms (2026-12-07; ``python benchmarks/optimizer_step.py``,
        benchmarks/results/optimizer_step.md). The chunks are shared between the host's
        threads (backend/host_threads.py): over the DCGAN example's generator (6.6M
        parameters), right after a GEMM, 9.33 -> 5.87 ms on 2 threads.
        Why chunks: the update is about a dozen passes over the arrays. On a large layer
        (a 6.4M-element float32 weight is 25 MB) each whole-array pass streams from main
        memory. A chunk's slices of the five arrays (2.5 MB in float32) stay in the CPU's
        caches across the dozen passes, so main memory only sees one read of ``param``,
        ``grad`` and the moments and one write of ``param`` and the moments. Much smaller
        chunks measured slower: each NumPy call costs about 1.5 µs of Python, a dozen per
        chunk.
        """
        mean = self.buffer(state, "exp_avg", param)
        mean_square = self.buffer(state, "exp_avg_sq", param)
        arrays = (param, grad, mean, mean_square)
        if not all(array.flags.c_contiguous for array in arrays):
            # reshape(-1) would copy a non-contiguous array, and the update would be lost.
            return self.adam_step(param, grad, state)
        beta1, beta2 = self.betas
        state["step"] = t = state.get("step", 0) + 1
        # Bias corrections as Python floats (an np.float64 here would upcast float32 maths).
        settings = (beta1, beta2, self.eps, self.lr / (1 - beta1**t), math.sqrt(1 - beta2**t))
        flat = [array.reshape(-1) for array in arrays]

        def update_part(thread: int, part: slice) -> None:
            scratch = self._chunk_scratch(param, thread)
            for start in range(part.start, part.stop, self.chunk_size):
                stop = min(start + self.chunk_size, part.stop)
                _adam_update(*(array[start:stop] for array in flat), scratch[: stop - start],
                             *settings)

        # Every element's update is independent of the others': the parts run at once.
        host_threads.run_in_parts(update_part, param.size, smallest=2 * self.chunk_size)

    def _chunk_scratch(self, param: Any, thread: int) -> Any:
        """A reused ``chunk_size`` array for the intermediates, one per array type, dtype and
        thread: a new array per chunk would cost an allocation each time."""
        key = type(param), param.dtype, self.chunk_size, thread
        if key not in self._scratch:
            self._scratch[key] = backend.array_module(param).empty(self.chunk_size, param.dtype)
        return self._scratch[key]


def _adam_update(
    param: Any, grad: Any, mean: Any, mean_square: Any, step: Any,
    beta1: float, beta2: float, eps: float, step_size: float, bias2_sqrt: float,
) -> None:
    """One chunk of :meth:`Adam.adam_step_fast`: update ``param``, ``mean`` (m) and
    ``mean_square`` (v) in place from ``grad``, with ``step``, an array of their size,
    holding every intermediate (``out=...``). ``step_size`` is lr/(1 − β₁ᵗ) and
    ``bias2_sqrt`` √(1 − β₂ᵗ), as Python floats."""
    xp = backend.array_module(param)
    xp.multiply(grad, 1 - beta1, out=step)
    mean *= beta1  # m ← β₁m + (1 − β₁)g
    mean += step
    xp.multiply(grad, grad, out=step)
    step *= 1 - beta2
    mean_square *= beta2  # v ← β₂v + (1 − β₂)g²
    mean_square += step
    # lr/(1 − β₁ᵗ) · m / (√v/√(1 − β₂ᵗ) + ε) is lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ) · m / (√v + ε·√(1 − β₂ᵗ)):
    # one pass fewer (a 6.4M-element update 8.18 -> 7.64 ms, one thread, medians of 15).
    xp.sqrt(mean_square, out=step)
    step += eps * bias2_sqrt
    xp.divide(mean, step, out=step)
    step *= step_size * bias2_sqrt
    param -= step  # θ ← θ − lr/(1 − β₁ᵗ) · m / (√v/√(1 − β₂ᵗ) + ε)


class AdamW(Adam):
    """Adam with decoupled weight decay, PyTorch's ``torch.optim.AdamW`` rule exactly.

    Instead of adding λθ to the gradient (which Adam would rescale), each step
    first shrinks the weights directly, θ ← θ(1 − lr·λ), then takes the plain
    :class:`Adam` step with the raw gradient (Loshchilov & Hutter, 2019).

    Defaults, as PyTorch: lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01.
    Keras's ``AdamW`` defaults to weight_decay=0.004 and epsilon=1e-7, with ε
    placed as described in :class:`Adam`.
    """

    def __init__(
        self,
        params: Iterable[Tensor],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.01,
    ) -> None:
        super().__init__(params, lr, betas, eps, weight_decay)

    def update(self, param: Any, grad: Any, state: dict[str, Any]) -> None:
        if backend.is_cuda(param):  # this rule as one kernel (kernels/optimizers.cu)
            settings = self.lr, self.betas, self.eps, self.weight_decay
            return kernels.adam_update(param, grad, state, *settings, decoupled=True)
        if self.weight_decay:
            param *= 1 - self.lr * self.weight_decay  # θ ← θ(1 − lr·λ)
        step = self.adam_step_fast if fast_paths_enabled() else self.adam_step
        step(param, grad, state)
