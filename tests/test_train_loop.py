"""fit / evaluate / predict and EarlyStopping on small synthetic problems (Gaussian blobs and
a tiny MLP), on every device: learning, history, validation, schedules, early stopping,
per-epoch checkpoints, exact resume, and divergence."""

from __future__ import annotations

import re

import numpy as np
import pytest

import tinydl
from tinydl import data, nn, optim
from tinydl.optim.lr_scheduler import StepLR
from tinydl.train import EarlyStopping, TrainingDiverged, evaluate, fit, load_checkpoint, predict
from tinydl.train.checkpoint import read_extra

CENTRES = np.array([[2.0, 0.0], [-2.0, 0.0], [0.0, 2.5]], dtype=np.float32)


def blobs(count: int = 240, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Three Gaussian blobs in the plane: float32 points, int64 labels."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, len(CENTRES), count)
    points = CENTRES[labels] + rng.normal(size=(count, 2)).astype(np.float32)
    return points.astype(np.float32), labels


def small_mlp(dropout: float = 0.0, device: str = "cpu") -> nn.Module:
    """2 -> 16 ReLU (-> Dropout) -> 3, built from seed 0 so two calls give the same weights."""
    tinydl.manual_seed(0)
    layers = [nn.Dense(2, 16), nn.ReLU()] + ([nn.Dropout(dropout)] if dropout else [])
    return nn.Sequential(*layers, nn.Dense(16, 3)).to(device)


def loaders(device: str, one_hot: bool = False) -> tuple[data.DataLoader, data.DataLoader]:
    """A shuffled training loader (seed 1) and a validation loader on other blobs."""
    x, y = blobs()
    x_val, y_val = blobs(120, seed=5)
    if one_hot:
        y, y_val = data.one_hot(y, 3), data.one_hot(y_val, 3)
    return (
        data.DataLoader(x, y, 32, shuffle=True, seed=1, device=device),
        data.DataLoader(x_val, y_val, 60, device=device),
    )


def host_state(model: nn.Module) -> dict[str, np.ndarray]:
    return dict(model.state_dict())


# ---- learning and the history --------------------------------------------------------------


def test_fit_learns_blobs_and_reports_each_epoch(device: str) -> None:
    model = small_mlp(device=device)
    optimizer = optim.Adam(model.parameters(), lr=0.05)
    train, val = loaders(device)
    loss_fn = nn.CrossEntropyLoss()
    history = fit(model, optimizer, loss_fn, train, 5, validation_data=val, progress=False,
                  print_fn=None)

    assert list(history) == ["loss", "accuracy", "val_loss", "val_accuracy", "lr", "seconds",
                             "train_seconds"]
    assert all(len(values) == 5 for values in history.values())
    assert all(isinstance(value, float) for values in history.values() for value in values)
    assert history["loss"][-1] < 0.5 * history["loss"][0]
    assert history["val_accuracy"][-1] > 0.9
    assert history["lr"] == [0.05] * 5
    assert all(seconds > 0 for seconds in history["seconds"])
    # The validation figures are those of the model at the end of each epoch.
    final = evaluate(model, val, loss_fn, details=False)
    assert final["loss"] == pytest.approx(history["val_loss"][-1], rel=1e-6)
    assert final["accuracy"] == history["val_accuracy"][-1]
    assert all(p.dtype == np.float32 for p in model.parameters())


def test_one_hot_targets_train_exactly_like_integer_labels(device: str) -> None:
    histories, weights = [], []
    for one_hot in (False, True):
        model = small_mlp(device=device)
        train, val = loaders(device, one_hot=one_hot)
        histories.append(fit(model, optim.SGD(model.parameters(), lr=0.1), nn.CrossEntropyLoss(),
                             train, 2, validation_data=val, progress=False, print_fn=None))
        weights.append(host_state(model))
    labels_run, one_hot_run = histories
    assert labels_run["accuracy"] == one_hot_run["accuracy"]
    assert labels_run["val_accuracy"] == one_hot_run["val_accuracy"]
    np.testing.assert_allclose(labels_run["loss"], one_hot_run["loss"], rtol=1e-5)
    for name, value in weights[0].items():
        np.testing.assert_allclose(weights[1][name], value, rtol=1e-5, atol=1e-6)


def test_validation_name_renames_the_validation_figures() -> None:
    model = small_mlp()
    train, val = loaders("cpu")
    history = fit(model, optim.SGD(model.parameters(), lr=0.1), nn.CrossEntropyLoss(), train, 1,
                  validation_data=val, validation_name="test", progress=False, print_fn=None)
    assert list(history) == ["loss", "accuracy", "test_loss", "test_accuracy", "lr", "seconds",
                             "train_seconds"]


def test_fit_without_validation_reports_training_figures_only() -> None:
    model = small_mlp()
    train, _ = loaders("cpu")
    history = fit(model, optim.SGD(model.parameters(), lr=0.1), nn.CrossEntropyLoss(), train, 1,
                  progress=False, print_fn=None)
    assert list(history) == ["loss", "accuracy", "lr", "seconds", "train_seconds"]


def test_progress_false_prints_one_line_per_epoch(capsys: pytest.CaptureFixture[str]) -> None:
    model = small_mlp()
    train, val = loaders("cpu")
    fit(model, optim.SGD(model.parameters(), lr=0.1), nn.CrossEntropyLoss(), train, 2,
        validation_data=val, progress=False)
    captured = capsys.readouterr()
    number = r"[0-9.e+-]+"
    lines = captured.out.splitlines()
    assert len(lines) == 2
    for epoch, line in enumerate(lines, start=1):
        assert re.fullmatch(
            rf"epoch {epoch}/2  loss {number}  accuracy {number}  val_loss {number}  "
            rf"val_accuracy {number}  lr 0\.1  seconds \d+\.\d\ds  train_seconds \d+\.\d\ds",
            line,
        ), line
    assert captured.err == ""  # no progress bar


def test_lr_schedule_is_applied_per_epoch_and_recorded() -> None:
    model = small_mlp()
    train, _ = loaders("cpu")
    optimizer = optim.SGD(model.parameters(), lr=0.1)
    history = fit(model, optimizer, nn.CrossEntropyLoss(), train, 5,
                  scheduler=StepLR(optimizer, step_size=2, gamma=0.5), progress=False,
                  print_fn=None)
    assert history["lr"] == [0.1, 0.1, 0.05, 0.05, 0.025]
    assert optimizer.lr == 0.025  # set for a 6th epoch: 0.1 * 0.5 ** (5 // 2)


# ---- early stopping ------------------------------------------------------------------------


def test_early_stopping_counts_epochs_without_improvement() -> None:
    stopper = EarlyStopping(monitor="val_loss", patience=2)
    losses = [1.0, 0.9, 0.95, 0.91, 0.92, 0.5]
    decisions = [stopper.should_stop(epoch, {"val_loss": v}) for epoch, v in enumerate(losses)]
    assert decisions == [False, False, False, True, True, False]
    assert (stopper.best, stopper.best_epoch) == (0.5, 5)


def test_early_stopping_min_delta_and_max_mode() -> None:
    stopper = EarlyStopping(monitor="val_accuracy", patience=1, mode="max", min_delta=0.01)
    assert not stopper.should_stop(0, {"val_accuracy": 0.80})
    assert stopper.should_stop(1, {"val_accuracy": 0.805})  # better, but not by min_delta
    assert stopper.best == 0.80


def test_early_stopping_patience_zero_stops_at_the_first_epoch_without_improvement() -> None:
    stopper = EarlyStopping(monitor="loss", patience=0)
    assert not stopper.should_stop(0, {"loss": 1.0})
    assert stopper.should_stop(1, {"loss": 1.0})


def test_early_stopping_errors() -> None:
    with pytest.raises(ValueError, match=(
        r"^EarlyStopping: mode must be 'auto', 'min' or 'max', got 'up'$"
    )):
        EarlyStopping(mode="up")
    with pytest.raises(ValueError, match=(
        r"^EarlyStopping: patience must be an integer >= 0, got -1$"
    )):
        EarlyStopping(patience=-1)
    with pytest.raises(KeyError, match=re.escape(
        "EarlyStopping monitors 'val_loss', but the epoch only reported accuracy, loss "
        "(pass validation data to get val_* figures)"
    )):
        EarlyStopping().should_stop(0, {"loss": 1.0, "accuracy": 0.5})


def test_fit_stops_early_after_patience(capsys: pytest.CaptureFixture[str]) -> None:
    # The training loss falls every epoch, so in "max" mode it improves only at epoch 1.
    model = small_mlp()
    train, _ = loaders("cpu")
    history = fit(model, optim.Adam(model.parameters(), lr=0.05), nn.CrossEntropyLoss(), train,
                  10, early_stopping=EarlyStopping(monitor="loss", patience=2, mode="max"),
                  progress=False)
    assert len(history["loss"]) == 3
    assert capsys.readouterr().out.splitlines()[-1] == (
        "early stopping: loss has not improved for 2 epoch(s) since epoch 1"
    )


# ---- checkpoints during fit ----------------------------------------------------------------


def test_fit_writes_a_checkpoint_after_every_epoch(tmp_path) -> None:
    path = tmp_path / "run" / "model.npz"
    on_disk_at_each_print = []

    def record(line: str) -> None:  # called after an epoch's training, before its checkpoint
        on_disk_at_each_print.append(read_extra(path)["epoch"] if path.exists() else None)

    model = small_mlp()
    train, _ = loaders("cpu")
    history = fit(model, optim.Adam(model.parameters(), lr=0.05), nn.CrossEntropyLoss(), train,
                  3, checkpoint_path=path, progress=False, print_fn=record,
                  extra={"example": "blobs"})
    assert on_disk_at_each_print == [None, 0, 1]
    extra = read_extra(path)
    assert extra["epoch"] == 2
    assert extra["history"] == history
    assert extra["example"] == "blobs"
    assert [p.name for p in path.parent.iterdir()] == ["model.npz"]  # no temporary files left
    restored = small_mlp()
    load_checkpoint(path, restored)
    for name, value in host_state(model).items():
        np.testing.assert_array_equal(host_state(restored)[name], value)


def test_a_failed_checkpoint_write_keeps_the_previous_epoch(tmp_path, monkeypatch) -> None:
    path = tmp_path / "model.npz"
    real_savez = np.savez
    writes = []

    def savez_failing_on_second_write(file, **arrays) -> None:
        writes.append(1)
        if len(writes) == 2:
            raise OSError("No space left on device")
        real_savez(file, **arrays)

    monkeypatch.setattr(np, "savez", savez_failing_on_second_write)
    model = small_mlp()
    train, _ = loaders("cpu")
    with pytest.raises(OSError, match="No space left on device"):
        fit(model, optim.SGD(model.parameters(), lr=0.1), nn.CrossEntropyLoss(), train, 3,
            checkpoint_path=path, progress=False, print_fn=None)
    assert read_extra(path)["epoch"] == 0
    assert [p.name for p in tmp_path.iterdir()] == ["model.npz"]


def test_resume_continues_exactly_like_an_uninterrupted_run(tmp_path, device: str) -> None:
    """Shuffling, Dropout masks, Adam's moments, the LR schedule and early stopping all
    carry state; a run stopped after 2 epochs and resumed must end bit-identical."""

    def run(epochs: int, resume: bool, path) -> tuple[dict, nn.Module, list[str]]:
        model = small_mlp(dropout=0.3, device=device)
        optimizer = optim.Adam(model.parameters(), lr=0.05)
        train, val = loaders(device)
        lines: list[str] = []
        history = fit(
            model, optimizer, nn.CrossEntropyLoss(), train, epochs, validation_data=val,
            scheduler=StepLR(optimizer, step_size=1, gamma=0.7),
            early_stopping=EarlyStopping(patience=10), checkpoint_path=path, resume=resume,
            progress=False, print_fn=lines.append,
        )
        return history, model, lines

    whole_history, whole_model, _ = run(4, resume=False, path=None)
    path = tmp_path / "model.npz"
    run(2, resume=False, path=path)
    tinydl.manual_seed(99)  # a fresh process would not share the global generator's state
    resumed_history, resumed_model, lines = run(4, resume=True, path=path)

    assert [line.split("  ")[0] for line in lines] == ["epoch 3/4", "epoch 4/4"]
    for name, value in host_state(whole_model).items():
        assert np.array_equal(host_state(resumed_model)[name], value), name
    for timing in ("seconds", "train_seconds"):
        del whole_history[timing], resumed_history[timing]
    assert resumed_history == whole_history


def test_resume_keeps_counting_epochs_without_improvement(tmp_path) -> None:
    # Uninterrupted, this stops after epoch 3 (the loss "improves" in max mode only at epoch 1).
    def run(epochs: int, resume: bool) -> dict:
        model = small_mlp()
        train, _ = loaders("cpu")
        return fit(model, optim.Adam(model.parameters(), lr=0.05), nn.CrossEntropyLoss(), train,
                   epochs, early_stopping=EarlyStopping(monitor="loss", patience=2, mode="max"),
                   checkpoint_path=tmp_path / "model.npz", resume=resume, progress=False,
                   print_fn=None)

    run(2, resume=False)
    assert len(run(10, resume=True)["loss"]) == 3


def test_resume_without_a_checkpoint_file_starts_from_scratch(tmp_path) -> None:
    model = small_mlp()
    train, _ = loaders("cpu")
    history = fit(model, optim.SGD(model.parameters(), lr=0.1), nn.CrossEntropyLoss(), train, 2,
                  checkpoint_path=tmp_path / "new.npz", resume=True, progress=False,
                  print_fn=None)
    assert len(history["loss"]) == 2
    assert read_extra(tmp_path / "new.npz")["epoch"] == 1


# ---- divergence ----------------------------------------------------------------------------


def test_a_nan_loss_stops_training_and_keeps_the_last_good_checkpoint(tmp_path) -> None:
    path = tmp_path / "model.npz"
    train, _ = loaders("cpu")
    cross_entropy = nn.CrossEntropyLoss()
    calls = []

    def loss_turning_nan_in_epoch_3(logits, target):
        calls.append(1)
        loss = cross_entropy(logits, target)
        return loss * float("nan") if len(calls) > 2 * len(train) else loss

    snapshots = []
    model = small_mlp()
    with pytest.raises(TrainingDiverged) as caught:
        fit(model, optim.SGD(model.parameters(), lr=0.1), loss_turning_nan_in_epoch_3, train, 5,
            checkpoint_path=path, progress=False,
            print_fn=lambda line: snapshots.append(host_state(model)))
    assert str(caught.value) == (
        f"the training loss became nan at the end of epoch 3; the last good checkpoint is kept "
        f"at {path}. A lower learning rate, normalised inputs or gradient clipping usually cure "
        f"this."
    )
    restored = small_mlp(dropout=0.0)
    assert load_checkpoint(path, restored)["epoch"] == 1
    for name, value in host_state(restored).items():
        assert np.isfinite(value).all()
        np.testing.assert_array_equal(value, snapshots[1][name])


@pytest.mark.filterwarnings("ignore:overflow:RuntimeWarning")
def test_a_learning_rate_far_too_high_diverges_within_an_epoch() -> None:
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(64, 4)).astype(np.float32), rng.normal(size=(64, 1)).astype(np.float32)
    tinydl.manual_seed(0)
    model = nn.Sequential(nn.Dense(4, 1))
    with pytest.raises(TrainingDiverged, match=(
        r"^the training loss became (inf|nan) at epoch \d+, batch \d+; no checkpoint had been "
        r"written yet\. A lower learning rate"
    )):
        fit(model, optim.SGD(model.parameters(), lr=10.0), nn.MSELoss(), data.DataLoader(x, y, 16),
            20, progress=False, log_every=1, print_fn=None)


