"""How far each of issue 25's workloads is from its floor: the FLOPs of its training step
over this machine's measured float32 GEMM throughput, next to tinydl's and PyTorch's
measured step times.

    python benchmarks/roofline.py                  # 2 threads, all six workloads
    python benchmarks/roofline.py --threads 1 --clock cpu

The floor counts the matrix products only (GEMMs and convolutions, forward and
backward): the element-wise work, the optimiser and Python cost time too, so no system
reaches it, and how far each stays above it is what the table shows. FLOPs are counted
on the PyTorch twin of each model (the same model, written once:
benchmarks/workloads.py) by ``torch.utils.flop_counter``, which does not see inside
PyTorch's fused LSTM and attention kernels: their products are counted by hand
(``UNCOUNTED`` below). The throughput is the best of NumPy's float32 GEMMs of a few
square sizes on the same threads (the BLAS tinydl runs on). The step times come from
benchmarks/workloads.py's alternating rounds, with the same options.

Results are appended to benchmarks/results/roofline.md.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import workloads  # noqa: E402  (a sibling script, not a package)


def lstm_products() -> float:
    """The LSTM's GEMM FLOPs per step, which PyTorch's fused kernel hides from the counter:
    forward x W_ihᵀ and h W_hhᵀ (2·T·N·4H·(D + H)), backward dL/dh through W_hh (2·T·N·4H·H;
    the pixels need no gradient) and the weight gradients (2·T·N·4H·(D + H))."""
    steps, batch, features, hidden = 28, 128, 28, 128
    return 2 * steps * batch * 4 * hidden * (2 * (features + hidden) + hidden)


def attention_products(batch: int = 32, length: int = 64, dim: int = 128, layers: int = 4
                       ) -> float:
    """A GPT's attention products, which the counter does not see inside PyTorch's
    scaled_dot_product_attention: Q Kᵀ and A V forward (2 · 2·N·L·S·E), dA, dV, dQ and dK
    backward (4 · 2·N·L·S·E), in each layer; by default the ``gpt`` workload's."""
    return layers * 12 * batch * length * length * dim


def example_attention_products() -> float:
    """:func:`attention_products` of the ``gpt_example`` workload (examples/gpt_addition.py)."""
    sys.path[:0] = [str(Path(__file__).resolve().parent.parent / "examples")]
    import gpt_addition
    from transformer import BATCH, DIGITS, DIM, LAYERS

    task = gpt_addition.Addition(DIGITS, 1000, np.random.default_rng(0))
    length = task.prompt_length + task.answer_length - 1  # the model reads all but the last
    return attention_products(BATCH, length, DIM, LAYERS)


UNCOUNTED = {"lstm": lstm_products, "gpt": attention_products,
             "gpt_example": example_attention_products}


def step_flops(name: str) -> float:
    """FLOPs of the matrix products of one training step of workload ``name``."""
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    torch.manual_seed(0)
    step = workloads.WORKLOADS[name](torch, np.random.default_rng(0))
    step()
    with FlopCounterMode(display=False) as counter:
        step()
    return counter.get_total_flops() + UNCOUNTED.get(name, lambda: 0.0)()


def gemm_throughput(repeats: int = 10) -> float:
    """FLOP/s of NumPy's best float32 GEMM among square sizes 512 to 2048 (best of
    ``repeats`` each: the floor is what the BLAS can do, not what a busy moment allows)."""
    best = 0.0
    rng = np.random.default_rng(0)
    for n in (512, 1024, 2048):
        a, b = (rng.standard_normal((n, n)).astype(np.float32) for _ in range(2))
        a @ b
        for _ in range(repeats):
            started = time.perf_counter()
            a @ b
            best = max(best, 2 * n**3 / (time.perf_counter() - started))
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    workloads.add_options(parser)
    args, mode = workloads.parse(parser)
    if os.environ.get("ROOFLINE_BLAS_THREADS") != str(args.threads):
        # NumPy's BLAS read its thread count when this process imported it: start again
        # with the count asked for (parse() has put it into the environment).
        os.environ["ROOFLINE_BLAS_THREADS"] = str(args.threads)
        os.execv(sys.executable, [sys.executable, *sys.argv])
    throughput = gemm_throughput()
    print(f"float32 GEMM: {throughput / 1e9:.0f} GFLOP/s on {args.threads} thread(s)")
    rows = [
        "| workload | GFLOP per step | floor ms | tinydl ms | PyTorch ms | tinydl / PyTorch "
        "| tinydl / floor | PyTorch / floor |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name in args.only:
        flops = step_flops(name)
        floor = flops / throughput * 1e3
        _, ms = workloads.measure(name, args)
        rows.append(
            f"| {name} | {flops / 1e9:.2f} | {floor:.1f} | {ms['tinydl']:.1f} | "
            f"{ms['torch']:.1f} | {ms['tinydl'] / ms['torch']:.2f}x | "
            f"{ms['tinydl'] / floor:.1f}x | {ms['torch'] / floor:.1f}x |"
        )
        print(rows[-1], flush=True)
    setup = (
        f"{workloads.setup_line('roofline.py', args, mode)} Floor: the step's GEMM and "
        f"convolution FLOPs (torch.utils.flop_counter on the PyTorch twin, the LSTM's and the "
        f"attention's products by hand) over NumPy's best float32 GEMM here, "
        f"{throughput / 1e9:.0f} GFLOP/s on {args.threads} thread(s)."
    )
    if args.no_record:
        print(setup)
        return
    from results_log import append_run

    append_run("roofline.md", "Issue 25's workloads against their GEMM floor (CPU)", setup, rows)


if __name__ == "__main__":
    main()
