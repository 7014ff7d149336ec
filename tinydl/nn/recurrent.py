"""Recurrent layers with PyTorch's names, arguments, parameter layout and return values, so
PyTorch code and state dicts work unchanged.

- Cells run one time step: ``RNNCell`` (tanh or relu), ``LSTMCell``, ``GRUCell``.
  Parameters ``weight_ih`` (G·H, D), ``weight_hh`` (G·H, H), ``bias_ih``, ``bias_hh`` (G·H,)
  with G gate blocks stacked in PyTorch's order (LSTM: i, f, g, o; GRU: r, z, n).
- Layers run a whole sequence, stacked ``num_layers`` deep: ``RNN``, ``LSTM``, ``GRU``.
  Parameters ``weight_ih_l0``, ``weight_hh_l0``, ``bias_ih_l0``, ``bias_hh_l0``, ``…_l1``, ….

**Layout.** As in PyTorch, a layer's input is (T, N, D), time first, unless
``batch_first=True``, which makes it (N, T, D); the outputs follow the same choice. The
states are always (num_layers, N, H). An unbatched (T, D) sequence is accepted too.
``RNN``/``GRU`` return ``output, h_n``; ``LSTM`` returns ``output, (h_n, c_n)``.

**Backprop through time** needs nothing special: the loop over time builds a graph, and
``backward()`` walks it back. For truncated BPTT, carry the final state into the next
chunk after ``detach()`` (see ``examples/sine_lstm.py`` and docs/recurrent.md).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from tinydl import backend, check
from tinydl.autograd import Tensor
from tinydl.autograd.tensor_checks import fits_input, same_dtype, tensor
from tinydl.backend.fast_path_switch import fast_paths_enabled
from tinydl.nn import init
from tinydl.nn.linear import new_parameter
from tinydl.nn.module import Module
from tinydl.ops import recurrent as rec
from tinydl.ops.dropout import dropout
from tinydl.ops.shape import stack

GATES = {"RNN": 1, "LSTM": 4, "GRU": 3}


def _uniform_weight(shape: tuple[int, ...], hidden_size: int) -> np.ndarray:
    """PyTorch's initialisation of every recurrent parameter: U(-1/√H, 1/√H)."""
    return init.symmetric_uniform(shape, 1 / math.sqrt(hidden_size))


def _check_input(name: str, x: Any, input_size: int, weight: Tensor, layout: str) -> None:
    """``x`` is a Tensor of a rank ``layout`` allows, of the dtype of ``weight`` (the first
    input weight), D = input_size."""
    tensor(name, "input", x, layout)
    if x.shape[-1] != input_size:
        raise ValueError(
            f"{name} was built for input_size={input_size} features, got input of shape "
            f"{x.shape} whose last axis has {x.shape[-1]}"
        )
    same_dtype(name, "input", x, "weight_ih", weight)


def _state(name: str, what: str, state: Any, shape: tuple[int, ...], x: Tensor) -> Tensor:
    """The state ``what`` checked against ``shape`` and ``x``, or zeros when not given."""
    if state is None:
        return Tensor(backend.array_module(x.array).zeros(shape, dtype=x.dtype))
    fits_input(name, what, state, shape, x)
    return state


