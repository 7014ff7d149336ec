"""What the double-softmax check (issue 11) costs a training step.

``cross_entropy`` asks whether its logits are really probabilities: an ``isinstance`` on the
logits' creator every call, and a look at the values on the first few calls of a process.
This script times the MLP training step (784-512-10, batch 128, RMSprop, the README's main
job) with the check and with it replaced by a no-op, interleaving the two in rounds and
reporting medians and their ratio, and times the check alone. It appends a table to
``benchmarks/results/pytorch_habits_overhead.md``.

    python benchmarks/pytorch_habits_overhead.py [--rounds 15] [--steps 50]
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time
import timeit
from pathlib import Path

import fast_mode
import numpy as np

import tinydl
from tinydl import nn, optim
from tinydl.ops import logit_check, losses

RESULTS = Path(__file__).parent / "results" / "pytorch_habits_overhead.md"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--steps", type=int, default=50)
    fast_mode.add_option(parser)
    args = parser.parse_args()
    mode = fast_mode.set_mode(args.readable)

    rng = np.random.default_rng(0)
    x = tinydl.tensor(rng.random((128, 784), dtype=np.float32))
    y = tinydl.tensor(rng.integers(0, 10, 128))
    model = nn.Sequential(nn.Flatten(), nn.Dense(784, 512), nn.ReLU(), nn.Dense(512, 10))
    optimizer = optim.RMSprop(model.parameters(), lr=1e-3, alpha=0.9)

    def steps() -> float:
        start = time.perf_counter()
        for _ in range(args.steps):
            loss = losses.cross_entropy(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        return (time.perf_counter() - start) / args.steps

    checked = losses.warn_if_probabilities
    steps()  # warm-up; also uses up the value checks, as a real run does after 3 steps
    with_check, without_check = [], []
    for _ in range(args.rounds):
        losses.warn_if_probabilities = checked
        with_check.append(steps())
        losses.warn_if_probabilities = lambda logits, name: None
        without_check.append(steps())
    losses.warn_if_probabilities = checked

    logits = model(x)
    later_call = min(timeit.repeat(lambda: logit_check.looks_like_probabilities(logits),
                                   number=10_000, repeat=5)) / 10_000
    logit_check._value_checks_left = 10**9  # noqa: SLF001  (time the value check too)
    first_calls = min(timeit.repeat(lambda: logit_check.looks_like_probabilities(logits),
                                    number=200, repeat=5)) / 200
    med_with, med_without = statistics.median(with_check), statistics.median(without_check)
    lines = [
        f"\n## {time.strftime('%Y-%m-%d %H:%M')}, {platform.processor() or platform.machine()}, "
        f"2-core AMD EPYC VM shared with other work (noisy)\n",
        f"MLP 784-512-10, batch 128, RMSprop; {args.rounds} interleaved rounds of "
        f"{args.steps} steps, medians; tinydl: {mode}\n",
        "| | ms per training step |",
        "| --- | --- |",
        f"| with the check | {med_with * 1e3:.2f} |",
        f"| check replaced by a no-op | {med_without * 1e3:.2f} |",
        f"| ratio with / without | {med_with / med_without:.3f} |",
        f"| the check alone, every call (creator isinstance) | {later_call * 1e6:.2f} µs |",
        f"| the check alone, first 3 calls (values of 128x10 logits) | "
        f"{first_calls * 1e6:.1f} µs |",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    if not RESULTS.exists():
        RESULTS.write_text("# Cost of the double-softmax check (pytorch_habits_overhead.py)\n")
    with RESULTS.open("a") as file:
        file.write(text)


if __name__ == "__main__":
    main()
