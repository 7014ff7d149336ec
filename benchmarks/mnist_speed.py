"""Side-by-side MNIST training speed: tinydl vs PyTorch (CPU) vs a plain NumPy loop.

    python benchmarks/mnist_speed.py --model mlp --epochs 3
    python benchmarks/mnist_speed.py --model cnn --epochs 2

Each system trains the same model (example A: Dense(512) MLP with RMSprop, batch 128;
example C: the two-conv CNN with Adam, batch 64) from the same initial weights, on the
same data in the same order, with the same number of threads. Each system lives in its
own worker process (so peak memory is its own) and the epochs are interleaved
(tinydl, torch, numpy, tinydl, ...) so that drift in the machine's speed hits all
alike. Reported: median seconds per epoch, samples/s, the ratio to PyTorch, the growth
of peak resident memory during training, and the test accuracy after the timed epochs
(so that speed can never come from doing less work).

tinydl runs its fast paths, as ``tinydl train`` does (``--readable``: the plain versions
of the ops; fast_mode.py). The results are printed as a Markdown table and appended to
benchmarks/results/mnist_speed.md with the machine's description and the mode.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import fast_mode
import numpy as np

HERE = Path(__file__).resolve().parent
MODELS = {
    "mlp": {"batch": 128, "optimizer": "rmsprop", "lr": 1e-3},
    "cnn": {"batch": 64, "optimizer": "adam", "lr": 1e-3},
}


# ---------------------------------------------------------------------------------------
# Shared set-up: data, initial weights, the order of samples in each epoch.
# ---------------------------------------------------------------------------------------
def load_data(model: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    from tinydl import data

    (x_train, y_train), (x_test, y_test) = data.load_mnist(progress=False)
    shape = (-1, 784) if model == "mlp" else (-1, 1, 28, 28)
    return (
        data.to_float(x_train).reshape(shape),
        y_train.astype(np.int64),
        data.to_float(x_test).reshape(shape),
        y_test.astype(np.int64),
    )


def initial_weights(model: str, seed: int = 0) -> dict[str, np.ndarray]:
    """Glorot-uniform weights and zero biases, in tinydl's layouts (Dense: (in, out))."""
    rng = np.random.default_rng(seed)

    def glorot(shape: tuple[int, ...], fan_in: int, fan_out: int) -> np.ndarray:
        limit = np.sqrt(6 / (fan_in + fan_out))
        return rng.uniform(-limit, limit, shape).astype(np.float32)

    if model == "mlp":
        return {
            "w1": glorot((784, 512), 784, 512),
            "b1": np.zeros(512, np.float32),
            "w2": glorot((512, 10), 512, 10),
            "b2": np.zeros(10, np.float32),
        }
    return {
        "c1": glorot((32, 1, 3, 3), 9, 288),
        "cb1": np.zeros(32, np.float32),
        "c2": glorot((64, 32, 3, 3), 288, 576),
        "cb2": np.zeros(64, np.float32),
        "w1": glorot((1600, 64), 1600, 64),
        "b1": np.zeros(64, np.float32),
        "w2": glorot((64, 10), 64, 10),
        "b2": np.zeros(10, np.float32),
    }


