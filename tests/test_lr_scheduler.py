"""StepLR, ExponentialLR and CosineAnnealingLR: the learning rate of each epoch against the
closed-form formula, state_dict round trips, and argument errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

import tinydl
from tinydl import optim
from tinydl.optim.lr_scheduler import CosineAnnealingLR, ExponentialLR, StepLR

BASE_LR = 0.1


def sgd(lr: float = BASE_LR) -> optim.SGD:
    return optim.SGD([tinydl.tensor(np.ones(3, np.float32), requires_grad=True)], lr=lr)


def lrs_per_epoch(scheduler, epochs: int) -> list[float]:
    """The lr in force during each epoch: read, then step at the epoch's end (as fit does)."""
    values = []
    for _ in range(epochs):
        values.append(scheduler.optimizer.lr)
        scheduler.step()
    return values


def test_step_lr_multiplies_by_gamma_every_step_size_epochs() -> None:
    scheduler = StepLR(sgd(), step_size=3, gamma=0.5)
    expected = [BASE_LR * 0.5 ** (epoch // 3) for epoch in range(8)]
    assert lrs_per_epoch(scheduler, 8) == pytest.approx(expected, rel=1e-15)
    assert lrs_per_epoch(StepLR(sgd(), step_size=2), 4) == pytest.approx([0.1, 0.1, 0.01, 0.01])


def test_exponential_lr_multiplies_by_gamma_every_epoch() -> None:
    scheduler = ExponentialLR(sgd(), gamma=0.9)
    assert lrs_per_epoch(scheduler, 6) == pytest.approx(
        [BASE_LR * 0.9**epoch for epoch in range(6)], rel=1e-15
    )


def test_cosine_annealing_follows_half_a_cosine_then_stays_at_eta_min() -> None:
    scheduler = CosineAnnealingLR(sgd(), T_max=4, eta_min=0.01)
    expected = [0.01 + 0.09 * (1 + math.cos(math.pi * epoch / 4)) / 2 for epoch in range(5)]
    assert expected[0] == pytest.approx(BASE_LR) and expected[2] == pytest.approx(0.055)
    assert lrs_per_epoch(scheduler, 7) == pytest.approx(expected + [0.01, 0.01], rel=1e-12)


def test_cosine_annealing_defaults_to_zero() -> None:
    scheduler = CosineAnnealingLR(sgd(), T_max=2)
    assert lrs_per_epoch(scheduler, 3) == pytest.approx([0.1, 0.05, 0.0], abs=1e-17)


def test_the_schedule_sets_python_floats_so_float32_stays_float32() -> None:
    optimizer = sgd()
    scheduler = ExponentialLR(optimizer, gamma=0.5)
    scheduler.step()
    assert type(optimizer.lr) is float
    parameter = optimizer.params[0]
    parameter.grad = tinydl.tensor(np.ones(3, np.float32))
    optimizer.step()
    assert parameter.dtype == np.float32
    np.testing.assert_array_equal(parameter.numpy(), np.full(3, 1 - 0.05, np.float32))


@pytest.mark.parametrize(
    "make",
    [
        lambda o: StepLR(o, step_size=2, gamma=0.3),
        lambda o: ExponentialLR(o, gamma=0.8),
        lambda o: CosineAnnealingLR(o, T_max=5, eta_min=0.001),
    ],
    ids=["StepLR", "ExponentialLR", "CosineAnnealingLR"],
)
def test_state_dict_round_trip_resumes_the_schedule(make) -> None:
    original = make(sgd())
    lrs_per_epoch(original, 3)
    state = original.state_dict()
    assert state == {"base_lrs": [BASE_LR], "epoch": 3}

    optimizer = sgd(lr=0.7)  # whatever it starts with, loading sets the lr of epoch 3
    resumed = make(optimizer)
    resumed.load_state_dict(state)
    assert optimizer.lr == original.optimizer.lr
    assert lrs_per_epoch(resumed, 4) == lrs_per_epoch(original, 4)


def test_argument_errors() -> None:
    with pytest.raises(ValueError, match=r"^StepLR: step_size must be a positive integer, got 0$"):
        StepLR(sgd(), step_size=0)
    with pytest.raises(ValueError, match=(
        r"^CosineAnnealingLR: T_max must be a positive integer, got 0$"
    )):
        CosineAnnealingLR(sgd(), T_max=0)
    with pytest.raises(TypeError, match=r"^ExponentialLR needs an optimiser with an lr, got 3$"):
        ExponentialLR(3, gamma=0.5)
