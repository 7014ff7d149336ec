"""A character-level language model of the Python standard library's docstrings.

    python examples/char_lm.py --minutes 15 --out runs/char-lm

Text every Python installation has: the docstrings of every module, class and function
in the standard library (``sysconfig.get_paths()["stdlib"]``, test packages left out),
extracted with ``ast``. The split is fixed: a file goes to validation when the CRC-32 of
its path relative to the stdlib folder is 0 modulo 10, to training otherwise (so the
same file is always on the same side, whatever the Python version adds or removes).

The model reads characters through Embedding(V, 64) -> LSTM(64, 256) -> Dense(V) and is
trained with truncated backprop through time: the training text is cut into 32 parallel
streams, read in chunks of 100 characters, and the LSTM's state is carried from one chunk
to the next with ``detach()``, so gradients flow back at most 100 steps. Validation loss is
reported in nats per character next to a bigram-count baseline (add-one smoothed counts of
which character follows which, from the same training text, on the same positions).
Samples are drawn at a few temperatures at the end.
"""

from __future__ import annotations

import argparse
import ast
import json
import math
import sysconfig
import time
import zlib
from pathlib import Path

import numpy as np

import tinydl
from tinydl import nn, optim
from tinydl.ops.recurrent import sequence_cross_entropy

SKIPPED_PACKAGES = {"test", "tests", "idle_test", "site-packages"}
EMBEDDING, HIDDEN, STREAMS, CHUNK = 64, 256, 32, 100
UNKNOWN = "\x00"  # stands for every character too rare to get its own id


def stdlib_docstrings() -> tuple[str, str]:
    """(training text, validation text): the standard library's docstrings, split by file."""
    root = Path(sysconfig.get_paths()["stdlib"])
    parts: dict[bool, list[str]] = {True: [], False: []}
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        if SKIPPED_PACKAGES & set(relative.split("/")):
            continue
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except (SyntaxError, UnicodeDecodeError, ValueError):
            continue  # a few files are deliberately broken or not UTF-8
        kinds = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
        docs = [ast.get_docstring(n) for n in ast.walk(tree) if isinstance(n, kinds)]
        is_validation = zlib.crc32(relative.encode()) % 10 == 0
        parts[is_validation] += [d for d in docs if d]
    return "\n\n".join(parts[False]), "\n\n".join(parts[True])


def load_corpus(cache: Path) -> tuple[str, str]:
    """The split texts, extracted once and cached (parsing 700 files takes a while)."""
    if cache.exists():
        saved = json.loads(cache.read_text(encoding="utf-8"))
        return saved["train"], saved["validation"]
    train, validation = stdlib_docstrings()
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text(json.dumps({"train": train, "validation": validation}), encoding="utf-8")
    return train, validation


def vocabulary(text: str, min_count: int = 20) -> str:
    """Characters seen at least ``min_count`` times in training, plus UNKNOWN for the rest."""
    values, counts = np.unique(np.frombuffer(text.encode("utf-32-le"), np.uint32),
                               return_counts=True)
    return UNKNOWN + "".join(chr(v) for v, c in zip(values, counts, strict=True)
                             if c >= min_count)


def encode(text: str, chars: str) -> np.ndarray:
    ids = {c: i for i, c in enumerate(chars)}
    return np.array([ids.get(c, 0) for c in text], dtype=np.int64)


def streams(ids: np.ndarray, count: int) -> np.ndarray:
    """The text as ``count`` parallel streams (count, L): row k continues where it left off
    in every chunk, so a carried state always belongs to the text that follows it."""
    length = len(ids) // count
    return ids[: length * count].reshape(count, length)


def bigram_nats(train: np.ndarray, targets_from: np.ndarray, vocab: int) -> float:
    """Mean -log p(next | previous) over every position of ``targets_from`` (rows are
    streams; each row's first character has no predecessor and is not scored), with
    add-one smoothed counts of training bigrams."""
    counts = np.ones((vocab, vocab))
    np.add.at(counts, (train[:-1], train[1:]), 1)
    log_p = np.log(counts / counts.sum(axis=1, keepdims=True))
    return float(-log_p[targets_from[:, :-1], targets_from[:, 1:]].mean())