def epoch_order(epoch: int, n: int) -> np.ndarray:
    return np.random.default_rng(1000 + epoch).permutation(n)


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def reset_peak_rss() -> None:
    """Start a fresh high-water mark (Linux), so set-up costs (imports, unpacking the
    dataset) do not count as training memory."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass  # elsewhere the peak includes the set-up


def peak_rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ---------------------------------------------------------------------------------------
# The three systems. Each exposes train_epoch(order) -> loss and accuracy(x, y).
# ---------------------------------------------------------------------------------------
class TinydlSystem:
    def __init__(self, model: str, weights: dict[str, np.ndarray]) -> None:
        import tinydl
        from tinydl import nn, optim

        self.tinydl = tinydl
        if model == "mlp":
            self.model = nn.Sequential(nn.Dense(784, 512), nn.ReLU(), nn.Dense(512, 10))
            names = {"0.weight": "w1", "0.bias": "b1", "2.weight": "w2", "2.bias": "b2"}
        else:
            self.model = nn.Sequential(
                nn.Conv2D(1, 32, 3),
                nn.ReLU(),
                nn.MaxPool2D(2),
                nn.Conv2D(32, 64, 3),
                nn.ReLU(),
                nn.MaxPool2D(2),
                nn.Flatten(),
                nn.Dense(1600, 64),
                nn.ReLU(),
                nn.Dense(64, 10),
            )
            names = {
                "0.weight": "c1",
                "0.bias": "cb1",
                "3.weight": "c2",
                "3.bias": "cb2",
                "7.weight": "w1",
                "7.bias": "b1",
                "9.weight": "w2",
                "9.bias": "b2",
            }
        self.model.load_state_dict({name: weights[key] for name, key in names.items()})
        settings = MODELS[model]
        if settings["optimizer"] == "rmsprop":
            self.optimizer = optim.RMSprop(self.model.parameters(), lr=settings["lr"], alpha=0.9)
        else:
            self.optimizer = optim.Adam(self.model.parameters(), lr=settings["lr"])
        self.loss_fn = nn.CrossEntropyLoss()
        self.batch = settings["batch"]

    def train_epoch(self, x: Any, y: Any, order: Any) -> float:
        """One epoch over ``order``; x, y and order live on the model's device (host or GPU)."""
        total = None
        for start in range(0, len(order), self.batch):
            index = order[start : start + self.batch]
            xb, yb = self.tinydl.Tensor(x[index]), self.tinydl.Tensor(y[index])
            loss = self.loss_fn(self.model(xb), yb)
            self.optimizer.zero_grad()
            loss.backward()
            self.optimizer.step()
            total = loss.array if total is None else total + loss.array  # stays on the device
        return float(total) / -(-len(order) // self.batch)  # the epoch's one read: a GPU sync

    def accuracy(self, x: Any, y: Any) -> float:
        with self.tinydl.no_grad():
            logits = (
                self.model(self.tinydl.Tensor(x[i : i + 1000])).array
                for i in range(0, len(y), 1000)
            )
            correct = sum(
                (chunk.argmax(1) == y[i * 1000 : (i + 1) * 1000]).sum()
                for i, chunk in enumerate(logits)
            )
        return float(correct) / len(y)


class TorchSystem:
    def __init__(self, model: str, weights: dict[str, np.ndarray], threads: int) -> None:
        import torch

        torch.set_num_threads(threads)
        self.torch = torch
        nn = torch.nn
        if model == "mlp":
            self.model = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 10))
            layers = {0: ("w1", "b1"), 2: ("w2", "b2")}
        else:
            self.model = nn.Sequential(
                nn.Conv2d(1, 32, 3),
                nn.ReLU(),
                nn.MaxPool2d(2),
                nn.Conv2d(32, 64, 3),
                nn.ReLU(),
                nn.MaxPool2d(2),
                nn.Flatten(),
                nn.Linear(1600, 64),
                nn.ReLU(),
                nn.Linear(64, 10),
            )
            layers = {0: ("c1", "cb1"), 3: ("c2", "cb2"), 7: ("w1", "b1"), 9: ("w2", "b2")}
        with torch.no_grad():
            for index, (weight, bias) in layers.items():
                layer = self.model[index]
                w = torch.from_numpy(weights[weight])
                layer.weight.copy_(w.T if isinstance(layer, nn.Linear) else w)  # (out, in)
                layer.bias.copy_(torch.from_numpy(weights[bias]))
        settings = MODELS[model]
        if settings["optimizer"] == "rmsprop":
            self.optimizer = torch.optim.RMSprop(
                self.model.parameters(), lr=settings["lr"], alpha=0.9
            )
        else:
            self.optimizer = torch.optim.Adam(self.model.parameters(), lr=settings["lr"])
        self.loss_fn = nn.CrossEntropyLoss()
        self.batch = settings["batch"]

    def train_epoch(self, x: np.ndarray, y: np.ndarray, order: np.ndarray) -> float:
        torch = self.torch
        xs, ys = torch.from_numpy(x), torch.from_numpy(y)
        index_all = torch.from_numpy(order)
        total = 0.0
        for start in range(0, len(order), self.batch):
            index = index_all[start : start + self.batch]
            loss = self.loss_fn(self.model(xs[index]), ys[index])
            self.optimizer.zero_grad()
            loss.backward()
            self.optimizer.step()
            total += loss.item()
        return total / -(-len(order) // self.batch)

    def accuracy(self, x: np.ndarray, y: np.ndarray) -> float:
        with self.torch.no_grad():
            logits = np.concatenate(
                [
                    self.model(self.torch.from_numpy(x[i : i + 1000])).numpy()
                    for i in range(0, len(x), 1000)
                ]
            )
        return float((logits.argmax(1) == y).mean())


class NumpySystem:
    """The MLP by hand: the float32 forward, backward and RMSprop a careful person writes."""

    def __init__(self, model: str, weights: dict[str, np.ndarray]) -> None:
        if model != "mlp":
            raise ValueError("the plain NumPy loop exists for the MLP only")
        self.p = {k: v.copy() for k, v in weights.items()}
        self.square = {k: np.zeros_like(v) for k, v in weights.items()}
        self.lr, self.alpha, self.eps = MODELS["mlp"]["lr"], 0.9, 1e-8
        self.batch = MODELS["mlp"]["batch"]

    def train_epoch(self, x: np.ndarray, y: np.ndarray, order: np.ndarray) -> float:
        p, total = self.p, 0.0
        for start in range(0, len(order), self.batch):
            index = order[start : start + self.batch]
            xb, yb = x[index], y[index]
            n = len(index)
            h = xb @ p["w1"] + p["b1"]
            np.maximum(h, 0, out=h)
            logits = h @ p["w2"] + p["b2"]
            logits -= logits.max(axis=1, keepdims=True)
            exp = np.exp(logits)
            probs = exp / exp.sum(axis=1, keepdims=True)
            total += float(-np.log(probs[np.arange(n), yb]).mean())
            probs[np.arange(n), yb] -= 1
            probs /= n
            grads = {"w2": h.T @ probs, "b2": probs.sum(axis=0)}
            dh = probs @ p["w2"].T
            dh *= h > 0
            grads["w1"], grads["b1"] = xb.T @ dh, dh.sum(axis=0)
            for k, g in grads.items():
                s = self.square[k]
                s *= self.alpha
                s += (1 - self.alpha) * g * g
                p[k] -= self.lr * g / (np.sqrt(s) + self.eps)
        return total / -(-len(order) // self.batch)

    def accuracy(self, x: np.ndarray, y: np.ndarray) -> float:
        predictions = []
        for i in range(0, len(x), 1000):  # in chunks of 1000, like the other systems
            h = np.maximum(x[i : i + 1000] @ self.p["w1"] + self.p["b1"], 0)
            predictions.append((h @ self.p["w2"] + self.p["b2"]).argmax(1))
        return float((np.concatenate(predictions) == y).mean())


# ---------------------------------------------------------------------------------------
# Worker: one system per process, driven line by line over stdin/stdout.
# ---------------------------------------------------------------------------------------
def worker(system: str, model: str, weights_path: str, threads: int) -> None:
    x, y, x_test, y_test = load_data(model)
    weights = dict(np.load(weights_path))
    if system == "tinydl":
        trainer = TinydlSystem(model, weights)
    elif system == "torch":
        trainer = TorchSystem(model, weights, threads)
    else:
        trainer = NumpySystem(model, weights)
    reset_peak_rss()
    baseline = rss_mb()
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        command = json.loads(line)
        if command["do"] == "epoch":
            order = epoch_order(command["epoch"], len(x))
            started = time.perf_counter()
            loss = trainer.train_epoch(x, y, order)
            seconds = time.perf_counter() - started
            print(json.dumps({"seconds": seconds, "loss": loss}), flush=True)
        elif command["do"] == "finish":
            print(
                json.dumps(
                    {
                        "accuracy": trainer.accuracy(x_test, y_test),
                        "peak_growth_mb": peak_rss_mb() - baseline,
                    }
                ),
                flush=True,
            )
            return


def start_worker(system: str, model: str, weights_path: str, threads: int) -> subprocess.Popen:
    env = dict(
        os.environ,
        OMP_NUM_THREADS=str(threads),
        OPENBLAS_NUM_THREADS=str(threads),
        MKL_NUM_THREADS=str(threads),
    )
    process = subprocess.Popen(
        [
            sys.executable,
            __file__,
            "--worker",
            system,
            "--model",
            model,
            "--weights",
            weights_path,
            "--threads",
            str(threads),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert json.loads(process.stdout.readline())["ready"]
    return process


def ask(process: subprocess.Popen, command: dict) -> dict:
    process.stdin.write(json.dumps(command) + "\n")
    process.stdin.flush()
    return json.loads(process.stdout.readline())


def available_systems(model: str) -> list[str]:
    systems = ["tinydl"]
    try:
        import torch  # noqa: F401

        systems.append("torch")
    except ImportError:
        print("PyTorch is not installed: pip install torch==2.13.0 to compare with it")
    if model == "mlp":
        systems.append("numpy")
    return systems


def append_result(file_name: str, text: str) -> None:
    """Add ``text`` to benchmarks/results/FILE_NAME: the files are logs of runs."""
    results = HERE / "results" / file_name
    results.parent.mkdir(exist_ok=True)
    with results.open("a") as f:
        f.write(text + "\n")


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, NumPy {np.__version__}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=list(MODELS), default="mlp")
    parser.add_argument("--epochs", type=int, default=3, help="timed epochs per system")
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--weights", help=argparse.SUPPRESS)
    parser.add_argument("--systems", help="comma-separated subset of tinydl,torch,numpy")
    parser.add_argument(
        "--no-record", action="store_true", help="do not append to the results file"
    )
    fast_mode.add_option(parser)
    args = parser.parse_args()
    if args.worker:  # its mode comes from the parent, through TINYDL_FAST_PATHS
        worker(args.worker, args.model, args.weights, args.threads)
        return
    mode = fast_mode.set_mode(args.readable)

    systems = available_systems(args.model)
    if args.systems:
        systems = [s for s in systems if s in args.systems.split(",")]
    with tempfile.TemporaryDirectory() as folder:
        weights_path = str(Path(folder) / "weights.npz")
        np.savez(weights_path, **initial_weights(args.model))
        workers = {s: start_worker(s, args.model, weights_path, args.threads) for s in systems}
        times: dict[str, list[float]] = {s: [] for s in systems}
        losses: dict[str, list[float]] = {s: [] for s in systems}
        for epoch in range(args.epochs):
            for system in systems:  # interleaved: A B C, A B C, ...
                reply = ask(workers[system], {"do": "epoch", "epoch": epoch})
                times[system].append(reply["seconds"])
                losses[system].append(reply["loss"])
                seconds, loss = reply["seconds"], reply["loss"]
                print(f"epoch {epoch + 1} {system:>6}: {seconds:.2f}s loss {loss:.4f}", flush=True)
        final = {s: ask(workers[s], {"do": "finish"}) for s in systems}

    settings = MODELS[args.model]
    reference = statistics.median(times["torch"]) if "torch" in times else None
    rows = [
        "| system | median s/epoch | samples/s | vs PyTorch | peak memory growth (MB) "
        "| test accuracy | final loss |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for system in systems:
        median = statistics.median(times[system])
        ratio = f"{median / reference:.2f}x" if reference else "n/a"
        rows.append(
            f"| {system} | {median:.2f} | {60000 / median:,.0f} | {ratio} | "
            f"{final[system]['peak_growth_mb']:.0f} | {final[system]['accuracy']:.4f} | "
            f"{losses[system][-1]:.4f} |"
        )
    header = (
        f"### {args.model}: batch {settings['batch']}, {settings['optimizer']}, "
        f"{args.epochs} epochs, {args.threads} threads ({time.strftime('%Y-%m-%d')})\n\n"
        f"Machine: {machine()}. Command: `python benchmarks/mnist_speed.py --model {args.model} "
        f"--epochs {args.epochs}{' --readable' if args.readable else ''}`. tinydl: {mode}.\n"
    )
    table = header + "\n" + "\n".join(rows) + "\n"
    print()
    print(table)
    if not args.no_record:
        append_result("mnist_speed.md", table)


if __name__ == "__main__":
    main()
