"""Where a training step's time goes: cProfile over a few hundred steps of example A
(the MLP, batch 128), C (the CNN, batch 64) or H (``mnist-fast``, batch 256), sorted by
time spent in each function.

    python benchmarks/profile_step.py --model mlp --steps 300 > benchmarks/results/profile_mlp.txt
    python benchmarks/profile_step.py --model fast --steps 100 > benchmarks/results/profile_fast.txt

    python benchmarks/profile_step.py --workload lstm --steps 100   # one of workloads.py's six

tinydl runs its fast paths (``--readable``: the plain versions of the ops; fast_mode.py).
``--workload`` profiles the step of one of issue 25's workloads (``workloads.py``) as it
is built there, with whatever tinydl is first on ``PYTHONPATH`` (an older checkout gives
the "before" profile).
cProfile sees a fused Conv → MaxPool → ReLU block as one call, so for ``--model fast`` a
second table splits each block of the recipe's net into its parts: the GEMMs (which
BLAS runs on every core) and the copies and element-wise passes (NumPy's, on one core).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import fast_mode  # noqa: E402  (sibling scripts, not a package)
from mnist_speed import TinydlSystem, epoch_order, initial_weights, load_data, machine  # noqa: E402
from recurrent import median_ms  # noqa: E402
from workloads import WORKLOADS  # noqa: E402


def fast_recipe_model(system: TinydlSystem) -> tuple[object, int]:
    """The ``mnist-fast`` recipe's model, optimiser and loss put into ``system``; returns
    the model and the batch size (its one-cycle schedule does not change the step's cost)."""
    from tinydl import nn, zoo

    recipe = zoo.recipe("mnist-fast")
    model = recipe.build()
    system.optimizer = recipe.optimizer(model.parameters(), recipe.lr)
    system.loss_fn = nn.CrossEntropyLoss(label_smoothing=recipe.label_smoothing)
    return model, recipe.batch_size


def block_parts(model: object, x: object, repeats: int = 20) -> list[str]:
    """Median milliseconds of each part of each fused block of ``model`` on the batch ``x``."""
    import numpy as np

    from tinydl.nn.fusion import run_conv_pool_block

    lines, layers, start = [], list(model), 0
    while start < len(layers):
        out, count = run_conv_pool_block(layers, start, x)
        if count == 0:
            x, start = layers[start](x), start + 1
            continue
        conv = layers[start]
        block = out.creator
        upstream = np.ones(out.shape, dtype=np.float32)
        gz = np.ones((block.matrix.shape[0], block.cols.shape[1]), dtype=np.float32)
        parts = {
            "forward, all": lambda b=block, c=conv, i=x: b.forward(i.array, c.weight.array,
                                                                   c.bias.array),
            "  columns (copies)": lambda b=block, i=x: b.layout.columns(i.array),
            "  GEMM W @ cols": lambda b=block: b.matrix @ b.cols,
            "backward, all": lambda b=block, g=upstream: b.backward(g),
            "  GEMM dW = dZ @ cols.T": lambda g=gz, b=block: g @ b.cols.T,
        }
        if block.needs_grad[0]:
            parts["  GEMM dcols = W.T @ dZ"] = lambda b=block, g=gz: b.matrix.T @ g
            parts["  columns back (copies)"] = lambda b=block: b.layout.columns_back(b.cols)
        layout = type(block.layout).__name__.strip("_")
        lines.append(f"block {conv.extra_repr()}, input {tuple(x.shape)}, by {layout}:")
        lines += [
            f"  {name:28s} {median_ms(run, repeats):7.2f} ms" for name, run in parts.items()
        ]
        x, start = out, start + count
    return lines


def profile(run: object, steps: int, top: int) -> str:
    """cProfile's table of ``steps`` calls of ``run``, by time spent in each function."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(steps):
        run()
    profiler.disable()
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).strip_dirs().sort_stats("tottime").print_stats(top)
    return text.getvalue()


def profile_workload(name: str, steps: int, top: int, mode: str) -> None:
    """Print the profile of ``steps`` training steps of workloads.py's ``name``."""
    import numpy as np

    import tinydl

    tinydl.manual_seed(0)
    step = WORKLOADS[name](tinydl, np.random.default_rng(0))
    for _ in range(3):  # warm-up
        step()
    print(f"# {name}: {steps} training steps of workloads.py's step, tinydl with {mode} "
          f"(from {Path(tinydl.__file__).parent.parent}); {machine()}")
    print(profile(step, steps, top))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=("mlp", "cnn", "fast"), default="mlp")
    parser.add_argument("--workload", choices=list(WORKLOADS),
                        help="instead of --model: one of workloads.py's six")
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--top", type=int, default=25)
    fast_mode.add_option(parser)
    args = parser.parse_args()
    mode = fast_mode.set_mode(args.readable)
    if args.workload:
        profile_workload(args.workload, args.steps, args.top, mode)
        return

    x, y, _, _ = load_data("cnn" if args.model == "fast" else args.model)
    if args.model == "fast":
        system = TinydlSystem("cnn", initial_weights("cnn"))
        system.model, system.batch = fast_recipe_model(system)
    else:
        system = TinydlSystem(args.model, initial_weights(args.model))
    order = epoch_order(0, len(x))[: args.steps * system.batch]
    system.train_epoch(x, y, order[: 10 * system.batch])  # warm-up
    table = profile(lambda: system.train_epoch(x, y, order), 1, args.top)
    print(f"# {args.model}: {args.steps} training steps, batch {system.batch}, tinydl with "
          f"{mode}; {machine()}")
    print(table)
    if args.model == "fast" and not args.readable:  # the plain Sequential fuses no block
        import tinydl

        batch = tinydl.tensor(x[order[: system.batch]], requires_grad=False)
        print("# the fused blocks' parts (median of 20 calls each)")
        print("\n".join(block_parts(system.model, batch)))


if __name__ == "__main__":
    main()
