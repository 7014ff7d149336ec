"""Keras's recurrent layers, ``SimpleRNN``, ``LSTM`` and ``GRU``, on tinydl's ``nn.RNN``,
``nn.LSTM`` and ``nn.GRU``; and ``Bidirectional`` and ``TimeDistributed`` around them.

The maths is tinydl's (:mod:`tinydl.nn.recurrent`, :mod:`tinydl.ops.recurrent`); what
this module translates is Keras's conventions:

- **Layout.** Keras's inputs are batch-first, (N, T, features): the engine runs with
  ``batch_first=True``. ``return_sequences`` picks every step's output or the last;
  ``return_state`` adds the final states (``[output, h, c]`` for an LSTM).
- **Weights.** Keras stores ``kernel`` (features, G·units), ``recurrent_kernel``
  (units, G·units) and ``bias``; tinydl (PyTorch) stores their transposes,
  ``weight_ih`` (G·units, features) and ``weight_hh``. The LSTM's gates are in the same
  order, i, f, c, o. The GRU's are not: Keras's z, r, h are tinydl's r, z, n, so the
  blocks are swapped on the way in and out. Keras's GRU (``reset_after=True``, its
  default) has two biases, as tinydl's does; Keras's LSTM and SimpleRNN have one, so
  tinydl's second (``bias_hh``) is kept at zero as a buffer that is never trained.
- **Initialisers**, Keras's: ``glorot_uniform`` kernel, ``orthogonal`` recurrent kernel,
  zero biases except the LSTM's forget gate, which starts at 1 (``unit_forget_bias``).
- **go_backwards** runs over the reversed sequence and returns the outputs in that
  (reversed) order, as Keras does.
- **dropout** drops input features with one mask for every time step of a sequence.
- **Masks** (from ``Embedding(mask_zero=True)``): at a masked step the states stay what
  they were and the output repeats the previous one (zeros before the first real step,
  or always zeros with ``zero_output_for_mask``). That needs a step-by-step loop over
  tinydl's cell functions, so a masked call runs the steps one by one instead of the
  engine's whole-sequence call; the values are the same.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tinydl import backend, check, nn, ops
from tinydl.autograd import Tensor
from tinydl.backend.fast_path_switch import fast_paths_enabled
from tinydl.keras import initializers
from tinydl.keras._args import choose, input_layout, known_sizes, missing_names, refuse
from tinydl.keras.activations import keep_logits, logits_of
from tinydl.keras.layer import KerasWeight, Layer, assign
from tinydl.ops import recurrent as steps
from tinydl.ops.dropout import dropout

# Keras's gate blocks in tinydl's order: GRU z, r, h <-> r, z, n (a swap, its own inverse).
GATE_ORDER = {"RNN": (0,), "LSTM": (0, 1, 2, 3), "GRU": (1, 0, 2)}


def _reorder(array: np.ndarray, order: tuple[int, ...]) -> np.ndarray:
    """``array``'s gate blocks along axis 0 in ``order``."""
    blocks = np.split(array, len(order), axis=0)
    return np.concatenate([blocks[i] for i in order], axis=0)


