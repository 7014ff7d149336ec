"""The seed MNIST models, each with the training recipe it was first described with.

``tinydl train <name>`` and the scripts in ``examples/`` both build their models
here, so a model is written once. Keras's defaults are kept where the original
was a Keras model: RMSprop(lr=1e-3, rho=0.9, eps=1e-7), Adam(lr=1e-3, eps=1e-7).

Layer 7, beside ``tinydl.train``, but built from ``nn``, ``optim`` and ``data`` alone:
``train.generative`` trains a recipe for its digit classifier, so the zoo must not need
``train`` (which checkpoint holds which recipe is ``train.checkpoint``'s
``checkpoint_example``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np

from tinydl import backend, data, nn, optim, random


@dataclass(frozen=True)
class Recipe:
    """A model and how to train it."""

    name: str
    summary: str
    build: Callable[[], nn.Module]
    optimizer: Callable[[Iterable[nn.Parameter], float], Any]
    lr: float
    epochs: int
    batch_size: int
    image_shape: tuple[int, ...]  # one input sample, e.g. (1, 28, 28)
    one_hot_targets: bool = False
    pad_to: int | None = None  # pad 28x28 digits to this size
    augment: bool = False
    # (optimizer, epochs, steps_per_epoch) -> schedule; fit() steps it per epoch or, when its
    # ``interval`` is "step" (OneCycleLR), after every batch
    scheduler: Callable[[Any, int, int], Any] | None = None
    target_accuracy: float | None = None
    label_smoothing: float = 0.0  # nn.CrossEntropyLoss(label_smoothing=...)
    rotation_degrees: float = 10.0  # the augmentation's largest rotation; 0: shifts only
    notes: dict[str, str] = field(default_factory=dict)

    def transform(self) -> data.Compose | None:
        """The random augmentation of the training images (None without ``augment``)."""
        return augmentation(self.rotation_degrees) if self.augment else None


def mlp() -> nn.Module:
    """A. The classic two-layer perceptron: 784 -> 512 ReLU -> 10."""
    return nn.Sequential(nn.Flatten(), nn.Dense(784, 512), nn.ReLU(), nn.Dense(512, 10))


def mlp_dropout() -> nn.Module:
    """B. A smaller perceptron with dropout: 784 -> 128 ReLU -> Dropout(0.2) -> 10."""
    return nn.Sequential(
        nn.Flatten(), nn.Dense(784, 128), nn.ReLU(), nn.Dropout(0.2), nn.Dense(128, 10)
    )


def cnn() -> nn.Module:
    """C. Two 3x3 convolutions with max-pooling, then a small dense head."""
    return nn.Sequential(
        nn.Conv2D(1, 32, 3), nn.ReLU(), nn.MaxPool2D(2),
        nn.Conv2D(32, 64, 3), nn.ReLU(), nn.MaxPool2D(2),
        nn.Flatten(), nn.Dense(64 * 5 * 5, 64), nn.ReLU(), nn.Dense(64, 10),
    )


def linear_cnn() -> nn.Module:
    """D. A convolution and two dense layers with no activation between them: a linear
    model in disguise (2,164,630 parameters), trained on logits."""
    return nn.Sequential(
        nn.Conv2D(1, 32, 3), nn.Flatten(), nn.Dense(32 * 26 * 26, 100), nn.Dense(100, 10)
    )


def deep_cnn(image_size: int = 32) -> nn.Module:
    """E. Five Conv(3x3, padding 1) -> ReLU -> MaxPool(2) blocks of 16..256 channels and a
    final Dense(10) whose input size is worked out from the image size."""
    layers: list[nn.Module] = []
    channels = [1, 16, 32, 64, 128, 256]
    for c_in, c_out in zip(channels, channels[1:], strict=False):
        layers += [nn.Conv2D(c_in, c_out, 3, padding=1), nn.ReLU(), nn.MaxPool2D(2)]
    halvings = len(channels) - 1
    side = image_size // 2**halvings  # each 3x3 convolution keeps the size, each pooling halves it
    if side < 1:
        raise ValueError(
            f"deep_cnn halves the image {halvings} times, so it needs images of at least "
            f"{2**halvings} pixels, got {image_size}"
        )
    return nn.Sequential(*layers, nn.Flatten(), nn.Dense(channels[-1] * side * side, 10))


def best() -> nn.Module:
    """F. Three Conv-BatchNorm-ReLU-MaxPool blocks (32, 64, 128 channels) and a dense head
    with batch norm and dropout, trained with augmentation and a cosine schedule."""

    def block(c_in: int, c_out: int) -> list[nn.Module]:
        return [
            nn.Conv2D(c_in, c_out, 3, padding=1, bias=False), nn.BatchNorm2D(c_out), nn.ReLU(),
            nn.MaxPool2D(2),
        ]

    return nn.Sequential(
        *block(1, 32), *block(32, 64), *block(64, 128),  # 28 -> 14 -> 7 -> 3
        nn.Flatten(), nn.Dense(128 * 3 * 3, 128, bias=False), nn.BatchNorm1D(128), nn.ReLU(),
        nn.Dropout(0.3), nn.Dense(128, 10),
    )


def fast_cnn(
    channels: tuple[int, int] = (24, 32), hidden: int = 256, batch_norm: bool = False
) -> nn.Module:
    """H. The speed-run net: Conv(5x5) -> MaxPool(2) -> ReLU -> Conv(3x3) -> MaxPool(2) ->
    ReLU -> Dense(hidden) -> ReLU -> Dense(10); by default 24 and 32 channels, 800 -> 256 -> 10
    (``mnist-fast`` uses 16 and 32).

    Pooling comes before the ReLU: max and ReLU commute (both keep the largest value), so
    the function is the same and the ReLU touches a quarter of the values. With
    ``batch_norm`` a BatchNorm2D comes between each pooling and its ReLU (where it too has
    a quarter of the values to normalise) and the convolutions lose their bias, which the
    normalisation would cancel.
    """
    if not isinstance(channels, (tuple, list)) or len(channels) != 2:
        raise TypeError(
            f"fast_cnn needs channels as a pair (first conv's, second conv's), got {channels!r}"
        )
    c1, c2 = channels
    side = ((28 - 4) // 2 - 2) // 2  # 28 -> conv5 24 -> pool 12 -> conv3 10 -> pool 5

    def block(c_in: int, c_out: int, kernel: int) -> list[nn.Module]:
        conv = nn.Conv2D(c_in, c_out, kernel, bias=not batch_norm)
        norm = [nn.BatchNorm2D(c_out)] if batch_norm else []
        return [conv, nn.MaxPool2D(2), *norm, nn.ReLU()]

    return nn.Sequential(
        *block(1, c1, 5), *block(c1, c2, 3),
        nn.Flatten(), nn.Dense(c2 * side * side, hidden), nn.ReLU(), nn.Dense(hidden, 10),
    )


class RowLSTM(nn.Module):
    """G. Each digit read top to bottom as 28 rows of 28 pixels by an LSTM(128); its last
    hidden state -> Dense(10).

    The LSTM starts as Keras's does (not PyTorch's uniform ±1/√H): Glorot-uniform input
    weights, orthogonal recurrent weights and a forget-gate bias of 1, so that from the
    first step the cell keeps what it saw in the top rows until the last one; and the
    pixels are standardised with MNIST's mean and standard deviation before the LSTM sees
    them. Test accuracy after 1 and 2 epochs (seed 0): 93.3% and 96.0% with PyTorch's
    start and raw pixels, 94.6% and 96.5% with Keras's start, 95.6% and 97.6% with both.
    """

    MEAN, STD = 0.1307, 0.3081  # of MNIST's training pixels, scaled to [0, 1]

    def __init__(self, hidden_size: int = 128) -> None:
        self.lstm = nn.LSTM(28, hidden_size, batch_first=True)
        self.head = nn.Dense(hidden_size, 10)
        self.lstm.weight_ih_l0.array = _as_like(
            nn.init.glorot_uniform((28, 4 * hidden_size)).T, self.lstm.weight_ih_l0
        )
        gates = [_orthogonal((hidden_size, hidden_size)) for _ in range(4)]
        self.lstm.weight_hh_l0.array = _as_like(np.concatenate(gates), self.lstm.weight_hh_l0)
        bias = np.zeros(4 * hidden_size, dtype=np.float32)
        bias[hidden_size : 2 * hidden_size] = 1  # the forget gate's block
        self.lstm.bias_ih_l0.array = _as_like(bias, self.lstm.bias_ih_l0)
        self.lstm.bias_hh_l0.array = _as_like(np.zeros_like(bias), self.lstm.bias_hh_l0)

    def forward(self, x: Any) -> Any:
        output, _ = self.lstm((x - self.MEAN) / self.STD)  # (N, 28 rows, hidden_size)
        return self.head(output[:, -1])


def _orthogonal(shape: tuple[int, int]) -> np.ndarray:
    """A random orthogonal matrix (QR of a Gaussian one, signs fixed so it is uniform)."""
    q, r = np.linalg.qr(random.generator().standard_normal(shape))
    return (q * np.sign(np.diag(r))).astype(np.float32)


def _as_like(values: np.ndarray, like: nn.Parameter) -> Any:
    return backend.to_device(np.ascontiguousarray(values, dtype=like.dtype), like.device)


def _keras_rmsprop(params: Iterable[nn.Parameter], lr: float) -> Any:
    return optim.RMSprop(params, lr=lr, alpha=0.9, eps=1e-7)


def _keras_adam(params: Iterable[nn.Parameter], lr: float) -> Any:
    return optim.Adam(params, lr=lr, eps=1e-7)


def _sgd_momentum(params: Iterable[nn.Parameter], lr: float) -> Any:
    return optim.SGD(params, lr=lr, momentum=0.9)


def _cosine(optimizer: Any, epochs: int, steps_per_epoch: int) -> Any:
    return optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs)


@dataclass(frozen=True)
class AdamSettings:
    """Adam's settings besides the lr, readable (``recipe.optimizer.betas``) so that other
    code (the PyTorch side of a benchmark) builds the same optimiser."""

    betas: tuple[float, float] = (0.9, 0.999)
    eps: float = 1e-8

    def __call__(self, params: Iterable[nn.Parameter], lr: float) -> optim.Adam:
        return optim.Adam(params, lr=lr, betas=self.betas, eps=self.eps)


@dataclass(frozen=True)
class OneCycle:
    """OneCycleLR's settings; its max_lr is the optimiser's lr (the recipe's ``lr``) and it
    steps after every batch (``interval == "step"``), ``epochs * steps_per_epoch`` times."""

    pct_start: float = 0.3
    div_factor: float = 25.0
    final_div_factor: float = 1e4
    anneal_strategy: str = "cos"
    cycle_momentum: bool = False  # True would replace Adam's beta1 by 0.95..0.85

    def __call__(self, optimizer: Any, epochs: int, steps_per_epoch: int) -> Any:
        return optim.lr_scheduler.OneCycleLR(
            optimizer, max_lr=optimizer.lr, epochs=epochs, steps_per_epoch=steps_per_epoch,
            pct_start=self.pct_start, div_factor=self.div_factor,
            final_div_factor=self.final_div_factor, anneal_strategy=self.anneal_strategy,
            cycle_momentum=self.cycle_momentum,
        )


def augmentation(max_degrees: float = 10.0) -> data.Compose:
    """Small random shifts (up to 2 pixels) and rotations (up to ``max_degrees``; none if
    0): digits stay legible, the model sees more variety."""
    rotation = [data.RandomRotation(max_degrees)] if max_degrees else []
    return data.Compose([data.RandomShift(2), *rotation])


RECIPES: dict[str, Recipe] = {
    recipe.name: recipe
    for recipe in [
        Recipe("mnist-mlp", "A: Dense(512, relu) -> Dense(10), RMSprop, one-hot targets",
               mlp, _keras_rmsprop, lr=1e-3, epochs=5, batch_size=128, image_shape=(28, 28),
               one_hot_targets=True, target_accuracy=0.978),
        Recipe("mnist-mlp-dropout", "B: Dense(128, relu) -> Dropout(0.2) -> Dense(10), Adam",
               mlp_dropout, _keras_adam, lr=1e-3, epochs=5, batch_size=32, image_shape=(28, 28),
               target_accuracy=0.973),
        Recipe("mnist-cnn",
               "C: two Conv2D(3x3, relu) + MaxPool(2) -> Dense(64, relu) -> Dense(10), Adam",
               cnn, _keras_adam, lr=1e-3, epochs=5, batch_size=64, image_shape=(1, 28, 28),
               target_accuracy=0.989),
        Recipe("mnist-linear-cnn", "D: Conv2D(32, 3x3) -> Dense(100) -> Dense(10) on logits, Adam",
               linear_cnn, _keras_adam, lr=1e-3, epochs=3, batch_size=32,
               image_shape=(1, 28, 28)),
        Recipe("mnist-deep-cnn",
               "E: five Conv-ReLU-MaxPool blocks (16..256 channels), SGD+momentum",
               deep_cnn, _sgd_momentum, lr=0.01, epochs=5, batch_size=64, image_shape=(1, 32, 32),
               pad_to=32, target_accuracy=0.985),
        Recipe("mnist-best", "F: 3 x (Conv-BatchNorm-ReLU-MaxPool), Dropout, augmentation, Adam",
               best, _keras_adam, lr=2e-3, epochs=8, batch_size=128, image_shape=(1, 28, 28),
               augment=True, scheduler=_cosine, target_accuracy=0.995),
        Recipe("mnist-lstm", "G: LSTM(128) over the 28 rows -> last hidden -> Dense(10), Adam",
               RowLSTM, _keras_adam, lr=1e-3, epochs=10, batch_size=128, image_shape=(28, 28),
               target_accuracy=0.985),
        Recipe("mnist-fast",
               "H: Conv(5x5, 16)-MaxPool-ReLU, Conv(3x3, 32)-MaxPool-ReLU, Dense(256), "
               "Adam + one-cycle, label smoothing",
               partial(fast_cnn, channels=(16, 32)), AdamSettings(betas=(0.7, 0.9)), lr=0.01,
               epochs=1, batch_size=256, image_shape=(1, 28, 28), scheduler=OneCycle(),
               label_smoothing=0.2, target_accuracy=0.99),
        Recipe("mnist-fast-995",
               "H+: the fast net with BatchNorm, random shifts, Adam + one-cycle",
               partial(fast_cnn, batch_norm=True), AdamSettings(betas=(0.7, 0.9)), lr=0.01,
               epochs=6, batch_size=256, image_shape=(1, 28, 28), augment=True,
               rotation_degrees=0, scheduler=OneCycle(), label_smoothing=0.1,
               target_accuracy=0.995),
    ]
}


def recipe(name: str) -> Recipe:
    """The recipe called ``name``, or an error listing the known names."""
    if name not in RECIPES:
        raise KeyError(f"unknown example {name!r}; choose from: {', '.join(RECIPES)}")
    return RECIPES[name]


def prepare(
    recipe: Recipe, images: np.ndarray, labels: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """uint8 digits (N, 28, 28) and labels -> the float32 inputs and targets ``recipe``
    trains on."""
    x = data.to_float(images)
    if recipe.pad_to is not None:
        margin = (recipe.pad_to - x.shape[-1]) // 2
        x = np.pad(x, ((0, 0), (margin, margin), (margin, margin)))
    x = x.reshape(len(x), *recipe.image_shape)
    y = data.one_hot(labels, 10) if recipe.one_hot_targets else labels.astype(np.int64)
    return x, y
