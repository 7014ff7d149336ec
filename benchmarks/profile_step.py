"""Where a training step's time goes: cProfile over a few hundred steps of example A
(the MLP, batch 128), C (the CNN, batch 64) or H (``mnist-fast``, batch 256), sorted by
time spent in each function.

    python benchmarks/profile_step.py --model mlp --steps 300 > benchmarks/results/profile_mlp.txt
    python benchmarks/profile_step.py --model fast --steps 100 > benchmarks/results/profile_fast.txt
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


def fast_recipe_model(system: TinydlSystem) -> tuple[object, int]:
    """The ``mnist-fast`` recipe's model, optimiser and loss put into ``system``; returns
    the model and the batch size (its one-cycle schedule does not change the step's cost)."""
    from tinydl import nn, zoo

    recipe = zoo.recipe("mnist-fast")
    model = recipe.build()
    system.optimizer = recipe.optimizer(model.parameters(), recipe.lr)
    system.loss_fn = nn.CrossEntropyLoss(label_smoothing=recipe.label_smoothing)
    return model, recipe.batch_size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=("mlp", "cnn", "fast"), default="mlp")
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()

    x, y, _, _ = load_data("cnn" if args.model == "fast" else args.model)
    if args.model == "fast":
        system = TinydlSystem("cnn", initial_weights("cnn"))
        system.model, system.batch = fast_recipe_model(system)
    else:
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