class CharLM(nn.Module):
    def __init__(self, vocab: int) -> None:
        self.embed = nn.Embedding(vocab, EMBEDDING)
        self.lstm = nn.LSTM(EMBEDDING, HIDDEN, batch_first=True)
        self.head = nn.Dense(HIDDEN, vocab)

    def forward(self, ids, state=None):
        output, state = self.lstm(self.embed(ids), state)
        return self.head(output), state


def model_nats(model: CharLM, data: np.ndarray) -> float:
    """Validation loss over the same positions as the bigram baseline: every character of
    each stream but the first, reading the stream in chunks with the state carried."""
    total, count, state = 0.0, 0, None
    with tinydl.no_grad():
        for start in range(0, data.shape[1] - 1, CHUNK):
            x, y = data[:, start : start + CHUNK], data[:, start + 1 : start + CHUNK + 1]
            x = x[:, : y.shape[1]]
            logits, state = model(tinydl.tensor(x), state)
            loss = sequence_cross_entropy(logits, tinydl.tensor(y), reduction="sum")
            total, count = total + float(loss), count + y.size
    return total / count


def sample(model: CharLM, chars: str, prompt: str, length: int, temperature: float,
           rng: np.random.Generator) -> str:
    """Continue ``prompt`` one character at a time, drawing from softmax(logits / T)."""
    ids = encode(prompt, chars)
    out = list(prompt)
    with tinydl.no_grad():
        logits, state = model(tinydl.tensor(ids[None]))
        for _ in range(length):
            scores = logits.numpy()[0, -1].astype(np.float64) / temperature
            p = np.exp(scores - scores.max())
            token = int(rng.choice(len(chars), p=p / p.sum()))
            out.append(chars[token] if token else "?")
            logits, state = model(tinydl.tensor([[token]]), state)
    return "".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--minutes", type=float, default=15, help="training time budget")
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--out", default="runs/char-lm", help="folder for the corpus cache")
    parser.add_argument("--validation-chars", type=int, default=200_000,
                        help="score at most this many validation characters")
    args = parser.parse_args()
    out = Path(args.out)

    train_text, validation_text = load_corpus(out / "stdlib_docstrings.json")
    chars = vocabulary(train_text)
    train_ids, validation_ids = encode(train_text, chars), encode(validation_text, chars)
    validation = streams(validation_ids[: args.validation_chars], STREAMS)
    print(f"{len(train_ids):,} training and {len(validation_ids):,} validation characters "
          f"(scoring {validation.size:,}), vocabulary {len(chars)}")
    baseline = bigram_nats(train_ids, validation, len(chars))
    print(f"bigram baseline: {baseline:.3f} nats/char on validation")

    tinydl.random.manual_seed(0)
    model = CharLM(len(chars))
    optimizer = optim.Adam(model.parameters(), lr=args.lr)
    data = streams(train_ids, STREAMS)
    started, step, state, epoch = time.perf_counter(), 0, None, 0
    while time.perf_counter() - started < args.minutes * 60:
        start = (step * CHUNK) % (data.shape[1] - CHUNK - 1)
        if start < CHUNK:  # a new pass over the text: start from an empty state
            state, epoch = None, epoch + 1
        x = tinydl.tensor(data[:, start : start + CHUNK])
        y = tinydl.tensor(data[:, start + 1 : start + CHUNK + 1])
        logits, state = model(x, state)
        loss = sequence_cross_entropy(logits, y)
        optimizer.zero_grad()
        loss.backward()
        optim.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        state = tuple(s.detach() for s in state)  # truncated BPTT: the next chunk starts here
        step += 1
        if step % 200 == 0:
            nats = model_nats(model, validation)
            minutes = (time.perf_counter() - started) / 60
            print(f"step {step} (pass {epoch})  {minutes:.1f} min  train {float(loss):.3f}  "
                  f"validation {nats:.3f} nats/char", flush=True)
    nats = model_nats(model, validation)
    print(f"\nafter {step} steps ({step * CHUNK * STREAMS:,} characters read): validation "
          f"{nats:.3f} nats/char ({nats / math.log(2):.2f} bits) vs bigram {baseline:.3f}: "
          f"{baseline - nats:.3f} nats/char better")
    rng = np.random.default_rng(0)
    for temperature in (0.5, 0.8, 1.0):
        text = sample(model, chars, "Return the ", 240, temperature, rng)
        print(f"\n--- temperature {temperature} ---\n{text}")


if __name__ == "__main__":
    main()
