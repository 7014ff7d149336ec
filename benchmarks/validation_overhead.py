"""What the bad-input checks cost on the training path (issues 10 and 24).

The ops check nothing before computing: ``+ - * /``, indexing and the axis arguments only
translate NumPy's error after it is raised (a ``try`` costs nothing until then). What runs
on every call is the dtype test in ``Tensor(...)`` (which replaced two slower tests), the
float-input check of ``Dense``/``Conv2D``, and the checks that read values (class labels
in range, BCE's probabilities in [0, 1]): on the host on every call, on a GPU on the first
calls only (``tinydl.ops.value_checks``, issue 24), because reading a GPU's values makes
Python wait for it.

For each example's training step (``tinydl train mnist-mlp``: 784-512-10, batch 128,
RMSprop, one-hot targets; ``mnist-cnn``: two convolutions, batch 64, Adam, integer labels)
this script times the step as it is and with the first two checks replaced by what ran
before issue 10, interleaving the two in rounds and reporting medians; times a
``BCELoss`` step (a GAN discriminator's: 784 -> 1, sigmoid, batch 64); and counts, on the
strict fake device that stands in for a GPU, how many times per step the host reads a
device value (``bool()``, ``int()``, ``float()``, ``.get()``, a boolean mask: each a wait
on a GPU), in the first 3 steps and in the steps after. It appends a table to
``benchmarks/results/validation_overhead.md`` unless given ``--no-record``.

    python benchmarks/validation_overhead.py [--rounds 15] [--steps 50] [--no-record]

To time another revision of tinydl with this script, put its folder first on PYTHONPATH;
the table names the folder tinydl was imported from.
"""

from __future__ import annotations

import argparse
import statistics
import time
import timeit
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import fast_mode
import numpy as np
from results_log import append_run
from workloads import training_step

import tinydl
from tinydl import backend, nn, zoo
from tinydl.autograd import tensor as tensor_module
from tinydl.autograd.tensor_checks import floating
from tinydl.backend.fake import StrictArray
from tinydl.nn import linear as linear_module

EXAMPLES = ("mnist-mlp", "mnist-cnn")
Step = Callable[[], None]


def _init_before_issue_10(self: tinydl.Tensor, data: Any, requires_grad: bool = False) -> None:
    """``Tensor.__init__`` as it was: no dtype test, two type tests instead of one (the
    array and gradient in today's slots)."""
    if isinstance(data, np.generic):
        data = np.asarray(data)
    elif not backend.is_array(data):
        data = tensor_module._as_array(data, None, None, copy=False)
    self.array = data
    self._grad = None
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


def example_step(name: str, device: str = "cpu") -> Step:
    """One training step of the zoo's recipe ``name`` on a fixed random batch."""
    recipe = zoo.recipe(name)  # `tinydl train <name>`: its model, optimiser, batch
    model = recipe.build().to(device)
    optimizer = recipe.optimizer(model.parameters(), recipe.lr)
    loss_fn = nn.CrossEntropyLoss(label_smoothing=recipe.label_smoothing)
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (recipe.batch_size, 28, 28), dtype=np.uint8)
    inputs, targets = zoo.prepare(recipe, images, rng.integers(0, 10, recipe.batch_size))
    x, y = tinydl.tensor(inputs, device=device), tinydl.tensor(targets, device=device)
    return training_step(model, optimizer, loss_fn, x, y)


def bce_step(device: str = "cpu") -> Step:
    """A GAN discriminator's step: 784 -> 1, sigmoid, BCELoss against 0/1 targets."""
    rng = np.random.default_rng(0)
    model = nn.Sequential(nn.Linear(784, 1), nn.Sigmoid()).to(device)
    optimizer = tinydl.optim.Adam(model.parameters(), lr=2e-4)
    x = tinydl.tensor(rng.random((64, 784), dtype=np.float32), device=device)
    y = tinydl.tensor((rng.random((64, 1)) < 0.5).astype(np.float32), device=device)
    return training_step(model, optimizer, nn.BCELoss(), x, y)


def milliseconds(step: Step, steps: int) -> float:
    started = time.perf_counter()
    for _ in range(steps):
        step()
    return (time.perf_counter() - started) / steps * 1e3


