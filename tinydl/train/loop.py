"""``fit``, ``evaluate`` and ``predict``: the training loop for people who do not want to
write it. The examples write the same loop out by hand, because that is how it is learnt:

    for x, y in loader:
        loss = loss_fn(model(x), y)      # forward
        optimizer.zero_grad()            # forget the last step's gradients
        loss.backward()                  # backward: fill every parameter's .grad
        optimizer.step()                 # update the parameters

:func:`train_one_epoch` is that loop; :func:`fit` runs it once per epoch and adds the rest
(resuming, validation, the schedule, early stopping, callbacks, checkpoints), each a small
function below it, in the order it calls them. On several ranks (a
``DistributedDataParallel`` model) each rank trains on its share of the data and rank 0
alone prints and saves (:mod:`tinydl.train.distributed_run`).

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

from tinydl import backend, check, random
from tinydl.autograd import Tensor, no_grad
from tinydl.errors import TinyDLError
from tinydl.nn.module import Module
from tinydl.ops import softmax
from tinydl.optim.lr_scheduler import ReduceLROnPlateau
from tinydl.train import distributed_run
from tinydl.train.callbacks import EarlyStopping
from tinydl.train.checkpoint import check_model, load_checkpoint, read_extra, save_checkpoint
from tinydl.train.inputs import as_batches, input_batches, model_device, pairs
from tinydl.train.metrics import confusion_matrix, precision_recall_f1
from tinydl.train.progress import progress_bar_visible
from tinydl.train.state_archive import CheckpointError

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


def train_one_epoch(
    model: Module,
    optimizer: Any,
    loss_fn: Callable[[Tensor, Tensor], Tensor],
    batches: Batches,
    scheduler: Any = None,
    log_every: int = 50,
    log: Callable[[int, dict[str, float]], None] | None = None,
) -> _RunningFigures:
    """One pass over ``batches``, the four-line step for each, and the epoch's figures.

    ``scheduler`` (a per-batch schedule such as ``OneCycleLR``) steps after every update;
    ``log(step, figures_so_far)`` is called every ``log_every`` batches, the only time the
    figures are read back from a GPU. :func:`fit` checks the arguments and calls this.
    """
    model.train()
    figures = _RunningFigures()
    for step, (x, y) in enumerate(pairs(batches, "train_data"), start=1):
        logits = model(x)            # forward
        loss = loss_fn(logits, y)    # how wrong the outputs are
        optimizer.zero_grad()        # forget the last step's gradients
        loss.backward()              # backward: fill every parameter's .grad
        optimizer.step()             # update the parameters
        if scheduler is not None:
            scheduler.step()
        figures.add(loss, logits, y)
        if log is not None and step % log_every == 0:
            log(step, figures.read())
    return figures


def fit(
    model: Module, optimizer: Any, loss_fn: Callable[[Tensor, Tensor], Tensor],
    train_data: Batches, epochs: int, validation_data: Batches | None = None,
    validation_name: str = "val", scheduler: Any = None, scheduler_interval: str | None = None,
    early_stopping: EarlyStopping | None = None, checkpoint_path: str | Path | None = None,
    resume: bool = False, progress: bool = True, log_every: int = 50,
    print_fn: Callable[[str], None] | None = print, extra: dict[str, Any] | None = None,
    batch_size: int | None = None, shuffle: bool = True, callbacks: Iterable[Any] = (),
) -> dict[str, list[float]]:
    """Train ``model`` for ``epochs`` epochs and return the history, as Keras's ``fit``: each
    epoch is :func:`train_one_epoch`, validation, schedule, early stopping, callbacks, checkpoint.

    - ``train_data``, ``validation_data``: DataLoaders, iterables of ``(inputs, targets)``
      batches, or ``(x, y)`` arrays or datasets (batched by ``batch_size``, default 32, on
      the model's device; the training data reshuffled each epoch if ``shuffle``).
    - ``validation_data`` adds ``val_loss`` and ``val_accuracy`` (``validation_name``: ``val``).
    - ``scheduler`` steps once per epoch, or after every batch if ``scheduler_interval`` (by
      default its own ``interval``: ``"step"`` for ``OneCycleLR``) is ``"step"``;
      ``ReduceLROnPlateau`` gets the validation loss (else the training loss).
    - ``checkpoint_path``: each epoch saves the model, optimiser, history, random, schedule
      and early-stopping states and ``extra`` there atomically; ``resume=True`` continues
      from that file (if it exists) exactly where it stopped.
    - A NaN or infinite loss or weight raises :class:`TrainingDiverged`, leaving the last
      good epoch's checkpoint on disk.
    - ``callbacks``: objects whose ``on_epoch_end(epoch, logs)`` runs after each epoch's
      figures are complete; a true return value ends training after that epoch.
    - A progress bar shows on terminals (updated every ``log_every`` batches), ``print_fn``
      a line per epoch; ``seconds`` is an epoch's time, ``train_seconds`` its batches' alone.
    """
    batch_scheduler = _check_fit_arguments(model, optimizer, loss_fn, epochs, log_every,
                                           scheduler, scheduler_interval, extra, batch_size)
    train_data = as_batches(train_data, "train_data", model, batch_size, shuffle)
    train_data, progress, print_fn = distributed_run.prepare(train_data, model, progress, print_fn)
    if validation_data is not None:
        validation_data = as_batches(validation_data, "validation_data", model, batch_size, False)
    run = _ResumeState(train_data, scheduler, early_stopping)
    history, first_epoch = _resume(checkpoint_path, model, optimizer, run) if resume else ({}, 0)
    for epoch in range(first_epoch, epochs):
        distributed_run.start_epoch(train_data, epoch)
        started = time.perf_counter()
        with _progress_bar(train_data, epoch, epochs, progress) as bar:
            figures = train_one_epoch(model, optimizer, loss_fn, bar, batch_scheduler, log_every,
                                      _watch_for_divergence(bar, epoch, checkpoint_path))
        logs = _read(figures, train_data, model)  # waits for a GPU to finish the epoch's batches
        train_seconds = time.perf_counter() - started
        _check_finite(logs, model, epoch, checkpoint_path)
        logs.update(_validate(model, validation_data, loss_fn, validation_name))
        logs.update(lr=float(optimizer.lr), seconds=time.perf_counter() - started,
                    train_seconds=train_seconds)
        _record(history, logs, f"epoch {epoch + 1}/{epochs}", print_fn)
        _step_scheduler_after_epoch(scheduler, batch_scheduler, logs, validation_name)
        # Counted before the checkpoint, which must hold this epoch's early-stopping state.
        stop = early_stopping is not None and early_stopping.should_stop(epoch, logs, model)
        asked_to_stop = [bool(callback.on_epoch_end(epoch, logs)) for callback in callbacks]
        _save(checkpoint_path, model, optimizer, epoch, history, run, extra)
        if stop:
            _stop_early(early_stopping, model, print_fn)
        if stop or any(asked_to_stop):
            break
    return history


# ---- the pieces of fit(), in the order it uses them ------------------------------------------
def _check_fit_arguments(
    model: Any, optimizer: Any, loss_fn: Any, epochs: int, log_every: int, scheduler: Any,
    scheduler_interval: str | None, extra: dict[str, Any] | None, batch_size: int | None,
) -> bool:
    """fit()'s argument checks; returns the scheduler if it steps after every batch (None if
    there is none, or it steps after every epoch)."""
    _check_model_and_loss("fit()", model, loss_fn, batch_size, loss_required=True)
    if not callable(getattr(optimizer, "step", None)):
        raise TypeError(
            f"fit() needs an optimizer with step() and zero_grad(), such as "
            f"optim.Adam(model.parameters()), got {type(optimizer).__name__}"
        )
    check.positive_int("fit()", "epochs", epochs)
    check.positive_int("fit()", "log_every", log_every)
    per_batch = _steps_per_batch(scheduler, scheduler_interval)
    clashes = sorted(_SAVED_BY_FIT & set(extra or {}))
    if clashes:
        raise ValueError(f"extra may not use the names fit() saves itself: {', '.join(clashes)}")
    return scheduler if per_batch else None


def _check_model_and_loss(
    caller: str, model: Any, loss_fn: Any, batch_size: int | None, loss_required: bool = False
) -> None:
    """The checks fit(), evaluate() and predict() share."""
    check_model(caller, model)
    if loss_fn is not None or loss_required:
        check.function(caller, "loss_fn", loss_fn,
                       "loss_fn(outputs, targets), such as nn.CrossEntropyLoss()")
    if batch_size is not None:
        check.positive_int(caller, "batch_size", batch_size)


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


# The names fit() saves in a checkpoint next to the caller's ``extra``.
_SAVED_BY_FIT = frozenset({"epoch", "history", "resume_state"})


class _ResumeState:
    """Everything besides the weights that decides what happens next, so that a resumed run
    matches: the random generators, the schedule and the early-stopping counters."""

    def __init__(self, train_data: Any, scheduler: Any, early_stopping: Any) -> None:
        self.train_data, self.scheduler, self.early_stopping = (
            train_data, scheduler, early_stopping
        )

    def state_dict(self) -> dict[str, Any]:
        states = {"tinydl": random.generator().bit_generator.state}
        loader_generator = getattr(self.train_data, "generator", None)
        if loader_generator is not None:
            states["loader"] = loader_generator.bit_generator.state
        if self.scheduler is not None:
            states["scheduler"] = self.scheduler.state_dict()
        if self.early_stopping is not None:
            states["early_stopping"] = self.early_stopping.state_dict()
        return states

    def load_state_dict(self, states: dict[str, Any]) -> None:
        random.generator().bit_generator.state = states["tinydl"]
        if "loader" in states:
            self.train_data.generator.bit_generator.state = states["loader"]
        if self.scheduler is not None and "scheduler" in states:
            self.scheduler.load_state_dict(states["scheduler"])
        if self.early_stopping is not None and "early_stopping" in states:
            self.early_stopping.load_state_dict(states["early_stopping"])


def _resume(
    checkpoint_path: Any, model: Module, optimizer: Any, run: _ResumeState
) -> tuple[dict[str, list[float]], int]:
    """The history so far and the first epoch still to train, from the checkpoint (if it
    exists yet; else an empty history and epoch 0)."""
    if checkpoint_path is None:
        raise ValueError("resume=True needs the checkpoint_path to resume from")
    if not Path(checkpoint_path).exists():
        return {}, 0
    lacking = sorted(_SAVED_BY_FIT - set(read_extra(checkpoint_path)))
    if lacking:  # (checked before loading, so that the model stays as it was)
        raise CheckpointError(
            f"fit(resume=True): {checkpoint_path} lacks {', '.join(lacking)}, which "
            f"fit(checkpoint_path=...) saves beside the weights to resume from (save_checkpoint() "
            f"saves only what it is given): to start from its weights, load them with "
            f"load_checkpoint(path, model, optimizer) and call fit without resume=True"
        )
    saved = load_checkpoint(checkpoint_path, distributed_run.bare(model), optimizer)
    run.load_state_dict(saved["resume_state"])
    return saved["history"], saved["epoch"] + 1


def _progress_bar(batches: Batches, epoch: int, epochs: int, progress: bool) -> tqdm:
    return tqdm(
        batches, desc=f"epoch {epoch + 1}/{epochs}", leave=False,
        disable=not (progress and progress_bar_visible()), unit="batch", dynamic_ncols=True,
    )


def _watch_for_divergence(
    bar: tqdm, epoch: int, checkpoint_path: Any
) -> Callable[[int, dict[str, float]], None]:
    """train_one_epoch's ``log``: stop at a NaN or infinite loss, else show the figures."""

    def log(step: int, so_far: dict[str, float]) -> None:
        if not math.isfinite(so_far["loss"]):
            raise _diverged(
                f"the training loss became {so_far['loss']}", f"epoch {epoch + 1}, batch {step}",
                checkpoint_path,
            )
        bar.set_postfix(loss=f"{so_far['loss']:.4f}", acc=f"{so_far['accuracy']:.4f}")

    return log


