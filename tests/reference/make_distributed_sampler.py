"""Write ``tests/reference/distributed_sampler.json`` with PyTorch: for each case of
``tests/distributed_cases.py``'s ``SAMPLER_CASES``, every rank's indices from
``torch.utils.data.distributed.DistributedSampler`` after ``set_epoch(epoch)``.

Run once, by hand, where torch is installed::

    .venv/bin/python tests/reference/make_distributed_sampler.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import torch
from torch.utils.data.distributed import DistributedSampler

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from distributed_cases import SAMPLER_CASES  # noqa: E402


def shares(size: int, replicas: int, shuffle: bool, seed: int, epoch: int,
           drop_last: bool) -> list[list[int]]:
    every = []
    for rank in range(replicas):
        sampler = DistributedSampler(range(size), num_replicas=replicas, rank=rank,
                                     shuffle=shuffle, seed=seed, drop_last=drop_last)
        sampler.set_epoch(epoch)
        every.append(list(sampler))
    return every


if __name__ == "__main__":
    stored = [{"case": list(case), "shares": shares(*case), "torch_version": torch.__version__}
              for case in SAMPLER_CASES]
    (HERE / "distributed_sampler.json").write_text(json.dumps(stored) + "\n")
