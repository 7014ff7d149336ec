"""Issue 11's silent traps of the training tools, each made loud or right: EarlyStopping's
mode inferred from the metric's name and its restore_best_weights, arrays where a user
passes them (model(x), predict, fit, evaluate), the progress bar outside a terminal, and
load_cifar10's layout (tested in test_data_datasets.py)."""

from __future__ import annotations

import io
import re

import numpy as np
import pytest
from test_train_loop import blobs, host_state, small_mlp

import tinydl
from tinydl import data, nn, optim
from tinydl.data.dataset import TensorDataset
from tinydl.train import EarlyStopping, evaluate, fit, predict
from tinydl.train.callbacks import infer_mode

# ---- EarlyStopping -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("monitor", "mode"),
    [("val_accuracy", "max"), ("accuracy", "max"), ("val_acc", "max"), ("val_auc", "max"),
     ("val_loss", "min"), ("loss", "min"), ("test_loss", "min"), ("val_mae", "min")],
)
def test_mode_auto_follows_the_metric_name(monitor: str, mode: str) -> None:
    assert infer_mode(monitor) == mode
    assert EarlyStopping(monitor=monitor).mode == mode


def test_val_accuracy_rising_does_not_stop_training() -> None:
    # The trap: with mode "min", a rising accuracy counted as "no improvement".
    stopper = EarlyStopping(monitor="val_accuracy", patience=2)
    accuracies = [0.90, 0.92, 0.95, 0.97, 0.96, 0.96]
    decisions = [stopper.should_stop(e, {"val_accuracy": a}) for e, a in enumerate(accuracies)]
    assert decisions == [False, False, False, False, False, True]
    assert (stopper.best, stopper.best_epoch) == (0.97, 3)


def test_explicit_mode_wins_over_the_name() -> None:
    stopper = EarlyStopping(monitor="val_accuracy", patience=1, mode="min")
    assert not stopper.should_stop(0, {"val_accuracy": 0.5})
    assert stopper.should_stop(1, {"val_accuracy": 0.6})


def test_baseline_must_be_beaten_to_reset_patience() -> None:
    # As in Keras: improving on the best so far is not enough while below the baseline.
    stopper = EarlyStopping(monitor="val_accuracy", patience=2, baseline=0.9)
    assert [stopper.should_stop(e, {"val_accuracy": a}) for e, a in
            enumerate([0.5, 0.6, 0.7])] == [False, False, False]
    assert stopper.waited == 3  # each epoch improved, none beat 0.9
    stopper = EarlyStopping(monitor="val_accuracy", patience=2, baseline=0.9)
    assert [stopper.should_stop(e, {"val_accuracy": a}) for e, a in
            enumerate([0.5, 0.4, 0.3])] == [False, True, True]


def test_start_from_epoch_skips_the_warm_up() -> None:
    stopper = EarlyStopping(monitor="loss", patience=0, start_from_epoch=2)
    assert [stopper.should_stop(e, {"loss": v}) for e, v in
            enumerate([1.0, 2.0, 3.0, 4.0])] == [False, False, False, True]
    assert stopper.best == 3.0


def test_restore_best_weights_needs_the_model() -> None:
    with pytest.raises(ValueError, match=re.escape(
        "EarlyStopping(restore_best_weights=True) needs the model to keep its best weights: "
        "call should_stop(epoch, logs, model)"
    )):
        EarlyStopping(monitor="loss", restore_best_weights=True).should_stop(0, {"loss": 1.0})


