"""Issue 25's table: the step time of six workloads, tinydl against PyTorch (CPU), each
model written once against the names both libraries share, as a new user would write it;
and of the project's own DCGAN and GPT examples (``dcgan_example``, ``gpt_example``: the
examples' tinydl models against PyTorch twins built layer for layer from them).

    python benchmarks/workloads.py                       # all eight, 2 threads, 7 rounds
    python benchmarks/workloads.py --only dcgan lstm --threads 1 --rounds 5

Each system runs in its own long-lived worker process (so neither one's BLAS or OpenMP
threads spin beside the other's), both with the same thread count and with tinydl's
allocator settings (``tinydl/backend/host_memory.py``; ``--torch-default-allocator``
leaves PyTorch on glibc's defaults, as a PyTorch user runs it). The driver alternates
rounds between the two workers; each round times ``--seconds`` worth of training steps,
and the table reports the median of the per-round ratios (tinydl / PyTorch) with their
range. Both start from their own initial weights on the same fixed batches: the step's
cost does not depend on the weights' values.

The other load on the machine is recorded round by round: the busy CPU time of the whole
machine (``/proc/stat``) less the driver's and the workers' own (``/proc/<pid>/stat``), in
cores; above about 0.3 on two cores a ratio is noise. Peak memory is each worker's
maximum resident set (``VmHWM``) after its last round. tinydl runs its fast paths
(``--readable``: the plain versions of the ops; fast_mode.py).

Results are appended to benchmarks/results/workloads.md.
"""

from __future__ import annotations

import argparse
import os
import shlex
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # the sibling scripts, not a package
from mnist_speed import peak_rss_mb  # noqa: E402

BETAS = (0.5, 0.999)


def training_step(model: Any, optimizer: Any, loss_fn: Any, x: Any, y: Any
                  ) -> Callable[[], None]:
    """One training step on a fixed batch of tensors, written once for both systems."""

    def step() -> None:
        loss = loss_fn(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    return step


def classification_step(model: Any, optimizer: Any, loss_fn: Any, framework: Any,
                        inputs: np.ndarray, labels: np.ndarray) -> Callable[[], None]:
    """:func:`training_step` on NumPy inputs and labels, made tensors of ``framework``."""
    return training_step(model, optimizer, loss_fn, framework.from_numpy(inputs),
                         framework.from_numpy(labels))


def images(batch: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    return (rng.uniform(0, 1, (batch, 1, 28, 28)).astype(np.float32),
            rng.integers(0, 10, batch).astype(np.int64))


def mlp(framework: Any, rng: np.random.Generator) -> Callable[[], None]:
    """MNIST MLP 784-512-10, RMSprop, batch 128."""
    nn = framework.nn
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 10))
    optimizer = framework.optim.RMSprop(model.parameters(), lr=1e-3)
    return classification_step(model, optimizer, nn.CrossEntropyLoss(), framework,
                               *images(128, rng))


def fast_cnn(framework: Any, rng: np.random.Generator) -> Callable[[], None]:
    """The fast CNN (``mnist-fast``'s net), Adam, batch 256."""
    nn = framework.nn
    model = nn.Sequential(
        nn.Conv2d(1, 16, 5), nn.MaxPool2d(2), nn.ReLU(), nn.Conv2d(16, 32, 3), nn.MaxPool2d(2),
        nn.ReLU(), nn.Flatten(), nn.Linear(800, 256), nn.ReLU(), nn.Linear(256, 10),
    )  # fmt: skip
    optimizer = framework.optim.Adam(model.parameters(), lr=1e-3, betas=(0.7, 0.9))
    return classification_step(model, optimizer, nn.CrossEntropyLoss(label_smoothing=0.2),
                               framework, *images(256, rng))


def seed_cnn(framework: Any, rng: np.random.Generator) -> Callable[[], None]:
    """The seed CNN (``mnist-cnn``), Adam, batch 64."""
    nn = framework.nn
    model = nn.Sequential(
        nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3), nn.ReLU(),
        nn.MaxPool2d(2), nn.Flatten(), nn.Linear(64 * 5 * 5, 64), nn.ReLU(), nn.Linear(64, 10),
    )  # fmt: skip
    optimizer = framework.optim.Adam(model.parameters(), lr=1e-3)
    return classification_step(model, optimizer, nn.CrossEntropyLoss(), framework,
                               *images(64, rng))


