"""Offline, framework-neutral data for the programs of tests/clients/.

Nothing here imports tinydl, torch or keras: the same functions feed a program whether it
runs on tinydl or, rebuilt by benchmarks/clients.py, on the real framework. Every dataset is
small, made on the spot or read from the local MNIST files, so the programs run without a
network. A program imports this module by name (``import _offline``); the test harness and
the benchmark put tests/clients/ on ``PYTHONPATH``.
"""

from __future__ import annotations

import gzip
import importlib
import inspect
import os
import pickle
import random
from pathlib import Path

import numpy as np


def mnist(train: bool = True, count: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The first ``count`` MNIST images (uint8, ``(N, 28, 28)``) and labels (int64), read
    from the gzipped IDX files in ``$TINYDL_DATA/mnist``; only the bytes needed are read."""
    folder = Path(os.environ["TINYDL_DATA"]) / "mnist"
    prefix = "train" if train else "t10k"
    with gzip.open(folder / f"{prefix}-images-idx3-ubyte.gz") as file:
        total, rows, columns = np.frombuffer(file.read(16)[4:], dtype=">u4")
        wanted = int(total if count is None else min(count, total))
        pixels = np.frombuffer(file.read(wanted * rows * columns), dtype=np.uint8)
    with gzip.open(folder / f"{prefix}-labels-idx1-ubyte.gz") as file:
        file.read(8)
        labels = np.frombuffer(file.read(wanted), dtype=np.uint8)
    return pixels.reshape(wanted, rows, columns).copy(), labels.astype(np.int64)


# Standard-library modules whose documentation and source serve as text corpora.
TEXT_MODULES = ["textwrap", "string", "random", "statistics", "fractions", "heapq", "bisect",
                "pathlib", "datetime", "inspect", "subprocess", "typing", "decimal", "email.message",
                "functools", "collections", "calendar", "argparse", "json", "shutil"]


def docstring_text(characters: int) -> str:
    """About ``characters`` characters of English prose: the docstrings of the modules in
    ``TEXT_MODULES`` and of their public functions and classes, one after the other."""
    pieces: list[str] = []
    for name in TEXT_MODULES:
        module = importlib.import_module(name)
        members = [value for key, value in sorted(vars(module).items()) if not key.startswith("_")
                   and (inspect.isfunction(value) or inspect.isclass(value))]
        pieces.extend(inspect.getdoc(item) or "" for item in [module, *members])
    text = "\n".join(piece for piece in pieces if piece)
    return text[:characters]


def source_text(characters: int) -> str:
    """About ``characters`` characters of Python source, from the modules of ``TEXT_MODULES``
    (a character-level language model's stand-in for a book)."""
    text = "\n".join(inspect.getsource(importlib.import_module(name)) for name in TEXT_MODULES)
    return text[:characters]


# Made-up name fragments per language: each language's names share their sounds, so a
# classifier can learn to tell them apart from the letters alone.
NAME_SOUNDS = {
    "Dutch": "van de vries hout berg kamp dijk smit veld",
    "English": "ash bury well ford ton ham wick ley shaw",
    "Greek": "pap ado nik opo ulos akis tsi dis kou",
    "Italian": "ber lu cci ni fer ra ello zzi gio",
    "Japanese": "ta ka mo to ya shi ro na su",
    "Polish": "kow wicz ski dzie rzy czak lew zyn szcz",
    "Russian": "vol kov ich ova lev nik sha pav rin",
    "Scottish": "mac loch dun lin craig gow ross muir kirk",
}


def write_surnames(folder: str | os.PathLike, per_language: int = 200, seed: int = 1) -> None:
    """Write one ``<Language>.txt`` of generated surnames per language into ``folder``, one
    name a line (the layout of the classic "names" data set, with invented names)."""
    generator = random.Random(seed)
    Path(folder).mkdir(parents=True, exist_ok=True)
    for language, sounds in NAME_SOUNDS.items():
        parts = sounds.split()
        names = {"".join(generator.choice(parts) for _ in range(generator.randint(2, 3)))
                 .capitalize() for _ in range(per_language)}
        Path(folder, f"{language}.txt").write_text("\n".join(sorted(names)) + "\n",
                                                   encoding="utf-8")


def reviews(num_words: int, train: int = 256, test: int = 64, seed: int = 3
            ) -> tuple[tuple[list[list[int]], np.ndarray], tuple[list[list[int]], np.ndarray]]:
    """Two splits of made-up "reviews" shaped like Keras's IMDB data: lists of word ids
    starting with 1, over a vocabulary of ``num_words``, and 0/1 labels. A positive review
    uses words 10-59 more often, a negative one words 60-109."""
    generator = np.random.default_rng(seed)
    cue_words = {1: np.arange(10, 60), 0: np.arange(60, 110)}

    def split(count: int) -> tuple[list[list[int]], np.ndarray]:
        labels = generator.integers(0, 2, count)
        texts = []
        for label in labels:
            words = generator.integers(110, num_words, int(generator.integers(30, 150)))
            cued = generator.random(len(words)) < 0.25
            words[cued] = generator.choice(cue_words[int(label)], int(cued.sum()))
            texts.append([1, *words.tolist()])
        return texts, labels

    return split(train), split(test)


DIGIT_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]


def write_number_phrases(path: str | os.PathLike, count: int = 400, seed: int = 5) -> Path:
    """Write ``count`` tab-separated pairs "three one four<TAB>3 1 4<TAB>note": a phrase of
    digit names and the digits it spells, the layout of the Anki sentence-pair files."""
    generator = random.Random(seed)
    lines = []
    for _ in range(count):
        digits = [generator.randrange(10) for _ in range(generator.randint(1, 4))]
        phrase = " ".join(DIGIT_WORDS[digit] for digit in digits)
        lines.append(f"{phrase}\t{' '.join(map(str, digits))}\tmade up for tinydl")
    path = Path(path)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_cifar_batches(folder: str | os.PathLike, per_batch: int = 100, test: int = 200,
                        seed: int = 7) -> None:
    """Write CIFAR-10's python-pickle files (``data_batch_1`` ... ``data_batch_5``,
    ``test_batch``) holding generated 32x32 colour images: each class has its own tint and
    a bright square at its own place, over noise."""
    generator = np.random.default_rng(seed)
    tints = generator.uniform(50, 200, (10, 3))

    def batch(count: int) -> dict[bytes, object]:
        labels = generator.integers(0, 10, count)
        images = generator.normal(0, 35, (count, 3, 32, 32)) + tints[labels][:, :, None, None]
        for image, label in zip(images, labels, strict=True):
            top, left = 3 + 12 * (label // 5), 2 + 6 * (label % 5)
            image[:, top:top + 9, left:left + 5] += 80
        pixels = np.clip(images, 0, 255).astype(np.uint8).reshape(count, 3 * 32 * 32)
        return {b"data": pixels, b"labels": labels.tolist()}

    Path(folder).mkdir(parents=True, exist_ok=True)
    names = [f"data_batch_{number}" for number in range(1, 6)] + ["test_batch"]
    for name in names:
        with open(Path(folder, name), "wb") as file:
            pickle.dump(batch(test if name == "test_batch" else per_batch), file)
