"""What the data-parallel equivalence tests train, shared by the program the ranks run
(``tests/mpi_programs/ranks.py``) and the single-process references of
``tests/test_distributed.py``: the models, the data, each step's batch and its shards."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

import tinydl
from tinydl import nn, optim, zoo

RANKS = 2
PER_RANK = 4  # samples per rank and step (B); one process takes RANKS * B
STEPS = 3


def mlp() -> nn.Module:
    return nn.Sequential(nn.Dense(8, 16), nn.ReLU(), nn.Dense(16, 3))


def fast_cnn() -> nn.Module:
    """The mnist-fast recipe's network."""
    return zoo.recipe("mnist-fast").build()


def fast_cnn_with_batch_norm() -> nn.Module:
    return zoo.fast_cnn(channels=(8, 16), hidden=32, batch_norm=True)


MODELS: dict[str, tuple[Callable[[], nn.Module], tuple[int, ...], int]] = {
    # name: (builder, one input's shape, classes)
    "mlp": (mlp, (8,), 3),
    "cnn": (fast_cnn, (1, 28, 28), 10),
    "bn_cnn": (fast_cnn_with_batch_norm, (1, 28, 28), 10),
}


def data(name: str) -> tuple[np.ndarray, np.ndarray]:
    """Every step's samples, (STEPS * RANKS * PER_RANK, ...) inputs and labels."""
    _, shape, classes = MODELS[name]
    rng = np.random.default_rng(7)
    count = STEPS * RANKS * PER_RANK
    return rng.standard_normal((count, *shape)).astype(np.float32), rng.integers(0, classes, count)


def batch(x: np.ndarray, step: int, rank: int | None = None) -> np.ndarray:
    """Step ``step``'s whole batch (``rank=None``), or rank ``rank``'s share of it."""
    whole = x[step * RANKS * PER_RANK : (step + 1) * RANKS * PER_RANK]
    return whole if rank is None else whole[rank * PER_RANK : (rank + 1) * PER_RANK]


def build(name: str, seed: int = 0) -> nn.Module:
    tinydl.manual_seed(seed)
    return MODELS[name][0]()


def train(model: nn.Module, parameters: Any, batches: list[tuple[np.ndarray, np.ndarray]],
          device: str = "cpu") -> None:
    """SGD-with-momentum steps on ``batches``, the four-line loop. (Not Adam: its first step
    is ±lr wherever a gradient is nonzero, so a gradient of 1e-9 that rounds differently
    would move a weight by 2·lr.)"""
    optimizer = optim.SGD(parameters, lr=0.05, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    for x, y in batches:
        loss = loss_fn(model(tinydl.tensor(x, device=device)), tinydl.tensor(y, device=device))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


def state(model: nn.Module) -> dict[str, np.ndarray]:
    return {name: np.array(value) for name, value in model.state_dict().items()}


def fit_data() -> tuple[np.ndarray, np.ndarray]:
    """What the fit() check trains on (one process for an epoch, then two ranks)."""
    return np.random.default_rng(1).standard_normal((64, 8)).astype(np.float32), np.arange(64) % 3


# DistributedSampler's cases: (size, num_replicas, shuffle, seed, epoch, drop_last), whose
# PyTorch partitions tests/reference/make_distributed_sampler.py stored.
SAMPLER_CASES = [
    (10, 3, True, 0, 0, False), (10, 3, True, 0, 1, False), (10, 3, True, 7, 4, True),
    (11, 2, False, 0, 0, False), (11, 2, False, 0, 0, True), (2, 4, True, 1, 0, False),
    (1000, 4, True, 42, 3, False), (97, 8, True, 5, 2, True),
]


def sampler_shares(sampler_class: Any, size: int, replicas: int, shuffle: bool, seed: int,
                   epoch: int, drop_last: bool) -> list[list[int]]:
    """Every rank's indices from ``sampler_class`` (tinydl's DistributedSampler or
    PyTorch's) over ``range(size)``, after ``set_epoch(epoch)``."""
    shares = []
    for rank in range(replicas):
        sampler = sampler_class(range(size), num_replicas=replicas, rank=rank, shuffle=shuffle,
                                seed=seed, drop_last=drop_last)
        sampler.set_epoch(epoch)
        shares.append(list(sampler))
    return shares
