"""The exercises, in the order a learner should do them: for each, the stub's name, one line
about it, a hint, and how it is checked (which inputs, which tinydl op is the reference,
which typical mistakes are recognised)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from types import ModuleType

import numpy as np

import tinydl
import tinydl.nn.functional as F
from tinydl.autograd import Tensor
from tinydl.exercises.advanced import check_attention, check_layer_norm, check_lstm_step
from tinydl.exercises.checker import (
    Failure,
    FunctionCheck,
    OptimizerCheck,
    check_function,
    check_optimizer,
    learner_attribute,
    learner_code,
    random_arrays,
    worst_index,
)
from tinydl.exercises.diagnosis import (
    ATOL,
    RTOL,
    Diagnose,
    Factor,
    Mismatch,
    close,
    value_cause,
)
from tinydl.ops import conv as conv_ops


@dataclass(frozen=True)
class Exercise:
    """One exercise: its stub is ``stubs/{name}.py``; ``check`` raises a Failure or returns.

    ``hints`` are revealed one at a time by ``tinydl exercises hint``: 1, what to think about;
    2, the element-wise derivative; 3, the vectorised formula. ``answers`` are the formulas
    the learner is asked to derive, as the hints write them; a test checks that no stub
    gives one of them away.
    """

    name: str
    summary: str
    hints: tuple[str, str, str]
    answers: tuple[str, ...]
    check: Callable[[ModuleType], None]

    @property
    def filename(self) -> str:
        return f"{self.name}.py"

    @property
    def hint(self) -> str:
        """What a failed check suggests: the first hint, which gives no formula away."""
        return self.hints[0]


def _divided_twice(count: int, what: str) -> Factor:
    """The 1/n of a mean missing (too large) or applied twice (too small)."""
    return Factor(
        count, too_large=f"the 1/{what} is missing", too_small=f"it was divided by {what} twice"
    )


def _wrong_only_where(mask: np.ndarray, mismatch: Mismatch) -> bool:
    """True when the learned values are wrong somewhere, and only inside ``mask``."""
    wrong = ~np.isclose(mismatch.learned, mismatch.expected, rtol=RTOL, atol=ATOL)
    return bool(wrong.any()) and bool(mask[wrong].all())


# ---- element-wise activations --------------------------------------------------------------


def _check_sigmoid(module: ModuleType) -> None:
    (x,) = random_arrays(0, (3, 4))
    sigmoid = learner_attribute(module, "Sigmoid")
    check_function(module, FunctionCheck(sigmoid, tinydl.sigmoid, {"x": x}, "x of shape (3, 4)"))


def _check_tanh(module: ModuleType) -> None:
    (x,) = random_arrays(1, (3, 4))
    tanh = learner_attribute(module, "Tanh")
    check_function(module, FunctionCheck(tanh, tinydl.tanh, {"x": x}, "x of shape (3, 4)"))


# ---- broadcasting, matrix product, reductions --------------------------------------------

BROADCAST_CASES = [((4, 3), (3,)), ((2, 1, 3), (4, 1)), ((3, 1), (2, 1, 4))]


def _averaged(copies: int) -> Factor:
    """A broadcast operand's gradient averaged (too small) instead of summed over its copies."""
    return Factor(
        copies,
        too_large=f"it was multiplied by the number of copies ({copies})",
        too_small=f"broadcasting not summed back: the operand was repeated {copies} times and "
        f"its gradient averaged over the copies; every copy's gradient counts in full, so sum "
        f"(.sum), do not average (.mean)",
    )