class _Recurrent(Layer):
    """What SimpleRNN, LSTM and GRU share."""

    kind = ""
    supports_masking = True
    arguments = ("units", "activation", "use_bias", "kernel_initializer",
                 "recurrent_initializer", "bias_initializer", "dropout", "return_sequences",
                 "return_state", "go_backwards", "zero_output_for_mask")
    activations: tuple[str, ...] = ("tanh",)

    def __init__(self, units: int, activation: str = "tanh", use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform",
                 recurrent_initializer: Any = "orthogonal", bias_initializer: Any = "zeros",
                 dropout: float = 0.0, recurrent_dropout: float = 0.0,
                 return_sequences: bool = False, return_state: bool = False,
                 go_backwards: bool = False, stateful: bool = False, unroll: bool = False,
                 zero_output_for_mask: bool = False, seed: Any = None, use_cudnn: Any = "auto",
                 **kwargs: Any) -> None:
        where = f"layers.{type(self).__name__}()"
        refuse(where, {k: v for k, v in (("stateful", stateful), ("seed", seed)) if v}, [
            *self.arguments, "recurrent_dropout=0", "unroll", "use_cudnn", "name"])
        if recurrent_dropout:
            raise ValueError(
                f"{where}: recurrent_dropout is not offered: Keras then drops each gate's copy "
                f"of the state with its own mask, which tinydl's cells do not take; use "
                f"dropout= (the inputs' features, one mask per sequence)"
            )
        check.one_of(where, "use_cudnn", use_cudnn, ("auto", True, False))
        super().__init__(**kwargs)
        self.units = check.positive_int(where, "units", units)
        self.activation = choose(where, "activation", activation, self.activations)
        self.use_bias = bool(use_bias)
        for name, value in (("kernel_initializer", kernel_initializer),
                            ("recurrent_initializer", recurrent_initializer),
                            ("bias_initializer", bias_initializer)):
            initializers.get(value)  # refuse an unknown initialiser now
            setattr(self, name, value)
        self.dropout = check.number(where, "dropout", dropout, "[0, 1)")
        self.return_sequences, self.return_state = bool(return_sequences), bool(return_state)
        self.go_backwards = bool(go_backwards)
        self.zero_output_for_mask = bool(zero_output_for_mask)
        self.unroll = unroll  # Keras's way of running the loop: the same values either way

    # ---- building ---------------------------------------------------------------------------
    def make_engine(self, features: int) -> nn.Module:
        raise NotImplementedError

    @property
    def state_count(self) -> int:
        return 2 if self.kind == "LSTM" else 1

    def build(self, sequences_shape: Any, initial_state_shape: Any = None) -> None:
        where = f"layers.{type(self).__name__} {self.name!r}"
        input_layout(where, sequences_shape, "(batch, time steps, features)")
        known_sizes(f"{where} (its features)", sequences_shape[-1:])
        features = sequences_shape[-1]
        self.engine = self.make_engine(features)
        if self.kind != "GRU" and self.use_bias:  # Keras has one bias: the second stays zero
            second = self.engine.bias_hh_l0
            xp = backend.array_module(second.array)
            del self.engine.bias_hh_l0  # a parameter becomes a buffer only once removed
            self.engine.register_buffer("bias_hh_l0", Tensor(xp.zeros_like(second.array)))
        self.parts = [self.engine]
        gates = len(GATE_ORDER[self.kind])
        values = [initializers.get(self.kernel_initializer)((features, gates * self.units)),
                  initializers.get(self.recurrent_initializer)((self.units, gates * self.units))]
        if self.use_bias:
            values.append(self.initial_bias(gates))
        assign([pair for weight, value in zip(self.weight_layouts(), values, strict=True)
                for pair in weight.split(value, where)])
        self.built = True

    def initial_bias(self, gates: int) -> np.ndarray:
        return initializers.get(self.bias_initializer)((gates * self.units,))

    def weight_layouts(self) -> list[KerasWeight]:
        order, engine = GATE_ORDER[self.kind], self.engine

        def matrix(tensor: Tensor) -> KerasWeight:
            shape = (tensor.shape[1], tensor.shape[0])
            return KerasWeight([tensor], shape, lambda w: _reorder(w, order).T,
                               lambda k: [_reorder(k.T, order)])

        weights = [matrix(engine.weight_ih_l0), matrix(engine.weight_hh_l0)]
        if self.use_bias:
            weights.append(self.bias_weight(order))
        return weights

    def bias_weight(self, order: tuple[int, ...]) -> KerasWeight:
        bias = self.engine.bias_ih_l0
        return KerasWeight([bias], bias.shape, lambda b: _reorder(b, order),
                           lambda b: [_reorder(b, order)])

    def compute_output_shape(self, input_shape: Any) -> Any:
        batch, length = input_shape[0], input_shape[1]
        output = (batch, length, self.units) if self.return_sequences else (batch, self.units)
        if self.return_state:
            return (output, *[(batch, self.units)] * self.state_count)
        return output

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        mask = mask[0] if isinstance(mask, (list, tuple)) else mask
        output_mask = mask if self.return_sequences else None
        if self.return_state:
            return [output_mask, *[None] * self.state_count]
        return output_mask

    # ---- running ----------------------------------------------------------------------------
    def call(self, sequences: Tensor, initial_state: Any = None, mask: Any = None,
             training: bool = False) -> Any:
        weight = self.engine.weight_ih_l0
        x = sequences if sequences.dtype == weight.dtype else sequences.astype(weight.dtype)
        batch = x.shape[0]
        xp = backend.array_module(x.array)
        if self.dropout and training:  # one mask of input features for every time step
            keep = dropout(Tensor(xp.ones((batch, 1, x.shape[2]), dtype=x.dtype)), self.dropout)
            x = x * keep
        states = self._initial_states(initial_state, batch, x)
        if mask is not None:
            mask = mask.array if isinstance(mask, Tensor) else xp.asarray(mask)
            mask = mask.astype(bool)
        if self.go_backwards:
            x = x[:, ::-1]
            mask = None if mask is None else mask[:, ::-1]
        if mask is None:
            outputs, finals = self._run(x, states)
            last = finals[0]
        else:
            outputs, finals = self._run_masked(x, states, mask)
            last = outputs[:, -1]
        output = outputs if self.return_sequences else last
        return (output, *finals) if self.return_state else output

    def _initial_states(self, initial_state: Any, batch: int, like: Tensor) -> list[Tensor] | None:
        if initial_state is None:
            return None
        states = list(initial_state) if isinstance(initial_state, (list, tuple)) else [
            initial_state]
        expected = (batch, self.units)
        if len(states) != self.state_count or any(
            not isinstance(s, Tensor) or s.shape != expected for s in states
        ):
            got = [getattr(s, "shape", type(s).__name__) for s in states]
            raise ValueError(
                f"layer {self.name!r} ({type(self).__name__}) needs initial_state as "
                f"{self.state_count} tensor(s) of shape {expected}, got {got}"
            )
        return [s if s.dtype == like.dtype else s.astype(like.dtype) for s in states]

    def _run(self, x: Tensor, states: list[Tensor] | None) -> tuple[Tensor, list[Tensor]]:
        """The engine over the whole sequence: every step's output and the final states."""
        if states is None:
            hidden = None
        else:
            stacked = [s.reshape(1, *s.shape) for s in states]  # (layers = 1, N, units)
            hidden = tuple(stacked) if self.kind == "LSTM" else stacked[0]
        outputs, final = self.engine(x, hidden)
        finals = list(final) if self.kind == "LSTM" else [final]
        return outputs, [state[0] for state in finals]

    def _run_masked(self, x: Tensor, states: list[Tensor] | None, mask: Any
                    ) -> tuple[Tensor, list[Tensor]]:
        """Step by step: where a step is masked, keep the states and repeat the output."""
        xp = backend.array_module(x.array)
        zeros = Tensor(xp.zeros((x.shape[0], self.units), dtype=x.dtype))
        states = [zeros] * self.state_count if states is None else states
        weights = self.engine.layer_weights(0)
        previous, outputs = zeros, []
        for t in range(x.shape[1]):
            real = mask[:, t, None]
            new = self.step(x[:, t], states, weights)
            output = ops.where(real, new[0], zeros if self.zero_output_for_mask else previous)
            states = [ops.where(real, n, s) for n, s in zip(new, states, strict=True)]
            previous = output
            outputs.append(output)
        return ops.stack(outputs, axis=1), states

    def step(self, x: Tensor, states: list[Tensor], weights: tuple) -> list[Tensor]:
        """One time step of tinydl's cell: the new states (the first is the output)."""
        raise NotImplementedError


