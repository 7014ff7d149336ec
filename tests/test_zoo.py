"""The seed MNIST recipes: every model builds and runs, the parameter count of the linear CNN,
what prepare() hands each model, and the deep CNN's size arithmetic."""

from __future__ import annotations

import re

import numpy as np
import pytest

import tinydl
from tinydl import nn, zoo
from tinydl.train import CheckpointError, save_checkpoint
from tinydl.train.checkpoint import checkpoint_example


@pytest.mark.parametrize("name", list(zoo.RECIPES))
def test_every_recipe_builds_trains_one_step_and_predicts_ten_classes(name: str) -> None:
    recipe = zoo.recipe(name)
    assert recipe.name == name
    tinydl.manual_seed(0)
    model = recipe.build()
    optimizer = recipe.optimizer(model.parameters(), recipe.lr)
    assert optimizer.lr == recipe.lr
    if recipe.scheduler is not None:
        assert recipe.scheduler(optimizer, recipe.epochs, 3).optimizer is optimizer

    x = tinydl.tensor(np.random.default_rng(0).random((2, *recipe.image_shape), np.float32))
    target = np.eye(10, dtype=np.float32)[[3, 7]] if recipe.one_hot_targets else np.array([3, 7])
    logits = model(x)
    assert logits.shape == (2, 10) and logits.dtype == np.float32
    nn.CrossEntropyLoss()(logits, tinydl.tensor(target)).backward()
    optimizer.step()
    assert all(p.dtype == np.float32 for p in model.parameters())


def test_linear_cnn_has_2164630_parameters() -> None:
    recipe = zoo.recipe("mnist-linear-cnn")
    table = nn.summary(recipe.build(), recipe.image_shape, print_fn=None)
    assert "Total params: 2,164,630" in table.splitlines()
    assert sum(p.numel() for p in recipe.build().parameters()) == 2_164_630


def test_unknown_recipe_lists_the_known_ones() -> None:
    with pytest.raises(KeyError, match=re.escape(
        "unknown example 'mnist-rnn'; choose from: mnist-mlp, mnist-mlp-dropout, mnist-cnn, "
        "mnist-linear-cnn, mnist-deep-cnn, mnist-best"
    )):
        zoo.recipe("mnist-rnn")


def mnist_like(count: int = 5) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (count, 28, 28), dtype=np.uint8)
    return images, rng.integers(0, 10, count).astype(np.int64)


@pytest.mark.parametrize("name", list(zoo.RECIPES))
def test_prepare_gives_float32_inputs_of_the_recipes_shape(name: str) -> None:
    recipe = zoo.recipe(name)
    images, labels = mnist_like()
    x, y = zoo.prepare(recipe, images, labels)
    assert x.dtype == np.float32 and x.shape == (5, *recipe.image_shape)
    assert 0.0 <= x.min() and x.max() <= 1.0
    if recipe.one_hot_targets:
        assert y.dtype == np.float32 and y.shape == (5, 10)
        np.testing.assert_array_equal(y.argmax(axis=1), labels)
        np.testing.assert_array_equal(y.sum(axis=1), 1.0)
    else:
        assert y.dtype == np.int64
        np.testing.assert_array_equal(y, labels)


def test_prepare_pads_the_digits_to_32_for_the_deep_cnn() -> None:
    images, labels = mnist_like()
    x, _ = zoo.prepare(zoo.recipe("mnist-deep-cnn"), images, labels)
    assert x.shape == (5, 1, 32, 32)
    np.testing.assert_array_equal(x[:, 0, 2:30, 2:30], images.astype(np.float32) / 255)
    border = np.ones((32, 32), bool)
    border[2:30, 2:30] = False
    assert not x[:, 0, border].any()


def test_prepare_one_hot_only_for_the_mlp() -> None:
    assert [name for name, r in zoo.RECIPES.items() if r.one_hot_targets] == ["mnist-mlp"]
    images, labels = mnist_like()
    _, y = zoo.prepare(zoo.recipe("mnist-mlp"), images, labels)
    np.testing.assert_array_equal(y, np.eye(10, dtype=np.float32)[labels])


@pytest.mark.parametrize(("size", "side"), [(32, 1), (64, 2), (96, 3)])
def test_deep_cnn_works_out_its_dense_input_size(size: int, side: int) -> None:
    model = zoo.deep_cnn(size)
    head = model[-1]
    assert isinstance(head, nn.Dense)
    assert head.weight.shape == (256 * side * side, 10)
    assert model(tinydl.tensor(np.zeros((1, 1, size, size), np.float32))).shape == (1, 10)


def test_deep_cnn_refuses_images_too_small_for_five_poolings() -> None:
    with pytest.raises(ValueError, match=(
        r"^deep_cnn halves the image 5 times, so it needs images of at least 32 pixels, got 28$"
    )):
        zoo.deep_cnn(28)


def test_checkpoint_example_reads_which_recipe_wrote_a_checkpoint(tmp_path) -> None:
    model = nn.Sequential(nn.Dense(2, 2))
    path = save_checkpoint(tmp_path / "a.npz", model, example="mnist-cnn")
    assert checkpoint_example(path) == "mnist-cnn"
    path = save_checkpoint(tmp_path / "b.npz", model)
    with pytest.raises(CheckpointError, match=re.escape(
        f"{path} does not say which example it is (not written by tinydl train)"
    )):
        checkpoint_example(path)