class NaNGradient(tinydl.Function):
    """The identity forward, a NaN gradient backward: a broken backward pass."""

    def forward(self, x):
        return x

    def backward(self, gy):
        return gy * float("nan")


def test_weights_broken_by_the_last_step_of_an_epoch_are_never_checkpointed(tmp_path) -> None:
    # The loss of the epoch's last batch is computed before the step that breaks the weights,
    # so the epoch's loss is finite; the weights are not and must not be saved.
    path = tmp_path / "model.npz"
    train, _ = loaders("cpu")
    cross_entropy = nn.CrossEntropyLoss()
    calls = []

    def loss_with_a_broken_gradient_at_the_end_of_epoch_2(logits, target):
        calls.append(1)
        if len(calls) == 2 * len(train):
            logits = NaNGradient()(logits)
        return cross_entropy(logits, target)

    model = small_mlp()
    with pytest.raises(TrainingDiverged, match=re.escape(
        f"the model's weights became NaN or infinite at the end of epoch 2; the last good "
        f"checkpoint is kept at {path}."
    )):
        fit(model, optim.SGD(model.parameters(), lr=0.1),
            loss_with_a_broken_gradient_at_the_end_of_epoch_2, train, 4, checkpoint_path=path,
            progress=False, print_fn=None)
    restored = small_mlp()
    assert load_checkpoint(path, restored)["epoch"] == 0
    assert all(np.isfinite(value).all() for value in host_state(restored).values())


