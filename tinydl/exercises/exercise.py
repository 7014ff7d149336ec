"""``Exercise``: what the catalogue knows of one exercise (its stub's name, a summary, three
hints and what each of them gives, the formulas and code the hints give away, and its
check)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType

# What the three hints of an exercise about one op's derivative give, in order.
DERIVATIVE_HINTS = ("what to think about", "the element-wise derivative", "the vectorised formula")
# ... and of an exercise about the engine itself (a gradient check, the backward walk).
ENGINE_HINTS = ("what to think about", "the idea, step by step", "the code")


@dataclass(frozen=True)
class Exercise:
    """One exercise: its stub is ``stubs/{name}.py``; ``check`` raises a Failure or returns.

    ``hints`` are revealed one at a time by ``tinydl exercises hint``, and only there: a
    failed check names the mistake and its evidence, never a hint's content. ``hint_kinds``
    says what each hint gives (for an op: what to think about, the element-wise derivative,
    the vectorised formula). ``answers`` are the formulas and code the learner is asked to
    find, as the hints write them; tests check that no stub and no check output gives one
    of them away.
    """

    name: str
    summary: str
    hints: tuple[str, str, str]
    answers: tuple[str, ...]
    check: Callable[[ModuleType], None]
    hint_kinds: tuple[str, str, str] = DERIVATIVE_HINTS

    @property
    def filename(self) -> str:
        return f"{self.name}.py"
