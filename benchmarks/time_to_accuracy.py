"""Time to accuracy on MNIST: training seconds until the test accuracy first reaches 99.0%,
tinydl against PyTorch (CPU) on the same recipe; and tinydl's time to 99.5%.

    python benchmarks/time_to_accuracy.py            # 5 seeds per system, 2 threads, + 99.5%
    python benchmarks/time_to_accuracy.py --quick    # a smoke run on 1,024 images, no record

The 99.0% rows train tinydl.zoo's "mnist-fast" recipe: its model, optimiser, schedule,
loss, batch size and epochs are all read from the recipe. Both systems
- start from the same weights: tinydl's, freshly initialised for the seed, copied into a
  PyTorch model built layer for layer from the tinydl one (Dense weights transposed); the
  twin must compute the same logits, and both workers report a digest of those weights;
- see the same batches in the same order: those of `tinydl train mnist-fast --seed SEED`,
  made by a tinydl DataLoader(shuffle=True, seed=SEED) (a new permutation each epoch) in
  each worker; PyTorch trains on the very arrays it yields;
- run on the same number of threads (OMP/OPENBLAS/MKL_NUM_THREADS, torch.set_num_threads),
  in float32;
- use the same optimiser rule and one-cycle schedule (torch.optim.lr_scheduler.OneCycleLR
  with the recipe's settings); the lr and beta1 of every step are compared between them.
The tinydl side trains the way a tinydl user does, with tinydl.train.fit's step: forward,
loss, zero_grad, backward, optimiser step, then the schedule's step. So each seed's tinydl
run is `tinydl train RECIPE --seed SEED`'s, evaluated more often.

About every quarter epoch the model is evaluated on the test images with the clock stopped.
Reported per system: the median over seeds of the training seconds to the first evaluation
at or above the target, each seed's time and final test accuracy, the growth of peak
resident memory during training, the number of updates. The script fails unless both
systems did the same number of updates on the same samples. Every run is its own worker
process, and the runs are interleaved (seed 0 tinydl, seed 0 torch, seed 1 tinydl, ...) so
that drift in the machine's speed hits both alike.

The 99.5% row trains the recipe "mnist-fast-995", tinydl only. The tables are printed and
appended to benchmarks/results/time_to_accuracy.md with the machine and the command.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import os
import shlex
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import fast_mode  # noqa: E402  (sibling scripts, not a package)
from mnist_speed import (  # noqa: E402  (a sibling script, not a package)
    TinydlSystem,
    TorchSystem,
    available_systems,
    peak_rss_mb,
    reset_peak_rss,
    rss_mb,
)
from results_log import append_run  # noqa: E402

import tinydl  # noqa: E402
from tinydl import data, nn, zoo  # noqa: E402
from tinydl.cli import _positive  # noqa: E402  (argparse: --epochs 0 is an error)

RECIPES = {0.99: "mnist-fast", 0.995: "mnist-fast-995"}  # target accuracy -> zoo recipe
QUICK_TRAIN, QUICK_TEST = 1024, 1000  # --quick: this many training and test images
RESULTS = "time_to_accuracy.md"


# ---------------------------------------------------------------------------------------
# What both systems share: data, initial weights, evaluation points.
# ---------------------------------------------------------------------------------------
def load_data(
    recipe: zoo.Recipe, limit: int | None, test_limit: int | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    (train_images, train_labels), (test_images, test_labels) = data.load_mnist(progress=False)
    x, y = zoo.prepare(recipe, train_images[:limit], train_labels[:limit])
    x_test, y_test = zoo.prepare(recipe, test_images[:test_limit], test_labels[:test_limit])
    return x, y, x_test, y_test


def fresh_model(recipe: zoo.Recipe, seed: int) -> nn.Module:
    """The recipe's model as tinydl initialises it after ``manual_seed(seed)``."""
    tinydl.manual_seed(seed)
    return recipe.build()


def weights_digest(model: nn.Module) -> str:
    digest = hashlib.sha256()
    for name, values in sorted(model.state_dict().items()):
        digest.update(name.encode() + np.ascontiguousarray(values).tobytes())
    return digest.hexdigest()


def evaluation_steps(steps_per_epoch: int, epochs: int) -> set[int]:
    """After which updates (counted from 1) the model is evaluated: about every quarter of
    an epoch, always at the end of one."""
    return {
        epoch * steps_per_epoch + round(quarter * steps_per_epoch / 4)
        for epoch in range(epochs)
        for quarter in range(1, 5)
    } - {0}