# ---- argument errors -----------------------------------------------------------------------


def test_fit_argument_errors(tmp_path) -> None:
    model = small_mlp()
    optimizer = optim.SGD(model.parameters(), lr=0.1)
    train, _ = loaders("cpu")
    loss_fn = nn.CrossEntropyLoss()
    with pytest.raises(ValueError, match=r"^fit\(\): epochs must be a positive integer, got 0$"):
        fit(model, optimizer, loss_fn, train, 0)
    with pytest.raises(ValueError, match=r"^fit\(\): log_every must be a positive integer, got 0$"):
        fit(model, optimizer, loss_fn, train, 1, log_every=0)
    with pytest.raises(ValueError, match=r"^resume=True needs the checkpoint_path to resume from$"):
        fit(model, optimizer, loss_fn, train, 1, resume=True)
    with pytest.raises(ValueError, match=(
        r"^extra may not use the names fit\(\) saves itself: epoch, history$"
    )):
        fit(model, optimizer, loss_fn, train, 1, checkpoint_path=tmp_path / "c.npz",
            extra={"history": [], "epoch": 3, "example": "x"})


# ---- evaluate and predict ------------------------------------------------------------------


def identity_model(device: str) -> nn.Module:
    """Dense(3, 3) with W = I and b = 0: the inputs are the logits."""
    model = nn.Sequential(nn.Dense(3, 3))
    model.load_state_dict({"0.weight": np.eye(3, dtype=np.float32),
                           "0.bias": np.zeros(3, dtype=np.float32)})
    return model.to(device)


