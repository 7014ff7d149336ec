r"""Recurrent steps: the RNN, LSTM and GRU cells, and the LSTM over a whole sequence.

Weights follow PyTorch's layout, so its state dicts load unchanged: ``w_ih`` is
(G·H, D) and ``w_hh`` is (G·H, H), with the G gate blocks stacked along the first
axis (LSTM: input, forget, cell, output; GRU: reset, update, new), and a step's
pre-activations are ``a = x @ w_ihᵀ + b_ih + h @ w_hhᵀ + b_hh``.

The plain versions come first: :func:`lstm_cell` composes the LSTM step from existing ops,
so autograd differentiates it, and :func:`lstm_sequence` runs it over T time steps.
Below them, the fast paths (run while ``tinydl.set_fast_paths(True)``):
:class:`LSTMCellFast` is one Function whose backward is written out by hand, and
:class:`LSTMSequenceFast` runs that same step and its backward over T time steps inside
a single Function (backprop through time in one loop, with the big GEMMs done once for
all steps). The tests prove all of them agree.
"""

from __future__ import annotations

from typing import Any

from tinydl import backend
from tinydl.autograd.function import Function
from tinydl.autograd.tensor import Tensor
from tinydl.autograd.tensor_checks import numeric_array, tensor
from tinydl.ops.activations import relu, sigmoid, tanh
from tinydl.ops.linalg import linear
from tinydl.ops.losses import cross_entropy
from tinydl.ops.shape import stack


# ---- composed cells: autograd writes their backward ----------------------------------------
def _affine(x: Tensor, weight: Tensor, bias: Tensor | None) -> Tensor:
    """x @ weightᵀ + bias with a PyTorch-layout (out, in) weight."""
    return linear(x, weight, bias)


def rnn_cell(
    x: Tensor, h: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor | None = None,
    b_hh: Tensor | None = None, nonlinearity: str = "tanh",
) -> Tensor:
    """h' = act(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh), act = tanh or relu (the Elman RNN)."""
    a = _affine(x, w_ih, b_ih) + _affine(h, w_hh, b_hh)
    return tanh(a) if nonlinearity == "tanh" else relu(a)


def lstm_cell(
    x: Tensor, h: Tensor, c: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor | None = None,
    b_hh: Tensor | None = None,
) -> tuple[Tensor, Tensor]:
    """One LSTM step from existing ops; returns (h', c').

    a = x W_ihᵀ + b_ih + h W_hhᵀ + b_hh, split into four blocks of H columns:
    i = σ(a_i), f = σ(a_f), g = tanh(a_g), o = σ(a_o);
    c' = f ⊙ c + i ⊙ g,   h' = o ⊙ tanh(c').
    """
    a = _affine(x, w_ih, b_ih) + _affine(h, w_hh, b_hh)
    n = h.shape[-1]
    i, f = sigmoid(a[:, :n]), sigmoid(a[:, n : 2 * n])
    g, o = tanh(a[:, 2 * n : 3 * n]), sigmoid(a[:, 3 * n :])
    c_next = f * c + i * g
    return o * tanh(c_next), c_next


def lstm_sequence(
    x: Tensor, h0: Tensor, c0: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor | None = None,
    b_hh: Tensor | None = None,
) -> tuple[Tensor, Tensor, Tensor]:
    """One LSTM layer over time-major x (T, N, D): :func:`lstm_cell` at each step, the state
    carried from one step to the next. Returns the outputs h_1 … h_T (T, N, H), h_T and
    c_T; backprop through time is autograd walking this loop back."""
    h, c, outputs = h0, c0, []
    for t in range(x.shape[0]):
        h, c = lstm_cell(x[t], h, c, w_ih, w_hh, b_ih, b_hh)
        outputs.append(h)
    return stack(outputs, axis=0), h, c


