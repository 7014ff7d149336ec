"""``fit``, ``evaluate`` and ``predict``: the training loop for people who do not want to
write it. The examples write the same loop out by hand, because that is how it is learnt:

    for x, y in loader:
        loss = loss_fn(model(x), y)      # forward
        optimizer.zero_grad()            # forget the last step's gradients
        loss.backward()                  # backward: fill every parameter's .grad
        optimizer.step()                 # update the parameters

On a GPU the figures for the progress bar stay on the device and are read only
every ``log_every`` batches, so the loop never waits on the GPU in between.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np
from tqdm.auto import tqdm

from tinydl import backend, random
from tinydl.autograd import Tensor, no_grad
from tinydl.errors import TinyDLError
from tinydl.nn.module import Module
from tinydl.ops import softmax
from tinydl.optim.lr_scheduler import ReduceLROnPlateau
from tinydl.train.callbacks import EarlyStopping
from tinydl.train.checkpoint import load_checkpoint, save_checkpoint
from tinydl.train.inputs import as_batches, input_batches, pairs
from tinydl.train.metrics import confusion_matrix, precision_recall_f1
from tinydl.train.progress import progress_bar_visible

Batches = Iterable[tuple[Tensor, Tensor]]


class TrainingDiverged(TinyDLError, FloatingPointError):
    """The loss became NaN or infinite."""


def _class_labels(target: Any) -> Any:
    """Integer labels from labels or one-hot/probability targets."""
    return target if target.ndim == 1 else target.argmax(axis=1)


class _RunningFigures:
    """Sums of loss and correct predictions, kept on the device until read."""

    def __init__(self) -> None:
        self.loss_sum: Any = 0.0
        self.correct: Any = 0
        self.count = 0

    def add(self, loss: Tensor | None, logits: Tensor, target: Tensor) -> None:
        n = logits.shape[0]
        if loss is not None:
            self.loss_sum = self.loss_sum + loss.array * n
        hits = logits.array.argmax(axis=1) == _class_labels(target.array)
        self.correct = self.correct + hits.sum()
        self.count += n

    def read(self) -> dict[str, float]:
        """Host values (this is the one place that synchronises with a GPU)."""
        count = max(self.count, 1)
        return {"loss": float(self.loss_sum) / count, "accuracy": float(self.correct) / count}


def fit(
    model: Module,
    optimizer: Any,
    loss_fn: Callable[[Tensor, Tensor], Tensor],
    train_data: Batches,
    epochs: int,
    validation_data: Batches | None = None,
    validation_name: str = "val",
    scheduler: Any = None,
    scheduler_interval: str | None = None,
    early_stopping: EarlyStopping | None = None,
    checkpoint_path: str | Path | None = None,
    resume: bool = False,
    progress: bool = True,
    log_every: int = 50,
    print_fn: Callable[[str], None] | None = print,
    extra: dict[str, Any] | None = None,
    batch_size: int | None = None,
    shuffle: bool = True,
    callbacks: Iterable[Any] = (),
) -> dict[str, list[float]]:
    """Train ``model`` for ``epochs`` epochs and return the history (Keras's ``fit``).

    - ``validation_data`` is evaluated after each epoch (``val_loss``, ``val_accuracy``;
      ``validation_name="test"`` makes them ``test_loss``, ``test_accuracy``).
    - ``scheduler`` (see :mod:`tinydl.optim.lr_scheduler`) steps once per epoch, or after
      every batch's optimiser step when ``scheduler_interval`` is ``"step"``. By default the
      scheduler's own ``interval`` attribute decides: ``"step"`` for ``OneCycleLR``,
      ``"epoch"`` for the others (pass ``"step"`` to run e.g. a ``LambdaLR`` warm-up per
      batch). ``ReduceLROnPlateau`` is handed the epoch's validation loss (the training
      loss without validation data).
    - ``checkpoint_path``: after every epoch the model, the optimiser, the history,
      the random-generator, scheduler and early-stopping states and ``extra`` are saved
      there atomically; with ``resume=True`` training continues from that file (if it
      exists) exactly where it stopped.
    - A NaN or infinite loss (or weights) stops training with :class:`TrainingDiverged`;
      the checkpoint on disk is then still the last good epoch.
    - ``train_data`` and ``validation_data`` are DataLoaders (or any iterables of
      ``(inputs, targets)`` batches), or ``(x, y)`` arrays or datasets, which are batched
      with ``batch_size`` (default 32) on the model's device, shuffled each epoch if
      ``shuffle`` (training data only).
    - The progress bar shows only when it writes to a terminal; in logs and CI there is
      just the one line per epoch from ``print_fn``.
    - The history's ``seconds`` is each epoch's wall time, validation included;
      ``train_seconds`` is the part spent on the training batches alone.
    - ``callbacks``: objects whose ``on_epoch_end(epoch, logs)`` is called after each
      epoch's figures are complete (e.g. ``tinydl.keras.callbacks.ModelCheckpoint``); a
      true return value ends training after that epoch.
    """
    _check_model_and_loss("fit()", model, loss_fn, loss_required=True)
    if not callable(getattr(optimizer, "step", None)):
        raise TypeError(
            f"fit() needs an optimizer with step() and zero_grad(), such as "
            f"optim.Adam(model.parameters()), got {type(optimizer).__name__}"
        )
    if epochs < 1:
        raise ValueError(f"epochs must be >= 1, got {epochs}")
    if log_every < 1:
        raise ValueError(f"log_every must be >= 1, got {log_every}")
    per_batch = _steps_per_batch(scheduler, scheduler_interval)
    clashes = sorted(_SAVED_BY_FIT & set(extra or {}))
    if clashes:
        raise ValueError(f"extra may not use the names fit() saves itself: {', '.join(clashes)}")
    train_data = as_batches(train_data, "train_data", model, batch_size, shuffle)
    if validation_data is not None:
        validation_data = as_batches(validation_data, "validation_data", model, batch_size, False)
    history: dict[str, list[float]] = {}
    first_epoch = 0
    if resume:
        if checkpoint_path is None:
            raise ValueError("resume=True needs the checkpoint_path to resume from")
        if Path(checkpoint_path).exists():
            saved = load_checkpoint(checkpoint_path, model, optimizer)
            history, first_epoch = saved["history"], saved["epoch"] + 1
            _restore_resume_state(saved["resume_state"], train_data, scheduler, early_stopping)

    for epoch in range(first_epoch, epochs):
        started = time.perf_counter()
        model.train()
        figures = _RunningFigures()
        bar = tqdm(
            train_data, desc=f"epoch {epoch + 1}/{epochs}", leave=False,
            disable=not (progress and progress_bar_visible()),
            unit="batch", dynamic_ncols=True,
        )
        for step, (x, y) in enumerate(pairs(bar, "train_data"), start=1):
            logits = model(x)
            loss = loss_fn(logits, y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            if per_batch:
                scheduler.step()
            figures.add(loss, logits, y)
            if step % log_every == 0:
                so_far = figures.read()
                if not math.isfinite(so_far["loss"]):
                    raise _diverged(
                        f"the training loss became {so_far['loss']}",
                        f"epoch {epoch + 1}, batch {step}", checkpoint_path,
                    )
                bar.set_postfix(loss=f"{so_far['loss']:.4f}", acc=f"{so_far['accuracy']:.4f}")
        bar.close()
        if figures.count == 0:
            raise _no_batches("fit()", "train_data", train_data)
        logs = figures.read()  # waits for a GPU to finish the epoch's batches
        train_seconds = time.perf_counter() - started
        if not math.isfinite(logs["loss"]):
            raise _diverged(
                f"the training loss became {logs['loss']}", f"the end of epoch {epoch + 1}",
                checkpoint_path,
            )
        if not _weights_finite(model):  # the last step can break the weights, not yet the loss
            raise _diverged(
                "the model's weights became NaN or infinite", f"the end of epoch {epoch + 1}",
                checkpoint_path,
            )
        if validation_data is not None:
            validation = evaluate(model, validation_data, loss_fn, details=False)
            logs[f"{validation_name}_loss"] = validation["loss"]
            logs[f"{validation_name}_accuracy"] = validation["accuracy"]
        logs["lr"] = float(optimizer.lr)
        logs["seconds"] = time.perf_counter() - started
        logs["train_seconds"] = train_seconds
        for key, value in logs.items():
            history.setdefault(key, []).append(value)
        if print_fn is not None:
            figures_line = "  ".join(_format(key, value) for key, value in logs.items())
            print_fn(f"epoch {epoch + 1}/{epochs}  {figures_line}")
        if isinstance(scheduler, ReduceLROnPlateau):
            # It watches a figure: the validation loss (Keras's default monitor), else the
            # training loss, as a PyTorch loop would call scheduler.step(val_loss).
            scheduler.step(logs.get(f"{validation_name}_loss", logs["loss"]))
        elif scheduler is not None and not per_batch:
            scheduler.step()
        # Counted before the checkpoint, which must hold this epoch's early-stopping state.
        stop = early_stopping is not None and early_stopping.should_stop(epoch, logs, model)
        asked_to_stop = [bool(callback.on_epoch_end(epoch, logs)) for callback in callbacks]
        if checkpoint_path is not None:
            save_checkpoint(
                checkpoint_path, model, optimizer, epoch=epoch, history=history,
                resume_state=_resume_state(train_data, scheduler, early_stopping),
                **(extra or {}),
            )
        if stop:
            if print_fn is not None:
                print_fn(
                    f"early stopping: {early_stopping.monitor} has not improved for "
                    f"{early_stopping.patience} epoch(s) since epoch "
                    f"{early_stopping.best_epoch + 1}"
                )
            # After the checkpoint, which keeps the last epoch's state for resuming.
            if early_stopping.restore(model) and print_fn is not None:
                print_fn(
                    f"restored the weights of epoch {early_stopping.best_epoch + 1} "
                    f"({early_stopping.monitor} {early_stopping.best:.4g})"
                )
            break
        if any(asked_to_stop):
            break
    return history


def _check_model_and_loss(
    caller: str, model: Any, loss_fn: Any, loss_required: bool = False
) -> None:
    if not isinstance(model, Module):
        raise TypeError(
            f"{caller} needs model to be a tinydl Module (such as nn.Sequential(...)), "
            f"got {type(model).__name__}"
        )
    if (loss_fn is not None or loss_required) and not callable(loss_fn):
        raise TypeError(
            f"{caller} needs loss_fn to be callable as loss_fn(outputs, targets), such as "
            f"nn.CrossEntropyLoss(), got {type(loss_fn).__name__}"
        )


def _no_batches(caller: str, argument: str, data: Any) -> ValueError:
    """An empty loader would give a history (or accuracy) of zeros, as if it had worked."""
    shown = repr(data)
    shown = shown if len(shown) <= 160 else type(data).__name__
    return ValueError(
        f"{caller}: {argument} gave no batches ({shown}): it holds no samples, or fewer "
        f"than one batch with drop_last=True"
    )


def _format(key: str, value: float) -> str:
    return f"{key} {value:.2f}s" if key.endswith("seconds") else f"{key} {value:.4g}"


def _steps_per_batch(scheduler: Any, interval: str | None) -> bool:
    """Whether fit() steps ``scheduler`` after every batch (else after every epoch)."""
    if interval is None:
        interval = getattr(scheduler, "interval", "epoch")
    if interval not in ("epoch", "step"):
        raise ValueError(
            f"scheduler_interval must be 'epoch' or 'step' (or None: the scheduler's own "
            f"interval), got {interval!r}"
        )
    if scheduler is not None and not callable(getattr(scheduler, "step", None)):
        raise TypeError(
            f"fit() needs a scheduler with step(), such as optim.lr_scheduler.StepLR("
            f"optimizer, 10), got {type(scheduler).__name__}"
        )
    return scheduler is not None and interval == "step"


def _weights_finite(model: Module) -> bool:
    """One check per parameter per epoch (each reads one flag back from a GPU)."""
    return all(
        bool(backend.array_module(p.array).isfinite(p.array).all()) for p in model.parameters()
    )


def _diverged(what: str, where: str, checkpoint_path: Any) -> TrainingDiverged:
    kept = (
        f"the last good checkpoint is kept at {checkpoint_path}"
        if checkpoint_path is not None and Path(checkpoint_path).exists()
        else "no checkpoint had been written yet"
    )
    return TrainingDiverged(
        f"{what} at {where}; {kept}. A lower learning rate, normalised inputs or gradient "
        f"clipping usually cure this."
    )


# The names fit() saves in a checkpoint next to the caller's ``extra``.
_SAVED_BY_FIT = frozenset({"epoch", "history", "resume_state"})


def _resume_state(train_data: Any, scheduler: Any, early_stopping: Any) -> dict[str, Any]:
    """Everything besides the weights that decides what happens next, so a resumed run
    matches: the random generators, the schedule and the early-stopping counters."""
    states = {"tinydl": random.generator().bit_generator.state}
    loader_generator = getattr(train_data, "generator", None)
    if loader_generator is not None:
        states["loader"] = loader_generator.bit_generator.state
    if scheduler is not None:
        states["scheduler"] = scheduler.state_dict()
    if early_stopping is not None:
        states["early_stopping"] = early_stopping.state_dict()
    return states


def _restore_resume_state(
    states: dict[str, Any], train_data: Any, scheduler: Any, early_stopping: Any
) -> None:
    random.generator().bit_generator.state = states["tinydl"]
    if "loader" in states:
        train_data.generator.bit_generator.state = states["loader"]
    if scheduler is not None and "scheduler" in states:
        scheduler.load_state_dict(states["scheduler"])
    if early_stopping is not None and "early_stopping" in states:
        early_stopping.load_state_dict(states["early_stopping"])


def predict(
    model: Module, data: Any, probabilities: bool = False, batch_size: int | None = None
) -> np.ndarray:
    """The model's logits (or softmax probabilities) for every batch, as one host array.

    ``data`` is an array of inputs (NumPy, CuPy or a Tensor; cut into batches of
    ``batch_size``, default 32), a dataset, or an iterable yielding input batches or
    ``(inputs, targets)`` pairs whose targets are ignored.
    """
    _check_model_and_loss("predict()", model, None)
    batches = input_batches(data, model, batch_size)
    model.eval()
    outputs = []
    with no_grad():
        for x in batches:
            logits = model(x)
            outputs.append((softmax(logits) if probabilities else logits).numpy())
    if not outputs:
        raise _no_batches("predict()", "data", data)
    return np.concatenate(outputs)


def evaluate(
    model: Module,
    data: Batches,
    loss_fn: Callable[[Tensor, Tensor], Tensor] | None = None,
    details: bool = True,
    batch_size: int | None = None,
) -> dict[str, Any]:
    """Loss (if ``loss_fn`` is given) and accuracy over ``data``; with ``details``, also
    the confusion matrix and per-class precision, recall and F1.

    ``data`` is a DataLoader (or iterable of ``(inputs, targets)`` batches), or ``(x, y)``
    arrays or a dataset, batched with ``batch_size`` (default 32)."""
    _check_model_and_loss("evaluate()", model, loss_fn)
    data = as_batches(data, "data", model, batch_size, False)
    model.eval()
    figures = _RunningFigures()
    predictions, labels = [], []
    num_classes = 0
    with no_grad():
        for x, y in pairs(data, "data"):
            logits = model(x)
            figures.add(loss_fn(logits, y) if loss_fn is not None else None, logits, y)
            num_classes = logits.shape[1]
            if details:
                predictions.append(backend.to_numpy(logits.array.argmax(axis=1)))
                labels.append(backend.to_numpy(_class_labels(y.array)))
    if figures.count == 0:
        raise _no_batches("evaluate()", "data", data)
    result: dict[str, Any] = figures.read()
    if loss_fn is None:
        del result["loss"]
    if details and predictions:
        labels_all, predictions_all = np.concatenate(labels), np.concatenate(predictions)
        result["confusion_matrix"] = confusion_matrix(labels_all, predictions_all, num_classes)
        result.update(precision_recall_f1(result["confusion_matrix"]))
        result["predictions"] = predictions_all
        result["labels"] = labels_all
    return result
