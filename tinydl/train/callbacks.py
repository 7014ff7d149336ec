"""Early stopping: end training when a monitored figure stops improving (Keras's callback)."""

from __future__ import annotations

import math
from typing import Any

from tinydl import check

# Parts of a metric's name that mean "higher is better" for mode="auto" (Keras infers the
# direction from the name the same way: "val_accuracy" is maximised, "val_loss" minimised).
_HIGHER_IS_BETTER = ("acc", "auc", "precision", "recall", "f1")


def infer_mode(monitor: str) -> str:
    """"max" for accuracy-like figures ("accuracy", "val_acc", "auc", ...), else "min"."""
    name = monitor.lower()
    return "max" if any(part in name for part in _HIGHER_IS_BETTER) else "min"


class EarlyStopping:
    """Stop when ``monitor`` (e.g. "val_loss") has not improved for ``patience`` epochs.

    - ``mode``: "min" (losses), "max" (accuracies) or "auto" (the default): "max" when
      the name holds "acc", "auc", "precision", "recall" or "f1", else "min", as Keras
      infers it. ``self.mode`` holds the mode in use ("min" or "max").
    - ``min_delta``: an improvement must beat the best value so far by more than this.
    - ``baseline``: an epoch resets the patience count only if it also beats this value.
    - ``restore_best_weights``: when training stops early, the model gets back the weights
      of its best epoch (as in Keras, a run that ends without stopping keeps its last
      weights). ``fit`` passes the model; calling :meth:`should_stop` by hand needs it too.
    - ``start_from_epoch``: epochs before this one (0-based) are not monitored (warm-up).
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        patience: int = 3,
        mode: str = "auto",
        min_delta: float = 0.0,
        baseline: float | None = None,
        restore_best_weights: bool = False,
        start_from_epoch: int = 0,
    ) -> None:
        check.instance("EarlyStopping", "monitor", monitor, str, "a metric name such as 'val_loss'")
        check.one_of("EarlyStopping", "mode", mode, ("auto", "min", "max"))
        self.patience = check.non_negative_int("EarlyStopping", "patience", patience)
        check.non_negative_int("EarlyStopping", "start_from_epoch", start_from_epoch)
        self.monitor, self.min_delta = monitor, abs(min_delta)
        self.mode = infer_mode(monitor) if mode == "auto" else mode
        self.baseline = baseline
        self.restore_best_weights = restore_best_weights
        self.start_from_epoch = start_from_epoch
        self.best = math.inf if self.mode == "min" else -math.inf
        self.best_epoch = -1
        self.waited = 0
        self.best_weights: dict[str, Any] | None = None

    def improved(self, value: float, reference: float | None = None) -> bool:
        """Whether ``value`` beats ``reference`` (the best so far) by more than min_delta."""
        reference = self.best if reference is None else reference
        if self.mode == "min":
            return value < reference - self.min_delta
        return value > reference + self.min_delta

    def should_stop(self, epoch: int, logs: dict[str, float], model: Any = None) -> bool:
        """Record this epoch's figures (and, with ``restore_best_weights``, the model's
        weights when they are the best so far); True when training should end."""
        if self.monitor not in logs:
            raise KeyError(
                f"EarlyStopping monitors {self.monitor!r}, but the epoch only reported "
                f"{', '.join(sorted(logs))} (pass validation data to get val_* figures)"
            )
        if self.restore_best_weights and model is None:
            raise ValueError(
                "EarlyStopping(restore_best_weights=True) needs the model to keep its best "
                "weights: call should_stop(epoch, logs, model)"
            )
        if epoch < self.start_from_epoch:
            return False
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights = model.state_dict()  # if no epoch ever improves, the first
        value = logs[self.monitor]
        self.waited += 1
        if self.improved(value):
            self.best, self.best_epoch = value, epoch
            if self.restore_best_weights:
                self.best_weights = model.state_dict()
            if self.baseline is None or self.improved(value, self.baseline):
                self.waited = 0
            return False
        return self.waited >= self.patience and epoch > 0

    def restore(self, model: Any) -> bool:
        """Load the best epoch's weights into ``model`` if ``restore_best_weights`` kept
        them; True if it did."""
        if not self.restore_best_weights or self.best_weights is None:
            return False
        model.load_state_dict(self.best_weights)
        return True

    def state_dict(self) -> dict[str, Any]:
        """The counters (and kept weights), so a resumed run stops where the uninterrupted
        one would."""
        state: dict[str, Any] = {
            "best": self.best, "best_epoch": self.best_epoch, "waited": self.waited,
        }
        if self.best_weights is not None:
            state["best_weights"] = dict(self.best_weights)
        return state

    def load_state_dict(self, state: dict[str, Any]) -> None:
        check.state_dict("EarlyStopping.load_state_dict()", state,
                         ("best", "best_epoch", "waited"), "EarlyStopping.state_dict()")
        self.best = float(state["best"])
        self.best_epoch, self.waited = int(state["best_epoch"]), int(state["waited"])
        self.best_weights = state.get("best_weights")