def gru_cell(
    x: Tensor, h: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor | None = None,
    b_hh: Tensor | None = None,
) -> Tensor:
    """One GRU step (PyTorch's form: b_hn stays inside the reset gate's product).

    r = σ(x_r + h_r), z = σ(x_z + h_z), n = tanh(x_n + r ⊙ h_n),  h' = (1 − z) ⊙ n + z ⊙ h,
    where x_• are the blocks of x W_ihᵀ + b_ih and h_• those of h W_hhᵀ + b_hh.
    """
    xw, hw = _affine(x, w_ih, b_ih), _affine(h, w_hh, b_hh)
    n = h.shape[-1]
    r = sigmoid(xw[:, :n] + hw[:, :n])
    z = sigmoid(xw[:, n : 2 * n] + hw[:, n : 2 * n])
    candidate = tanh(xw[:, 2 * n :] + r * hw[:, 2 * n :])
    return candidate + z * (h - candidate)


# ---- the fast paths: the fused LSTM step, forward and hand-written backward ------------------
# What they bought: the mnist-lstm training step (batch 128, 28 steps, H = 128, one
# thread) took 508.7 ms composed and 318 ms fused, 1.60x (``python benchmarks/recurrent.py``;
# benchmarks/results/recurrent.md). The composed version's extra time is not arithmetic
# but the dozen small Functions per step and their intermediate arrays.
def _sigmoid(xp: Any, a: Any) -> Any:
    return 0.5 * (xp.tanh(0.5 * a) + 1)  # σ through tanh: no overflow in e⁻ᵃ


def lstm_step_forward(a: Any, c: Any) -> tuple[Any, Any, Any, Any]:
    """Arrays: pre-activations ``a`` (N, 4H) and the cell ``c`` (N, H) -> (h', c', gates,
    tanh c'), where ``gates`` is (N, 4H) holding i, f, g, o side by side (kept for
    backward, which needs nothing else but c and tanh c')."""
    xp = backend.array_module(a)
    n = c.shape[-1]
    gates = xp.empty_like(a)
    gates[:, : 2 * n] = _sigmoid(xp, a[:, : 2 * n])
    gates[:, 2 * n : 3 * n] = xp.tanh(a[:, 2 * n : 3 * n])
    gates[:, 3 * n :] = _sigmoid(xp, a[:, 3 * n :])
    i, f, g, o = (gates[:, k * n : (k + 1) * n] for k in range(4))
    c_next = f * c + i * g
    tanh_c = xp.tanh(c_next)
    return o * tanh_c, c_next, gates, tanh_c


def lstm_step_backward(gh: Any, gc: Any, c: Any, gates: Any, tanh_c: Any) -> tuple[Any, Any]:
    """Arrays: dL/dh', dL/dc' and what forward kept -> (dL/da (N, 4H), dL/dc).
    The derivation is in :class:`LSTMCellFast`'s docstring."""
    xp = backend.array_module(gh)
    n = c.shape[-1]
    i, f, g, o = (gates[:, k * n : (k + 1) * n] for k in range(4))
    gc = gc + gh * o * (1 - tanh_c * tanh_c)  # c' reaches L directly and through h'
    ga = xp.empty_like(gates)
    ga[:, :n] = gc * g * i * (1 - i)
    ga[:, n : 2 * n] = gc * c * f * (1 - f)
    ga[:, 2 * n : 3 * n] = gc * i * (1 - g * g)
    ga[:, 3 * n :] = gh * tanh_c * o * (1 - o)
    return ga, gc * f


