"""The capstone: a network for MNIST built from your own Functions and optimiser, trained
for one epoch beside the same network on tinydl's own ops.

    tinydl exercises train --dir my-exercises          # the MLP: 784 → 256 → ReLU → 10
    tinydl exercises train cnn --dir my-exercises      # then a small CNN

Everything that learns is yours: every layer calls the Functions of your exercise files
(``MatMul``, ``BroadcastAdd``, ``ReLU``, ``SoftmaxCrossEntropy``; ``Conv2D`` and
``MaxPool2D`` for the CNN) and your ``SGDMomentum`` updates the weights. tinydl supplies
the data, the engine's backward walk and, in the CNN, the reshape before the dense layer.
The same network is trained beside it on tinydl's own ops and optimiser, in their plain
versions (the code you read after each exercise; the fast paths stay off): same initial
weights, same batches in the same order, same learning-rate schedule. Both are evaluated
on the 10,000 test images, so the two accuracies agree up to float32 rounding.

The capstone refuses, naming them, while any exercise it needs does not pass its check.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

import tinydl
import tinydl.nn.functional as F
from tinydl import check
from tinydl.autograd import Tensor, no_grad
from tinydl.data import load_mnist
from tinydl.data.errors import DataError
from tinydl.errors import TinyDLError
from tinydl.exercises.checker import load_module
from tinydl.exercises.runner import Result, check_exercise, exercise
from tinydl.optim import Optimizer

BATCH_SIZE = 64
MOMENTUM = 0.9
PIXEL_MEAN, PIXEL_STD = 0.1307, 0.3081  # of MNIST's training images, scaled to [0, 1]
REPORTS = 5  # progress lines over the epoch


class UnsolvedExercisesError(TinyDLError):
    """The capstone needs exercises that do not pass their checks yet (``names``)."""

    def __init__(self, message: str, names: list[str]) -> None:
        super().__init__(message)
        self.names = names


@dataclass(frozen=True)
class Ops:
    """The operations a network is made of, as functions of Tensors, and its optimiser: the
    learner's Functions, or tinydl's own ops. An op a network does not need may be None."""

    matmul: Callable[[Tensor, Tensor], Tensor]
    add: Callable[[Tensor, Tensor], Tensor]
    relu: Callable[[Tensor], Tensor]
    loss: Callable[[Tensor, np.ndarray], Tensor]
    optimizer: Callable[[list[Tensor], float], Optimizer]
    conv: Callable[[Tensor, Tensor, Tensor], Tensor] | None = None  # 3×3, stride 1, padding 1
    pool: Callable[[Tensor], Tensor] | None = None  # 2×2 windows, stride 2


def tinydl_ops() -> Ops:
    """tinydl's own ops and optimiser: the reference the learner's network is compared with."""
    return Ops(
        matmul=tinydl.matmul,
        add=lambda a, b: a + b,
        relu=tinydl.relu,
        loss=lambda logits, labels: F.cross_entropy(logits, Tensor(labels)),
        optimizer=lambda params, lr: tinydl.optim.SGD(params, lr=lr, momentum=MOMENTUM),
        conv=partial(F.conv2d, stride=1, padding=1),
        pool=partial(F.max_pool2d, kernel_size=2, stride=2),
    )


# Each op of Ops: the exercise whose file holds it, and how to make the op from that file.
LEARNER_OPS: dict[str, tuple[str, Callable[[ModuleType], Callable[..., Any]]]] = {
    "matmul": ("matmul", lambda m: lambda a, b: m.MatMul()(a, b)),
    "add": ("broadcast_add", lambda m: lambda a, b: m.BroadcastAdd()(a, b)),
    "relu": ("relu", lambda m: lambda x: m.ReLU()(x)),
    "loss": (
        "softmax_cross_entropy",
        lambda m: lambda logits, labels: m.SoftmaxCrossEntropy(labels)(logits),
    ),
    "optimizer": (
        "sgd_momentum",
        lambda m: lambda params, lr: m.SGDMomentum(params, lr=lr, momentum=MOMENTUM),
    ),
    "conv": ("conv2d_im2col", lambda m: lambda x, w, b: m.Conv2D(1, 1)(x, w, b)),
    "pool": ("max_pool", lambda m: lambda x: m.MaxPool2D(2, 2)(x)),
}


def learner_ops(directory: Path, needs: tuple[str, ...]) -> Ops:
    """The learner's Functions and optimiser from their files in ``directory``."""
    modules = {name: load_module(directory / exercise(name).filename) for name in needs}
    return Ops(**{
        op: make(modules[name]) for op, (name, make) in LEARNER_OPS.items() if name in modules
    })  # fmt: skip


