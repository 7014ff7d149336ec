"""Weight and gradient histograms per layer over training.

    recorder = HistogramRecorder(model)
    recorder.record("start")                 # before training: weights only
    for epoch in range(epochs):
        ...train...                          # leave the last step's .grad in place
        recorder.record(f"epoch {epoch + 1}")
    plot_histograms(recorder, "histograms.png")

Each call to ``record`` copies every parameter (and its gradient, when it has one) to
the host once, so call it after an epoch or every few steps, not every step on a GPU.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tinydl import backend, check
from tinydl.nn import Module
from tinydl.plots import _figure, _save

MAX_LEGEND_ENTRIES = 10


@dataclass(frozen=True)
class Histogram:
    """``counts[i]`` values fell in ``[edges[i], edges[i + 1])``. When every value was the
    same (a bias still at zero), there is one count and both edges are that value."""

    counts: np.ndarray
    edges: np.ndarray

    @classmethod
    def of(cls, values: np.ndarray, bins: int) -> Histogram:
        low, high = values.min().item(), values.max().item()
        if low == high:
            return cls(np.array([values.size]), np.array([low, high]))
        counts, edges = np.histogram(values, bins=bins, range=(low, high))
        return cls(counts, edges)

    @property
    def constant(self) -> bool:
        return bool(self.edges[0] == self.edges[-1])

    def density(self) -> np.ndarray:
        """Counts per unit of value, each bin's count over its width and the total: records
        whose values span different ranges (so have different bin widths) compare fairly."""
        return self.counts / (self.counts.sum() * np.diff(self.edges))


class HistogramRecorder:
    """Records a histogram of every parameter's values and gradient each time ``record``
    is called; :func:`plot_histograms` draws them per parameter across the records."""

    def __init__(self, model: Module, bins: int = 40) -> None:
        self.model = model
        self.bins = check.positive_int("HistogramRecorder", "bins", bins)
        self.labels: list[str] = []
        self.weights: dict[str, list[Histogram]] = {}
        # None where the parameter had no gradient at that record (e.g. before training).
        self.gradients: dict[str, list[Histogram | None]] = {}

    def record(self, label: str | None = None) -> None:
        """Histogram every parameter now; ``label`` names this moment ("epoch 3")."""
        for name, parameter in self.model.named_parameters():
            values = backend.to_numpy(parameter.array)
            self.weights.setdefault(name, []).append(Histogram.of(values, self.bins))
            gradient = None
            if parameter.grad is not None:
                gradient = Histogram.of(backend.to_numpy(parameter.grad.array), self.bins)
            self.gradients.setdefault(name, []).append(gradient)
        self.labels.append(label if label is not None else f"record {len(self.labels) + 1}")


def plot_histograms(
    recorder: HistogramRecorder, path: str | Path, parameters: Sequence[str] | None = None
) -> Path:
    """One row per parameter (all, or those named in ``parameters``): its weight histogram
    on the left and its gradient histogram on the right, one outline per record, from dark
    (first) to yellow (last); a dashed line where every value was the same."""
    if not recorder.labels:
        raise ValueError("the recorder has no histograms yet: call recorder.record() first")
    names = list(parameters) if parameters is not None else list(recorder.weights)
    unknown = [name for name in names if name not in recorder.weights]
    if unknown:
        raise ValueError(
            f"no histograms for {', '.join(unknown)}; recorded: {', '.join(recorder.weights)}"
        )
    from matplotlib import colormaps  # importable here: _figure() has checked for matplotlib

    height = 2.2 * len(names) + 0.6
    figure = _figure(figsize=(11, height))
    count = len(recorder.labels)
    colours = colormaps["viridis"](np.linspace(0.0, 0.9, count))
    every = -(-count // MAX_LEGEND_ENTRIES)  # label at most MAX_LEGEND_ENTRIES records
    axes = figure.subplots(len(names), 2, squeeze=False)
    # Fixed spacing: a layout engine would double the drawing time for no visible gain.
    figure.subplots_adjust(hspace=0.45, wspace=0.15, top=1 - 0.8 / height)
    for row, name in zip(axes, names, strict=True):
        for axis, kind, histograms in (
            (row[0], "weights", recorder.weights[name]),
            (row[1], "gradients", recorder.gradients[name]),
        ):
            for i, histogram in enumerate(histograms):
                label = recorder.labels[i] if i % every == 0 or i == count - 1 else None
                if histogram is None:
                    continue
                if histogram.constant:  # all one value: a dashed line, not an infinite spike
                    axis.axvline(histogram.edges[0], color=colours[i], ls="--", label=label)
                else:
                    axis.stairs(histogram.density(), histogram.edges, color=colours[i], label=label)
            axis.set_title(f"{name}: {kind}", fontsize=9)
            axis.set_ylabel("density", fontsize=7)
            axis.tick_params(labelsize=7)
            axis.grid(alpha=0.3)
    axes[0][0].legend(fontsize=7)
    figure.suptitle(
        "Weight and gradient histograms per parameter over training", y=1 - 0.2 / height
    )
    return _save(figure, path)
