"""tinydl.keras against real Keras (stored fixtures from tests/reference/make_keras.py) and
against Keras's documented behaviour: layers in channels-last layouts, summaries,
optimisers with Keras's ε placement, losses, the fused softmax + cross-entropy,
fit/evaluate/predict, callbacks, saving."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from conftest import default_device
from keras_cases import LOSSES, MODELS, OPTIMIZERS

import tinydl
from tinydl import keras, nn
from tinydl.keras import callbacks, layers, losses, models, optimizers, utils

FIXTURE = np.load(Path(__file__).parent / "reference" / "keras.npz", allow_pickle=False)


def fields(case: str) -> dict[str, np.ndarray]:
    prefix = case + "."
    return {k[len(prefix):]: FIXTURE[k] for k in FIXTURE.files if k.startswith(prefix)}


@pytest.fixture(autouse=True)
def fresh_names() -> None:
    utils.clear_session()
    tinydl.manual_seed(0)


def test_the_documented_import_paths() -> None:
    from tinydl.keras import callbacks as c
    from tinydl.keras import datasets, utils  # noqa: F401

    assert tinydl.keras is keras and keras.layers is layers and keras.callbacks is c
    assert keras.Sequential is models.Sequential and keras.Input is layers.Input


# ---- layers: the same outputs as Keras for Keras's weights --------------------------------
@pytest.mark.parametrize("name", sorted(MODELS))
def test_models_match_keras(name: str) -> None:
    build, _ = MODELS[name]
    case = fields(f"model_{name}")
    model = build(keras)
    count = sum(key.startswith("weight") for key in case)
    model.set_weights([case[f"weight{i}"] for i in range(count)])
    y = model.predict(case["x"].astype(np.float32), verbose=0)
    assert y.dtype == np.float32
    np.testing.assert_allclose(y, case["y"], rtol=1e-5, atol=1e-5)
    assert [str((None, *layer.output_shape)) for layer in model.layers] == list(
        case["output_shapes"]
    )
    assert [sum(layer.count_params()) for layer in model.layers] == list(case["params"])
    for mine, theirs in zip(model.get_weights(), [case[f"weight{i}"] for i in range(count)],
                            strict=True):
        np.testing.assert_allclose(mine, theirs, rtol=1e-6)  # round trip, Keras layouts


def test_colour_images_convolve_over_height_and_width() -> None:
    model = keras.Sequential([layers.Conv2D(8, (3, 3), input_shape=(32, 32, 3))])
    assert model.output_shape == (None, 30, 30, 8)
    assert model.layers[0].get_weights()[0].shape == (3, 3, 3, 8)  # (kh, kw, in, out)
    assert model.predict(np.zeros((2, 32, 32, 3), np.float32), verbose=0).shape == (2, 30, 30, 8)


def test_channels_first_images_are_refused_with_the_fix() -> None:
    model = keras.Sequential([layers.Conv2D(8, (3, 3), input_shape=(32, 32, 3))])
    with pytest.raises(ValueError, match=r"channels-first .* x.transpose\(0, 2, 3, 1\)"):
        model.predict(np.zeros((2, 3, 32, 32), np.float32))
    digits = keras.Sequential([layers.Conv2D(8, 3, input_shape=(28, 28, 1))])
    with pytest.raises(ValueError, match=r"x.reshape\(-1, 28, 28, 1\)"):
        digits.predict(np.zeros((2, 28, 28), np.float32))


def test_transposes_only_at_the_layout_boundaries() -> None:
    model = MODELS["colour_same_strides_bn"][0](keras)
    kinds = [type(module).__name__ for module in model.network]
    assert kinds.count("ChannelsFirst") == 1 and kinds.count("ChannelsLast") == 1
    assert kinds.index("ChannelsLast") == kinds.index("Flatten") - 1


def test_seed_000_summary_is_keras_table() -> None:
    model = models.Sequential([
        layers.Conv2D(32, (3, 3), input_shape=(28, 28, 1)), layers.Flatten(),
        layers.Dense(100), layers.Dense(10),
    ])
    lines: list[str] = []
    model.summary(print_fn=lines.append)
    table = lines[0].splitlines()
    assert table[0] == 'Model: "sequential"'
    rows = [line.split() for line in table if "(None" in line]
    assert rows == [
        ["conv2d", "(Conv2D)", "(None,", "26,", "26,", "32)", "320"],
        ["flatten", "(Flatten)", "(None,", "21632)", "0"],
        ["dense", "(Dense)", "(None,", "100)", "2,163,300"],
        ["dense_1", "(Dense)", "(None,", "10)", "1,010"],
    ]
    assert "Total params: 2,164,630" in table and "Non-trainable params: 0" in table
    assert table[2].index("Output Shape") == 29 and table[2].index("Param #") == 55


def test_batch_norm_statistics_are_non_trainable_params() -> None:
    model = keras.Sequential([keras.Input(shape=(4,)), layers.BatchNormalization()])
    assert model.layers[0].count_params() == (8, 8)
    assert model.layers[0].parts[0].momentum == pytest.approx(0.01)  # Keras's 0.99


# ---- optimisers --------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_optimizers_match_keras(name: str) -> None:
    kind, kwargs = OPTIMIZERS[name]
    case = fields(f"optim_{name}")
    params = [nn.Parameter(case[f"param{i}_initial"].copy()) for i in range(2)]
    engine = getattr(optimizers, kind)(**kwargs).build(params)
    for step in range(len(case["param0_grads"])):
        for i, param in enumerate(params):
            param.grad = tinydl.Tensor(case[f"param{i}_grads"][step])
        engine.step()
        for i, param in enumerate(params):
            np.testing.assert_allclose(param.numpy(), case[f"param{i}_after"][step], rtol=1e-10,
                                       atol=1e-13)


def test_keras_defaults_and_names() -> None:
    assert optimizers.get("adam").get_config() == {
        "name": "adam", "learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7,
    }
    assert optimizers.get("RMSprop").get_config()["rho"] == 0.9
    assert optimizers.get("sgd").learning_rate == 0.01
    assert optimizers.get("adagrad").get_config()["initial_accumulator_value"] == 0.1


def test_rmsprop_epsilon_sits_inside_the_root() -> None:
    param = nn.Parameter(np.zeros(1))
    engine = optimizers.RMSprop(learning_rate=1.0, rho=0.0, epsilon=1.0).build([param])
    param.grad = tinydl.Tensor(np.array([3.0]))
    engine.step()  # s = 9: Keras steps 3/√(9 + 1); ε outside the root would step 3/(3 + 1)
    assert param.numpy()[0] == pytest.approx(-3 / math.sqrt(10))


# ---- losses ------------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(LOSSES))
def test_losses_match_keras(name: str) -> None:
    kind, kwargs, _, _ = LOSSES[name]
    case = fields(f"loss_{name}")
    value = getattr(losses, kind)(**kwargs)(case["y_true"], tinydl.tensor(case["y_pred"],
                                                                          dtype="float64"))
    assert value.dtype == np.float64
    # 1e-7: Keras's torch backend takes some of its means in float32 even in float64 mode.
    np.testing.assert_allclose(value.item(), case["loss"], rtol=1e-7)


def test_a_softmax_output_is_traced_back_to_its_logits() -> None:
    logits = tinydl.tensor([[0.0, 200.0]], requires_grad=True)
    probabilities = tinydl.softmax(logits)  # [[e^-200, 1]]: class 0 underflows to 0
    loss = losses.SparseCategoricalCrossentropy()(np.array([0]), probabilities)
    assert loss.item() == pytest.approx(200.0)  # clipping log(1e-7) would give 16.1
    loss.backward()
    np.testing.assert_allclose(logits.grad.numpy(), [[-1.0, 1.0]], atol=1e-6)


def final_softmax_model(loss: str) -> models.Sequential:
    model = keras.Sequential([layers.Dense(3, activation="softmax", input_shape=(2,))])
    model.set_weights([np.array([[1.0, -2.0, 0.5], [0.0, 3.0, -1.0]]), np.array([0.1, 0, -0.1])])
    model.compile(optimizer=optimizers.SGD(learning_rate=1.0), loss=loss, metrics=["accuracy"])
    return model


@pytest.mark.parametrize("loss", ["sparse_categorical_crossentropy", "categorical_crossentropy"])
def test_final_softmax_with_cross_entropy_trains_on_the_logits(loss: str) -> None:
    x = np.array([[1.0, 2.0], [-1.0, 0.5], [0.3, -0.7], [2.0, 1.0]], np.float32)
    labels = np.array([0, 2, 1, 0])
    y = labels if loss.startswith("sparse") else utils.to_categorical(labels, 3)
    model = final_softmax_model(loss)
    w, b = (t.copy() for t in model.get_weights())
    logits = x @ w + b
    p = np.exp(logits - logits.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    expected_loss = -np.log(p[np.arange(4), labels]).mean()
    delta = (p - np.eye(3)[labels]) / 4  # d loss / d logits
    assert model.evaluate(x, y, verbose=0)[0] == pytest.approx(expected_loss, rel=1e-5)
    history = model.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0)
    assert history.history["loss"] == [pytest.approx(expected_loss, rel=1e-5)]
    new_w, new_b = model.get_weights()
    np.testing.assert_allclose(new_w, w - x.T @ delta, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(new_b, b - delta.sum(0), rtol=1e-5, atol=1e-6)


def test_confident_mistakes_keep_their_exact_loss() -> None:
    model = final_softmax_model("sparse_categorical_crossentropy")
    model.set_weights([np.array([[0.0, 0.0, 300.0], [0.0, 0.0, 0.0]]), np.zeros(3)])
    loss = model.evaluate(np.array([[1.0, 0.0]]), np.array([0]), verbose=0)[0]
    assert loss == pytest.approx(300.0)  # log-softmax, not log(clip(0))


def test_final_sigmoid_with_binary_cross_entropy_is_fused() -> None:
    model = keras.Sequential([layers.Dense(1, activation="sigmoid", input_shape=(1,))])
    model.set_weights([np.array([[100.0]]), np.zeros(1)])
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    assert model.evaluate(np.array([[1.0]]), np.array([0.0]), verbose=0) == pytest.approx(100.0)


def test_from_logits_after_a_softmax_warns() -> None:
    model = final_softmax_model("sparse_categorical_crossentropy")
    model.compile(optimizer="sgd",
                  loss=losses.SparseCategoricalCrossentropy(from_logits=True))
    with pytest.warns(UserWarning, match="ends in a softmax"):
        model.evaluate(np.zeros((2, 2)), np.array([0, 1]), verbose=0)


# ---- fit, evaluate, predict ----------------------------------------------------------------
def blobs(n: int = 200, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two separable clouds of 2-D points, labels 0 and 1."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, n)
    return rng.standard_normal((n, 2)) * 0.7 + np.where(labels[:, None] == 1, 1.0, -1.0), labels


def classifier(lr: float = 0.1, metrics: list[str] | None = None) -> models.Sequential:
    model = keras.Sequential([keras.Input(shape=(2,)), layers.Dense(8, activation="tanh"),
                              layers.Dense(2, activation="softmax")])
    model.compile(optimizer=optimizers.SGD(learning_rate=lr),
                  loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"] if metrics is None else metrics)
    return model


def test_fit_history_evaluate_and_predict_look_like_keras() -> None:
    x, y = blobs()
    model = classifier()
    history = model.fit(x, y, epochs=3, batch_size=16, validation_data=blobs(50, 1), verbose=0)
    assert isinstance(history, callbacks.History) and model.history is history
    assert sorted(history.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert all(len(values) == 3 for values in history.history.values())
    assert history.history["val_accuracy"][-1] > 0.9
    loss, accuracy = model.evaluate(x, y, verbose=0)
    assert 0 < loss < 0.5 and accuracy > 0.9
    assert model.evaluate(x, y, verbose=0, return_dict=True) == {"loss": loss,
                                                                 "accuracy": accuracy}
    probabilities = model.predict(x, batch_size=64, verbose=0)
    assert isinstance(probabilities, np.ndarray) and probabilities.shape == (200, 2)
    np.testing.assert_allclose(probabilities.sum(1), 1, rtol=1e-5)
    assert (probabilities.argmax(1) == y).mean() == pytest.approx(accuracy)


def test_evaluate_without_metrics_is_a_scalar_and_metric_names_are_kept() -> None:
    x, y = blobs(40)
    assert isinstance(classifier(metrics=[]).evaluate(x, y, verbose=0), float)
    history = classifier(metrics=["acc"]).fit(x, y, validation_split=0.25, verbose=0)
    assert sorted(history.history) == ["acc", "loss", "val_acc", "val_loss"]


def test_validation_split_holds_out_the_last_samples() -> None:
    x, y = blobs(40)
    model = classifier(lr=1e-12)
    history = model.fit(x, y, validation_split=0.25, shuffle=False, verbose=0)
    held_out = model.evaluate(x[30:], y[30:], verbose=0)
    assert history.history["val_loss"] == [pytest.approx(held_out[0], rel=1e-6)]


def test_uint8_and_float64_inputs_train_a_float32_model() -> None:
    images = np.random.default_rng(0).integers(0, 256, (8, 4, 4, 1)).astype(np.uint8)
    model = keras.Sequential([layers.Conv2D(2, 3, input_shape=(4, 4, 1)), layers.Flatten(),
                              layers.Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(images, np.arange(8) % 3, verbose=0)
    model.fit(images / 255.0, np.arange(8) % 3, verbose=0)
    assert all(p.dtype == np.float32 for p in model.parameters())


def test_the_model_builds_from_its_first_batch() -> None:
    model = keras.Sequential()
    model.add(layers.Dense(4, activation="relu"))
    model.add(layers.Dense(2, activation="softmax"))
    with pytest.raises(ValueError, match="has not been built"):
        model.summary()
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy")
    x, y = blobs(20)
    model.fit(x, y, verbose=0)
    assert model.input_shape == (None, 2) and model.output_shape == (None, 2)


@pytest.mark.parametrize("optimizer", ["adam", "rmsprop", "adagrad", "sgd"])
def test_training_on_each_device_matches_the_cpu(device: str, optimizer: str) -> None:
    rng = np.random.default_rng(0)
    images, labels = rng.random((16, 6, 6, 3), dtype=np.float32), np.arange(16) % 4
    weights = {}
    for where in ("cpu", device):
        utils.clear_session()
        tinydl.manual_seed(0)
        with default_device(where):
            model = keras.Sequential([
                keras.Input(shape=(6, 6, 3)), layers.Conv2D(4, 3, activation="relu"),
                layers.MaxPooling2D(), layers.BatchNormalization(), layers.Flatten(),
                layers.Dense(4, activation="softmax"),
            ])
            model.compile(optimizer=optimizer, loss="categorical_crossentropy",
                          metrics=["accuracy"])
            model.fit(images, utils.to_categorical(labels), batch_size=8, epochs=2,
                      shuffle=False, verbose=0)
            assert model.predict(images, verbose=0).shape == (16, 4)
            weights[where] = model.get_weights()
    for mine, theirs in zip(weights[device], weights["cpu"], strict=True):
        np.testing.assert_allclose(mine, theirs, rtol=1e-5, atol=1e-6)


# ---- callbacks ---------------------------------------------------------------------------
def test_early_stopping_has_keras_defaults_and_maximises_accuracy() -> None:
    stopper = callbacks.EarlyStopping(monitor="val_accuracy")
    assert stopper.mode == "max" and stopper.patience == 0
    rising = [stopper.should_stop(epoch, {"val_accuracy": a}) for epoch, a in
              enumerate([0.5, 0.6, 0.8])]
    assert rising == [False, False, False]
    assert stopper.should_stop(3, {"val_accuracy": 0.7})


def test_fit_never_stops_on_a_rising_val_accuracy() -> None:
    x, y = blobs()
    model = classifier(lr=0.02)
    stopper = callbacks.EarlyStopping(monitor="val_accuracy", patience=0)
    history = model.fit(x, y, epochs=8, batch_size=50, validation_split=0.3, callbacks=[stopper],
                        verbose=0).history["val_accuracy"]
    assert history[1] > history[0]  # under mode="min" it would have stopped here
    improved = [later > max(history[:i + 1]) for i, later in enumerate(history[1:])]
    assert all(improved[:-1])  # it went on while val_accuracy rose, and stopped after a fall
    assert len(history) == 8 or not improved[-1]


def test_fit_stops_and_restores_on_a_keras_metric_name() -> None:
    x, y = blobs(60)
    model = classifier(lr=1e-12, metrics=["acc"])  # nothing improves after epoch 1
    stopper = callbacks.EarlyStopping(monitor="val_acc", patience=1, restore_best_weights=True)
    history = model.fit(x, y, epochs=5, validation_split=0.5, callbacks=[stopper], verbose=0)
    assert len(history.history["val_acc"]) == 2 and history.epoch == [0, 1]


def test_model_checkpoint_and_custom_callbacks(tmp_path: Path) -> None:
    x, y = blobs(60)
    seen: list[tuple[int, list[str]]] = []

    class Recorder(callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            seen.append((epoch, sorted(logs)))
            self.model.stop_training = epoch == 2

    pattern = str(tmp_path / "model-{epoch:02d}-{val_loss:.3f}.npz")
    saver = callbacks.ModelCheckpoint(pattern, monitor="val_loss", save_best_only=True)
    model = classifier(lr=0.5)
    history = model.fit(x, y, epochs=6, validation_split=0.5, callbacks=[saver, Recorder()],
                        verbose=0)
    assert [epoch for epoch, _ in seen] == [0, 1, 2]  # the recorder stopped training
    assert seen[0][1] == ["accuracy", "loss", "val_accuracy", "val_loss"]
    improving = [i for i, v in enumerate(history.history["val_loss"])
                 if v < min(history.history["val_loss"][:i], default=math.inf)]
    saved = sorted(path.name for path in tmp_path.iterdir())
    assert saved == [f"model-{i + 1:02d}-{history.history['val_loss'][i]:.3f}.npz"
                     for i in improving]
    restored = models.load_model(tmp_path / saved[-1])
    assert restored.evaluate(x[30:], y[30:], verbose=0)[0] == pytest.approx(
        history.history["val_loss"][improving[-1]], rel=1e-5)


def test_callbacks_with_hooks_tinydl_never_calls_are_refused() -> None:
    class PerBatch(callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            pass

    x, y = blobs(20)
    with pytest.raises(TypeError, match="on_train_batch_end, which tinydl's training loop never"):
        classifier().fit(x, y, callbacks=[PerBatch()], verbose=0)


# ---- saving ------------------------------------------------------------------------------
def test_save_and_load_model_continue_training_identically(tmp_path: Path) -> None:
    x, y = blobs(64)
    model = classifier(lr=0.1)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=1, batch_size=16, shuffle=False, verbose=0)
    model.save(tmp_path / "model.npz")
    with np.load(tmp_path / "model.npz", allow_pickle=False) as archive:
        assert archive.files  # arrays and JSON only
    restored = models.load_model(tmp_path / "model.npz")
    assert [layer.name for layer in restored.layers] == [layer.name for layer in model.layers]
    np.testing.assert_array_equal(restored.predict(x, verbose=0), model.predict(x, verbose=0))
    for trained in (model, restored):
        trained.fit(x, y, epochs=1, batch_size=16, shuffle=False, verbose=0)
    for mine, theirs in zip(model.get_weights(), restored.get_weights(), strict=True):
        np.testing.assert_array_equal(mine, theirs)  # the Adam state came back too


def test_weights_only_round_trip(tmp_path: Path) -> None:
    first, second = classifier(), classifier()
    first.save_weights(tmp_path / "w.npz")
    second.load_weights(tmp_path / "w.npz")
    for mine, theirs in zip(first.get_weights(), second.get_weights(), strict=True):
        np.testing.assert_array_equal(mine, theirs)


# ---- data helpers ------------------------------------------------------------------------
def test_to_categorical_as_keras() -> None:
    one_hot = utils.to_categorical(np.array([[2], [0], [1]]))
    assert one_hot.dtype == np.float32 and one_hot.shape == (3, 3)
    np.testing.assert_array_equal(one_hot, np.eye(3)[[2, 0, 1]])
    assert utils.to_categorical([1], num_classes=4).tolist() == [[0, 1, 0, 0]]


def test_cifar10_comes_in_keras_layout(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []

    def fake_cifar(channels_first: bool = True):
        calls.append(channels_first)
        images = np.zeros((2, 3, 32, 32) if channels_first else (2, 32, 32, 3), np.uint8)
        labels = np.array([3, 7])
        return (images, labels), (images[:1], labels[:1])

    monkeypatch.setattr(tinydl.data, "load_cifar10", fake_cifar)
    (x_train, y_train), (x_test, y_test) = keras.datasets.cifar10.load_data()
    assert calls == [False] and x_train.shape == (2, 32, 32, 3)
    assert y_train.dtype == np.uint8 and y_train.tolist() == [[3], [7]] and y_test.shape == (1, 1)


def test_train_fit_calls_each_callback_after_every_epoch() -> None:
    """The hook tinydl.train.fit gained for Keras's callbacks, used directly."""

    class StopAfterTwo:
        def __init__(self) -> None:
            self.seen: list[tuple[int, list[str]]] = []

        def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> bool:
            self.seen.append((epoch, sorted(logs)))
            return epoch == 1

    model = nn.Sequential(nn.Dense(2, 2))
    x, y = blobs(20)
    callback = StopAfterTwo()
    history = tinydl.train.fit(model, tinydl.optim.SGD(model.parameters(), lr=0.1),
                               nn.CrossEntropyLoss(), (x.astype(np.float32), y), 5,
                               print_fn=None, progress=False, callbacks=[callback])
    assert [epoch for epoch, _ in callback.seen] == [0, 1] and len(history["loss"]) == 2
    assert {"loss", "accuracy"} <= set(callback.seen[0][1])
