"""Layer 7: training and its tools: the fit/evaluate loop, early stopping, metrics,
checkpoints, and scores for image generators (``generative``)."""

from tinydl.train.callbacks import EarlyStopping
from tinydl.train.checkpoint import CheckpointError, load_checkpoint, save_checkpoint
from tinydl.train.generative import (
    TARGETS,
    RealDigits,
    class_coverage,
    classifier_outputs,
    digit_judge,
    frechet_distance,
    inception_score,
    nearest_distances,
    score_images,
)
from tinydl.train.loop import TrainingDiverged, evaluate, fit, predict
from tinydl.train.metrics import confusion_matrix, precision_recall_f1

__all__ = [
    "CheckpointError", "EarlyStopping", "TrainingDiverged", "confusion_matrix", "evaluate", "fit",
    "load_checkpoint", "precision_recall_f1", "predict", "save_checkpoint",
    "RealDigits", "TARGETS", "class_coverage", "classifier_outputs", "digit_judge",
    "frechet_distance", "inception_score", "nearest_distances", "score_images",
]
