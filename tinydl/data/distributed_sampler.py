"""``DistributedSampler``: each rank's share of a dataset, as PyTorch's partitions it.

Every rank builds the same order of the whole dataset (the same permutation, drawn from the
same seed and epoch), pads it by repeating its first indices until it divides evenly (or,
with ``drop_last``, cuts the tail), and takes every ``num_replicas``-th index starting at
its own rank: rank 0 gets positions 0, N, 2N, …; rank 1 gets 1, N + 1, …. The shares are
disjoint (apart from the padding) and cover the dataset, and no rank has to tell another
anything.

The order is PyTorch's own, index for index: ``torch.randperm(n, generator)`` seeded with
``seed + epoch`` is a Fisher-Yates shuffle driven by the 32-bit outputs of a Mersenne
Twister (MT19937) seeded with the low 32 bits of the seed, which NumPy's legacy
``RandomState`` reproduces. So a program moved from PyTorch trains each rank on the same
samples in the same order.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sized

import numpy as np

from tinydl import check
from tinydl import distributed as dist
from tinydl.data.errors import DataError
from tinydl.data.sampler import Sampler, _length

# torch.randperm changes its algorithm from this size on (to 64-bit draws).
_TORCH_SMALL_PERMUTATION = (2**32 - 1) // 20


def torch_randperm(n: int, seed: int) -> list[int]:
    """``torch.randperm(n, generator=torch.Generator().manual_seed(seed)).tolist()``,
    computed without PyTorch: for i = 0 … n − 2, swap position i with position
    i + (r_i mod (n − i)), where r_i is the Mersenne Twister's i-th 32-bit output."""
    if n >= _TORCH_SMALL_PERMUTATION:
        raise DataError(
            f"DistributedSampler: shuffling {n} samples would need PyTorch's other permutation "
            f"algorithm (for {_TORCH_SMALL_PERMUTATION} samples or more), which tinydl does "
            f"not reproduce; shuffle=False, or shard the dataset yourself"
        )
    twister = np.random.RandomState(seed % 2**32)  # the seed's low 32 bits, as PyTorch's
    draws = twister.randint(0, 2**32, size=max(n - 1, 0), dtype=np.uint64).tolist()
    order = list(range(n))
    for i, draw in enumerate(draws):
        j = i + draw % (n - i)
        order[i], order[j] = order[j], order[i]
    return order


class DistributedSampler(Sampler):
    """``DistributedSampler(dataset, num_replicas=None, rank=None, shuffle=True, seed=0,
    drop_last=False)``: the indices of ``rank``'s share of ``dataset`` among
    ``num_replicas`` ranks (by default the process group's rank and world size). With
    ``shuffle``, call ``set_epoch(epoch)`` at the start of every epoch, or every epoch
    repeats the first one's order (as in PyTorch)."""

    def __init__(
        self, dataset: Sized, num_replicas: int | None = None, rank: int | None = None,
        shuffle: bool = True, seed: int = 0, drop_last: bool = False,
    ) -> None:
        where = "DistributedSampler"
        if num_replicas is None or rank is None:
            if not dist.is_initialized():
                raise DataError(
                    f"{where}: without num_replicas and rank it asks the process group, which "
                    f"has not been initialised: call tinydl.distributed.init_process_group() "
                    f"first, or pass num_replicas= and rank="
                )
        self.num_replicas = check.positive_int(
            where, "num_replicas",
            dist.get_world_size() if num_replicas is None else num_replicas, error=DataError,
        )
        self.rank = check.integer(where, "rank", dist.get_rank() if rank is None else rank,
                                  error=DataError)
        if not 0 <= self.rank < self.num_replicas:
            raise DataError(f"{where}: rank must lie in [0, {self.num_replicas - 1}] for "
                            f"num_replicas={self.num_replicas}, got {self.rank}")
        self.dataset = dataset
        self.shuffle = check.flag(where, "shuffle", shuffle, error=DataError)
        self.seed = check.integer(where, "seed", seed, error=DataError)
        self.drop_last = check.flag(where, "drop_last", drop_last, error=DataError)
        self.epoch = 0
        size = _length(dataset, where)
        if self.drop_last and size % self.num_replicas:
            self.num_samples = math.ceil((size - self.num_replicas) / self.num_replicas)
        else:
            self.num_samples = math.ceil(size / self.num_replicas)
        self.total_size = self.num_samples * self.num_replicas

    def __iter__(self) -> Iterator[int]:
        size = len(self.dataset)
        order = torch_randperm(size, self.seed + self.epoch) if self.shuffle else list(range(size))
        if self.drop_last:
            order = order[: self.total_size]
        else:  # repeat the first indices until every rank has num_samples
            repeats = math.ceil(self.total_size / max(size, 1))
            order = (order * repeats)[: self.total_size]
        return iter(order[self.rank : self.total_size : self.num_replicas])

    def __len__(self) -> int:
        return self.num_samples

    def set_epoch(self, epoch: int) -> None:
        """The epoch about to start: with ``shuffle``, it changes the order (seed + epoch)."""
        self.epoch = check.integer("DistributedSampler.set_epoch()", "epoch", epoch,
                                   error=DataError)

    def __repr__(self) -> str:
        return (f"DistributedSampler(rank {self.rank} of {self.num_replicas}, "
                f"{self.num_samples} samples, shuffle={self.shuffle}, seed={self.seed}, "
                f"epoch={self.epoch})")


__all__ = ["DistributedSampler", "torch_randperm"]