# ---------------------------------------------------------------------------------------
# The two systems: step(xb, yb) is one training step, settings() the lr and beta1 it uses.
# ---------------------------------------------------------------------------------------
class Evaluating:
    model: Any

    def evaluate(self, x: np.ndarray, y: np.ndarray) -> float:
        self.model.eval()  # BatchNorm's running statistics, no dropout
        try:
            return self.accuracy(x, y)  # type: ignore[attr-defined]
        finally:
            self.model.train()


class TinydlRun(Evaluating, TinydlSystem):
    def __init__(self, recipe: zoo.Recipe, seed: int, epochs: int, steps_per_epoch: int) -> None:
        self.tinydl = tinydl
        self.model = fresh_model(recipe, seed)
        self.optimizer = recipe.optimizer(self.model.parameters(), recipe.lr)
        self.scheduler = (
            recipe.scheduler(self.optimizer, epochs, steps_per_epoch) if recipe.scheduler else None
        )
        # fit() reads the schedule's interval the same way
        self.per_step = getattr(self.scheduler, "interval", "epoch") == "step"
        self.loss_fn = nn.CrossEntropyLoss(label_smoothing=recipe.label_smoothing)

    def step(self, xb: tinydl.Tensor, yb: tinydl.Tensor) -> None:
        loss = self.loss_fn(self.model(xb), yb)
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        if self.per_step:
            self.scheduler.step()

    def end_epoch(self) -> None:
        if self.scheduler is not None and not self.per_step:
            self.scheduler.step()

    def settings(self) -> tuple[float, float | None]:
        group = self.optimizer.param_groups[0]
        return group["lr"], group["betas"][0] if "betas" in group else None

    def dtypes(self) -> set[str]:
        return {str(p.dtype) for p in self.model.parameters()}


def torch_twin(model: nn.Sequential, torch: Any, copy_weights: bool = True) -> Any:
    """A PyTorch ``Sequential`` with a layer for each of ``model``'s, holding its weights
    unless ``copy_weights`` is False (then PyTorch's own initial weights: enough for
    timing, as benchmarks/gan_step.py does)."""
    tnn = torch.nn

    def twin_of(layer: nn.Module) -> Any:
        if isinstance(layer, nn.Conv2D):
            return tnn.Conv2d(
                layer.in_channels, layer.out_channels, layer.kernel_size, layer.stride,
                layer.padding, bias=layer.use_bias,
            )
        if isinstance(layer, nn.ConvTranspose2D):
            return tnn.ConvTranspose2d(
                layer.in_channels, layer.out_channels, layer.kernel_size, layer.stride,
                layer.padding, layer.output_padding, bias=layer.bias is not None,
            )
        if isinstance(layer, nn.MaxPool2D):
            return tnn.MaxPool2d(layer.kernel_size, layer.stride, layer.padding)
        if isinstance(layer, nn.Dense):
            return tnn.Linear(layer.in_features, layer.out_features, bias=layer.use_bias)
        if isinstance(layer, (nn.BatchNorm1D, nn.BatchNorm2D)):
            kind = tnn.BatchNorm1d if isinstance(layer, nn.BatchNorm1D) else tnn.BatchNorm2d
            return kind(layer.num_features, layer.eps, layer.momentum)
        if isinstance(layer, nn.Flatten):
            return tnn.Flatten(layer.start_dim, layer.end_dim)
        if isinstance(layer, nn.Reshape):
            return tnn.Unflatten(1, layer.shape)
        if isinstance(layer, nn.LeakyReLU):
            return tnn.LeakyReLU(layer.negative_slope)
        simple = {nn.ReLU: tnn.ReLU, nn.Tanh: tnn.Tanh, nn.Sigmoid: tnn.Sigmoid}
        if type(layer) in simple:
            return simple[type(layer)]()
        raise ValueError(f"torch_twin() has no PyTorch twin for {type(layer).__name__}")

    twin = tnn.Sequential(*(twin_of(layer) for layer in model))
    if not copy_weights:
        return twin
    state = {}
    for name, values in model.state_dict().items():
        dense = isinstance(model[int(name.split(".")[0])], nn.Dense)
        state[name] = torch.from_numpy(values.T.copy() if dense else values.copy())  # (out, in)
    twin.load_state_dict(state)  # strict: every name and shape must match
    return twin