def _read(figures: _RunningFigures, train_data: Any, model: Module) -> dict[str, float]:
    distributed_run.add_up_figures(figures, model_device(model))  # over every rank
    if figures.count == 0:
        raise _no_batches("fit()", "train_data", train_data)
    return figures.read()


def _check_finite(logs: dict[str, float], model: Module, epoch: int, checkpoint_path: Any) -> None:
    where = f"the end of epoch {epoch + 1}"
    if not math.isfinite(logs["loss"]):
        raise _diverged(f"the training loss became {logs['loss']}", where, checkpoint_path)
    if not _weights_finite(model):  # the last step can break the weights, not yet the loss
        raise _diverged("the model's weights became NaN or infinite", where, checkpoint_path)


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


def _validate(model: Module, data: Any, loss_fn: Any, name: str) -> dict[str, float]:
    if data is None:
        return {}
    figures = evaluate(model, data, loss_fn, details=False)
    return {f"{name}_loss": figures["loss"], f"{name}_accuracy": figures["accuracy"]}


def _record(
    history: dict[str, list[float]], logs: dict[str, float], label: str,
    print_fn: Callable[[str], None] | None,
) -> None:
    for key, value in logs.items():
        history.setdefault(key, []).append(value)
    if print_fn is not None:
        print_fn(f"{label}  " + "  ".join(_format(key, value) for key, value in logs.items()))


