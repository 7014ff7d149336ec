"""Gradient clipping, PyTorch's ``torch.nn.utils.clip_grad_norm_`` and ``clip_grad_value_``:
called between ``loss.backward()`` and ``optimizer.step()``, they shrink the gradients of
a step that would otherwise jump too far (exploding gradients in recurrent networks and
Transformers)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from tinydl import backend, check
from tinydl.autograd.parameter_list import as_parameter_list
from tinydl.autograd.tensor import Tensor
from tinydl.autograd.tensor_checks import one_device


def clip_grad_norm_(
    parameters: Iterable[Tensor] | Tensor,
    max_norm: float,
    norm_type: float | str = 2.0,
    error_if_nonfinite: bool = False,
    foreach: bool | None = None,
) -> Tensor:
    """Scale every gradient by one factor so that their global norm is at most ``max_norm``.

    The global norm treats all gradients as one long vector: ‖g‖ₚ = (Σ |gᵢ|ᵖ)^(1/p), the
    2-norm by default, ``norm_type=inf`` (or "inf") the largest |gᵢ|. Each gradient
    becomes g · min(1, max_norm / (‖g‖ + 1e-6)), so the direction of the whole update is
    kept (PyTorch's ``clip_grad_norm_``, Keras's ``global_clipnorm``). Parameters without
    a gradient are skipped; ``parameters`` may be one Tensor. ``foreach`` is accepted and
    changes nothing (tinydl has one implementation).

    Returns the norm *before* clipping as a 0-d, float Tensor on the gradients' device,
    like PyTorch: read it with ``float(norm)`` only when you log it, as that waits for a
    GPU. For the same reason the factor is applied even when it is 1, instead of asking
    the GPU whether clipping is needed. An infinite or NaN norm makes the gradients 0 or
    NaN, unless ``error_if_nonfinite=True``, which raises instead (that reads the norm,
    one wait). Each ``.grad`` is replaced by a new tensor (never changed in place: a
    gradient array may be shared by two parameters).
    """
    caller = "clip_grad_norm_"
    parameters = _parameter_list(parameters, caller)
    max_norm = check.number(caller, "max_norm", max_norm, ">= 0")
    power = _norm_type(norm_type)
    grads = _gradients(parameters, caller)
    if not grads:
        xp = backend.array_module(parameters[0].array)
        return Tensor(xp.zeros((), dtype=parameters[0].dtype))
    xp = backend.array_module(grads[0])
    if power == math.inf:
        total_norm = xp.max(xp.stack([xp.abs(grad).max() for grad in grads]))
    else:  # (Σ over all gradients of Σ|g|ᵖ)^(1/p); p = 2 without the powers
        total_norm = (
            xp.sqrt(sum(xp.sum(xp.square(grad)) for grad in grads)) if power == 2
            else sum(xp.sum(xp.abs(grad) ** power) for grad in grads) ** (1 / power)
        )
    if error_if_nonfinite and not math.isfinite(float(total_norm)):
        raise RuntimeError(
            f"clip_grad_norm_: the total norm of order {norm_type} of the gradients is "
            f"{float(total_norm)}, so they cannot be clipped; pass error_if_nonfinite=False to "
            f"scale them by it anyway"
        )
    factor = xp.minimum(max_norm / (total_norm + 1e-6), 1.0)  # min(1, max_norm / (‖g‖ + ε))
    for parameter in parameters:
        if parameter.grad is not None:
            grad = parameter.grad.array
            parameter.grad = Tensor(grad * factor.astype(grad.dtype))
    return Tensor(xp.asarray(total_norm))


def clip_grad_value_(
    parameters: Iterable[Tensor] | Tensor, clip_value: float, foreach: bool | None = None
) -> None:
    """Clip every gradient element to [-clip_value, clip_value] (PyTorch's
    ``clip_grad_value_``; Keras's ``clipvalue``). Unlike :func:`clip_grad_norm_` this
    changes the update's direction. Parameters without a gradient are skipped;
    ``parameters`` may be one Tensor; ``foreach`` changes nothing. Each ``.grad`` is
    replaced by a new tensor."""
    caller = "clip_grad_value_"
    parameters = _parameter_list(parameters, caller)
    clip_value = check.number(caller, "clip_value", clip_value, ">= 0")
    _gradients(parameters, caller)
    for parameter in parameters:
        if parameter.grad is not None:
            grad = parameter.grad.array
            parameter.grad = Tensor(backend.array_module(grad).clip(grad, -clip_value, clip_value))


def _parameter_list(parameters: Any, caller: str) -> list[Tensor]:
    """PyTorch's ``parameters`` argument: an iterable of tensors, or one tensor."""
    return as_parameter_list([parameters] if isinstance(parameters, Tensor) else parameters,
                             caller)


def _gradients(parameters: list[Tensor], caller: str) -> list[Any]:
    """The gradient arrays that exist, all on one device."""
    grads = [p.grad.array for p in parameters if p.grad is not None]
    one_device(caller, "the gradients", grads)
    return grads


def _norm_type(norm_type: Any) -> float:
    """``norm_type`` as p > 0, or inf (also given as "inf")."""
    power = math.inf if norm_type in ("inf", "Inf") else norm_type
    if not check.is_number(power) or not power > 0:
        raise ValueError(
            f"clip_grad_norm_ needs norm_type to be a number > 0 or inf (for the largest "
            f"|gradient|), got {norm_type!r}"
        )
    return float(power)
