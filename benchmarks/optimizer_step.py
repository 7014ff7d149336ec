"""tinydl's CPU ``Adam.step()`` side by side with ``torch.optim.Adam.step()``.

The parameters are those of the DCGAN example (examples/dcgan_mnist.py: generator and
discriminator, about 9.9M float32 numbers), each given a random gradient; one step of
each optimiser is timed, median of ``--reps``. tinydl runs with its chunked update at
its default ``Adam.chunk_size``, at any ``--chunk-sizes`` given, and with a single chunk
per parameter (whole-array passes: the pre-chunking update less its per-step
allocation), all with the fast paths on, and with the fast paths off: the textbook
``Adam.adam_step``, its plain twin (fast_mode.py). PyTorch runs with
its default multi-tensor ``foreach`` implementation and with ``foreach=False``, at 1 and
2 threads (NumPy's elementwise maths is single-threaded, so tinydl's thread count does
not change its numbers).

    python benchmarks/optimizer_step.py --reps 30

appends the table to benchmarks/results/optimizer_step.md.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "examples"))  # the examples' models
import dcgan_mnist  # noqa: E402
import fast_mode  # noqa: E402  (sibling scripts, not a package)
from recurrent import median_ms  # noqa: E402
from results_log import append_run  # noqa: E402

import tinydl  # noqa: E402
from tinydl import optim  # noqa: E402

BETAS = (0.5, 0.999)  # as the DCGAN example


def dcgan_shapes() -> list[tuple[int, ...]]:
    """The shapes of the DCGAN example's trainable parameters, G's then D's."""
    models = dcgan_mnist.build_generator(), dcgan_mnist.build_discriminator()
    return [p.shape for model in models for p in model.parameters() if p.requires_grad]


def tinydl_step(shapes: list[tuple[int, ...]], chunk_size: int, fast: bool = True
                ) -> Callable[[], None]:
    rng = np.random.default_rng(0)
    params = []
    for shape in shapes:
        p = tinydl.tensor(rng.standard_normal(shape, dtype=np.float32), requires_grad=True)
        p.grad = tinydl.tensor(rng.standard_normal(shape, dtype=np.float32))
        params.append(p)
    optimizer = optim.Adam(params, lr=1e-3, betas=BETAS)
    optimizer.chunk_size = chunk_size

    def step() -> None:
        with tinydl.fast_paths(fast):
            optimizer.step()

    return step


def torch_step(shapes: list[tuple[int, ...]], foreach: bool) -> Callable[[], None]:
    import torch

    generator = torch.Generator().manual_seed(0)
    params = []
    for shape in shapes:
        p = torch.randn(shape, generator=generator, requires_grad=True)
        p.grad = torch.randn(shape, generator=generator)
        params.append(p)
    optimizer = torch.optim.Adam(params, lr=1e-3, betas=BETAS, foreach=foreach)
    return optimizer.step


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=30)
    parser.add_argument("--chunk-sizes", type=int, nargs="*", default=[],
                        help="chunk sizes to time besides Adam.chunk_size")
    args = parser.parse_args()
    mode = fast_mode.set_mode(readable=False)
    import torch

    shapes = dcgan_shapes()
    numel = sum(int(np.prod(shape)) for shape in shapes)
    whole = max(int(np.prod(shape)) for shape in shapes)  # one chunk per parameter
    default = optim.Adam.chunk_size
    tinydl_ms = {size: median_ms(tinydl_step(shapes, size), args.reps)
                 for size in [*sorted({*args.chunk_sizes, default}), whole]}
    rows = ["| tinydl Adam.step | ms | ", "|---|---:|"]
    for size, ms in tinydl_ms.items():
        label = ("one chunk per parameter (whole arrays)" if size == whole
                 else f"chunks of {size}" + " (the default)" * (size == default))
        rows.append(f"| {label} | {ms:.1f} |")
    textbook = median_ms(tinydl_step(shapes, default, fast=False), args.reps)
    rows.append(f"| the textbook adam_step on whole arrays (fast paths off) | {textbook:.1f} |")
    rows += ["", "| torch threads | torch foreach ms | torch for-loop ms "
             "| tinydl (default chunks) / torch foreach | tinydl / torch for-loop |",
             "|---:|---:|---:|---:|---:|"]
    for threads in (1, 2):
        torch.set_num_threads(threads)
        foreach = median_ms(torch_step(shapes, foreach=True), args.reps)
        loop = median_ms(torch_step(shapes, foreach=False), args.reps)
        rows.append(f"| {threads} | {foreach:.1f} | {loop:.1f} | "
                    f"{tinydl_ms[default] / foreach:.2f} | {tinydl_ms[default] / loop:.2f} |")
    setup = (
        f"One optimiser step over the DCGAN example's {len(shapes)} parameters ({numel:,} "
        f"float32 numbers), random gradients, betas {BETAS}, median of {args.reps} steps; "
        f"torch {torch.__version__}. Shared, noisy machine. Command: "
        f"`python benchmarks/optimizer_step.py {shlex.join(sys.argv[1:])}`. tinydl: {mode}, "
        f"but for the textbook row."
    )
    append_run("optimizer_step.md", "Adam step: tinydl vs PyTorch (CPU)", setup, rows)


if __name__ == "__main__":
    main()
