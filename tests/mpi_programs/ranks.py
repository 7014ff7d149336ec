"""The program ``tests/test_distributed.py`` runs on two MPI ranks (``mpiexec -n 2``):
each check writes what it found into ``OUT/rank<r>.json`` and ``OUT/<case>_rank<r>.npz``;
the tests compare them with single-process references. Usage: ``ranks.py OUT CHECKPOINT``
(CHECKPOINT: a single-process fit() checkpoint to resume from)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests/, for the cases
import distributed_cases as cases  # noqa: E402

import tinydl  # noqa: E402
import tinydl.distributed as dist  # noqa: E402
from tinydl import nn, optim  # noqa: E402
from tinydl.distributed.mpi_group import MpiGroup  # noqa: E402
from tinydl.distributed.nccl_group import NcclGroup  # noqa: E402
from tinydl.nn.parallel import DistributedDataParallel as DDP  # noqa: E402
from tinydl.train import fit  # noqa: E402
from tinydl.utils.data.distributed import DistributedSampler  # noqa: E402

out, checkpoint = Path(sys.argv[1]), Path(sys.argv[2])
dist.init_process_group("gloo", timeout=60)
rank, world = dist.get_rank(), dist.get_world_size()
sys.stdout = open(out / f"stdout{rank}.txt", "w")  # noqa: SIM115  (what fit() prints here)
found: dict[str, object] = {"rank": rank, "world": world, "backend": dist.get_backend()}


def error_of(call) -> str:
    try:
        call()
    except Exception as err:  # noqa: BLE001  (the message is what is checked)
        return f"{type(err).__name__}: {err}"
    return "no error"


# ---- the collectives, on the CPU and on the strict fake device ----------------------------
for device in ("cpu", "fake"):
    t = tinydl.tensor(np.arange(4, dtype=np.float32) * (rank + 1), device=device)
    dist.all_reduce(t)
    m = tinydl.tensor(np.array([rank, -rank, 5.0], dtype=np.float32), device=device)
    dist.all_reduce(m, op=dist.ReduceOp.MAX)
    a = tinydl.tensor(np.full(3, float(rank + 1)), device=device)
    dist.all_reduce(a, op=dist.ReduceOp.AVG)
    b = tinydl.tensor(np.full(2, rank, dtype=np.int64), device=device)
    dist.broadcast(b, src=1)
    gathered = [tinydl.zeros(2, device=device) for _ in range(world)]
    dist.all_gather(gathered, tinydl.tensor(np.full(2, float(rank)), device=device,
                                            dtype="float32"))
    work = dist.all_reduce(tinydl.ones(1, device=device), async_op=True)
    found[f"collectives_{device}"] = {
        "sum": t.tolist(), "max": m.tolist(), "avg": a.tolist(), "broadcast": b.tolist(),
        "all_gather": [g.tolist() for g in gathered], "async_waits": work.wait(),
        "completed": work.is_completed(),
    }
dist.barrier()
found["bad_inputs"] = {
    "broadcast_src": error_of(lambda: dist.broadcast(tinydl.ones(1), src=2)),
    "all_gather_list": error_of(lambda: dist.all_gather([tinydl.ones(1)], tinydl.ones(1))),
    "all_gather_shape": error_of(
        lambda: dist.all_gather([tinydl.ones(2), tinydl.ones(2)], tinydl.ones(1))),
    "init_twice": error_of(lambda: dist.init_process_group("mpi")),
}

# ---- equivalence: 2 ranks with batch B against one process with batch 2B ------------------
RUNS = [(name, False, "cpu") for name in cases.MODELS] + [
    ("bn_cnn", True, "cpu"), ("mlp", False, "fake"), ("bn_cnn", True, "fake")]
for name, sync, device in RUNS:
    model = cases.build(name, seed=rank).to(device)  # different starts: DDP copies rank 0's
    if sync:
        model = nn.SyncBatchNorm.convert_sync_batchnorm(model)
    ddp = DDP(model)
    x, y = cases.data(name)
    shards = [(cases.batch(x, s, rank), cases.batch(y, s, rank)) for s in range(cases.STEPS)]
    cases.train(ddp, ddp.parameters(), shards, device)
    case = f"{name}{'_sync' if sync else ''}{'_fake' if device == 'fake' else ''}"
    np.savez(out / f"{case}_rank{rank}.npz", **cases.state(model))

# ---- buckets and no_sync: how many all-reduces a step makes -------------------------------
calls = []
original_all_reduce = dist.all_reduce


def counted(*args, **kwargs):
    calls.append(args[0].shape)
    return original_all_reduce(*args, **kwargs)


dist.all_reduce = counted
model = cases.build("mlp")
ddp = DDP(model, bucket_cap_mb=100 * 4 / 2**20)  # 400 bytes: the 8x16 weight alone is 512
x, y = cases.data("mlp")
loss_fn = nn.CrossEntropyLoss()
with ddp.no_sync():  # gradient accumulation: the first micro-batch stays on this rank
    loss_fn(ddp(tinydl.tensor(cases.batch(x, 0, rank))), tinydl.tensor(cases.batch(y, 0, rank))
            ).backward()
calls_in_no_sync = len(calls)
loss_fn(ddp(tinydl.tensor(cases.batch(x, 1, rank))), tinydl.tensor(cases.batch(y, 1, rank))
        ).backward()
dist.all_reduce = original_all_reduce
found["buckets"] = {"names": [b.names for b in ddp.buckets], "calls_in_no_sync": calls_in_no_sync,
                    "calls_after": len(calls) - calls_in_no_sync}
np.savez(out / f"no_sync_rank{rank}.npz",
         **{n: p.grad.numpy() for n, p in model.named_parameters()})

# ---- unused parameters -------------------------------------------------------------------
class TwoHeads(nn.Module):
    def __init__(self) -> None:
        self.body, self.left, self.right = nn.Dense(8, 4), nn.Dense(4, 2), nn.Dense(4, 2)

    def forward(self, x):
        return self.left(self.body(x)) if rank == 0 else self.right(self.body(x))


for find_unused in (False, True):
    tinydl.manual_seed(0)
    heads = TwoHeads()
    ddp = DDP(heads, find_unused_parameters=find_unused)
    found[f"unused_{find_unused}"] = error_of(
        lambda ddp=ddp: ddp(tinydl.ones(2, 8)).sum().backward())
found["unused_grads"] = {n: None if p.grad is None else p.grad.numpy().tolist()
                         for n, p in heads.named_parameters()}

# ---- mismatched parameters, found at construction -----------------------------------------
found["mismatch_shape"] = error_of(lambda: DDP(nn.Dense(8, 4 + rank)))
found["mismatch_count"] = error_of(
    lambda: DDP(nn.Sequential(*[nn.Dense(3, 3) for _ in range(rank + 1)])))
found["mismatch_dtype"] = error_of(lambda: DDP(nn.Dense(3, 3).to(
    dtype="float64" if rank else "float32")))

# ---- the sampler takes its rank and world from the group ----------------------------------
sampler = DistributedSampler(list(range(11)), seed=3)
sampler.set_epoch(2)
found["sampler"] = list(sampler)

# ---- fit(): resume a single-process checkpoint, shard, print and save on rank 0 -------------
model = cases.build("mlp", seed=rank)
ddp = DDP(model)
xs, ys = cases.fit_data()
history = fit(ddp, optim.SGD(ddp.parameters(), lr=0.1), nn.CrossEntropyLoss(), (xs, ys),
              epochs=2, batch_size=8, checkpoint_path=checkpoint, resume=True, progress=False)
found["fit_history"] = history["loss"]
np.savez(out / f"fit_rank{rank}.npz", **cases.state(model))

# ---- the nccl backend's set-up, with stand-ins for CuPy and NCCL (no GPU here) ------------
class StandInCommunicator:
    def __init__(self, size, unique_id, rank_):
        found["nccl_communicator"] = {"size": size, "id": list(unique_id[:4]), "rank": rank_}


class StandIn:
    """Just enough of CuPy and cupy.cuda.nccl for NcclGroup's constructor."""

    NcclCommunicator = StandInCommunicator

    def __init__(self):
        self.cuda = self
        self.runtime = self
        self.used = None

    def getDeviceCount(self):  # noqa: N802  (CuPy's name)
        return 1

    def Device(self, index):  # noqa: N802
        self.used = index
        return type("Device", (), {"use": lambda _: None})()

    def get_unique_id(self):
        return tuple(range(40, 168))


stand_in = StandIn()
group = NcclGroup(MpiGroup(60.0), stand_in, stand_in)
found["nccl_device"] = stand_in.used
found["nccl_cpu_tensor"] = error_of(lambda: group.all_reduce(np.ones(2, np.float32),
                                                             dist.ReduceOp.SUM))

dist.destroy_process_group()
found["after_destroy"] = dist.is_initialized()
(out / f"rank{rank}.json").write_text(json.dumps(found))
