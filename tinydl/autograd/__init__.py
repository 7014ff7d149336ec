"""Layer 2: ``Tensor`` and ``Function``, and the backward walk that connects them."""

# Order matters: tensor first, because function.py builds Tensors.
from tinydl.autograd.tensor import Tensor, tensor  # noqa: I001
from tinydl.autograd.function import Function, is_grad_enabled, no_grad

__all__ = ["Function", "Tensor", "is_grad_enabled", "no_grad", "tensor"]
