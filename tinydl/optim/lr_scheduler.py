"""Learning-rate schedules (PyTorch's names and semantics). Each sets ``group["lr"]`` of every
parameter group of the optimiser (``optimizer.lr`` when there is one group).

Epoch schedules (StepLR, ExponentialLR, CosineAnnealingLR, LambdaLR): call
``scheduler.step()`` once per epoch, after that epoch's optimiser steps; it sets the lr for
the next epoch. ``OneCycleLR`` counts optimiser steps instead: call ``step()`` after every
batch. ``ReduceLROnPlateau`` watches a metric: call ``step(val_loss)`` after each evaluation.

Each schedule says which in its ``interval`` attribute, ``"epoch"`` or ``"step"`` (PyTorch
Lightning's names); ``tinydl.train.fit`` reads it to step the schedule at the right time.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from tinydl import check
from tinydl.autograd.tensor_checks import scalar


def _groups(optimizer: Any, scheduler: str) -> list[dict[str, Any]]:
    groups = getattr(optimizer, "param_groups", None)
    if not isinstance(groups, list) or not groups:
        raise TypeError(f"{scheduler} needs an optimiser with an lr, got {optimizer!r}")
    return groups


def _per_group(value: Any, count: int, name: str, scheduler: str) -> list[Any]:
    """``value`` for each of ``count`` parameter groups: one value for all, or a list of
    ``count`` values (one per group), as PyTorch accepts."""
    if isinstance(value, (list, tuple)):
        if len(value) != count:
            raise ValueError(
                f"{scheduler} got {len(value)} values of {name} for {count} parameter groups"
            )
        return list(value)
    return [value] * count


class LRScheduler:
    """Base class: ``lr_at(epoch, base_lr)`` is the schedule; ``step()`` moves one epoch along
    it for every parameter group, each from its own starting lr (``base_lrs``).

    ``interval``: when ``fit`` calls ``step()``: ``"epoch"`` (after each epoch) or ``"step"``
    (after each batch's optimiser step)."""

    interval = "epoch"

    def __init__(self, optimizer: Any) -> None:
        groups = _groups(optimizer, type(self).__name__)
        self.optimizer = optimizer
        self.base_lrs = [float(group["lr"]) for group in groups]
        self.epoch = 0

    def lr_at(self, epoch: int, base_lr: float) -> float:
        raise NotImplementedError

    def lrs_at(self, epoch: int) -> list[float]:
        """The lr of each parameter group at ``epoch``."""
        return [self.lr_at(epoch, base_lr) for base_lr in self.base_lrs]

    def _apply(self) -> None:
        # Python floats: an np.float64 lr would upcast float32 updates (NEP 50).
        for group, lr in zip(self.optimizer.param_groups, self.lrs_at(self.epoch), strict=True):
            group["lr"] = float(lr)

    def step(self) -> None:
        self.epoch += 1
        self._apply()

    def get_last_lr(self) -> list[float]:
        """The lr each parameter group has now (PyTorch's method)."""
        return [group["lr"] for group in self.optimizer.param_groups]

    def state_dict(self) -> dict[str, Any]:
        return {"base_lrs": list(self.base_lrs), "epoch": self.epoch}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        if not isinstance(state, dict) or "epoch" not in state or not (
            {"base_lrs", "base_lr"} & set(state)
        ):
            raise ValueError(
                f"{type(self).__name__}.load_state_dict() needs what state_dict() returns, a "
                f"dict with base_lrs and epoch, got {state!r}"
            )
        # "base_lr": one value, in files from before parameter groups
        bases = state["base_lrs"] if "base_lrs" in state else state["base_lr"]
        self.base_lrs = [float(b) for b in _per_group(bases, len(self.base_lrs), "base_lrs",
                                                      type(self).__name__)]
        self.epoch = int(state["epoch"])
        self._apply()


class StepLR(LRScheduler):
    """lr = base_lr · gamma^⌊epoch / step_size⌋: times ``gamma`` every ``step_size`` epochs."""

    def __init__(self, optimizer: Any, step_size: int, gamma: float = 0.1) -> None:
        super().__init__(optimizer)
        self.step_size = check.positive_int("StepLR", "step_size", step_size)
        self.gamma = check.number("StepLR", "gamma", gamma, "> 0")

    def lr_at(self, epoch: int, base_lr: float) -> float:
        return base_lr * self.gamma ** (epoch // self.step_size)


class ExponentialLR(LRScheduler):
    """lr = base_lr · gamma^epoch."""

    def __init__(self, optimizer: Any, gamma: float) -> None:
        super().__init__(optimizer)
        self.gamma = check.number("ExponentialLR", "gamma", gamma, "> 0")

    def lr_at(self, epoch: int, base_lr: float) -> float:
        return base_lr * self.gamma**epoch


class CosineAnnealingLR(LRScheduler):
    """lr = eta_min + (base_lr − eta_min) · (1 + cos(π · epoch / T_max)) / 2: a half cosine
    from base_lr down to ``eta_min`` over ``T_max`` epochs."""

    def __init__(self, optimizer: Any, T_max: int, eta_min: float = 0.0) -> None:  # noqa: N803
        super().__init__(optimizer)
        self.T_max = check.positive_int("CosineAnnealingLR", "T_max", T_max)
        self.eta_min = check.number("CosineAnnealingLR", "eta_min", eta_min, ">= 0")

    def lr_at(self, epoch: int, base_lr: float) -> float:
        progress = min(epoch, self.T_max) / self.T_max
        return self.eta_min + (base_lr - self.eta_min) * (1 + math.cos(math.pi * progress)) / 2


class LambdaLR(LRScheduler):
    """lr = base_lr · lr_lambda(epoch), for any function of the epoch (or of the step, when
    ``step()`` is called after every batch): warm-ups, inverse square roots, anything.
    ``lr_lambda`` may be a list with one function per parameter group."""

    def __init__(
        self, optimizer: Any, lr_lambda: Callable[[int], float] | Sequence[Callable[[int], float]]
    ) -> None:
        super().__init__(optimizer)
        self.lr_lambdas = _per_group(lr_lambda, len(self.base_lrs), "lr_lambda", "LambdaLR")
        for function in self.lr_lambdas:
            check.function("LambdaLR", "lr_lambda", function)
        self._apply()  # PyTorch sets base_lr · lr_lambda(0) at once

    def lrs_at(self, epoch: int) -> list[float]:
        return [
            base_lr * scalar("LambdaLR", "lr_lambda(epoch)", function(epoch))
            for base_lr, function in zip(self.base_lrs, self.lr_lambdas, strict=True)
        ]


class OneCycleLR(LRScheduler):
    """The 1cycle policy (Smith & Topin, 2018), PyTorch's ``OneCycleLR``: over
    ``total_steps`` optimiser steps (or ``epochs · steps_per_epoch``; call ``step()`` after
    every batch) the lr rises from max_lr / ``div_factor`` to ``max_lr`` during the first
    ``pct_start`` of the steps, then anneals to max_lr / (div_factor · ``final_div_factor``),
    along a cosine (``anneal_strategy="cos"``) or a line (``"linear"``). With
    ``three_phase=True`` it first comes back down to the initial lr, and only then anneals.

    With ``cycle_momentum`` (default) the momentum (SGD's ``momentum``, Adam's β₁) moves
    the opposite way, between ``max_momentum`` and ``base_momentum``.
    """

    interval = "step"

    def __init__(
        self,
        optimizer: Any,
        max_lr: float | Sequence[float],
        total_steps: int | None = None,
        epochs: int | None = None,
        steps_per_epoch: int | None = None,
        pct_start: float = 0.3,
        anneal_strategy: str = "cos",
        cycle_momentum: bool = True,
        base_momentum: float = 0.85,
        max_momentum: float = 0.95,
        div_factor: float = 25.0,
        final_div_factor: float = 1e4,
        three_phase: bool = False,
    ) -> None:
        super().__init__(optimizer)
        count = len(self.base_lrs)
        if total_steps is None:
            if epochs is None or steps_per_epoch is None:
                raise ValueError(
                    "OneCycleLR needs total_steps, or both epochs and steps_per_epoch"
                )
            total_steps = check.positive_int("OneCycleLR", "epochs", epochs) * (
                check.positive_int("OneCycleLR", "steps_per_epoch", steps_per_epoch)
            )
        self.total_steps = check.positive_int("OneCycleLR", "total_steps", total_steps)
        check.number("OneCycleLR", "pct_start", pct_start, "[0, 1]")
        check.one_of("OneCycleLR", "anneal_strategy", anneal_strategy, ("cos", "linear"))
        self.anneal = _cosine if anneal_strategy == "cos" else _linear
        self.max_lrs = [check.number("OneCycleLR", "max_lr", v, ">= 0")
                        for v in _per_group(max_lr, count, "max_lr", "OneCycleLR")]
        divisor = check.number("OneCycleLR", "div_factor", div_factor, "> 0")
        final_divisor = check.number("OneCycleLR", "final_div_factor", final_div_factor, "> 0")
        self.initial_lrs = [lr / divisor for lr in self.max_lrs]
        self.min_lrs = [lr / final_divisor for lr in self.initial_lrs]
        # (last step of the phase, where lr starts and ends as an index into the three lists
        # initial/max/min, where momentum starts and ends as max or base)
        pct_steps = float(pct_start * self.total_steps)
        if three_phase:
            self.phases = [
                (pct_steps - 1, "initial", "max", "max", "base"),
                (2 * pct_steps - 2, "max", "initial", "base", "max"),
                (self.total_steps - 1, "initial", "min", "max", "max"),
            ]
        else:
            self.phases = [
                (pct_steps - 1, "initial", "max", "max", "base"),
                (self.total_steps - 1, "max", "min", "base", "max"),
            ]
        self.cycle_momentum = check.flag("OneCycleLR", "cycle_momentum", cycle_momentum)
        self.momenta = {name: check.number("OneCycleLR", f"{name}_momentum", value, "[0, 1]")
                        for name, value in (("base", base_momentum), ("max", max_momentum))}
        if self.cycle_momentum:
            names = getattr(optimizer, "_hyperparameter_names", ())
            if "momentum" not in names and "betas" not in names:
                raise ValueError(
                    f"OneCycleLR with cycle_momentum=True needs an optimiser with a momentum or "
                    f"betas, {type(optimizer).__name__} has neither: pass cycle_momentum=False"
                )
        self._apply()

    def _at(self, step: int) -> tuple[dict[str, float], float]:
        """How far along which phase ``step`` is: the phase's ends and the fraction done."""
        if step > self.total_steps:
            raise ValueError(
                f"OneCycleLR stepped {step} times, but total_steps is {self.total_steps}"
            )
        start = 0.0
        for i, (end, *rest) in enumerate(self.phases):
            if step <= end or i == len(self.phases) - 1:
                # a phase of no steps (pct_start=1.0 leaves none to anneal) is over at once
                fraction = (step - start) / (end - start) if end > start else 1.0
                return dict(zip(("lr0", "lr1", "m0", "m1"), rest, strict=True)), fraction
            start = end
        raise AssertionError("unreachable: the last phase always matches")

    def lrs_at(self, epoch: int) -> list[float]:
        phase, fraction = self._at(epoch)
        levels = {"initial": self.initial_lrs, "max": self.max_lrs, "min": self.min_lrs}
        return [
            self.anneal(start, end, fraction)
            for start, end in zip(levels[phase["lr0"]], levels[phase["lr1"]], strict=True)
        ]

    def _apply(self) -> None:
        super()._apply()
        if not self.cycle_momentum:
            return
        phase, fraction = self._at(self.epoch)
        momentum = self.anneal(self.momenta[phase["m0"]], self.momenta[phase["m1"]], fraction)
        for group in self.optimizer.param_groups:
            if "betas" in group:
                group["betas"] = (momentum, group["betas"][1])
            else:
                group["momentum"] = momentum


class ReduceLROnPlateau:
    """Divide the lr by 1/``factor`` when a metric has stopped improving, PyTorch's
    ``ReduceLROnPlateau``: call ``step(metric)`` after each evaluation.

    ``mode="min"`` watches a metric that should fall (a loss), ``"max"`` one that should rise
    (an accuracy). A value improves on the best so far when it beats it by more than
    ``threshold`` (relative, ``threshold_mode="rel"``: best·(1 ∓ threshold); or absolute,
    ``"abs"``: best ∓ threshold). After more than ``patience`` evaluations without
    improvement, every group's lr becomes max(lr·factor, ``min_lr``) (changes smaller than
    ``eps`` are skipped), and the next ``cooldown`` evaluations are not counted.
    """

    interval = "epoch"

    def __init__(
        self,
        optimizer: Any,
        mode: str = "min",
        factor: float = 0.1,
        patience: int = 10,
        threshold: float = 1e-4,
        threshold_mode: str = "rel",
        cooldown: int = 0,
        min_lr: float | Sequence[float] = 0.0,
        eps: float = 1e-8,
    ) -> None:
        groups = _groups(optimizer, "ReduceLROnPlateau")
        self.mode = check.one_of("ReduceLROnPlateau", "mode", mode, ("min", "max"))
        self.threshold_mode = check.one_of(
            "ReduceLROnPlateau", "threshold_mode", threshold_mode, ("rel", "abs")
        )
        self.factor = check.number("ReduceLROnPlateau", "factor", factor, "[0, 1)")
        self.patience = check.non_negative_int("ReduceLROnPlateau", "patience", patience)
        self.cooldown = check.non_negative_int("ReduceLROnPlateau", "cooldown", cooldown)
        self.optimizer = optimizer
        self.threshold, self.eps = float(threshold), float(eps)
        self.min_lrs = [
            float(v) for v in _per_group(min_lr, len(groups), "min_lr", "ReduceLROnPlateau")
        ]
        self.best = math.inf if mode == "min" else -math.inf
        self.num_bad_epochs = 0
        self.cooldown_counter = 0
        self.epoch = 0

    def is_better(self, value: float) -> bool:
        sign = 1 if self.mode == "min" else -1
        if self.threshold_mode == "rel":
            bar = self.best * (1 - sign * self.threshold)
        else:
            bar = self.best - sign * self.threshold
        return value < bar if self.mode == "min" else value > bar

    def step(self, metrics: Any = None) -> None:
        """Record one evaluation's value (a number or a one-element tensor)."""
        value = scalar("ReduceLROnPlateau.step()", "metrics", metrics,
                       "the watched metric as a number, e.g. step(val_loss)")
        self.epoch += 1
        if self.is_better(value):
            self.best, self.num_bad_epochs = value, 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
        if self.num_bad_epochs > self.patience:
            for group, min_lr in zip(self.optimizer.param_groups, self.min_lrs, strict=True):
                new_lr = max(group["lr"] * self.factor, min_lr)
                if group["lr"] - new_lr > self.eps:
                    group["lr"] = new_lr
            self.cooldown_counter, self.num_bad_epochs = self.cooldown, 0

    def get_last_lr(self) -> list[float]:
        return [group["lr"] for group in self.optimizer.param_groups]

    def state_dict(self) -> dict[str, Any]:
        keys = ("best", "num_bad_epochs", "cooldown_counter", "epoch")
        return {key: getattr(self, key) for key in keys}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        check.state_dict("ReduceLROnPlateau.load_state_dict()", state, self.state_dict(),
                         "ReduceLROnPlateau.state_dict()")
        self.best = float(state["best"])
        self.num_bad_epochs = int(state["num_bad_epochs"])
        self.cooldown_counter = int(state["cooldown_counter"])
        self.epoch = int(state["epoch"])


def _cosine(start: float, end: float, fraction: float) -> float:
    return end + (start - end) / 2 * (math.cos(math.pi * fraction) + 1)


def _linear(start: float, end: float, fraction: float) -> float:
    return (end - start) * fraction + start
