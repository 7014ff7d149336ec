"""Where a training step's time goes: cProfile over a few hundred steps of example A
(the MLP, batch 128) or C (the CNN, batch 64), sorted by time spent in each function.

    python benchmarks/profile_step.py --model mlp --steps 300 > benchmarks/results/profile_mlp.txt
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from mnist_speed import TinydlSystem, epoch_order, initial_weights, load_data, machine  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=("mlp", "cnn"), default="mlp")
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()

    x, y, _, _ = load_data(args.model)
    system = TinydlSystem(args.model, initial_weights(args.model))
    order = epoch_order(0, len(x))[: args.steps * system.batch]
    system.train_epoch(x, y, order[: 10 * system.batch])  # warm-up

    profiler = cProfile.Profile()
    profiler.enable()
    system.train_epoch(x, y, order)
    profiler.disable()

    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text).strip_dirs().sort_stats("tottime")
    stats.print_stats(args.top)
    print(f"# {args.model}: {args.steps} training steps, batch {system.batch}; {machine()}")
    print(text.getvalue())


if __name__ == "__main__":
    main()
