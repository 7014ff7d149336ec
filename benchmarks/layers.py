"""Forward + backward time of each layer of the MNIST models: tinydl vs PyTorch (CPU).

    python benchmarks/layers.py [--threads 2] [--repeats 10] [--rounds 3]

The layers and shapes are those of examples A (the Dense(512) MLP, batch 128) and C
(the two-conv CNN, batch 64): each Dense, Conv2D and MaxPool2D, and the softmax
cross-entropy; then the fused Conv → ReLU → MaxPool blocks that ``nn.Sequential`` runs
for C and for H (``mnist-fast``, batch 256) while the fast paths are on, against PyTorch's
three calls. tinydl runs its fast paths (``--readable``: the plain versions of the ops;
fast_mode.py); the fused rows call the fused Function either way.

Both sides run in this one process, on the same float32 data and the same
number of threads (BLAS/OpenMP for NumPy, ``torch.set_num_threads`` for
PyTorch). Each layer is timed in alternating blocks (tinydl, PyTorch, tinydl,
...) after a warm-up; the table shows the median of all its repeats. Results
are checked against PyTorch first, so a fast wrong answer cannot show up here.

A second table compares two ways to build im2col's columns: one strided copy
per kernel position (what tinydl uses) vs one copy of a ``sliding_window_view``.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from collections.abc import Callable

import fast_mode


def timings_ms(run: Callable[[], object], repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1e3)
    return times


def training_step(op: Callable, inputs: list, grad_output: object) -> Callable[[], object]:
    """One forward+backward call of ``op``; works alike for tinydl and torch tensors."""

    def step() -> object:
        for t in inputs:
            t.grad = None
        y = op(*inputs)
        y.backward(grad_output)
        return y

    return step


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=10, help="timed calls per block")
    parser.add_argument("--rounds", type=int, default=3, help="alternating blocks per side")
    parser.add_argument("--warmup", type=int, default=3)
    fast_mode.add_option(parser)
    args = parser.parse_args()
    # Thread counts must be fixed before NumPy's BLAS starts, hence the imports below.
    for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[variable] = str(args.threads)

    import numpy as np
    import torch

    import tinydl
    from tinydl.ops.conv import conv2d, im2col
    from tinydl.ops.conv_pool import Conv2DMaxPoolFast
    from tinydl.ops.linalg import dense
    from tinydl.ops.losses import cross_entropy
    from tinydl.ops.pooling import max_pool2d

    mode = fast_mode.set_mode(args.readable)
    torch.set_num_threads(args.threads)
    rng = np.random.default_rng(0)
    functional = torch.nn.functional

    def fused_block(x, weight, bias):  # what Sequential runs for Conv2D → ReLU → MaxPool2D
        return Conv2DMaxPoolFast((0, 0), (2, 2), relu=True)(x, weight, bias)

    def torch_block(x, weight, bias):
        return functional.relu(functional.max_pool2d(functional.conv2d(x, weight, bias), 2))

    def float32(*shape: int) -> np.ndarray:
        return rng.standard_normal(shape, dtype=np.float32)

    def batch_last(images: np.ndarray) -> np.ndarray:
        """The same (N, C, H, W) values, stored as tinydl's fused blocks store them."""
        return np.ascontiguousarray(images.transpose(1, 2, 3, 0)).transpose(3, 0, 1, 2)

    labels_a, labels_c = rng.integers(0, 10, 128), rng.integers(0, 10, 64)

    def torch_linear(x, weight, bias):  # nn.Dense keeps its weight as (in, out)
        return torch.nn.functional.linear(x, weight.T, bias)

    # (name, input shape, does the input need a gradient, parameters, tinydl op, torch op)
    layers = [
        ("Dense(784->512)", (128, 784), False, [float32(784, 512), float32(512)],
         dense, torch_linear),
        ("Dense(512->10)", (128, 512), True, [float32(512, 10), float32(10)],
         dense, torch_linear),
        ("softmax CE, 10 classes", (128, 10), True, [],
         lambda x: cross_entropy(x, tinydl.tensor(labels_a)),
         lambda x: torch.nn.functional.cross_entropy(x, torch.tensor(labels_a))),
        ("Conv2D(1->32, 3x3)", (64, 1, 28, 28), False, [float32(32, 1, 3, 3), float32(32)],
         conv2d, torch.nn.functional.conv2d),
        ("Conv2D(32->64, 3x3)", (64, 32, 13, 13), True, [float32(64, 32, 3, 3), float32(64)],
         conv2d, torch.nn.functional.conv2d),
        ("MaxPool2D(2)", (64, 32, 26, 26), True, [],
         lambda x: max_pool2d(x, 2), lambda x: torch.nn.functional.max_pool2d(x, 2)),
        ("MaxPool2D(2), 11x11", (64, 64, 11, 11), True, [],
         lambda x: max_pool2d(x, 2), lambda x: torch.nn.functional.max_pool2d(x, 2)),
        ("Dense(1600->64)", (64, 1600), True, [float32(1600, 64), float32(64)],
         dense, torch_linear),
        ("Dense(64->10)", (64, 64), True, [float32(64, 10), float32(10)],
         dense, torch_linear),
        ("softmax CE, batch 64", (64, 10), True, [],
         lambda x: cross_entropy(x, tinydl.tensor(labels_c)),
         lambda x: torch.nn.functional.cross_entropy(x, torch.tensor(labels_c))),
        ("C block 1, fused", (64, 1, 28, 28), False, [float32(32, 1, 3, 3), float32(32)],
         fused_block, torch_block),
        ("C block 2, fused", (64, 32, 13, 13), True, [float32(64, 32, 3, 3), float32(64)],
         fused_block, torch_block),
        ("H block 1, fused", (256, 1, 28, 28), False, [float32(24, 1, 5, 5), float32(24)],
         fused_block, torch_block),
        ("H block 2, fused", (256, 24, 12, 12), True, [float32(32, 24, 3, 3), float32(32)],
         fused_block, torch_block),
    ]  # fmt: skip

    print(
        f"{platform.machine()} {platform.processor() or ''}, {os.cpu_count()} cores, "
        f"{args.threads} threads; numpy {np.__version__}, torch {torch.__version__}; "
        f"median of {args.rounds}x{args.repeats} float32 forward+backward calls; tinydl: {mode}\n"
    )
    print(
        f"{'layer':22s} {'input':18s} {'dx':>3s} {'tinydl ms':>10s} {'torch ms':>9s} {'ratio':>6s}"
    )
    for name, shape, x_needs_grad, params, ours, theirs in layers:
        x = float32(*shape)
        mine = [tinydl.tensor(x, requires_grad=x_needs_grad)]
        mine += [tinydl.tensor(p, requires_grad=True) for p in params]
        reference = [torch.tensor(x, requires_grad=x_needs_grad)]
        reference += [torch.tensor(p, requires_grad=True) for p in params]
        gy = float32(*ours(*mine).shape)
        gy_mine = tinydl.tensor(gy)
        if name.startswith(("C block 2", "H block 2")):
            # Inside a network, a block's input and upstream gradient come from the block
            # around it stored batch last, (C, H, W, N); PyTorch's come in its own layout.
            mine[0].array, gy_mine.array = batch_last(x), batch_last(gy)

        step_mine = training_step(ours, mine, gy_mine)
        step_torch = training_step(theirs, reference, torch.tensor(gy))
        y_mine, y_torch = step_mine(), step_torch()
        np.testing.assert_allclose(y_mine.numpy(), y_torch.detach().numpy(), atol=1e-4, rtol=1e-4)
        for a, b in zip(mine, reference, strict=True):
            if b.requires_grad:
                np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), atol=1e-2, rtol=1e-4)

        times: dict[str, list[float]] = {"tinydl": [], "torch": []}
        for _ in range(args.rounds):
            for side, step in (("tinydl", step_mine), ("torch", step_torch)):
                timings_ms(step, args.warmup)
                times[side] += timings_ms(step, args.repeats)
        ours_ms, torch_ms = (float(np.median(times[side])) for side in ("tinydl", "torch"))
        print(
            f"{name:22s} {str(shape):18s} {'yes' if x_needs_grad else 'no':>3s} "
            f"{ours_ms:10.2f} {torch_ms:9.2f} {ours_ms / torch_ms:6.2f}"
        )

    print("\nim2col of (64, 32, 13, 13), 3x3 kernel, into (C*KH*KW, N*OH*OW):")
    x = float32(64, 32, 13, 13)

    def via_sliding_window_view() -> np.ndarray:
        windows = np.lib.stride_tricks.sliding_window_view(x, (3, 3), axis=(2, 3))
        return windows.transpose(1, 4, 5, 0, 2, 3).reshape(32 * 9, -1)  # one copy

    def via_strided_copies() -> np.ndarray:
        return im2col(x, (3, 3), (1, 1), (0, 0))

    assert np.array_equal(via_strided_copies(), via_sliding_window_view())
    for label, run in (
        ("strided copy per kernel position (tinydl)", via_strided_copies),
        ("one copy of sliding_window_view", via_sliding_window_view),
    ):
        timings_ms(run, args.warmup)
        print(f"  {label:44s} {np.median(timings_ms(run, args.rounds * args.repeats)):6.2f} ms")


if __name__ == "__main__":
    main()
