"""Recognising typical mistakes: compare a learner's gradient with the right one and name the
pattern in plain words (transposed, off by a constant factor, not summed over the broadcast
axes, shifted by the padding, the chain rule forgotten, the input used where the output
belongs, ...).

Every function here returns the likely cause as a sentence, or None when no known pattern
fits. The checker only calls them once a check has already failed, so a pattern can never
turn a failure into a pass.

A cause names the mistake and its evidence (which input, the factor, the shapes that do not
fit, an element where the learner's value and the right one differ) and never the answer's
formula or code: the hints (``tinydl exercises hint``) reveal that, one level at a time.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

# Two gradients computed in float64 by different formulas agree to ~1e-15; a mistake makes
# them differ by far more than this.
RTOL, ATOL = 1e-6, 1e-9


@dataclass(frozen=True)
class Factor:
    """A number that a typical mistake multiplies a gradient by, with the cause in words
    for a gradient that is ``value`` times too large and for one ``value`` times too small."""

    value: float
    too_large: str
    too_small: str


@dataclass(frozen=True)
class Mismatch:
    """A wrong result: the learner's ``learned`` where ``expected`` is right. ``what`` names
    it in messages ("dL/dA", "the step").

    ``local`` is the right gradient for grad_output = 1 everywhere (what a backward that
    forgot to multiply by grad_output returns), ``grad_output`` the one actually used.
    """

    what: str
    learned: np.ndarray
    expected: np.ndarray
    local: np.ndarray | None = None
    grad_output: np.ndarray | None = None


Diagnose = Callable[[Mismatch], str | None]

# A local derivative of an element-wise function, from its input x and its output y.
Slope = Callable[[np.ndarray, np.ndarray], np.ndarray]


def close(a: np.ndarray, b: np.ndarray) -> bool:
    """Equal shapes and values equal up to float64 rounding."""
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=RTOL, atol=ATOL))


def shape_cause(
    name: str,
    got: tuple[int, ...],
    wanted: tuple[int, ...],
    output_shape: tuple[int, ...] | None = None,
) -> str | None:
    """Why dL/d``name`` might have shape ``got`` instead of ``name``'s shape ``wanted``."""
    if len(got) == 2 and got == wanted[::-1]:
        return (
            f"missing transpose: {got} is {name}'s shape {wanted} transposed, so a transpose "
            f"is missing (or one too many) in the formula for dL/d{name}"
        )
    if output_shape is not None and got == output_shape and _broadcasts_to(wanted, got):
        return (
            f"broadcasting not summed back: {got} is the output's shape. {name} {wanted} was "
            f"broadcast (repeated) to {got} in forward, so each of its values has several "
            f"copies in the output, and each copy moves the loss"
        )
    if math.prod(got) == math.prod(wanted):
        return (
            f"the values may be right but are laid out as {got}, with the same number of "
            f"elements as {name}'s shape {wanted}: look at which axes your result has"
        )
    return None


def value_cause(
    mismatch: Mismatch, factors: Sequence[Factor] = (), diagnoses: Sequence[Diagnose] = ()
) -> str | None:
    """The likely cause of a wrong gradient of the right shape, or None if no pattern fits."""
    learned, expected, what = mismatch.learned, mismatch.expected, mismatch.what
    if not np.all(np.isfinite(learned)):
        return (
            f"{what} contains NaN or infinity: look for a division by zero, or an "
            f"exponential of a large number"
        )
    if not learned.any():
        return f"{what} is all zeros: nothing reached it"
    if mismatch.local is not None and close(learned, mismatch.local):
        return (
            f"the chain rule is missing: {what} is the local derivative alone. Multiply it "
            f"by grad_output, the gradient arriving from the layers above"
        )
    if learned.ndim == 2 and close(learned, expected.T):
        return f"missing transpose: {what} is exactly the transpose of the right gradient"
    factor = _constant_factor(learned, expected)
    if factor is not None:
        return _factor_cause(what, factor, factors)
    if learned.ndim == 4:
        shift = _shift(learned, expected)
        if shift is not None:
            rows, columns = shift
            return (
                f"wrong padding offset: {what} is the right gradient shifted by {rows} "
                f"row(s) and {columns} column(s) (positive: down/right), so the padding was "
                f"cut off on the wrong sides: pixel (r, q) of the input is pixel (r + P, q + P) "
                f"of the padded image"
            )
    # The exercise's own patterns last: some only say where the error is, which a more
    # specific pattern above explains better.
    for diagnose in diagnoses:
        cause = diagnose(mismatch)
        if cause:
            return cause
    return None


