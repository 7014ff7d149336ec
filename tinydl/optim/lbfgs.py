"""L-BFGS: a quasi-Newton method that remembers the last few steps to guess the curvature.

Newton's method steps by −H⁻¹g, the gradient g scaled by the inverse Hessian H⁻¹: long
steps along flat directions, short ones along steep ones. L-BFGS never forms H⁻¹. Each
step s = xₖ₊₁ − xₖ and the change of gradient y = gₖ₊₁ − gₖ it caused say how the
slope changes along s (for a quadratic, y = H s); the last ``history_size`` pairs
(s, y) define an approximation of H⁻¹ whose product with g the *two-loop recursion*
below computes in O(history · parameters).

Unlike the other optimisers, ``step`` needs a ``closure`` that recomputes the loss and
its gradients, because one step evaluates the function several times (up to
``max_iter`` iterations, each with a line search when ``line_search_fn="strong_wolfe"``)::

    optimizer = optim.LBFGS(model.parameters(), lr=0.8)

    def closure():
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        return loss

    optimizer.step(closure)

This follows ``torch.optim.LBFGS`` step for step (its iterates are tested against
PyTorch's): the same first step, memory updates, stopping rules and strong-Wolfe line
search (the one of minFunc, bracketing then zooming with cubic interpolation).
Scalars are read to the host (``float``) where the algorithm branches on them, as in
PyTorch: L-BFGS waits for the device several times per iteration by nature.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from tinydl import backend, check
from tinydl.autograd.tensor import Tensor
from tinydl.autograd.tensor_checks import one_device, scalar
from tinydl.optim.optimizer import Optimizer, _device_copy

Closure = Callable[[], Any]


class LBFGS(Optimizer):
    """``LBFGS(params, lr=1, max_iter=20, max_eval=None, tolerance_grad=1e-7,
    tolerance_change=1e-9, history_size=100, line_search_fn=None)``, PyTorch's arguments:

    - ``lr``: the step length (without a line search, the step is ``lr`` times the
      L-BFGS direction; the very first one is scaled down to at most ``lr / Σ|g|``);
    - ``max_iter``: iterations per ``step()``; ``max_eval``: function evaluations per
      ``step()`` (default ``max_iter · 5 // 4``);
    - ``tolerance_grad``: stop when every |gradient| is at most this;
      ``tolerance_change``: stop when the loss or the step changes less than this;
    - ``history_size``: how many (s, y) pairs to remember;
    - ``line_search_fn``: None (fixed steps) or ``"strong_wolfe"``.

    One parameter group only, all parameters on one device (as in PyTorch). Its state
    (the history) is kept as the state of the first parameter, as PyTorch keeps it.
    """

    def __init__(
        self, params: Iterable[Tensor], lr: float = 1, max_iter: int = 20,
        max_eval: int | None = None, tolerance_grad: float = 1e-7,
        tolerance_change: float = 1e-9, history_size: int = 100,
        line_search_fn: str | None = None,
    ) -> None:
        max_iter = check.positive_int("LBFGS", "max_iter", max_iter)
        super().__init__(
            params, lr=lr, max_iter=max_iter,
            max_eval=max_iter * 5 // 4 if max_eval is None else max_eval,
            tolerance_grad=tolerance_grad, tolerance_change=tolerance_change,
            history_size=history_size, line_search_fn=line_search_fn,
        )
        if len(self.param_groups) != 1:
            raise ValueError(
                "LBFGS does not support parameter groups (as in PyTorch): pass one list of "
                "parameters, with one set of options"
            )
        one_device("LBFGS", "the parameters", self.params)

    def _checked(self, hyperparameters: dict[str, Any]) -> dict[str, Any]:
        counts = ("max_iter", "max_eval", "history_size")
        checked = super()._checked(
            {k: v for k, v in hyperparameters.items() if k not in (*counts, "line_search_fn")}
        )
        for name in counts:
            if name in hyperparameters:
                checked[name] = check.positive_int("LBFGS", name, hyperparameters[name])
        if "line_search_fn" in hyperparameters:
            checked["line_search_fn"] = check.one_of(
                "LBFGS", "line_search_fn", hyperparameters["line_search_fn"],
                (None, "strong_wolfe"),
            )
        return checked

    # ---- the parameters as one flat vector -----------------------------------------------
    def _flat_grad(self) -> Any:
        """Every gradient, flattened and joined (zeros for a parameter without one)."""
        xp = backend.array_module(self.params[0].array)
        return xp.concatenate([
            p.grad.array.reshape(-1).astype(p.dtype, copy=False) if p.grad is not None
            else xp.zeros(p.array.size, dtype=p.dtype)
            for p in self.params
        ])

    def _move(self, step: float, direction: Any) -> None:
        """x ← x + step · direction, each parameter taking its own slice of the vector."""
        offset = 0
        for p in self.params:
            size = p.array.size
            p.array += step * direction[offset:offset + size].reshape(p.shape)
            offset += size

    def _evaluate_along(self, closure: Closure, start: list[Any], direction: Any,
                        step: float) -> tuple[float, Any]:
        """The loss and flat gradient at start + step · direction; the parameters are put
        back to ``start`` afterwards (the line search only looks)."""
        self._move(step, direction)
        loss = _loss(closure())
        flat_grad = self._flat_grad()
        for p, values in zip(self.params, start, strict=True):
            p.array[...] = values
        return loss, flat_grad

    # ---- one step: up to max_iter L-BFGS iterations --------------------------------------
    def step(self, closure: Closure | None = None) -> Any:  # type: ignore[override]
        """Run up to ``max_iter`` iterations; returns the loss ``closure()`` gave first."""
        if not callable(closure):
            raise TypeError(
                "LBFGS.step() needs a closure that clears the gradients, computes the loss, "
                "calls loss.backward() and returns the loss: optimizer.step(closure)"
            )
        group = self.param_groups[0]
        lr, max_iter, max_eval = group["lr"], group["max_iter"], group["max_eval"]
        tolerance_grad, tolerance_change = group["tolerance_grad"], group["tolerance_change"]
        state = self.state[0]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)

        first_loss = closure()
        loss = _loss(first_loss)
        evaluations = 1
        state["func_evals"] += 1
        flat_grad = self._flat_grad()
        if _largest(flat_grad) <= tolerance_grad:  # already at a stationary point
            return first_loss

        direction, step = state.get("d"), state.get("t")
        steps, grad_changes, rho = state.get("old_stps"), state.get("old_dirs"), state.get("ro")
        h_diag, prev_flat_grad = state.get("H_diag"), state.get("prev_flat_grad")
        prev_loss = state.get("prev_loss")
        iteration = 0
        while iteration < max_iter:
            iteration += 1
            state["n_iter"] += 1
            if state["n_iter"] == 1:  # no history yet: steepest descent
                direction = -flat_grad
                steps, grad_changes, rho, h_diag = [], [], [], 1.0
            else:
                h_diag = self._remember(flat_grad - prev_flat_grad, direction * step, steps,
                                        grad_changes, rho, h_diag, group["history_size"])
                direction = _two_loop(flat_grad, steps, grad_changes, rho, h_diag)
            prev_flat_grad = flat_grad.copy()
            prev_loss = loss
            # The first step ever is scaled to at most lr / Σ|g|: the scale of H⁻¹ is unknown.
            step = min(1.0, 1.0 / float(abs(flat_grad).sum())) * lr if state["n_iter"] == 1 \
                else lr
            slope = float(flat_grad @ direction)  # g·d, negative along a descent direction
            if slope > -tolerance_change:
                break
            if group["line_search_fn"] == "strong_wolfe":
                start = [p.array.copy() for p in self.params]
                loss, flat_grad, step, used = _strong_wolfe(
                    functools.partial(self._evaluate_along, closure, start, direction),
                    step, direction, loss, flat_grad, slope, max_tries=max_eval - evaluations,
                )
                self._move(step, direction)
            else:
                self._move(step, direction)
                used = 0
                if iteration != max_iter:  # the last iteration's loss is not needed
                    loss, used = float(closure()), 1
                    flat_grad = self._flat_grad()
            evaluations += used
            state["func_evals"] += used
            if (iteration == max_iter or evaluations >= max_eval
                    or _largest(flat_grad) <= tolerance_grad
                    or _largest(direction) * abs(step) <= tolerance_change
                    or abs(loss - prev_loss) < tolerance_change):
                break
        state.update(d=direction, t=step, old_dirs=grad_changes, old_stps=steps, ro=rho,
                     H_diag=h_diag, prev_flat_grad=prev_flat_grad, prev_loss=prev_loss)
        return first_loss

    @staticmethod
    def _remember(y: Any, s: Any, steps: list, grad_changes: list, rho: list, h_diag: float,
                  history_size: int) -> float:
        """Add the pair (s, y) to the history if y·s > 0 (the curvature along s is
        positive, so the update keeps H⁻¹ positive definite), dropping the oldest pair
        when full; returns the new scale of the initial H⁻¹, y·s / y·y."""
        ys = float(y @ s)
        if ys <= 1e-10:
            return h_diag
        if len(steps) == history_size:
            del steps[0], grad_changes[0], rho[0]
        steps.append(s)
        grad_changes.append(y)
        rho.append(1.0 / ys)
        return ys / float(y @ y)

    # ---- saving: the history holds lists of vectors --------------------------------------
    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """As :meth:`Optimizer.load_state_dict`; the history (kept as parameter 0's state,
        whose vectors span every parameter) is restored as it was saved."""
        history = dict(state_dict.get("state", {}).get(0, {}))
        super().load_state_dict({**state_dict, "state": {}})
        self.state[0] = {name: _restored(value, self.params[0].array)
                         for name, value in history.items()}


def _loss(value: Any) -> float:
    return scalar("LBFGS.step()", "what the closure returns", value,
                  "the loss (a one-element Tensor or a number)")


def _restored(value: Any, like: Any) -> Any:
    """A saved history entry on ``like``'s device and dtype: arrays, and lists of them."""
    if isinstance(value, list):
        return [_restored(item, like) for item in value]
    return _device_copy(value, like) if isinstance(value, np.ndarray) else value


def _two_loop(flat_grad: Any, steps: list, grad_changes: list, rho: list, h_diag: float) -> Any:
    """d = −H⁻¹ g by the two-loop recursion over the history (s_i, y_i, ρ_i = 1/(y_i·s_i)):
    the first loop peels the newest pairs off g, the middle scales by the initial
    H₀⁻¹ = h_diag · I, the second loop adds them back oldest first."""
    alphas = [0.0] * len(steps)
    q = -flat_grad
    for i in reversed(range(len(steps))):
        alphas[i] = float(steps[i] @ q) * rho[i]
        q -= alphas[i] * grad_changes[i]
    r = q * h_diag
    for i in range(len(steps)):
        beta = float(grad_changes[i] @ r) * rho[i]
        r += (alphas[i] - beta) * steps[i]
    return r


def _largest(vector: Any) -> float:
    return float(abs(vector).max())


def _cubic_minimum(x1: float, f1: float, g1: float, x2: float, f2: float, g2: float,
                   bounds: tuple[float, float] | None = None) -> float:
    """The minimiser of the cubic through (x1, f1) and (x2, f2) with slopes g1 and g2,
    clamped to ``bounds`` (default: between x1 and x2); the middle of the bounds when the
    cubic has no minimum."""
    low, high = bounds if bounds is not None else (min(x1, x2), max(x1, x2))
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1 * d1 - g1 * g2
    if d2_square < 0:
        return (low + high) / 2
    d2 = math.sqrt(d2_square)
    if x1 <= x2:
        minimum = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
    else:
        minimum = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
    return min(max(minimum, low), high)


def _strong_wolfe(
    evaluate: Callable[[float], tuple[float, Any]], t: float, d: Any, f: float, g: Any,
    gtd: float, max_tries: int, c1: float = 1e-4, c2: float = 0.9,
    tolerance_change: float = 1e-9,
) -> tuple[float, Any, float, int]:
    """A step t along d meeting the strong Wolfe conditions,

        f(x + t d) ≤ f(x) + c1 t g·d       (enough decrease)
        |g(x + t d)·d| ≤ c2 |g·d|          (the slope has flattened enough),

    found by growing t until an interval must contain such a point, then shrinking that
    interval by cubic interpolation; at most ``max_tries`` evaluations after the first.
    Returns (loss, flat gradient, t, evaluations). (As in PyTorch, the bracket's
    ``tolerance_change`` is 1e-9 whatever the optimiser's is.)"""
    d_largest = _largest(d)
    f_new, g_new = evaluate(t)
    evaluations = 1
    gtd_new = float(g_new @ d)

    # Phase 1, bracketing: step further until an interval [t_prev, t] holds a good point.
    t_prev, f_prev, g_prev, gtd_prev = 0.0, f, g, gtd
    done = False
    tries = 0
    while tries < max_tries:  # the else below runs when no break ended the loop
        if f_new > f + c1 * t * gtd or (tries > 1 and f_new >= f_prev):
            bracket = [t_prev, t], [f_prev, f_new], [g_prev, g_new], [gtd_prev, gtd_new]
            break
        if abs(gtd_new) <= -c2 * gtd:  # both conditions hold at t
            bracket = [t], [f_new], [g_new], [gtd_new]
            done = True
            break
        if gtd_new >= 0:  # the slope turned: the minimum lies behind t
            bracket = [t_prev, t], [f_prev, f_new], [g_prev, g_new], [gtd_prev, gtd_new]
            break
        # Still descending: extrapolate, between 1.01·t and 10·t.
        low, high = t + 0.01 * (t - t_prev), t * 10
        t_next = _cubic_minimum(t_prev, f_prev, gtd_prev, t, f_new, gtd_new, (low, high))
        t_prev, f_prev, g_prev, gtd_prev = t, f_new, g_new, gtd_new
        t = t_next
        f_new, g_new = evaluate(t)
        evaluations += 1
        gtd_new = float(g_new @ d)
        tries += 1
    else:  # out of evaluations: bracket from the start to the last point
        bracket = [0.0, t], [f, f_new], [g, g_new], [gtd, gtd_new]
    points, values, grads, slopes = bracket

    # Phase 2, zoom: shrink the bracket around a point meeting both conditions.
    progress_was_poor = False
    low_i, high_i = (0, 1) if values[0] <= values[-1] else (1, 0)
    while not done and tries < max_tries:
        if abs(points[1] - points[0]) * d_largest < tolerance_change:
            break
        t = _cubic_minimum(points[0], values[0], slopes[0], points[1], values[1], slopes[1])
        # A trial too close to an end of the bracket makes little progress: if that happens
        # twice, or t is outside, move it a tenth of the bracket inside.
        margin = 0.1 * (max(points) - min(points))
        if min(max(points) - t, t - min(points)) < margin:
            if progress_was_poor or t >= max(points) or t <= min(points):
                t = max(points) - margin if abs(t - max(points)) < abs(t - min(points)) \
                    else min(points) + margin
                progress_was_poor = False
            else:
                progress_was_poor = True
        else:
            progress_was_poor = False
        f_new, g_new = evaluate(t)
        evaluations += 1
        gtd_new = float(g_new @ d)
        tries += 1
        if f_new > f + c1 * t * gtd or f_new >= values[low_i]:
            # Not enough decrease, or not below the best point: t becomes the high end.
            points[high_i], values[high_i], grads[high_i], slopes[high_i] = t, f_new, g_new, gtd_new
            low_i, high_i = (0, 1) if values[0] <= values[1] else (1, 0)
        else:
            if abs(gtd_new) <= -c2 * gtd:
                done = True
            elif gtd_new * (points[high_i] - points[low_i]) >= 0:
                # The minimum lies between t and the old low end: it becomes the high end.
                points[high_i], values[high_i] = points[low_i], values[low_i]
                grads[high_i], slopes[high_i] = grads[low_i], slopes[low_i]
            points[low_i], values[low_i], grads[low_i], slopes[low_i] = t, f_new, g_new, gtd_new
    return values[low_i], grads[low_i], points[low_i], evaluations

