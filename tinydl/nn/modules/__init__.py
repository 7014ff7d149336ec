"""``torch.nn.modules``: PyTorch's paths to its layer classes (``torch.nn.modules.rnn.LSTM``,
``torch.nn.modules.sparse.Embedding``), as programs name them in allow-lists and checks.
Each submodule holds the same classes as ``tinydl.nn``, under the file PyTorch keeps
them in; the classes themselves live in tinydl's own modules (``tinydl/nn/recurrent.py``,
...)."""

from tinydl.nn.modules import (
    activation,
    batchnorm,
    container,
    conv,
    dropout,
    flatten,
    linear,
    loss,
    module,
    normalization,
    pooling,
    rnn,
    sparse,
    transformer,
)

__all__ = [
    "activation", "batchnorm", "container", "conv", "dropout", "flatten", "linear", "loss",
    "module", "normalization", "pooling", "rnn", "sparse", "transformer",
]
