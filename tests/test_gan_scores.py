"""The generator scores of tinydl.train.generative: each formula against hand-computed and
independently computed values, the judge's plumbing and cache, and the point of it all:
held-out real digits meet every target, while noise and the cheats that an earlier scorer
passed (ten digits repeated, the class means repeated, the training set replayed) do not."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import load_script
from test_cli import mnist_root, needs_mnist

import tinydl
from tinydl import data, nn
from tinydl.train import generative

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "gan_scores.py"


def load_benchmark():
    """benchmarks/gan_scores.py as a module (it adds its folder and examples/ to sys.path,
    which is put back)."""
    return load_script(SCRIPT)


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


def test_nearest_distances_match_a_brute_force_search(rng):
    images, pool = rng.uniform(0, 1, (7, 20)), rng.uniform(0, 1, (11, 20))
    gaps = np.linalg.norm(images[:, None] - pool[None], axis=2)
    np.testing.assert_allclose(
        generative.nearest_distances(images, pool, chunk=3), gaps.min(axis=1), rtol=1e-5
    )
    own = np.linalg.norm(pool[:, None] - pool[None], axis=2) + np.diag(np.full(11, np.inf))
    np.testing.assert_allclose(
        generative.nearest_distances(pool, pool, skip_self=True, chunk=4), own.min(axis=1),
        rtol=1e-5,
    )
    twice = np.concatenate([images, images])  # each row has an exact copy: distance 0
    assert generative.nearest_distances(twice, twice, skip_self=True).max() < 1e-2


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


def test_not_digit_images_are_noise_scribbles_and_digits_taken_apart(rng):
    digit = np.zeros((1, 28, 28), np.float32)
    digit[0, 4:24, 12:16] = np.linspace(0.2, 1, 20)[:, None]  # a "1" with distinct pixels
    images = generative.not_digit_images(digit, 50, np.random.default_rng(0))
    assert images.shape == (50, 28, 28) and images.dtype == np.float32
    assert images.min() >= 0 and images.max() <= 1
    kinds = np.arange(50) % 5
    lit = (images > 0).mean(axis=(1, 2))
    assert lit[kinds == 0].min() > 0.9  # uniform noise lights nearly every pixel
    assert 0.02 < lit[kinds == 1].min() and lit[kinds == 1].max() < 0.35  # sparse dots
    for image in images[kinds == 3]:  # the digit's pixels, moved
        np.testing.assert_array_equal(np.sort(image, axis=None), np.sort(digit, axis=None))
        assert not np.array_equal(image, digit[0])
    blocks = np.sort(digit[0].reshape(4, 7, 4, 7).transpose(0, 2, 1, 3).reshape(16, 49), axis=0)
    for image in images[kinds == 4]:  # its 7x7 blocks, moved whole
        moved = image.reshape(4, 7, 4, 7).transpose(0, 2, 1, 3).reshape(16, 49)
        np.testing.assert_array_equal(np.sort(moved, axis=0), blocks)


def test_targets_compare_in_their_direction():
    at_least = generative.Target("score_ratio", 0.8, at_least=True)
    at_most = generative.Target("copy_share", 0.05, at_least=False)
    assert at_least.met(0.8) and not at_least.met(0.79)
    assert at_most.met(0.05) and not at_most.met(0.06)
    assert str(at_least) == "score_ratio >= 0.8" and str(at_most) == "copy_share <= 0.05"


def test_digit_judge_trains_once_then_reads_the_cache(tmp_path, monkeypatch, rng):
    """The first call trains the judge (on 200 fake digits here) and writes the file; the
    second reads it, in evaluation mode, and trains nothing."""
    digits = (rng.uniform(0, 255, (200, 28, 28)).astype(np.uint8), rng.integers(0, 10, 200))
    monkeypatch.setattr(generative.data, "load_mnist", lambda *args, **kwargs: (digits, digits))
    path = tmp_path / "cache" / "digit-judge.npz"
    first = generative.digit_judge(path)
    assert path.is_file() and generative.read_extra(path)["example"] == "digit-judge"

    def no_training(*args, **kwargs):
        raise AssertionError("trained again instead of reading the cache")

    monkeypatch.setattr(generative, "train_judge", no_training)
    second = generative.digit_judge(path)
    assert not second.training and second[-1].weight.shape == (128, 11)
    for (name, mine), (_, theirs) in zip(
        second.state_dict().items(), first.state_dict().items(), strict=True
    ):
        np.testing.assert_array_equal(mine, theirs, err_msg=name)


# ---- real digits pass, noise and cheats fail ----------------------------------------------------
@pytest.fixture(scope="module")
def scored():
    """A judge trained as digit_judge trains it, on 6,000 digits (seconds, not minutes);
    RealDigits of 1,000 random test digits and the first 10,000 training digits; and the
    scores of 1,000 images of each kind."""
    (train_images, train_labels), (test_images, _) = data.load_mnist(mnist_root())
    judge = generative.train_judge(train_images[:6000], train_labels[:6000])
    train, test = data.to_float(train_images[:10_000]), data.to_float(test_images)
    halves = np.random.default_rng(0).permutation(len(test))
    reference = generative.RealDigits(judge, test[halves[:1000]], train)
    repeated, means = load_benchmark().cheats(train, train_labels[:10_000], 1000).values()
    kinds = {
        "real test digits": test[halves[1000:2000]],
        "uniform noise": np.random.default_rng(0).uniform(0, 1, (1000, 28, 28)).astype(np.float32),
        "ten training digits repeated": repeated,
        "class means repeated": means,
        "training digits replayed": train[:1000],
    }
    return {name: generative.score_images(images, reference) for name, images in kinds.items()}


def missed(scores):
    return {failed.split()[0] for failed in scores["failed"]}


@needs_mnist
def test_held_out_real_digits_meet_every_target(scored):
    real = scored["real test digits"]
    assert real["failed"] == []
    assert real["coverage"].shape == (11,) and real["coverage"].sum() == pytest.approx(1.0)
    assert 0.9 < real["score_ratio"] < 1.1 and real["frechet_ratio"] < 3


@needs_mnist
def test_the_judge_calls_noise_no_digit(scored):
    noise = scored["uniform noise"]
    assert noise["not_a_digit"] > 0.99
    assert {"score_ratio", "rarest_digit", "not_a_digit", "frechet_ratio"} <= missed(noise)


@needs_mnist
def test_ten_digits_repeated_fail_though_score_and_coverage_look_perfect(scored):
    cheat = scored["ten training digits repeated"]
    assert cheat["score_ratio"] > 0.9 and cheat["rarest_digit"] == pytest.approx(0.1)
    assert cheat["duplicate_share"] == 1.0 and cheat["copy_share"] == 1.0
    assert missed(cheat) == {"frechet_ratio", "duplicate_share", "copy_share"}


@needs_mnist
def test_class_means_repeated_fail_on_duplicates_and_distance(scored):
    cheat = scored["class means repeated"]
    assert cheat["duplicate_share"] == 1.0 and cheat["copy_share"] == 0.0  # blurred: no copies
    assert {"frechet_ratio", "duplicate_share"} <= missed(cheat)


@needs_mnist
def test_replayed_training_digits_fail_only_as_copies(scored):
    """Real digits in every way but one: each is in the training set."""
    replay = scored["training digits replayed"]
    assert replay["copy_share"] == 1.0
    assert missed(replay) == {"copy_share"}


def test_the_benchmark_builds_the_cheats_it_names(rng):
    images = rng.uniform(0, 1, (40, 28, 28)).astype(np.float32)
    labels = np.arange(40) % 10
    repeated, means = load_benchmark().cheats(images, labels, 25).values()
    assert repeated.shape == means.shape == (25, 28, 28)
    np.testing.assert_array_equal(repeated[:10], images[:10])  # the first of each digit
    np.testing.assert_array_equal(repeated[10:20], images[:10])
    np.testing.assert_allclose(means[3], images[labels == 3].mean(axis=0))


def test_the_benchmark_appends_to_its_results_file_only_with_record(monkeypatch, capsys):
    benchmark = load_benchmark()
    appended = []
    monkeypatch.setattr(benchmark, "append_run", lambda *args: appended.append(args))
    benchmark.publish("setup", ["| a |"], record=False)
    assert appended == [] and "not recorded" in capsys.readouterr().out
    benchmark.publish("setup", ["| a |"], record=True)
    assert appended == [("gan_scores.md", "GAN scores", "setup", ["| a |"])]