class SimpleRNN(_Recurrent):
    """``SimpleRNN(units, activation="tanh")``: h_t = act(x_t W + h_{t-1} U + b) on tinydl's
    ``nn.RNN`` (tanh or relu)."""

    kind = "RNN"
    activations = ("tanh", "relu")

    def make_engine(self, features: int) -> nn.Module:
        return nn.RNN(features, self.units, nonlinearity=self.activation, bias=self.use_bias,
                      batch_first=True)

    def step(self, x, states, weights):
        return [steps.rnn_cell(x, states[0], *weights, nonlinearity=self.activation)]


class LSTM(_Recurrent):
    """``LSTM(units)``: tinydl's ``nn.LSTM`` with Keras's layout, initialisers and one bias;
    see the module docstring."""

    kind = "LSTM"
    arguments = (*_Recurrent.arguments, "unit_forget_bias")

    def __init__(self, units: int, activation: str = "tanh",
                 recurrent_activation: str = "sigmoid", unit_forget_bias: bool = True,
                 **kwargs: Any) -> None:
        choose("layers.LSTM()", "recurrent_activation", recurrent_activation, ("sigmoid",))
        super().__init__(units, activation, **kwargs)
        self.unit_forget_bias = bool(unit_forget_bias)

    def make_engine(self, features: int) -> nn.Module:
        return nn.LSTM(features, self.units, bias=self.use_bias, batch_first=True)

    def initial_bias(self, gates: int) -> np.ndarray:
        bias = super().initial_bias(gates)
        if self.unit_forget_bias:  # the forget gate starts open: f = σ(1)
            bias[self.units: 2 * self.units] = 1.0
        return bias

    def step(self, x, states, weights):
        cell = steps.lstm_cell_fast if fast_paths_enabled() else steps.lstm_cell
        return list(cell(x, *states, *weights))


