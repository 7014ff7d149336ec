"""Is a generator working? Scores for the digits any image generator draws, with targets
that real digits meet and cheating "generators" do not.

GAN papers judge samples with an ImageNet classifier (Inception-v3): the Inception
Score and the Fréchet Inception Distance. Those weights cannot be downloaded here, and an
ImageNet network says little about digits anyway, so a small tinydl CNN, the **digit
judge** (:func:`digit_judge`, trained once and cached), plays its part. It has eleven
outputs: the ten digits and **"not a digit"**, trained on noise, scribbles and shuffled
digits (:func:`not_digit_images`). A plain digit classifier must call every input some
digit: the zoo's MLP, this module's judge before, called 64% to 99% of uniform noise a
"2", depending on its training run.

:func:`score_images` compares samples with :class:`RealDigits` (held-out MNIST test
digits and the training set) and returns:

- ``inception_score`` ``= exp(E_x[KL(p(y|x) ‖ p(y))])`` (:func:`inception_score`): high
  when each sample is clearly one class (p(y|x) peaked) AND the samples spread over all
  of them (the mean p(y) flat); ``score_ratio`` divides it by the real digits' score.
- ``coverage`` (:func:`class_coverage`): the share of samples judged each digit, and
  "not a digit" last. ``rarest_digit`` is the smallest digit share (mode collapse drives
  it towards 0), ``not_a_digit`` the share the judge rejects.
- ``frechet_distance`` (:func:`frechet_distance`) between Gaussians fitted to the judge's
  penultimate-layer features of the samples and of the real digits, raw and as
  ``frechet_ratio``: a multiple of the distance that two real sets of the same size keep
  (training digits against the test digits). This module once divided by uniform noise's
  distance instead, which hid everything: under its old judge noise lay 1,700 times as
  far from real digits as a second real set did, so any distance looked small beside it.
- ``duplicate_share`` and ``copy_share``, in pixels (:func:`nearest_distances`): the share
  of samples that have another sample, or a training image, closer than 99% of real test
  digits of the same judged class have their nearest training image. A generator that
  repeats itself or replays its training set scores well on all of the above (ten real
  digits copied 1,000 times each reached 104% of real digits' score); these two catch it.

:data:`TARGETS` says what "working" means, and ``score_images(...)["failed"]`` lists the
targets missed. The score functions take NumPy arrays, so they serve any classifier.
This module sits in layer 7 beside ``tinydl.train.metrics``: it trains its judge with
``fit`` and the zoo's augmentation, so it belongs with the training tools, not in ``nn``
or ``ops``; the zoo, which it imports, imports nothing of ``train``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from tinydl import check, data, nn, optim, random, zoo
from tinydl.autograd import Tensor, no_grad, tensor
from tinydl.backend.fast_path_switch import fast_paths
from tinydl.data.locations import cache_dir
from tinydl.ops import softmax
from tinydl.train.checkpoint import load_checkpoint, read_extra, save_checkpoint
from tinydl.train.loop import fit

PIXELS = 28 * 28
DIGITS = 10
NOT_A_DIGIT = DIGITS  # the judge's eleventh output
JUDGE_NAME = "digit-judge"  # what the cached checkpoint says it holds
JUDGE_EPOCHS = 2
COPY_PERCENTILE = 1.0  # "closer than 99% of real test digits are to their nearest training image"


@dataclass(frozen=True)
class Target:
    """One number of :func:`score_images` and the bound a working generator keeps it within."""

    key: str
    bound: float
    at_least: bool  # True: the value must be >= bound; False: <= bound

    def met(self, value: float) -> bool:
        return value >= self.bound if self.at_least else value <= self.bound

    def __str__(self) -> str:
        return f"{self.key} {'>=' if self.at_least else '<='} {self.bound:g}"


# Each bound leaves real digits a wide margin and sits far from what each failure gives
# (benchmarks/results/gan_scores.md: 5,000 held-out test digits score 101% of the
# reference's score, 9.0% for their rarest digit, 0% "not a digit", 0.76 times two real
# sets' distance, 0.4% duplicates and 1.7% copies; uniform noise is 100% "not a digit" at
# 395 times the distance; ten training digits repeated give 84 times the distance and
# 100% duplicates and copies). The shares' bound, 5%, is five times the 1% of copies that
# real digits have by construction (the threshold is their 1st percentile).
TARGETS = (
    Target("score_ratio", 0.8, at_least=True),  # clearly one digit each, all digits drawn
    Target("rarest_digit", 0.05, at_least=True),  # no digit dropped (a tenth each is perfect)
    Target("not_a_digit", 0.05, at_least=False),  # few samples that are no digit at all
    Target("frechet_ratio", 10.0, at_least=False),  # features spread as real digits' are
    Target("duplicate_share", 0.05, at_least=False),  # samples differ as real digits do
    Target("copy_share", 0.05, at_least=False),  # new digits, not training images replayed
)


# ---- the scores, on host arrays ---------------------------------------------------------------
def inception_score(probabilities: Any) -> float:
    """exp of the mean KL divergence between each sample's class distribution p(y|x) (the
    rows of ``probabilities``, (N, C)) and their average p(y). Computed in float64; a
    0·log 0 term counts as 0."""
    p = _check_probabilities(probabilities, "inception_score")
    marginal = p.mean(axis=0)
    # log(1) = 0 stands in where a probability is 0: its term p·(log p − log p(y)) is 0.
    log_p = np.log(np.where(p > 0, p, 1.0))
    log_marginal = np.log(np.where(marginal > 0, marginal, 1.0))
    kl = (p * (log_p - log_marginal)).sum(axis=1)
    return float(np.exp(kl.mean()))


def class_coverage(probabilities: Any) -> np.ndarray:
    """The share of samples whose most likely class is each class: a (C,) float64 vector
    summing to 1. With mode collapse, some entries drop towards 0."""
    p = _check_probabilities(probabilities, "class_coverage")
    counts = np.bincount(p.argmax(axis=1), minlength=p.shape[1])
    return counts / len(p)


def frechet_distance(features: Any, reference_features: Any) -> float:
    """The Fréchet (2-Wasserstein) distance between Gaussians fitted to two sets of feature
    vectors, (N, F) and (M, F):

        ‖μ₁ − μ₂‖² + Tr(Σ₁) + Tr(Σ₂) − 2·Tr((Σ₁Σ₂)^½).

    Σ₁Σ₂ is not symmetric, but it has the eigenvalues of the symmetric positive
    semi-definite S·Σ₂·S with S = Σ₁^½ (AB and BA share eigenvalues), so the trace of its
    square root is the sum of the square roots of those: two symmetric eigendecompositions
    (:func:`psd_sqrt`, then ``eigvalsh``), no general matrix square root needed.
    """
    a = _check_features(features, "features", minimum=2)
    b = _check_features(reference_features, "reference_features", minimum=2)
    if a.shape[1] != b.shape[1]:
        raise ValueError(
            f"frechet_distance(): features have {a.shape[1]} dimensions but reference_features "
            f"have {b.shape[1]}"
        )
    mean_gap = a.mean(axis=0) - b.mean(axis=0)
    cov_a, cov_b = np.atleast_2d(np.cov(a, rowvar=False)), np.atleast_2d(np.cov(b, rowvar=False))
    root_a = psd_sqrt(cov_a)
    middle = root_a @ cov_b @ root_a
    eigenvalues = np.linalg.eigvalsh((middle + middle.T) / 2)  # symmetric up to rounding
    trace_sqrt = np.sqrt(np.clip(eigenvalues, 0, None)).sum()
    distance = mean_gap @ mean_gap + np.trace(cov_a) + np.trace(cov_b) - 2 * trace_sqrt
    return float(max(distance, 0.0))  # rounding can leave -1e-12 for identical sets


def psd_sqrt(matrix: np.ndarray) -> np.ndarray:
    """The symmetric square root of a symmetric positive semi-definite matrix, from its
    eigendecomposition V·diag(λ)·Vᵀ: V·diag(√λ)·Vᵀ (eigenvalues below 0 from rounding
    count as 0)."""
    eigenvalues, vectors = np.linalg.eigh(matrix)
    return (vectors * np.sqrt(np.clip(eigenvalues, 0, None))) @ vectors.T


def nearest_distances(
    images: Any, pool: Any, skip_self: bool = False, chunk: int = 500
) -> np.ndarray:
    """For each row of ``images`` (N, P), the Euclidean distance to its nearest row of
    ``pool`` (M, P), as an (N,) float64 array. ``skip_self``: ``pool`` is ``images`` itself,
    and each row's own zero distance does not count (so a row's nearest *other* row).

    ‖a − b‖² = ‖a‖² + ‖b‖² − 2·a·b turns the N·M distances into one matrix product per
    ``chunk`` rows, in float32: rounding can leave about 1e-3 where two rows are equal,
    far below the distances between different digits (above 1 in pixels of [0, 1]).
    """
    a = _check_features(images, "images", minimum=1, function="nearest_distances").astype(
        np.float32
    )
    b = _check_features(pool, "pool", minimum=2 if skip_self else 1,
                        function="nearest_distances").astype(np.float32)
    if a.shape[1] != b.shape[1] or (skip_self and a.shape != b.shape):
        raise ValueError(
            f"nearest_distances(): images have shape {a.shape} but pool has {b.shape}; they "
            f"need the same number of columns{' and, with skip_self, the same rows' * skip_self}"
        )
    check.positive_int("nearest_distances()", "chunk", chunk)
    pool_norms = (b * b).sum(axis=1)
    nearest = np.empty(len(a))
    for start in range(0, len(a), chunk):
        rows = a[start : start + chunk]
        squared = (rows * rows).sum(axis=1)[:, None] + pool_norms - 2 * rows @ b.T
        if skip_self:
            squared[np.arange(len(rows)), np.arange(start, start + len(rows))] = np.inf
        nearest[start : start + len(rows)] = squared.min(axis=1)
    return np.sqrt(np.clip(nearest, 0, None))


# ---- the judge ------------------------------------------------------------------------------
def judge_model() -> nn.Sequential:
    """The digit judge's network: two 3x3 convolutions with max-pooling (16 and 32
    channels), a hidden layer of 128 ReLU units (the features of the Fréchet distance) and
    eleven outputs, the ten digits and "not a digit"."""
    return nn.Sequential(
        nn.Conv2D(1, 16, 3), nn.ReLU(), nn.MaxPool2D(2),  # 28x28 -> 26x26 -> 13x13
        nn.Conv2D(16, 32, 3), nn.ReLU(), nn.MaxPool2D(2),  # -> 11x11 -> 5x5
        nn.Flatten(), nn.Dense(32 * 5 * 5, 128), nn.ReLU(),
        nn.Dense(128, DIGITS + 1),
    )


def not_digit_images(digits: Any, count: int, rng: np.random.Generator) -> np.ndarray:
    """``count`` images that are no digit, (count, 28, 28) float32 in [0, 1], for the judge's
    "not a digit" class: five kinds in turn, two made from ``digits`` (floats in [0, 1], in
    any layout :func:`classifier_outputs` takes) so that they carry real ink but no digit:

    - uniform noise, of a random brightness (dim noise is near-blank);
    - sparse dots: 5-30% of the pixels lit;
    - smooth blobs: blurred noise cut at a random level, strokes with no digit's shape;
    - a digit's pixels shuffled: its ink, scattered;
    - a digit's 7x7 blocks shuffled: its strokes, in the wrong places.
    """
    digits = _check_images(digits, "not_digit_images", minimum=1)
    check.positive_int("not_digit_images()", "count", count)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"not_digit_images() needs rng as a numpy.random.Generator "
            f"(np.random.default_rng(seed)), got {type(rng).__name__}"
        )
    sources = digits[rng.integers(0, len(digits), count)].reshape(count, 28, 28)
    kind = np.arange(count) % 5
    images = np.empty((count, 28, 28), np.float32)
    n = np.bincount(kind, minlength=5)
    images[kind == 0] = rng.uniform(0, 1, (n[0], 28, 28)) * rng.uniform(0.2, 1, (n[0], 1, 1))
    lit = rng.uniform(0, 1, (n[1], 28, 28)) < rng.uniform(0.05, 0.3, (n[1], 1, 1))
    images[kind == 1] = lit * rng.uniform(0.5, 1, (n[1], 28, 28))
    images[kind == 2] = _blobs(n[2], rng)
    images[kind == 3] = _shuffled(sources[kind == 3].reshape(n[3], PIXELS), rng).reshape(-1, 28, 28)
    blocks = sources[kind == 4].reshape(n[4], 4, 7, 4, 7).transpose(0, 1, 3, 2, 4)
    images[kind == 4] = (_shuffled(blocks.reshape(n[4], 16, 49), rng)
                         .reshape(n[4], 4, 4, 7, 7).transpose(0, 1, 3, 2, 4).reshape(-1, 28, 28))
    return images


def _shuffled(rows: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Each row's entries (along axis 1) in a random order of their own."""
    order = rng.random(rows.shape[:2]).argsort(axis=1)
    return np.take_along_axis(rows, order.reshape(*order.shape, *(1,) * (rows.ndim - 2)), axis=1)