def test_fit_restores_the_best_epochs_weights_when_it_stops() -> None:
    # A scripted validation loss is best after the second epoch (0-based 1): the weights
    # of that epoch must come back when training stops two epochs later.
    model = small_mlp()
    x, y = blobs()
    weights_per_epoch = []
    val_losses = iter([1.0, 0.5, 0.8, 0.9, 0.95])

    def record(line: str) -> None:
        if line.startswith("epoch "):
            weights_per_epoch.append(host_state(model))

    stopper = EarlyStopping(monitor="val_loss", patience=2, restore_best_weights=True)
    original = stopper.should_stop

    def scripted(epoch, logs, model_):
        logs = {**logs, "val_loss": next(val_losses)}
        return original(epoch, logs, model_)

    stopper.should_stop = scripted
    history = fit(model, optim.Adam(model.parameters(), lr=0.05), nn.CrossEntropyLoss(),
                  (x, y), 10, early_stopping=stopper, progress=False, print_fn=record)
    assert len(history["loss"]) == 4
    assert stopper.best_epoch == 1
    for name, value in host_state(model).items():
        np.testing.assert_array_equal(value, weights_per_epoch[1][name])
    assert not np.array_equal(host_state(model)["0.weight"], weights_per_epoch[-1]["0.weight"])


def test_fit_says_it_restored(capsys) -> None:
    model = small_mlp()
    x, y = blobs()
    history = fit(
        model, optim.Adam(model.parameters(), lr=0.05), nn.CrossEntropyLoss(), (x, y), 10,
        early_stopping=EarlyStopping(monitor="loss", patience=1, mode="max",
                                     restore_best_weights=True),
        progress=False,
    )
    assert capsys.readouterr().out.splitlines()[-2:] == [
        "early stopping: loss has not improved for 1 epoch(s) since epoch 1",
        f"restored the weights of epoch 1 (loss {history['loss'][0]:.4g})",
    ]


def test_the_best_weights_survive_a_resume(tmp_path) -> None:
    stopper = EarlyStopping(monitor="loss", patience=5, mode="max", restore_best_weights=True)
    model = small_mlp()
    x, y = blobs()
    fit(model, optim.SGD(model.parameters(), lr=0.1), nn.CrossEntropyLoss(), (x, y), 2,
        early_stopping=stopper, checkpoint_path=tmp_path / "run.npz", progress=False,
        print_fn=None)
    resumed = EarlyStopping(monitor="loss", patience=5, mode="max", restore_best_weights=True)
    fit(small_mlp(), optim.SGD(model.parameters(), lr=0.1), nn.CrossEntropyLoss(), (x, y), 2,
        early_stopping=resumed, checkpoint_path=tmp_path / "run.npz", resume=True,
        progress=False, print_fn=None)
    assert resumed.best_epoch == stopper.best_epoch
    for name, value in stopper.best_weights.items():
        np.testing.assert_array_equal(resumed.best_weights[name], value)


# ---- arrays where a user passes them -------------------------------------------------------


def test_a_model_takes_a_numpy_array(device: str) -> None:
    model = small_mlp(device=device)
    x, _ = blobs(8)
    expected = model(tinydl.tensor(x, device=device)).numpy()
    out = model(x.astype(np.float64))  # float64 NumPy: the model's float32, on its device
    assert out.dtype == np.float32 and out.device == tinydl.device(device)
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-6)


def test_a_float64_model_keeps_float64_for_numpy_input() -> None:
    model = small_mlp()
    for parameter in model.parameters():
        parameter.data = parameter.data.astype(np.float64)
    assert model(blobs(4)[0]).dtype == np.float64


def test_predict_takes_an_array_and_a_batch_size(device: str) -> None:
    model = small_mlp(device=device)
    x, _ = blobs(70)
    expected = model(tinydl.tensor(x, device=device)).numpy()
    for batch_size in (None, 7, 100):
        np.testing.assert_allclose(predict(model, x, batch_size=batch_size), expected,
                                   rtol=1e-6)
    np.testing.assert_allclose(predict(model, tinydl.tensor(x)), expected, rtol=1e-6)


