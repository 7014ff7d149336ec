"""What the fast paths' thread pool (tinydl/backend/host_threads.py) buys: each pass it
splits, alone, and whole training steps of issue 25's workloads, with the pool on (the
thread count OpenBLAS uses) and off (one thread), in alternating rounds in one process.

    python benchmarks/host_threads.py                  # 2 threads, the passes and 7 steps
    python benchmarks/host_threads.py --only dcgan --rounds 9

Each pass is timed right after a 2-thread GEMM, as it runs in a step (OpenBLAS's idle
threads spin on the cores for a while after one); the figures are medians of
``--reps`` calls a round, then the median over rounds. The steps are workloads.py's
tinydl steps; their ratio is pool-on over pool-off time, median of the per-round ratios
(range in brackets). Results are appended to benchmarks/results/host_threads.md.
"""

from __future__ import annotations

import argparse
import os
import shlex
import statistics
import sys
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
STEPS = ("dcgan", "dcgan_example", "fast_cnn", "seed_cnn", "gpt", "gpt_example", "mlp")


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--only", nargs="+", choices=STEPS, default=list(STEPS))
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--reps", type=int, default=20)
    args = parser.parse_args()
    for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[variable] = str(args.threads)  # read when NumPy loads OpenBLAS, next line
    from tinydl.backend import host_threads  # noqa: F401  (before NumPy: OpenBLAS's spin)

    return args


def alternate(call: Callable[[], None], rounds: int, reps: int,
              before: Callable[[], None] = lambda: None) -> tuple[list[float], list[float]]:
    """``call``'s median time a round with the pool off, then on, ``rounds`` times (the
    pool's thread count swapped for the round)."""
    from recurrent import median_ms  # a sibling script (main puts this folder on the path)

    from tinydl.backend import host_threads

    threads, off, on = host_threads.thread_count(), [], []
    try:
        for _ in range(rounds):
            for times, count in ((off, 1), (on, threads)):
                host_threads.thread_count = lambda count=count: count
                times.append(median_ms(call, reps, before))
    finally:
        host_threads.thread_count = lambda: threads
    return off, on


def passes(rng) -> dict[str, Callable[[], None]]:
    """The split passes on the DCGAN's shapes (batch 64): its discriminator's second
    convolution's im2col and col2im, a LeakyReLU's backward, Adam over the DCGAN example's
    generator (6.6M parameters); the GELU of the GPT's MLP, (32, 64, 512); RMSprop over the
    MNIST MLP's 407,050 parameters."""
    import numpy as np

    import tinydl
    from tinydl import optim
    from tinydl.ops import activations, conv

    sys.path.insert(0, str(HERE.parent / "examples"))
    import dcgan_mnist

    x = rng.standard_normal((64, 14, 14, 64), dtype=np.float32).transpose(3, 0, 1, 2)
    cols = rng.standard_normal((64 * 16, 49 * 64), dtype=np.float32)
    leaky = activations.LeakyReLUFast(0.2)
    leaky.forward(x)
    hidden = rng.standard_normal((32, 64, 512), dtype=np.float32)
    gelu = activations.GELUFast()
    gelu.forward(hidden)
    params = list(dcgan_mnist.build_generator().parameters())
    for p in params:
        p.grad = tinydl.tensor(rng.standard_normal(p.shape, dtype=np.float32))
    adam = optim.Adam(params, lr=1e-3, betas=(0.5, 0.999))
    mlp = [tinydl.tensor(rng.standard_normal(shape, dtype=np.float32), requires_grad=True)
           for shape in ((512, 784), (512,), (10, 512), (10,))]
    for p in mlp:
        p.grad = tinydl.tensor(rng.standard_normal(p.shape, dtype=np.float32))
    rmsprop = optim.RMSprop(mlp, lr=1e-3)
    return {
        "im2col, (64, 64, 14, 14), kernel 4, stride 2": lambda: conv.im2col_fast(
            x, (4, 4), (2, 2), (1, 1)),
        "col2im, the same": lambda: conv.col2im_fast(cols, (64, 64, 14, 14), (4, 4), (2, 2),
                                                     (1, 1)),
        "LeakyReLU backward, the same": lambda: leaky.backward(x),
        "Adam.step, 6.6M parameters": adam.step,
        "GELU (tanh) forward, (32, 64, 512)": lambda: gelu.forward(hidden),
        "RMSprop.step, 407,050 parameters": rmsprop.step,
    }


def main() -> None:
    args = parse()
    import numpy as np

    import tinydl

    sys.path.insert(0, str(HERE))
    import fast_mode
    from results_log import append_run
    from workloads import WORKLOADS

    mode = fast_mode.set_mode(False)
    rng = np.random.default_rng(0)
    a, b = (rng.standard_normal(shape, dtype=np.float32) for shape in ((128, 1024), (1024, 3136)))
    rows = ["| what | pool off ms | pool on ms | on / off |", "| --- | ---: | ---: | ---: |"]
    for name, call in passes(rng).items():
        off, on = alternate(call, args.rounds, args.reps, before=lambda: a @ b)
        rows.append(f"| {name} | {statistics.median(off):.2f} | {statistics.median(on):.2f} "
                    f"| {statistics.median(on) / statistics.median(off):.2f}x |")
        print(rows[-1], flush=True)
    for name in args.only:
        tinydl.manual_seed(0)
        step = WORKLOADS[name](tinydl, np.random.default_rng(0))
        for _ in range(3):
            step()
        off, on = alternate(step, args.rounds, max(args.reps // 2, 3))
        ratios = [after / before for before, after in zip(off, on, strict=True)]
        rows.append(f"| {name} training step | {statistics.median(off):.1f} | "
                    f"{statistics.median(on):.1f} | {statistics.median(ratios):.2f}x "
                    f"({min(ratios):.2f}-{max(ratios):.2f}) |")
        print(rows[-1], flush=True)
    from tinydl.backend import host_threads

    setup = (f"`python benchmarks/{Path(__file__).name} {shlex.join(sys.argv[1:])}`: "
             f"{args.threads} threads, tinydl with {mode}, {args.rounds} rounds, "
             f"{host_threads.OPENBLAS_SPIN}={os.environ.get(host_threads.OPENBLAS_SPIN)}, "
             f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')}")
    append_run("host_threads.md", "The fast paths' thread pool: pool on against pool off",
               setup, rows)


if __name__ == "__main__":
    main()
