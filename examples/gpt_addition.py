"""A small GPT learns to add: shown "47+85=" it writes 132, one digit at a time.

    python examples/gpt_addition.py                        # 2-digit operands
    python examples/gpt_addition.py --digits 3 --steps 2500
    python examples/gpt_addition.py --task sort --dim 64 --steps 800   # sort 6 digits

Every problem is generated on the fly. A fixed set of 1,000 problems is set aside
before training and never trained on; the score is the share of them answered exactly
right by greedy decoding (the most likely token, fed back in, until the answer is
complete). The answer is written least significant digit first ("47+85=" -> "231"),
the order in which a person adds with carries: each answer digit then depends on two
operand digits and on the carry from the column before, all of it already in the
sequence, where most-significant-first would need the carries of columns not yet written.

The model: token embedding + learned position embedding -> pre-norm Transformer blocks
with causal self-attention -> LayerNorm -> a Dense layer to the 12 tokens. AdamW with
weight decay on the weight matrices only (parameter groups), a linear warm-up then
a cosine decay of the learning rate at every step, gradient clipping. At the end the
attention maps of one problem are drawn: which operand digit each answer digit looks at.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from transformer_training import parameter_groups, warmup_cosine

import tinydl
from tinydl import nn, optim

VOCAB = "0123456789+="  # token i is the character VOCAB[i]
PLUS, EQUALS = VOCAB.index("+"), VOCAB.index("=")


# ---- the tasks: (prompt, answer) token arrays ------------------------------------------
class Addition:
    """'a+b=' -> the digits of a + b, reversed. Operands are zero-padded to ``digits``."""

    def __init__(self, digits: int, held_out: int, rng: np.random.Generator) -> None:
        self.digits = digits
        self.space = 10 ** (2 * digits)  # problem number = a * 10^digits + b
        self.held_out = rng.choice(self.space, held_out, replace=False)
        self.is_held_out = np.zeros(self.space, bool)
        self.is_held_out[self.held_out] = True
        self.prompt_length, self.answer_length = 2 * digits + 2, digits + 1

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """n training problems: uniform over all problems except the held-out ones."""
        problems = rng.integers(0, self.space, 2 * n)
        return problems[~self.is_held_out[problems]][:n]

    def encode(self, problems: np.ndarray) -> np.ndarray:
        """(n, prompt + answer) tokens of each problem number."""
        a, b = np.divmod(problems, 10**self.digits)
        columns = [*_digits(a, self.digits), np.full_like(a, PLUS), *_digits(b, self.digits),
                   np.full_like(a, EQUALS), *_digits(a + b, self.answer_length)[::-1]]
        return np.stack(columns, axis=1)

    def text(self, tokens: np.ndarray) -> str:
        prompt = "".join(VOCAB[t] for t in tokens[: self.prompt_length])
        answer = "".join(VOCAB[t] for t in tokens[self.prompt_length:])
        return f"{prompt}{answer[::-1]}"


class Sorting:
    """'314159=' -> '113459': the smallest complete test that attention can move tokens."""

    def __init__(self, length: int, held_out: int, rng: np.random.Generator) -> None:
        self.length = length
        self.held_out_lists = rng.integers(0, 10, (held_out, length))
        self.held_out = np.arange(held_out)
        self.prompt_length, self.answer_length = length + 1, length

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        lists = rng.integers(0, 10, (2 * n, self.length))
        # One list in 10^6 could collide with the held-out set; drop any that does.
        seen = {tuple(row) for row in self.held_out_lists}
        return np.array([row for row in lists if tuple(row) not in seen][:n])

    def encode(self, problems: np.ndarray) -> np.ndarray:
        lists = self.held_out_lists[problems] if problems.ndim == 1 else problems
        equals = np.full((len(lists), 1), EQUALS)
        return np.concatenate([lists, equals, np.sort(lists, axis=1)], axis=1)

    def text(self, tokens: np.ndarray) -> str:
        return "".join(VOCAB[t] for t in tokens)


def _digits(values: np.ndarray, count: int) -> list[np.ndarray]:
    """The ``count`` decimal digits of each value, most significant first."""
    return [(values // 10 ** (count - 1 - i)) % 10 for i in range(count)]


# ---- the model ------------------------------------------------------------------------
class GPT(nn.Module):
    """Tokens -> embeddings + positions -> causal Transformer blocks -> next-token logits."""

    def __init__(self, vocab: int, max_len: int, dim: int, heads: int, layers: int,
                 dropout: float = 0.0) -> None:
        self.token = nn.Embedding(vocab, dim)
        self.position = nn.LearnedPositionalEmbedding(max_len, dim)
        self.blocks = [
            nn.TransformerBlock(dim, heads, dropout=dropout, activation=nn.GELU("tanh"))
            for _ in range(layers)
        ]
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Dense(dim, vocab)

    def forward(self, ids: tinydl.Tensor) -> tinydl.Tensor:
        x = self.position(self.token(ids))
        for block in self.blocks:
            x = block(x, causal=True)  # position t sees positions <= t only
        return self.head(self.norm(x))

    def attention_maps(self, ids: tinydl.Tensor) -> list[np.ndarray]:
        """Each block's attention weights (N, heads, T, T), read while running forward."""
        maps = []
        with tinydl.no_grad():
            x = self.position(self.token(ids))
            for block in self.blocks:
                _, weights = block.self_attn(block.norm1(x), causal=True, need_weights=True)
                maps.append(weights.numpy())
                x = block(x, causal=True)
        return maps


