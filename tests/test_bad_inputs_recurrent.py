"""Bad inputs to the recurrent entry points (Embedding, the cells and layers, sequence
cross-entropy) get a clear error from tinydl: the argument, what it got, what was expected.
Format: tests/bad_input_table.py."""

from __future__ import annotations

import numpy as np
import pytest
from bad_input_table import Case, check, params

import tinydl
from tinydl import nn
from tinydl.nn import functional as F  # noqa: N812  (PyTorch's usual spelling)
from tinydl.ops.recurrent import sequence_cross_entropy


def ones(*shape: int, dtype: str = "float32") -> tinydl.Tensor:
    return tinydl.tensor(np.ones(shape), dtype=dtype)


lstm = nn.LSTM(3, 4, num_layers=2, batch_first=True)
gru = nn.GRU(3, 4)
embedding = nn.Embedding(5, 2)

CASES = [
    # Embedding
    Case("embedding_id_too_large", lambda: embedding([[0, 5]]), IndexError,
         ("token id 5", "num_embeddings=5", "[0, 5)")),
    Case("embedding_negative_id", lambda: embedding(np.array([-1, 2])), IndexError,
         ("token id -1",)),
    Case("embedding_float_ids", lambda: embedding(ones(2, 3)), TypeError,
         ("integer token ids", "float32")),
    Case("embedding_ids_on_other_device",
         lambda: embedding(tinydl.tensor([1, 2], device="fake")), tinydl.DeviceError,
         ("embedding()", "ids is on fake but weight on cpu", ".to('cpu')")),
    Case("embedding_bad_padding_idx", lambda: nn.Embedding(5, 2, padding_idx=5), ValueError,
         ("Embedding", "padding_idx must be an integer from -5 to 4", "got 5")),
    Case("embedding_zero_rows", lambda: nn.Embedding(0, 2), ValueError,
         ("num_embeddings must be a positive integer", "got 0")),
    Case("embedding_weight_rank", lambda: F.embedding([1], ones(5)), ValueError,
         (
             "embedding()",
             "weight must be a Tensor of shape (num_embeddings, embedding_dim)",
             "got shape (5,)",
         )),
    # layers
    Case("lstm_input_rank_4", lambda: lstm(ones(2, 3, 4, 3)), ValueError,
         (
             "LSTM",
             "input must be a Tensor of shape (N, T, input_size) or",
             "got shape (2, 3, 4, 3)",
         )),
    Case("lstm_input_rank_1", lambda: lstm(ones(3)), ValueError,
         ("LSTM", "input must be a Tensor of shape (N, T, input_size) or", "got shape (3,)")),
    Case("gru_input_rank_names_time_major_layout", lambda: gru(ones(3)), ValueError,
         ("(T, N, input_size)",)),
    Case("lstm_wrong_feature_size", lambda: lstm(ones(2, 5, 7)), ValueError,
         ("input_size=3", "(2, 5, 7)", "has 7")),
    Case("lstm_wrong_dtype", lambda: lstm(ones(2, 5, 3, dtype="float64")), TypeError,
         ("LSTM", "weight_ih is float32 but input is float64", "no silent upcast")),
    Case("lstm_input_not_tensor", lambda: lstm([[[1.0, 2.0, 3.0]]]), TypeError,
         ("LSTM", "input must be a Tensor of shape (N, T, input_size) or", "got list")),
    Case("lstm_empty_sequence", lambda: lstm(ones(2, 0, 3)), ValueError,
         ("at least one time step",)),
    Case("lstm_state_wrong_shape", lambda: lstm(ones(2, 5, 3), (ones(1, 2, 4), ones(2, 2, 4))),
         ValueError, ("LSTM", "h_0 must be a Tensor of shape (2, 2, 4)", "got shape (1, 2, 4)")),
    Case("lstm_cell_state_wrong_shape",
         lambda: lstm(ones(2, 5, 3), (ones(2, 2, 4), ones(2, 3, 4))), ValueError,
         ("LSTM", "c_0 must be a Tensor of shape (2, 2, 4)", "got shape (2, 3, 4)")),
    Case("lstm_state_not_a_pair", lambda: lstm(ones(2, 5, 3), ones(2, 2, 4)), TypeError,
         ("pair (h_0, c_0)",)),
    Case("gru_state_wrong_batch", lambda: gru(ones(5, 2, 3), ones(1, 3, 4)), ValueError,
         ("GRU", "h_0 must be a Tensor of shape (1, 2, 4)", "got shape (1, 3, 4)")),
    Case("gru_state_wrong_dtype", lambda: gru(ones(5, 2, 3), ones(1, 2, 4, dtype="float64")),
         TypeError, ("GRU", "x is float32 but h_0 is float64", "no silent upcast")),
    Case("rnn_bad_nonlinearity", lambda: nn.RNN(3, 4, nonlinearity="sigmoid"), ValueError,
         ("'tanh' or 'relu'", "'sigmoid'")),
    Case("lstm_zero_layers", lambda: nn.LSTM(3, 4, num_layers=0), ValueError,
         ("num_layers must be a positive integer",)),
    Case("lstm_bidirectional", lambda: nn.LSTM(3, 4, bidirectional=True), ValueError,
         ("bidirectional=True is not supported",)),
    Case("gru_bad_dropout", lambda: nn.GRU(3, 4, dropout=1.5), ValueError,
         ("dropout", "probability", "1.5")),
    # cells
    Case("lstm_cell_wrong_feature_size", lambda: nn.LSTMCell(3, 4)(ones(2, 5)), ValueError,
         ("LSTMCell", "input_size=3", "(2, 5)")),
    Case("rnn_cell_input_rank_3", lambda: nn.RNNCell(3, 4)(ones(2, 1, 3)), ValueError,
         (
             "RNNCell",
             "input must be a Tensor of shape (N, input_size) or (input_size,)",
             "got shape (2, 1, 3)",
         )),
    Case("gru_cell_state_wrong_shape", lambda: nn.GRUCell(3, 4)(ones(2, 3), ones(2, 5)),
         ValueError, ("GRUCell", "hx must be a Tensor of shape (2, 4)", "got shape (2, 5)")),
    Case("lstm_cell_state_not_a_pair", lambda: nn.LSTMCell(3, 4)(ones(2, 3), ones(2, 4)),
         TypeError, ("pair (h, c)",)),
    Case("lstm_cell_c_wrong_shape",
         lambda: nn.LSTMCell(3, 4)(ones(2, 3), (ones(2, 4), ones(4))), ValueError,
         ("LSTMCell", "cx must be a Tensor of shape (2, 4)", "got shape (4,)")),
    # sequence cross-entropy
    Case("sequence_ce_logits_rank", lambda: sequence_cross_entropy(ones(4, 3), [1, 2, 0, 1]),
         ValueError, (
             "sequence_cross_entropy()",
             "logits must be a Tensor of shape (N, T, C)",
             "got shape (4, 3)",
         )),
    Case("sequence_ce_labels_shape",
         lambda: sequence_cross_entropy(ones(2, 3, 5), np.zeros((2, 4), dtype=np.int64)),
         ValueError, ("labels of shape (N, T) = (2, 3)", "(2, 4)")),
    Case("sequence_ce_label_out_of_range",
         lambda: sequence_cross_entropy(ones(1, 2, 5), np.array([[1, 5]])), ValueError,
         ("label 5",)),
]


@pytest.mark.parametrize("case", params(CASES))
def test_bad_input(case: Case) -> None:
    check(case)
