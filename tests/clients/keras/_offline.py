"""Offline stand-ins for the datasets the Keras programs download, made here (the machines
that run the corpus reach no dataset server):

- ``imdb_like``: IMDB-shaped reviews (lists of word ids in Keras's ``imdb.load_data``
  numbering: 1 starts a review, 2 is an unknown word, real words from 3) whose label is
  which of two groups of words the review uses more;
- ``docstring_text``: English prose every Python installation has, the standard library's
  docstrings;
- ``write_translations``: a ``fra.txt``-shaped file of tab-separated pairs, number words
  and their digits ("three one four" -> "3 1 4").
"""

from __future__ import annotations

import collections
import pydoc
import random
from pathlib import Path

import numpy as np


def imdb_like(num_words: int, train: int = 256, test: int = 64, seed: int = 0
              ) -> tuple[tuple[list[list[int]], np.ndarray], tuple[list[list[int]], np.ndarray]]:
    """((x_train, y_train), (x_test, y_test)) like ``keras.datasets.imdb.load_data``."""
    rng = np.random.default_rng(seed)
    vocabulary = np.arange(3, num_words)
    positive, negative = vocabulary[:40], vocabulary[40:80]

    def reviews(count: int) -> tuple[list[list[int]], np.ndarray]:
        labels = rng.integers(0, 2, count)
        texts = []
        for label in labels:
            length = int(rng.integers(20, 120))
            words = rng.choice(vocabulary, length)
            cues = rng.random(length) < 0.2
            words[cues] = rng.choice(positive if label else negative, int(cues.sum()))
            texts.append([1, *words.tolist()])
        return texts, labels

    return reviews(train), reviews(test)


def docstring_text(characters: int = 20000) -> str:
    """About ``characters`` characters of the standard library's docstrings, in order."""
    modules = ["collections", "random", "pathlib", "json", "textwrap", "functools",
               "itertools", "string", "statistics", "fractions"]
    parts = [pydoc.getdoc(__import__(name)) for name in modules]
    parts += [pydoc.getdoc(getattr(collections, name)) for name in sorted(collections.__all__)]
    return "\n".join(parts)[:characters]


NUMBERS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]


def write_translations(path: str | Path, count: int = 400, seed: int = 0) -> Path:
    """A file of ``input<TAB>target<TAB>attribution`` lines, as manythings.org's."""
    rng = random.Random(seed)
    lines = []
    for _ in range(count):
        digits = [rng.randrange(10) for _ in range(rng.randint(1, 4))]
        words = " ".join(NUMBERS[d] for d in digits)
        lines.append(f"{words}\t{' '.join(map(str, digits))}\tgenerated for tinydl's corpus")
    path = Path(path)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
