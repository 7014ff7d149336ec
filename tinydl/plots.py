"""Pictures of a training run, written as PNG files. Each function returns the path it wrote.

The figures are drawn on ``matplotlib.figure.Figure`` objects, not through ``pyplot``:
they need no display (servers, CI) and leave the caller's pyplot backend and open
figures alone (a notebook keeps its inline plots)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from tinydl.data.atomic import atomic_write


def _figure(**options):
    """A new figure outside pyplot (garbage-collected like any object once saved)."""
    try:
        from matplotlib.figure import Figure
    except ImportError as err:
        raise ImportError("plots need matplotlib: pip install 'tinydl-edu[plot]'") from err
    return Figure(**options)


def _save(figure, path: str | Path) -> Path:
    """Write the figure atomically (a full disk keeps the previous picture and says so)."""
    path = Path(path)
    with atomic_write(path, "saving a plot", make_folders=True) as file:
        figure.savefig(file, format=path.suffix[1:] or "png", dpi=100, bbox_inches="tight")
    return path


def _image(sample: np.ndarray) -> np.ndarray:
    """(H, W), (1, H, W) or (H, W, 3) -> something imshow understands."""
    sample = np.asarray(sample)
    return sample[0] if sample.ndim == 3 and sample.shape[0] == 1 else sample


def sample_grid(
    images: np.ndarray, labels: Sequence[int | str], path: str | Path, columns: int = 8,
    title: str = "Samples",
) -> Path:
    """A grid of images, each titled with its label."""
    count = len(images)
    rows = max(1, -(-count // columns))
    figure = _figure(figsize=(columns * 1.2, rows * 1.35))
    axes = figure.subplots(rows, columns, squeeze=False)
    for i, axis in enumerate(axes.ravel()):
        axis.axis("off")
        if i < count:
            axis.imshow(_image(images[i]), cmap="gray")
            axis.set_title(str(labels[i]), fontsize=9)
    figure.suptitle(title)
    return _save(figure, path)


def training_curves(history: dict[str, list[float]], path: str | Path) -> Path:
    """Loss and accuracy per epoch, training next to validation (``val_*`` or ``test_*``)
    when the history has it."""
    figure = _figure(figsize=(10, 4))
    loss_axis, accuracy_axis = figure.subplots(1, 2)
    epochs = np.arange(1, len(history["loss"]) + 1)
    for axis, key in ((loss_axis, "loss"), (accuracy_axis, "accuracy")):
        axis.plot(epochs, history[key], "o-", label="training")
        for split in ("val", "test"):
            if f"{split}_{key}" in history:
                axis.plot(epochs, history[f"{split}_{key}"], "s-", label=split)
        axis.set_xlabel("epoch")
        axis.set_ylabel(key)
        axis.grid(alpha=0.3)
        axis.legend()
    return _save(figure, path)


def confusion_matrix_plot(
    matrix: np.ndarray, path: str | Path, title: str = "Confusion matrix"
) -> Path:
    """The confusion matrix as a heat map with the counts written in."""
    classes = matrix.shape[0]
    figure = _figure(figsize=(0.6 * classes + 2, 0.6 * classes + 1.5))
    axis = figure.subplots()
    axis.imshow(matrix, cmap="Blues")
    threshold = matrix.max() / 2
    for i in range(classes):
        for j in range(classes):
            colour = "white" if matrix[i, j] > threshold else "black"
            axis.text(j, i, str(matrix[i, j]), ha="center", va="center", fontsize=7, color=colour)
    axis.set_xticks(range(classes))
    axis.set_yticks(range(classes))
    axis.set_xlabel("predicted")
    axis.set_ylabel("true")
    axis.set_title(title)
    return _save(figure, path)


def most_confident_mistakes(
    images: np.ndarray, labels: np.ndarray, probabilities: np.ndarray, path: str | Path,
    count: int = 16,
) -> Path:
    """The misclassified images the model was surest about, titled 'predicted (true)'."""
    predicted = probabilities.argmax(axis=1)
    wrong = np.flatnonzero(predicted != labels)
    confidence = probabilities[wrong, predicted[wrong]]
    chosen = wrong[np.argsort(-confidence)[:count]]
    titles = [f"{predicted[i]} ({labels[i]}) {probabilities[i, predicted[i]]:.2f}" for i in chosen]
    return sample_grid(
        images[chosen], titles, path, title="Most confident mistakes: predicted (true) confidence"
    )


def image_grid(
    images: np.ndarray, path: str | Path, columns: int = 8, title: str = ""
) -> Path:
    """Images (N, H, W) or (N, 1, H, W) with values in [0, 1], tiled into one picture with a
    2-pixel gap: a single image to draw, so far quicker than one axis per sample."""
    images = np.asarray(images).reshape(len(images), *np.shape(images)[-2:])
    count, height, width = images.shape
    rows, gap = max(1, -(-count // columns)), 2
    tiled = np.ones((rows * (height + gap) + gap, columns * (width + gap) + gap))
    for i, image in enumerate(images):
        top, left = gap + (i // columns) * (height + gap), gap + (i % columns) * (width + gap)
        tiled[top : top + height, left : left + width] = image
    figure = _figure(figsize=(columns * 0.6 + 0.4, rows * 0.6 + 0.7))
    axis = figure.subplots()
    axis.imshow(tiled, cmap="gray", vmin=0, vmax=1, interpolation="nearest")
    axis.axis("off")
    axis.set_title(title)
    return _save(figure, path)


def series_plot(
    series: dict[str, Sequence[float]], path: str | Path, steps: Sequence[float] | None = None,
    xlabel: str = "iteration", ylabel: str = "loss", title: str = "",
) -> Path:
    """Several named curves over the same ``steps`` (default 1, 2, …) on one axis, e.g. a
    GAN's discriminator and generator losses."""
    figure = _figure(figsize=(8, 4))
    axis = figure.subplots()
    for name, values in series.items():
        x = np.arange(1, len(values) + 1) if steps is None else steps
        axis.plot(x, values, label=name)
    axis.set_xlabel(xlabel)
    axis.set_ylabel(ylabel)
    axis.set_title(title)
    axis.grid(alpha=0.3)
    axis.legend()
    return _save(figure, path)
