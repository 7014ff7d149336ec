"""Layer 4: models. ``Module`` and ``Parameter``, the layers, losses, initialisers and
``summary()``. PyTorch's method names (``parameters()``, ``zero_grad()``,
``state_dict()``), Keras's layer names (``Dense``, ``Conv2D``, ``MaxPool2D``); PyTorch's
spellings ``MaxPool2d``, ``BatchNorm1d``/``2d`` are the same classes. ``Linear`` is PyTorch's
fully connected layer, weight (out, in); ``Dense`` stores it (in, out). ``Conv2d`` and
``ConvTranspose2d`` are PyTorch's convolutions, ``Conv2D`` and ``ConvTranspose2D`` the same
layers with Keras's first weights.
PyTorch's containers (``ModuleList``, ``ModuleDict``, ``ParameterList``), ``Transformer``
and its layers, ``nn.utils`` (gradient clipping) and ``nn.parallel`` are here too."""

from tinydl.nn import functional, init, modules, parallel, utils
from tinydl.nn.activation import GELU, LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh
from tinydl.nn.attention import MultiHeadAttention, MultiheadAttention
from tinydl.nn.container import Sequential
from tinydl.nn.conv import AdaptiveAvgPool2d, Conv2D, Conv2d, MaxPool2D, MaxPool2d
from tinydl.nn.conv_transpose import ConvTranspose2D, ConvTranspose2d
from tinydl.nn.embedding import Embedding
from tinydl.nn.encoder_decoder import (
    Transformer,
    TransformerDecoder,
    TransformerDecoderLayer,
    TransformerEncoder,
    TransformerEncoderLayer,
)
from tinydl.nn.layer_norm import LayerNorm
from tinydl.nn.linear import Dense, Flatten, Linear, Reshape
from tinydl.nn.loss import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    HingeLoss,
    HuberLoss,
    L1Loss,
    MSELoss,
    NLLLoss,
    SmoothL1Loss,
)
from tinydl.nn.module import Buffer, Module, Parameter
from tinydl.nn.module_containers import ModuleDict, ModuleList, ParameterDict, ParameterList
from tinydl.nn.normalization import (
    BatchNorm1D,
    BatchNorm1d,
    BatchNorm2D,
    BatchNorm2d,
    Dropout,
    Dropout2d,
)
from tinydl.nn.parallel import DataParallel
from tinydl.nn.recurrent import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNCell
from tinydl.nn.summary import summary
from tinydl.nn.sync_batch_norm import SyncBatchNorm
from tinydl.nn.transformer import (
    LearnedPositionalEmbedding,
    SinusoidalPositionalEncoding,
    TransformerBlock,
)

__all__ = [
    "BCELoss", "BCEWithLogitsLoss", "BatchNorm1D", "BatchNorm2D", "Buffer", "Conv2D",
    "CrossEntropyLoss",
    "Dense", "Dropout", "Flatten", "HingeLoss", "LogSoftmax", "MSELoss", "MaxPool2D", "Module",
    "Parameter", "ReLU", "Reshape", "Sequential", "Sigmoid", "Softmax", "Tanh", "functional",
    "init", "summary",
    "Embedding", "GRU", "GRUCell", "LSTM", "LSTMCell", "RNN", "RNNCell",
    "ConvTranspose2D", "ConvTranspose2d", "LeakyReLU",
    "GELU", "LayerNorm", "LearnedPositionalEmbedding", "MultiHeadAttention", "MultiheadAttention",
    "SinusoidalPositionalEncoding", "TransformerBlock",
    "DataParallel", "SyncBatchNorm",
    "ModuleDict", "ModuleList", "ParameterDict", "ParameterList", "Transformer",
    "TransformerDecoder", "TransformerDecoderLayer", "TransformerEncoder",
    "TransformerEncoderLayer", "modules", "parallel", "utils",
    # PyTorch's spellings of the same classes
    "BatchNorm1d", "BatchNorm2d", "Conv2d", "Dropout2d", "Linear", "MaxPool2d", "NLLLoss",
    "AdaptiveAvgPool2d", "HuberLoss", "L1Loss", "SmoothL1Loss",
]
