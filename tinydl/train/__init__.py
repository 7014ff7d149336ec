"""Layer 7: training and its tools: the fit/evaluate loop, early stopping, metrics and
checkpoints."""

from tinydl.train.callbacks import EarlyStopping
from tinydl.train.checkpoint import CheckpointError, load_checkpoint, save_checkpoint
from tinydl.train.loop import TrainingDiverged, evaluate, fit, predict
from tinydl.train.metrics import confusion_matrix, precision_recall_f1

__all__ = [
    "CheckpointError", "EarlyStopping", "TrainingDiverged", "confusion_matrix", "evaluate", "fit",
    "load_checkpoint", "precision_recall_f1", "predict", "save_checkpoint",
]
