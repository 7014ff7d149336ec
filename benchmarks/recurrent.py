"""mnist-lstm training speed, side by side: tinydl's LSTM vs PyTorch's CPU ``nn.LSTM``.

    python benchmarks/recurrent.py                  # one full epoch each, interleaved
    python benchmarks/recurrent.py --batches 100    # a shorter run, scaled to an epoch

The model is ``tinydl train mnist-lstm``'s: each digit as 28 rows of 28 pixels through
LSTM(128), the last hidden state into Dense(10), Adam(1e-3), batch 128. Both systems start
from the same weights (PyTorch's state dict is loaded into tinydl: same names, same
layout), see the same batches in the same order and use the same number of threads; the
work is interleaved in rounds of 20 batches (tinydl, PyTorch, tinydl, …) so drift in the
machine's speed hits both alike. Reported: seconds per epoch (469 batches), the ratio,
and the test accuracy each reached after the timed batches (speed may not come from
doing less work).

Where tinydl's time goes is measured, not guessed, for one training step:
- GEMMs: the same matrix products alone (x W_ihᵀ for all steps, 28 × h W_hhᵀ forward,
  28 × dA W_hh backward, the two weight-gradient GEMMs, the head);
- per-step Python overhead: the same step with every array shrunk to N = 1, H = 1, where
  arithmetic is free and only the interpreter and NumPy call overheads remain;
- the rest is element-wise work (gates, cell, their gradients: passes over memory).
tinydl runs its fast paths (``--readable``: the plain versions of the ops; fast_mode.py);
the same step with the fast paths off (the LSTM composed from small ops, the textbook
Adam) is timed as well.

Results are printed and appended to benchmarks/results/recurrent.md with the machine and
the mode.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable

import fast_mode  # sibling scripts, not a package
import numpy as np
from mnist_speed import append_result, machine

ROUND, BATCH, HIDDEN, EPOCH_BATCHES = 20, 128, 128, 469


def tinydl_model(state: dict[str, np.ndarray]):
    from tinydl import optim, zoo

    model = zoo.RowLSTM(HIDDEN)
    model.load_state_dict(state)
    return model, optim.Adam(model.parameters(), lr=1e-3)


def torch_model(state: dict[str, np.ndarray]):
    import torch

    from tinydl import zoo

    class RowLSTM(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.lstm = torch.nn.LSTM(28, HIDDEN, batch_first=True)
            self.head = torch.nn.Linear(HIDDEN, 10)

        def forward(self, x):
            x = (x - zoo.RowLSTM.MEAN) / zoo.RowLSTM.STD  # the tinydl model standardises too
            return self.head(self.lstm(x)[0][:, -1])

    model = RowLSTM()
    torch_state = {k: torch.tensor(v) for k, v in state.items()}
    torch_state["head.weight"] = torch_state["head.weight"].T.contiguous()  # (in,out)->(out,in)
    model.load_state_dict(torch_state)
    return model, torch.optim.Adam(model.parameters(), lr=1e-3)


def tinydl_step(model, optimizer) -> Callable[[np.ndarray, np.ndarray], None]:
    import tinydl
    from tinydl.ops.losses import cross_entropy

    def step(x: np.ndarray, y: np.ndarray) -> None:
        loss = cross_entropy(model(tinydl.tensor(x)), tinydl.tensor(y))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    return step


def torch_step(model, optimizer) -> Callable[[np.ndarray, np.ndarray], None]:
    import torch

    def step(x: np.ndarray, y: np.ndarray) -> None:
        loss = torch.nn.functional.cross_entropy(model(torch.from_numpy(x)), torch.from_numpy(y))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    return step


def accuracy(predict: Callable[[np.ndarray], np.ndarray], x: np.ndarray, y: np.ndarray) -> float:
    correct = sum(int((predict(x[i : i + 1000]).argmax(1) == y[i : i + 1000]).sum())
                  for i in range(0, len(x), 1000))
    return correct / len(x)


def median_ms(run: Callable[[], object], repeats: int = 20,
              before: Callable[[], object] = lambda: None) -> float:
    """The median of ``repeats`` timed calls of ``run`` (after one untimed), each preceded
    by an untimed ``before()``."""
    run()
    times = []
    for _ in range(repeats):
        before()
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1e3


def breakdown(state: dict[str, np.ndarray], x: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """Milliseconds per training step: the whole step, its GEMMs alone, and the same step
    on N = 1, H = 1 arrays (the per-step overhead that does not depend on size)."""
    import tinydl
    from tinydl import optim, zoo

    step = tinydl_step(*tinydl_model(state))
    whole = median_ms(lambda: step(x, y))
    rng = np.random.default_rng(0)
    f32 = np.float32
    h = rng.standard_normal((BATCH, HIDDEN)).astype(f32)
    w_hh = rng.standard_normal((4 * HIDDEN, HIDDEN)).astype(f32)
    ga = rng.standard_normal((BATCH, 4 * HIDDEN)).astype(f32)
    rows = rng.standard_normal((28 * BATCH, 4 * HIDDEN)).astype(f32)
    xs = x.transpose(1, 0, 2).reshape(-1, 28)
    hs = rng.standard_normal((28 * BATCH, HIDDEN)).astype(f32)
    w_ih = rng.standard_normal((4 * HIDDEN, 28)).astype(f32)
    head = rng.standard_normal((HIDDEN, 10)).astype(f32)

    def gemms() -> None:
        _ = xs @ w_ih.T  # the input projection of all 28 steps
        for _ in range(28):
            _ = h @ w_hh.T  # forward, one per step
            _ = ga @ w_hh  # backward, one per step
        _ = rows.T @ hs, rows.T @ xs  # dW_hh and dW_ih over all steps at once
        _ = h @ head, h.T @ (h @ head), (h @ head) @ head.T  # Dense(10) and its gradients

    tiny_model = zoo.RowLSTM(1)
    tiny = tinydl_step(tiny_model, optim.Adam(tiny_model.parameters(), lr=1e-3))
    plain = tinydl_step(*tinydl_model(state))

    def plain_step() -> None:  # the LSTM composed from small ops, the textbook Adam
        with tinydl.fast_paths(False):
            plain(x, y)

    return {"step": whole, "gemm": median_ms(gemms),
            "overhead": median_ms(lambda: tiny(x[:1], y[:1])),
            "plain": median_ms(plain_step, repeats=10)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=EPOCH_BATCHES,
                        help="timed batches per system (469 = one epoch)")
    parser.add_argument("--threads", type=int, default=1,
                        help="threads for both (set before NumPy loads; default 1)")
    parser.add_argument("--no-record", action="store_true")
    fast_mode.add_option(parser)
    args = parser.parse_args()
    for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        if os.environ.get(variable) != str(args.threads):
            os.environ[variable] = str(args.threads)
            os.execv(sys.executable, [sys.executable, *sys.argv])  # BLAS reads it once
    import torch

    import tinydl
    from tinydl import data, zoo

    mode = fast_mode.set_mode(args.readable)
    torch.set_num_threads(args.threads)
    (x_train, y_train), (x_test, y_test) = data.load_mnist(progress=False)
    x_train, x_test = data.to_float(x_train), data.to_float(x_test)
    y_train, y_test = y_train.astype(np.int64), y_test.astype(np.int64)
    order = np.random.default_rng(0).permutation(len(x_train))
    batches = [order[i : i + BATCH] for i in range(0, len(order), BATCH)][: args.batches]

    tinydl.random.manual_seed(0)
    state = zoo.RowLSTM(HIDDEN).state_dict()
    systems = {"tinydl": tinydl_model(state), "PyTorch": torch_model(state)}
    steps = {"tinydl": tinydl_step(*systems["tinydl"]), "PyTorch": torch_step(*systems["PyTorch"])}
    seconds = dict.fromkeys(steps, 0.0)
    for start in range(0, len(batches), ROUND):
        for name, step in steps.items():
            began = time.perf_counter()
            for index in batches[start : start + ROUND]:
                step(x_train[index], y_train[index])
            seconds[name] += time.perf_counter() - began

    with tinydl.no_grad(), torch.no_grad():
        tiny_model = systems["tinydl"][0]
        torch_net = systems["PyTorch"][0]
        accuracies = {
            "tinydl": accuracy(lambda x: tiny_model(tinydl.tensor(x)).numpy(), x_test, y_test),
            "PyTorch": accuracy(lambda x: torch_net(torch.from_numpy(x)).numpy(), x_test, y_test),
        }
    parts = breakdown(state, x_train[batches[0]], y_train[batches[0]])
    scale = EPOCH_BATCHES / len(batches)
    per_epoch = {name: s * scale for name, s in seconds.items()}
    ratio = per_epoch["tinydl"] / per_epoch["PyTorch"]
    elementwise = parts["step"] - parts["gemm"] - parts["overhead"]
    lines = [
        f"## {time.strftime('%Y-%m-%d %H:%M')} - {machine()}, {args.threads} thread(s), "
        f"torch {torch.__version__}, shared machine (other jobs running: timings are noisy); "
        f"tinydl: {mode}",
        "",
        f"{len(batches)} batches of {BATCH} per system, interleaved in rounds of {ROUND}; "
        f"s/epoch scaled to {EPOCH_BATCHES} batches.",
        "",
        "| system | s/epoch | samples/s | vs PyTorch | test accuracy after the timed batches |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name in steps:
        lines.append(
            f"| {name} | {per_epoch[name]:.1f} | {EPOCH_BATCHES * BATCH / per_epoch[name]:.0f} | "
            f"{per_epoch[name] / per_epoch['PyTorch']:.2f}x | {accuracies[name]:.4f} |"
        )
    lines += [
        "",
        f"tinydl, one training step (median): {parts['step']:.1f} ms = GEMMs "
        f"{parts['gemm']:.1f} ms ({parts['gemm'] / parts['step']:.0%}) + per-step Python and "
        f"call overhead {parts['overhead']:.1f} ms ({parts['overhead'] / parts['step']:.0%}) "
        f"+ element-wise passes {elementwise:.1f} ms ({elementwise / parts['step']:.0%}).",
        f"The same step with the fast paths off (the LSTM composed from small ops, the "
        f"textbook Adam): {parts['plain']:.1f} ms, {parts['plain'] / parts['step']:.2f}x.",
        f"Ratio tinydl / PyTorch: {ratio:.2f}x (target <= 1.5x).",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    if not args.no_record:
        append_result("recurrent.md", text)


if __name__ == "__main__":
    main()