class GRU(_Recurrent):
    """``GRU(units)`` (Keras's default ``reset_after=True``, the form PyTorch and tinydl's
    ``nn.GRU`` compute): z, r, h gates in Keras's weights, two biases (2, 3·units)."""

    kind = "GRU"
    arguments = _Recurrent.arguments

    def __init__(self, units: int, activation: str = "tanh",
                 recurrent_activation: str = "sigmoid", reset_after: bool = True,
                 **kwargs: Any) -> None:
        choose("layers.GRU()", "recurrent_activation", recurrent_activation, ("sigmoid",))
        if reset_after is not True:
            raise ValueError(
                "layers.GRU(): reset_after=False is not offered: tinydl's GRU applies the reset "
                "gate after the recurrent product (Keras's default reset_after=True, PyTorch's)"
            )
        super().__init__(units, activation, **kwargs)

    def make_engine(self, features: int) -> nn.Module:
        return nn.GRU(features, self.units, bias=self.use_bias, batch_first=True)

    def initial_bias(self, gates: int) -> np.ndarray:
        return initializers.get(self.bias_initializer)((2, gates * self.units))

    def bias_weight(self, order: tuple[int, ...]) -> KerasWeight:
        ih, hh = self.engine.bias_ih_l0, self.engine.bias_hh_l0
        return KerasWeight([ih, hh], (2, ih.shape[0]),
                           lambda i, h: np.stack([_reorder(i, order), _reorder(h, order)]),
                           lambda b: [_reorder(b[0], order), _reorder(b[1], order)])

    def step(self, x, states, weights):
        return [steps.gru_cell(x, states[0], *weights)]


RECURRENT = {kind.__name__: kind for kind in (GRU, LSTM, SimpleRNN)}


