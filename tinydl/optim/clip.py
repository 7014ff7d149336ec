"""Gradient clipping by global norm: one scale factor for all gradients together."""

from __future__ import annotations

from collections.abc import Iterable

from tinydl import backend, check
from tinydl.autograd.tensor import Tensor
from tinydl.optim.parameters import as_parameter_list


def clip_grad_norm_(parameters: Iterable[Tensor], max_norm: float, eps: float = 1e-6) -> Tensor:
    """Scale every gradient by one factor so that their global L2 norm is at most ``max_norm``.

    The global norm treats all gradients as one long vector, ‖g‖ = √(Σ gᵢ²);
    each gradient becomes g · min(1, max_norm / (‖g‖ + eps)), so the direction of
    the whole update is kept (PyTorch's ``torch.nn.utils.clip_grad_norm_``, Keras's
    ``global_clipnorm``). Parameters without a gradient are skipped.

    Returns the norm *before* clipping as a 0-d, float Tensor on the gradients'
    device, like PyTorch: read it with ``float(norm)`` only when you log it, as
    that waits for a GPU. For the same reason the factor is applied even when
    it is 1, instead of asking the GPU whether clipping is needed. Each ``.grad``
    is replaced by a new tensor (never changed in place: a gradient array may be
    shared by two parameters). An infinite or NaN norm makes the gradients 0 or
    NaN; check the returned norm if that can happen.
    """
    parameters = as_parameter_list(parameters, "clip_grad_norm_")
    max_norm = check.number("clip_grad_norm_", "max_norm", max_norm, ">= 0")
    grads = [p.grad.array for p in parameters if p.grad is not None]
    if not grads:
        xp = backend.array_module(parameters[0].array)
        return Tensor(xp.zeros((), dtype=parameters[0].dtype))
    devices = {str(backend.device_of(grad)) for grad in grads}
    if len(devices) > 1:
        raise ValueError(
            f"clip_grad_norm_ needs all gradients on one device, got {', '.join(sorted(devices))}"
        )
    xp = backend.array_module(grads[0])
    total_norm = xp.sqrt(sum(xp.sum(xp.square(grad)) for grad in grads))  # √(Σ g²)
    factor = xp.minimum(max_norm / (total_norm + eps), 1.0)  # min(1, max_norm / (‖g‖ + eps))
    for parameter in parameters:
        if parameter.grad is not None:
            grad = parameter.grad.array
            parameter.grad = Tensor(grad * factor.astype(grad.dtype))
    return Tensor(xp.asarray(total_norm))
