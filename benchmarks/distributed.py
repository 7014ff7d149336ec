"""Data-parallel training on this machine: the mnist-fast step on 1 rank x 2 threads
against 2 ranks x 1 thread (MPI), and the all-reduce alone, then the ring all-reduce cost
model's prediction for 2-64 ranks on 10 and 100 Gb/s networks (issue 26).

    python benchmarks/distributed.py            # appends to benchmarks/results/distributed.md

Both configurations take the same global batch of 256 (each of 2 ranks takes 128), on
random images (a step's time does not depend on the pixels), after 3 warm-up steps; they
alternate, ``--repeats`` times each, and the table gives medians. Per step on 2 ranks it
also times the gradient averaging (DistributedDataParallel's buckets, all-reduced) and
counts the bytes it hands to MPI; then it times all-reduces of 4 KB to 16 MB between the
two ranks, for the latency and bandwidth of this machine's shared memory.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BATCH, WARM_UP, STEPS = 256, 3, 20
SIZES = [2**k for k in range(12, 25, 2)]  # all-reduce message sizes, bytes


def worker() -> None:
    """One rank's measurements (or the single process's), printed as JSON by rank 0."""
    import numpy as np

    import tinydl
    import tinydl.distributed as dist
    from tinydl import nn, zoo

    tinydl.set_fast_paths(True)
    dist.init_process_group("mpi")
    rank, world = dist.get_rank(), dist.get_world_size()
    recipe = zoo.recipe("mnist-fast")
    tinydl.manual_seed(0)
    model = recipe.build()
    trained = nn.parallel.DistributedDataParallel(model) if world > 1 else model
    optimizer = recipe.optimizer(trained.parameters(), recipe.lr)
    loss_fn = nn.CrossEntropyLoss(label_smoothing=recipe.label_smoothing)
    rng = np.random.default_rng(rank)
    x = tinydl.tensor(rng.random((BATCH // world, 1, 28, 28), dtype=np.float32))
    y = tinydl.tensor(rng.integers(0, 10, BATCH // world))
    averaging: list[float] = []
    if world > 1:
        average = trained._average_gradients

        def timed_average() -> None:
            started = time.perf_counter()
            average()
            averaging.append(time.perf_counter() - started)

        trained._average_gradients = timed_average
    steps = []
    for step in range(WARM_UP + STEPS):
        started = time.perf_counter()
        loss = loss_fn(trained(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if step >= WARM_UP:
            steps.append(time.perf_counter() - started)
    found = {"world": world, "step_s": statistics.median(steps)}
    if world > 1:
        found["allreduce_s"] = statistics.median(averaging[WARM_UP:])
        found["bytes"] = sum(bucket.nbytes for bucket in trained.buckets)
        found["buckets"] = len(trained.buckets)
        found["sizes"] = {size: _allreduce_seconds(size) for size in SIZES}
    if rank == 0:
        print("RESULT " + json.dumps(found), flush=True)


def _allreduce_seconds(size: int) -> float:
    """Median seconds of an all-reduce of ``size`` bytes of float32 between the ranks."""
    import numpy as np

    import tinydl
    import tinydl.distributed as dist

    values = tinydl.tensor(np.ones(size // 4, dtype=np.float32))
    times = []
    for _ in range(15):
        dist.barrier()
        started = time.perf_counter()
        dist.all_reduce(values)
        times.append(time.perf_counter() - started)
    return statistics.median(times[3:])


def run(ranks: int, threads: int) -> dict:
    environment = {**os.environ, "OPENBLAS_NUM_THREADS": str(threads),
                   "OMP_NUM_THREADS": str(threads),
                   "PYTHONPATH": os.pathsep.join([str(HERE.parent), str(HERE)])}
    command = [sys.executable, __file__, "--worker"]
    if ranks > 1:
        mpiexec = Path(sys.executable).parent / "mpiexec"
        command = [str(mpiexec if mpiexec.exists() else "mpiexec"), "-n", str(ranks), *command]
    done = subprocess.run(command, capture_output=True, text=True, env=environment, check=True)
    line = next(line for line in done.stdout.splitlines() if line.startswith("RESULT "))
    return json.loads(line[len("RESULT "):])


def predict(per_sample_s: float, gradient_bytes: int, ranks: int, gbit_s: float,
            latency_s: float) -> float:
    """Seconds per step of ``ranks`` ranks sharing a global batch of BATCH: the compute of
    BATCH/ranks samples, then a ring all-reduce of the gradients, 2(N-1) messages each
    carrying 1/N of them: 2(N-1)·latency + 2(N-1)/N · bytes / bandwidth."""
    compute = per_sample_s * BATCH / ranks
    if ranks == 1:
        return compute
    bandwidth = gbit_s * 1e9 / 8
    ring = 2 * (ranks - 1) * latency_s + 2 * (ranks - 1) / ranks * gradient_bytes / bandwidth
    return compute + ring


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--latency-us", type=float, default=10.0,
                        help="the network latency per message the prediction assumes")
    args = parser.parse_args()
    if args.worker:
        worker()
        return
    from results_log import append_run

    singles, lone_threads, pairs = [], [], []
    for _ in range(args.repeats):  # alternated: the machine's speed drifts
        singles.append(run(1, 2))
        lone_threads.append(run(1, 1))
        pairs.append(run(2, 1))
    one = statistics.median(r["step_s"] for r in singles)
    lone = statistics.median(r["step_s"] for r in lone_threads)
    two = statistics.median(r["step_s"] for r in pairs)
    reduce_s = statistics.median(r["allreduce_s"] for r in pairs)
    gradient_bytes = pairs[0]["bytes"]
    moved = 2 * (2 - 1) / 2 * gradient_bytes
    sizes = {int(size): statistics.median(r["sizes"][size] for r in pairs)
             for size in pairs[0]["sizes"]}
    rows = [
        "| configuration | s/step (batch 256) | µs/sample | all-reduce s/step | "
        "bytes all-reduced/step | bytes each rank sends (ring) |",
        "| --- | --- | --- | --- | --- | --- |",
        f"| 1 rank x 2 threads | {one:.4f} | {one / BATCH * 1e6:.0f} | - | - | - |",
        f"| 1 rank x 1 thread | {lone:.4f} | {lone / BATCH * 1e6:.0f} | - | - | - |",
        f"| 2 ranks x 1 thread | {two:.4f} | {two / BATCH * 1e6:.0f} | {reduce_s:.4f} | "
        f"{gradient_bytes:,} ({pairs[0]['buckets']} bucket) | {moved:,.0f} |",
        "",
        "| all-reduce of (bytes, 2 ranks, shared memory) | " + " | ".join(
            f"{size:,}" for size in sizes) + " |",
        "| --- " * (len(sizes) + 1) + "|",
        "| median seconds | " + " | ".join(f"{s:.6f}" for s in sizes.values()) + " |",
        "",
    ]
    # The prediction: compute per sample as one rank with one thread measured it (one
    # core's speed, batch 256), the same on every rank; a step's fixed costs (Python, the
    # optimiser) are left out, which flatters large N, whose batches are small.
    per_sample = lone / BATCH
    rows += [
        f"Measured speed-up of 2 ranks x 1 thread over 1 rank x 1 thread: {lone / two:.2f}x; "
        f"over 1 rank x 2 threads: {one / two:.2f}x.",
        "",
        f"Predicted for a global batch of {BATCH}: compute {per_sample * 1e6:.0f} µs/sample "
        f"per rank (1 rank x 1 thread above), gradients {gradient_bytes:,} bytes, "
        f"latency {args.latency_us:g} µs per message (assumed):",
        "",
        "| ranks | 10 Gb/s: s/step | speed-up | 100 Gb/s: s/step | speed-up |",
        "| --- | --- | --- | --- | --- |",
    ]
    base = predict(per_sample, gradient_bytes, 1, 10, 0)
    for ranks in (2, 4, 8, 16, 32, 64):
        slow = predict(per_sample, gradient_bytes, ranks, 10, args.latency_us * 1e-6)
        fast = predict(per_sample, gradient_bytes, ranks, 100, args.latency_us * 1e-6)
        rows.append(f"| {ranks} | {slow:.4f} | {base / slow:.1f}x | {fast:.4f} | "
                    f"{base / fast:.1f}x |")
    setup = (f"`python benchmarks/distributed.py` (repeats {args.repeats}, alternated; "
             f"medians); mnist-fast step, fast paths on, {WARM_UP} warm-up and {STEPS} timed "
             f"steps per run; MPICH {_mpich_version()} from its wheel, 2 ranks on one machine")
    append_run("distributed.md", "Data-parallel training: measured and predicted", setup, rows)


def _mpich_version() -> str:
    try:
        from importlib.metadata import version

        return version("mpich")
    except Exception:  # noqa: BLE001  (a name for the log only)
        return "(version unknown)"


if __name__ == "__main__":
    main()
