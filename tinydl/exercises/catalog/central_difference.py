"""Exercise 4, central_difference: the heart of a gradient check, estimated from f alone.

The hints and the check of the stub ``stubs/central_difference.py``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import numpy as np

from tinydl.exercises.checker import Failure, learner_attribute, learner_code, random_arrays
from tinydl.exercises.diagnosis import (
    Factor,
    Mismatch,
    close,
    element,
    shape_cause,
    value_cause,
    worst_index,
)
from tinydl.exercises.exercise import ENGINE_HINTS, Exercise


@dataclass(frozen=True)
class Case:
    """A function f of an array, its exact gradient, the point x and the step ε."""

    label: str
    f: Callable[[np.ndarray], float]
    exact: Callable[[np.ndarray], np.ndarray]
    x: np.ndarray
    eps: float


def cases() -> list[Case]:
    """A cubic (where a one-sided estimate is visibly worse at ε = 0.01), a matrix function
    and a function of a 3-D array (every index must be reached)."""
    w, v, c, x2, x3 = random_arrays(12, (3, 4), (2, 4), (2, 3, 2), (2, 3), (2, 3, 2))
    cubic = np.array([-1.2, -0.3, 0.4, 0.9, 1.7])
    return [
        Case("f(x) = Σ x³ at x of shape (5,), ε = 0.01", lambda x: float((x**3).sum()),
             lambda x: 3 * x**2, cubic, 1e-2),
        Case("f(X) = Σ V ⊙ tanh(X W) at X of shape (2, 3), ε = 0.001",
             lambda x: float((v * np.tanh(x @ w)).sum()),
             lambda x: (v * (1 - np.tanh(x @ w) ** 2)) @ w.T, x2, 1e-3),
        Case("f(x) = Σ c ⊙ sin(x) at x of shape (2, 3, 2), ε = 0.001",
             lambda x: float((c * np.sin(x)).sum()), lambda x: c * np.cos(x), x3, 1e-3),
    ]  # fmt: skip


def central(
    f: Callable[[np.ndarray], float], x: np.ndarray, eps: float, sides: tuple[int, int] = (1, -1)
) -> np.ndarray:
    """The estimate from f at x + sides[0]·ε·eᵢ and x + sides[1]·ε·eᵢ, element by element:
    the central difference, or with ``sides=(1, 0)`` or ``(0, -1)`` a one-sided one."""
    x, grad = x.copy(), np.empty(x.shape)
    for index in np.ndindex(x.shape):
        old = x[index]
        values = []
        for side in sides:
            x[index] = old + side * eps
            values.append(f(x))
        x[index] = old
        grad[index] = (values[0] - values[1]) / ((sides[0] - sides[1]) * eps)
    return grad


def _diagnoses(case: Case) -> list[Callable[[Mismatch], str | None]]:
    exact = case.exact(case.x)

    def one_sided(mismatch: Mismatch) -> str | None:
        for sides in ((1, 0), (0, -1)):
            if close(mismatch.learned, central(case.f, case.x, case.eps, sides)):
                i = worst_index(mismatch.learned, exact)
                yours = abs(mismatch.learned[i] - exact[i])
                theirs = abs(mismatch.expected[i] - exact[i])
                return (
                    f"one-sided difference: your estimate is what a nudge in one direction "
                    f"alone gives, whose error shrinks like ε, not ε². At index {i} it is "
                    f"{yours:.2g} away from the exact derivative, the central difference "
                    f"{theirs:.2g}"
                )
        return None

    def all_at_once(mismatch: Mismatch) -> str | None:
        whole = (case.f(case.x + case.eps) - case.f(case.x - case.eps)) / (2 * case.eps)
        if close(mismatch.learned, np.full(case.x.shape, whole)):
            return (
                f"every element of x was nudged at once: each of your entries is {whole:.6g}, "
                f"how f changes when all of x moves together (the sum of all the partial "
                f"derivatives), not when one element moves alone"
            )
        return None

    def eps_ignored(mismatch: Mismatch) -> str | None:
        if np.allclose(mismatch.learned, exact, rtol=1e-5, atol=1e-8):
            return (
                f"your estimate is closer to the exact derivative than a step of ε = "
                f"{case.eps:g} allows: is the eps argument used, or a step of your own?"
            )
        return None

    return [one_sided, all_at_once, eps_ignored]


STEP_FACTOR = Factor(
    2,
    too_large="the change of f was divided by a step half as long as the distance between "
    "the two points where f was evaluated",
    too_small="the change of f was divided by a step twice as long as the distance between "
    "the two points where f was evaluated",
)


def check(module: ModuleType) -> None:
    numeric_gradient = learner_attribute(module, "numeric_gradient")
    path = Path(module.__file__)
    for case in cases():
        given = case.x.copy()
        with learner_code(path, f"numeric_gradient for {case.label}"):
            got = np.asarray(numeric_gradient(_shape_checked(case), given, case.eps))
        if not np.array_equal(given, case.x):
            i = worst_index(given, case.x)
            raise Failure(
                f"numeric_gradient changed x for {case.label}: afterwards {element('x', i)} is "
                f"{given[i]:.10g}, where it was {case.x[i]:.10g}",
                cause="x not restored: an element nudged in place was not put back, so the "
                "caller's x is left moved (and every later estimate is taken at a wrong point)",
            )
        if got.shape != case.x.shape:
            raise Failure(
                f"numeric_gradient returns shape {got.shape} for {case.label}, but x has shape "
                f"{case.x.shape}: an estimate per element, laid out as x",
                cause=shape_cause("x", got.shape, case.x.shape),
            )
        expected = central(case.f, case.x, case.eps)
        if close(got, expected):
            continue
        i = worst_index(got, expected)
        raise Failure(
            f"numeric_gradient gives wrong values for {case.label}: worst at index {i}, yours "
            f"{got[i]:.8g}, expected {expected[i]:.8g} (the central difference at this ε)",
            cause=value_cause(
                Mismatch("your estimate", got, expected), [STEP_FACTOR], _diagnoses(case)
            ),
        )


def _shape_checked(case: Case) -> Callable[[np.ndarray], float]:
    """f, refusing to be called with anything but an array of x's shape."""

    def f(x: np.ndarray) -> float:
        if np.shape(x) != case.x.shape:
            raise Failure(
                f"numeric_gradient called f with an array of shape {np.shape(x)} for "
                f"{case.label}, but f takes arrays of x's shape {case.x.shape}",
                cause="f is a function of the whole of x: nudge one element of x and pass "
                "all of x",
            )
        return case.f(x)

    return f


EXERCISE = Exercise(
    "central_difference",
    "the heart of a gradient check: estimate a gradient from f alone",
    (
        "the slope of f at x is the limit of (f(x + h) − f(x))/h. Taylor: "
        "f(x + h) = f(x) + h·f′(x) + h²/2·f″(x) + ...; write f(x − h) the same way: which "
        "combination of the two cancels the h² term? One element of x at a time: the "
        "others stay where they are",
        "∂f/∂xᵢ ≈ (f(x + ε·eᵢ) − f(x − ε·eᵢ)) / 2ε, where eᵢ is 1 at element i and 0 "
        "elsewhere: its error is about ε²/6·f‴, against ε/2·f″ for the one-sided "
        "(f(x + ε·eᵢ) − f(x))/ε",
        "grad = np.empty(x.shape); for index in np.ndindex(x.shape): keep old = x[index], "
        "set x[index] = old + eps and plus = f(x), then x[index] = old - eps and minus = "
        "f(x), put x[index] = old back, and grad[index] = (plus - minus) / (2 * eps)",
    ),
    ("(f(x + ε·eᵢ) − f(x − ε·eᵢ)) / 2ε", "(plus - minus) / (2 * eps)"),
    check,
    hint_kinds=ENGINE_HINTS,
)
