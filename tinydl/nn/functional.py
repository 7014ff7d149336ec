"""Functional forms of the layers, under PyTorch's names and argument order
(``import tinydl.nn.functional as F``). Each is a single Function in ``tinydl.ops``."""

from tinydl.ops.activations import gelu, leaky_relu, log_softmax, relu, sigmoid, softmax, tanh
from tinydl.ops.adaptive_pool import adaptive_avg_pool2d
from tinydl.ops.attention import scaled_dot_product_attention
from tinydl.ops.conv import conv2d
from tinydl.ops.conv_transpose import conv_transpose2d
from tinydl.ops.dropout import dropout, dropout2d
from tinydl.ops.embedding import embedding
from tinydl.ops.layer_norm import layer_norm
from tinydl.ops.linalg import linear
from tinydl.ops.losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    hinge_loss,
    huber_loss,
    l1_loss,
    mse_loss,
    nll_loss,
    smooth_l1_loss,
)
from tinydl.ops.normalization import batch_norm
from tinydl.ops.pooling import max_pool2d

__all__ = [
    "batch_norm", "binary_cross_entropy", "binary_cross_entropy_with_logits", "conv2d",
    "cross_entropy", "dropout",
    "hinge_loss", "linear", "log_softmax", "max_pool2d", "mse_loss", "relu", "sigmoid", "softmax",
    "tanh",
    "embedding",
    "conv_transpose2d", "leaky_relu",
    "gelu", "layer_norm", "scaled_dot_product_attention",
    "dropout2d", "nll_loss",
    "adaptive_avg_pool2d", "huber_loss", "l1_loss", "smooth_l1_loss",
]
