"""Exercise: the backward pass of one LSTM step.

An LSTM carries two states from step to step: h (its output) and c (the cell). One step
takes the input x (N, D) and the previous h_prev (N, H), c_prev (N, H), with weights
W_ih (4H, D), W_hh (4H, H) and bias b (4H,), in PyTorch's layout (``torch.nn.LSTMCell``:
its two biases add up to this b). The four gates come from one product, in the order
i, f, g, o (input, forget, cell candidate, output):

    a = x W_ihᵀ + h_prev W_hhᵀ + b              (N, 4H) = [a_i | a_f | a_g | a_o]
    i = σ(a_i),  f = σ(a_f),  g = tanh(a_g),  o = σ(a_o)      (each (N, H))
    c = f · c_prev + i · g
    h = o · tanh(c)

A tinydl Function has one output, so this one returns h and c stacked: hc (2, N, H), with
hc[0] = h and hc[1] = c. Likewise the gradient backward receives, G (2, N, H), holds dL/dh
in G[0] and dL/dc in G[1] (in a sequence both arrive from the next step).

Task: write ``backward``. It returns (dL/dx, dL/dh_prev, dL/dc_prev, dL/dW_ih, dL/dW_hh,
dL/db), each of its input's shape. Derive them, working backwards through the four lines
above. You have met every piece before: σ, tanh, element-wise products, a matrix product.
Mind how many ways the new c reaches the loss.

The forward pass keeps the inputs (``self.x``, ``self.h_prev``, ``self.c_prev``,
``self.w_ih``, ``self.w_hh``), the gates ``self.i``, ``self.f``, ``self.g``, ``self.o`` and
``self.tanh_c`` = tanh(c). ``xp.concatenate([...], axis=1)`` joins arrays side by side.

Stuck? The next of three hints:   tinydl exercises hint lstm_step
Check your work:   tinydl exercises check lstm_step
"""

from tinydl import Function, backend


def sigmoid(a):
    """σ(a) = 1 / (1 + e⁻ᵃ), element-wise."""
    return 1 / (1 + backend.array_module(a).exp(-a))


class LSTMStep(Function):
    """(h, c) of one LSTM step, stacked as hc (2, N, H); gates in the order i, f, g, o."""

    def forward(self, x, h_prev, c_prev, w_ih, w_hh, b):
        """Return hc = stack([h, c]) (2, N, H); keep the inputs, the gates and tanh(c)."""
        # given: start (at --level full you write this)
        xp = backend.array_module(x)
        hidden = h_prev.shape[1]
        a = x @ w_ih.T + h_prev @ w_hh.T + b  # (N, 4H): the four gates side by side
        self.i = sigmoid(a[:, :hidden])
        self.f = sigmoid(a[:, hidden : 2 * hidden])
        self.g = xp.tanh(a[:, 2 * hidden : 3 * hidden])
        self.o = sigmoid(a[:, 3 * hidden :])
        c = self.f * c_prev + self.i * self.g
        self.tanh_c = xp.tanh(c)
        h = self.o * self.tanh_c
        self.x, self.h_prev, self.c_prev, self.w_ih, self.w_hh = x, h_prev, c_prev, w_ih, w_hh
        return xp.stack([h, c])
        # given: end

    def backward(self, grad_output):
        """Return (dL/dx, dL/dh_prev, dL/dc_prev, dL/dW_ih, dL/dW_hh, dL/db)."""
        raise NotImplementedError("write LSTMStep.backward: return the six gradients")
