"""fit() and learning-rate schedules that step after every batch (issue 13): OneCycleLR's
``interval == "step"``, the ``scheduler_interval`` override, resuming mid-schedule, and the
history's ``train_seconds`` that leaves validation out."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import numpy as np
import pytest
from test_train_loop import host_state, loaders, small_mlp

import tinydl
from tinydl import nn, optim
from tinydl.optim.lr_scheduler import (
    CosineAnnealingLR,
    LambdaLR,
    OneCycleLR,
    ReduceLROnPlateau,
    StepLR,
)
from tinydl.train import fit

BATCHES = 8  # loaders(): 240 blobs in batches of 32


def recording(optimizer: optim.Optimizer, lrs: list[float]) -> Callable:
    """A cross-entropy loss that notes the lr each batch's update is about to use."""
    cross_entropy = nn.CrossEntropyLoss()

    def loss_fn(logits: tinydl.Tensor, target: tinydl.Tensor) -> tinydl.Tensor:
        lrs.append(optimizer.lr)
        return cross_entropy(logits, target)

    return loss_fn


def stepped_by_hand(make: Callable[[optim.Optimizer], object], steps: int) -> list[float]:
    """The lr before each of ``steps`` updates when ``step()`` follows every update."""
    optimizer = optim.SGD([nn.Parameter(np.zeros(1, np.float32))], lr=0.1, momentum=0.9)
    scheduler = make(optimizer)
    lrs = []
    for _ in range(steps):
        lrs.append(optimizer.lr)
        scheduler.step()
    return lrs


def one_cycle(optimizer: optim.Optimizer) -> OneCycleLR:
    return OneCycleLR(optimizer, max_lr=0.5, epochs=3, steps_per_epoch=BATCHES, pct_start=0.25)


def test_schedules_say_when_they_step() -> None:
    optimizer = optim.SGD([nn.Parameter(np.zeros(1, np.float32))], lr=0.1, momentum=0.9)
    assert one_cycle(optimizer).interval == "step"
    assert StepLR(optimizer, 1).interval == "epoch"
    assert CosineAnnealingLR(optimizer, 3).interval == "epoch"
    assert LambdaLR(optimizer, lambda step: 1.0).interval == "epoch"
    assert ReduceLROnPlateau(optimizer).interval == "epoch"


def test_fit_steps_one_cycle_after_every_batch(device: str) -> None:
    model = small_mlp(device=device)
    optimizer = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    lrs: list[float] = []
    history = fit(model, optimizer, recording(optimizer, lrs), loaders(device)[0], 3,
                  scheduler=one_cycle(optimizer), progress=False, print_fn=None)
    expected = stepped_by_hand(one_cycle, 3 * BATCHES)
    assert lrs == pytest.approx(expected, rel=1e-12)
    assert max(lrs) == pytest.approx(0.5) and lrs[0] == pytest.approx(0.5 / 25)
    # the history's lr is the one the next epoch would start with, as for epoch schedules
    assert history["lr"][0] == pytest.approx(expected[BATCHES])


def test_scheduler_interval_overrides_the_schedules_own() -> None:
    def warm_up(optimizer: optim.Optimizer) -> LambdaLR:
        return LambdaLR(optimizer, lambda step: min(1.0, (step + 1) / 5))

    for interval, expected in [
        ("step", stepped_by_hand(warm_up, 2 * BATCHES)),
        (None, [0.1 / 5] * BATCHES + [0.1 * 2 / 5] * BATCHES),  # LambdaLR's own: per epoch
    ]:
        model = small_mlp()
        optimizer = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        lrs: list[float] = []
        fit(model, optimizer, recording(optimizer, lrs), loaders("cpu")[0], 2,
            scheduler=warm_up(optimizer), scheduler_interval=interval, progress=False,
            print_fn=None)
        assert lrs == pytest.approx(expected, rel=1e-12), interval

    model = small_mlp()
    optimizer = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    lrs = []
    fit(model, optimizer, recording(optimizer, lrs), loaders("cpu")[0], 3,
        scheduler=one_cycle(optimizer), scheduler_interval="epoch", progress=False,
        print_fn=None)
    by_epoch = stepped_by_hand(one_cycle, 3)
    assert lrs == pytest.approx([lr for lr in by_epoch for _ in range(BATCHES)], rel=1e-12)


def test_resume_mid_cycle_continues_the_same_lr_sequence(tmp_path, device: str) -> None:
    def run(epochs: int, resume: bool, path) -> tuple[list[float], nn.Module]:
        model = small_mlp(device=device)
        optimizer = optim.Adam(model.parameters(), lr=0.05, betas=(0.7, 0.9))
        scheduler = OneCycleLR(optimizer, max_lr=0.05, epochs=3, steps_per_epoch=BATCHES)
        lrs: list[float] = []
        fit(model, optimizer, recording(optimizer, lrs), loaders(device)[0], epochs,
            scheduler=scheduler, checkpoint_path=path, resume=resume, progress=False,
            print_fn=None)
        return lrs, model

    whole, whole_model = run(3, resume=False, path=None)
    path = tmp_path / "model.npz"
    first, _ = run(1, resume=False, path=path)
    tinydl.manual_seed(99)  # a fresh process would not share the global generator's state
    rest, resumed_model = run(3, resume=True, path=path)

    assert len(whole) == 3 * BATCHES and len(first) == BATCHES
    assert first + rest == whole
    for name, value in host_state(whole_model).items():
        assert np.array_equal(host_state(resumed_model)[name], value), name


class SlowBatches:
    """Validation batches that take ``delay`` seconds longer to go through."""

    def __init__(self, batches: object, delay: float) -> None:
        self.batches, self.delay = batches, delay

    def __iter__(self) -> Iterator:
        time.sleep(self.delay)
        yield from self.batches


def test_train_seconds_leave_the_validation_out() -> None:
    model = small_mlp()
    train, val = loaders("cpu")
    lines: list[str] = []
    history = fit(model, optim.SGD(model.parameters(), lr=0.1), nn.CrossEntropyLoss(), train, 2,
                  validation_data=SlowBatches(val, 0.3), progress=False, print_fn=lines.append)
    assert list(history)[-2:] == ["seconds", "train_seconds"]
    for seconds, train_seconds in zip(history["seconds"], history["train_seconds"], strict=True):
        assert 0 < train_seconds < seconds - 0.3
    assert lines[0].endswith(f"train_seconds {history['train_seconds'][0]:.2f}s")


def test_reduce_lr_on_plateau_watches_the_validation_loss() -> None:
    model = small_mlp()
    optimizer = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    # An improvement must beat the best loss by 10: only the first epoch's counts, so with
    # patience 0 the second epoch's halves the lr the third uses.
    plateau = ReduceLROnPlateau(
        optimizer, factor=0.5, patience=0, threshold=10, threshold_mode="abs"
    )
    train, test = loaders("cpu")
    history = fit(model, optimizer, nn.CrossEntropyLoss(), train, 3, validation_data=test,
                  scheduler=plateau, progress=False, print_fn=None)
    assert plateau.best == history["val_loss"][0]
    assert history["lr"] == pytest.approx([0.1, 0.1, 0.05])
