"""The edges issue 24 fixed that are not errors, and when the checks that read values run:
the fused LSTM on an empty batch, initialising a weight with no elements, OneCycleLR with
``pct_start=1.0``, the exercises' ``hint`` on a damaged count (an exit code), a refused
resume that leaves the model alone, the value checks on a GPU (first calls only) and on the
host (every call), and the conversions kept on purpose. The refusals themselves are rows of
``tests/test_bad_inputs_surfaces.py``."""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path

import numpy as np
import pytest
from conftest import make
from test_cli import run

import tinydl
from tinydl import keras, nn, optim, train
from tinydl.exercises.progress import STATE_FILE
from tinydl.ops import value_checks
from tinydl.optim import lr_scheduler as schedules


@pytest.mark.parametrize("batch_first", [False, True])
def test_the_fused_lstm_runs_an_empty_batch_as_the_composed_one_does(batch_first, device):
    lstm = nn.LSTM(3, 4, num_layers=2, batch_first=batch_first).to(device)
    shape = (0, 5, 3) if batch_first else (5, 0, 3)
    results = []
    for fast in (True, False):
        x = make(np.zeros(shape), device, dtype="float32")
        with tinydl.fast_paths(fast):
            output, (h, c) = lstm(x)
            output.sum().backward()
        results.append((output.shape, h.shape, c.shape, x.grad.shape))
        assert not np.any(lstm.weight_ih_l0.grad.numpy())  # no sample, no gradient
        lstm.zero_grad()
    out_shape = (0, 5, 4) if batch_first else (5, 0, 4)
    assert results[0] == results[1] == (out_shape, (2, 0, 4), (2, 0, 4), shape)


@pytest.mark.parametrize("initialiser", [nn.init.kaiming_normal_, nn.init.kaiming_uniform_,
                                         nn.init.xavier_normal_, nn.init.xavier_uniform_])
@pytest.mark.parametrize("shape", [(3, 0), (0, 3), (0, 0), (4, 0, 3, 3)])
def test_initialising_a_weight_without_elements_warns_and_does_nothing(initialiser, shape):
    weight = tinydl.zeros(shape)
    with pytest.warns(UserWarning, match=rf"{initialiser.__name__}\(\): the tensor of shape "
                                         rf"{re.escape(str(shape))} has no elements"):
        assert initialiser(weight) is weight
    assert weight.shape == shape
    assert nn.init.he_normal(shape).shape == nn.init.glorot_uniform(shape).shape == shape


def test_a_weight_with_elements_initialises_without_a_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        nn.init.kaiming_normal_(tinydl.zeros(4, 3))


def learning_rates(pct_start: float, three_phase: bool = False) -> list[float]:
    model = nn.Linear(2, 2)
    optimizer = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    schedule = schedules.OneCycleLR(optimizer, max_lr=0.1, total_steps=10, pct_start=pct_start,
                                    three_phase=three_phase)
    rates = [schedule.get_last_lr()[0]]
    for _ in range(10):
        schedule.step()
        rates.append(schedule.get_last_lr()[0])
    return rates


def test_one_cycle_with_pct_start_1_rises_to_the_last_step_and_anneals_at_the_end():
    rates = learning_rates(1.0)
    assert rates[0] == pytest.approx(0.1 / 25)
    assert all(a < b for a, b in zip(rates[:9], rates[1:10], strict=True))  # rising
    assert rates[9] == pytest.approx(0.1)  # max_lr at step total_steps - 1
    assert rates[10] == pytest.approx(0.1 / 25 / 1e4)  # its phase of no steps: over at once
    torch = pytest.importorskip("torch")
    layer = torch.nn.Linear(2, 2)
    reference = torch.optim.SGD(layer.parameters(), lr=0.1, momentum=0.9)
    schedule = torch.optim.lr_scheduler.OneCycleLR(reference, max_lr=0.1, total_steps=10,
                                                   pct_start=1.0)
    theirs = [schedule.get_last_lr()[0]]
    for _ in range(9):  # PyTorch divides by zero at the 10th
        reference.step()
        schedule.step()
        theirs.append(schedule.get_last_lr()[0])
    np.testing.assert_allclose(rates[:10], theirs, rtol=1e-12)


def test_transformer_block_still_defaults_to_four_times_embed_dim():
    assert nn.TransformerBlock(8, 2).linear1.weight.shape == (8, 32)
    assert nn.TransformerBlock(8, 2, dim_feedforward=5).linear1.weight.shape == (8, 5)


def test_tinydl_exercises_hint_on_a_negative_count_fails_and_says_why(tmp_path: Path):
    (tmp_path / STATE_FILE).write_text(json.dumps({"hints": {"tanh": -1}}))
    code, out, err = run(["exercises", "hint", "tanh", "--dir", str(tmp_path)])
    assert (code, out) == (2, "")  # it printed no hint and exited 0 before
    assert "says -1 hints of tanh were shown" in err and "a whole number >= 0" in err
    assert json.loads((tmp_path / STATE_FILE).read_text()) == {"hints": {"tanh": -1}}


