"""``keras.metrics``: the metrics tinydl's training loop reports.

tinydl's loop counts two figures per epoch: the loss, and a class accuracy. So a Keras
metric is offered when it is one of those: an accuracy (``CategoricalAccuracy``,
``SparseCategoricalAccuracy``, ``BinaryAccuracy``, or the name "accuracy"), or the same
function as the compiled loss (``MeanSquaredError`` with ``loss="mse"``, say), whose
value is the loss's. Any other metric is refused by ``compile`` with its name.
"""

from __future__ import annotations

from typing import Any

from tinydl.keras._args import missing_names, snake_case


class Metric:
    """A Keras metric object: its name, and the figure of tinydl's loop it reports."""

    #: "accuracy" (and its kind) or "loss" (and the loss class it must equal).
    figure = ""
    kind: str | None = None
    loss: str | None = None

    def __init__(self, name: str | None = None, dtype: Any = None) -> None:
        if dtype not in (None, "float32"):
            raise TypeError(f"metrics.{type(self).__name__}(): only float32 is offered")
        self.name = name or snake_case(type(self).__name__)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r}>"


class CategoricalAccuracy(Metric):
    """How often the arg-max of the output is the arg-max of the one-hot target."""

    figure, kind = "accuracy", "categorical"


class SparseCategoricalAccuracy(Metric):
    """How often the arg-max of the output is the integer target."""

    figure, kind = "accuracy", "categorical"


class BinaryAccuracy(Metric):
    """How often the output is on the target's side of 0.5 (``threshold`` 0.5 only)."""

    figure, kind = "accuracy", "binary"

    def __init__(self, name: str | None = None, dtype: Any = None, threshold: float = 0.5
                 ) -> None:
        if threshold != 0.5:
            raise ValueError("metrics.BinaryAccuracy(): only threshold=0.5 is offered")
        super().__init__(name, dtype)


class MeanSquaredError(Metric):
    """The mean squared error: the loss's value when the loss is mean squared error."""

    figure, loss = "loss", "MeanSquaredError"


METRICS = {kind.__name__: kind for kind in (BinaryAccuracy, CategoricalAccuracy,
                                            MeanSquaredError, SparseCategoricalAccuracy)}
__all__ = sorted(METRICS)
__getattr__ = missing_names("metrics", __all__)