# ---- cells ----------------------------------------------------------------------------------
class _Cell(Module):
    kind = ""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True) -> None:
        self.input_size = check.positive_int(type(self).__name__, "input_size", input_size)
        self.hidden_size = check.positive_int(type(self).__name__, "hidden_size", hidden_size)
        rows = GATES[self.kind] * hidden_size
        self.weight_ih = new_parameter(_uniform_weight((rows, input_size), hidden_size))
        self.weight_hh = new_parameter(_uniform_weight((rows, hidden_size), hidden_size))
        self.bias_ih = new_parameter(_uniform_weight((rows,), hidden_size)) if bias else None
        self.bias_hh = new_parameter(_uniform_weight((rows,), hidden_size)) if bias else None

    def _prepare(self, x: Any, states: list[Any]) -> tuple[Tensor, list[Tensor], bool]:
        """Check ``x`` (N, D) or (D,) and each state (N, H) or (H,); missing states are
        zeros. Returns the batched input and states, and whether the input was unbatched."""
        name = type(self).__name__
        _check_input(name, x, self.input_size, self.weight_ih, "(N, input_size) or (input_size,)")
        unbatched = x.ndim == 1
        shape = (self.hidden_size,) if unbatched else (len(x), self.hidden_size)
        what = ("hx", "cx")
        states = [_state(name, what[k], s, shape, x) for k, s in enumerate(states)]
        if unbatched:
            x, states = x[None], [s[None] for s in states]
        return x, states, unbatched

    def _weights(self) -> tuple[Tensor | None, ...]:
        return self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh

    def extra_repr(self) -> str:
        return f"{self.input_size}, {self.hidden_size}, bias={self.bias_ih is not None}"


class RNNCell(_Cell):
    """h' = tanh(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh) (or relu), one step; ``cell(x, h=None)``."""

    kind = "RNN"

    def __init__(
        self, input_size: int, hidden_size: int, bias: bool = True, nonlinearity: str = "tanh"
    ) -> None:
        self.nonlinearity = check.one_of("RNNCell", "nonlinearity", nonlinearity, ("tanh", "relu"))
        super().__init__(input_size, hidden_size, bias)

    def forward(self, x: Tensor, hx: Tensor | None = None) -> Tensor:
        x, (h,), unbatched = self._prepare(x, [hx])
        h = rec.rnn_cell(x, h, *self._weights(), nonlinearity=self.nonlinearity)
        return h[0] if unbatched else h


class GRUCell(_Cell):
    """One GRU step, PyTorch's equations and gate order (r, z, n); ``cell(x, h=None)``."""

    kind = "GRU"

    def forward(self, x: Tensor, hx: Tensor | None = None) -> Tensor:
        x, (h,), unbatched = self._prepare(x, [hx])
        h = rec.gru_cell(x, h, *self._weights())
        return h[0] if unbatched else h


class LSTMCell(_Cell):
    """One LSTM step, gate order (i, f, g, o); ``cell(x, (h, c)=None)`` returns ``(h', c')``.

    The step is ``tinydl.ops.recurrent.lstm_cell``, composed from elementary ops and
    differentiated by autograd; while the fast paths are on, ``lstm_cell_fast``, one
    Function with its backward written out.
    """

    kind = "LSTM"

    def forward(
        self, x: Tensor, hx: tuple[Tensor, Tensor] | None = None
    ) -> tuple[Tensor, Tensor]:
        if hx is not None and (not isinstance(hx, (tuple, list)) or len(hx) != 2):
            raise TypeError("LSTMCell needs hx as a pair (h, c) of Tensors, or None")
        x, (h, c), unbatched = self._prepare(x, [None, None] if hx is None else list(hx))
        step = rec.lstm_cell_fast if fast_paths_enabled() else rec.lstm_cell
        h, c = step(x, h, c, *self._weights())
        return (h[0], c[0]) if unbatched else (h, c)


