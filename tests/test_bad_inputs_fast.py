"""Bad inputs to issue 13's entry points (fit's ``scheduler_interval`` and ``scheduler``,
``zoo.fast_cnn`` and the fast recipes' optimiser and schedule settings) get a clear error from
tinydl: the argument, what it got, what was expected. Format: tests/bad_input_table.py."""

from __future__ import annotations

import numpy as np
import pytest
from bad_input_table import Case, check, params

import tinydl
from tinydl import nn, optim, train, zoo


def dense() -> nn.Dense:
    return nn.Dense(3, 2)


def sgd() -> optim.SGD:
    return optim.SGD(dense().parameters(), lr=0.1, momentum=0.9)


def batches() -> list[tuple[tinydl.Tensor, tinydl.Tensor]]:
    return [(tinydl.tensor(np.ones((2, 3), np.float32)), tinydl.tensor([0, 1]))]


def fit_with(**settings: object) -> object:
    model = dense()
    optimizer = optim.SGD(model.parameters(), lr=0.1)
    return train.fit(model, optimizer, nn.CrossEntropyLoss(), batches(), 1, print_fn=None,
                     **settings)


def one_step_lr() -> optim.lr_scheduler.StepLR:
    return optim.lr_scheduler.StepLR(sgd(), 1)


CASES = [
    Case("fit/scheduler_interval", lambda: fit_with(scheduler=one_step_lr(),
                                                    scheduler_interval="batch"),
         ValueError, ("scheduler_interval", "'epoch' or 'step'", "got 'batch'")),
    Case("fit/scheduler_interval-without-scheduler", lambda: fit_with(scheduler_interval=1),
         ValueError, ("scheduler_interval", "got 1")),
    Case("fit/scheduler-without-step", lambda: fit_with(scheduler=0.1), TypeError,
         ("fit()", "scheduler with step()", "got float")),
    Case("fast_cnn/channels-not-a-pair", lambda: zoo.fast_cnn(channels=8), TypeError,
         ("fast_cnn", "channels", "pair", "got 8")),
    Case("fast_cnn/channels-zero", lambda: zoo.fast_cnn(channels=(0, 32)), ValueError,
         ("out_channels", "positive integer", "got 0")),
    Case("fast_cnn/hidden", lambda: zoo.fast_cnn(hidden=-1), ValueError,
         ("out_features", "positive integer", "got -1")),
    Case("AdamSettings/betas", lambda: zoo.AdamSettings(betas=(1.5, 0.9))(
        dense().parameters(), 0.01), ValueError, ("betas[0] must lie in [0, 1)", "got 1.5")),
    Case("OneCycle/pct_start", lambda: zoo.OneCycle(pct_start=1.5)(sgd(), 1, 10), ValueError,
         ("pct_start must lie in [0, 1]", "1.5")),
    Case("OneCycle/steps_per_epoch", lambda: zoo.OneCycle()(sgd(), 1, 0), ValueError,
         ("steps_per_epoch", "positive integer", "got 0")),
    Case("OneCycle/anneal_strategy", lambda: zoo.OneCycle(anneal_strategy="cosine")(sgd(), 1, 3),
         ValueError, ("anneal_strategy", "'cos' or 'linear'", "'cosine'")),
]


@pytest.mark.parametrize("case", params(CASES))
def test_bad_input(case: Case) -> None:
    check(case)
