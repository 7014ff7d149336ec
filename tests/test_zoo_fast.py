"""The fast MNIST net and its recipe's settings objects (issue 13): the layers and their
sizes, pooling before ReLU computing the same function as after, and the settings building
the optimiser and schedule they describe."""

from __future__ import annotations

import numpy as np
import pytest

import tinydl
from tinydl import nn, zoo
from tinydl.optim.lr_scheduler import OneCycleLR


def kinds(model: nn.Sequential) -> list[str]:
    return [type(layer).__name__ for layer in model]


def test_fast_cnn_is_the_speed_run_net() -> None:
    model = zoo.fast_cnn()
    assert kinds(model) == [
        "Conv2D", "MaxPool2D", "ReLU", "Conv2D", "MaxPool2D", "ReLU",
        "Flatten", "Dense", "ReLU", "Dense",
    ]
    table = nn.summary(model, (1, 28, 28), print_fn=None)
    # 24·25+24, 32·24·9+32, 800·256+256, 256·10+10
    assert "Total params: 215,194" in table.splitlines()
    assert model[7].weight.shape == (800, 256)  # 32 channels of 5x5 reach the dense layer
    x = tinydl.tensor(np.random.default_rng(0).random((3, 1, 28, 28), np.float32))
    assert model(x).shape == (3, 10) and model(x).dtype == np.float32


def test_fast_cnn_with_batch_norm_and_other_widths() -> None:
    model = zoo.fast_cnn(channels=(8, 16), hidden=32, batch_norm=True)
    assert kinds(model)[:5] == ["Conv2D", "MaxPool2D", "BatchNorm2D", "ReLU", "Conv2D"]
    assert model[0].bias is None and model[4].bias is None  # BatchNorm's shift replaces it
    assert model[9].weight.shape == (16 * 5 * 5, 32)


def test_pooling_before_relu_is_the_same_function_as_after() -> None:
    tinydl.manual_seed(0)
    model = zoo.fast_cnn()
    swapped = nn.Sequential(*(model[i] for i in (0, 2, 1, 3, 5, 4, 6, 7, 8, 9)))
    assert kinds(swapped)[:3] == ["Conv2D", "ReLU", "MaxPool2D"]
    x = tinydl.tensor(np.random.default_rng(1).standard_normal((4, 1, 28, 28), np.float32))
    np.testing.assert_array_equal(model(x).numpy(), swapped(x).numpy())


def test_the_fast_recipes_settings_build_what_they_describe() -> None:
    for name in ("mnist-fast", "mnist-fast-995"):
        recipe = zoo.recipe(name)
        optimizer = recipe.optimizer(recipe.build().parameters(), recipe.lr)
        assert optimizer.betas == recipe.optimizer.betas and optimizer.eps == recipe.optimizer.eps
        scheduler = recipe.scheduler(optimizer, 2, 10)
        settings = recipe.scheduler
        assert isinstance(scheduler, OneCycleLR) and scheduler.total_steps == 20
        assert scheduler.max_lrs == [recipe.lr]
        assert optimizer.lr == pytest.approx(recipe.lr / settings.div_factor)
        assert scheduler.min_lrs == pytest.approx(
            [recipe.lr / settings.div_factor / settings.final_div_factor]
        )
        assert optimizer.betas == recipe.optimizer.betas  # cycle_momentum stays off


def test_recipes_give_their_own_augmentation() -> None:
    assert zoo.recipe("mnist-fast").transform() is None
    kinds_of = [type(t).__name__ for t in zoo.recipe("mnist-best").transform().transforms]
    assert kinds_of == ["RandomShift", "RandomRotation"]
    shifts_only = zoo.augmentation(max_degrees=0)
    assert [type(t).__name__ for t in shifts_only.transforms] == ["RandomShift"]
    digits = np.zeros((50, 1, 28, 28), np.float32)
    digits[:, :, 10:18, 12:16] = 1.0
    moved = shifts_only(digits, np.random.default_rng(0))
    # whole-pixel moves: the same ink, some of it elsewhere
    assert moved.dtype == np.float32 and (moved.sum(axis=(1, 2, 3)) == 32).all()
    assert not np.array_equal(moved, digits)
