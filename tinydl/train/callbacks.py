"""Early stopping: end training when a monitored figure stops improving."""

from __future__ import annotations

import math


class EarlyStopping:
    """Stop when ``monitor`` (e.g. "val_loss") has not improved for ``patience`` epochs.

    ``mode`` is "min" for losses and "max" for accuracies; an improvement must beat
    the best value so far by more than ``min_delta``.
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        patience: int = 3,
        mode: str = "min",
        min_delta: float = 0.0,
    ) -> None:
        if mode not in ("min", "max"):
            raise ValueError(f"mode must be 'min' or 'max', got {mode!r}")
        if patience < 0:
            raise ValueError(f"patience must be >= 0, got {patience}")
        self.monitor, self.patience, self.mode, self.min_delta = monitor, patience, mode, min_delta
        self.best = math.inf if mode == "min" else -math.inf
        self.best_epoch = -1
        self.waited = 0

    def improved(self, value: float) -> bool:
        if self.mode == "min":
            return value < self.best - self.min_delta
        return value > self.best + self.min_delta

    def should_stop(self, epoch: int, logs: dict[str, float]) -> bool:
        """Record this epoch's figures; True when training should end."""
        if self.monitor not in logs:
            raise KeyError(
                f"EarlyStopping monitors {self.monitor!r}, but the epoch only reported "
                f"{', '.join(sorted(logs))} (pass validation data to get val_* figures)"
            )
        value = logs[self.monitor]
        if self.improved(value):
            self.best, self.best_epoch, self.waited = value, epoch, 0
            return False
        self.waited += 1
        return self.waited >= self.patience

    def state_dict(self) -> dict[str, float | int]:
        """The counters, so a resumed run stops where the uninterrupted one would."""
        return {"best": self.best, "best_epoch": self.best_epoch, "waited": self.waited}

    def load_state_dict(self, state: dict[str, float | int]) -> None:
        self.best = float(state["best"])
        self.best_epoch, self.waited = int(state["best_epoch"]), int(state["waited"])
