"""MNIST training speed on a GPU: tinydl (CuPy + kernels/) next to PyTorch eager, in one run.

    python benchmarks/gpu_mnist.py                      # A at batch 128, C at batch 64 and 512
    python benchmarks/gpu_mnist.py --configs C-512 --epochs 3
    python benchmarks/gpu_mnist.py --device cpu --epochs 1 --batches 3 --no-record  # a dry run

Example A is the Dense(512) MLP with RMSprop, example C the two-conv CNN with Adam (the
models, initial weights and epoch orders of benchmarks/mnist_speed.py, so both systems start
from the same weights and see the same batches). Both keep the whole dataset on the GPU,
slice each batch there with an index array that is moved to the GPU once per epoch, and add
the loss up on the GPU, reading it once per epoch: the timings measure training, not
transfers. Epochs are interleaved (tinydl, torch, tinydl, ...) so that drift in the machine
hits both alike, after a few untimed warm-up batches (CuPy compiles its kernels on first use).

Reported per configuration: median seconds per epoch, samples/s, the ratio to PyTorch, the
test accuracy after each epoch (measured outside the timer) and the training time until it
first reached 99%. The table is printed and appended to benchmarks/results/gpu_mnist.md with
the GPU's name (from nvidia-smi) and the library versions. ``--device cpu`` runs the same code
on the CPU, to check the script itself on a machine without a GPU.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # mnist_speed.py, beside this file, defines the models

import fast_mode  # noqa: E402  (sibling scripts, not a package)
import mnist_speed  # noqa: E402

# name: (model of benchmarks/mnist_speed.py, batch size)
CONFIGS = {"A-128": ("mlp", 128), "C-64": ("cnn", 64), "C-512": ("cnn", 512)}
SYSTEMS = ("tinydl", "torch")
TARGET_ACCURACY = 0.99


class TinydlGPU(mnist_speed.TinydlSystem):
    """tinydl's model of mnist_speed.py, moved to ``device`` (its epoch loop and accuracy
    already keep the loss and counts on the device)."""

    def __init__(self, model: str, weights: dict[str, np.ndarray], batch: int, device: str) -> None:
        super().__init__(model, weights)
        self.model.to(device)
        self.batch, self.device = batch, device

    def to_device(self, array: np.ndarray) -> Any:
        return self.tinydl.backend.to_device(array, self.device)


class TorchGPU(mnist_speed.TorchSystem):
    """PyTorch's model of mnist_speed.py, moved to ``device`` (eager mode)."""

    def __init__(self, model: str, weights: dict[str, np.ndarray], batch: int, device: str) -> None:
        super().__init__(model, weights, threads=1)
        self.model.to(device)
        # A fresh optimiser over the moved parameters, with the same settings.
        self.optimizer = type(self.optimizer)(self.model.parameters(), **self.optimizer.defaults)
        self.batch, self.device = batch, device

    def to_device(self, array: np.ndarray) -> Any:
        return self.torch.from_numpy(array).to(self.device)

    def train_epoch(self, x: Any, y: Any, order: Any) -> float:
        total = self.torch.zeros((), device=self.device)
        for start in range(0, len(order), self.batch):
            index = order[start : start + self.batch]
            loss = self.loss_fn(self.model(x[index]), y[index])
            self.optimizer.zero_grad()
            loss.backward()
            self.optimizer.step()
            total += loss.detach()
        return total.item() / -(-len(order) // self.batch)

    def accuracy(self, x: Any, y: Any) -> float:
        with self.torch.no_grad():
            correct = sum(
                (self.model(x[i : i + 1000]).argmax(1) == y[i : i + 1000]).sum()
                for i in range(0, len(y), 1000)
            )
        return float(correct) / len(y)


def gpu_name() -> str:
    """The GPU as nvidia-smi names it, with its driver version."""
    try:
        result = subprocess.run(
            ["nvidia-smi", "--query-gpu=name,driver_version", "--format=csv,noheader"],
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return "unknown GPU (nvidia-smi failed)"
    name, _, driver = result.stdout.splitlines()[0].partition(",")
    return f"{name.strip()} (driver {driver.strip()})"


def check_gpu(systems: list[str]) -> None:
    """Exit with a message naming what is missing unless each system can use a GPU."""
    import tinydl

    try:
        tinydl.backend.device("cuda").xp  # noqa: B018  (raises DeviceError without a GPU)
    except tinydl.DeviceError as error:
        sys.exit(f"gpu_mnist.py needs a CUDA GPU that CuPy can use: {error}")
    if "torch" in systems:
        try:
            import torch
        except ImportError:
            sys.exit("PyTorch is not installed: install it, or pass --systems tinydl")
        if not torch.cuda.is_available():
            sys.exit("PyTorch cannot use the GPU (a CPU-only build?): pass --systems tinydl")


def versions(systems: list[str], device: str) -> str:
    parts = [f"NumPy {np.__version__}"]
    if device == "cuda":
        import cupy

        parts.insert(0, f"CuPy {cupy.__version__}")
    if "torch" in systems:
        import torch

        parts.append(f"PyTorch {torch.__version__} (CUDA {torch.version.cuda})")
    return ", ".join(parts)


def benchmark(config: str, systems: list[str], args: argparse.Namespace) -> str:
    """Train ``config`` on each system, epochs interleaved; return its Markdown table."""
    model, batch = CONFIGS[config]
    x, y, x_test, y_test = mnist_speed.load_data(model)
    samples = len(x) if args.batches is None else min(len(x), args.batches * batch)
    weights = mnist_speed.initial_weights(model)
    trainers = {"tinydl": TinydlGPU, "torch": TorchGPU}
    runs = {}
    for system in systems:
        trainer = trainers[system](model, weights, batch, args.device)
        data = [trainer.to_device(a) for a in (x, y, x_test, y_test)]
        warmup = trainer.to_device(
            mnist_speed.epoch_order(-1, len(x))[: args.warmup_batches * batch]
        )
        trainer.train_epoch(data[0], data[1], warmup)  # compiles kernels, fills memory pools
        runs[system] = {"trainer": trainer, "data": data, "times": [], "accuracy": []}
    for epoch in range(args.epochs):
        for system in systems:  # interleaved: tinydl, torch, tinydl, torch, ...
            run = runs[system]
            x_gpu, y_gpu, x_test_gpu, y_test_gpu = run["data"]
            order = run["trainer"].to_device(mnist_speed.epoch_order(epoch, len(x))[:samples])
            started = time.perf_counter()
            loss = run["trainer"].train_epoch(x_gpu, y_gpu, order)  # ends with a sync
            run["times"].append(time.perf_counter() - started)
            run["accuracy"].append(run["trainer"].accuracy(x_test_gpu, y_test_gpu))
            print(
                f"{config} epoch {epoch + 1} {system:>6}: {run['times'][-1]:.2f}s "
                f"loss {loss:.4f} test accuracy {run['accuracy'][-1]:.4f}",
                flush=True,
            )
    reference = statistics.median(runs["torch"]["times"]) if "torch" in runs else None
    rows = [
        f"| system | median s/epoch | samples/s | vs PyTorch | test accuracy | "
        f"training time to {TARGET_ACCURACY:.0%} |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for system in systems:
        times, accuracy = runs[system]["times"], runs[system]["accuracy"]
        median = statistics.median(times)
        ratio = f"{median / reference:.2f}x" if reference else "n/a"
        reached = [i for i, a in enumerate(accuracy) if a >= TARGET_ACCURACY]
        to_target = (
            f"{sum(times[: reached[0] + 1]):.1f}s ({reached[0] + 1} epochs)"
            if reached
            else "not reached"
        )
        rows.append(
            f"| {system} | {median:.2f} | {samples / median:,.0f} | {ratio} | "
            f"{accuracy[-1]:.4f} | {to_target} |"
        )
    optimizer = mnist_speed.MODELS[model]["optimizer"]
    header = (
        f"### {config}: example {config[0]} ({model}, {optimizer}), batch {batch}, "
        f"{args.epochs} epoch{'s' * (args.epochs != 1)} of {samples} samples"
    )
    return header + "\n\n" + "\n".join(rows) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--configs",
        default=",".join(CONFIGS),
        help=f"comma-separated subset of {','.join(CONFIGS)} (default: all)",
    )
    parser.add_argument("--epochs", type=int, default=5, help="timed epochs per system")
    parser.add_argument(
        "--systems", default=",".join(SYSTEMS), help="comma-separated subset of tinydl,torch"
    )
    parser.add_argument(
        "--batches", type=int, help="train on only this many batches per epoch (default: all)"
    )
    parser.add_argument(
        "--device", default="cuda", help="cuda (default), or cpu to check the script itself"
    )
    parser.add_argument(
        "--warmup-batches", type=int, default=20, help="untimed batches before the first epoch"
    )
    parser.add_argument(
        "--no-record", action="store_true", help="do not append to the results file"
    )
    fast_mode.add_option(parser)
    args = parser.parse_args(argv)
    mode = fast_mode.set_mode(args.readable)
    configs = args.configs.split(",")
    systems = [s for s in SYSTEMS if s in args.systems.split(",")]
    for option, given, known in (
        ("--configs", configs, CONFIGS),
        ("--systems", args.systems.split(","), SYSTEMS),
    ):
        unknown = [name for name in given if name not in known]
        if unknown:
            parser.error(f"{option}: unknown {', '.join(unknown)}; choose from {','.join(known)}")
    if args.epochs < 1 or (args.batches is not None and args.batches < 1):
        parser.error("--epochs and --batches must be at least 1")
    if args.device == "cuda":
        check_gpu(systems)
    command = " ".join(
        ["python benchmarks/gpu_mnist.py", *(argv if argv is not None else sys.argv[1:])]
    )
    machine = gpu_name() if args.device == "cuda" else f"{mnist_speed.machine()} (no GPU)"
    tables = [benchmark(config, systems, args) for config in configs]
    report = (
        f"## {time.strftime('%Y-%m-%d')}: {machine}\n\n"
        f"{versions(systems, args.device)}. Command: `{command}`. tinydl: {mode}.\n\n"
        + "\n".join(tables)
    )
    print()
    print(report)
    if args.device == "cuda" and not args.no_record:  # a dry run on the CPU is not a result
        mnist_speed.append_result("gpu_mnist.md", report)


if __name__ == "__main__":
    main()
