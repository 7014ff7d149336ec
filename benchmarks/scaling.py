"""How tinydl's training time grows with the work: seconds per MNIST epoch against
batch size and hidden width (the MLP) and against batch size (the CNN), next to the
floor that float32 GEMM throughput sets.

    python benchmarks/scaling.py

Each configuration trains on random MNIST-shaped data for enough steps to cover at
least ``--samples`` images after a warm-up, and the time is scaled to a 60,000-image
epoch. The floor is the model's GEMM FLOPs per epoch divided by the float32 GEMM
throughput measured on this machine in the same run. tinydl runs its fast paths
(``--readable``: the plain versions of the ops; fast_mode.py). Writes
benchmarks/results/scaling.md (with the mode) and benchmarks/results/scaling.png.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import fast_mode  # noqa: E402  (sibling scripts, not a package)
from mnist_speed import machine  # noqa: E402

import tinydl  # noqa: E402
from tinydl import nn, optim  # noqa: E402

EPOCH = 60_000


def gemm_gflops(size: int = 2048, repeats: int = 5) -> float:
    """Measured float32 matrix-product throughput (GFLOP/s) on this machine."""
    a = np.random.default_rng(0).standard_normal((size, size), dtype=np.float32)
    a @ a
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        a @ a
        times.append(time.perf_counter() - start)
    return 2 * size**3 / float(np.median(times)) / 1e9


def mlp(hidden: int) -> tuple[nn.Module, tuple[int, ...], float]:
    """The example-A MLP with ``hidden`` units, its input shape, and GEMM FLOPs per sample
    for one training step (forward, dW1, and forward/dW/dx of the second layer)."""
    model = nn.Sequential(nn.Dense(784, hidden), nn.ReLU(), nn.Dense(hidden, 10))
    return model, (784,), 2 * (2 * 784 * hidden + 3 * hidden * 10)


def cnn() -> tuple[nn.Module, tuple[int, ...], float]:
    """The example-C CNN and its GEMM FLOPs per sample (conv1 has no input gradient)."""
    from tinydl import zoo

    flops = 2 * (2 * 32 * 9 * 26 * 26 + 3 * 64 * 288 * 11 * 11 + 3 * 1600 * 64 + 3 * 64 * 10)
    return zoo.cnn(), (1, 28, 28), flops


def seconds_per_epoch(model: nn.Module, shape: tuple[int, ...], batch: int, samples: int) -> float:
    rng = np.random.default_rng(0)
    x = tinydl.tensor(rng.random((batch, *shape), dtype=np.float32))
    y = tinydl.tensor(rng.integers(0, 10, batch))
    optimizer = optim.Adam(model.parameters())
    loss_fn = nn.CrossEntropyLoss()

    def step() -> None:
        loss = loss_fn(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    for _ in range(3):
        step()
    steps = max(10, -(-samples // batch))
    start = time.perf_counter()
    for _ in range(steps):
        step()
    return (time.perf_counter() - start) / steps * EPOCH / batch


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=8192, help="images timed per configuration")
    fast_mode.add_option(parser)
    args = parser.parse_args()
    mode = fast_mode.set_mode(args.readable)
    throughput = gemm_gflops()
    print(f"float32 GEMM throughput: {throughput:.0f} GFLOP/s")

    series: dict[str, list[tuple[int, float, float]]] = {}

    def measure(label: str, x_value: int, build, batch: int) -> None:
        model, shape, flops = build()
        seconds = seconds_per_epoch(model, shape, batch, args.samples)
        floor = flops * EPOCH / (throughput * 1e9)
        series.setdefault(label, []).append((x_value, seconds, floor))
        print(
            f"{label:24s} {x_value:5d}: {seconds:7.2f} s/epoch (GEMM floor {floor:6.2f} s, "
            f"{floor / seconds:4.0%})",
            flush=True,
        )

    for batch in (32, 64, 128, 256, 512, 1024):
        measure("MLP vs batch (H=512)", batch, lambda: mlp(512), batch)
    for hidden in (128, 256, 512, 1024, 2048, 4096):
        measure("MLP vs hidden (batch 128)", hidden, lambda h=hidden: mlp(h), 128)
    for batch in (32, 64, 128, 256, 512):
        measure("CNN vs batch", batch, cnn, batch)

    lines = [
        f"### Scaling, {time.strftime('%Y-%m-%d')}\n",
        f"Machine: {machine()}. float32 GEMM: {throughput:.0f} GFLOP/s. "
        f"Command: `python benchmarks/scaling.py{' --readable' if args.readable else ''}`. "
        f"tinydl: {mode}.\n",
    ]
    for label, points in series.items():
        lines.append(f"\n{label}\n\n| size | s/epoch | GEMM floor s | floor reached |")
        lines.append("| --- | --- | --- | --- |")
        lines += [f"| {x} | {s:.2f} | {f:.2f} | {f / s:.0%} |" for x, s, f in points]
    results = HERE / "results"
    results.mkdir(exist_ok=True)
    (results / "scaling.md").write_text("\n".join(lines) + "\n")
    plot(series, results / "scaling.png")
    print(f"wrote {results / 'scaling.md'} and {results / 'scaling.png'}")


def plot(series: dict[str, list[tuple[int, float, float]]], path: Path) -> None:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(15, 4.2))
    for axis, (label, points) in zip(figure.subplots(1, len(series)), series.items(), strict=True):
        xs, seconds, floors = zip(*points, strict=True)
        axis.plot(xs, seconds, "o-", label="tinydl")
        axis.plot(xs, floors, "s--", label="GEMM floor")
        axis.set_xscale("log", base=2)
        axis.set_yscale("log")
        axis.set_title(label)
        axis.set_xlabel("hidden units" if "hidden" in label else "batch size")
        axis.set_ylabel("seconds per epoch")
        axis.grid(alpha=0.3, which="both")
        axis.legend()
    figure.savefig(path, dpi=100, bbox_inches="tight")


if __name__ == "__main__":
    main()
