"""Training steps per second of the addition GPT: tinydl vs PyTorch (CPU), side by side.

    python benchmarks/transformer.py [--steps 20] [--rounds 5] [--threads 1]

The model is examples/gpt_addition.py's GPT (token + learned position embeddings, 2
pre-norm blocks of causal 4-head attention and a GELU(tanh) MLP, 128 dims, LayerNorm,
a Dense head); the PyTorch twin is built from ``nn.Embedding``,
``nn.TransformerEncoderLayer(norm_first=True)`` and ``nn.Linear``, loaded with tinydl's
initial weights (transposed where PyTorch stores (out, in)). Both take AdamW steps with
gradient clipping on the same batches of 2-digit additions, with the same number of
threads (BLAS/OpenMP for NumPy, ``torch.set_num_threads`` for PyTorch), in this one
process, in alternating rounds of ``--steps`` steps; the table has the median time per
step. The losses after the first step must agree, so a fast wrong model cannot pass.

A cProfile of tinydl's steps then says where the time goes, grouped by operation.
tinydl runs its fast paths (``--readable``: the plain versions of the ops; fast_mode.py);
its step with the fast paths off, and the attention alone both ways, are timed too.
Results are appended to benchmarks/results/transformer.md with the machine and the mode.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import fast_mode  # a sibling script, not a package

HERE = Path(__file__).resolve().parent
BATCH, DIM, HEADS, LAYERS, DIGITS = 128, 128, 4, 2, 2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20, help="steps per timed round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--no-record", action="store_true")
    fast_mode.add_option(parser)
    args = parser.parse_args()
    for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[variable] = str(args.threads)  # before NumPy loads its BLAS

    import numpy as np
    import torch

    sys.path[:0] = [str(HERE), str(HERE.parent / "examples")]
    import gpt_addition
    from mnist_speed import append_result, machine
    from recurrent import median_ms

    import tinydl
    from tinydl import optim

    mode = fast_mode.set_mode(args.readable)

    torch.set_num_threads(args.threads)
    task = gpt_addition.Addition(DIGITS, 1000, np.random.default_rng(0))
    rng = np.random.default_rng(1)
    batches = [task.encode(task.sample(BATCH, rng)) for _ in range(args.steps)]
    tinydl.manual_seed(0)
    model = gpt_addition.GPT(len(gpt_addition.VOCAB), batches[0].shape[1] - 1, DIM, HEADS,
                             LAYERS)
    twin = TorchGPT(torch, len(gpt_addition.VOCAB), batches[0].shape[1] - 1)
    twin.load_state_dict({name: torch.from_numpy(torch_layout(name, values))
                          for name, values in model.state_dict().items()})
    plain_model = gpt_addition.GPT(len(gpt_addition.VOCAB), batches[0].shape[1] - 1, DIM, HEADS,
                                   LAYERS)
    plain_model.load_state_dict(model.state_dict())
    torch_optimizer = torch.optim.AdamW(twin.parameters(), lr=1e-3)
    prompt = task.prompt_length

    def tinydl_trainer(model: Any) -> Callable[[np.ndarray], float]:
        optimizer = optim.AdamW(model.parameters(), lr=1e-3)

        def step(tokens: np.ndarray) -> float:
            loss = gpt_addition.loss_on_answers(model, tokens, prompt)
            optimizer.zero_grad()
            loss.backward()
            optim.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            return float(loss)

        return step

    tinydl_step, plain_trainer = tinydl_trainer(model), tinydl_trainer(plain_model)

    def plain_step(tokens: np.ndarray) -> float:  # composed attention, textbook AdamW
        with tinydl.fast_paths(False):
            return plain_trainer(tokens)

    def torch_step(tokens: np.ndarray) -> float:
        logits = twin(torch.from_numpy(tokens[:, :-1]))[:, prompt - 1:]
        target = torch.from_numpy(tokens[:, prompt:]).reshape(-1)
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), target)
        torch_optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(twin.parameters(), 1.0)
        torch_optimizer.step()
        return loss.item()

    first = tinydl_step(batches[0]), plain_step(batches[0]), torch_step(batches[0])
    print(f"first-step loss: tinydl {first[0]:.6f} (plain {first[1]:.6f}), PyTorch {first[2]:.6f}")
    if max(first) - min(first) > 1e-4:
        raise SystemExit("the models disagree: not the same function, nothing to compare")

    steps = {"tinydl": tinydl_step, "plain": plain_step, "PyTorch": torch_step}
    times: dict[str, list[float]] = {name: [] for name in steps}
    for round_ in range(args.rounds):
        for name, step in steps.items():  # interleaved, so drift hits all three alike
            started = time.perf_counter()
            for tokens in batches:
                loss = step(tokens)
            times[name].append((time.perf_counter() - started) / args.steps)
            print(f"round {round_ + 1} {name:>7}: {times[name][-1] * 1e3:.1f} ms/step, "
                  f"loss {loss:.4f}", flush=True)

    plain_ms = statistics.median(times["plain"]) * 1e3
    attention_ms = attention_both_ways(tinydl, np, batches[0].shape[1] - 1, median_ms)

    profile = cProfile.Profile()
    profile.enable()
    for tokens in batches:
        tinydl_step(tokens)
    profile.disable()
    breakdown = time_by_operation(pstats.Stats(profile))

    tiny, reference = statistics.median(times["tinydl"]), statistics.median(times["PyTorch"])
    count = sum(p.numel() for p in model.parameters())
    lines = [
        f"### GPT ({count:,} parameters, {LAYERS} blocks, {DIM} dims, {HEADS} heads), batch "
        f"{BATCH} of {DIGITS}-digit additions, AdamW + clipping, {args.threads} thread(s) "
        f"({time.strftime('%Y-%m-%d %H:%M')})",
        "",
        f"Machine: {machine()}, shared with other jobs (load average "
        f"{os.getloadavg()[0]:.1f}); torch {torch.__version__}. Command: `python "
        f"benchmarks/transformer.py --steps {args.steps} --rounds {args.rounds} --threads "
        f"{args.threads}{' --readable' if args.readable else ''}`. tinydl: {mode}.",
        "",
        "| system | median ms/step | steps/s | time vs PyTorch |",
        "| --- | --- | --- | --- |",
        f"| tinydl | {tiny * 1e3:.1f} | {1 / tiny:.2f} | {tiny / reference:.2f}x |",
        f"| PyTorch | {reference * 1e3:.1f} | {1 / reference:.2f} | 1.00x |",
        "",
        f"tinydl's step with the fast paths off (composed attention, textbook AdamW): "
        f"{plain_ms:.1f} ms (median of the rounds, interleaved with the two above). The causal "
        f"attention alone, forward and "
        f"backward at this model's shapes, (N, heads, L, d) = ({BATCH}, {HEADS}, "
        f"{batches[0].shape[1] - 1}, {DIM // HEADS}): ScaledDotProductAttentionFast "
        f"{attention_ms[True]:.2f} ms, the composed attention {attention_ms[False]:.2f} ms.",
        "",
        f"Where tinydl's time goes (cProfile of {args.steps} steps, own time grouped):",
        "",
        "| part | share |",
        "| --- | --- |",
        *[f"| {part} | {share:.0%} |" for part, share in breakdown],
        "",
    ]
    table = "\n".join(lines)
    print("\n" + table)
    if not args.no_record:
        append_result("transformer.md", table)


def attention_both_ways(tinydl, np, length: int, median_ms) -> dict[bool, float]:
    """Milliseconds of scaled_dot_product_attention's forward + backward, causal, at the
    GPT's shapes, with the fast paths on (True) and off (False)."""
    rng = np.random.default_rng(2)
    q, k, v = (tinydl.tensor(rng.standard_normal((BATCH, HEADS, length, DIM // HEADS)),
                             dtype="float32", requires_grad=True) for _ in range(3))

    def run(fast: bool) -> None:
        with tinydl.fast_paths(fast):
            tinydl.nn.functional.scaled_dot_product_attention(q, k, v, causal=True).sum().backward()

    return {fast: median_ms(lambda fast=fast: run(fast), repeats=50) for fast in (True, False)}


def torch_layout(name: str, values):
    """tinydl stores Dense and attention weights (in, out); PyTorch (out, in)."""
    is_table = name.startswith(("token.", "position."))
    return values.T.copy() if values.ndim == 2 and not is_table else values


def TorchGPT(torch, vocab: int, max_len: int):  # noqa: N802  (builds a class, like one)
    """The same GPT in PyTorch, with tinydl's parameter names so the state dict maps 1:1."""
    nn = torch.nn

    class GPT(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.token = nn.Embedding(vocab, DIM)
            self.position = nn.Embedding(max_len, DIM)
            self.blocks = nn.ModuleList(
                nn.TransformerEncoderLayer(
                    DIM, HEADS, 4 * DIM, dropout=0.0, batch_first=True, norm_first=True,
                    activation=lambda x: nn.functional.gelu(x, approximate="tanh"),
                )
                for _ in range(LAYERS)
            )
            self.norm = nn.LayerNorm(DIM)
            self.head = nn.Linear(DIM, vocab)

        def forward(self, ids):
            length = ids.shape[1]
            x = self.token(ids) + self.position.weight[:length]
            mask = nn.Transformer.generate_square_subsequent_mask(length)
            for block in self.blocks:
                x = block(x, src_mask=mask, is_causal=True)
            return self.head(self.norm(x))

    return GPT()


def time_by_operation(stats: pstats.Stats) -> list[tuple[str, float]]:
    """Own (not cumulative) time, grouped: each tinydl Function's forward and backward under
    its class's file, BLAS/NumPy calls under 'NumPy (…)', the rest as 'other Python'."""
    groups: dict[str, float] = {}
    total = 0.0
    for (filename, _, function), (_, _, own, _, _) in stats.stats.items():
        total += own
        if "tinydl" in filename and function in ("forward", "backward"):
            part = f"{Path(filename).stem} {function}"
        elif "tinydl/optim" in filename:
            part = "optimiser"
        elif "tinydl/autograd" in filename:
            part = "autograd engine"
        elif filename == "~":
            part = "NumPy (outside tinydl's ops)"
        else:
            part = "other Python"
        groups[part] = groups.get(part, 0.0) + own
    ranked = sorted(groups.items(), key=lambda item: -item[1])
    return [(part, seconds / total) for part, seconds in ranked if seconds / total >= 0.01]


if __name__ == "__main__":
    main()