@dataclass(frozen=True)
class Network:
    """One capstone network: its name in words, the exercises it is built from, its
    parameters (shape and fan-in of each, weights then biases), its forward pass from Ops,
    the shape one image is given in, and the learning rate the schedule starts from."""

    title: str
    needs: tuple[str, ...]
    parameters: tuple[tuple[tuple[int, ...], int], ...]
    forward: Callable[[Ops, list[Tensor], Tensor], Tensor]
    image_shape: tuple[int, ...]
    lr: float


def _mlp(ops: Ops, p: list[Tensor], x: Tensor) -> Tensor:
    hidden = ops.relu(ops.add(ops.matmul(x, p[0]), p[1]))
    return ops.add(ops.matmul(hidden, p[2]), p[3])


def _cnn(ops: Ops, p: list[Tensor], x: Tensor) -> Tensor:
    x = ops.pool(ops.relu(ops.conv(x, p[0], p[1])))  # (N, 8, 14, 14)
    x = ops.pool(ops.relu(ops.conv(x, p[2], p[3])))  # (N, 16, 7, 7)
    return ops.add(ops.matmul(x.reshape(x.shape[0], -1), p[4]), p[5])


MLP_NEEDS = ("matmul", "broadcast_add", "relu", "softmax_cross_entropy", "sgd_momentum")
NETWORKS = {
    "mlp": Network(
        "the MLP (784 → 256 → ReLU → 10)",
        MLP_NEEDS,
        (((784, 256), 784), ((256,), 0), ((256, 10), 256), ((10,), 0)),
        _mlp,
        (784,),
        lr=0.05,
    ),
    "cnn": Network(
        "the CNN (3×3 conv 8 → ReLU → 2×2 max-pool → 3×3 conv 16 → ReLU → 2×2 max-pool → 10)",
        ("conv2d_im2col", "max_pool", *MLP_NEEDS),
        (
            ((8, 1, 3, 3), 9), ((8,), 0), ((16, 8, 3, 3), 72), ((16,), 0),
            ((784, 10), 784), ((10,), 0),
        ),  # fmt: skip
        _cnn,
        (1, 28, 28),
        lr=0.02,
    ),
}


@dataclass
class Side:
    """One of the two networks being trained: its ops, parameters and optimiser, and what
    it measured."""

    name: str
    ops: Ops
    params: list[Tensor]
    optimizer: Optimizer = field(init=False)
    lr: float = 0.0
    seconds: float = 0.0
    losses: list[float] = field(default_factory=list)
    accuracy: float = 0.0

    def __post_init__(self) -> None:
        self.optimizer = self.ops.optimizer(self.params, self.lr)

    def train_step(self, network: Network, x: np.ndarray, y: np.ndarray, lr: float) -> None:
        start = time.perf_counter()
        self.optimizer.lr = lr
        loss = self.ops.loss(network.forward(self.ops, self.params, Tensor(x)), y)
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        self.seconds += time.perf_counter() - start
        self.losses.append(float(loss.item()))

    def evaluate(self, network: Network, x: np.ndarray, y: np.ndarray) -> None:
        correct = 0
        with no_grad():
            for start in range(0, len(x), 1000):
                logits = network.forward(self.ops, self.params, Tensor(x[start : start + 1000]))
                correct += int((logits.numpy().argmax(axis=1) == y[start : start + 1000]).sum())
        self.accuracy = correct / len(x)


@dataclass(frozen=True)
class CapstoneResult:
    """What the capstone measured: the network, the images it trained and was tested on,
    and for each side (yours, tinydl's) the test accuracy, the training time in seconds and
    the mean training loss of the epoch's last 50 batches."""

    network: str
    train_images: int
    test_images: int
    accuracy: float
    reference_accuracy: float
    seconds: float
    reference_seconds: float
    final_loss: float
    reference_final_loss: float