# Labels 0 0 0 1 1 2, predicted 0 0 1 1 2 2 (the largest logit of each row).
LOGITS = np.array(
    [[3, 1, 0], [2, 0, 1], [0, 2, 1], [1, 3, 0], [0, 1, 2], [1, 0, 4]], dtype=np.float32
)
LABELS = np.array([0, 0, 0, 1, 1, 2])


def log_softmax_reference(logits: np.ndarray) -> np.ndarray:
    shifted = logits.astype(np.float64) - logits.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


@pytest.mark.parametrize("one_hot", [False, True])
def test_evaluate_on_a_hand_made_case(device: str, one_hot: bool) -> None:
    targets = data.one_hot(LABELS, 3) if one_hot else LABELS
    batches = data.DataLoader(LOGITS, targets, batch_size=4, device=device)  # two batches
    report = evaluate(identity_model(device), batches, nn.CrossEntropyLoss())

    assert report["accuracy"] == pytest.approx(4 / 6)
    expected_loss = -log_softmax_reference(LOGITS)[np.arange(6), LABELS].mean()
    assert report["loss"] == pytest.approx(expected_loss, rel=1e-6)
    np.testing.assert_array_equal(report["confusion_matrix"], [[2, 1, 0], [0, 1, 1], [0, 0, 1]])
    np.testing.assert_allclose(report["precision"], [1.0, 0.5, 0.5])
    np.testing.assert_allclose(report["recall"], [2 / 3, 0.5, 1.0])
    np.testing.assert_allclose(report["f1"], [0.8, 0.5, 2 / 3])
    np.testing.assert_array_equal(report["predictions"], [0, 0, 1, 1, 2, 2])
    np.testing.assert_array_equal(report["labels"], LABELS)


