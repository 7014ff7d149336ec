"""Functional forms of the layers, under PyTorch's names and argument order
(``import tinydl.nn.functional as F``). Each is a single Function in ``tinydl.ops``."""

from tinydl.ops.activations import log_softmax, relu, sigmoid, softmax, tanh
from tinydl.ops.conv import conv2d
from tinydl.ops.dropout import dropout
from tinydl.ops.linalg import linear
from tinydl.ops.losses import binary_cross_entropy_with_logits, cross_entropy, hinge_loss, mse_loss
from tinydl.ops.normalization import batch_norm
from tinydl.ops.pooling import max_pool2d

__all__ = [
    "batch_norm", "binary_cross_entropy_with_logits", "conv2d", "cross_entropy", "dropout",
    "hinge_loss", "linear", "log_softmax", "max_pool2d", "mse_loss", "relu", "sigmoid", "softmax",
    "tanh",
]