def _blobs(count: int, rng: np.random.Generator) -> np.ndarray:
    """Noise smoothed by three passes of a 3x3 box blur, stretched to [0, 1], and inked
    where it passes a random level, with a soft edge."""
    field = rng.uniform(0, 1, (count, 28, 28))
    for _ in range(3):
        padded = np.pad(field, ((0, 0), (1, 1), (1, 1)), mode="edge")
        field = sum(padded[:, i : i + 28, j : j + 28] for i in range(3) for j in range(3)) / 9
    low, high = field.min(axis=(1, 2), keepdims=True), field.max(axis=(1, 2), keepdims=True)
    field = (field - low) / (high - low)
    level = rng.uniform(0.55, 0.8, (count, 1, 1))
    return np.clip((field - level) / 0.1, 0, 1)


def train_judge(
    images: Any, labels: Any, epochs: int = JUDGE_EPOCHS, seed: int = 0, progress: bool = False
) -> nn.Sequential:
    """A :func:`judge_model` trained on ``images`` (uint8 digits, (N, 28, 28)) with their
    ``labels`` and N/10 :func:`not_digit_images` labelled "not a digit" (as many as a digit
    has), shifted by up to 2 pixels at random (GAN digits are not all centred): Adam at
    1e-3, batch 128, ``epochs`` epochs; returned in evaluation mode.

    It trains with the fast paths on, as ``tinydl train`` does: they compute the same
    function, and the judge is a tool to use, not code to trace.
    """
    images = images.numpy() if isinstance(images, Tensor) else np.asarray(images)
    if images.dtype != np.uint8 or images.shape[1:] != (28, 28) or len(images) < 1:
        raise ValueError(
            f"train_judge(): images must be uint8 digits shaped (N, 28, 28), as "
            f"data.load_mnist gives them, got {images.dtype} of shape {images.shape}"
        )
    check.positive_int("train_judge()", "epochs", epochs)
    digits = data.to_float(images)
    labels = labels.numpy() if isinstance(labels, Tensor) else np.asarray(labels)
    if labels.shape != (len(digits),) or labels.dtype.kind not in "iu" or (
        labels.min() < 0 or labels.max() >= DIGITS
    ):
        raise ValueError(
            f"train_judge(): labels must be {len(digits)} integers in 0..9, one per image, got "
            f"{labels.dtype} of shape {labels.shape}"
        )
    rng = np.random.default_rng(seed)
    negatives = not_digit_images(digits, max(len(digits) // DIGITS, 1), rng)
    x = np.concatenate([digits, negatives]).reshape(-1, 1, 28, 28)
    y = np.concatenate([labels, np.full(len(negatives), NOT_A_DIGIT)]).astype(np.int64)
    random.manual_seed(seed)
    model = judge_model()
    loader = data.DataLoader(x, y, 128, shuffle=True, seed=seed, transform=zoo.augmentation(0))
    with fast_paths(True):
        fit(model, optim.Adam(model.parameters(), lr=1e-3), nn.CrossEntropyLoss(), loader,
            epochs, progress=progress, print_fn=print if progress else None)
    return model.eval()


def digit_judge(
    path: str | Path | None = None,
    data_dir: str | Path | None = None,
    device: Any = None,
    progress: bool = False,
    seed: int = 0,
) -> nn.Sequential:
    """The trained digit judge (:func:`judge_model`), in evaluation mode.

    If ``path`` (default: ``~/.cache/tinydl/models/digit-judge.npz``) holds a checkpoint,
    it is loaded; otherwise :func:`train_judge` trains one on the 60,000 MNIST training
    digits (from ``data_dir``, ``$TINYDL_DATA`` or the cache) and saves it there, so only
    the first call trains (94 s on a 2-core CPU shared with other work).
    """
    path = Path(path) if path is not None else cache_dir("models") / f"{JUDGE_NAME}.npz"
    if path.exists():
        holds = read_extra(path).get("example", "an unnamed model")
        if holds != JUDGE_NAME:
            raise ValueError(
                f"digit_judge(): {path} holds {holds!r}, not the digit judge; pass another "
                f"path (a missing file is trained and written)"
            )
        model = judge_model()
        load_checkpoint(path, model)
    else:
        (images, labels), _ = data.load_mnist(data_dir, progress=progress)
        model = train_judge(images, labels, seed=seed, progress=progress)
        save_checkpoint(path, model, example=JUDGE_NAME, epochs=JUDGE_EPOCHS, seed=seed)
    if device is not None:
        model.to(device)
    return model.eval()


# ---- the judge's outputs ---------------------------------------------------------------------
def classifier_outputs(
    classifier: nn.Sequential, images: Any, batch_size: int = 500
) -> tuple[np.ndarray, np.ndarray]:
    """``(probabilities, features)`` of ``images`` under ``classifier``: the softmax of its
    logits, (N, C), and its penultimate-layer features (the input of its last layer), (N, F),
    both float64 host arrays.

    ``images`` are N digits with pixel values in [0, 1] (as ``data.to_float`` gives; a tanh
    generator's output needs ``(x + 1) / 2`` first), shaped (N, 784), (N, 28, 28) or
    (N, 1, 28, 28), as a NumPy array or a Tensor.
    """
    if not isinstance(classifier, nn.Sequential) or len(classifier) < 2:
        raise TypeError(
            f"classifier_outputs() needs an nn.Sequential classifier of at least two layers "
            f"(its last layer maps features to class scores), got {type(classifier).__name__}"
        )
    pixels = _check_images(images, "classifier_outputs")
    check.positive_int("classifier_outputs()", "batch_size", batch_size)
    body, head = nn.Sequential(*classifier.layers[:-1]), classifier[-1]
    device = next(iter(classifier.parameters())).device
    was_training = classifier.training
    classifier.eval()
    probabilities, features = [], []
    with no_grad():
        for start in range(0, len(pixels), batch_size):
            batch = tensor(pixels[start : start + batch_size], device=device)
            hidden = body(batch)
            probabilities.append(softmax(head(hidden)).numpy().astype(np.float64))
            features.append(hidden.numpy().reshape(len(batch), -1).astype(np.float64))
    classifier.train(was_training)
    return np.concatenate(probabilities), np.concatenate(features)


# ---- the yardstick and the scores -----------------------------------------------------------
class RealDigits:
    """What real digits score, for :func:`score_images` to compare samples with.

    ``test_images``: real digits the judge never trained on (MNIST test digits), the
    reference of the Fréchet distance and of the score. ``training_images``: the digits the
    generator learned from (MNIST's training set), where :func:`score_images` looks for
    copies; random subsets of them are the second real set of :meth:`frechet_baseline`.
    Both are floats in [0, 1] in any layout :func:`classifier_outputs` takes.

    ``copy_distance[c]`` is the distance to the nearest training image that 99% of the test
    digits the judge calls ``c`` exceed: a sample of class ``c`` closer than that to
    another image is, by real digits' standards, a copy of it. (Per class, because digits
    differ: a test "1" lies 1.7 pixels from its nearest training "1" at the median, a test
    "8" 5.1.) A class with fewer than 50 test digits, "not a digit" among them, takes the
    percentile of all test digits.
    """

    def __init__(
        self, judge: nn.Sequential, test_images: Any, training_images: Any, seed: int = 0
    ) -> None:
        test = _check_images(test_images, "RealDigits")
        self.training = _check_images(training_images, "RealDigits").reshape(-1, PIXELS)
        self.judge = judge
        probabilities, self.features = classifier_outputs(judge, test)
        if probabilities.shape[1] != DIGITS + 1:
            raise ValueError(
                f"RealDigits() needs the digit judge (digit_judge(): {DIGITS + 1} outputs, the "
                f"ten digits and 'not a digit'), got a classifier of {probabilities.shape[1]}"
            )
        self.inception_score = inception_score(probabilities)
        labels = probabilities.argmax(axis=1)
        nearest = nearest_distances(test.reshape(-1, PIXELS), self.training)
        overall = np.percentile(nearest, COPY_PERCENTILE)
        self.copy_distance = np.array([
            np.percentile(nearest[labels == c], COPY_PERCENTILE) if (labels == c).sum() >= 50
            else overall
            for c in range(DIGITS + 1)
        ])
        self.seed = seed
        self._baselines: dict[int, float] = {}

    def frechet_baseline(self, count: int) -> float:
        """The Fréchet distance between ``count`` training digits (a random subset, fixed by
        ``seed``) and the test digits: how far apart two real sets of that size lie. (The
        distance of a finite sample is biased upwards, more for fewer samples, so samples
        are compared with a real set of their own size.)"""
        check.positive_int("RealDigits.frechet_baseline()", "count", count)
        if not 2 <= count <= len(self.training):
            raise ValueError(
                f"RealDigits.frechet_baseline(): count must be between 2 and the "
                f"{len(self.training)} training images, got {count}"
            )
        if count not in self._baselines:
            pick = np.random.default_rng(self.seed).choice(len(self.training), count, replace=False)
            features = classifier_outputs(self.judge, self.training[pick])[1]
            self._baselines[count] = frechet_distance(features, self.features)
        return self._baselines[count]


def score_images(images: Any, reference: RealDigits) -> dict[str, Any]:
    """Every score of ``images`` (see :func:`classifier_outputs` for the format), measured
    against ``reference``: the keys of the module's description, and ``failed``, the
    :data:`TARGETS` missed (empty: the samples pass)."""
    pixels = _check_images(images, "score_images")
    if not isinstance(reference, RealDigits):
        raise TypeError(
            f"score_images() needs a RealDigits reference (RealDigits(digit_judge(), "
            f"test_images, training_images)), got {type(reference).__name__}"
        )
    if len(pixels) > len(reference.training):
        raise ValueError(
            f"score_images(): {len(pixels)} images but only {len(reference.training)} training "
            f"images to compare their Fréchet distance with; score at most that many"
        )
    probabilities, features = classifier_outputs(reference.judge, pixels)
    coverage = class_coverage(probabilities)
    distance = frechet_distance(features, reference.features)
    flat = pixels.reshape(-1, PIXELS)
    too_close = reference.copy_distance[probabilities.argmax(axis=1)]
    duplicates = nearest_distances(flat, flat, skip_self=True) < too_close
    copies = nearest_distances(flat, reference.training) < too_close
    score = inception_score(probabilities)
    scores = {
        "inception_score": score,
        "score_ratio": score / reference.inception_score,
        "coverage": coverage,
        "rarest_digit": float(coverage[:DIGITS].min()),
        "not_a_digit": float(coverage[NOT_A_DIGIT]),
        "frechet_distance": distance,
        "frechet_ratio": distance / reference.frechet_baseline(len(pixels)),
        "duplicate_share": float(duplicates.mean()),
        "copy_share": float(copies.mean()),
    }
    scores["failed"] = [str(target) for target in TARGETS if not target.met(scores[target.key])]
    return scores


# ---- input checks ---------------------------------------------------------------------------
def _check_probabilities(probabilities: Any, function: str) -> np.ndarray:
    p = _check_features(probabilities, "probabilities", minimum=1, function=function)
    if p.min() < 0 or not np.allclose(p.sum(axis=1), 1, atol=1e-4):
        raise ValueError(
            f"{function}(): each row of probabilities must be a distribution (non-negative, "
            f"summing to 1); apply softmax to logits first"
        )
    return p


def _check_features(
    values: Any, name: str, minimum: int, function: str = "frechet_distance"
) -> np.ndarray:
    """``values`` as a finite float64 (N, F) host array with N ≥ ``minimum``."""
    if isinstance(values, Tensor):
        values = values.numpy()
    array = np.asarray(values)
    if array.dtype.kind not in "fiu":
        raise TypeError(f"{function}(): {name} must be numeric, got dtype {array.dtype}")
    if array.ndim != 2 or len(array) < minimum:
        raise ValueError(
            f"{function}(): {name} must be an (N, F) array with N >= {minimum}, got shape "
            f"{array.shape}"
        )
    array = array.astype(np.float64)
    if not np.isfinite(array).all():
        raise ValueError(f"{function}(): {name} contains NaN or infinite values")
    return array


def _check_images(images: Any, function: str, minimum: int = 2) -> np.ndarray:
    """``images`` as a float32 (N, 1, 28, 28) host array of values in [0, 1], N ≥ ``minimum``."""
    if isinstance(images, Tensor):
        images = images.numpy()
    array = np.asarray(images)
    if array.dtype.kind != "f":
        raise TypeError(
            f"{function}(): images must be floats in [0, 1], got dtype {array.dtype} (uint8 "
            f"digits become floats with tinydl.data.to_float)"
        )
    if array.ndim < 2 or len(array) < minimum or array[0].size != PIXELS:
        raise ValueError(
            f"{function}(): images must be at least {minimum} image{'s' * (minimum > 1)} of "
            f"28x28 pixels, shaped (N, 784), (N, 28, 28) or (N, 1, 28, 28), got shape "
            f"{array.shape}"
        )
    low, high = float(array.min()), float(array.max())
    if not (low >= 0 and high <= 1):  # also refuses NaN
        raise ValueError(
            f"{function}(): pixel values must lie in [0, 1], got {low:.3g}..{high:.3g} "
            f"(a tanh generator's output needs (x + 1) / 2)"
        )
    return array.astype(np.float32).reshape(len(array), 1, 28, 28)