class TorchRun(Evaluating, TorchSystem):
    def __init__(
        self, recipe: zoo.Recipe, seed: int, epochs: int, steps_per_epoch: int, threads: int,
        check_images: np.ndarray,
    ) -> None:
        import torch

        torch.set_num_threads(threads)
        torch.manual_seed(seed)
        self.torch = torch
        source = fresh_model(recipe, seed)
        self.weights_digest = weights_digest(source)
        self.model = torch_twin(source, torch)
        with tinydl.no_grad(), torch.no_grad():
            gap = np.abs(
                source.eval()(tinydl.Tensor(check_images)).numpy()
                - self.model.eval()(torch.from_numpy(check_images)).numpy()
            ).max()
        if not gap < 1e-4:
            raise RuntimeError(f"the PyTorch twin computes another function (gap {gap})")
        self.model.train()
        if not isinstance(recipe.optimizer, zoo.AdamSettings):
            raise ValueError(f"no PyTorch twin for {recipe.name}'s {recipe.optimizer!r}")
        settings = dataclasses.asdict(recipe.optimizer)
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=recipe.lr, **settings)
        if not isinstance(recipe.scheduler, zoo.OneCycle):
            raise ValueError(f"no PyTorch twin for {recipe.name}'s {recipe.scheduler!r}")
        self.scheduler = torch.optim.lr_scheduler.OneCycleLR(
            self.optimizer, max_lr=recipe.lr, epochs=epochs, steps_per_epoch=steps_per_epoch,
            **dataclasses.asdict(recipe.scheduler),
        )
        self.loss_fn = torch.nn.CrossEntropyLoss(label_smoothing=recipe.label_smoothing)

    def step(self, xb: tinydl.Tensor, yb: tinydl.Tensor) -> None:
        """A step on the very arrays the tinydl loader made (torch.from_numpy: no copy)."""
        from_numpy = self.torch.from_numpy
        loss = self.loss_fn(self.model(from_numpy(xb.numpy())), from_numpy(yb.numpy()))
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        self.scheduler.step()

    def end_epoch(self) -> None:
        pass  # the one-cycle schedule moves per step

    def settings(self) -> tuple[float, float | None]:
        group = self.optimizer.param_groups[0]
        return group["lr"], group["betas"][0]

    def dtypes(self) -> set[str]:
        return {str(p.dtype).removeprefix("torch.") for p in self.model.parameters()}


# ---------------------------------------------------------------------------------------
# Worker: one training run (one system, one seed) per process.
# ---------------------------------------------------------------------------------------
def worker(spec: dict[str, Any]) -> dict[str, Any]:
    recipe = zoo.recipe(spec["recipe"])
    seed, epochs, batch = spec["seed"], spec["epochs"], recipe.batch_size
    x, y, x_test, y_test = load_data(recipe, spec["limit"], spec["test_limit"])
    # the batches of `tinydl train RECIPE --seed SEED`: each epoch a new permutation (and
    # augmentation) from the loader's generator, seeded alike in both workers
    loader = data.DataLoader(x, y, batch, shuffle=True, seed=seed, transform=recipe.transform())
    steps_per_epoch = len(loader)
    if spec["system"] == "tinydl":
        run: TinydlRun | TorchRun = TinydlRun(recipe, seed, epochs, steps_per_epoch)
        initial = weights_digest(run.model)
    else:
        run = TorchRun(recipe, seed, epochs, steps_per_epoch, spec["threads"], x_test[:256])
        initial = run.weights_digest
    evaluate_after = evaluation_steps(steps_per_epoch, epochs)
    samples, schedule, evaluations = hashlib.sha256(), [], []
    updates, seen, trained = 0, 0, 0.0
    reset_peak_rss()
    baseline = rss_mb()
    started = time.perf_counter()
    for _ in range(epochs):
        for xb, yb in loader:
            schedule.append(run.settings())
            run.step(xb, yb)
            # the labels and one row of pixels of every image: cheap, and they tell batches apart
            samples.update(yb.numpy().tobytes() + xb.numpy()[..., 14, :].tobytes())
            updates, seen = updates + 1, seen + len(yb)
            if updates in evaluate_after:  # the clock stops while the test set is evaluated
                trained += time.perf_counter() - started
                accuracy = run.evaluate(x_test, y_test)
                evaluations.append([updates, trained, accuracy])
                print(
                    f"  {spec['system']} seed {seed}: update {updates}, {trained:.2f}s, "
                    f"test accuracy {accuracy:.4f}", file=sys.stderr, flush=True,
                )
                started = time.perf_counter()
        run.end_epoch()
    return {
        "evaluations": evaluations,
        "updates": updates,
        "samples_seen": seen,
        "samples_digest": samples.hexdigest(),
        "weights_digest": initial,
        "schedule": schedule,
        "peak_growth_mb": peak_rss_mb() - baseline,
        "dtypes": sorted(run.dtypes() | {str(x.dtype)}),
    }


