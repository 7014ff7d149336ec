"""``torch.nn.modules.rnn``'s classes: tinydl's, under PyTorch's module path."""

from tinydl.nn.recurrent import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNCell

__all__ = ["GRU", "GRUCell", "LSTM", "LSTMCell", "RNN", "RNNCell"]
