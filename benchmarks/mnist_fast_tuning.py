"""Tuning the fast MNIST recipes (issue 13): train a zoo recipe with some of its settings
changed, on several seeds, and log the test accuracy after every quarter epoch.

    OPENBLAS_NUM_THREADS=1 python benchmarks/mnist_fast_tuning.py mnist-fast --epochs 2 \\
        --seeds 0 1 2 3 4 --set lr=0.02 --set label_smoothing=0.1

``--set NAME=VALUE`` changes one setting (a Python literal): a field of the recipe (``lr``,
``batch_size``, ``label_smoothing``, ``augment``), of its Adam settings (``betas``, ``eps``),
of its one-cycle schedule (``pct_start``, ``div_factor``, ``final_div_factor``,
``anneal_strategy``, ``cycle_momentum``) or an argument of ``zoo.fast_cnn`` (``channels``,
``hidden``, ``batch_norm``). Each seed trains as ``tinydl train RECIPE --seed S`` does (same
weights, batches and schedule); the quarter-epoch evaluations are not counted in the
training seconds. The table is appended to ``benchmarks/results/mnist_fast_tuning.md``.
"""

from __future__ import annotations

import argparse
import ast
import dataclasses
import shlex
import sys
import time
from collections.abc import Iterator
from functools import partial
from typing import Any

import fast_mode
from results_log import append_run

from tinydl import data, nn, random, zoo
from tinydl.train import evaluate, fit

MODEL_SETTINGS = ("channels", "hidden", "batch_norm")


def configured(name: str, settings: dict[str, Any]) -> zoo.Recipe:
    """Recipe ``name`` with ``settings`` changed wherever each one lives."""
    recipe = zoo.recipe(name)
    parts: dict[str, dict[str, Any]] = {"recipe": {}, "optimizer": {}, "scheduler": {}}
    model: dict[str, Any] = dict(getattr(recipe.build, "keywords", {}))
    for key, value in settings.items():
        if key in MODEL_SETTINGS:
            model[key] = value
            continue
        owner = next(
            (part for part, obj in (("recipe", recipe), ("optimizer", recipe.optimizer),
                                    ("scheduler", recipe.scheduler))
             if dataclasses.is_dataclass(obj) and key in {f.name for f in dataclasses.fields(obj)}),
            None,
        )
        if owner is None:
            raise SystemExit(f"--set {key}: no such setting in {name}")
        parts[owner][key] = value
    return dataclasses.replace(
        recipe, **parts["recipe"],
        optimizer=dataclasses.replace(recipe.optimizer, **parts["optimizer"]),
        scheduler=dataclasses.replace(recipe.scheduler, **parts["scheduler"]),
        build=partial(zoo.fast_cnn, **model),
    )


class Quarterly:
    """The training batches, with a test-set evaluation after each quarter epoch; the time
    the evaluations take is kept in ``evaluation_seconds``, to be taken off."""

    def __init__(self, loader: data.DataLoader, model: nn.Module, test: data.DataLoader) -> None:
        self.loader, self.model, self.test = loader, model, test
        self.accuracies: list[float] = []
        self.evaluation_seconds = 0.0

    def __len__(self) -> int:
        return len(self.loader)

    def __iter__(self) -> Iterator[Any]:
        count = len(self.loader)
        marks = {round(count * quarter / 4) for quarter in range(1, 5)}
        for step, batch in enumerate(self.loader, start=1):
            yield batch  # fit() comes back for the next batch once this one's step is done
            if step in marks:
                started = time.perf_counter()
                self.accuracies.append(evaluate(self.model, self.test, details=False)["accuracy"])
                self.model.train()
                self.evaluation_seconds += time.perf_counter() - started


def run(recipe: zoo.Recipe, epochs: int, seed: int) -> dict[str, Any]:
    (train_images, train_labels), (test_images, test_labels) = data.load_mnist(progress=False)
    x_train, y_train = zoo.prepare(recipe, train_images, train_labels)
    x_test, y_test = zoo.prepare(recipe, test_images, test_labels)
    random.manual_seed(seed)
    model = recipe.build()
    optimizer = recipe.optimizer(model.parameters(), recipe.lr)
    transform = recipe.transform()
    loader = data.DataLoader(
        x_train, y_train, recipe.batch_size, shuffle=True, seed=seed, transform=transform
    )
    scheduler = recipe.scheduler(optimizer, epochs, len(loader))
    batches = Quarterly(loader, model, data.DataLoader(x_test, y_test, 1000))
    history = fit(
        model, optimizer, nn.CrossEntropyLoss(label_smoothing=recipe.label_smoothing), batches,
        epochs, scheduler=scheduler, progress=False, print_fn=None,
    )
    seconds = sum(history["train_seconds"]) - batches.evaluation_seconds
    return {"accuracies": batches.accuracies, "seconds": seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("recipe", choices=[n for n in zoo.RECIPES if n.startswith("mnist-fast")])
    parser.add_argument("--epochs", type=int, default=None, help="default: the recipe's")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--note", default="", help="what this run changes, for the log")
    fast_mode.add_option(parser)
    args = parser.parse_args()
    mode = fast_mode.set_mode(args.readable)
    settings = {}
    for item in args.set:
        key, _, text = item.partition("=")
        settings[key] = ast.literal_eval(text)
    recipe = configured(args.recipe, settings)
    epochs = args.epochs or recipe.epochs
    quarters = [f"{q / 4:g}" for q in range(1, 4 * epochs + 1)]
    rows = [
        "| seed | " + " | ".join(quarters) + " | final | train s |",
        "| --- " * (len(quarters) + 3) + "|",
    ]
    finals = []
    for seed in args.seeds:
        result = run(recipe, epochs, seed)
        finals.append(result["accuracies"][-1])
        rows.append(
            f"| {seed} | " + " | ".join(f"{100 * a:.2f}" for a in result["accuracies"])
            + f" | **{100 * finals[-1]:.2f}** | {result['seconds']:.1f} |"
        )
        print(rows[-1], flush=True)
    rows.append(f"\nmin {100 * min(finals):.2f}, mean {100 * sum(finals) / len(finals):.2f}")
    command = "python " + " ".join(shlex.quote(a) for a in sys.argv)
    model = getattr(recipe.build, "keywords", {}) or "fast_cnn's defaults"
    setup = (
        f"{args.note}\n\n`{command}`\n\n{epochs} epochs; changed: {settings or 'nothing'}; "
        f"in all: lr {recipe.lr}, batch {recipe.batch_size}, label smoothing "
        f"{recipe.label_smoothing}, augment {recipe.augment} (rotation {recipe.rotation_degrees}), "
        f"{recipe.optimizer}, {recipe.scheduler}, model {model}; tinydl: {mode}"
    )
    append_run("mnist_fast_tuning.md", "Tuning the fast MNIST recipes (issue 13)", setup, rows)


if __name__ == "__main__":
    main()
