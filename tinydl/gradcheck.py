"""Gradient checking: compare every backward pass with finite differences.

If ``L`` is a scalar function of an input ``x``, the central difference

    (L(x + ε·eᵢ) − L(x − ε·eᵢ)) / 2ε  =  ∂L/∂xᵢ + O(ε²)

estimates each partial derivative without calculus. Agreement with the analytic
gradient (what ``backward()`` computes) to about 1e-7 relative is normal; a
disagreement above 1e-2 means the backward pass is wrong.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import numpy as np

from tinydl import backend, check
from tinydl.autograd import Tensor, no_grad
from tinydl.errors import GradcheckError


def gradcheck(
    fn: Callable[..., Tensor],
    inputs: Sequence[Tensor] | Tensor,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    seed: int = 0,
) -> bool:
    """Check ``fn``'s gradients with respect to every input that requires grad.

    How: ``fn(*inputs)`` is reduced to the scalar ``L = Σ v ⊙ fn(inputs)`` with a
    fixed random ``v`` (a random projection of the output). One backward pass
    then gives the analytic ∂L/∂x for every element of every input, and two
    evaluations of ``L`` per input element give the numeric value. This checks
    every input element against the full Jacobian at the cost of one backward
    pass, where checking each output element separately would take one backward
    per output. Because ``v`` is random (and fixed by ``seed``, so the check is
    repeatable), a wrong Jacobian entry cannot hide behind a zero weight, and
    unlike a random *input* direction, every input element is tested on its own.

    Defaults: ``eps=1e-6`` balances truncation error (∝ ε²) against float64
    rounding (∝ 1e-16/ε); an element passes when
    ``|analytic − numeric| ≤ atol + rtol·|numeric|``.

    ``inputs`` is a sequence of ``fn``'s arguments; a single Tensor stands for the one
    argument of a one-input ``fn`` (``gradcheck(tinydl.tanh, x)``).

    Returns True, or raises :class:`~tinydl.GradcheckError` naming the input,
    the worst element, both values and the tolerance.
    """
    if not callable(fn):
        raise TypeError(
            f"gradcheck() needs fn to be a function of the inputs (such as tinydl.tanh or a "
            f"lambda), got {type(fn).__name__}: call it as gradcheck(fn, [x, ...])"
        )
    eps = check.number("gradcheck()", "eps", eps, "> 0")
    atol = check.number("gradcheck()", "atol", atol, ">= 0")
    rtol = check.number("gradcheck()", "rtol", rtol, ">= 0")
    if isinstance(inputs, Tensor):
        inputs = [inputs]
    elif isinstance(inputs, (str, bytes)) or not isinstance(inputs, Iterable):
        raise TypeError(
            f"gradcheck() needs inputs to be a Tensor or a sequence of fn's arguments, "
            f"got {type(inputs).__name__}"
        )
    inputs = list(inputs)
    checked = [i for i, t in enumerate(inputs) if isinstance(t, Tensor) and t.requires_grad]
    if not checked:
        raise ValueError("gradcheck() needs at least one input tensor with requires_grad=True")
    for i in checked:
        if inputs[i].dtype != np.float64:
            raise TypeError(
                f"gradcheck() needs float64 inputs, but input {i} is {inputs[i].dtype}: a finite "
                f"difference divides a tiny change in the output by 2·eps, and float32 keeps only "
                f"about 7 significant digits, so that quotient would be mostly rounding error. "
                f"Create the input with tinydl.tensor(..., dtype='float64', requires_grad=True)."
            )

    output = fn(*inputs)
    if not isinstance(output, Tensor):
        raise TypeError(f"gradcheck() needs fn to return a Tensor, got {type(output).__name__}")
    if output.dtype != np.float64:
        raise TypeError(
            f"fn returned {output.dtype}, not float64: something inside fn casts its inputs "
            f"down, which makes the numeric gradient meaningless"
        )
    xp = backend.array_module(output.array)
    weights = backend.to_device(
        np.random.default_rng(seed).standard_normal(output.shape), output.device
    )

    def projected_loss() -> float:
        return float((fn(*inputs).array * weights).sum())

    for i in checked:
        inputs[i].grad = None
    (output * Tensor(weights)).sum().backward()

    for i in checked:
        x = inputs[i]
        analytic = (
            xp.zeros(x.shape, dtype=x.dtype) if x.grad is None else x.grad.array
        )
        numeric = np.empty(x.shape)
        with no_grad():
            for index in np.ndindex(*x.shape):
                original = float(x.array[index])
                x.array[index] = original + eps
                plus = projected_loss()
                x.array[index] = original - eps
                minus = projected_loss()
                x.array[index] = original
                numeric[index] = (plus - minus) / (2 * eps)
        _compare(i, x.shape, backend.to_numpy(analytic), numeric, atol, rtol)
    return True


def _compare(
    position: int, shape: tuple[int, ...], analytic: np.ndarray, numeric: np.ndarray,
    atol: float, rtol: float,
) -> None:
    excess = np.abs(analytic - numeric) - (atol + rtol * np.abs(numeric))
    if excess.size == 0 or excess.max() <= 0:
        return
    worst = np.unravel_index(int(np.argmax(excess)), shape)
    a, n = float(analytic[worst]), float(numeric[worst])
    relative = abs(a - n) / max(abs(a), abs(n), 1e-300)
    failing = int((excess > 0).sum())
    raise GradcheckError(
        f"gradient check failed for input {position} (shape {shape}): {failing} of "
        f"{excess.size} elements disagree. Worst at index {tuple(int(k) for k in worst)}: "
        f"analytic (backward) {a:.6g}, numeric (finite difference) {n:.6g}, relative error "
        f"{relative:.3g}; allowed |analytic - numeric| <= atol + rtol*|numeric| with "
        f"atol={atol:g}, rtol={rtol:g}."
    )


__all__ = ["GradcheckError", "gradcheck"]