def run_worker(spec: dict[str, Any], threads: int) -> dict[str, Any]:
    env = dict(
        os.environ,
        OMP_NUM_THREADS=str(threads),
        OPENBLAS_NUM_THREADS=str(threads),
        MKL_NUM_THREADS=str(threads),
    )
    command = [sys.executable, __file__, "--worker", json.dumps(spec)]
    result = subprocess.run(command, stdout=subprocess.PIPE, text=True, env=env, check=True)
    return json.loads(result.stdout.splitlines()[-1])


# ---------------------------------------------------------------------------------------
# Checks and tables.
# ---------------------------------------------------------------------------------------
def seconds_to(target: float, result: dict[str, Any]) -> float | None:
    """Training seconds to the first evaluation at or above ``target`` (None: never)."""
    return next((s for _, s, accuracy in result["evaluations"] if accuracy >= target), None)


def same_work(seed: int, ours: dict[str, Any], theirs: dict[str, Any]) -> float:
    """Fail unless both runs did the same updates on the same samples from the same weights
    with the same lr and beta1 at every step; the largest relative difference of those."""
    for key in ("updates", "samples_seen", "samples_digest", "weights_digest"):
        if ours[key] != theirs[key]:
            raise RuntimeError(
                f"seed {seed}: tinydl and torch differ in {key}: {ours[key]} vs {theirs[key]}"
            )
    a = np.array(ours["schedule"], dtype=float)
    b = np.array(theirs["schedule"], dtype=float)
    gap = float(np.max(np.abs(a - b) / np.abs(b)))
    if not gap < 1e-9:
        raise RuntimeError(f"seed {seed}: the lr or beta1 sequences differ (by {gap:.2e})")
    return gap


def median_seconds(times: list[float | None]) -> float | None:
    """The median with a run that never reached the target counted as slowest of all."""
    median = statistics.median([np.inf if t is None else t for t in times])
    return None if median == np.inf else float(median)


def table(target: float, runs: dict[str, list[dict[str, Any]]]) -> list[str]:
    percent = f"{target:.1%}"
    rows = [
        f"| system | median s to {percent} | each seed: s to {percent} | each seed: final "
        "test accuracy | median s, whole run | median peak memory growth (MB) | updates | "
        "vs PyTorch |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    medians = {
        system: median_seconds([seconds_to(target, r) for r in results])
        for system, results in runs.items()
    }
    reference = medians.get("torch")
    for system, results in runs.items():
        times = [seconds_to(target, r) for r in results]
        median = medians[system]
        ratio = f"{median / reference:.2f}x" if median and reference else "n/a"
        rows.append(
            f"| {system} | {'not reached' if median is None else f'{median:.2f}'} | "
            + ", ".join("—" if t is None else f"{t:.2f}" for t in times) + " | "
            + ", ".join(f"{r['evaluations'][-1][2]:.4f}" for r in results) + " | "
            + f"{statistics.median(r['evaluations'][-1][1] for r in results):.2f} | "
            + f"{statistics.median(r['peak_growth_mb'] for r in results):.0f} | "
            + f"{results[0]['updates']} | {ratio} |"
        )
    return rows


