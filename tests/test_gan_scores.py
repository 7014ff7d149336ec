"""The generator scores of tinydl.train.generative: each formula against hand-computed and
independently computed values, the classifier plumbing, the cache of digit_classifier,
and the point of it all: real digits score far better than noise."""

from __future__ import annotations

import numpy as np
import pytest
from test_cli import mnist_root, needs_mnist

import tinydl
from tinydl import data, nn, optim
from tinydl.train import generative
from tinydl.train.checkpoint import save_checkpoint
from tinydl.train.loop import fit


# ---- the formulas -------------------------------------------------------------------------------
def test_inception_score_extremes_and_a_hand_computed_case():
    one_hot = np.eye(10)[np.arange(50) % 10]  # sure of each sample, all classes equally often
    assert generative.inception_score(one_hot) == pytest.approx(10.0, rel=1e-12)
    same = np.tile([0.7, 0.2, 0.1], (6, 1))  # every sample the same distribution: KL = 0
    assert generative.inception_score(same) == pytest.approx(1.0, rel=1e-12)
    p = np.array([[1.0, 0.0], [0.5, 0.5]])  # p(y) = (0.75, 0.25)
    kl = [np.log(1 / 0.75), 0.5 * np.log(0.5 / 0.75) + 0.5 * np.log(0.5 / 0.25)]
    assert generative.inception_score(p) == pytest.approx(np.exp(np.mean(kl)), rel=1e-12)


def test_class_coverage_counts_the_most_likely_class():
    p = np.array([[0.1, 0.9, 0.0], [0.6, 0.3, 0.1], [0.2, 0.7, 0.1], [0.0, 0.4, 0.6]])
    np.testing.assert_array_equal(generative.class_coverage(p), [0.25, 0.5, 0.25])
    collapsed = np.tile([0.0, 1.0, 0.0], (5, 1))
    np.testing.assert_array_equal(generative.class_coverage(collapsed), [0.0, 1.0, 0.0])


def test_psd_sqrt_squares_back(rng):
    a = rng.standard_normal((6, 4))
    matrix = a @ a.T  # rank 4: two zero eigenvalues, which rounding may make slightly negative
    root = generative.psd_sqrt(matrix)
    np.testing.assert_allclose(root, root.T, atol=1e-12)
    np.testing.assert_allclose(root @ root, matrix, atol=1e-10)


def test_frechet_distance_of_one_dimensional_gaussians_is_the_closed_form(rng):
    a, b = rng.normal(1.0, 2.0, (500, 1)), rng.normal(-0.5, 0.5, (400, 1))
    expected = (a.mean() - b.mean()) ** 2 + (a.std(ddof=1) - b.std(ddof=1)) ** 2
    assert generative.frechet_distance(a, b) == pytest.approx(expected, rel=1e-10)


def test_frechet_distance_matches_the_eigenvalues_of_the_covariance_product(rng):
    """An independent route to Tr((Σ₁Σ₂)^½): the (real, non-negative) eigenvalues of the
    non-symmetric product Σ₁Σ₂ itself, from a general eigensolver."""
    a = rng.standard_normal((300, 5)) @ rng.standard_normal((5, 5)) + 1.0
    b = rng.standard_normal((200, 5)) @ rng.standard_normal((5, 5))
    cov_a, cov_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    trace_sqrt = np.sqrt(np.linalg.eigvals(cov_a @ cov_b).real).sum()
    gap = a.mean(axis=0) - b.mean(axis=0)
    expected = gap @ gap + np.trace(cov_a) + np.trace(cov_b) - 2 * trace_sqrt
    assert generative.frechet_distance(a, b) == pytest.approx(expected, rel=1e-9)
    assert generative.frechet_distance(b, a) == pytest.approx(expected, rel=1e-9)
    assert generative.frechet_distance(a, a) == pytest.approx(0.0, abs=1e-9)