def test_fit_and_evaluate_take_x_y_arrays(device: str) -> None:
    model = small_mlp(device=device)
    x, y = blobs()
    x_val, y_val = blobs(120, seed=5)
    history = fit(model, optim.Adam(model.parameters(), lr=0.05), nn.CrossEntropyLoss(),
                  (x, y), 3, validation_data=(x_val, y_val), batch_size=16, progress=False,
                  print_fn=None)
    assert history["val_accuracy"][-1] > 0.85
    result = evaluate(model, (x_val, y_val), details=False)
    assert result["accuracy"] == history["val_accuracy"][-1]


def test_fit_evaluate_and_predict_take_a_dataset() -> None:
    model = small_mlp()
    x, y = blobs()
    train = TensorDataset(x, y)
    history = fit(model, optim.Adam(model.parameters(), lr=0.05), nn.CrossEntropyLoss(), train,
                  2, validation_data=train, progress=False, print_fn=None)
    assert evaluate(model, train, details=False)["accuracy"] == history["val_accuracy"][-1]
    np.testing.assert_allclose(predict(model, train), predict(model, x), rtol=1e-6)


def test_array_batches_match_a_dataloader_with_the_same_seed() -> None:
    # fit((x, y)) is DataLoader(x, y, batch_size, shuffle=True) on the model's device.
    x, y = blobs()
    runs = []
    for make in (lambda: ((x, y), 16), lambda: (data.DataLoader(x, y, 16, shuffle=True), None)):
        model = small_mlp()
        tinydl.manual_seed(3)  # the loader's seed comes from tinydl's generator
        train_data, batch_size = make()
        fit(model, optim.SGD(model.parameters(), lr=0.1), nn.CrossEntropyLoss(), train_data,
            2, batch_size=batch_size, progress=False, print_fn=None)
        runs.append(host_state(model))
    for name, value in runs[0].items():
        np.testing.assert_array_equal(runs[1][name], value)


def test_what_fit_cannot_use_is_named() -> None:
    model = small_mlp()
    x, y = blobs(10)
    sgd = optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(TypeError, match=re.escape(
        "train_data got one array of shape (10, 2), but training needs inputs and targets: "
        "pass train_data=(x, y) arrays, a dataset, or a DataLoader"
    )):
        fit(model, sgd, nn.CrossEntropyLoss(), x, 1, progress=False)
    with pytest.raises(TypeError, match=re.escape(
        "each batch of train_data must be an (inputs, targets) pair, got a tuple of 3 items: "
        "pass train_data=(x, y) arrays or a DataLoader(x, y)"
    )):
        fit(model, sgd, nn.CrossEntropyLoss(), [(x, y, y)], 1, progress=False)
    with pytest.raises(ValueError, match=re.escape(
        "batch_size applies when train_data is arrays or a dataset; this DataLoader already "
        "makes its own batches (set its batch size instead)"
    )):
        fit(model, sgd, nn.CrossEntropyLoss(), data.DataLoader(x, y), 1, batch_size=8)


# ---- the progress bar ----------------------------------------------------------------------


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def fit_blobs_printing_to(stream, monkeypatch, capsys) -> tuple[str, str]:
    monkeypatch.setattr("sys.stderr", stream)
    model = small_mlp()
    fit(model, optim.SGD(model.parameters(), lr=0.1), nn.CrossEntropyLoss(), blobs(), 2,
        batch_size=8)
    return stream.getvalue(), capsys.readouterr().out


def test_no_carriage_returns_when_output_is_not_a_terminal(monkeypatch, capsys) -> None:
    bar, out = fit_blobs_printing_to(io.StringIO(), monkeypatch, capsys)
    assert bar == ""
    assert [line.split("  ")[0] for line in out.splitlines()] == ["epoch 1/2", "epoch 2/2"]


def test_a_terminal_gets_the_live_bar(monkeypatch, capsys) -> None:
    bar, out = fit_blobs_printing_to(FakeTerminal(), monkeypatch, capsys)
    assert "\r" in bar and "epoch 1/2" in bar
    assert len(out.splitlines()) == 2
