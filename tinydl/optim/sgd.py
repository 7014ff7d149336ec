"""Stochastic gradient descent, with optional (Nesterov) momentum and weight decay."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tinydl import backend
from tinydl.autograd.tensor import Tensor
from tinydl.backend import kernels
from tinydl.optim.optimizer import Optimizer


class SGD(Optimizer):
    """Stochastic gradient descent: θ ← θ − lr·g, PyTorch's ``torch.optim.SGD`` rule exactly.

    With ``weight_decay`` λ the gradient gets an L2 term, g ← g + λθ (the
    gradient of (λ/2)‖θ‖²). With ``momentum`` μ > 0 a velocity ``b`` accumulates
    the gradients, b ← μb + g (b = g on the first step), and the step uses ``b``
    instead of ``g``; with ``nesterov=True`` it uses g + μb, a look-ahead.

    Defaults: ``lr`` has none (PyTorch 2 uses 1e-3, Keras 0.01); momentum=0,
    nesterov=False, weight_decay=0, as in PyTorch (whose ``dampening`` and
    ``maximize`` are not offered: they are always 0 and False here).

    Keras's ``SGD(momentum=μ)`` keeps v ← μv − lr·g and θ ← θ + v, the same path as
    this rule while ``lr`` is constant (v = −lr·b); the two differ only after the
    learning rate changes. Keras's ``weight_decay`` is decoupled (θ ← θ − lr·λθ
    after the step) rather than added to the gradient.
    """

    lr: float
    momentum: float
    nesterov: bool
    weight_decay: float

    def __init__(
        self,
        params: Iterable[Tensor],
        lr: float,
        momentum: float = 0.0,
        nesterov: bool = False,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(
            params, lr=lr, momentum=momentum, nesterov=nesterov, weight_decay=weight_decay
        )
        if any(group["nesterov"] and group["momentum"] == 0 for group in self.param_groups):
            raise ValueError("nesterov=True needs a momentum > 0")

    def update(self, param: Any, grad: Any, state: dict[str, Any]) -> None:
        if backend.is_cuda(param):  # the rule below as one kernel (kernels/optimizers.cu)
            settings = self.lr, self.momentum, self.nesterov, self.weight_decay
            return kernels.sgd_update(param, grad, state, *settings)
        if self.weight_decay:
            grad = grad + self.weight_decay * param  # g ← g + λθ   (a new array: grad is shared)
        if self.momentum:
            velocity = state.get("momentum_buffer")
            if velocity is None:
                velocity = state["momentum_buffer"] = grad.copy()  # b₁ = g₁
            else:
                velocity *= self.momentum  # b ← μb + g
                velocity += grad
            # Nesterov steps along g + μb; classical momentum along b.
            grad = grad + self.momentum * velocity if self.nesterov else velocity
        param -= self.lr * grad  # θ ← θ − lr·g


class Momentum(SGD):
    """SGD with classical (heavy-ball) momentum: ``SGD`` whose momentum defaults to 0.9.

    b ← μb + g (b = g on the first step), θ ← θ − lr·b. Everything else, including
    ``nesterov`` and ``weight_decay``, is as in :class:`SGD`; PyTorch has no
    separate class (use ``torch.optim.SGD(momentum=0.9)``), nor does Keras
    (``keras.optimizers.SGD(momentum=0.9)``, see :class:`SGD` for how it differs).
    """

    def __init__(
        self,
        params: Iterable[Tensor],
        lr: float,
        momentum: float = 0.9,
        nesterov: bool = False,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, lr, momentum, nesterov, weight_decay)
