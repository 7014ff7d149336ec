"""Adam, and AdamW (Adam with decoupled weight decay)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from tinydl import backend
from tinydl.autograd.tensor import Tensor
from tinydl.backend import kernels
from tinydl.optim.optimizer import Optimizer


class Adam(Optimizer):
    """Adam, PyTorch's ``torch.optim.Adam`` rule exactly (without ``amsgrad``).

    Two running means per element, of the gradient and of its square (both start
    at 0), at step t = 1, 2, ...:

        m ← β₁m + (1 − β₁)g          v ← β₂v + (1 − β₂)g²
        θ ← θ − lr/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε)

    Dividing by 1 − βᵗ (bias correction) undoes the pull towards the zero start
    during the first steps. ``weight_decay`` λ adds λθ to the gradient first (L2
    regularisation, which Adam then rescales; see :class:`AdamW` for the decoupled
    form, usually better).

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

    def __init__(
        self,
        params: Iterable[Tensor],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)

    def update(self, param: Any, grad: Any, state: dict[str, Any]) -> None:
        if backend.is_cuda(param):  # this rule as one kernel (kernels/optimizers.cu)
            settings = self.lr, self.betas, self.eps, self.weight_decay
            return kernels.adam_update(param, grad, state, *settings, decoupled=False)
        if self.weight_decay:
            grad = grad + self.weight_decay * param  # g ← g + λθ   (a new array: grad is shared)
        self.adam_step(param, grad, state)

    def adam_step(self, param: Any, grad: Any, state: dict[str, Any]) -> None:
        """The Adam update of ``param`` from ``grad``, once any weight decay is applied."""
        xp = backend.array_module(param)
        beta1, beta2 = self.betas
        mean = self.buffer(state, "exp_avg", param)
        mean_square = self.buffer(state, "exp_avg_sq", param)
        state["step"] = t = state.get("step", 0) + 1
        # One scratch array serves every intermediate (out=...): each new array of this
        # size costs an allocation and page faults.
        step = xp.multiply(grad, 1 - beta1)
        mean *= beta1  # m ← β₁m + (1 − β₁)g
        mean += step
        xp.multiply(grad, grad, out=step)
        step *= 1 - beta2
        mean_square *= beta2  # v ← β₂v + (1 − β₂)g²
        mean_square += step
        # Bias corrections as Python floats (an np.float64 here would upcast float32 maths).
        step_size = self.lr / (1 - beta1**t)
        xp.sqrt(mean_square, out=step)
        step /= math.sqrt(1 - beta2**t)
        step += self.eps  # √v / √(1 − β₂ᵗ) + ε
        xp.divide(mean, step, out=step)
        step *= step_size
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
        self.adam_step(param, grad, state)
