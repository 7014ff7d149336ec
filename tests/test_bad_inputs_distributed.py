"""Bad input for data-parallel training: ``tinydl.distributed``'s calls,
``DistributedDataParallel``, ``DistributedSampler``, ``SyncBatchNorm`` and ``fit`` on several
ranks. Every row here fails before MPI would start (the rows that need a process group run
on two ranks in tests/test_distributed.py). Format: see tests/bad_input_table.py."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest
from bad_input_table import Case, check, params

import tinydl
import tinydl.distributed as dist
from tinydl import nn
from tinydl.nn.parallel import DistributedDataParallel
from tinydl.utils.data.distributed import DistributedSampler

DATA = list(range(10))

CASES = [
    # ---- init_process_group ----
    Case("init/backend", lambda: dist.init_process_group("tcp"), dist.DistributedError,
         ("backend must be 'mpi', 'gloo' (carried by mpi) or 'nccl'", "'tcp'")),
    Case("init/backend-pair", lambda: dist.init_process_group("cpu:gloo,cuda:nccl"),
         dist.DistributedError, ("backend must be", "'cpu:gloo,cuda:nccl'")),
    Case("init/init-method", lambda: dist.init_process_group(
        "gloo", init_method="tcp://127.0.0.1:23456"), dist.DistributedError,
         ("init_method='tcp://127.0.0.1:23456' is not used", "mpiexec -n n")),
    Case("init/store", lambda: dist.init_process_group("mpi", store=object()),
         dist.DistributedError, ("store= is not used",)),
    Case("init/timeout-negative", lambda: dist.init_process_group("mpi", timeout=-1),
         TypeError, ("timeout must be a datetime.timedelta or a number of seconds > 0", "-1")),
    Case("init/timeout-zero", lambda: dist.init_process_group(
        "mpi", timeout=timedelta(0)), ValueError, ("timeout must be",)),
    Case("init/timeout-text", lambda: dist.init_process_group("mpi", timeout="30"),
         TypeError, ("timeout must be", "'30'")),
    Case("init/nccl-without-gpu", lambda: dist.init_process_group("nccl"), tinydl.DeviceError,
         ("init_process_group() with backend='nccl' needs a cuda gpu",)),
    # ---- the calls, before a group ----
    Case("get_rank/no-group", dist.get_rank, dist.DistributedError,
         ("get_rank()", "has not been initialised", "call init_process_group() first")),
    Case("barrier/no-group", dist.barrier, dist.DistributedError,
         ("barrier()", "has not been initialised")),
    Case("all_reduce/array", lambda: dist.all_reduce(np.ones(2)), TypeError,
         ("all_reduce()", "tensor must be a tensor", "ndarray")),
    Case("all_reduce/op", lambda: dist.all_reduce(tinydl.ones(2), op="sum"),
         dist.DistributedError, ("op must be a reduceop", "'sum'")),
    Case("all_reduce/avg-of-ints", lambda: dist.all_reduce(
        tinydl.tensor([1, 2]), op=dist.ReduceOp.AVG), dist.DistributedError,
         ("reduceop.avg needs a floating-point tensor", "int64")),
    Case("all_reduce/bitwise-float", lambda: dist.all_reduce(
        tinydl.ones(2), op=dist.ReduceOp.BAND), dist.DistributedError,
         ("reduceop.band needs an integer or bool tensor", "float32")),
    Case("broadcast/no-group", lambda: dist.broadcast(tinydl.ones(2), src=0),
         dist.DistributedError, ("broadcast()", "has not been initialised")),
    Case("all_gather/tensor", lambda: dist.all_gather([], [1.0]), TypeError,
         ("all_gather()", "tensor must be a tensor", "list")),
    Case("work/timeout", lambda: dist.Work(lambda: True, lambda: None, "barrier", 1, 0).wait(
        timeout=0), ValueError, ("work.wait()", "timeout must be")),
    Case("node-local-rank/nothing", dist.get_node_local_rank, dist.DistributedError,
         ("get_node_local_rank()", "no fallback_rank")),
    # ---- DistributedDataParallel ----
    Case("ddp/not-a-module", lambda: DistributedDataParallel([nn.Linear(2, 2)]), TypeError,
         ("distributeddataparallel", "module must be a module", "list")),
    Case("ddp/bucket-size", lambda: DistributedDataParallel(nn.Linear(2, 2), bucket_cap_mb=0),
         ValueError, ("bucket_cap_mb must be a finite number > 0", "0")),
    Case("ddp/flag", lambda: DistributedDataParallel(nn.Linear(2, 2),
                                                     find_unused_parameters="yes"),
         TypeError, ("find_unused_parameters must be true or false",)),
    Case("ddp/no-group", lambda: DistributedDataParallel(nn.Linear(2, 2)),
         dist.DistributedError, ("needs the default process group",
                                 "init_process_group() first")),
    # ---- DistributedSampler ----
    Case("sampler/no-group", lambda: DistributedSampler(DATA), tinydl.data.DataError,
         ("without num_replicas and rank", "init_process_group()", "num_replicas= and rank=")),
    Case("sampler/rank-too-big", lambda: DistributedSampler(DATA, num_replicas=2, rank=2),
         tinydl.data.DataError, ("rank must lie in [0, 1]", "num_replicas=2", "got 2")),
    Case("sampler/rank-negative", lambda: DistributedSampler(DATA, num_replicas=2, rank=-1),
         tinydl.data.DataError, ("rank must lie in [0, 1]", "got -1")),
    Case("sampler/replicas", lambda: DistributedSampler(DATA, num_replicas=0, rank=0),
         tinydl.data.DataError, ("num_replicas must be a positive integer", "got 0")),
    Case("sampler/no-length", lambda: DistributedSampler(iter(DATA), num_replicas=2, rank=0),
         tinydl.data.DataError, ("data_source must have a length",)),
    Case("sampler/shuffle", lambda: DistributedSampler(DATA, 2, 0, shuffle="yes"),
         tinydl.data.DataError, ("shuffle must be true or false",)),
    Case("sampler/seed", lambda: DistributedSampler(DATA, 2, 0, seed=1.5),
         tinydl.data.DataError, ("seed must be an integer", "1.5")),
    Case("sampler/set_epoch", lambda: DistributedSampler(DATA, 2, 0).set_epoch("1"),
         tinydl.data.DataError, ("set_epoch()", "epoch must be an integer", "'1'")),
    # ---- SyncBatchNorm ----
    Case("syncbn/features", lambda: nn.SyncBatchNorm(0), ValueError,
         ("syncbatchnorm", "num_features must be a positive integer")),
    Case("syncbn/input", lambda: nn.SyncBatchNorm(3)(tinydl.ones(2, 3, 4)), ValueError,
         ("syncbatchnorm", "(n, c) or (n, c, h, w)", "got shape (2, 3, 4)")),
    Case("syncbn/integers", lambda: nn.SyncBatchNorm(3)(tinydl.tensor(np.ones((2, 3), int))),
         TypeError, ("syncbatchnorm", "floating-point")),
]


@pytest.mark.parametrize("case", params(CASES))
def test_bad_input(case: Case) -> None:
    check(case)


def test_the_table_names_each_case_once() -> None:
    assert len({case.id for case in CASES}) == len(CASES)
