"""RMSprop: divide each gradient by a running root-mean-square of its recent values."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tinydl import backend
from tinydl.autograd.tensor import Tensor
from tinydl.backend import kernels
from tinydl.optim.optimizer import Optimizer


class RMSprop(Optimizer):
    """RMSprop, PyTorch's ``torch.optim.RMSprop`` rule exactly (without ``centered``).

    A running mean of squared gradients s ← αs + (1 − α)g² (s starts at 0) scales
    each step: θ ← θ − lr·g / (√s + ε). With ``momentum`` μ > 0 the scaled
    gradient feeds a velocity, b ← μb + g / (√s + ε) (b starts at 0), and
    θ ← θ − lr·b. ``weight_decay`` λ adds λθ to the gradient first.

    Defaults, as PyTorch: lr=0.01, alpha=0.99, eps=1e-8, momentum=0, weight_decay=0.
    Keras's ``RMSprop`` names α ``rho`` and defaults to learning_rate=0.001, rho=0.9,
    epsilon=1e-7; it puts ε inside the root, g / √(s + ε). Both ε only matter
    where s is tiny, and there Keras's ε acts like the square of ours: Keras's
    1e-7 is about eps=3e-4 here. Its momentum velocity includes the learning
    rate (b ← μb + lr·g/√(s + ε), θ ← θ − b), which agrees with this rule while
    lr is constant.
    """

    lr: float
    alpha: float
    eps: float
    momentum: float
    weight_decay: float

    def __init__(
        self,
        params: Iterable[Tensor],
        lr: float = 0.01,
        alpha: float = 0.99,
        eps: float = 1e-8,
        momentum: float = 0.0,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(
            params, lr=lr, alpha=alpha, eps=eps, momentum=momentum, weight_decay=weight_decay
        )

    def update(self, param: Any, grad: Any, state: dict[str, Any]) -> None:
        if backend.is_cuda(param):  # the rule below as one kernel (kernels/optimizers.cu)
            settings = self.lr, self.alpha, self.eps, self.momentum, self.weight_decay
            return kernels.rmsprop_update(param, grad, state, *settings)
        xp = backend.array_module(param)
        if self.weight_decay:
            grad = grad + self.weight_decay * param  # g ← g + λθ   (a new array: grad is shared)
        mean_square = self.buffer(state, "square_avg", param)
        # One scratch array serves every intermediate (out=...): each new array of this
        # size costs an allocation and page faults, measured at a third of the update.
        step = xp.multiply(grad, grad)
        step *= 1 - self.alpha
        mean_square *= self.alpha  # s ← αs + (1 − α)g²
        mean_square += step
        xp.sqrt(mean_square, out=step)
        step += self.eps
        xp.divide(grad, step, out=step)  # g / (√s + ε), ε outside the root
        if self.momentum:
            velocity = self.buffer(state, "momentum_buffer", param)
            velocity *= self.momentum  # b ← μb + g / (√s + ε)
            velocity += step
            xp.multiply(velocity, self.lr, out=step)
        else:
            step *= self.lr
        param -= step  # θ ← θ − lr·b   (or lr·g / (√s + ε) without momentum)