def describe(recipe: zoo.Recipe, result: dict[str, Any], epochs: int, seeds: int,
             threads: int) -> str:
    samples = result["samples_seen"] // epochs
    return (
        f"{recipe.name} ({recipe.summary}): batch {recipe.batch_size}, {epochs} epoch"
        f"{'s' if epochs > 1 else ''} of {samples:,} images ({result['updates']} updates), "
        f"test accuracy on {len(result['evaluations'])} evaluations; {threads} thread"
        f"{'s' if threads > 1 else ''}, "
        + (f"seeds 0-{seeds - 1}" if seeds > 1 else "seed 0")
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    count = _positive(int)
    parser.add_argument("--seeds", type=count, default=5, help="seeds per system at 99.0%%")
    parser.add_argument("--seeds-995", type=count, default=1, help="seeds at 99.5%% (tinydl)")
    parser.add_argument("--threads", type=count, default=2)
    parser.add_argument("--systems", help="comma-separated subset of tinydl,torch")
    parser.add_argument("--epochs", type=count, help=f"instead of {RECIPES[0.99]}'s epochs")
    parser.add_argument("--epochs-995", type=count, help=f"instead of {RECIPES[0.995]}'s epochs")
    parser.add_argument("--skip-990", action="store_true", help="leave out the 99.0%% rows")
    parser.add_argument("--skip-995", action="store_true", help="leave out the 99.5%% row")
    parser.add_argument("--limit", type=count, help="train on the first LIMIT images only")
    parser.add_argument(
        "--quick", action="store_true",
        help=f"smoke run: {QUICK_TRAIN} training and {QUICK_TEST} test images, 1 epoch, "
        "1 seed, nothing recorded",
    )
    parser.add_argument("--no-record", action="store_true", help="do not append the results")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    fast_mode.add_option(parser)
    args = parser.parse_args()
    if args.worker:  # its mode comes from the parent, through TINYDL_FAST_PATHS
        print(json.dumps(worker(json.loads(args.worker))), flush=True)
        return
    mode = fast_mode.set_mode(args.readable)
    if args.quick:
        args.limit, args.epochs, args.epochs_995 = QUICK_TRAIN, 1, 1
        args.seeds, args.seeds_995, args.no_record = 1, 1, True
    asked = args.systems.split(",") if args.systems else ["tinydl", "torch"]
    unknown = [s for s in asked if s not in ("tinydl", "torch")]
    if unknown:
        parser.error(f"--systems: unknown {','.join(unknown)}; choose from tinydl,torch")
    systems = [s for s in available_systems("cnn") if s in asked]
    if not systems:
        parser.error(f"--systems {args.systems}: PyTorch is not installed")

    if args.skip_990 and args.skip_995:
        parser.error("--skip-990 and --skip-995 leave nothing to run")
    targets = {} if args.skip_990 else {0.99: (args.seeds, systems, args.epochs)}
    if not args.skip_995:
        targets[0.995] = (args.seeds_995, ["tinydl"], args.epochs_995)
    sections, checks = [], []
    load_before = os.getloadavg()[0]  # others' work on the cores slows both systems
    for target, (seeds, target_systems, epochs_override) in targets.items():
        recipe = zoo.recipe(RECIPES[target])
        epochs = epochs_override or recipe.epochs
        runs: dict[str, list[dict[str, Any]]] = {s: [] for s in target_systems}
        for seed in range(seeds):
            for system in target_systems:  # interleaved: tinydl, torch, tinydl, torch, ...
                spec = {
                    "system": system, "recipe": recipe.name, "seed": seed, "epochs": epochs,
                    "limit": args.limit, "test_limit": QUICK_TEST if args.quick else None,
                    "threads": args.threads,
                }
                result = run_worker(spec, args.threads)
                if result["dtypes"] != ["float32"]:
                    raise RuntimeError(f"{system} trained in {result['dtypes']}, not float32")
                runs[system].append(result)
                reached = seconds_to(target, result)
                print(
                    f"{recipe.name} seed {seed} {system:>6}: "
                    + ("never reached" if reached is None else f"{reached:.2f}s to")
                    + f" {target:.1%}; final accuracy {result['evaluations'][-1][2]:.4f}",
                    flush=True,
                )
            if len(runs) == 2:
                gap = same_work(seed, runs["tinydl"][-1], runs["torch"][-1])
                checks.append(gap)
        first = next(iter(runs.values()))[0]
        sections.append(
            f"### {target:.1%}: {describe(recipe, first, epochs, seeds, args.threads)}\n\n"
            + "\n".join(table(target, runs))
        )
    evaluated = f"{QUICK_TEST:,}" if args.quick else "10,000"
    setup = (
        f"Command: `{shlex.join(['python', 'benchmarks/time_to_accuracy.py', *sys.argv[1:]])}`. "
        f"Seconds are training time only: the clock stops while the {evaluated} test images "
        "are evaluated (about every quarter epoch). Each run in its own process, interleaved. "
        f"Load average (1 min) when it started: {load_before:.1f} on {os.cpu_count()} cores. "
        f"tinydl: {mode}."
    )
    if checks:
        setup += (
            f" Checked for every seed: tinydl and PyTorch did the same number of updates on "
            f"the same samples in the same order, from the same initial weights, in float32, "
            f"with the same lr and beta1 at every step (largest relative difference "
            f"{max(checks):.1e})."
        )
    if args.no_record:
        print("\n" + setup + "\n\n" + "\n\n".join(sections))
    else:
        append_run(RESULTS, "Time to accuracy on MNIST", setup, "\n\n".join(sections).split("\n"))


if __name__ == "__main__":
    main()
