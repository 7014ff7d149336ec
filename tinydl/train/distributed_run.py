"""What :func:`~tinydl.train.fit` does differently when several ranks train one model.

With a process group of several ranks (``tinydl.distributed.init_process_group()``,
launched by ``mpiexec -n N``) and the model wrapped in
``nn.parallel.DistributedDataParallel``, ``fit`` runs on every rank and:

- trains each rank on its own share of the data: a DataLoader that shuffles by itself is
  rebuilt over a :class:`~tinydl.utils.data.distributed.DistributedSampler` (one seed,
  rank 0's, for every rank) and ``set_epoch`` is called before each epoch;
- reports the epoch's training loss and accuracy over all the ranks' batches;
- shows the progress bar and prints on rank 0 only, and writes the checkpoint there, of
  the bare model (``ddp.module``), so that it loads into a single process as it is.

Every rank still validates on the whole validation set, so that all of them take the same
early-stopping and schedule decisions.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tinydl import distributed as dist
from tinydl.autograd import Tensor
from tinydl.data.distributed_sampler import DistributedSampler
from tinydl.data.loader import DataLoader
from tinydl.nn.distributed_data_parallel import DistributedDataParallel
from tinydl.nn.module import Module


def world_size() -> int:
    """How many ranks train together (1 without a process group)."""
    return dist.get_world_size() if dist.is_initialized() else 1


def is_rank_zero() -> bool:
    """Whether this rank speaks and saves (always, in a single process)."""
    return not dist.is_initialized() or dist.get_rank() == 0


def bare(model: Module) -> Module:
    """The model a checkpoint holds: the wrapped module of a DistributedDataParallel."""
    return model.module if isinstance(model, DistributedDataParallel) else model


def prepare(
    train_data: Any, model: Module, progress: bool, print_fn: Any
) -> tuple[Any, bool, Any]:
    """``fit``'s training data, progress switch and print function on this rank: this rank's
    share of the data, and no progress bar or printing except on rank 0."""
    speaks = is_rank_zero()
    return shard(train_data, model), progress and speaks, print_fn if speaks else None


def shard(train_data: Any, model: Module) -> Any:
    """``fit``'s training batches for this rank (unchanged in a single process)."""
    if world_size() == 1:
        return train_data
    if not isinstance(model, DistributedDataParallel):
        raise ValueError(
            f"fit(): {world_size()} ranks are training, but the model is not wrapped in "
            f"nn.parallel.DistributedDataParallel, so each rank would train its own copy: "
            f"pass DistributedDataParallel(model)"
        )
    if not isinstance(train_data, DataLoader):
        raise ValueError(
            f"fit(): with {world_size()} ranks, train_data must be (x, y) arrays, a dataset or "
            f"a DataLoader, which fit() shares out between the ranks, got "
            f"{type(train_data).__name__}; or give each rank its own DataLoader over a "
            f"DistributedSampler"
        )
    if isinstance(train_data.sampler, DistributedSampler):
        return train_data
    if train_data.sampler is not None or train_data.batch_sampler is not None:
        raise ValueError(
            "fit(): with several ranks, train_data's sampler must be a DistributedSampler "
            "(each rank's share); this DataLoader has another sampler"
        )
    seed = Tensor(np.asarray([train_data.generator.integers(2**62)])).to(train_data.device)
    dist.broadcast(seed, 0)  # one order for every rank, or the shares would overlap
    sampler = DistributedSampler(train_data.dataset, shuffle=train_data.shuffle,
                                 seed=int(seed.item()), drop_last=train_data.drop_last)
    return DataLoader(train_data.dataset, batch_size=train_data.batch_size,
                      drop_last=train_data.drop_last, transform=train_data.transform,
                      device=train_data.device, sampler=sampler,
                      seed=int(train_data.generator.integers(2**62)))


def start_epoch(train_data: Any, epoch: int) -> None:
    """Tell a DistributedSampler which epoch begins (its order depends on it)."""
    sampler = getattr(train_data, "sampler", None)
    if isinstance(sampler, DistributedSampler):
        sampler.set_epoch(epoch)


def add_up_figures(figures: Any, device: Any) -> None:
    """Replace an epoch's running sums (``loss_sum``, ``correct``, ``count``) by their
    totals over every rank (sent from ``device``: the nccl backend carries GPU arrays)."""
    if world_size() == 1:
        return
    sums = np.asarray([float(figures.loss_sum), float(figures.correct), figures.count])
    totals = Tensor(sums) if device is None else Tensor(sums).to(device)
    dist.all_reduce(totals)
    figures.loss_sum, figures.correct, count = totals.tolist()
    figures.count = int(count)