def _format(key: str, value: float) -> str:
    return f"{key} {value:.2f}s" if key.endswith("seconds") else f"{key} {value:.4g}"


def _step_scheduler_after_epoch(
    scheduler: Any, batch_scheduler: Any, logs: dict[str, float], validation_name: str
) -> None:
    if isinstance(scheduler, ReduceLROnPlateau):
        # It watches a figure: the validation loss (Keras's default monitor), else the
        # training loss, as a PyTorch loop would call scheduler.step(val_loss).
        scheduler.step(logs.get(f"{validation_name}_loss", logs["loss"]))
    elif scheduler is not None and batch_scheduler is None:
        scheduler.step()


def _save(checkpoint_path: Any, model: Module, optimizer: Any, epoch: int,
          history: dict[str, list[float]], run: _ResumeState, extra: dict[str, Any] | None) -> None:
    """The epoch's checkpoint, if asked for: written by rank 0 alone, of the bare model."""
    if checkpoint_path is not None and distributed_run.is_rank_zero():
        save_checkpoint(checkpoint_path, distributed_run.bare(model), optimizer, epoch=epoch,
                        history=history, resume_state=run.state_dict(), **(extra or {}))


def _stop_early(early_stopping: EarlyStopping, model: Module, print_fn: Any) -> None:
    """Say why training stops, and bring back the best epoch's weights if asked (after the
    checkpoint, which keeps the last epoch's state for resuming)."""
    if print_fn is not None:
        print_fn(
            f"early stopping: {early_stopping.monitor} has not improved for "
            f"{early_stopping.patience} epoch(s) since epoch {early_stopping.best_epoch + 1}"
        )
    if early_stopping.restore(model) and print_fn is not None:
        print_fn(
            f"restored the weights of epoch {early_stopping.best_epoch + 1} "
            f"({early_stopping.monitor} {early_stopping.best:.4g})"
        )


def _no_batches(caller: str, argument: str, data: Any) -> ValueError:
    """An empty loader would give a history (or accuracy) of zeros, as if it had worked."""
    shown = repr(data)
    shown = shown if len(shown) <= 160 else type(data).__name__
    return ValueError(
        f"{caller}: {argument} gave no batches ({shown}): it holds no samples, or fewer "
        f"than one batch with drop_last=True"
    )


# ---- predict and evaluate --------------------------------------------------------------------
def predict(
    model: Module, data: Any, probabilities: bool = False, batch_size: int | None = None
) -> np.ndarray:
    """The model's logits (or softmax probabilities) for every batch, as one host array.

    ``data`` is an array of inputs (NumPy, CuPy or a Tensor; cut into batches of
    ``batch_size``, default 32), a dataset, or an iterable yielding input batches or
    ``(inputs, targets)`` pairs whose targets are ignored.
    """
    _check_model_and_loss("predict()", model, None, batch_size)
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
    _check_model_and_loss("evaluate()", model, loss_fn, batch_size)
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