def test_evaluate_without_loss_or_details(device: str) -> None:
    batches = data.DataLoader(LOGITS, LABELS, batch_size=4, device=device)
    assert evaluate(identity_model(device), batches, details=False) == {"accuracy": 4 / 6}


def test_predict_returns_logits_or_probabilities(device: str) -> None:
    model = identity_model(device)
    batches = data.DataLoader(LOGITS, LABELS, batch_size=4, device=device)
    logits = predict(model, batches)
    assert isinstance(logits, np.ndarray) and logits.dtype == np.float32
    np.testing.assert_array_equal(logits, LOGITS)
    probabilities = predict(model, batches, probabilities=True)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-6)
    np.testing.assert_allclose(probabilities, np.exp(log_softmax_reference(LOGITS)), rtol=1e-5)
    # Bare input batches (no targets) work too.
    inputs_only = [tinydl.tensor(part, device=device) for part in (LOGITS[:4], LOGITS[4:])]
    np.testing.assert_array_equal(predict(model, inputs_only), LOGITS)


def test_predict_and_evaluate_leave_dropout_off() -> None:
    model = small_mlp(dropout=0.9)
    x, y = blobs(60)
    batches = data.DataLoader(x, y, 30)
    np.testing.assert_array_equal(predict(model, batches), predict(model, batches))
    assert not model.training