# ---- training and evaluation ------------------------------------------------------------
def loss_on_answers(model: GPT, tokens: np.ndarray, prompt_length: int) -> tinydl.Tensor:
    """Cross-entropy of the answer tokens only: the prompt is given, not predicted."""
    inputs = tinydl.tensor(tokens[:, :-1])
    logits = model(inputs)[:, prompt_length - 1:]  # the positions that predict answer tokens
    targets = tokens[:, prompt_length:]
    return nn.functional.cross_entropy(
        logits.reshape(-1, logits.shape[-1]), tinydl.tensor(targets.reshape(-1))
    )


def greedy_answers(model: GPT, prompts: np.ndarray, answer_length: int) -> np.ndarray:
    """Write each answer token by token, always taking the most likely next token."""
    tokens = prompts
    with tinydl.no_grad():
        for _ in range(answer_length):
            logits = model(tinydl.tensor(tokens))
            next_token = logits.numpy()[:, -1].argmax(axis=1)
            tokens = np.concatenate([tokens, next_token[:, None]], axis=1)
    return tokens[:, prompts.shape[1]:]


def exact_accuracy(model: GPT, task, problems: np.ndarray) -> float:
    model.eval()
    tokens = task.encode(problems)
    answers = greedy_answers(model, tokens[:, : task.prompt_length], task.answer_length)
    model.train()
    return float((answers == tokens[:, task.prompt_length:]).all(axis=1).mean())


def plot_attention(model: GPT, task, problem: np.ndarray, path: Path) -> None:
    """One panel per (layer, head): rows are the positions that write answer digits,
    columns the tokens they read."""
    import matplotlib.pyplot as plt

    tokens = task.encode(problem)
    inputs = tokens[:, :-1]
    maps = model.attention_maps(tinydl.tensor(inputs))
    labels = [VOCAB[t] for t in inputs[0]]
    rows = range(task.prompt_length - 1, inputs.shape[1])  # '=' and the answer digits so far
    row_labels = [f"{labels[r]} → {VOCAB[tokens[0, r + 1]]}" for r in rows]
    layers, heads = len(maps), maps[0].shape[1]
    figure, axes = plt.subplots(layers, heads, figsize=(2.6 * heads, 0.35 * len(rows) * layers
                                                        + 1.2), squeeze=False)
    for layer in range(layers):
        for head in range(heads):
            ax = axes[layer, head]
            ax.imshow(maps[layer][0, head][list(rows)], cmap="viridis", vmin=0, vmax=1)
            ax.set_xticks(range(len(labels)), labels)
            ax.set_yticks(range(len(row_labels)), row_labels if head == 0 else [])
            ax.set_title(f"layer {layer + 1}, head {head + 1}", fontsize=9)
            if head == 0:
                ax.set_ylabel("reads at → writes", fontsize=8)
    figure.suptitle(f"{task.text(tokens[0])} (answer written reversed): where each answer "
                    f"digit looks", fontsize=10)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--task", choices=["add", "sort"], default="add")
    parser.add_argument("--digits", type=int, choices=[1, 2, 3], default=2,
                        help="operand digits (add)")
    parser.add_argument("--length", type=int, default=6, help="list length (sort)")
    parser.add_argument("--steps", type=int, default=1500)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--dim", type=int, default=128)
    parser.add_argument("--heads", type=int, default=4)
    parser.add_argument("--layers", type=int, default=2)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--weight-decay", type=float, default=0.1)
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--held-out", type=int, default=1000)
    parser.add_argument("--eval-every", type=int, default=500)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--plot", help="PNG of one problem's attention maps")
    args = parser.parse_args(argv)

    rng = np.random.default_rng(args.seed)
    task = (Addition(args.digits, args.held_out, rng) if args.task == "add"
            else Sorting(args.length, args.held_out, rng))
    tinydl.manual_seed(args.seed)
    sequence = task.prompt_length + task.answer_length - 1  # the last token is never input
    model = GPT(len(VOCAB), sequence, args.dim, args.heads, args.layers)
    count = sum(p.numel() for p in model.parameters())
    print(f"task {args.task}, {count:,} parameters, {args.steps} steps of {args.batch_size}")
    optimizer = optim.AdamW(parameter_groups(model, args.weight_decay), lr=args.lr,
                            betas=(0.9, 0.98))
    schedule = optim.lr_scheduler.LambdaLR(optimizer, warmup_cosine(args.warmup, args.steps))

    started = time.perf_counter()
    for step in range(1, args.steps + 1):
        tokens = task.encode(task.sample(args.batch_size, rng))
        loss = loss_on_answers(model, tokens, task.prompt_length)
        optimizer.zero_grad()
        loss.backward()
        optim.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        schedule.step()  # once per step: the schedule counts optimiser steps, not epochs
        if step % args.eval_every == 0 or step == args.steps:
            elapsed = time.perf_counter() - started
            accuracy = exact_accuracy(model, task, task.held_out)
            print(f"step {step:5d}  loss {float(loss):.4f}  held-out exact {accuracy:.2%}  "
                  f"{elapsed:.0f} s", flush=True)
    seconds = time.perf_counter() - started
    accuracy = exact_accuracy(model, task, task.held_out)
    print(f"held-out exact answers: {accuracy:.2%} of {len(task.held_out)} "
          f"({seconds:.0f} s training, {seconds / args.steps * 1000:.0f} ms/step)")
    if args.plot:
        plot_attention(model, task, task.held_out[:1], Path(args.plot))
        print(f"attention maps: {args.plot}")
    return {"accuracy": accuracy, "seconds": seconds, "parameters": count}


if __name__ == "__main__":
    main()
