"""Samplers: the order in which a ``DataLoader`` visits a dataset, as PyTorch's
``torch.utils.data`` samplers give it. A sampler is an iterable of sample indices (a batch
sampler, of lists of them) with a length; ``DataLoader(dataset, sampler=...)`` groups its
indices into batches, ``DataLoader(dataset, batch_sampler=...)`` takes its batches as they
come.

The random samplers draw from the :class:`tinydl.Generator` passed as ``generator``, or,
without one, from a fresh NumPy generator seeded from tinydl's global generator at each
pass (so :func:`tinydl.manual_seed` makes them repeatable). The orders differ from
PyTorch's for the same seed: PyTorch's generator cannot be reproduced with NumPy's.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence, Sized
from itertools import islice
from typing import Any

import numpy as np

from tinydl import backend, check
from tinydl.autograd.tensor import Tensor
from tinydl.data.errors import DataError
from tinydl.random import Generator, source

# How many indices a sampler with replacement draws at a time: it may be asked for
# billions (minGPT's RandomSampler(num_samples=int(1e10)) stands for "forever").
_CHUNK = 32


class Sampler:
    """The base of every sampler: ``__iter__`` yields indices, ``__len__`` counts them."""

    def __iter__(self) -> Iterator[Any]:
        raise NotImplementedError

    def __len__(self) -> int:
        raise NotImplementedError


def _rng(generator: Generator | None, caller: str) -> np.random.Generator:
    """The generator one pass of a random sampler draws from."""
    if generator is None:  # a fresh stream per pass, seeded from the global generator
        return np.random.default_rng(int(source(None, caller).integers(2**63)))
    return source(generator, caller)


def _length(data_source: Any, caller: str) -> int:
    if not isinstance(data_source, Sized):
        raise DataError(
            f"{caller}: data_source must have a length (a dataset), got "
            f"{type(data_source).__name__}"
        )
    return len(data_source)


class SequentialSampler(Sampler):
    """0, 1, …, len(data_source) − 1, in order (a DataLoader's order without shuffle)."""

    def __init__(self, data_source: Sized) -> None:
        self.data_source = data_source
        _length(data_source, "SequentialSampler")

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


class RandomSampler(Sampler):
    """``RandomSampler(data_source, replacement=False, num_samples=None, generator=None)``:
    ``num_samples`` indices (by default ``len(data_source)``) in a random order. Without
    replacement each pass is a permutation (several, the last one cut short, when
    ``num_samples`` is larger); with replacement every index is drawn independently, a few
    at a time, so ``num_samples`` may be as large as "forever"."""

    def __init__(
        self, data_source: Sized, replacement: bool = False, num_samples: int | None = None,
        generator: Generator | None = None,
    ) -> None:
        self.data_source = data_source
        self.replacement = check.flag("RandomSampler", "replacement", replacement,
                                      error=DataError)
        if num_samples is not None:
            check.positive_int("RandomSampler", "num_samples", num_samples, error=DataError)
        self._num_samples = num_samples
        self.generator = generator
        if _length(data_source, "RandomSampler") == 0:
            raise DataError("RandomSampler: data_source is empty, there is nothing to sample")
        source(generator, "RandomSampler")  # refuse a wrong generator now, not at the pass

    @property
    def num_samples(self) -> int:
        """How many indices a pass yields (the dataset's length unless given)."""
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self) -> Iterator[int]:
        n, rng = len(self.data_source), _rng(self.generator, "RandomSampler")
        if self.replacement:
            for start in range(0, self.num_samples, _CHUNK):
                drawn = rng.integers(n, size=min(_CHUNK, self.num_samples - start))
                yield from drawn.tolist()
            return
        whole, rest = divmod(self.num_samples, n)
        for _ in range(whole):
            yield from rng.permutation(n).tolist()
        yield from rng.permutation(n)[:rest].tolist()

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """``SubsetRandomSampler(indices, generator=None)``: the given indices, each once, in
    a random order (a train/validation split of one dataset)."""

    def __init__(self, indices: Sequence[int], generator: Generator | None = None) -> None:
        self.indices = _indices(indices, "SubsetRandomSampler")
        self.generator = generator
        source(generator, "SubsetRandomSampler")

    def __iter__(self) -> Iterator[int]:
        order = _rng(self.generator, "SubsetRandomSampler").permutation(len(self.indices))
        return iter(self.indices[order].tolist())

    def __len__(self) -> int:
        return len(self.indices)