def train_capstone(
    directory: str | os.PathLike = ".",
    network: str = "mlp",
    data: str | os.PathLike | None = None,
    limit: int | None = None,
    test_limit: int | None = None,
    seed: int = 0,
    print_fn: Callable[[str], None] | None = print,
) -> CapstoneResult:
    """Train ``network`` ("mlp" or "cnn") for one epoch of MNIST from the learner's files in
    ``directory``, beside the same network on tinydl's own ops, and report both.

    ``data`` is the folder holding MNIST (default: ``$TINYDL_DATA``, then the cache; see
    :func:`tinydl.data.load_mnist`); ``limit`` trains on the first N training images and
    ``test_limit`` tests on the first N test images (quick runs); ``seed`` fixes the
    initial weights and the order of the batches. Raises :class:`UnsolvedExercisesError`,
    naming them, when an exercise the network needs does not pass its check.
    """
    check.one_of("train_capstone()", "network", network, NETWORKS)
    for name, value in (("limit", limit), ("test_limit", test_limit)):
        if value is not None:
            check.positive_int("train_capstone()", name, value)
    seed = check.non_negative_int("train_capstone()", "seed", seed)
    directory = Path(directory)
    if not directory.is_dir():
        raise FileNotFoundError(
            f"train_capstone(): no folder {directory}; write the exercises first with: "
            f"tinydl exercises new {directory}"
        )
    if data is not None and not Path(data).is_dir():
        raise DataError(
            f"train_capstone(): data {data} is no folder (it should hold mnist/ or MNIST's files)"
        )
    chosen = NETWORKS[network]
    refuse_unsolved(chosen, directory)
    say = print_fn or (lambda line: None)

    (x_train, y_train), (x_test, y_test) = load_mnist(data)
    x_train, y_train = _images(x_train[:limit], chosen), y_train[:limit]
    x_test, y_test = _images(x_test[:test_limit], chosen), y_test[:test_limit]
    weights = initial_weights(chosen, seed)
    sides = [
        Side("your Functions", learner_ops(directory, chosen.needs), _tensors(weights), chosen.lr),
        Side("tinydl's own ops", tinydl_ops(), _tensors(weights), chosen.lr),
    ]
    order = np.random.default_rng(seed).permutation(len(x_train))
    steps = math.ceil(len(x_train) / BATCH_SIZE)
    say(
        f"Training {chosen.title} built from your {_listed(chosen.needs)}, beside the same "
        f"network on tinydl's own ops: {len(x_train):,} MNIST training images, one epoch, "
        f"batches of {BATCH_SIZE}, SGD with momentum {MOMENTUM}, learning rate {chosen.lr} "
        f"falling linearly to 0. Training loss: the mean over the batches since the line "
        f"before."
    )
    reports, reported = {round(k * steps / REPORTS) for k in range(1, REPORTS + 1)}, 0
    with tinydl.fast_paths(False):
        for step in range(steps):
            batch = order[step * BATCH_SIZE : (step + 1) * BATCH_SIZE]
            lr = chosen.lr * (1 - step / steps)
            for side in sides:
                side.train_step(chosen, x_train[batch], y_train[batch], lr)
            if step + 1 in reports:
                yours, theirs = (np.mean(side.losses[reported:]) for side in sides)
                say(
                    f"  step {step + 1:>{len(str(steps))}}/{steps}  training loss: yours "
                    f"{yours:.4f}, tinydl's {theirs:.4f}"
                )
                reported = step + 1
        for side in sides:
            side.evaluate(chosen, x_test, y_test)
    say(f"On {len(x_test):,} test images:")
    for side in sides:
        say(
            f"  {side.name:<17} test accuracy {side.accuracy:.2%}, training time "
            f"{side.seconds:.1f} s"
        )
    return CapstoneResult(
        network, len(x_train), len(x_test), sides[0].accuracy, sides[1].accuracy,
        sides[0].seconds, sides[1].seconds, *(float(np.mean(s.losses[-50:])) for s in sides),
    )  # fmt: skip


def refuse_unsolved(network: Network, directory: Path) -> None:
    """Raise UnsolvedExercisesError, naming them and what is wrong with each, when any
    exercise ``network`` needs does not pass its check in ``directory``."""
    failing: list[Result] = [
        result for result in map(lambda name: check_exercise(name, directory), network.needs)
        if not result.passed
    ]  # fmt: skip
    if not failing:
        return
    names = [result.name for result in failing]
    count = f"{len(names)} of them {'does' if len(names) == 1 else 'do'}"
    problems = "".join(f"\n  {result.name}: {result.problem}" for result in failing)
    raise UnsolvedExercisesError(
        f"{network.title} is built from your {_listed(network.needs)}; {count} not pass "
        f"the checks yet:{problems}\nCheck one with: tinydl exercises check {names[0]} --dir "
        f"{directory}",
        names,
    )


def initial_weights(network: Network, seed: int) -> list[np.ndarray]:
    """He-initialised float32 weights (normal, std √(2/fan-in)) and zero biases, from the
    host's generator so that both sides start from the same arrays."""
    rng = np.random.default_rng(seed)
    return [
        (rng.standard_normal(shape) * math.sqrt(2 / fan_in)).astype(np.float32)
        if fan_in
        else np.zeros(shape, dtype=np.float32)
        for shape, fan_in in network.parameters
    ]


def _tensors(weights: list[np.ndarray]) -> list[Tensor]:
    return [Tensor(w.copy(), requires_grad=True) for w in weights]


def _images(images: np.ndarray, network: Network) -> np.ndarray:
    """uint8 images (N, 28, 28) as float32, standardised, in the network's input shape."""
    scaled = (images.astype(np.float32) / 255 - PIXEL_MEAN) / PIXEL_STD
    return scaled.reshape(len(images), *network.image_shape).astype(np.float32)


def _listed(names: tuple[str, ...] | list[str]) -> str:
    """"a", "a and b", "a, b and c"."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
