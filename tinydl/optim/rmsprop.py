"""RMSprop: divide each gradient by a running root-mean-square of its recent values."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tinydl import backend
from tinydl.autograd.tensor import Tensor
from tinydl.backend import host_threads, kernels
from tinydl.backend.fast_path_switch import fast_paths_enabled
from tinydl.optim.optimizer import Optimizer


class RMSprop(Optimizer):
    """RMSprop, PyTorch's ``torch.optim.RMSprop`` rule exactly (without ``centered``).

    A running mean of squared gradients s ← αs + (1 − α)g² (s starts at 0) scales
    each step: θ ← θ − lr·g / (√s + ε). With ``momentum`` μ > 0 the scaled
    gradient feeds a velocity, b ← μb + g / (√s + ε) (b starts at 0), and
    θ ← θ − lr·b. ``weight_decay`` λ adds λθ to the gradient first.

    ``eps_inside_sqrt=True`` puts ε inside the root, g / √(s + ε), as Keras and
    TensorFlow do (Chainer's option of the same name). The two only differ where s is
    tiny, and there no choice of ε makes them agree: √(s + ε) tends to √ε, √s + ε to ε.

    Defaults, as PyTorch: lr=0.01, alpha=0.99, eps=1e-8, momentum=0, weight_decay=0.
    Keras's ``RMSprop`` names α ``rho`` and defaults to learning_rate=0.001, rho=0.9,
    epsilon=1e-7 with ε inside the root; ``tinydl.keras.optimizers.RMSprop`` is this
    class with those settings. Keras's momentum velocity includes the learning rate
    (b ← μb + lr·g/√(s + ε), θ ← θ − b), which agrees with this rule while lr is constant.
    """

    lr: float
    alpha: float
    eps: float
    momentum: float
    weight_decay: float
    eps_inside_sqrt: bool
    added_later = {"eps_inside_sqrt": False}  # files saved before it used PyTorch's rule

    def __init__(
        self,
        params: Iterable[Tensor],
        lr: float = 0.01,
        alpha: float = 0.99,
        eps: float = 1e-8,
        momentum: float = 0.0,
        weight_decay: float = 0.0,
        eps_inside_sqrt: bool = False,
    ) -> None:
        super().__init__(
            params, lr=lr, alpha=alpha, eps=eps, momentum=momentum, weight_decay=weight_decay,
            eps_inside_sqrt=eps_inside_sqrt,
        )

    def update(self, param: Any, grad: Any, state: dict[str, Any]) -> None:
        if backend.is_cuda(param) and not self.eps_inside_sqrt:
            # the rule below as one kernel (kernels/optimizers.cu)
            settings = self.lr, self.alpha, self.eps, self.momentum, self.weight_decay
            return kernels.rmsprop_update(param, grad, state, *settings)
        if self.weight_decay:
            grad = grad + self.weight_decay * param  # g ← g + λθ   (a new array: grad is shared)
        arrays = [param, grad, self.buffer(state, "square_avg", param)]
        if self.momentum:
            arrays.append(self.buffer(state, "momentum_buffer", param))
        if fast_paths_enabled():  # the fast path: the same passes over parts of the arrays,
            # at once on the host's threads (backend/host_threads.py): over the MNIST MLP's
            # 407,050 parameters right after a GEMM, 2 threads, 0.41 -> 0.36 ms.
            host_threads.run_on_elements(self.rmsprop_step, *arrays)
        else:
            self.rmsprop_step(*arrays)

    def rmsprop_step(self, param: Any, grad: Any, mean_square: Any, velocity: Any = None) -> None:
        """The update of ``param`` from ``grad`` (once any weight decay is applied), in place,
        with the running mean of squares ``mean_square`` and, with momentum, ``velocity``."""
        xp = backend.array_module(param)
        # One scratch array serves every intermediate (out=...): each new array of this
        # size costs an allocation and page faults, measured at a third of the update.
        step = xp.multiply(grad, grad)
        step *= 1 - self.alpha
        mean_square *= self.alpha  # s ← αs + (1 − α)g²
        mean_square += step
        if self.eps_inside_sqrt:
            xp.add(mean_square, self.eps, out=step)
            xp.sqrt(step, out=step)  # √(s + ε)
        else:
            xp.sqrt(mean_square, out=step)
            step += self.eps  # √s + ε
        xp.divide(grad, step, out=step)  # g / (√s + ε), or g / √(s + ε)
        if velocity is not None:
            velocity *= self.momentum  # b ← μb + g / (√s + ε)
            velocity += step
            xp.multiply(velocity, self.lr, out=step)
        else:
            step *= self.lr
        param -= step  # θ ← θ − lr·b   (or lr·g / (√s + ε) without momentum)
