"""Keras's callbacks on tinydl's training loop.

``tinydl.train.fit`` calls each callback's ``on_epoch_end(epoch, logs)`` after every
epoch (``logs`` with Keras's names: ``loss``, ``accuracy``, ``val_loss``,
``val_accuracy``). That is the one hook tinydl has: a callback that defines any other
Keras hook (``on_batch_end``, ``on_train_begin``, ...) is refused rather than left
uncalled. ``EarlyStopping`` is tinydl's own (:class:`tinydl.train.EarlyStopping`) with
Keras's defaults.
"""

from __future__ import annotations

import math
import string
from pathlib import Path
from typing import Any

from tinydl import train
from tinydl.keras._args import choose, missing_names
from tinydl.train.callbacks import infer_mode

# Keras's hooks that tinydl's loop does not call.
UNCALLED_HOOKS = (
    "on_batch_begin", "on_batch_end", "on_epoch_begin", "on_predict_batch_begin",
    "on_predict_batch_end", "on_predict_begin", "on_predict_end", "on_test_batch_begin",
    "on_test_batch_end", "on_test_begin", "on_test_end", "on_train_batch_begin",
    "on_train_batch_end", "on_train_begin", "on_train_end",
)


class Callback:
    """Base class: override ``on_epoch_end(self, epoch, logs=None)``; ``self.model`` is the
    Keras model being trained (set ``self.model.stop_training = True`` to stop)."""

    def __init__(self) -> None:
        self.model: Any = None

    def set_model(self, model: Any) -> None:
        overridden = [
            hook for hook in UNCALLED_HOOKS if getattr(type(self), hook, None) is not None
        ]
        if overridden:
            raise TypeError(
                f"{type(self).__name__} defines {', '.join(overridden)}, which tinydl's training "
                f"loop never calls: tinydl.keras calls only on_epoch_end(epoch, logs)"
            )
        self.model = model

    def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        """Called after each epoch with its figures."""


class History(Callback):
    """What ``fit`` returns: ``history.history`` maps each figure to its per-epoch values."""

    def __init__(self) -> None:
        super().__init__()
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []
        self.params: dict[str, Any] = {}

    def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)


class EarlyStopping(train.EarlyStopping):
    """Keras's ``EarlyStopping(monitor="val_loss", patience=0, mode="auto", ...)``:
    tinydl's :class:`tinydl.train.EarlyStopping` with Keras's default patience (0).
    ``mode="auto"`` maximises accuracy-like figures ("val_accuracy") and minimises the
    rest; ``restore_best_weights`` reloads the best epoch's weights when it stops.
    ``verbose`` is accepted: the stop is always reported unless ``fit(verbose=0)``."""

    def __init__(self, monitor: str = "val_loss", min_delta: float = 0.0, patience: int = 0,
                 verbose: int = 0, mode: str = "auto", baseline: float | None = None,
                 restore_best_weights: bool = False, start_from_epoch: int = 0) -> None:
        super().__init__(monitor=monitor, patience=patience, mode=mode, min_delta=min_delta,
                         baseline=baseline, restore_best_weights=restore_best_weights,
                         start_from_epoch=start_from_epoch)
        self.verbose = verbose


class ModelCheckpoint(Callback):
    """Save the model after each epoch: ``model.save(filepath)`` (or ``save_weights`` with
    ``save_weights_only``), a tinydl ``.npz`` checkpoint. ``filepath`` may hold Keras's
    fields, e.g. ``"model-{epoch:02d}-{val_loss:.2f}.npz"``: ``epoch`` (counted from 1) and
    the epoch's figures; a field the epoch does not report raises a KeyError, as in Keras.
    With ``save_best_only`` only epochs that improve ``monitor`` (direction from ``mode``,
    "auto" as EarlyStopping's) are saved."""

    def __init__(self, filepath: str | Path, monitor: str = "val_loss", verbose: int = 0,
                 save_best_only: bool = False, save_weights_only: bool = False,
                 mode: str = "auto", save_freq: str = "epoch") -> None:
        super().__init__()
        if not isinstance(filepath, (str, Path)):
            raise TypeError(f"ModelCheckpoint needs a file path, got {type(filepath).__name__}")
        try:
            list(string.Formatter().parse(str(filepath)))
        except ValueError as err:  # "{epoch" and the like: refused now, not after an epoch
            raise ValueError(f"ModelCheckpoint: the filepath {str(filepath)!r} is not a valid "
                             f"format string ({err}); write a brace as {{{{ or }}}}") from None
        choose("ModelCheckpoint()", "save_freq", save_freq, ("epoch",))
        mode = choose("ModelCheckpoint()", "mode", mode, ("auto", "min", "max"))
        self.filepath, self.monitor, self.verbose = str(filepath), monitor, verbose
        self.save_best_only, self.save_weights_only = save_best_only, save_weights_only
        self.mode = infer_mode(monitor) if mode == "auto" else mode
        self.best = math.inf if self.mode == "min" else -math.inf

    def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        logs = logs or {}
        if self.save_best_only:
            if self.monitor not in logs:
                raise KeyError(
                    f"ModelCheckpoint monitors {self.monitor!r}, but the epoch only reported "
                    f"{', '.join(sorted(logs))}"
                )
            value = logs[self.monitor]
            better = value < self.best if self.mode == "min" else value > self.best
            if not better:
                return
            self.best = value
        path = self._path(epoch, logs)
        if self.save_weights_only:
            self.model.save_weights(path)
        else:
            self.model.save(path)
        if self.verbose:
            print(f"Epoch {epoch + 1}: saved the model to {path}")

    def _path(self, epoch: int, logs: dict[str, float]) -> str:
        """The filepath with this epoch's fields filled in."""
        fields = {"epoch": epoch + 1, **logs}
        try:
            return self.filepath.format(**fields)
        except (KeyError, IndexError, ValueError, TypeError, AttributeError) as err:
            kind = KeyError if isinstance(err, (KeyError, IndexError)) else ValueError
            raise kind(
                f"ModelCheckpoint: cannot fill in the filepath {self.filepath!r} "
                f"({type(err).__name__}: {err}); its fields may be {', '.join(fields)}"
            ) from None


CALLBACKS = {kind.__name__: kind for kind in (Callback, EarlyStopping, History, ModelCheckpoint)}
__all__ = sorted(CALLBACKS)
__getattr__ = missing_names("callbacks", __all__)
