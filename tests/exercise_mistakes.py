"""The diagnosis table: learner-style mistakes of every exercise, each one edit (or a few) of
a correct solution in tests/exercise_solutions/, with how the checker's problem and likely
cause must begin. tests/test_exercises.py checks the messages; tests/test_exercises_feedback.py
checks that no message gives the exercise's answer away, and that every exercise has rows."""

from __future__ import annotations

from pathlib import Path

SOLUTIONS = Path(__file__).parent / "exercise_solutions"


def with_mistake(
    directory: Path, name: str, old: str | tuple[str, ...], new: str | tuple[str, ...]
) -> Path:
    """Write exercise ``name``'s correct solution into ``directory`` with ``old`` replaced by
    ``new`` (each of which must occur exactly once; a tuple makes several edits, pairwise),
    and return the directory."""
    text = (SOLUTIONS / f"{name}.py").read_text(encoding="utf-8")
    edits = zip((old,) if isinstance(old, str) else old, (new,) if isinstance(new, str) else new,
                strict=True)
    for before, after in edits:
        assert text.count(before) == 1, f"{before!r} must occur once in the {name} solution"
        text = text.replace(before, after)
    (directory / f"{name}.py").write_text(text, encoding="utf-8")
    return directory


# name: (exercise, text in the correct solution, the mistaken text, how the problem starts,
# how the likely cause starts or None). A table is easier to read unformatted.
# fmt: off
MISTAKES = {
    "matmul: missing transpose (shapes do not fit)": (
        "matmul", "grad_a = grad_output @ self.b.T", "grad_a = grad_output @ self.b",
        "MatMul.backward raised ValueError: matmul: ",
        "missing transpose: the shapes in that line do not fit. Here A is (2, 3), B (3, 4) and "
        "grad_output (2, 4); dL/dA must come out (2, 3) and dL/dB (3, 4)",
    ),
    "matmul: missing transpose (transposed result)": (
        "matmul", "grad_b = self.a.T @ grad_output", "grad_b = grad_output.T @ self.a",
        "MatMul.backward returned dL/dB of shape (4, 3) for A (2, 3) @ B (3, 4), but B has "
        "shape (3, 4)",
        "missing transpose: (4, 3) is B's shape (3, 4) transposed",
    ),
    "broadcast_add: gradient of the broadcast shape": (
        "broadcast_add", "sum_to_shape(grad_output, self.b_shape)", "grad_output",
        "BroadcastAdd.backward returned dL/db of shape (4, 3) for a (4, 3) + b (3,), but b has "
        "shape (3,)",
        "broadcasting not summed back: (4, 3) is the output's shape. b (3,) was broadcast "
        "(repeated) to (4, 3) in forward",
    ),
    "broadcast_add: averaged over the copies": (
        "broadcast_add", "grad = grad.sum(axis=tuple(range(extra)))",
        "grad = grad.mean(axis=tuple(range(extra)))",
        "dL/db is wrong for a (4, 3) + b (3,): gradient check failed for input 1 (shape (3,))",
        "dL/db is 4 times too small: broadcasting not summed back: the operand was repeated 4 "
        "times and its gradient averaged",
    ),
    "broadcast_add: summed with keepdims, shape not restored": (
        "broadcast_add", "sum_to_shape(grad_output, self.b_shape)",
        "grad_output.sum(axis=0, keepdims=True)",
        "BroadcastAdd.backward returned dL/db of shape (1, 3) for a (4, 3) + b (3,)",
        "the values may be right but are laid out as (1, 3), with the same number of elements "
        "as b's shape (3,)",
    ),
    "conv2d_im2col: wrong padding offset": (
        "conv2d_im2col", "return padded[:, :, p : p + h, p : p + w]",
        "return padded[:, :, :h, :w]",
        "col2im(cols, x_shape=(2, 2, 5, 5), kernel_size=3, stride=1, padding=1) gives wrong "
        "values: worst at index (0, 0, 2, 3), yours -5.09995, expected 6.14077 "
        "(tinydl.ops.conv.col2im)",
        "wrong padding offset: your col2im result is the right gradient shifted by 1 row(s) "
        "and 1 column(s) (positive: down/right)",
    ),
    "conv2d_im2col: padding not cut off": (
        "conv2d_im2col", "return padded[:, :, p : p + h, p : p + w]", "return padded",
        "col2im(cols, x_shape=(2, 2, 5, 5), kernel_size=3, stride=1, padding=1) returns shape "
        "(2, 2, 7, 7), expected x_shape (2, 2, 5, 5)",
        "the padding was not cut off",
    ),
    "conv2d_im2col: overlapping receptive fields assigned, not added": (
        "conv2d_im2col", "window_pixels += cols", "window_pixels[...] = cols",
        "col2im(cols, x_shape=(2, 2, 5, 5), kernel_size=3, stride=1, padding=1) gives wrong "
        "values",
        "overlapping windows overwritten",
    ),
    "conv2d_im2col: dW without the transpose": (
        "conv2d_im2col", "grad_w = (g @ self.cols.T)", "grad_w = (g @ self.cols)",
        "Conv2D.backward raised ValueError: matmul: ",
        "the layouts do not fit: rearranged, grad_output is G (O, N·OH·OW)",
    ),
    "softmax_cross_entropy: gradient without the 1/N": (
        "softmax_cross_entropy", "return grad * (grad_output / n)", "return grad * grad_output",
        "dL/dlogits is wrong for logits (4, 3) and labels [0, 2, 1, 2]: gradient check failed "
        "for input 0 (shape (4, 3)): 12 of 12 elements disagree. Worst at index (0, 0): "
        "analytic (backward) -0.115862, numeric (finite difference) -0.0289656, relative error "
        "0.75; allowed |analytic - numeric| <= atol + rtol*|numeric| with atol=1e-05, rtol=0.001.",
        "dL/dlogits is 4 times too large: the 1/N of the mean over the N = 4 samples is "
        "missing",
    ),
    "softmax_cross_entropy: one-hot not subtracted": (
        "softmax_cross_entropy", "        grad[xp.arange(n), self.labels] -= 1\n", "",
        "dL/dlogits is wrong for logits (4, 3) and labels [0, 2, 1, 2]: gradient check failed",
        "only the entries at the labels are wrong (one per row, the others are right)",
    ),
    "sigmoid: grad_output forgotten": (
        "sigmoid", "return grad_output * self.y * (1 - self.y)", "return self.y * (1 - self.y)",
        "dL/dx is wrong for x of shape (3, 4): gradient check failed for input 0 (shape (3, 4))",
        "the chain rule is missing: dL/dx is the local derivative alone. Multiply it by "
        "grad_output",
    ),
    "sigmoid: wrong forward": (
        "sigmoid", "self.y = 1 / (1 + xp.exp(-x))", "self.y = 1 / (1 + xp.exp(x))",
        "Sigmoid.forward gives wrong values for x of shape (3, 4): worst at index (1, 2), yours "
        "0.213493, expected 0.786507 (tinydl's own op)",
        None,
    ),
    "tanh: sign flipped": (
        "tanh", "return grad_output * (1 - self.y * self.y)",
        "return -grad_output * (1 - self.y * self.y)",
        "dL/dx is wrong for x of shape (3, 4)", "sign flipped: dL/dx is minus the right gradient",
    ),
    "tanh: grad_output changed in place": (
        "tanh", "return grad_output * (1 - self.y * self.y)",
        "grad_output *= 1 - self.y * self.y\n        return grad_output",
        "Tanh.backward changed grad_output in place for x of shape (3, 4)",
        "grad_output modified in place",
    ),
    "sum_mean: the mean without 1/n": (
        "sum_mean", "return copy_back(grad_output, self.x_shape, self.axis, self.keepdims) / count",
        "return copy_back(grad_output, self.x_shape, self.axis, self.keepdims)",
        "dL/dx is wrong for Mean(axis=None, keepdims=False) of x (3, 4)",
        "dL/dx is 12 times too large: the 1/n of the mean (n = 12 values per output) is missing",
    ),
    "sum_mean: reduced axis not put back": (
        "sum_mean", "        grad_output = xp.expand_dims(grad_output, axis)\n", "        pass\n",
        "Sum.backward raised ValueError: operands could not be broadcast together",
        "the reduced axis is missing: with keepdims=False, grad_output lacks the axis that was "
        "summed away",
    ),
    "mse: the 2 of the square missing": (
        "mse", "grad_x = (2 / self.diff.size) * self.diff * grad_output",
        "grad_x = (1 / self.diff.size) * self.diff * grad_output",
        "dL/dx is wrong for x and target of shape (3, 4)",
        "dL/dx is 2 times too small: the 2 of the square's derivative is missing",
    ),
    "mse: one gradient for two inputs": (
        "mse", "return grad_x, -grad_x", "return grad_x",
        "MSELoss.backward returned 1 gradient(s), but MSELoss has 2 input(s): return (dL/dx, "
        "dL/dtarget)",
        None,
    ),
    "hinge: correct class left out": (
        "hinge", "grad[xp.arange(n), self.labels] = -grad.sum(axis=1)", "pass",
        "dL/dscores is wrong for scores (4, 5), labels [1, 0, 3, 4], margin 1",
        "only the correct-class entries are wrong",
    ),
    "dropout: the 1/(1 - p) scale missing": (
        "dropout", "return grad_output * self.scaled_mask",
        "return grad_output * (self.scaled_mask > 0)",
        "dL/dx is wrong for x (4, 5), p = 0.3, seed = 5",
        "dL/dx is 1.42857 times too small: the 1/(1 − p) scaling is missing",
    ),
    "dropout: the mask missing": (
        "dropout", "return grad_output * self.scaled_mask", "return grad_output",
        "dL/dx is wrong for x (4, 5), p = 0.3, seed = 5", "the mask is missing",
    ),
    "dropout: a boolean mask upcasts float32": (
        "dropout", "keep.astype(x.dtype) / (1 - self.p)", "keep / (1 - self.p)",
        "Dropout.forward turns float32 inputs into a float64 output for x (4, 5), p = 0.3, "
        "seed = 5",
        "silent upcast: under NumPy 2",
    ),
    "batch_norm: mean and variance treated as constants": (
        "batch_norm", "(g - grad_beta / n - self.x_hat * (grad_gamma / n))", "g",
        "dL/dx is wrong for x (6, 3), gamma (3,), beta (3,)",
        "μ and σ treated as constants",
    ),
    "batch_norm: the path through sigma missing": (
        "batch_norm", "(g - grad_beta / n - self.x_hat * (grad_gamma / n))", "(g - grad_beta / n)",
        "dL/dx is wrong for x (6, 3), gamma (3,), beta (3,)",
        "the path through σ is missing",
    ),
    "max_pool: overlapping windows assigned, not added": (
        "max_pool", "+= won * grad_output", "= won * grad_output",
        "dL/dx is wrong for x (2, 2, 7, 7), kernel_size 3, stride 2",
        "overlapping windows overwritten",
    ),
    "sgd_momentum: param rebound, not updated in place": (
        "sgd_momentum", "param -= self.lr * velocity", "param = param - self.lr * velocity",
        "step 1, parameter 0 (shape (3, 4)): the parameter did not change",
        "param not updated in place",
    ),
    "sgd_momentum: velocity not kept in state": (
        "sgd_momentum", 'velocity = state["velocity"] = grad.copy()', "velocity = grad.copy()",
        "step 2, parameter 0 (shape (3, 4)) differs from tinydl.optim.SGD's: worst at index",
        "state not kept: step 1 was right, but this step is the one a fresh SGD would take",
    ),
    "sgd_momentum: damped velocity": (
        "sgd_momentum", "velocity += grad", "velocity += (1 - self.momentum) * grad",
        "step 2, parameter 0 (shape (3, 4)) differs from tinydl.optim.SGD's",
        "step 1 was right but a later one is not, so check the rule: the velocity must carry "
        "every earlier gradient",
    ),
    "sgd_momentum: gradient changed in place": (
        "sgd_momentum", "param -= self.lr * velocity", "grad *= self.lr\n        param -= grad",
        "step 1, parameter 0 (shape (3, 4)): SGDMomentum.update changed the gradient array",
        "grad modified in place",
    ),
    "adam: no bias correction": (
        "adam", "m_hat = m / (1 - beta1**t)\n        v_hat = v / (1 - beta2**t)",
        "m_hat = m\n        v_hat = v",
        "step 1, parameter 0 (shape (3, 4)) differs from tinydl.optim.Adam's",
        "your first step is 3.16228 times too large: the bias correction is missing",
    ),
    "adam: step count not increased": (
        "adam", 'state["step"] += 1', 'state["step"] = 1',
        "step 2, parameter 0 (shape (3, 4)) differs from tinydl.optim.Adam's",
        "step 1 was right but a later one is not",
    ),
    "layer_norm: mean and deviation treated as constants": (
        "layer_norm", "(g_hat - through_mean - through_std)", "g_hat",
        "dL/dx is wrong for x (4, 5), gamma (5,), beta (5,): gradient check failed for input 0",
        "μ and σ treated as constants",
    ),
    "layer_norm: gamma forgotten, which no pattern claims": (
        "layer_norm",
        "g_hat = grad_output * self.gamma  # dL/dx̂: γ varies along the row",
        "g_hat = grad_output",
        "dL/dx is wrong for x (4, 5), gamma (5,), beta (5,)",
        None,
    ),
    "layer_norm: gamma taken out of the means": (
        "layer_norm", "grad_x = self.inv_std * (g_hat - through_mean - through_std)",
        "g_hat = grad_output\n        through_mean = row_mean(g_hat)\n        "
        "through_std = self.x_hat * row_mean(g_hat * self.x_hat)\n        "
        "grad_x = self.gamma * self.inv_std * (g_hat - through_mean - through_std)",
        "dL/dx is wrong for x (4, 5), gamma (5,), beta (5,)",
        "γ taken out of the row means",
    ),
    "lstm_step: the path from c through h forgotten": (
        "lstm_step", "grad_output[1] + grad_h * self.o * (1 - self.tanh_c * self.tanh_c)",
        "grad_output[1]",
        "dL/dx is wrong for x (2, 3), h_prev (2, 4), c_prev (2, 4), w_ih (16, 3), w_hh (16, 4), "
        "b (16,): gradient check failed for input 0 (shape (2, 3))",
        "the path from c through h is missing",
    ),
    "lstm_step: the g gate differentiated as a sigmoid": (
        "lstm_step", "grad_c * self.i * (1 - self.g * self.g)",
        "grad_c * self.i * self.g * (1 - self.g)",
        "dL/dx is wrong for x (2, 3)",
        "the g gate's slope is the sigmoid's",
    ),
    "lstm_step: dW_ih transposed": (
        "lstm_step", "grad_a.T @ self.x", "self.x.T @ grad_a",
        "LSTMStep.backward returned dL/dw_ih of shape (3, 16)",
        "missing transpose: (3, 16) is w_ih's shape (16, 3) transposed",
    ),
    "attention: softmax treated as element-wise": (
        "attention", "self.p * (grad_p - (grad_p * self.p).sum(axis=1, keepdims=True))",
        "self.p * (1 - self.p) * grad_p",
        "dL/dQ is wrong for Q (3, 4), K (5, 4), V (5, 2): gradient check failed for input 0",
        "softmax treated as element-wise",
    ),
    "attention: the 1/sqrt(d) scale missing": (
        "attention", "grad_q = grad_scores @ self.k * self.scale", "grad_q = grad_scores @ self.k",
        "dL/dQ is wrong for Q (3, 4), K (5, 4), V (5, 2)",
        "dL/dQ is 2 times too large: the 1/√d scale is missing",
    ),
    # Slips of the element-wise activations: the input where the output belongs, a square in
    # the wrong place, another function's slope.
    "relu: value instead of slope": (
        "relu", "self.positive = x > 0", "self.positive = backend.array_module(x).maximum(x, 0)",
        "dL/dx is wrong for x of shape (3, 4): gradient check failed for input 0",
        "value instead of slope: your slope is y, ReLU's output",
    ),
    "relu: mask the wrong way round": (
        "relu", "self.positive = x > 0", "self.positive = x < 0",
        "dL/dx is wrong for x of shape (3, 4)",
        "the mask is the wrong way round: your gradient passes where x < 0",
    ),
    "sigmoid: input instead of output": (
        "sigmoid",
        ("        self.y = 1 / (1 + xp.exp(-x))\n", "return grad_output * self.y * (1 - self.y)"),
        ("        self.x = x\n        self.y = 1 / (1 + xp.exp(-x))\n",
         "return grad_output * self.x * (1 - self.x)"),
        "dL/dx is wrong for x of shape (3, 4)",
        "input instead of output: your slope is the right expression with x, forward's input, "
        "where y, its output (self.y), belongs (at x[2, 1] = -1.265, where y = 0.22: your slope "
        "-2.867, the right one 0.1716)",
    ),
    "sigmoid: sigma applied twice": (
        "sigmoid", "return grad_output * self.y * (1 - self.y)",
        "s = 1 / (1 + backend.array_module(self.y).exp(-self.y))\n"
        "        return grad_output * s * (1 - s)",
        "dL/dx is wrong for x of shape (3, 4)", "σ applied twice",
    ),
    "tanh: input instead of output": (
        "tanh", ("class Tanh(stub.Tanh):\n", "(1 - self.y * self.y)"),
        ("class Tanh(stub.Tanh):\n    def forward(self, x):\n        self.x = x\n"
         "        return super().forward(x)\n\n", "(1 - self.x * self.x)"),
        "dL/dx is wrong for x of shape (3, 4)", "input instead of output",
    ),
    "tanh: (1 - y) squared": (
        "tanh", "(1 - self.y * self.y)", "(1 - self.y) ** 2",
        "dL/dx is wrong for x of shape (3, 4)",
        "a square in the wrong place: your slope is (1 − y)², the square of a difference",
    ),
    "tanh: the slope 1 - y": (
        "tanh", "(1 - self.y * self.y)", "(1 - self.y)",
        "dL/dx is wrong for x of shape (3, 4)",
        "your slope is 1 − y, which exceeds 1 wherever y < 0",
    ),
    "tanh: the sigmoid's slope": (
        "tanh", "(1 - self.y * self.y)", "self.y * (1 - self.y)",
        "dL/dx is wrong for x of shape (3, 4)", "the sigmoid's slope",
    ),
    "softmax_cross_entropy: logits instead of probabilities": (
        "softmax_cross_entropy",
        ("class SoftmaxCrossEntropy(stub.SoftmaxCrossEntropy):\n", "grad = self.probs.copy()"),
        ("class SoftmaxCrossEntropy(stub.SoftmaxCrossEntropy):\n    def forward(self, logits):\n"
         "        self.logits = logits\n        return super().forward(logits)\n\n",
         "grad = self.logits.copy()"),
        "dL/dlogits is wrong for logits (4, 3) and labels [0, 2, 1, 2]",
        "input instead of output: your gradient is the right expression with the logits x",
    ),
    "softmax_cross_entropy: log-probabilities instead of probabilities": (
        "softmax_cross_entropy", "grad = self.probs.copy()", "grad = xp.log(self.probs)",
        "dL/dlogits is wrong for logits (4, 3)", "log-probabilities instead of probabilities",
    ),
    "softmax_cross_entropy: the softmax left out": (
        "softmax_cross_entropy",
        "grad = self.probs.copy()\n        grad[xp.arange(n), self.labels] -= 1",
        "grad = xp.zeros_like(self.probs)\n        rows = xp.arange(n)\n"
        "        grad[rows, self.labels] = -1 / self.probs[rows, self.labels]",
        "dL/dlogits is wrong for logits (4, 3)",
        "the softmax left out: your gradient is dL/dp",
    ),
    "attention: the scores where the probabilities belong": (
        "attention",
        "grad_scores = self.p * (grad_p - (grad_p * self.p).sum(axis=1, keepdims=True))",
        "scores = self.q @ self.k.T * self.scale\n"
        "        grad_scores = scores * (grad_p - (grad_p * scores).sum(axis=1, keepdims=True))",
        "dL/dQ is wrong for Q (3, 4), K (5, 4), V (5, 2)",
        "input instead of output: the softmax's backward was written with the scores",
    ),
    # Kinks: the gradient check cannot judge there, so backward is compared with PyTorch's
    # convention directly, and the message says why.
    "relu: the gradient passes at x = 0": (
        "relu", "self.positive = x > 0", "self.positive = x >= 0",
        "dL/dx is wrong for x (3, 4) holding exact zeros, 5 of whose elements sit on a kink: "
        "worst at index (0, 1), yours -0.838328, expected 0 (tinydl's own op, which gives "
        "PyTorch's value)",
        "your dL/dx is not 0 at the elements where x is exactly 0 ((0, 1), (0, 3), (1, 0), "
        "(1, 2), (2, 1)). At x = 0 ReLU has a kink",
    ),
    "max_pool: every tied pixel gets the window's gradient": (
        "max_pool", ("class MaxPool2D(stub.MaxPool2D):\n", "won = self.argmax == i * k + j"),
        ("class MaxPool2D(stub.MaxPool2D):\n    def forward(self, x):\n        self.x = x\n"
         "        self.y = super().forward(x)\n        return self.y\n\n",
         "won = self.x[:, :, i : i + s * oh : s, j : j + s * ow : s] == self.y"),
        "dL/dx is wrong for x (2, 2, 6, 6) holding only 0, 1 and 2, kernel_size 2, stride 2, "
        "50 of whose elements sit on a kink",
        "every tied pixel got the window's whole gradient",
    ),
    "max_pool: the last tied pixel gets the window's gradient": (
        "max_pool", "class MaxPool2D(stub.MaxPool2D):\n",
        "class MaxPool2D(stub.MaxPool2D):\n    def forward(self, x):\n"
        "        y = super().forward(x)\n        k, s = self.kernel_size, self.stride\n"
        "        oh, ow = y.shape[2:]\n        for i in range(k):\n            for j in range(k):\n"
        "                same = x[:, :, i : i + s * oh : s, j : j + s * ow : s] == y\n"
        "                xp = backend.array_module(x)\n"
        "                self.argmax = xp.where(same, i * k + j, self.argmax)\n"
        "        return y\n\n",
        "dL/dx is wrong for x (2, 2, 6, 6) holding only 0, 1 and 2",
        "the gradient went to the last of the tied pixels of each window, not the first. Where "
        "pixels of a window tie for its maximum, the maximum has a kink",
    ),
    # A leftover exit() ends the check with a report, not silently.
    "relu: exit() left at the end of the file": (
        "relu", "        return grad_output * self.positive\n",
        "        return grad_output * self.positive\n\n\nexit()\n",
        "loading relu.py called exit(), which would end the checker as well", None,
    ),
    "tanh: sys.exit(1) in backward": (
        "tanh", "        return grad_output * (1 - self.y * self.y)",
        "        import sys\n\n        sys.exit(1)",
        "Tanh.backward called exit(1), which would end the checker as well", None,
    ),
    # The engine exercises.
    "central_difference: one-sided": (
        "central_difference", ("        x[index] = old - eps\n", "(plus - minus) / (2 * eps)"),
        ("        x[index] = old\n", "(plus - minus) / eps"),
        "numeric_gradient gives wrong values for f(x) = Σ x³ at x of shape (5,), ε = 0.01: worst "
        "at index (4,), yours 8.7211, expected 8.6701 (the central difference at this ε)",
        "one-sided difference: your estimate is what a nudge in one direction alone gives, whose "
        "error shrinks like ε, not ε². At index (4,) it is 0.051 away from the exact derivative, "
        "the central difference 0.0001",
    ),
    "central_difference: divided by eps, not by the distance": (
        "central_difference", "(plus - minus) / (2 * eps)", "(plus - minus) / eps",
        "numeric_gradient gives wrong values for f(x) = Σ x³",
        "your estimate is 2 times too large: the change of f was divided by a step half as long",
    ),
    "central_difference: x not put back": (
        "central_difference", "        x[index] = old  # put it back before the next element\n", "",
        "numeric_gradient changed x for f(x) = Σ x³ at x of shape (5,), ε = 0.01: afterwards "
        "x[0] is -1.21, where it was -1.2",
        "x not restored",
    ),
    "central_difference: every element nudged at once": (
        "central_difference",
        "        x[index] = old + eps\n        plus = f(x)\n        x[index] = old - eps\n"
        "        minus = f(x)\n",
        "        plus = f(x + eps)\n        minus = f(x - eps)\n",
        "numeric_gradient gives wrong values for f(x) = Σ x³",
        "every element of x was nudged at once: each of your entries is 16.1705",
    ),
    "central_difference: eps ignored": (
        "central_difference", "def numeric_gradient(f, x, eps=1e-6):\n",
        "def numeric_gradient(f, x, eps=1e-6):\n    eps = 1e-6\n",
        "numeric_gradient gives wrong values for f(x) = Σ x³",
        "your estimate is closer to the exact derivative than a step of ε = 0.01 allows",
    ),
    "backward_walk: a recursive walk": (
        "backward_walk",
        "def graph_in_order(root):\n    order, seen, stack = [], set(), [(root, False)]\n",
        "def graph_in_order(root):\n    return list(visit(root, set()))\n\n\n"
        "def visit(tensor, seen):\n    if id(tensor) in seen:\n        return\n"
        "    seen.add(id(tensor))\n"
        "    for parent in tensor.creator.inputs if tensor.creator else ():\n"
        "        yield from visit(parent, seen)\n    yield tensor\n\n\n"
        "def unused(root):\n    order, seen, stack = [], set(), [(root, False)]\n",
        "graph_in_order for a chain of 5,000 additions, L = Σ (x + 1 + 1 + ...) raised "
        "RecursionError: maximum recursion depth exceeded",
        "recursion too deep: each nested call takes one of the roughly 1,000 frames",
    ),
    "backward_walk: a tensor listed twice": (
        "backward_walk", "        elif id(tensor) not in seen:\n            seen.add(id(tensor))\n",
        "        else:\n",
        "graph_in_order lists x 2 times for L = Σ (x + w)·(x + v), where x is used twice",
        "listed more than once: x is used by 2 functions (the Add making t = x + v, the Add "
        "making s = x + w), so the walk reaches it along 2 paths",
    ),
    "backward_walk: the leaves left out": (
        "backward_walk", "            order.append(tensor)",
        "            if tensor.creator is not None:\n                order.append(tensor)",
        "graph_in_order leaves out 3 of the graph's 7 tensors for L = Σ (x + w)·(x + v), where x "
        "is used twice, among them v",
        "only tensors that no function made are missing",
    ),
    "backward_walk: the order reversed": (
        "backward_walk", "    return order\n", "    return order[::-1]\n",
        "graph_in_order lists L before s·t, one of the tensors it was made from",
        "the order is reversed",
    ),
    "backward_walk: walked from the inputs": (
        "backward_walk", "    for tensor in reversed(graph_in_order(root)):",
        "    for tensor in graph_in_order(root):",
        "the backward of the Add making t = x + v ran before the backward of the Mul making s·t, "
        "which uses it",
        "out of order: the gradient of t = x + v was passed on before every function that uses "
        "it had sent its share",
    ),
    "backward_walk: gradients overwritten": (
        "backward_walk",
        "            parent.grad = grad if parent.grad is None else parent.grad + grad",
        "            parent.grad = grad",
        "the grad of x is wrong for L = Σ (x + w)·(x + v), where x is used twice",
        "contributions lost: x is used 2 times",
    ),
    "backward_walk: gradients added in place": (
        "backward_walk",
        "            parent.grad = grad if parent.grad is None else parent.grad + grad",
        "            if parent.grad is None:\n                parent.grad = grad\n"
        "            else:\n                parent.grad += grad",
        "the grad of s = x + w is wrong",
        "one array, two gradients: the grad of s = x + w is the very array that is also the grad "
        "of x",
    ),
    "backward_walk: the root's gradient never set": (
        "backward_walk", "    root.grad = np.ones_like(root.data)\n", "",
        "the backward of the Sum making L was given None as the gradient of L",
        "the root's gradient was never set",
    ),
    "sum_to_shape: averaged over the copies": (
        "sum_to_shape", "grad = grad.sum(axis=tuple(range(leading)))",
        "grad = grad.mean(axis=tuple(range(leading)))",
        "sum_to_shape(grad (4, 3) float64, shape (3,)) gives wrong values",
        "your result is 4 times too small: broadcasting not summed back",
    ),
    "sum_to_shape: size-1 axes dropped": (
        "sum_to_shape", "return grad.sum(axis=stretched, keepdims=True)",
        "return grad.sum(axis=stretched)",
        "sum_to_shape(grad (4, 3) float64, shape (1, 3)) returns shape (3,), expected (1, 3)",
        "the values may be right but are laid out as (3,)",
    ),
    "sum_to_shape: size-1 axes not summed": (
        "sum_to_shape", "return grad.sum(axis=stretched, keepdims=True)", "return grad",
        "sum_to_shape(grad (4, 3) float64, shape (1, 3)) returns shape (4, 3), expected (1, 3)",
        "size-1 axes left: axis/axes [0] of your result (4, 3) have size 1 in shape (1, 3)",
    ),
    "sum_to_shape: leading axes not summed": (
        "sum_to_shape", "    grad = grad.sum(axis=tuple(range(leading)))\n", "",
        "sum_to_shape(grad (4, 3) float64, shape (3,)) returns shape (4, 3), expected (3,)",
        "leading axes left: your result (4, 3) still has the 1 leading axis/axes",
    ),
    "sum_to_shape: float32 turned into float64": (
        "sum_to_shape", "return grad.sum(axis=stretched, keepdims=True)",
        "return grad.sum(axis=stretched, keepdims=True).astype(float)",
        "sum_to_shape(grad (4, 3) float32, shape (3,)) returns float64",
        "silent upcast",
    ),
}
# fmt: on
