"""Adadelta: per-element step sizes from running averages of squared gradients and of
squared updates, so the update has the parameter's units and needs hardly any tuning."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tinydl import backend, check
from tinydl.autograd.tensor import Tensor
from tinydl.optim.optimizer import Optimizer


class Adadelta(Optimizer):
    """Adadelta (Zeiler, 2012), PyTorch's ``torch.optim.Adadelta`` rule exactly.

    Two running averages per element, both starting at 0: of squared gradients,
    s ← ρs + (1 − ρ)g², and of squared updates, u ← ρu + (1 − ρ)Δ². Each step is

        Δ = √(u + ε) / √(s + ε) · g        (u from before this step)
        θ ← θ − lr·Δ

    The ratio √(u + ε)/√(s + ε) replaces a hand-tuned learning rate (ε also starts the
    first steps off, when u = 0), so lr is 1.0 by default. ``weight_decay`` λ adds λθ to
    the gradient first. PyTorch's MNIST example trains with ``Adadelta(lr=1.0)`` and
    ``StepLR(step_size=1, gamma=0.7)``.

    Defaults, as PyTorch: lr=1.0, rho=0.9, eps=1e-6, weight_decay=0. Keras's
    ``Adadelta`` defaults to learning_rate=0.001, rho=0.95, epsilon=1e-7.
    """

    lr: float
    rho: float
    eps: float
    weight_decay: float

    def __init__(
        self,
        params: Iterable[Tensor] | Iterable[dict[str, Any]],
        lr: float = 1.0,
        rho: float = 0.9,
        eps: float = 1e-6,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, lr=lr, rho=rho, eps=eps, weight_decay=weight_decay)
        for group in self.param_groups:
            check.number("Adadelta", "rho", group["rho"], "[0, 1]")

    def update(self, param: Any, grad: Any, state: dict[str, Any]) -> None:
        xp = backend.array_module(param)
        rho, eps = self.rho, self.eps
        if self.weight_decay:
            grad = grad + self.weight_decay * param  # g ← g + λθ   (a new array: grad is shared)
        square_avg = self.buffer(state, "square_avg", param)
        acc_delta = self.buffer(state, "acc_delta", param)
        square_avg *= rho  # s ← ρs + (1 − ρ)g²
        square_avg += (1 - rho) * xp.square(grad)
        delta = xp.sqrt(acc_delta + eps)
        delta /= xp.sqrt(square_avg + eps)
        delta *= grad  # Δ = √(u + ε) / √(s + ε) · g
        acc_delta *= rho  # u ← ρu + (1 − ρ)Δ²
        acc_delta += (1 - rho) * xp.square(delta)
        delta *= self.lr
        param -= delta  # θ ← θ − lr·Δ
