"""The MNIST epoch through ``datasets.MNIST`` + ``DataLoader(dataset)`` vs the array path.

    python benchmarks/vision_loader.py --epochs 3

Two ways to feed the same normalised MNIST batches (batch 64, shuffled, as PyTorch's
MNIST example):

- array path: ``DataLoader(x, y)`` over arrays normalised once beforehand;
- dataset path: ``DataLoader(datasets.MNIST(..., transform=Compose([ToTensor(),
  Normalize((0.1307,), (0.3081,))])))``, which transforms each batch as it is gathered.

Timed: one pass over the loader alone, and one training epoch of the Dense(512) MLP
(Flatten -> Dense(784, 512) -> ReLU -> Dense(10), RMSprop), the model where data
loading weighs most. Passes are interleaved and the median is reported. For scale, the
loader-only pass of PyTorch's DataLoader over a per-item Dataset doing the same
transform with torch ops (what torchvision's MNIST does per image; torchvision itself is
not installed here) is timed too, when torch is installed.

Results are printed and appended to benchmarks/results/vision_loader.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable

import fast_mode
import numpy as np
from results_log import append_run

import tinydl
from tinydl import data, nn, optim
from tinydl.vision import datasets, transforms

MEAN, STD, BATCH = 0.1307, 0.3081, 64


def loaders() -> dict[str, data.DataLoader]:
    transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize((MEAN,), (STD,))])
    dataset = datasets.MNIST(None, train=True, transform=transform, download=False)
    x = data.normalize(data.to_float(np.asarray(dataset.data))[:, None], MEAN, STD)
    return {
        "array path": data.DataLoader(x, np.asarray(dataset.targets), batch_size=BATCH,
                                      shuffle=True, seed=0),
        "dataset path": data.DataLoader(dataset, batch_size=BATCH, shuffle=True, seed=0),
    }


def loader_pass(loader: data.DataLoader) -> None:
    for _ in loader:
        pass


def training_epoch(loader: data.DataLoader) -> None:
    tinydl.manual_seed(0)
    model = nn.Sequential(nn.Flatten(), nn.Dense(784, 512), nn.ReLU(), nn.Dense(512, 10))
    optimizer = optim.RMSprop(model.parameters(), lr=1e-3, alpha=0.9)
    loss_fn = nn.CrossEntropyLoss()
    for x, y in loader:
        loss = loss_fn(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


def torch_loader_pass() -> Callable[[], None] | None:
    try:
        import torch
    except ImportError:
        return None
    images, labels = data.load_mnist(progress=False)[0]

    class PerItemMNIST(torch.utils.data.Dataset):
        def __len__(self) -> int:
            return len(images)

        def __getitem__(self, i: int):
            image = torch.from_numpy(images[i]).float().div(255).unsqueeze(0)
            return image.sub(MEAN).div(STD), int(labels[i])

    loader = torch.utils.data.DataLoader(PerItemMNIST(), batch_size=BATCH, shuffle=True)
    return lambda: loader_pass(loader)


def timed(run: Callable[[], None]) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=3, help="timed passes of each kind")
    fast_mode.add_option(parser)
    args = parser.parse_args()
    mode = fast_mode.set_mode(args.readable)
    feeds = loaders()
    jobs: dict[str, Callable[[], None]] = {}
    for name, loader in feeds.items():
        jobs[f"loader only, {name}"] = lambda loader=loader: loader_pass(loader)
    for name, loader in feeds.items():
        jobs[f"MLP training epoch, {name}"] = lambda loader=loader: training_epoch(loader)
    torch_pass = torch_loader_pass()
    if torch_pass is not None:
        jobs["loader only, PyTorch DataLoader over a per-item Dataset"] = torch_pass
    times: dict[str, list[float]] = {name: [] for name in jobs}
    for _ in range(args.epochs):  # interleaved, so drift in the machine's speed hits all
        for name, job in jobs.items():
            times[name].append(timed(job))
    medians = {name: statistics.median(values) for name, values in times.items()}
    rows = [
        "| what | median s/epoch | all passes (s) | vs array path |",
        "| --- | --- | --- | --- |",
    ]
    for name, median in medians.items():
        kind = name.split(",")[0]
        base = medians[f"{kind}, array path"]
        rows.append(
            f"| {name} | {median:.3f} | {', '.join(f'{t:.3f}' for t in times[name])} | "
            f"{median / base:.2f}x |"
        )
    setup = (
        f"MNIST train split (60,000 images), batch {BATCH}, shuffled, {args.epochs} "
        f"interleaved passes each, OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}; "
        f"`python benchmarks/vision_loader.py --epochs {args.epochs}"
        f"{' --readable' if args.readable else ''}`. tinydl: {mode}."
    )
    append_run("vision_loader.md", "MNIST through datasets.MNIST + DataLoader vs arrays", setup,
               rows)


if __name__ == "__main__":
    main()
