"""What the bad-input checks of issue 10 cost on the training path.

The ops check nothing before computing: ``+ - * /``, indexing and the axis arguments only
translate NumPy's error after it is raised (a ``try`` costs nothing until then). What runs
on every call is the dtype test in ``Tensor(...)`` (which replaced two slower tests) and
the float-input check of ``Dense``/``Conv2D``. This script times the training step of
``tinydl train mnist-mlp`` (784-512-10, batch 128, RMSprop, one-hot targets: the README's
main job) as it is and with those two replaced by what ran before issue 10, interleaving
the two in rounds and reporting medians, and times each on its own. It appends a table to
``benchmarks/results/validation_overhead.md``.

    python benchmarks/validation_overhead.py [--rounds 15] [--steps 50]
"""

from __future__ import annotations

import argparse
import statistics
import time
import timeit
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import fast_mode
import numpy as np
from results_log import append_run

import tinydl
from tinydl import backend, nn, zoo
from tinydl.autograd import tensor as tensor_module
from tinydl.autograd.tensor_checks import floating
from tinydl.nn import linear as linear_module


def _init_before_issue_10(self: tinydl.Tensor, data: Any, requires_grad: bool = False) -> None:
    """``Tensor.__init__`` as it was: no dtype test, two type tests instead of one (and the
    slot that the ``data`` property of issue 11 reads)."""
    if isinstance(data, np.generic):
        data = np.asarray(data)
    elif not backend.is_array(data):
        data = tensor_module._as_array(data, None, None, copy=False)
    self._data = data
    self.grad = None
    self.requires_grad = requires_grad
    self.creator = None


@contextmanager
def checks_as_before() -> Iterator[None]:
    checked_init = tinydl.Tensor.__init__
    tinydl.Tensor.__init__ = _init_before_issue_10  # type: ignore[method-assign]
    linear_module.floating = lambda where, name, value, layout="": value
    try:
        yield
    finally:
        tinydl.Tensor.__init__ = checked_init  # type: ignore[method-assign]
        linear_module.floating = floating


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15, help="interleaved rounds")
    parser.add_argument("--steps", type=int, default=50, help="training steps per round")
    fast_mode.add_option(parser)
    args = parser.parse_args()
    mode = fast_mode.set_mode(args.readable)

    recipe = zoo.recipe("mnist-mlp")  # `tinydl train mnist-mlp`: its model, optimiser, batch
    model = recipe.build()
    optimizer = recipe.optimizer(model.parameters(), recipe.lr)
    loss_fn = nn.CrossEntropyLoss()
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (recipe.batch_size, 28, 28), dtype=np.uint8)
    inputs, targets = zoo.prepare(recipe, images, rng.integers(0, 10, recipe.batch_size))
    x, y = tinydl.tensor(inputs), tinydl.tensor(targets)

    def steps() -> float:
        started = time.perf_counter()
        for _ in range(args.steps):
            loss = loss_fn(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        return (time.perf_counter() - started) / args.steps * 1e3

    steps()  # warm-up
    now, before = [], []
    for _ in range(args.rounds):
        now.append(steps())
        with checks_as_before():
            before.append(steps())

    array = rng.random((32, 16), dtype=np.float32)
    small = tinydl.tensor(array)

    def per_call(fn: Callable[[], object]) -> float:
        return min(timeit.repeat(fn, number=20000, repeat=7)) / 20000 * 1e9

    construct_now = per_call(lambda: tinydl.Tensor(array))
    with checks_as_before():
        construct_before = per_call(lambda: tinydl.Tensor(array))
    float_check = per_call(lambda: floating("Dense", "input", small, "(..., in_features)"))

    now_ms, before_ms = statistics.median(now), statistics.median(before)
    rows = [
        "| what | with the checks | as before issue 10 | ratio |",
        "| --- | --- | --- | --- |",
        f"| mnist-mlp training step, median of {args.rounds} rounds x {args.steps} steps | "
        f"{now_ms:.2f} ms | {before_ms:.2f} ms | {now_ms / before_ms:.3f} |",
        f"| `Tensor(ndarray)`, best of 7 x 20,000 | {construct_now:.0f} ns | "
        f"{construct_before:.0f} ns | {construct_now / construct_before:.3f} |",
        f"| Dense/Conv2D float-input check alone, best of 7 x 20,000 | {float_check:.0f} ns | "
        f"(none) | |",
    ]
    append_run(
        "validation_overhead.md",
        "What the bad-input checks cost (issue 10)",
        f"Command: `python benchmarks/validation_overhead.py --rounds {args.rounds} "
        f"--steps {args.steps}{' --readable' if args.readable else ''}`. tinydl: {mode}. On a "
        f"loaded machine the step ratio is noise.",
        rows,
    )


if __name__ == "__main__":
    main()