class LSTMCellFast(Function):
    r"""One LSTM step as a single Function. Inputs x (N, D), h (N, H), c (N, H), w_ih
    (4H, D), w_hh (4H, H) and optionally b_ih, b_hh (4H,); the output packs the new state
    side by side, [h' | c'] of shape (N, 2H) (a Function has one output; the layer slices
    it apart, and those slices' gradients arrive here packed the same way).

    **Forward.**  a = x W_ihᵀ + h W_hhᵀ + b_ih + b_hh  (N, 4H), in blocks a_i, a_f, a_g, a_o;
    i = σ(a_i), f = σ(a_f), g = tanh(a_g), o = σ(a_o);  c' = f⊙c + i⊙g;  h' = o⊙tanh(c').

    **Backward.**  Given G_h = ∂L/∂h' and G_c = ∂L/∂c' (the output's gradient, unpacked):

    1. c' reaches L twice, directly and through h' = o⊙tanh(c'), and tanh' = 1 − tanh², so
       the total is  Ĝ_c = G_c + G_h ⊙ o ⊙ (1 − tanh²(c')).
    2. The output gate only touches h':  ∂L/∂o = G_h ⊙ tanh(c').
    3. c' = f⊙c + i⊙g is bilinear:  ∂L/∂i = Ĝ_c⊙g,  ∂L/∂g = Ĝ_c⊙i,  ∂L/∂f = Ĝ_c⊙c,
       and the previous cell gets  ∂L/∂c = Ĝ_c⊙f  (the "constant error carousel": when
       f ≈ 1 the gradient flows back through time undiminished).
    4. Through the activations, with σ' = σ(1 − σ) and tanh' = 1 − tanh²:
       ∂L/∂a_i = Ĝ_c⊙g⊙i⊙(1−i),  ∂L/∂a_f = Ĝ_c⊙c⊙f⊙(1−f),
       ∂L/∂a_g = Ĝ_c⊙i⊙(1−g²),   ∂L/∂a_o = G_h⊙tanh(c')⊙o⊙(1−o);
       side by side these are dA (N, 4H).
    5. a is affine, exactly like an nn.Linear layer (see ``Linear``):
       ∂L/∂x = dA W_ih,  ∂L/∂h = dA W_hh,  ∂L/∂W_ih = dAᵀ x,  ∂L/∂W_hh = dAᵀ h,
       ∂L/∂b_ih = ∂L/∂b_hh = Σ over the batch of dA.

    Steps 1-4 are :func:`lstm_step_backward`; step 5 is in ``backward`` below.
    """

    def forward(self, x, h, c, w_ih, w_hh, b_ih=None, b_hh=None):
        self.x, self.h, self.c, self.w_ih, self.w_hh = x, h, c, w_ih, w_hh
        a = x @ w_ih.T + h @ w_hh.T
        if b_ih is not None:
            a += b_ih + b_hh
        h_next, c_next, self.gates, self.tanh_c = lstm_step_forward(a, c)
        return backend.array_module(x).concatenate([h_next, c_next], axis=1)

    def backward(self, gy):
        n = self.c.shape[-1]
        ga, gc = lstm_step_backward(gy[:, :n], gy[:, n:], self.c, self.gates, self.tanh_c)
        needs = self.needs_grad
        grads = (
            ga @ self.w_ih if needs[0] else None,
            ga @ self.w_hh if needs[1] else None,
            gc if needs[2] else None,
            ga.T @ self.x if needs[3] else None,
            ga.T @ self.h if needs[4] else None,
        )
        if len(needs) == 5:
            return grads
        gb = ga.sum(axis=0)
        return (*grads, gb if needs[5] else None, gb if needs[6] else None)


# The fast sequence keeps its gates in the order i, f, o, g (the weights' blocks are i, f, g,
# o): the three sigmoid gates are then one contiguous run. (0, 1, 3, 2) is its own inverse,
# so it also maps the gradients' blocks back to the weights' order.
_GATE_ORDER = (0, 1, 3, 2)


