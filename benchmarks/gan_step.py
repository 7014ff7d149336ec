"""One training iteration of each GAN example, tinydl side by side with PyTorch (CPU).

The models are the examples' own (examples/gan_mnist.py, examples/dcgan_mnist.py), and
PyTorch runs a layer-for-layer twin of each (``torch_twin`` of time_to_accuracy.py).
An iteration is what ``train_gan`` does per batch: G on fresh noise, D on a real batch
and on the detached fakes, D's Adam step, D on the fakes again for G's non-saturating
loss, G's Adam step. Rounds alternate the two systems; each round times the median of
``--reps`` iterations.

    python benchmarks/gan_step.py --rounds 3 --reps 10

appends the table to benchmarks/results/gan_step.md. An epoch of all 60,000 images is
468 iterations of the fully connected pair (batch 128) and 937 of the DCGAN (batch 64).
"""

from __future__ import annotations

import argparse
import os
import shlex
import statistics
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "examples"))  # the examples' models
import dcgan_mnist  # noqa: E402
import fast_mode  # noqa: E402  (sibling scripts, not a package)
import gan_mnist  # noqa: E402
from recurrent import median_ms  # noqa: E402  (sibling scripts, not a package)
from results_log import append_run  # noqa: E402
from time_to_accuracy import torch_twin  # noqa: E402

import tinydl  # noqa: E402
from tinydl import nn, optim  # noqa: E402

EXAMPLES = {"gan_mnist": (gan_mnist, 128), "dcgan_mnist": (dcgan_mnist, 64)}
BETAS = (0.5, 0.999)


def iteration_of(
    generator: Any, discriminator: Any, framework: Any, adam: Any, loss: Any,
    to_tensor: Callable[[np.ndarray], Any], sample_noise: Callable[..., np.ndarray], batch: int,
) -> Callable[[], None]:
    """One iteration of ``train_gan`` as a function, written once for both systems: their
    names are the same (``framework`` is ``tinydl`` or ``torch``)."""
    g_optimizer = adam(generator.parameters(), lr=1e-3, betas=BETAS)
    d_optimizer = adam(discriminator.parameters(), lr=1e-3, betas=BETAS)
    rng = np.random.default_rng(0)
    real = to_tensor(rng.uniform(-1, 1, (batch, 1, 28, 28)).astype(np.float32))
    ones, zeros = framework.ones(batch, 1), framework.zeros(batch, 1)

    def iteration() -> None:
        fake = generator(to_tensor(sample_noise(batch, rng)))
        d_loss = loss(discriminator(real), ones) + loss(discriminator(fake.detach()), zeros)
        d_optimizer.zero_grad()
        d_loss.backward()
        d_optimizer.step()
        g_loss = loss(discriminator(fake), ones)
        g_optimizer.zero_grad()
        g_loss.backward()
        g_optimizer.step()

    return iteration


def tinydl_iteration(example: Any, batch: int) -> Callable[[], None]:
    return iteration_of(
        example.build_generator(), example.build_discriminator(), tinydl, optim.Adam,
        nn.BCEWithLogitsLoss(), tinydl.tensor, example.sample_noise, batch,
    )


def torch_iteration(example: Any, batch: int, torch: Any) -> Callable[[], None]:
    return iteration_of(
        torch_twin(example.build_generator(), torch, copy_weights=False),
        torch_twin(example.build_discriminator(), torch, copy_weights=False),
        torch, torch.optim.Adam, torch.nn.BCEWithLogitsLoss(), torch.from_numpy,
        example.sample_noise, batch,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--reps", type=int, default=10, help="iterations timed per round")
    parser.add_argument("--threads", type=int, default=2, help="PyTorch's threads")
    fast_mode.add_option(parser)
    args = parser.parse_args()
    mode = fast_mode.set_mode(args.readable)
    import torch

    torch.set_num_threads(args.threads)
    rows = [
        "| example | batch | tinydl ms/iteration | PyTorch ms/iteration | ratio (median) "
        "| tinydl s/epoch |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for name, (example, batch) in EXAMPLES.items():
        tinydl.manual_seed(0)
        torch.manual_seed(0)
        ours, theirs = tinydl_iteration(example, batch), torch_iteration(example, batch, torch)
        times: dict[str, list[float]] = {"tinydl": [], "torch": []}
        for _ in range(args.rounds):
            times["tinydl"].append(median_ms(ours, args.reps))
            times["torch"].append(median_ms(theirs, args.reps))
        pairs = zip(times["tinydl"], times["torch"], strict=True)
        ratio = statistics.median(ours_ms / theirs_ms for ours_ms, theirs_ms in pairs)
        per_epoch = statistics.median(times["tinydl"]) * (60_000 // batch) / 1e3
        rows.append(
            f"| {name} | {batch} | {' / '.join(f'{t:.0f}' for t in times['tinydl'])} | "
            f"{' / '.join(f'{t:.0f}' for t in times['torch'])} | {ratio:.2f}x | "
            f"{per_epoch:.0f} |"
        )
        print(rows[-1], flush=True)
    blas = os.environ.get("OPENBLAS_NUM_THREADS", "all cores")
    setup = (
        f"`python benchmarks/gan_step.py {shlex.join(sys.argv[1:])}`: {args.rounds} "
        f"alternating rounds, median of {args.reps} iterations each; PyTorch "
        f"{torch.__version__} on {args.threads} threads, NumPy's BLAS on {blas}. The "
        f"s/epoch column is tinydl's median iteration times the iterations of an epoch. "
        f"tinydl: {mode}."
    )
    append_run("gan_step.md", "GAN training iterations: tinydl vs PyTorch (CPU)", setup, rows)


if __name__ == "__main__":
    main()