def lstm(framework: Any, rng: np.random.Generator) -> Callable[[], None]:
    """An LSTM over the 28 rows of each digit, hidden 128, its last output -> Linear(10);
    Adam, batch 128."""
    nn = framework.nn

    class RowLSTM(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.lstm = nn.LSTM(28, 128, batch_first=True)
            self.head = nn.Linear(128, 10)

        def forward(self, x: Any) -> Any:
            output, _ = self.lstm(x)
            return self.head(output[:, -1])

    model = RowLSTM()
    x, y = images(128, rng)
    optimizer = framework.optim.Adam(model.parameters(), lr=1e-3)
    return classification_step(model, optimizer, nn.CrossEntropyLoss(), framework,
                               x.reshape(128, 28, 28), y)


def gpt(framework: Any, rng: np.random.Generator) -> Callable[[], None]:
    """A GPT: token and position embeddings, 4 pre-norm blocks (d 128, 4 heads, a GELU(tanh)
    MLP of 512), causal, context 64, a LayerNorm and a Linear head over 96 tokens;
    AdamW, batch 32."""
    nn = framework.nn
    vocab, context, dim = 96, 64, 128

    class GPT(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.tokens = nn.Embedding(vocab, dim)
            self.positions = nn.Embedding(context, dim)
            self.blocks = nn.ModuleList([
                nn.TransformerEncoderLayer(dim, 4, 4 * dim, dropout=0.0,
                                           activation=nn.GELU(approximate="tanh"),
                                           batch_first=True, norm_first=True)
                for _ in range(4)
            ])
            self.norm = nn.LayerNorm(dim)
            self.head = nn.Linear(dim, vocab)
            self.mask = nn.Transformer.generate_square_subsequent_mask(context)
            self.where = framework.arange(context)

        def forward(self, tokens: Any) -> Any:
            x = self.tokens(tokens) + self.positions(self.where)
            for block in self.blocks:
                x = block(x, src_mask=self.mask, is_causal=True)
            return self.head(self.norm(x))

    model = GPT()
    optimizer = framework.optim.AdamW(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    tokens = framework.from_numpy(rng.integers(0, vocab, (32, context + 1)).astype(np.int64))
    inputs, targets = tokens[:, :-1], tokens[:, 1:].reshape(-1)

    def step() -> None:
        loss = loss_fn(model(inputs).reshape(-1, vocab), targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    return step


def dcgan(framework: Any, rng: np.random.Generator) -> Callable[[], None]:
    """The issue's DCGAN iteration, batch 64: G: Linear -> 128·7·7 -> BN -> ReLU ->
    ConvT 128->64 -> BN -> ReLU -> ConvT 64->1 -> tanh; D: Conv 1->64 -> LeakyReLU ->
    Conv 64->128 -> BN -> LeakyReLU -> Linear; one iteration of ``train_gan`` (D on real
    and detached fakes, D's Adam step, G's non-saturating loss, G's Adam step)."""
    from gan_step import iteration_of  # a sibling script: the iteration, written once

    nn = framework.nn

    class Generator(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.project = nn.Linear(100, 128 * 7 * 7)
            self.upsample = nn.Sequential(
                nn.BatchNorm2d(128), nn.ReLU(),
                nn.ConvTranspose2d(128, 64, 4, stride=2, padding=1),
                nn.BatchNorm2d(64), nn.ReLU(),
                nn.ConvTranspose2d(64, 1, 4, stride=2, padding=1), nn.Tanh(),
            )

        def forward(self, noise: Any) -> Any:
            return self.upsample(self.project(noise).reshape(-1, 128, 7, 7))

    discriminator = nn.Sequential(
        nn.Conv2d(1, 64, 4, stride=2, padding=1), nn.LeakyReLU(0.2),
        nn.Conv2d(64, 128, 4, stride=2, padding=1), nn.BatchNorm2d(128), nn.LeakyReLU(0.2),
        nn.Flatten(), nn.Linear(128 * 7 * 7, 1),
    )  # fmt: skip

    def noise(count: int, rng: np.random.Generator) -> np.ndarray:
        return rng.standard_normal((count, 100)).astype(np.float32)

    return iteration_of(Generator(), discriminator, framework, framework.optim.Adam,
                        nn.BCEWithLogitsLoss(), framework.from_numpy, noise, 64)


# ---- the project's own examples: tinydl's model, PyTorch's layer-for-layer twin -----------
# (built from the tinydl model, so the PyTorch worker imports tinydl too)

def dcgan_example(framework: Any, rng: np.random.Generator) -> Callable[[], None]:
    """examples/dcgan_mnist.py's DCGAN, one ``train_gan`` iteration, batch 64 (gan_step.py)."""
    from gan_step import EXAMPLES, tinydl_iteration, torch_iteration

    example, batch = EXAMPLES["dcgan_mnist"]
    if framework.__name__ == "tinydl":
        return tinydl_iteration(example, batch)
    return torch_iteration(example, batch, framework)


def gpt_example(framework: Any, rng: np.random.Generator) -> Callable[[], None]:
    """examples/gpt_addition.py's GPT (2 blocks, d 128, 4 heads) on 2-digit additions, batch
    128, AdamW with gradient clipping (transformer.py's step)."""
    sys.path.insert(0, str(HERE.parent / "examples"))
    import gpt_addition
    from transformer import BATCH, DIGITS, DIM, HEADS, LAYERS, TorchGPT

    task = gpt_addition.Addition(DIGITS, 1000, rng)
    tokens = task.encode(task.sample(BATCH, rng))
    vocab, length, prompt = len(gpt_addition.VOCAB), tokens.shape[1] - 1, task.prompt_length
    if framework.__name__ == "tinydl":
        model = gpt_addition.GPT(vocab, length, DIM, HEADS, LAYERS)
        optimizer = framework.optim.AdamW(model.parameters(), lr=1e-3)

        def loss() -> Any:
            return gpt_addition.loss_on_answers(model, tokens, prompt)
    else:
        model = TorchGPT(framework, vocab, length)
        optimizer = framework.optim.AdamW(model.parameters(), lr=1e-3)
        inputs = framework.from_numpy(tokens[:, :-1])
        target = framework.from_numpy(tokens[:, prompt:]).reshape(-1)

        def loss() -> Any:
            logits = model(inputs)[:, prompt - 1 :]
            return framework.nn.functional.cross_entropy(logits.reshape(-1, vocab), target)

    def step() -> None:
        value = loss()
        optimizer.zero_grad()
        value.backward()
        framework.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()

    return step


WORKLOADS: dict[str, Callable[[Any, np.random.Generator], Callable[[], None]]] = {
    "mlp": mlp, "fast_cnn": fast_cnn, "seed_cnn": seed_cnn, "lstm": lstm, "gpt": gpt,
    "dcgan": dcgan, "dcgan_example": dcgan_example, "gpt_example": gpt_example,
}


# ---- the worker: one system, one workload, timing on request --------------------------

def worker(system: str, name: str, torch_default_allocator: bool, clock: str) -> None:
    """Build ``name`` in ``system``; then, for each line ``seconds`` on stdin, train for about
    that long and answer with the median milliseconds per step (wall-clock, or with
    ``clock == "cpu"`` this process's CPU time); ``memory`` answers the peak resident set
    in MB."""
    now = time.process_time if clock == "cpu" else time.perf_counter
    if system == "torch":
        import torch

        if not torch_default_allocator:
            from tinydl.backend.host_memory import keep_freed_memory

            keep_freed_memory()
        torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))
        framework = torch
    else:
        import tinydl

        framework = tinydl
    framework.manual_seed(0)
    step = WORKLOADS[name](framework, np.random.default_rng(0))
    started = time.perf_counter()
    for _ in range(3):  # warm up: first calls allocate and fill caches
        step()
    per_step = (time.perf_counter() - started) / 3
    print("ready", flush=True)
    for line in sys.stdin:
        if line.strip() == "memory":
            print(peak_rss_mb(), flush=True)  # VmHWM: this worker's own peak
            continue
        count = max(3, round(float(line) / per_step))
        times = []
        for _ in range(count):
            began = now()
            step()
            times.append(now() - began)
        per_step = statistics.median(times)
        print(per_step * 1e3, flush=True)


# ---- the driver ----------------------------------------------------------------------

def blas_kernels() -> str:
    """The CPU kernels NumPy's OpenBLAS runs (detected at load; ``OPENBLAS_CORETYPE`` in the
    environment overrides the detection), e.g. Haswell (AVX2) or SkylakeX (AVX-512)."""
    import ctypes

    maps = Path("/proc/self/maps").read_text().split("\n")
    libraries = {line.split()[-1] for line in maps if "openblas" in line.lower()}
    for library in map(ctypes.CDLL, libraries):
        for symbol in ("scipy_openblas_get_corename64_", "openblas_get_corename"):
            if hasattr(library, symbol):
                corename = getattr(library, symbol)
                corename.restype = ctypes.c_char_p
                return corename().decode()
    return "unknown"


def busy_ticks() -> int:
    """The machine's busy CPU time so far, in clock ticks (all cores, every state but idle
    and waiting for I/O)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return sum(fields) - fields[3] - fields[4]


def own_ticks(pid: int) -> int:
    """Process ``pid``'s CPU time (user + system, all its threads), in clock ticks."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


class Worker:
    def __init__(self, system: str, name: str, args: argparse.Namespace,
                 tinydl_path: str | None = None) -> None:
        command = [sys.executable, __file__, "--worker", system, "--only", name,
                   "--clock", args.clock, "--threads", str(args.threads)]
        if args.torch_default_allocator:
            command.append("--torch-default-allocator")
        environment = dict(os.environ, TINYDL_FAST_PATHS="0" if args.readable else "1")
        if tinydl_path:  # another checkout's tinydl (--before)
            environment["PYTHONPATH"] = tinydl_path
        if system == "torch" and args.torch_default_allocator:
            environment["TINYDL_KEEP_MEMORY"] = "0"
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        text=True, env=environment)
        if self.ask(None) != "ready":
            raise SystemExit(f"the {system} worker for {name} did not start")

    def ask(self, request: str | None) -> str:
        if request is not None:
            self.process.stdin.write(request + "\n")
            self.process.stdin.flush()
        return self.process.stdout.readline().strip()

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait()


def measure(name: str, args: argparse.Namespace) -> tuple[str, dict[str, float]]:
    """Time ``name`` in both systems (and ``--before``'s) in alternating rounds: the table's
    row, and each system's median milliseconds per step."""
    workers = {system: Worker(system, name, args) for system in ("tinydl", "torch")}
    if args.before:
        workers["before"] = Worker("tinydl", name, args, args.before)
    pids = [os.getpid()] + [w.process.pid for w in workers.values()]
    times: dict[str, list[float]] = {system: [] for system in workers}
    other = []
    ticks_per_second = os.sysconf("SC_CLK_TCK")
    for _ in range(args.rounds):
        began, busy, ours = time.perf_counter(), busy_ticks(), sum(map(own_ticks, pids))
        for system, process in workers.items():
            times[system].append(float(process.ask(str(args.seconds))))
        elapsed = time.perf_counter() - began
        others = (busy_ticks() - busy) - (sum(map(own_ticks, pids)) - ours)
        other.append(max(others, 0) / ticks_per_second / elapsed)
    memory = {system: float(w.ask("memory")) for system, w in workers.items()}
    for process in workers.values():
        process.close()
    ratios = [a / b for a, b in zip(times["tinydl"], times["torch"], strict=True)]
    row = (
        f"| {name} | {statistics.median(times['tinydl']):.1f} | "
        f"{statistics.median(times['torch']):.1f} | **{statistics.median(ratios):.2f}x** "
        f"({min(ratios):.2f}-{max(ratios):.2f}) | {memory['tinydl']:.0f} / {memory['torch']:.0f} "
        f"| {statistics.median(other):.2f} ({max(other):.2f}) |"
    )
    if args.before:
        gains = [a / b for a, b in zip(times["tinydl"], times["before"], strict=True)]
        row += (
            f" {statistics.median(times['before']):.1f} | {statistics.median(gains):.2f}x "
            f"({min(gains):.2f}-{max(gains):.2f}) | {memory['before']:.0f} |"
        )
    print(row, flush=True)
    return row, {system: statistics.median(ms) for system, ms in times.items()}


def add_options(parser: argparse.ArgumentParser) -> None:
    """The options that say what to time and how (benchmarks/roofline.py takes them too)."""
    parser.add_argument("--only", nargs="+", choices=list(WORKLOADS), default=list(WORKLOADS))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--seconds", type=float, default=1.5, help="per round and system")
    parser.add_argument("--torch-default-allocator", action="store_true")
    parser.add_argument(
        "--clock", choices=("wall", "cpu"), default="wall",
        help="time steps by the wall clock, or (one thread only) by each worker's CPU time, "
        "which a busy machine's time slicing leaves out (its cache and memory contention stay)")
    parser.add_argument("--worker", choices=("tinydl", "torch"), help=argparse.SUPPRESS)
    parser.add_argument("--before", metavar="DIR",
                        help="also time the tinydl of another checkout (e.g. a git worktree of "
                        "the previous commit) in a third worker, for a before/after ratio")
    parser.add_argument("--no-record", action="store_true")
    import fast_mode

    fast_mode.add_option(parser)


def parse(parser: argparse.ArgumentParser) -> tuple[argparse.Namespace, str]:
    """The arguments, with the thread settings put into the environment the workers inherit,
    and the name of the mode tinydl runs in."""
    import fast_mode

    args = parser.parse_args()
    if args.clock == "cpu" and args.threads != 1:
        parser.error("--clock cpu measures one thread's work: use it with --threads 1")
    for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[variable] = str(args.threads)  # the workers' BLAS and OpenMP read these
    if not args.worker:
        # tinydl sets how long OpenBLAS's idle threads spin only when it is imported before
        # NumPy (tinydl/backend/host_threads.py); the workers import NumPy first: they
        # inherit it from here, the PyTorch worker too.
        from tinydl.backend import host_threads

        os.environ.setdefault(host_threads.OPENBLAS_SPIN, host_threads.SPIN_EXPONENT)
    return args, fast_mode.FAST if args.worker else fast_mode.set_mode(args.readable)


def setup_line(script: str, args: argparse.Namespace, mode: str) -> str:
    """What ran: the command, threads, clock, rounds, PyTorch and BLAS, tinydl's mode."""
    import torch

    allocator = "glibc's defaults" if args.torch_default_allocator else "tinydl's settings"
    return (
        f"`python benchmarks/{script} {shlex.join(sys.argv[1:])}`: {args.threads} "
        f"thread(s) for both, {args.clock}-clock time, {args.rounds} alternating rounds of "
        f"about {args.seconds} s per system, each worker a separate long-lived process; "
        f"PyTorch {torch.__version__} with {allocator}; NumPy's OpenBLAS on its "
        f"{blas_kernels()} kernels, OPENBLAS_THREAD_TIMEOUT="
        f"{os.environ.get('OPENBLAS_THREAD_TIMEOUT', '(unset)')}. tinydl: {mode}."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_options(parser)
    args, mode = parse(parser)
    if args.worker:
        worker(args.worker, args.only[0], args.torch_default_allocator, args.clock)
        return
    rows = [
        "| workload | tinydl ms/step | PyTorch ms/step | ratio: median of rounds (range) "
        "| peak MB tinydl / PyTorch | other load, cores: median (max) |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    if args.before:
        rows[0] += " before: ms/step | now / before | before: peak MB |"
        rows[1] += " --- | --- | --- |"
    rows += [measure(name, args)[0] for name in args.only]
    setup = setup_line("workloads.py", args, mode)
    if not args.no_record:
        from results_log import append_run

        append_run("workloads.md", "Issue 25's workloads: tinydl vs PyTorch (CPU)", setup, rows)
    else:
        print(setup)


if __name__ == "__main__":
    main()
