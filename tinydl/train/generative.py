"""Is a generator working? Three numbers for the digits any image generator draws.

GAN papers judge samples with an ImageNet classifier (Inception-v3): the Inception
Score and the Fréchet Inception Distance. Those weights cannot be downloaded here, and an
ImageNet network says little about digits anyway, so a tinydl MNIST classifier plays its
part (:func:`digit_classifier`, trained by a zoo recipe once and cached):

- :func:`inception_score` ``= exp(E_x[KL(p(y|x) ‖ p(y))])``: high when each sample is
  clearly one digit (p(y|x) peaked) AND the samples spread over all digits (the mean
  p(y) flat). Between 1 (every sample looks the same, or nothing looks like a digit) and
  the number of classes, 10.
- :func:`class_coverage`: the share of samples classified as each digit. A generator
  that collapsed onto a few modes draws some digits rarely or never; the smallest share
  shows it at once (1/10 each is perfect balance).
- :func:`frechet_distance` between the classifier's penultimate-layer features of the
  samples and of real images, each fitted with a Gaussian: the distance between the
  two Gaussians. 0 for identical statistics; it also catches what the other two miss
  (blurry but classifiable digits, too little variety within a class).

The three functions take NumPy arrays of probabilities or features, so they serve any
classifier; :func:`classifier_outputs` computes both from images with a tinydl model, and
:func:`score_images` does everything at once. This module sits in layer 7 beside
``tinydl.train.metrics`` (the classification metrics): it uses a trained model, the zoo's
recipes and ``fit``, so it belongs with the training tools, not in ``nn`` or ``ops``; the
zoo, which it imports, imports nothing of ``train``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from tinydl import check, data, nn, random, zoo
from tinydl.autograd import Tensor, no_grad, tensor
from tinydl.data.locations import cache_dir
from tinydl.ops import softmax
from tinydl.train.checkpoint import checkpoint_example, load_checkpoint, save_checkpoint
from tinydl.train.loop import fit

DEFAULT_RECIPE = "mnist-mlp"
PIXELS = 28 * 28


# ---- the three scores, on host arrays -------------------------------------------------------
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


# ---- the classifier -------------------------------------------------------------------------
def digit_classifier(
    path: str | Path | None = None,
    recipe: str = DEFAULT_RECIPE,
    data_dir: str | Path | None = None,
    device: Any = None,
    progress: bool = False,
    seed: int = 0,
) -> nn.Sequential:
    """A trained MNIST classifier for the scores, in evaluation mode.

    If ``path`` (default: ``~/.cache/tinydl/models/<recipe>.npz``) holds a checkpoint, it is
    loaded; it may be any ``model.npz`` written by ``tinydl train``, whose recipe it names.
    Otherwise the zoo recipe ``recipe`` is trained from scratch on MNIST (from ``data_dir``,
    ``$TINYDL_DATA`` or the cache) and saved there, so only the first call trains. The
    default, ``mnist-mlp`` (98% accurate; its features are the 512 hidden ReLU units), trains
    in about ten seconds on a CPU; ``recipe="mnist-cnn"`` (99%, 64 features) takes minutes.
    """
    path = Path(path) if path is not None else cache_dir("models") / f"{recipe}.npz"
    if path.exists():
        recipe = checkpoint_example(path)
    chosen = zoo.recipe(recipe)
    if chosen.pad_to is not None:
        raise ValueError(
            f"digit_classifier(): recipe {recipe!r} expects {chosen.pad_to}x{chosen.pad_to} "
            f"inputs; choose a recipe for 28x28 digits"
        )
    model = chosen.build()
    if path.exists():
        load_checkpoint(path, model)
    else:
        _train(chosen, model, data_dir, progress, seed)
        save_checkpoint(path, model, example=chosen.name)
    if device is not None:
        model.to(device)
    return model.eval()


def _train(
    recipe: zoo.Recipe, model: nn.Module, data_dir: Any, progress: bool, seed: int
) -> None:
    """``recipe``'s training of ``model`` on the MNIST training set, as ``tinydl train``."""
    (images, labels), _ = data.load_mnist(data_dir, progress=progress)
    x, y = zoo.prepare(recipe, images, labels)
    random.manual_seed(seed)
    optimizer = recipe.optimizer(model.parameters(), recipe.lr)
    transform = recipe.transform()
    loader = data.DataLoader(x, y, recipe.batch_size, shuffle=True, seed=seed, transform=transform)
    scheduler = (
        recipe.scheduler(optimizer, recipe.epochs, len(loader)) if recipe.scheduler else None
    )
    fit(
        model, optimizer, nn.CrossEntropyLoss(), loader, recipe.epochs, scheduler=scheduler,
        progress=progress, print_fn=print if progress else None,
    )


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


def score_images(
    images: Any, classifier: nn.Sequential, reference_features: Any
) -> dict[str, Any]:
    """All three scores of ``images`` (see :func:`classifier_outputs` for the format) in one
    pass of ``classifier``: ``{"inception_score", "coverage", "frechet_distance"}``, the
    distance measured to ``reference_features`` (``classifier_outputs(classifier,
    real_images)[1]``, computed once and reused)."""
    _check_images(images, "score_images")  # an error that names this function
    probabilities, features = classifier_outputs(classifier, images)
    return {
        "inception_score": inception_score(probabilities),
        "coverage": class_coverage(probabilities),
        "frechet_distance": frechet_distance(features, reference_features),
    }


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


def _check_images(images: Any, function: str) -> np.ndarray:
    """``images`` as a float32 (N, 1, 28, 28) host array of values in [0, 1]."""
    if isinstance(images, Tensor):
        images = images.numpy()
    array = np.asarray(images)
    if array.dtype.kind != "f":
        raise TypeError(
            f"{function}(): images must be floats in [0, 1], got dtype {array.dtype} (uint8 "
            f"digits become floats with tinydl.data.to_float)"
        )
    if array.ndim < 2 or array[0].size != PIXELS or len(array) < 2:
        raise ValueError(
            f"{function}(): images must be at least 2 images of 28x28 pixels, shaped (N, 784), "
            f"(N, 28, 28) or (N, 1, 28, 28), got shape {array.shape}"
        )
    low, high = float(array.min()), float(array.max())
    if not (low >= 0 and high <= 1):  # also refuses NaN
        raise ValueError(
            f"{function}(): pixel values must lie in [0, 1], got {low:.3g}..{high:.3g} "
            f"(a tanh generator's output needs (x + 1) / 2)"
        )
    return array.astype(np.float32).reshape(len(array), 1, 28, 28)
