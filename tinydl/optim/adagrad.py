"""AdaGrad: per-element learning rates that shrink as squared gradients add up."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tinydl import backend
from tinydl.autograd.tensor import Tensor
from tinydl.optim.optimizer import Optimizer


class AdaGrad(Optimizer):
    """AdaGrad, PyTorch's ``torch.optim.Adagrad`` rule exactly (without ``lr_decay``).

    The sum of all squared gradients so far, G ← G + g² (G starts at
    ``initial_accumulator_value``), scales each step: θ ← θ − lr·g / (√G + ε).
    Elements with large past gradients take ever smaller steps. ``weight_decay``
    λ adds λθ to the gradient first. ``eps_inside_sqrt=True`` steps lr·g / √(G + ε)
    instead, as Keras and TensorFlow do.

    Defaults, as PyTorch: lr=0.01, eps=1e-10, weight_decay=0,
    initial_accumulator_value=0. Keras's ``Adagrad`` defaults to learning_rate=0.001,
    initial_accumulator_value=0.1, epsilon=1e-7 with ε inside the root;
    ``tinydl.keras.optimizers.Adagrad`` is this class with those settings.
    Also importable as ``Adagrad``, PyTorch's spelling.
    """

    lr: float
    eps: float
    weight_decay: float
    initial_accumulator_value: float
    eps_inside_sqrt: bool
    added_later = {"eps_inside_sqrt": False}  # files saved before it used PyTorch's rule

    def __init__(
        self,
        params: Iterable[Tensor],
        lr: float = 0.01,
        eps: float = 1e-10,
        weight_decay: float = 0.0,
        initial_accumulator_value: float = 0.0,
        eps_inside_sqrt: bool = False,
    ) -> None:
        super().__init__(
            params,
            lr=lr,
            eps=eps,
            weight_decay=weight_decay,
            initial_accumulator_value=initial_accumulator_value,
            eps_inside_sqrt=eps_inside_sqrt,
        )

    def update(self, param: Any, grad: Any, state: dict[str, Any]) -> None:
        xp = backend.array_module(param)
        if self.weight_decay:
            grad = grad + self.weight_decay * param  # g ← g + λθ   (a new array: grad is shared)
        squares = self.buffer(state, "sum", param, fill=self.initial_accumulator_value)
        squares += xp.square(grad)  # G ← G + g²
        if self.eps_inside_sqrt:
            scale = xp.sqrt(squares + self.eps)  # √(G + ε)
        else:
            scale = xp.sqrt(squares)
            scale += self.eps  # √G + ε
        xp.divide(grad, scale, out=scale)
        param -= self.lr * scale  # θ ← θ − lr·g / (√G + ε), or lr·g / √(G + ε)


Adagrad = AdaGrad
