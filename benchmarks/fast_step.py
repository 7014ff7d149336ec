"""One training step of the fast MNIST CNN (``mnist-fast``'s net, batch 256): tinydl vs
PyTorch (CPU), interleaved blocks of steps, median milliseconds per step and the ratio.

    python benchmarks/fast_step.py [--threads 2] [--channels 24] [--steps 30] [--rounds 3]
                                   [--readable]

tinydl runs its fast paths (``--readable``: the plain versions of the ops; fast_mode.py).

The net is written out here layer by layer (not taken from tinydl.zoo), so the same
script measures any tinydl revision: ``git worktree add /tmp/old REV`` and
``PYTHONPATH=/tmp/old python benchmarks/fast_step.py`` give what each change bought.
Both sides train on the same MNIST batches with Adam (lr 1e-3, betas 0.7/0.9) from
their own initial weights; the step's cost does not depend on the weights' values.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from typing import Any

import fast_mode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--channels", type=int, default=24, help="the first conv's")
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--steps", type=int, default=30, help="steps per timed block")
    parser.add_argument("--rounds", type=int, default=3, help="timed blocks per side")
    fast_mode.add_option(parser)
    args = parser.parse_args()
    for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[variable] = str(args.threads)  # before NumPy's BLAS starts
    mode = fast_mode.set_mode(args.readable)

    import numpy as np
    import torch

    import tinydl
    from tinydl import data, nn, optim

    torch.set_num_threads(args.threads)
    (images, labels), _ = data.load_mnist(progress=False)
    x = data.to_float(images).reshape(-1, 1, 28, 28)
    y = labels.astype(np.int64)
    c, b = args.channels, args.batch

    model = nn.Sequential(
        nn.Conv2D(1, c, 5), nn.MaxPool2D(2), nn.ReLU(), nn.Conv2D(c, 32, 3), nn.MaxPool2D(2),
        nn.ReLU(), nn.Flatten(), nn.Dense(800, 256), nn.ReLU(), nn.Dense(256, 10),
    )  # fmt: skip
    optimizer = optim.Adam(model.parameters(), lr=1e-3, betas=(0.7, 0.9))
    loss_fn = nn.CrossEntropyLoss()
    T = torch.nn
    twin = T.Sequential(
        T.Conv2d(1, c, 5), T.MaxPool2d(2), T.ReLU(), T.Conv2d(c, 32, 3), T.MaxPool2d(2),
        T.ReLU(), T.Flatten(), T.Linear(800, 256), T.ReLU(), T.Linear(256, 10),
    )  # fmt: skip
    twin_optimizer = torch.optim.Adam(twin.parameters(), lr=1e-3, betas=(0.7, 0.9))
    twin_loss = T.CrossEntropyLoss()

    def step_of(model: Any, optimizer: Any, loss_fn: Any, to_tensor: Any) -> Callable[[int], None]:
        """Batch ``i``'s training step, written once: both systems use the same names."""

        def step(i: int) -> None:
            batch = slice(i * b, (i + 1) * b)
            loss = loss_fn(model(to_tensor(x[batch])), to_tensor(y[batch]))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()

        return step

    tinydl_step = step_of(model, optimizer, loss_fn, tinydl.tensor)
    torch_step = step_of(twin, twin_optimizer, twin_loss, torch.from_numpy)

    times: dict[str, list[float]] = {"tinydl": [], "torch": []}
    for step in (tinydl_step, torch_step):
        step(0)  # warm-up
    for _ in range(args.rounds):
        for name, step in (("tinydl", tinydl_step), ("torch", torch_step)):
            started = time.perf_counter()
            for i in range(args.steps):
                step(i)
            times[name].append((time.perf_counter() - started) / args.steps * 1e3)
    ours, theirs = (float(np.median(times[name])) for name in ("tinydl", "torch"))
    print(
        f"batch {b}, first conv {c} channels, {args.threads} threads, tinydl with {mode}: "
        f"tinydl {ours:.1f} ms/step, "
        f"PyTorch {theirs:.1f} ms/step, ratio {ours / theirs:.2f} "
        f"(an epoch: {ours * 60000 / b / 1e3:.1f} s vs {theirs * 60000 / b / 1e3:.1f} s)"
    )


if __name__ == "__main__":
    main()