# ---- wrappers ---------------------------------------------------------------------------------
class Bidirectional(Layer):
    """``Bidirectional(layer, merge_mode="concat")``: a copy of ``layer`` reads the sequence
    forwards and another (``go_backwards=True``) backwards; the backward outputs are
    flipped back into time order and merged with the forward ones ("concat", "sum", "ave",
    "mul", or None for both as a list). Keras names the copies ``forward_<name>`` and
    ``backward_<name>``; the weights are the forward layer's, then the backward's."""

    supports_masking = True
    MERGE_MODES = ("concat", "sum", "ave", "mul", None)

    def __init__(self, layer: Any, merge_mode: str | None = "concat",
                 backward_layer: Any = None, weights: Any = None, **kwargs: Any) -> None:
        where = "layers.Bidirectional()"
        if weights is not None:
            kwargs["weights"] = weights
        for name, given in (("layer", layer), ("backward_layer", backward_layer)):
            if given is not None:
                check.instance(where, name, given, _Recurrent,
                               f"a recurrent layer ({', '.join(sorted(RECURRENT))})")
        check.one_of(where, "merge_mode", merge_mode, self.MERGE_MODES)
        super().__init__(**kwargs)
        config = layer.get_config()
        self.forward_layer = type(layer)(**{**config, "name": f"forward_{layer.name}"})
        if backward_layer is None:
            backward_layer = type(layer)(**{**config, "go_backwards": True,
                                            "name": f"backward_{layer.name}"})
        self.backward_layer = backward_layer
        if self.forward_layer.go_backwards == self.backward_layer.go_backwards:
            raise ValueError(f"{where}: the forward and backward layers must differ in "
                             f"go_backwards")
        for name in ("return_sequences", "return_state"):
            if getattr(self.forward_layer, name) != getattr(self.backward_layer, name):
                raise ValueError(f"{where}: the forward and backward layers must have the same "
                                 f"{name}")
        for copy in (self.forward_layer, self.backward_layer):  # Keras: aligned outputs
            copy.zero_output_for_mask = copy.return_sequences
        self.merge_mode = merge_mode
        self.return_sequences = self.forward_layer.return_sequences
        self.return_state = self.forward_layer.return_state

    def build(self, sequences_shape: Any, initial_state_shape: Any = None) -> None:
        self.forward_layer.build(sequences_shape)
        self.backward_layer.build(sequences_shape)
        self.built = True

    def compute_output_shape(self, input_shape: Any) -> Any:
        shape = self.forward_layer.compute_output_shape(input_shape)
        states = []
        if self.return_state:
            shape, states = shape[0], list(shape[1:])
        if self.merge_mode == "concat":
            shape = (*shape[:-1], 2 * shape[-1])
        output = [shape, shape] if self.merge_mode is None else [shape]
        if self.return_state:
            return (*output, *states, *states)
        return tuple(output) if self.merge_mode is None else shape

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        mask = mask[0] if isinstance(mask, (list, tuple)) else mask
        output_mask = mask if self.return_sequences else None
        masks = [output_mask, output_mask] if self.merge_mode is None else [output_mask]
        if self.return_state:
            return [*masks, *[None] * (2 * self.forward_layer.state_count)]
        return masks if self.merge_mode is None else output_mask

    def call(self, sequences: Tensor, initial_state: Any = None, mask: Any = None,
             training: bool = False) -> Any:
        forward_state = backward_state = None
        if initial_state is not None:
            half = len(initial_state) // 2
            forward_state, backward_state = initial_state[:half], initial_state[half:]
        y = self.forward_layer(sequences, initial_state=forward_state, mask=mask,
                               training=training)
        y_reversed = self.backward_layer(sequences, initial_state=backward_state, mask=mask,
                                         training=training)
        states = []
        if self.return_state:
            states = [*y[1:], *y_reversed[1:]]
            y, y_reversed = y[0], y_reversed[0]
        if self.return_sequences:
            y_reversed = y_reversed[:, ::-1]
        if self.merge_mode == "concat":
            output = [ops.concatenate([y, y_reversed], axis=-1)]
        elif self.merge_mode == "sum":
            output = [y + y_reversed]
        elif self.merge_mode == "ave":
            output = [(y + y_reversed) / 2]
        elif self.merge_mode == "mul":
            output = [y * y_reversed]
        else:
            output = [y, y_reversed]
        if self.return_state:
            return (*output, *states)
        return output[0] if self.merge_mode is not None else tuple(output)

    def get_config(self) -> dict[str, Any]:
        layer = self.forward_layer
        inner = {**layer.get_config(), "name": layer.name.removeprefix("forward_")}
        return {"name": self.name, "merge_mode": self.merge_mode,
                "layer": {"class": type(layer).__name__, "config": inner}}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Bidirectional:
        inner = config["layer"]
        layer = RECURRENT[inner["class"]](**inner["config"])
        return cls(layer, merge_mode=config["merge_mode"], name=config["name"])


class TimeDistributed(Layer):
    """``TimeDistributed(layer)``: ``layer`` on every time step of (N, T, ...) inputs, as
    one call on the (N·T, ...) batch of all steps."""

    supports_masking = True

    def __init__(self, layer: Any, **kwargs: Any) -> None:
        check.instance("layers.TimeDistributed()", "layer", layer, Layer, "a tinydl.keras layer")
        super().__init__(**kwargs)
        self.layer = layer

    def build(self, input_shape: Any) -> None:
        input_layout(f"layers.TimeDistributed {self.name!r}", input_shape,
                     "(batch, time steps, features, ...)")
        if not self.layer.built:
            self.layer.build((None, *input_shape[2:]))
        self.built = True

    def compute_output_shape(self, input_shape: Any) -> Any:
        inner = self.layer.compute_output_shape((None, *input_shape[2:]))
        return (input_shape[0], input_shape[1], *inner[1:])

    def call(self, inputs: Tensor, training: bool = False) -> Tensor:
        batch, length = inputs.shape[:2]
        steps_output = self.layer(inputs.reshape(batch * length, *inputs.shape[2:]),
                                  training=training)
        output = steps_output.reshape(batch, length, *steps_output.shape[1:])
        for activation in ("softmax", "sigmoid"):  # keep a final activation's logits
            logits = logits_of(steps_output, activation)
            if logits is not None:
                keep_logits(output, logits.reshape(output.shape), activation, -1)
        return output

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name,
                "layer": {"class": type(self.layer).__name__, "config": self.layer.get_config()}}


__all__ = ["GRU", "LSTM", "Bidirectional", "SimpleRNN", "TimeDistributed"]
__getattr__ = missing_names("recurrent", __all__)
