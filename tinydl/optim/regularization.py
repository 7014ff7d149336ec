"""L1 and L2 penalties: differentiable terms to add to a loss to keep weights small."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from tinydl import ops
from tinydl.autograd.parameter_list import as_parameter_list
from tinydl.autograd.tensor import Tensor


def l1_penalty(parameters: Iterable[Tensor]) -> Tensor:
    """Σ |θ| over every element of every parameter: a scalar Tensor to add to the loss.

    ``loss + lam * l1_penalty(model.parameters())`` pushes weights to exactly 0
    (its gradient is lam·sign(θ), 0 at θ = 0), like Keras's ``regularizers.L1(lam)``.
    """
    # |θ| = max(θ, −θ): built from tinydl ops so backward() works; at θ = 0 the tie
    # splits the gradient evenly, +½ − ½ = 0, the usual subgradient.
    return _sum_over(parameters, "l1_penalty", lambda p: ops.maximum(p, -p).sum())


def l2_penalty(parameters: Iterable[Tensor]) -> Tensor:
    """Σ θ² over every element of every parameter (the squared L2 norm): a scalar Tensor.

    ``loss + lam * l2_penalty(model.parameters())`` is Keras's ``regularizers.L2(lam)``;
    its gradient is 2·lam·θ. The optimisers' ``weight_decay=wd`` adds wd·θ to the
    gradient instead, the same as ``loss + (wd / 2) * l2_penalty(...)`` without
    building the extra graph.
    """
    return _sum_over(parameters, "l2_penalty", lambda p: (p * p).sum())


def _sum_over(
    parameters: Iterable[Tensor], caller: str, penalty: Callable[[Tensor], Tensor]
) -> Tensor:
    first, *rest = as_parameter_list(parameters, caller)
    total = penalty(first)
    for parameter in rest:
        total = total + penalty(parameter)
    return total
