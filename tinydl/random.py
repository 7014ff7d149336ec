"""One seeded random generator for everything tinydl draws: initial weights, dropout
masks, shuffling. Weights are drawn on the host, so a model built with the same seed
starts with identical weights on every device. A :class:`Generator` (PyTorch's
``torch.Generator``) is a seeded source of its own, which programs pass as ``generator=``."""

from __future__ import annotations

import numpy as np

from tinydl import check

_generator = np.random.default_rng()


def manual_seed(seed: int) -> None:
    """Make every later random draw in tinydl repeatable (PyTorch's name for it), on every
    device: GPU tensors' random values are drawn here too."""
    global _generator
    _generator = np.random.default_rng(check.non_negative_int("manual_seed()", "seed", seed))


def generator() -> np.random.Generator:
    """The host generator tinydl draws from."""
    return _generator


class Generator:
    """PyTorch's ``torch.Generator``: a random source of its own, seeded apart from the
    global one, passed as ``generator=`` (``randperm(n, generator=g)``, the samplers,
    ``DataLoader``): ``g = Generator(); g.manual_seed(1337)``.

    It wraps a NumPy generator, so the numbers it gives differ from PyTorch's for the
    same seed (PyTorch's Mersenne Twister cannot be reproduced here); the same seed gives
    the same numbers in tinydl every time. A new Generator starts from PyTorch's default
    seed, 67280421310721, as PyTorch's does.
    """

    DEFAULT_SEED = 67280421310721

    def __init__(self, device: object = "cpu") -> None:
        if str(device) != "cpu":  # a device name or tinydl.device("cpu")
            raise ValueError(
                f"Generator(device={device!r}): tinydl draws every random number on the host, "
                f"so a Generator lives on 'cpu' (its numbers serve every device)"
            )
        self.manual_seed(self.DEFAULT_SEED)

    def manual_seed(self, seed: int) -> Generator:
        """Restart from ``seed``; returns this generator, as PyTorch's does."""
        self._seed = check.non_negative_int("Generator.manual_seed()", "seed", seed)
        self.numpy_generator = np.random.default_rng(self._seed)
        return self

    def seed(self) -> int:
        """Restart from a fresh seed drawn from the operating system, and return it."""
        fresh = int(np.random.SeedSequence().entropy % 2**63)
        self.manual_seed(fresh)
        return fresh

    def initial_seed(self) -> int:
        """The seed this generator last started from."""
        return self._seed

    @property
    def device(self) -> str:
        return "cpu"

    def __repr__(self) -> str:
        return f"<tinydl.Generator seeded {self._seed}>"


def source(generator: Generator | None, caller: str) -> np.random.Generator:
    """The NumPy generator to draw from: ``generator``'s, or tinydl's global one for None."""
    if generator is None:
        return _generator
    check.instance(caller, "generator", generator, Generator,
                   "a tinydl.Generator (or None for the global one)")
    return generator.numpy_generator
