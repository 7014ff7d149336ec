"""``Exercise``: what the catalogue knows of one exercise (its stub's name, a summary, three
hints, the formulas the hints give away, and its check)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType


@dataclass(frozen=True)
class Exercise:
    """One exercise: its stub is ``stubs/{name}.py``; ``check`` raises a Failure or returns.

    ``hints`` are revealed one at a time by ``tinydl exercises hint``: 1, what to think about;
    2, the element-wise derivative; 3, the vectorised formula. ``answers`` are the formulas
    the learner is asked to derive, as the hints write them; a test checks that no stub
    gives one of them away.
    """

    name: str
    summary: str
    hints: tuple[str, str, str]
    answers: tuple[str, ...]
    check: Callable[[ModuleType], None]

    @property
    def filename(self) -> str:
        return f"{self.name}.py"

    @property
    def hint(self) -> str:
        """What a failed check suggests: the first hint, which gives no formula away."""
        return self.hints[0]
