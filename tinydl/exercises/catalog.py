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
    """One exercise: its stub is ``stubs/{name}.py``; ``check`` raises a Failure or returns."""

    name: str
    summary: str
    hint: str
    check: Callable[[ModuleType], None]

    @property
    def filename(self) -> str:
        return f"{self.name}.py"


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
            "dσ/dx = y·(1 − y) in terms of the output y saved by forward; multiply it by "
            "grad_output",
            _check_sigmoid,
        ),
        Exercise(
            "tanh",
            "backward of tanh",
            "d tanh/dx = 1 − y² in terms of the saved output y; multiply by grad_output",
            _check_tanh,
        ),
        Exercise(
            "broadcast_add",
            "y = a + b with broadcasting: sum the gradient back",
            "each operand's gradient is grad_output summed over the axes along which that "
            "operand was repeated, ending with exactly the operand's shape",
            _check_broadcast_add,
        ),
        Exercise(
            "matmul",
            "backward of a matrix product",
            "dL/dA = grad_output @ Bᵀ and dL/dB = Aᵀ @ grad_output: let the shapes guide you",
            _check_matmul,
        ),
        Exercise(
            "sum_mean",
            "backward of sum and mean over an axis",
            "copy grad_output back over the reduced axis (expand_dims, then broadcast_to); "
            "for the mean, divide by the number of values averaged",
            _check_sum_mean,
        ),
        Exercise(
            "mse",
            "forward and backward of the mean squared error loss",
            "dL/dx = 2·(x − t)/n · grad_output with n = x.size; dL/dt is its negative",
            _check_mse,
        ),
        Exercise(
            "softmax_cross_entropy",
            "backward of softmax cross-entropy",
            "dL/dlogits = (probs − onehot(labels)) · grad_output / N",
            _check_softmax_cross_entropy,
        ),
        Exercise(
            "hinge",
            "backward of the multiclass hinge (SVM) loss",
            "1 for each violating class, −(number of violators) at the label, all times "
            "grad_output / N",
            _check_hinge,
        ),
        Exercise(
            "dropout",
            "forward and backward of inverted dropout",
            "backward applies forward's mask and 1/(1 − p) scale to grad_output",
            _check_dropout,
        ),
        Exercise(
            "batch_norm",
            "backward of batch normalisation (training mode)",
            "dβ = Σg, dγ = Σg·x̂, dx = γ/σ̂ · (g − mean(g) − x̂·mean(g·x̂)), over axis 0",
            _check_batch_norm,
        ),
        Exercise(
            "max_pool",
            "backward of 2-D max-pooling",
            "send each window's gradient to its winning pixel (self.argmax), adding (+=) "
            "where windows overlap",
            _check_max_pool,
        ),
        Exercise(
            "conv2d_im2col",
            "col2im and the backward of a convolution via im2col",
            "col2im mirrors im2col's loop with += on a padded zero array, then cuts the padding "
            "off; backward: db = ΣG, dW = G @ colsᵀ, dx = col2im(Wᵀ @ G)",
            _check_conv2d_im2col,
        ),
        Exercise(
            "sgd_momentum",
            "one step of SGD with momentum",
            "keep the velocity in state (b = g at first, then b ← μ·b + g) and update param "
            "in place: param -= lr * b",
            _check_sgd_momentum,
        ),
        Exercise(
            "adam",
            "one step of Adam",
            "keep m, v and t in state; update m and v, bias-correct both, then "
            "param -= lr · m̂ / (√v̂ + ε) in place",
            _check_adam,
        ),
    )
}
