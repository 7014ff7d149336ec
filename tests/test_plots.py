"""Each plot writes a PNG with real content (read back and checked), headless."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from conftest import assert_png_has_content

os.environ.setdefault("MPLBACKEND", "Agg")  # should pyplot get imported anyway, never a window
pytest.importorskip("matplotlib.image")

from tinydl import plots  # noqa: E402  (after the skip: plots need matplotlib)


def digits(count: int, seed: int = 0) -> np.ndarray:
    """uint8 'images': a bright square at a random place on black."""
    rng = np.random.default_rng(seed)
    images = np.zeros((count, 28, 28), np.uint8)
    for image in images:
        row, column = rng.integers(2, 18, 2)
        image[row : row + 8, column : column + 8] = 255
    return images


def test_sample_grid(tmp_path: Path) -> None:
    path = plots.sample_grid(digits(12), list(range(12)), tmp_path / "grid" / "samples.png",
                             columns=6)
    assert path == tmp_path / "grid" / "samples.png"
    pixels = assert_png_has_content(path, 150, 350)
    assert pixels.shape[1] > pixels.shape[0]  # 6 columns by 2 rows


def test_sample_grid_takes_channel_first_images(tmp_path: Path) -> None:
    assert_png_has_content(
        plots.sample_grid(digits(3)[:, None], [1, 2, 3], tmp_path / "s.png"), 80, 400
    )


def test_training_curves(tmp_path: Path) -> None:
    history = {
        "loss": [1.0, 0.6, 0.4, 0.3], "accuracy": [0.6, 0.8, 0.85, 0.9],
        "val_loss": [0.9, 0.7, 0.5, 0.45], "val_accuracy": [0.65, 0.78, 0.84, 0.86],
        "lr": [0.1] * 4, "seconds": [1.0] * 4,
    }
    pixels = assert_png_has_content(
        plots.training_curves(history, tmp_path / "curves.png"), 300, 700
    )
    assert pixels.shape[1] > 2 * pixels.shape[0] * 0.9  # two panels side by side


def test_training_curves_with_test_figures_only(tmp_path: Path) -> None:
    history = {"loss": [1.0, 0.5], "accuracy": [0.5, 0.7], "test_loss": [0.9, 0.6],
               "test_accuracy": [0.55, 0.72]}
    assert_png_has_content(plots.training_curves(history, tmp_path / "c.png"), 300, 700)


def test_confusion_matrix_plot(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    matrix = rng.integers(0, 5, (10, 10)) + np.diag(rng.integers(80, 100, 10))
    assert_png_has_content(plots.confusion_matrix_plot(matrix, tmp_path / "cm.png"), 400, 400)


def test_most_confident_mistakes_shows_the_surest_errors_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    images = digits(6)
    labels = np.array([0, 1, 2, 0, 1, 2])
    probabilities = np.array([
        [0.9, 0.05, 0.05],  # right
        [0.7, 0.2, 0.1],    # wrong, 0.7 sure
        [0.1, 0.1, 0.8],    # right
        [0.05, 0.05, 0.9],  # wrong, 0.9 sure
        [0.4, 0.35, 0.25],  # wrong, 0.4 sure
        [0.2, 0.6, 0.2],    # wrong, 0.6 sure
    ])
    shown = {}
    real_grid = plots.sample_grid

    def spy(chosen_images, titles, path, **options):
        shown["images"], shown["titles"] = chosen_images, titles
        return real_grid(chosen_images, titles, path, **options)

    monkeypatch.setattr(plots, "sample_grid", spy)
    path = plots.most_confident_mistakes(images, labels, probabilities, tmp_path / "m.png",
                                         count=3)
    assert shown["titles"] == ["2 (0) 0.90", "0 (1) 0.70", "1 (2) 0.60"]
    np.testing.assert_array_equal(shown["images"], images[[3, 1, 5]])
    assert_png_has_content(path, 80, 200)


def test_plots_leave_the_callers_backend_alone(tmp_path: Path) -> None:
    import matplotlib

    before = matplotlib.rcParams["backend"]
    matplotlib.use("svg")  # stands for a notebook's or a GUI's own backend
    try:
        plots.confusion_matrix_plot(np.eye(3, dtype=int), tmp_path / "cm.png")
        plots.training_curves({"loss": [1.0], "accuracy": [0.5]}, tmp_path / "c.png")
        assert matplotlib.rcParams["backend"] == "svg"
    finally:
        matplotlib.use(before)
    assert (tmp_path / "cm.png").is_file() and (tmp_path / "c.png").is_file()