def _check_broadcast_add(module: ModuleType) -> None:
    broadcast_add = learner_attribute(module, "BroadcastAdd")
    for seed, (a_shape, b_shape) in enumerate(BROADCAST_CASES):
        a, b = random_arrays(seed, a_shape, b_shape)
        size = int(np.prod(np.broadcast_shapes(a_shape, b_shape)))
        copies = sorted({size // a.size, size // b.size} - {1})
        check_function(
            module,
            FunctionCheck(
                broadcast_add,
                tinydl.ops.add,
                {"a": a, "b": b},
                f"a {a_shape} + b {b_shape}",
                factors=[_averaged(n) for n in copies],
            ),
        )


def _check_matmul(module: ModuleType) -> None:
    a, b = random_arrays(2, (2, 3), (3, 4))
    matmul = learner_attribute(module, "MatMul")
    check_function(
        module,
        FunctionCheck(
            matmul,
            tinydl.matmul,
            {"A": a, "B": b},
            "A (2, 3) @ B (3, 4)",
            shape_error_cause="missing transpose: the shapes in that line do not fit. With A "
            "(2, 3), B (3, 4) and grad_output (2, 4): dL/dA = grad_output @ Bᵀ is (2, 4)(4, 3) -> "
            "(2, 3) and dL/dB = Aᵀ @ grad_output is (3, 2)(2, 4) -> (3, 4)",
        ),
    )


REDUCTION_CASES = [
    ((3, 4), None, False),
    ((3, 4), 0, False),
    ((3, 4), 1, True),
    ((3, 4), -1, False),
    ((2, 3, 4), 1, False),
]

REDUCTION_SHAPE_CAUSE = (
    "the reduced axis is missing: with keepdims=False, grad_output lacks the reduced axis; put "
    "it back with xp.expand_dims(grad_output, axis) before broadcasting it to x's shape"
)


def _check_sum_mean(module: ModuleType) -> None:
    for class_name, reference in (("Sum", tinydl.sum), ("Mean", tinydl.mean)):
        function = learner_attribute(module, class_name)
        for seed, (shape, axis, keepdims) in enumerate(REDUCTION_CASES):
            (x,) = random_arrays(seed, shape)
            count = x.size if axis is None else shape[axis]
            if class_name == "Mean":
                factors = [_divided_twice(count, f"n of the mean (n = {count} values per output)")]
            else:
                factors = [
                    Factor(
                        count,
                        too_large=f"it was multiplied by n = {count}",
                        too_small=f"it was divided by n = {count}: that is the mean's "
                        f"1/n, a sum has none",
                    )
                ]
            check_function(
                module,
                FunctionCheck(
                    partial(function, axis, keepdims),
                    partial(reference, axis=axis, keepdims=keepdims),
                    {"x": x},
                    f"{class_name}(axis={axis}, keepdims={keepdims}) of x {shape}",
                    factors=factors,
                    shape_error_cause=REDUCTION_SHAPE_CAUSE,
                ),
            )


# ---- losses ---------------------------------------------------------------------------------


def _check_mse(module: ModuleType) -> None:
    x, target = random_arrays(3, (3, 4), (3, 4))
    mse = learner_attribute(module, "MSELoss")
    check_function(
        module,
        FunctionCheck(
            mse,
            F.mse_loss,
            {"x": x, "target": target},
            "x and target of shape (3, 4)",
            factors=[
                _divided_twice(x.size, f"n of the mean (n = {x.size} elements)"),
                Factor(
                    2,
                    too_large="the 2 of the square's derivative was applied twice",
                    too_small="the 2 of the square's derivative is missing: "
                    "d(x − t)²/dx = 2(x − t)",
                ),
            ],
        ),
    )


CROSS_ENTROPY_LABELS = np.array([0, 2, 1, 2])  # 4 samples of 3 classes


def _check_softmax_cross_entropy(module: ModuleType) -> None:
    (logits,) = random_arrays(4, (4, 3))
    n = len(CROSS_ENTROPY_LABELS)
    cross_entropy = learner_attribute(module, "SoftmaxCrossEntropy")
    exp = np.exp(logits - logits.max(axis=1, keepdims=True))
    probs = exp / exp.sum(axis=1, keepdims=True)

    def one_hot_missing(mismatch: Mismatch) -> str | None:
        if close(mismatch.learned, probs * mismatch.grad_output / n):
            return (
                "the −onehot(y) term is missing: subtract 1 at each sample's label, "
                "p − onehot(y), before scaling"
            )
        return None

    check_function(
        module,
        FunctionCheck(
            partial(cross_entropy, CROSS_ENTROPY_LABELS.copy()),
            partial(F.cross_entropy, target=Tensor(CROSS_ENTROPY_LABELS)),
            {"logits": logits},
            f"logits (4, 3) and labels {CROSS_ENTROPY_LABELS.tolist()}",
            factors=[
                Factor(
                    n,
                    too_large=f"the softmax gradient is missing the 1/N: the loss is the "
                    f"mean over the N = {n} samples, so each sample's gradient p − onehot(y) "
                    f"is divided by N",
                    too_small="it was divided by N twice",
                )
            ],
            diagnoses=[one_hot_missing],
        ),
    )


HINGE_LABELS = np.array([1, 0, 3, 4])  # 4 samples of 5 classes


def hinge_scores() -> np.ndarray:
    """Scores (4, 5) whose margins s_j − s_y + 1 all lie well away from the kink at 0, so
    finite differences never straddle it (checked by a test)."""
    (scores,) = random_arrays(5, (4, 5))
    return scores


def _check_hinge(module: ModuleType) -> None:
    scores = hinge_scores()
    n = len(HINGE_LABELS)
    hinge = learner_attribute(module, "MulticlassHinge")
    correct_class = np.zeros(scores.shape, dtype=bool)
    correct_class[np.arange(n), HINGE_LABELS] = True

    def correct_class_wrong(mismatch: Mismatch) -> str | None:
        if _wrong_only_where(correct_class, mismatch):
            return (
                "only the correct-class entries are wrong: dLₙ/ds_nyₙ is −(the number of "
                "violating classes in row n), times g/N, set after the other entries"
            )
        return None

    check_function(
        module,
        FunctionCheck(
            partial(hinge, HINGE_LABELS.copy(), 1.0),
            partial(F.hinge_loss, target=Tensor(HINGE_LABELS), margin=1.0),
            {"scores": scores},
            f"scores (4, 5), labels {HINGE_LABELS.tolist()}, margin 1",
            factors=[
                Factor(
                    n,
                    too_large=f"the 1/N of the mean over the N = {n} samples is missing",
                    too_small="it was divided by N twice",
                )
            ],
            diagnoses=[correct_class_wrong],
        ),
    )


# ---- dropout and batch norm -----------------------------------------------------------------

DROPOUT_P, DROPOUT_SEED = 0.3, 5


def _reference_dropout(x: Tensor) -> Tensor:
    """tinydl's dropout draws the same mask as the stub's keep_mask after manual_seed(seed)."""
    tinydl.manual_seed(DROPOUT_SEED)
    return F.dropout(x, DROPOUT_P)


def _check_dropout(module: ModuleType) -> None:
    (x,) = random_arrays(6, (4, 5))
    dropout = learner_attribute(module, "Dropout")

    def mask_missing(mismatch: Mismatch) -> str | None:
        if close(mismatch.learned, mismatch.grad_output):
            return (
                "the mask is missing: a dropped unit did not reach the output, so its "
                "gradient is 0; kept units get grad_output / (1 − p)"
            )
        return None

    check_function(
        module,
        FunctionCheck(
            partial(dropout, DROPOUT_P, DROPOUT_SEED),
            _reference_dropout,
            {"x": x},
            f"x (4, 5), p = {DROPOUT_P}, seed = {DROPOUT_SEED}",
            factors=[
                Factor(
                    1 / (1 - DROPOUT_P),
                    too_large="the 1/(1 − p) scaling was applied twice",
                    too_small="the 1/(1 − p) scaling is missing: forward scales the kept "
                    "units up by 1/(1 − p), so their gradients are scaled the same way",
                )
            ],
            diagnoses=[mask_missing],
        ),
    )


BATCH_NORM_EPS = 1e-5


def _reference_batch_norm(x: Tensor, gamma: Tensor, beta: Tensor) -> Tensor:
    return F.batch_norm(x, None, None, gamma, beta, training=True, eps=BATCH_NORM_EPS)


def _check_batch_norm(module: ModuleType) -> None:
    x, gamma, beta = random_arrays(7, (6, 3), (3,), (3,))
    batch_norm = learner_attribute(module, "BatchNorm")
    inv_std = 1 / np.sqrt(x.var(axis=0) + BATCH_NORM_EPS)
    x_hat = (x - x.mean(axis=0)) * inv_std

    def paths_missing(mismatch: Mismatch) -> str | None:
        if mismatch.what != "dL/dx":
            return None
        g = mismatch.grad_output
        through_mean, through_std = g.mean(axis=0), x_hat * (g * x_hat).mean(axis=0)
        candidates = [
            (
                g,
                "μ and σ treated as constants: x also changes the output through the batch "
                "mean μ and standard deviation σ, which every sample moves; subtract mean(g) "
                "and x̂·mean(g·x̂) inside the bracket",
            ),
            (g - through_mean, "the path through σ is missing: subtract x̂·mean(g·x̂) too"),
            (g - through_std, "the path through μ is missing: subtract mean(g) too"),
        ]
        for bracket, cause in candidates:
            if close(mismatch.learned, gamma * inv_std * bracket):
                return cause
        return None

    check_function(
        module,
        FunctionCheck(
            partial(batch_norm, BATCH_NORM_EPS),
            _reference_batch_norm,
            {"x": x, "gamma": gamma, "beta": beta},
            "x (6, 3), gamma (3,), beta (3,)",
            factors=[
                Factor(
                    len(x),
                    too_large="a sum over the batch was used where the formula "
                    "has a mean (or the other way round)",
                    too_small="a mean over the batch was used where the formula has a sum",
                )
            ],
            diagnoses=[paths_missing],
        ),
    )


# ---- max-pooling and convolution -------------------------------------------------------------

POOL_CASES = [((2, 2, 6, 6), 2, 2), ((2, 2, 7, 7), 3, 2)]


def distinct_values(seed: int, shape: tuple[int, ...]) -> np.ndarray:
    """A shuffled linspace: no two values tie, and none is within a finite difference of
    another, so the maximum of every window is clear."""
    values = np.linspace(-1.0, 1.0, int(np.prod(shape)))
    np.random.default_rng(seed).shuffle(values)
    return values.reshape(shape)


def _coverage(x_shape: tuple[int, int, int, int], k: int, s: int, p: int) -> np.ndarray:
    """How many K×K windows (stride s, padding p) cover each pixel: col2im of all-ones columns."""
    n, c, h, w = x_shape
    oh, ow = conv_ops.output_size((h, w), (k, k), (s, s), (p, p))
    ones = np.ones((c * k * k, n * oh * ow))
    return conv_ops.col2im(ones, x_shape, (k, k), (s, s), (p, p))


def _overlap_overwritten(coverage: np.ndarray) -> Diagnose:
    """Recognise = where += was needed: wrong only at pixels that several windows cover."""

    def diagnose(mismatch: Mismatch) -> str | None:
        if _wrong_only_where(coverage >= 2, mismatch):
            return (
                "overlapping windows overwritten: a pixel in several overlapping windows "
                "receives the sum of what they all send it; add with += instead of "
                "assigning with ="
            )
        return None

    return diagnose


def _check_max_pool(module: ModuleType) -> None:
    max_pool = learner_attribute(module, "MaxPool2D")
    for seed, (shape, kernel_size, stride) in enumerate(POOL_CASES):
        check_function(
            module,
            FunctionCheck(
                partial(max_pool, kernel_size, stride),
                partial(F.max_pool2d, kernel_size=kernel_size, stride=stride),
                {"x": distinct_values(seed, shape)},
                f"x {shape}, kernel_size {kernel_size}, stride {stride}",
                diagnoses=[_overlap_overwritten(_coverage(shape, kernel_size, stride, 0))],
            ),
        )


COL2IM_CASES = [((2, 2, 5, 5), 3, 1, 1), ((2, 2, 5, 5), 3, 2, 1), ((1, 2, 4, 4), 2, 1, 0)]
CONV_CASES = [(1, 1), (2, 1), (1, 0)]  # (stride, padding) for x (2, 2, 5, 5), W (3, 2, 3, 3)
CONV_SHAPE_CAUSE = (
    "the layouts do not fit: rearranged, grad_output is G (O, N·OH·OW); W as a matrix is "
    "(O, C·K·K) and cols is (C·K·K, N·OH·OW); dL/dcols = Wᵀ @ G and dL/dW = G @ colsᵀ"
)


def _check_col2im(module: ModuleType) -> None:
    """The learner's col2im against tinydl.ops.conv.col2im, directly."""
    col2im = learner_attribute(module, "col2im")
    path = Path(module.__file__)
    for seed, (x_shape, k, s, p) in enumerate(COL2IM_CASES):
        n, c, h, w = x_shape
        oh, ow = conv_ops.output_size((h, w), (k, k), (s, s), (p, p))
        (cols,) = random_arrays(seed, (c * k * k, n * oh * ow))
        label = f"col2im(cols, x_shape={x_shape}, kernel_size={k}, stride={s}, padding={p})"
        with learner_code(path, "col2im", CONV_SHAPE_CAUSE):
            got = np.asarray(col2im(cols.copy(), x_shape, k, s, p))
        expected = conv_ops.col2im(cols, x_shape, (k, k), (s, s), (p, p))
        if got.shape != expected.shape:
            padded = (n, c, h + 2 * p, w + 2 * p)
            raise Failure(
                f"{label} returns shape {got.shape}, expected x_shape {x_shape}",
                cause="the padding was not cut off: return padded[:, :, P:P + H, P:P + W]"
                if got.shape == padded
                else None,
            )
        if not close(got, expected):
            index = worst_index(got, expected)
            raise Failure(
                f"{label} gives wrong values: worst at index {index}, yours {got[index]:.6g}, "
                f"expected {expected[index]:.6g} (tinydl.ops.conv.col2im)",
                cause=value_cause(
                    Mismatch("your col2im result", got, expected),
                    diagnoses=[_overlap_overwritten(_coverage(x_shape, k, s, p))],
                ),
            )


def _check_conv2d_im2col(module: ModuleType) -> None:
    _check_col2im(module)
    conv = learner_attribute(module, "Conv2D")
    x, weight, bias = random_arrays(8, (2, 2, 5, 5), (3, 2, 3, 3), (3,))
    for stride, padding in CONV_CASES:
        check_function(
            module,
            FunctionCheck(
                partial(conv, stride, padding),
                partial(F.conv2d, stride=stride, padding=padding),
                {"x": x, "W": weight, "b": bias},
                f"x (2, 2, 5, 5), W (3, 2, 3, 3), b (3,), stride {stride}, padding {padding}",
                shape_error_cause=CONV_SHAPE_CAUSE,
            ),
        )


# ---- optimisers ---------------------------------------------------------------------------

SGD_LR, SGD_MOMENTUM = 0.05, 0.9
ADAM_LR, ADAM_BETAS, ADAM_EPS = 0.01, (0.9, 0.999), 1e-10  # a tiny eps keeps the step ratios exact


def _check_sgd_momentum(module: ModuleType) -> None:
    sgd = learner_attribute(module, "SGDMomentum")
    check_optimizer(
        module,
        OptimizerCheck(
            learner=partial(sgd, lr=SGD_LR, momentum=SGD_MOMENTUM),
            reference=partial(tinydl.optim.SGD, lr=SGD_LR, momentum=SGD_MOMENTUM),
            later_steps="b ← μ·b + g with the velocity b kept in state, then θ ← θ − lr·b",
            factors=[
                Factor(
                    1 / (1 - SGD_MOMENTUM),
                    too_large="the gradient was divided by 1 − μ",
                    too_small="the velocity was damped: this rule adds the full g, "
                    "b ← μ·b + g (and b = g on the first step), not (1 − μ)·g",
                ),
                Factor(
                    1 / SGD_LR,
                    too_large="the learning rate is missing",
                    too_small="the learning rate was applied twice",
                ),
            ],
        ),
    )


def _check_adam(module: ModuleType) -> None:
    adam = learner_attribute(module, "Adam")
    beta1, beta2 = ADAM_BETAS
    check_optimizer(
        module,
        OptimizerCheck(
            learner=partial(adam, lr=ADAM_LR, betas=ADAM_BETAS, eps=ADAM_EPS),
            reference=partial(tinydl.optim.Adam, lr=ADAM_LR, betas=ADAM_BETAS, eps=ADAM_EPS),
            later_steps="m ← β₁·m + (1 − β₁)·g and v ← β₂·v + (1 − β₂)·g², both kept in state, "
            "and the step count t kept in state and increased by 1 every step (it enters the bias "
            "correction 1 − βᵗ)",
            factors=[
                Factor(
                    (1 - beta1) / (1 - beta2) ** 0.5,
                    too_large="the bias correction is missing: at step 1, m = (1 − β₁)·g and "
                    "v = (1 − β₂)·g²; divide m by 1 − β₁ᵗ and v by 1 − β₂ᵗ",
                    too_small="the bias correction is applied the wrong way round",
                ),
                Factor(
                    1 / (1 - beta1),
                    too_large="m was divided by 1 − β₁ᵗ twice",
                    too_small="m's bias correction is missing: divide m by 1 − β₁ᵗ",
                ),
                Factor(
                    1 / (1 - beta2) ** 0.5,
                    too_large="v's bias correction is missing: divide v by 1 − β₂ᵗ",
                    too_small="v was divided by 1 − β₂ᵗ twice",
                ),
            ],
        ),
    )


EXERCISES: dict[str, Exercise] = {
    exercise.name: exercise
    for exercise in (
        Exercise(
            "sigmoid",
            "forward and backward of the sigmoid, σ(x) = 1/(1 + e⁻ˣ)",
            (
                "σ acts on each element alone, so dL/dx[i] = g[i] · dy[i]/dx[i]: one scalar "
                "derivative, times grad_output. Differentiate (1 + e⁻ˣ)⁻¹ with the chain rule, "
                "then look for y itself in the result",
                "dy/dx = e⁻ˣ / (1 + e⁻ˣ)². Split it as 1/(1 + e⁻ˣ) times e⁻ˣ/(1 + e⁻ˣ): the "
                "first factor is y; what is the second, written with y?",
                "dy/dx = y·(1 − y), so dL/dx = g · y·(1 − y); in code: "
                "grad_output * self.y * (1 - self.y)",
            ),
            ("y·(1 − y)", "self.y * (1 - self.y)"),
            _check_sigmoid,
        ),
        Exercise(
            "tanh",
            "backward of tanh",
            (
                "tanh acts on each element alone: dL/dx = g · dy/dx, element by element. Write "
                "tanh x = (eˣ − e⁻ˣ)/(eˣ + e⁻ˣ), use the quotient rule, and look for y in "
                "the result",
                "dy/dx = ((eˣ + e⁻ˣ)² − (eˣ − e⁻ˣ)²) / (eˣ + e⁻ˣ)²: split the fraction in two; "
                "the second part is y²",
                "dy/dx = 1 − y², so dL/dx = g · (1 − y²); in code: "
                "grad_output * (1 - self.y * self.y)",
            ),
            ("1 − y²", "1 - self.y * self.y"),
            _check_tanh,
        ),
        Exercise(
            "broadcast_add",
            "y = a + b with broadcasting: sum the gradient back",
            (
                "b (3,) is used by all 4 rows of y (4, 3). A value used in several places "
                "moves the loss through each of them: how do those contributions combine? "
                "And a gradient has the shape of what it is the gradient of",
                "∂y[i, j]/∂a[i, j] = 1 and ∂y[i, j]/∂b[j] = 1 for every row i: b[j] reaches "
                "the loss through y[0, j], ..., y[3, j]",
                "dL/db[j] = Σᵢ g[i, j]: each operand's gradient is g summed over the leading "
                "axes it lacks and, with keepdims=True, over the axes where it has size 1, "
                "then reshaped to its shape; in code: grad.sum(axis=..., keepdims=True) "
                "(tinydl's own is sum_to_shape in tinydl/autograd/function.py)",
            ),
            ("Σᵢ g[i, j]", "sum_to_shape"),
            _check_broadcast_add,
        ),
        Exercise(
            "matmul",
            "backward of a matrix product",
            (
                "which elements of Y does A[n, k] touch? Follow it through "
                "Y[n, m] = Σₖ A[n, k] · B[k, m] for every m; then do the same for B[k, m]. "
                "A gradient has the shape of what it is the gradient of",
                "∂Y[n, m]/∂A[n, k] = B[k, m], so dL/dA[n, k] = Σₘ G[n, m] · B[k, m]; "
                "likewise dL/dB[k, m] = Σₙ A[n, k] · G[n, m]",
                "dL/dA = G @ Bᵀ, (N, M)(M, K) -> (N, K), and dL/dB = Aᵀ @ G, "
                "(K, N)(N, M) -> (K, M); in code: grad_output @ self.b.T and "
                "self.a.T @ grad_output",
            ),
            ("G @ Bᵀ", "Aᵀ @ G", "Σₘ G[n, m] · B[k, m]"),
            _check_matmul,
        ),
        Exercise(
            "sum_mean",
            "backward of sum and mean over an axis",
            (
                "each x element adds into exactly one output element: which one, and with "
                "what weight, for the sum and for the mean?",
                "for x (3, 4), axis=1: ∂y[i]/∂x[i, j] = 1 for the sum and 1/n for the mean "
                "(n = 4), so dL/dx[i, j] = g[i] (or g[i]/n) for every j",
                "put the reduced axis back with size 1, then broadcast: dL/dx = "
                "xp.broadcast_to(xp.expand_dims(g, axis), x_shape), without expand_dims when "
                "keepdims=True or axis=None; divide by n for the mean",
            ),
            ("broadcast_to(", "expand_dims("),
            _check_sum_mean,
        ),
        Exercise(
            "mse",
            "forward and backward of the mean squared error loss",
            (
                "each term (xᵢ − tᵢ)² depends on one xᵢ and one tᵢ only; then comes the 1/n. "
                "And backward receives g, the gradient of the final loss with respect to L: "
                "multiply by it",
                "∂L/∂xᵢ = (2/n)·(xᵢ − tᵢ) and ∂L/∂tᵢ = −(2/n)·(xᵢ − tᵢ)",
                "dL/dx = (2/n) · (x − t) · g and dL/dt = −dL/dx; in code: grad_x = "
                "(2 / self.diff.size) * self.diff * grad_output, then return grad_x, -grad_x",
            ),
            ("(2/n)·(xᵢ − tᵢ)", "(2 / self.diff.size) * self.diff"),
            _check_mse,
        ),
        Exercise(
            "softmax_cross_entropy",
            "backward of softmax cross-entropy",
            (
                "work on one sample first: −log p_y = −x_y + log Σₖ eˣᵏ. Differentiate it with "
                "respect to x_c, once for c = y and once for c ≠ y; then the mean over the N "
                "samples, then g",
                "∂(−log p_{n,yₙ})/∂x_nc = p_nc − [c = yₙ], where [c = yₙ] is 1 at the label "
                "and 0 elsewhere",
                "dL/dx = (p − onehot(y)) · g / N; in code: copy self.probs, subtract 1 at "
                "[xp.arange(N), self.labels], multiply by grad_output / N",
            ),
            ("p_nc − [c = yₙ]", "p − onehot(y)"),
            _check_softmax_cross_entropy,
        ),
        Exercise(
            "hinge",
            "backward of the multiclass hinge (SVM) loss",
            (
                "a violating term s_nj − s_nyₙ + margin > 0 is linear in two scores, s_nj and "
                "s_nyₙ; a term that does not violate adds nothing. How many times does s_nyₙ "
                "appear in Lₙ?",
                "dLₙ/ds_nj = 1 if j violates, else 0 (for j ≠ yₙ); dLₙ/ds_nyₙ = −(the number "
                "of violating classes in row n); the mean multiplies all by 1/N",
                "dL/ds = (violating as 0.0/1.0, with −(its row's count of violators) at each "
                "label) · g / N; in code: grad = self.violating.astype(grad_output.dtype), "
                "grad[xp.arange(n), self.labels] = -grad.sum(axis=1), then grad * "
                "(grad_output / n)",
            ),
            ("dLₙ/ds_nyₙ = −(", "-grad.sum(axis=1)"),
            _check_hinge,
        ),
        Exercise(
            "dropout",
            "forward and backward of inverted dropout",
            (
                "once drawn, the mask is a constant: each yᵢ is xᵢ times a fixed number. What "
                "is the derivative of c·x?",
                "∂yᵢ/∂xᵢ = mᵢ/(1 − p): 0 for a dropped unit, 1/(1 − p) for a kept one",
                "dL/dx = g · m / (1 − p); in code: keep the scaled mask from forward "
                "(self.scaled_mask = keep.astype(x.dtype) / (1 - self.p)) and return "
                "grad_output * self.scaled_mask",
            ),
            ("g · m / (1 − p)", "grad_output * self.scaled_mask"),
            _check_dropout,
        ),
        Exercise(
            "batch_norm",
            "backward of batch normalisation (training mode)",
            (
                "β and γ are the easy ones: each is used once per sample. x̂ₙ depends on xₙ "
                "directly, and also through μ and σ̂, which every sample of the column moves: "
                "three paths. Compute dμ/dxₙ and dσ̂/dxₙ first",
                "per column: dμ/dxₙ = 1/N, dσ̂/dxₙ = x̂ₙ/N, so ∂x̂ₘ/∂xₙ = ([m = n] − 1/N − "
                "x̂ₘ·x̂ₙ/N)/σ̂; and ∂L/∂x̂ = γ·g",
                "dβ = Σₙ g, dγ = Σₙ g·x̂, dx = γ/σ̂ · (g − mean(g) − x̂·mean(g·x̂)), sums and "
                "means over axis 0; in code with n = len(g): grad_x = self.gamma * "
                "self.inv_std * (g - grad_beta / n - self.x_hat * (grad_gamma / n))",
            ),
            ("g − mean(g) − x̂·mean(g·x̂)", "[m = n] − 1/N − x̂ₘ·x̂ₙ/N"),
            _check_batch_norm,
        ),
        Exercise(
            "max_pool",
            "backward of 2-D max-pooling",
            (
                "nudge a pixel that is not the maximum of its window: does the output change? "
                "And the winner? With S < K a pixel can be in several windows",
                "∂y[n, c, a, b]/∂x[n, c, S·a + i, S·b + j] = 1 for the winning (i, j) of that "
                "window and 0 for the others; a pixel that wins several windows receives the "
                "sum of their gradients",
                "start from zeros of x's shape; for each window position k = i·K + j, add "
                "(+=) (self.argmax == k) * grad_output into the strided view "
                "[:, :, i : i + S·OH : S, j : j + S·OW : S]",
            ),
            ("(self.argmax == k) * grad_output",),
            _check_max_pool,
        ),
        Exercise(
            "conv2d_im2col",
            "col2im and the backward of a convolution via im2col",
            (
                "in forward the layer is one matrix product, W as (O, C·K·K) @ cols + b: you "
                "have done matmul's backward. Then col2im undoes im2col's copying: where did "
                "each value of cols come from, and how often?",
                "with G = dL/dY as (O, N·OH·OW): dL/dW[o, r] = Σ_q G[o, q]·cols[r, q], "
                "dL/dcols[r, q] = Σₒ W[o, r]·G[o, q], dL/db[o] = Σ_q G[o, q]; col2im adds "
                "each cols value back onto the padded pixel it was copied from",
                "dL/db = G.sum(axis=1), dL/dW = (G @ colsᵀ).reshape(W's shape), "
                "dL/dx = col2im(Wᵀ @ G); in code: g @ self.cols.T and w.T @ g. col2im: "
                "mirror im2col's loop on zeros (N, C, H + 2P, W + 2P) with +=, then return "
                "padded[:, :, P:P + H, P:P + W]",
            ),
            ("G @ colsᵀ", "Wᵀ @ G", "Σₒ W[o, r]·G[o, q]"),
            _check_conv2d_im2col,
        ),
        Exercise(
            "sgd_momentum",
            "one step of SGD with momentum",
            (
                "compare b_t with b_{t−1} term by term: every old gradient's weight is "
                "multiplied by the same number, and one new term appears",
                "b_t = g_t + μ·(g_{t−1} + μ·g_{t−2} + ...), and the bracket is b_{t−1}",
                "b ← μ·b + g (b = g on the first step), then θ ← θ − lr·b, in place; in "
                "code: velocity *= self.momentum, velocity += grad, param -= self.lr * velocity",
            ),
            ("μ·b + g", "velocity *= self.momentum"),
            _check_sgd_momentum,
        ),
        Exercise(
            "adam",
            "one step of Adam",
            (
                "unroll m for a gradient g that never changes: m₁ = (1 − β₁)·g, m₂ = "
                "β₁·(1 − β₁)·g + (1 − β₁)·g, ... What is m_t? Dividing by that factor gives "
                "m̂ = g",
                "m_t = (1 − β₁)·(1 + β₁ + ... + β₁ᵗ⁻¹)·g = (1 − β₁ᵗ)·g, and likewise "
                "v_t = (1 − β₂ᵗ)·g²",
                "m̂ = m / (1 − β₁ᵗ) and v̂ = v / (1 − β₂ᵗ); in code: keep m, v and the step t "
                "in state, m_hat = m / (1 - beta1**t), v_hat = v / (1 - beta2**t), "
                "param -= self.lr * m_hat / (xp.sqrt(v_hat) + self.eps)",
            ),
            ("m / (1 − β₁ᵗ)", "1 - beta1**t", "(1 − β₁ᵗ)·g"),
            _check_adam,
        ),
        Exercise(
            "layer_norm",
            "backward of layer normalisation (each row over its features)",
            (
                "this is batch norm turned sideways: the statistics are per row, over the "
                "last axis, and every element of a row moves its row's μ and σ̂. But γ now "
                "varies along that axis: what is the gradient reaching x̂?",
                "per row, with ĝ = γ·g = ∂L/∂x̂: ∂x̂ₖ/∂xⱼ = ([k = j] − 1/D − x̂ₖ·x̂ⱼ/D)/σ̂, so "
                "dL/dxⱼ = (1/σ̂)·(ĝⱼ − mean(ĝ) − x̂ⱼ·mean(ĝ·x̂)) with means over the row",
                "dβ = Σₙ g and dγ = Σₙ g·x̂ (sums over the rows, axis 0); dx = (1/σ̂) · "
                "(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)) with ĝ = γ·g and means over axis -1 (keepdims); "
                "in code: g_hat = grad_output * self.gamma, then self.inv_std * (g_hat - "
                "g_hat.mean(axis=-1, keepdims=True) - self.x_hat * (g_hat * "
                "self.x_hat).mean(axis=-1, keepdims=True))",
            ),
            ("ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)", "[k = j] − 1/D − x̂ₖ·x̂ⱼ/D"),
            check_layer_norm,
        ),
        Exercise(
            "lstm_step",
            "backward of one LSTM step (PyTorch's gate order i, f, g, o)",
            (
                "go backwards through the step: h = o·tanh(c), then c = f·c_prev + i·g, then "
                "the four gates, then the one product a = x W_ihᵀ + h_prev W_hhᵀ + b. The new "
                "c reaches the loss twice: directly (hc[1]) and through h",
                "dc = g_c + g_h·o·(1 − tanh²c) (g_h, g_c: the two halves of grad_output); "
                "then di = dc·g, df = dc·c_prev, dg = dc·i, do = g_h·tanh(c); through the "
                "gates' own slopes: σ' = s·(1 − s) for i, f, o and tanh' = 1 − g² for g",
                "da = [di·i(1 − i) | df·f(1 − f) | dg·(1 − g²) | do·o(1 − o)] (N, 4H); "
                "dx = da @ W_ih, dh_prev = da @ W_hh, dc_prev = dc·f, dW_ih = daᵀ @ x, "
                "dW_hh = daᵀ @ h_prev, db = Σₙ da; in code: dc = grad_output[1] + "
                "grad_output[0] * self.o * (1 - self.tanh_c**2), xp.concatenate([...], axis=1)",
            ),
            ("o·(1 − tanh²c)", "daᵀ @ x", "da @ W_ih", "dc·f"),
            check_lstm_step,
        ),
        Exercise(
            "attention",
            "backward of scaled dot-product attention, softmax(Q Kᵀ/√d) V",
            (
                "three steps back: Y = P V is a matrix product (as in matmul); P = softmax(A) "
                "row by row, and every p of a row depends on every score of that row; "
                "A = Q Kᵀ · (1/√d) is a matrix product again, scaled",
                "∂P[t, s]/∂A[t, r] = P[t, s]·([s = r] − P[t, r]), so dA[t, r] = P[t, r]·"
                "(dP[t, r] − Σₛ dP[t, s]·P[t, s])",
                "dV = Pᵀ @ G, dP = G @ Vᵀ, dA = P ⊙ (dP − rowsum(dP ⊙ P)), "
                "dQ = dA @ K / √d, dK = dAᵀ @ Q / √d; in code: grad_p = grad_output @ "
                "self.v.T, grad_a = self.p * (grad_p - (grad_p * self.p).sum(axis=1, "
                "keepdims=True))",
            ),
            ("Pᵀ @ G", "G @ Vᵀ", "dP − rowsum(dP ⊙ P)", "[s = r] − P[t, r]"),
            check_attention,
        ),
    )
}
