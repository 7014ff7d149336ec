"""confusion_matrix and precision_recall_f1 against values worked out by hand, and their
errors for bad labels."""

from __future__ import annotations

import re

import numpy as np
import pytest

from tinydl.train import confusion_matrix, precision_recall_f1


def test_confusion_matrix_counts_true_against_predicted() -> None:
    labels = np.array([0, 0, 1, 1, 1, 2, 3, 3])
    predictions = np.array([0, 1, 1, 1, 0, 2, 2, 3])
    matrix = confusion_matrix(labels, predictions, 4)
    np.testing.assert_array_equal(
        matrix, [[1, 1, 0, 0], [1, 2, 0, 0], [0, 0, 1, 0], [0, 0, 1, 1]]
    )
    assert matrix.sum() == len(labels)
    assert matrix.dtype.kind == "i"


def test_confusion_matrix_accepts_any_integer_dtype_and_lists() -> None:
    expected = confusion_matrix(np.array([2, 0, 1]), np.array([2, 1, 1]), 3)
    np.testing.assert_array_equal(
        confusion_matrix(np.array([2, 0, 1], np.uint8), np.array([2, 1, 1], np.int32), 3),
        expected,
    )
    np.testing.assert_array_equal(confusion_matrix([2, 0, 1], [2, 1, 1], 3), expected)


def test_empty_input_gives_a_zero_matrix() -> None:
    np.testing.assert_array_equal(confusion_matrix([], [], 2), np.zeros((2, 2)))


def test_precision_recall_f1_by_hand() -> None:
    # True 0: 1 right, 1 taken for a 1; true 1: 2 right, 1 taken for a 0; class 2 neither
    # occurs nor is predicted (0 by convention); true 3: both right.
    matrix = np.array([[1, 1, 0, 0], [1, 2, 0, 0], [0, 0, 0, 0], [0, 0, 0, 2]])
    figures = precision_recall_f1(matrix)
    np.testing.assert_allclose(figures["precision"], [1 / 2, 2 / 3, 0.0, 1.0])
    np.testing.assert_allclose(figures["recall"], [1 / 2, 2 / 3, 0.0, 1.0])
    np.testing.assert_allclose(figures["f1"], [1 / 2, 2 / 3, 0.0, 1.0])


def test_precision_and_recall_differ_when_errors_are_one_sided() -> None:
    # Class 0: 3 samples, 2 found; class 1 gets the missed one plus its own 1.
    figures = precision_recall_f1(np.array([[2, 1], [0, 1]]))
    np.testing.assert_allclose(figures["precision"], [1.0, 0.5])
    np.testing.assert_allclose(figures["recall"], [2 / 3, 1.0])
    np.testing.assert_allclose(figures["f1"], [0.8, 2 / 3])


def test_undefined_figures_are_zero_without_warnings() -> None:
    with np.errstate(all="raise"):  # no 0/0 is ever evaluated
        figures = precision_recall_f1(np.array([[0, 3], [0, 0]]))
    np.testing.assert_array_equal(figures["precision"], [0.0, 0.0])
    np.testing.assert_array_equal(figures["recall"], [0.0, 0.0])
    np.testing.assert_array_equal(figures["f1"], [0.0, 0.0])


@pytest.mark.parametrize(
    ("labels", "predictions", "message"),
    [
        ([0, 1, 3], [0, 1, 2], "labels must lie in [0, 3), found 0..3"),
        ([0, -1, 2], [0, 1, 2], "labels must lie in [0, 3), found -1..2"),
        ([0, 1, 2], [0, 5, 2], "predictions must lie in [0, 3), found 0..5"),
        ([0.0, 1.0, 2.0], [0, 1, 2], "labels must be integer class indices, got dtype float64"),
        ([0, 1], [0, 1, 2], "labels and predictions must be vectors of one length, got shapes "
                            "(2,) and (3,)"),
        ([[0, 1]], [[0, 1]], "labels and predictions must be vectors of one length, got shapes "
                             "(1, 2) and (1, 2)"),
    ],
)
def test_bad_labels_are_named(labels, predictions, message) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        confusion_matrix(np.array(labels), np.array(predictions), 3)


def test_bad_number_of_classes() -> None:
    with pytest.raises(ValueError, match=(
        r"^confusion_matrix\(\): num_classes must be a positive integer, got 0$"
    )):
        confusion_matrix([], [], 0)
    with pytest.raises(TypeError, match=(
        r"^confusion_matrix\(\): num_classes must be a positive integer, got 2\.5$"
    )):
        confusion_matrix([0], [0], 2.5)