class WeightedRandomSampler(Sampler):
    """``WeightedRandomSampler(weights, num_samples, replacement=True, generator=None)``:
    ``num_samples`` indices, index i drawn with probability weights[i] / Σ weights (to
    balance classes)."""

    def __init__(
        self, weights: Sequence[float], num_samples: int, replacement: bool = True,
        generator: Generator | None = None,
    ) -> None:
        where = "WeightedRandomSampler"
        values = weights.numpy() if isinstance(weights, Tensor) else weights
        values = np.asarray(backend.to_numpy(values) if backend.is_array(values) else values,
                            dtype=np.float64)
        if values.ndim != 1 or not len(values) or not np.isfinite(values).all() or \
                (values < 0).any() or values.sum() <= 0:
            raise DataError(
                f"{where}: weights must be a 1-D sequence of finite numbers >= 0 with a "
                f"positive sum, got shape {values.shape}"
            )
        self.weights = values
        self.num_samples = check.positive_int(where, "num_samples", num_samples, error=DataError)
        self.replacement = check.flag(where, "replacement", replacement, error=DataError)
        if not self.replacement and self.num_samples > (values > 0).sum():
            raise DataError(
                f"{where}: without replacement, num_samples ({self.num_samples}) cannot exceed "
                f"the number of nonzero weights ({int((values > 0).sum())})"
            )
        self.generator = generator
        source(generator, where)

    def __iter__(self) -> Iterator[int]:
        rng = _rng(self.generator, "WeightedRandomSampler")
        drawn = rng.choice(len(self.weights), size=self.num_samples, replace=self.replacement,
                           p=self.weights / self.weights.sum())
        return iter(drawn.tolist())

    def __len__(self) -> int:
        return self.num_samples


class BatchSampler(Sampler):
    """``BatchSampler(sampler, batch_size, drop_last)``: the indices of ``sampler`` (any
    iterable of indices) in lists of ``batch_size``; ``drop_last`` drops a shorter last
    one."""

    def __init__(self, sampler: Iterable[int], batch_size: int, drop_last: bool) -> None:
        self.sampler = check.instance("BatchSampler", "sampler", sampler, Iterable,
                                      "an iterable of indices (a Sampler)", error=DataError)
        self.batch_size = check.positive_int("BatchSampler", "batch_size", batch_size,
                                             error=DataError)
        self.drop_last = check.flag("BatchSampler", "drop_last", drop_last, error=DataError)

    def __iter__(self) -> Iterator[list[int]]:
        indices = iter(self.sampler)
        while batch := list(islice(indices, self.batch_size)):
            if len(batch) < self.batch_size and self.drop_last:
                return
            yield batch

    def __len__(self) -> int:
        whole, rest = divmod(len(self.sampler), self.batch_size)  # type: ignore[arg-type]
        return whole + (1 if rest and not self.drop_last else 0)


def _indices(indices: Any, caller: str) -> np.ndarray:
    values = indices.numpy() if isinstance(indices, Tensor) else indices
    if isinstance(values, range):
        values = list(values)
    array = np.asarray(backend.to_numpy(values) if backend.is_array(values) else values)
    if array.ndim != 1 or (array.size and array.dtype.kind not in "iu"):
        raise DataError(f"{caller}: indices must be a 1-D sequence of integers, got "
                        f"{type(indices).__name__} of shape {array.shape}")
    return array.astype(np.int64)


__all__ = [
    "BatchSampler", "RandomSampler", "Sampler", "SequentialSampler", "SubsetRandomSampler",
    "WeightedRandomSampler",
]