# ---- the classifier plumbing --------------------------------------------------------------------
def test_classifier_outputs_are_softmax_and_penultimate_features(rng):
    tinydl.manual_seed(0)
    model = nn.Sequential(nn.Flatten(), nn.Dense(784, 6), nn.ReLU(), nn.Dense(6, 4))
    images = rng.uniform(0, 1, (7, 28, 28)).astype(np.float32)
    probabilities, features = generative.classifier_outputs(model, images, batch_size=3)
    hidden = np.maximum(images.reshape(7, 784) @ model[1].weight.numpy() + model[1].bias.numpy(), 0)
    logits = hidden @ model[3].weight.numpy() + model[3].bias.numpy()
    expected = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    assert probabilities.shape == (7, 4) and features.shape == (7, 6)
    assert probabilities.dtype == features.dtype == np.float64
    np.testing.assert_allclose(features, hidden, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(probabilities, expected, rtol=1e-5, atol=1e-6)
    shapes = (images.reshape(7, 784), images.reshape(7, 1, 28, 28), tinydl.tensor(images))
    for same_images in shapes:  # (one batch now: float32 rounding may differ in the last bit)
        np.testing.assert_allclose(
            generative.classifier_outputs(model, same_images)[0], probabilities, rtol=1e-6
        )


def _save_tiny_mlp(path):
    tinydl.manual_seed(0)
    model = generative.zoo.recipe("mnist-mlp").build()
    save_checkpoint(path, model, example="mnist-mlp")
    return model


def test_digit_classifier_loads_a_tinydl_train_checkpoint_in_eval_mode(tmp_path):
    saved = _save_tiny_mlp(tmp_path / "model.npz")
    loaded = generative.digit_classifier(tmp_path / "model.npz", recipe="mnist-cnn")
    assert not loaded.training
    assert [type(layer) for layer in loaded] == [type(layer) for layer in saved]  # the file's
    for (name, mine), (_, theirs) in zip(
        loaded.state_dict().items(), saved.state_dict().items(), strict=True
    ):
        np.testing.assert_array_equal(mine, theirs, err_msg=name)


def test_digit_classifier_trains_once_then_reads_the_cache(tmp_path, monkeypatch, rng):
    """The first call trains the recipe (on 200 fake digits here) and writes the file; the
    second reads it and trains nothing."""
    digits = (rng.uniform(0, 255, (200, 28, 28)).astype(np.uint8), rng.integers(0, 10, 200))
    monkeypatch.setattr(generative.data, "load_mnist", lambda *args, **kwargs: (digits, digits))
    path = tmp_path / "cache" / "mnist-mlp.npz"
    first = generative.digit_classifier(path, recipe="mnist-mlp")
    assert path.is_file() and generative.checkpoint_example(path) == "mnist-mlp"

    def no_training(*args, **kwargs):
        raise AssertionError("trained again instead of reading the cache")

    monkeypatch.setattr(generative, "_train", no_training)
    second = generative.digit_classifier(path, recipe="mnist-mlp")
    np.testing.assert_array_equal(second[1].weight.numpy(), first[1].weight.numpy())


# ---- real digits against noise ------------------------------------------------------------------
@pytest.fixture(scope="module")
def mnist_and_classifier():
    """A small MLP trained for one epoch on 3,000 digits (a second or two): enough to tell
    digits from noise, the property under test."""
    (train_images, train_labels), (test_images, _) = data.load_mnist(mnist_root())
    tinydl.manual_seed(0)
    model = nn.Sequential(nn.Flatten(), nn.Dense(784, 64), nn.ReLU(), nn.Dense(64, 10))
    x, y = data.to_float(train_images[:3000]), train_labels[:3000].astype(np.int64)
    loader = data.DataLoader(x, y, 64, shuffle=True, seed=0)
    fit(model, optim.Adam(model.parameters(), 2e-3), nn.CrossEntropyLoss(), loader, 1,
        progress=False, print_fn=None)
    return data.to_float(train_images[-1000:]), data.to_float(test_images[:1000]), model.eval()


@needs_mnist
def test_real_digits_score_far_better_than_noise(mnist_and_classifier):
    reference, real, model = mnist_and_classifier
    noise = np.random.default_rng(0).uniform(0, 1, real.shape).astype(np.float32)
    reference_features = generative.classifier_outputs(model, reference)[1]
    real_scores = generative.score_images(real, model, reference_features)
    noise_scores = generative.score_images(noise, model, reference_features)
    assert real_scores["inception_score"] > 4
    assert real_scores["inception_score"] > 3 * noise_scores["inception_score"]
    assert real_scores["coverage"].min() > 0.05  # every digit is there
    assert noise_scores["coverage"].max() > 0.5  # noise looks like one or two "digits"
    assert real_scores["coverage"].sum() == pytest.approx(1.0)
    assert real_scores["frechet_distance"] < noise_scores["frechet_distance"] / 20