def test_a_refused_resume_leaves_the_model_and_optimiser_as_they_were(tmp_path: Path):
    saved = nn.Sequential(nn.Linear(2, 2))
    train.save_checkpoint(tmp_path / "c.npz", saved, epoch=0)
    model = nn.Sequential(nn.Linear(2, 2))
    before = {name: value.copy() for name, value in model.state_dict().items()}
    with pytest.raises(train.CheckpointError, match="lacks history, resume_state"):
        train.fit(model, optim.SGD(model.parameters(), lr=0.1), nn.CrossEntropyLoss(),
                  (np.ones((2, 2), np.float32), np.zeros(2, np.int64)), epochs=2,
                  checkpoint_path=tmp_path / "c.npz", resume=True, progress=False)
    for name, value in model.state_dict().items():
        np.testing.assert_array_equal(value, before[name])


def bad_bce(device: str) -> None:
    tinydl.nn.BCELoss()(tinydl.tensor([0.5], device=device), tinydl.tensor([2.0], device=device))


def test_on_a_gpu_the_value_checks_read_values_on_their_first_calls_only():
    for _ in range(value_checks.FIRST_CALLS):
        with pytest.raises(ValueError, match="target must be probabilities in"):
            bad_bce("fake")
    bad_bce("fake")  # later calls do not wait for the device to check
    value_checks.restart()
    with pytest.raises(ValueError, match="target must be probabilities in"):
        bad_bce("fake")


def test_on_the_host_the_value_checks_read_values_on_every_call():
    for _ in range(value_checks.FIRST_CALLS + 2):
        with pytest.raises(ValueError, match="target must be probabilities in"):
            bad_bce("cpu")


@pytest.mark.parametrize("loss", ["labels", "ids"])
def test_label_and_id_ranges_follow_the_same_rule(loss):
    def call(device: str) -> None:
        if loss == "labels":
            tinydl.nn.functional.cross_entropy(tinydl.zeros(1, 3, device=device),
                                               tinydl.tensor([5], device=device))
        else:
            tinydl.nn.functional.embedding(tinydl.tensor([5], device=device),
                                           tinydl.zeros(3, 2, device=device))

    for _ in range(value_checks.FIRST_CALLS + 1):
        with pytest.raises((ValueError, IndexError), match="5"):
            call("cpu")
    for _ in range(value_checks.FIRST_CALLS):
        with pytest.raises((ValueError, IndexError), match="5"):
            call("fake")
    assert value_checks.due("a check never called", tinydl.zeros(1, device="fake").array)
    assert not value_checks.due("a check never called", tinydl.zeros(0, device="fake").array)


def test_what_the_dtype_checks_keep():
    assert tinydl.full((2,), 2.7, dtype="int64").tolist() == [2, 2]  # truncated, as PyTorch
    assert tinydl.full((2,), 5.0, dtype="bool").tolist() == [True, True]
    assert tinydl.full((1,), -128, dtype="int8").tolist() == [-128]
    assert tinydl.full((1,), float("inf")).tolist() == [float("inf")]  # a float holds inf
    assert tinydl.tensor(np.array([300]), dtype="int8").tolist() == [44]  # arrays: astype's
    assert tinydl.arange(0, 0, dtype="uint8").shape == (0,)
    assert tinydl.arange(0, 256, dtype="uint8")[-1].item() == 255
    x = tinydl.zeros(2, dtype="int8")
    x[0] = 127
    assert x.fill_(-128).tolist() == [-128, -128]


def test_batches_of_strings_stay_lists_and_a_list_of_tensors_still_joins():
    loader = tinydl.data.DataLoader([(np.ones(2), "a"), (np.ones(2), "b")], batch_size=2)
    ((images, names),) = list(loader)
    assert images.shape == (2, 2) and names == ["a", "b"]
    assert tinydl.cat((tinydl.ones(2), tinydl.ones(1))).shape == (3,)



def test_keras_batch_normalization_trains_on_a_last_batch_of_one_sample_as_keras_does():
    model = keras.Sequential([keras.Input((3,)), keras.layers.BatchNormalization()])
    model.compile("sgd", "mse")
    x = np.random.default_rng(0).standard_normal((33, 3)).astype(np.float32)
    history = model.fit(x, np.zeros((33, 3), np.float32), batch_size=32, epochs=1,
                        shuffle=False, verbose=0)
    assert len(history.history["loss"]) == 1  # (it stopped at the 33rd sample before)
    # Keras's moving statistics: momentum 0.99 of the old, 0.01 of each batch's mean and
    # biased variance; the batch of one has variance 0
    mean, var = np.zeros(3), np.ones(3)
    for batch in (x[:32], x[32:]):
        mean = 0.99 * mean + 0.01 * batch.mean(axis=0)
        var = 0.99 * var + 0.01 * batch.var(axis=0)
    moving_mean, moving_var = model.layers[0].get_weights()[2:]
    np.testing.assert_allclose(moving_mean, mean, rtol=1e-5)
    np.testing.assert_allclose(moving_var, var, rtol=1e-5)


def test_pytorch_batch_norm_still_refuses_a_batch_of_one_value_per_channel():
    with pytest.raises(ValueError, match="needs more than 1 value per channel"):
        nn.BatchNorm1d(3)(tinydl.ones(1, 3))