def worst_index(got: np.ndarray, expected: np.ndarray) -> tuple[int, ...]:
    """The index where ``got`` is furthest from ``expected``."""
    difference = np.abs(got - expected)  # NaN counts as the worst: argmax picks it first
    return tuple(int(i) for i in np.unravel_index(int(np.argmax(difference)), got.shape))


def element(name: str, index: tuple[int, ...]) -> str:
    """``x[0, 2]``: one element of the array called ``name``, as Python indexes it."""
    return f"{name}[{', '.join(map(str, index))}]"


def wrong_slope(x: np.ndarray, y: np.ndarray, slope: Slope, mistake: str) -> Diagnose:
    """Recognise an element-wise function's backward that multiplied grad_output by the wrong
    local derivative ``slope(x, y)``; the cause is ``mistake`` and one element as evidence."""

    def diagnose(mismatch: Mismatch) -> str | None:
        g = mismatch.grad_output
        if g is None or not close(mismatch.learned, g * slope(x, y)):
            return None
        i = worst_index(mismatch.learned, mismatch.expected)
        return (
            f"{mistake} (at {element('x', i)} = {x[i]:.4g}, where y = {y[i]:.4g}: your slope "
            f"{mismatch.learned[i] / g[i]:.4g}, the right one {mismatch.expected[i] / g[i]:.4g})"
        )

    return diagnose


def divided_twice(count: int, what: str) -> Factor:
    """The 1/n of a mean missing (too large) or applied twice (too small)."""
    return Factor(
        count, too_large=f"the 1/{what} is missing", too_small=f"it was divided by {what} twice"
    )


def wrong_only_where(mask: np.ndarray, mismatch: Mismatch) -> bool:
    """True when the learned values are wrong somewhere, and only inside ``mask``."""
    wrong = ~np.isclose(mismatch.learned, mismatch.expected, rtol=RTOL, atol=ATOL)
    return bool(wrong.any()) and bool(mask[wrong].all())


def _broadcasts_to(shape: tuple[int, ...], target: tuple[int, ...]) -> bool:
    if len(shape) > len(target):
        return False
    return all(n in (1, t) for n, t in zip(shape[::-1], target[::-1], strict=False))


def _constant_factor(learned: np.ndarray, expected: np.ndarray) -> float | None:
    """c when ``learned`` = c·``expected`` everywhere (c ≠ 1), else None."""
    norm = float((expected * expected).sum())
    if norm == 0:
        return None
    c = float((learned * expected).sum()) / norm
    if math.isclose(c, 1, rel_tol=RTOL) or not close(learned, c * expected):
        return None
    return c


def _factor_cause(what: str, c: float, factors: Sequence[Factor]) -> str:
    for factor in factors:
        if math.isclose(c, factor.value, rel_tol=1e-6):
            return f"{what} is {factor.value:g} times too large: {factor.too_large}"
        if math.isclose(c, 1 / factor.value, rel_tol=1e-6):
            return f"{what} is {factor.value:g} times too small: {factor.too_small}"
    if math.isclose(c, -1, rel_tol=1e-6):
        return f"sign flipped: {what} is minus the right gradient"
    return (
        f"{what} is {c:.6g} times the right value everywhere: a constant factor is wrong or missing"
    )


def _shift(learned: np.ndarray, expected: np.ndarray, reach: int = 2) -> tuple[int, int] | None:
    """(rows, columns) when ``learned[..., r, q] == expected[..., r - rows, q - columns]`` on
    the pixels both cover, for a shift of at most ``reach`` pixels; else None."""
    h, w = learned.shape[-2:]
    for rows in range(-reach, reach + 1):
        for columns in range(-reach, reach + 1):
            if (rows, columns) == (0, 0) or abs(rows) >= h or abs(columns) >= w:
                continue
            mine = learned[
                ..., max(rows, 0) : h + min(rows, 0), max(columns, 0) : w + min(columns, 0)
            ]
            theirs = expected[
                ..., max(-rows, 0) : h - max(rows, 0), max(-columns, 0) : w - max(columns, 0)
            ]
            if theirs.any() and close(mine, theirs):
                return rows, columns
    return None