# ---- layers ---------------------------------------------------------------------------------
class _Recurrent(Module):
    kind = ""

    def __init__(
        self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
        batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
    ) -> None:
        if bidirectional:
            raise ValueError("bidirectional=True is not supported by tinydl's recurrent layers")
        name = type(self).__name__
        self.dropout = check.probability(name, "dropout", dropout)
        self.input_size = check.positive_int(name, "input_size", input_size)
        self.hidden_size = check.positive_int(name, "hidden_size", hidden_size)
        self.num_layers = check.positive_int(name, "num_layers", num_layers)
        self.bias = check.flag(name, "bias", bias)
        self.batch_first = check.flag(name, "batch_first", batch_first)
        rows = GATES[self.kind] * hidden_size
        # Assigned in PyTorch's order, so state_dict() lists the names as PyTorch does.
        for layer in range(num_layers):
            columns = input_size if layer == 0 else hidden_size
            shapes = {"weight_ih": (rows, columns), "weight_hh": (rows, hidden_size)}
            if bias:
                shapes.update(bias_ih=(rows,), bias_hh=(rows,))
            for name, shape in shapes.items():
                value = new_parameter(_uniform_weight(shape, hidden_size))
                setattr(self, f"{name}_l{layer}", value)

    def flatten_parameters(self) -> None:
        """Accepted and does nothing: in PyTorch it packs the weights into one block of GPU
        memory for cuDNN; tinydl's weights need no packing."""

    def layer_weights(self, layer: int) -> tuple[Tensor | None, ...]:
        """(weight_ih, weight_hh, bias_ih, bias_hh) of one layer (biases None without bias)."""
        return tuple(
            getattr(self, f"{name}_l{layer}", None)
            for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
        )

    def _prepare(self, x: Any, states: list[Any]) -> tuple[Tensor, list[Tensor], bool]:
        """Check the input and the states; return x time-major (T, N, D), the states as
        (num_layers, N, H) (zeros when not given), and whether x was unbatched."""
        name = type(self).__name__
        batched = "(N, T, input_size)" if self.batch_first else "(T, N, input_size)"
        _check_input(name, x, self.input_size, self.weight_ih_l0, f"{batched} or (T, input_size)")
        unbatched = x.ndim == 2
        if unbatched:
            x = x[:, None]
        elif self.batch_first:
            x = x.transpose(0, 1)
        if x.shape[0] == 0:
            raise ValueError(f"{name} needs a sequence of at least one time step, got {x.shape}")
        batch = x.shape[1]
        shape = (self.num_layers, self.hidden_size)
        shape = shape if unbatched else (self.num_layers, batch, self.hidden_size)
        what = ("h_0", "c_0")
        checked = []
        for k, s in enumerate(states):
            s = _state(name, what[k], s, shape, x)
            checked.append(s[:, None] if unbatched else s)
        return x, checked, unbatched

    def _between_layers(self, x: Tensor, layer: int) -> Tensor:
        """PyTorch's ``dropout`` on each layer's output but the last's, in training only."""
        if self.dropout and layer < self.num_layers - 1:
            return dropout(x, self.dropout, self.training)
        return x

    def _run(self, x: Tensor, states: list[Tensor], unbatched: bool) -> tuple[Tensor, list]:
        """Every layer over every step, composed from one cell per step (``_step``).

        Each layer's outputs stay a list of per-step tensors for the next layer, so no
        layer slices a stacked sequence T times (each slice's gradient is sequence-sized).
        """
        steps = [x[t] for t in range(x.shape[0])]
        finals: list[list[Tensor]] = [[] for _ in states]
        for layer in range(self.num_layers):
            carried = [s[layer] for s in states]
            outputs = []
            for x_t in steps:
                carried = self._step(x_t, carried, self.layer_weights(layer))
                outputs.append(carried[0])
            for final, s in zip(finals, carried, strict=True):
                final.append(s)
            steps = [self._between_layers(h, layer) for h in outputs]
        return self._output(stack(outputs, axis=0), unbatched), [
            self._state(final, unbatched) for final in finals
        ]

    def _step(self, x: Tensor, carried: list[Tensor], weights: tuple) -> list[Tensor]:
        raise NotImplementedError

    def _output(self, y: Tensor, unbatched: bool) -> Tensor:
        """Time-major (T, N, H) outputs in the caller's layout."""
        if unbatched:
            return y[:, 0]
        return y.transpose(0, 1) if self.batch_first else y

    @staticmethod
    def _state(finals: list[Tensor], unbatched: bool) -> Tensor:
        state = stack(finals, axis=0)
        return state[:, 0] if unbatched else state

    def extra_repr(self) -> str:
        extras = [f"{self.input_size}, {self.hidden_size}"]
        if self.num_layers != 1:
            extras.append(f"num_layers={self.num_layers}")
        if self.batch_first:
            extras.append("batch_first=True")
        if self.dropout:
            extras.append(f"dropout={self.dropout}")
        if not self.bias:
            extras.append("bias=False")
        return ", ".join(extras)