@contextmanager
def host_reads_counted() -> Iterator[list[int]]:
    """Count every read of a fake-device value by the host (what waits for a GPU): scalar
    conversions, copies to the host, and indexing by a boolean mask (CuPy must learn how
    many elements the mask picks before it can allocate the result)."""
    count = [0]
    names = ("__bool__", "__int__", "__float__", "get", "__getitem__")
    originals = {name: getattr(StrictArray, name) for name in names}

    def counted(original: Callable[..., Any]) -> Callable[..., Any]:
        def read(self: StrictArray, *args: Any) -> Any:
            if original is not originals["__getitem__"] or _boolean_mask(args[0]):
                count[0] += 1
            return original(self, *args)

        return read

    for name, original in originals.items():
        setattr(StrictArray, name, counted(original))
    try:
        yield count
    finally:
        for name, original in originals.items():
            setattr(StrictArray, name, original)


def _boolean_mask(key: Any) -> bool:
    parts = key if isinstance(key, tuple) else (key,)
    return any(isinstance(part, StrictArray) and part.dtype == bool for part in parts)


def reads_per_step(make_step: Callable[[str], Step], first: int = 3, later: int = 10
                   ) -> tuple[float, float]:
    """Host reads of device values per step on the fake device: in the first ``first``
    steps (the checks of the first calls) and in the ``later`` steps after them."""
    step = make_step("fake")
    with host_reads_counted() as count:
        for _ in range(first):
            step()
        early = count[0]
        for _ in range(later):
            step()
    return early / first, (count[0] - early) / later


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15, help="interleaved rounds")
    parser.add_argument("--steps", type=int, default=50, help="training steps per round")
    parser.add_argument("--no-record", action="store_true", help="do not append the table")
    fast_mode.add_option(parser)
    args = parser.parse_args()
    mode = fast_mode.set_mode(args.readable)

    rows = [
        "| what | with the checks | as before issue 10 | ratio |",
        "| --- | --- | --- | --- |",
    ]
    for name in EXAMPLES:
        step = example_step(name)
        milliseconds(step, 3)  # warm-up
        now, before = [], []
        for _ in range(args.rounds):
            now.append(milliseconds(step, args.steps))
            with checks_as_before():
                before.append(milliseconds(step, args.steps))
        now_ms, before_ms = statistics.median(now), statistics.median(before)
        rows.append(f"| {name} training step, median of {args.rounds} rounds x {args.steps} "
                    f"steps | {now_ms:.2f} ms | {before_ms:.2f} ms | {now_ms / before_ms:.3f} |")
    step = bce_step()
    milliseconds(step, 3)
    bce = statistics.median(milliseconds(step, args.steps) for _ in range(args.rounds))
    rows.append(f"| BCELoss step (784 -> 1, batch 64), median of {args.rounds} x {args.steps} "
                f"| {bce:.3f} ms | | |")

    array = np.random.default_rng(0).random((32, 16), dtype=np.float32)
    small = tinydl.tensor(array)

    def per_call(fn: Callable[[], object]) -> float:
        return min(timeit.repeat(fn, number=20000, repeat=7)) / 20000 * 1e9

    construct_now = per_call(lambda: tinydl.Tensor(array))
    with checks_as_before():
        construct_before = per_call(lambda: tinydl.Tensor(array))
    float_check = per_call(lambda: floating("Dense", "input", small, "(..., in_features)"))
    rows += [
        f"| `Tensor(ndarray)`, best of 7 x 20,000 | {construct_now:.0f} ns | "
        f"{construct_before:.0f} ns | {construct_now / construct_before:.3f} |",
        f"| Dense/Conv2D float-input check alone, best of 7 x 20,000 | {float_check:.0f} ns | "
        f"(none) | |",
        "",
        "| host reads of device values per step, fake device | first 3 steps | steps 4-13 |",
        "| --- | --- | --- |",
    ]
    makers: dict[str, Callable[[str], Step]] = {
        name: (lambda device, name=name: example_step(name, device)) for name in EXAMPLES
    }
    makers["BCELoss step"] = bce_step
    for name, make_step in makers.items():
        early, later = reads_per_step(make_step)
        rows.append(f"| {name} | {early:.1f} | {later:.1f} |")

    setup = (
        f"Command: `python benchmarks/validation_overhead.py --rounds {args.rounds} "
        f"--steps {args.steps}{' --readable' if args.readable else ''}`. tinydl: {mode}, "
        f"imported from {Path(tinydl.__file__).parent}. On a loaded machine the step ratio "
        f"is noise."
    )
    if args.no_record:
        print(setup, *rows, sep="\n")
    else:
        append_run("validation_overhead.md", "What the bad-input checks cost (issue 10)", setup,
                   rows)


if __name__ == "__main__":
    main()