def _swap_o_g(rows: Any) -> Any:
    """A (4H, …) array of the four gates' blocks with its last two blocks swapped: the
    weights' order i, f, g, o becomes the fast sequence's i, f, o, g, and back."""
    blocks = rows.reshape(4, rows.shape[0] // 4, *rows.shape[1:])
    return blocks[list(_GATE_ORDER)].reshape(rows.shape)


class LSTMSequenceFast(Function):
    """One LSTM layer over a whole sequence: the :class:`LSTMCellFast` step T times, forward
    and backward, inside one Function. Inputs x (T, N, D) time-major, h0 and c0 (N, H),
    w_ih, w_hh and optionally b_ih, b_hh; the output (T+1, N, H) holds h_1 … h_T in its
    first T rows and the final cell c_T in the last (one output again; the layer slices).

    The maths is :class:`LSTMCellFast`'s, arranged for speed (the tests hold it to the
    readable step and to the composed ops):

    - Everything is stored feature-major, each step's arrays transposed: the state hᵀ is
      (H, N), the pre-activations W_ih xᵀ + W_hh hᵀ + b are (4H, N), and the output is a
      (T+1, N, H) view of (T+1, H, N) memory. Each step's recurrent product is then ONE
      GEMM both ways, W_hh hᵀ (4H×H by H×N) forward and W_hhᵀ dA (H×4H by 4H×N) backward,
      where the batch-major layout needed four (one per gate) and a sum. With 2 BLAS
      threads OpenBLAS also splits the 4H rows well: 72 µs a step forward instead of 120,
      and 100 µs instead of 150 backward (H = N = 128). Each gate's (H, N) block is
      contiguous, which NumPy passes over as one flat loop.
    - The input and a row of ones are stacked under the state, z_t = [h_tᵀ; x_tᵀ; 1]
      ((H + D + 1, N)), so [W_hh | W_ih | b] z_t is the whole pre-activation in that one
      GEMM, [W_hh | W_ih]ᵀ dA_t is (∂L/∂h_{t-1}; ∂L/∂x_t), and Σ_t dA_t z_tᵀ is every
      weight's and the bias's gradient at once. Against W_ih xᵀ + b as a batched product
      before the loop and Σ_t dA_t x_t, ∂L/∂x_t and Σ dA_t after it (all T steps' dA_t kept,
      7 MB), issue 25's step took 0.91x the time on two threads and 0.92x on one, peak
      memory 76 → 69 MB (``benchmarks/workloads.py --only lstm --before``).
    - σ(a) = (1 + tanh(a/2))/2, so with the sigmoid gates' weight rows halved (exact in
      floating point) one tanh over all 4H rows gives every gate; NumPy 2's tanh is SIMD,
      11 µs per 128 x 512 floats against 36 µs for exp, + 1 and 1/x. Backward takes each
      gate's slope ∂gate/∂a, σ(1 − σ) or 1 − g², from the gates themselves (cheaper than
      storing it: the stored slopes came back from memory at 15 µs a step).
    - Every array op writes into preallocated memory (``out=``), because at these sizes
      the passes over memory, not the GEMMs, are what NumPy spends its time on.

    Backward is backprop through time: walking t = T … 1, ∂L/∂h_t is what the output
    received at t plus what step t+1 sent back, W_hhᵀ dA_{t+1}, and ∂L/∂c_t comes from step
    t+1 (or from c_T's slice at the end); steps 1-4 of :class:`LSTMCellFast`'s derivation
    turn them into dA_t (4H, N). The weight gradients are sums over time, Σ_t dA_t z_tᵀ,
    added up inside the loop (a (4H, H + D + 1) product a step), so only one step's dA_t
    is ever held.

    What it bought on issue 25's LSTM (28 rows, H = 128, batch 128, Adam): the gate-major
    layout and the tanh took the training step from 19.3 to 18.3 ms of CPU time on one
    thread (commit 55c880f); the feature-major layout 12.2 → 11.0 ms on two threads, the
    same on one (its commit has the commands).
    """

    def forward(self, x, h0, c0, w_ih, w_hh, b_ih=None, b_hh=None):
        xp = backend.array_module(x)
        steps, batch, inputs = x.shape
        n = w_hh.shape[1]
        # One GEMM a step: [W_hh | W_ih | b] times z_t = [h_tᵀ; x_tᵀ; 1] is the pre-activation.
        blocks = [w_hh, w_ih] if b_ih is None else [w_hh, w_ih, (b_ih + b_hh)[:, None]]
        # Halving the sigmoid gates' rows makes tanh of the pre-activation tanh(a/2) there.
        half = xp.asarray([0.5, 0.5, 0.5, 1.0], dtype=x.dtype).repeat(n)[:, None]  # (4H, 1)
        weights = _swap_o_g(xp.concatenate(blocks, axis=1)) * half  # (4H, H + D [+ 1])
        # z_0 … z_T, then c_Tᵀ in the state rows of one more: the output is the view [1:, :H].
        # (z_T's and that last entry's other rows are never read.)
        stacked = xp.empty((steps + 2, weights.shape[1], batch), dtype=x.dtype)
        stacked[:steps, n : n + inputs] = x.transpose(0, 2, 1)
        stacked[:steps, n + inputs :] = 1  # the bias's row
        stacked[0, :n] = h0.T
        cs = xp.empty((steps + 1, n, batch), dtype=x.dtype)  # c_0ᵀ … c_Tᵀ
        cs[0] = c0.T
        gates = xp.empty((steps, 4 * n, batch), dtype=x.dtype)
        tanh_c, ig = xp.empty((steps, n, batch), dtype=x.dtype), xp.empty_like(cs[0])
        for t in range(steps):
            a = xp.matmul(weights, stacked[t], out=gates[t])
            xp.tanh(a, out=a)  # tanh(a/2) for i, f, o; tanh(a) = g
            sigmoids, g = a[: 3 * n], a[3 * n :]
            sigmoids *= 0.5
            sigmoids += 0.5  # σ = (1 + tanh(a/2))/2
            i, f, o = sigmoids.reshape(3, n, batch)
            xp.multiply(f, cs[t], out=cs[t + 1])
            cs[t + 1] += xp.multiply(i, g, out=ig)
            xp.tanh(cs[t + 1], out=tanh_c[t])
            xp.multiply(o, tanh_c[t], out=stacked[t + 1, :n])
        stacked[-1, :n] = cs[-1]
        self.stacked, self.cs, self.w_ih, self.w_hh = stacked, cs, w_ih, w_hh
        self.gates, self.tanh_c = gates, tanh_c
        return stacked[1:, :n].transpose(0, 2, 1)

    def backward(self, gy):
        xp = backend.array_module(gy)
        steps, n, batch = self.tanh_c.shape
        needs = self.needs_grad
        # [W_hh | W_ih]ᵀ dA_t is (∂L/∂h_{t-1}; ∂L/∂x_t): one GEMM a step (W_hhᵀ alone when
        # x needs no gradient), each step's result in its own rows of `sent_back`.
        blocks = [self.w_hh, self.w_ih] if needs[0] else [self.w_hh]
        weights_t = xp.ascontiguousarray(_swap_o_g(xp.concatenate(blocks, axis=1)).T)
        sent_back = xp.empty((steps, weights_t.shape[0], batch), dtype=gy.dtype)
        gy = gy.transpose(0, 2, 1)  # (T+1, H, N), like the states
        gh, gc = xp.zeros((n, batch), dtype=gy.dtype), gy[-1]
        a, slope = xp.empty_like(self.gates[0]), xp.empty_like(self.gates[0])  # dL/da_t (4H, N)
        through_h = xp.empty_like(gh)
        # Σ_t dA_t z_tᵀ = [∂L/∂W_hh | ∂L/∂W_ih | ∂L/∂b], added up a step at a time
        wants_weights = any(needs[3:])
        gw = xp.zeros((4 * n, self.stacked.shape[1]), dtype=gy.dtype)
        product = xp.empty_like(gw)
        for t in reversed(range(steps)):
            gh += gy[t]
            gates, tanh_c = self.gates[t], self.tanh_c[t]
            i, f, o, g = gates.reshape(4, n, batch)
            # c_t reaches L directly and through h_t = o ⊙ tanh(c_t): add G_h ⊙ o ⊙ (1 − tanh²)
            xp.multiply(tanh_c, tanh_c, out=through_h)
            through_h -= 1
            through_h *= o
            through_h *= gh
            gc = gc - through_h
            a_i, a_f, a_o, a_g = a.reshape(4, n, batch)
            xp.multiply(gc, g, out=a_i)
            xp.multiply(gc, self.cs[t], out=a_f)
            xp.multiply(gh, tanh_c, out=a_o)
            xp.multiply(gc, i, out=a_g)
            # each gate's slope: σ(1 − σ) for i, f, o; 1 − g² for g
            sigmoid_slopes, g_slope = slope[: 3 * n], slope[3 * n :]
            xp.subtract(1, gates[: 3 * n], out=sigmoid_slopes)
            sigmoid_slopes *= gates[: 3 * n]
            xp.multiply(g, g, out=g_slope)
            xp.subtract(1, g_slope, out=g_slope)
            a *= slope
            gc = gc * f
            if wants_weights:
                gw += xp.matmul(a, self.stacked[t].T, out=product)
            gh = xp.matmul(weights_t, a, out=sent_back[t])[:n]
        inputs = self.w_ih.shape[1]
        grads = (
            sent_back[:, n:].transpose(0, 2, 1) if needs[0] else None,
            gh.T if needs[1] else None,
            gc.T if needs[2] else None,
            _swap_o_g(gw[:, n : n + inputs]) if needs[3] else None,
            _swap_o_g(gw[:, :n]) if needs[4] else None,
        )
        if len(needs) == 5:
            return grads
        gb = _swap_o_g(gw[:, n + inputs])
        return (*grads, gb if needs[5] else None, gb if needs[6] else None)


def lstm_cell_fast(
    x: Tensor, h: Tensor, c: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor | None = None,
    b_hh: Tensor | None = None,
) -> tuple[Tensor, Tensor]:
    """:func:`lstm_cell` as the single Function :class:`LSTMCellFast`; returns (h', c')."""
    biases = () if b_ih is None else (b_ih, b_hh)
    state = LSTMCellFast()(x, h, c, w_ih, w_hh, *biases)
    n = h.shape[-1]
    return state[:, :n], state[:, n:]


def lstm_sequence_fast(
    x: Tensor, h0: Tensor, c0: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor | None = None,
    b_hh: Tensor | None = None,
) -> tuple[Tensor, Tensor, Tensor]:
    """:func:`lstm_sequence` as the single Function :class:`LSTMSequenceFast`; returns the
    outputs h_1 … h_T (T, N, H), h_T and c_T."""
    biases = () if b_ih is None else (b_ih, b_hh)
    packed = LSTMSequenceFast()(x, h0, c0, w_ih, w_hh, *biases)
    steps = x.shape[0]
    return packed[:steps], packed[steps - 1], packed[steps]


# ---- sequence loss --------------------------------------------------------------------------
def sequence_cross_entropy(
    logits: Tensor, labels: Any, ignore_index: int = -100, reduction: str = "mean"
) -> Tensor:
    """Cross-entropy of logits (N, T, C) against integer labels (N, T): every time step is
    one classification, so this is ``cross_entropy`` on the (N·T, C) rows. Positions whose
    label is ``ignore_index`` (padding) count for nothing; 'mean' averages over the rest."""
    tensor("sequence_cross_entropy()", "logits", logits, "(N, T, C)")
    if not isinstance(labels, Tensor):
        labels = labels if backend.is_array(labels) else numeric_array(
            labels, "labels", "sequence_cross_entropy()")
        labels = Tensor(backend.to_device(labels, logits.device))
    if labels.shape != logits.shape[:2]:
        raise ValueError(
            f"sequence_cross_entropy() needs labels of shape (N, T) = {logits.shape[:2]} for "
            f"logits of shape {logits.shape}, got {labels.shape}"
        )
    rows = logits.reshape(-1, logits.shape[-1])
    return cross_entropy(rows, labels.reshape(-1), reduction=reduction, ignore_index=ignore_index)