class RNN(_Recurrent):
    """Elman RNN layers: h_t = tanh(x_t W_ihᵀ + b_ih + h_{t-1} W_hhᵀ + b_hh) (or relu).

    ``rnn(input, h_0=None)`` returns ``output, h_n``: every step's top-layer h, and every
    layer's last h, (num_layers, N, H).
    """

    kind = "RNN"

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 nonlinearity: str = "tanh", bias: bool = True, batch_first: bool = False,
                 dropout: float = 0.0, bidirectional: bool = False) -> None:
        self.nonlinearity = check.one_of("RNN", "nonlinearity", nonlinearity, ("tanh", "relu"))
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional)

    def forward(self, x: Tensor, hx: Tensor | None = None) -> tuple[Tensor, Tensor]:
        output, (h_n,) = self._run(*self._prepare(x, [hx]))
        return output, h_n

    def _step(self, x: Tensor, carried: list[Tensor], weights: tuple) -> list[Tensor]:
        return [rec.rnn_cell(x, carried[0], *weights, nonlinearity=self.nonlinearity)]


class GRU(_Recurrent):
    """GRU layers (PyTorch's equations); ``gru(input, h_0=None)`` returns ``output, h_n``."""

    kind = "GRU"

    def forward(self, x: Tensor, hx: Tensor | None = None) -> tuple[Tensor, Tensor]:
        output, (h_n,) = self._run(*self._prepare(x, [hx]))
        return output, h_n

    def _step(self, x: Tensor, carried: list[Tensor], weights: tuple) -> list[Tensor]:
        return [rec.gru_cell(x, carried[0], *weights)]


class LSTM(_Recurrent):
    """LSTM layers; ``lstm(input, (h_0, c_0)=None)`` returns ``output, (h_n, c_n)``.

    Every step of every layer is ``tinydl.ops.recurrent.lstm_cell``, composed from
    elementary ops, and autograd does backprop through time. While the fast paths are on,
    each layer is ``lstm_sequence_fast`` instead, one Function whose backward is backprop
    through time written out by hand (1.60x faster on the mnist-lstm step: see
    benchmarks/recurrent.py).
    """

    kind = "LSTM"

    def forward(
        self, x: Tensor, hx: tuple[Tensor, Tensor] | None = None
    ) -> tuple[Tensor, tuple[Tensor, Tensor]]:
        if hx is not None and (not isinstance(hx, (tuple, list)) or len(hx) != 2):
            raise TypeError("LSTM needs hx as a pair (h_0, c_0) of Tensors, or None")
        x, states, unbatched = self._prepare(x, [None, None] if hx is None else list(hx))
        if not fast_paths_enabled():
            output, (h_n, c_n) = self._run(x, states, unbatched)
            return output, (h_n, c_n)
        h0, c0 = states  # the fast path: each layer one Function
        h_finals, c_finals = [], []
        for layer in range(self.num_layers):
            x, h_last, c_last = rec.lstm_sequence_fast(x, h0[layer], c0[layer],
                                                       *self.layer_weights(layer))
            h_finals.append(h_last)
            c_finals.append(c_last)
            x = self._between_layers(x, layer)
        return self._output(x, unbatched), (
            self._state(h_finals, unbatched), self._state(c_finals, unbatched)
        )

    def _step(self, x: Tensor, carried: list[Tensor], weights: tuple) -> list[Tensor]:
        return list(rec.lstm_cell(x, *carried, *weights))
