"""``torch.nn.modules.activation``'s classes: tinydl's, under PyTorch's module path."""

from tinydl.nn.activation import GELU, LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh
from tinydl.nn.attention import MultiheadAttention

__all__ = [
    "GELU", "LeakyReLU", "LogSoftmax", "MultiheadAttention", "ReLU", "Sigmoid", "Softmax",
    "Tanh",
]
