"""Layer 4: models. ``Module`` and ``Parameter``, the layers, losses, initialisers and
``summary()``. PyTorch's method names (``parameters()``, ``zero_grad()``,
``state_dict()``), Keras's layer names (``Dense``, ``Conv2D``, ``MaxPool2D``)."""

from tinydl.nn import functional, init
from tinydl.nn.activation import LogSoftmax, ReLU, Sigmoid, Softmax, Tanh
from tinydl.nn.container import Sequential
from tinydl.nn.conv import Conv2D, MaxPool2D
from tinydl.nn.linear import Dense, Flatten, Reshape
from tinydl.nn.loss import BCEWithLogitsLoss, CrossEntropyLoss, HingeLoss, MSELoss
from tinydl.nn.module import Buffer, Module, Parameter
from tinydl.nn.normalization import BatchNorm1D, BatchNorm2D, Dropout
from tinydl.nn.summary import summary

__all__ = [
    "BCEWithLogitsLoss", "BatchNorm1D", "BatchNorm2D", "Buffer", "Conv2D", "CrossEntropyLoss",
    "Dense", "Dropout", "Flatten", "HingeLoss", "LogSoftmax", "MSELoss", "MaxPool2D", "Module",
    "Parameter", "ReLU", "Reshape", "Sequential", "Sigmoid", "Softmax", "Tanh", "functional",
    "init", "summary",
]
