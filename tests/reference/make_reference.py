"""Write the reference fixtures ``tests/reference/*.npz`` with PyTorch (CPU, float64).

Run once, by hand, where torch is installed::

    .venv/bin/python tests/reference/make_reference.py

CI never runs this script and never needs torch: ``tests/test_reference.py`` only reads the
fixtures. Inputs come from NumPy generators seeded by each case's name, PyTorch runs on one
thread, and the zip entries carry a fixed timestamp, so running it again gives the same bytes
(with the same torch version) and git sees no change.

Each fixture maps ``"<case>.<field>"`` to a small array; every file also holds
``torch_version``. Settings are stored next to the values they produced (``stride``,
``reduction``, an optimiser's ``config`` as JSON), so each case describes itself.
"""

from __future__ import annotations

import io
import json
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F  # noqa: N812  (PyTorch's usual spelling)

HERE = Path(__file__).resolve().parent
DTYPE = torch.float64
Fields = dict[str, np.ndarray]


# ---- helpers --------------------------------------------------------------------------------
def rng_for(case: str) -> np.random.Generator:
    """A generator seeded by the case's name: adding a case never changes the others."""
    return np.random.default_rng(zlib.crc32(case.encode()))


def leaf(values: np.ndarray) -> torch.Tensor:
    return torch.tensor(values, dtype=DTYPE, requires_grad=True)


def host(t: torch.Tensor) -> np.ndarray:
    return t.detach().numpy().copy()


def shuffled_linspace(rng: np.random.Generator, shape: tuple[int, ...], low: float, high: float):
    """Distinct values in random places: no ties, so every window has one clear maximum."""
    return rng.permutation(np.linspace(low, high, int(np.prod(shape)))).reshape(shape)


def backward_with(y: torch.Tensor, rng: np.random.Generator) -> np.ndarray:
    """Back-propagate a random upstream gradient of ``y``'s shape; return that gradient."""
    gy = rng.standard_normal(y.shape)
    y.backward(torch.tensor(gy, dtype=DTYPE))
    return gy


def write_npz(name: str, cases: dict[str, Fields]) -> int:
    """Save ``cases`` flattened to ``<case>.<field>`` keys, plus ``torch_version``, into
    ``HERE/name.npz`` (deflated, fixed timestamps); return the file's size in bytes."""
    arrays = {"torch_version": np.array(torch.__version__)}
    for case, fields in cases.items():
        arrays.update({f"{case}.{field}": np.asarray(value) for field, value in fields.items()})
    path = HERE / f"{name}.npz"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for key in sorted(arrays):
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, arrays[key], allow_pickle=False)
            info = zipfile.ZipInfo(f"{key}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, buffer.getvalue())
    return path.stat().st_size


# ---- conv2d ---------------------------------------------------------------------------------
# name: (N, C, H, W), (O, KH, KW), stride, padding, with bias
CONV_CASES = {
    "k3_s1_p0_bias": ((2, 3, 5, 6), (4, 3, 3), (1, 1), (0, 0), True),
    "k3_s2_p1_bias": ((2, 2, 7, 6), (3, 3, 3), (2, 2), (1, 1), True),
    "k3_s1_p2_nobias": ((2, 2, 4, 5), (3, 3, 3), (1, 1), (2, 2), False),
    "k2x3_s2x1_p0x1_bias": ((2, 3, 5, 5), (2, 2, 3), (2, 1), (0, 1), True),
    "k2x3_s1_p1_nobias": ((2, 2, 4, 6), (3, 2, 3), (1, 1), (1, 1), False),
    "batch1_k3_s2_p0_bias": ((1, 2, 6, 7), (2, 3, 3), (2, 2), (0, 0), True),
    "k1_s1_p0_bias": ((2, 3, 3, 4), (2, 1, 1), (1, 1), (0, 0), True),
}


def conv2d_cases() -> dict[str, Fields]:
    cases = {}
    for case, (x_shape, (out, kh, kw), stride, padding, with_bias) in CONV_CASES.items():
        rng = rng_for(f"conv2d.{case}")
        x = leaf(rng.standard_normal(x_shape))
        weight = leaf(rng.standard_normal((out, x_shape[1], kh, kw)))
        bias = leaf(rng.standard_normal(out)) if with_bias else None
        y = F.conv2d(x, weight, bias, stride=stride, padding=padding)
        gy = backward_with(y, rng)
        settings = {"stride": np.array(stride), "padding": np.array(padding)}
        cases[case] = convolution_fields(settings, x, weight, bias, y, gy)
    return cases


def convolution_fields(
    settings: Fields,
    x: torch.Tensor,
    weight: torch.Tensor,
    bias: torch.Tensor | None,
    y: torch.Tensor,
    gy: np.ndarray,
) -> Fields:
    """A convolution case's settings, inputs, output and gradients (after ``backward``)."""
    fields = {
        **settings,
        "x": host(x),
        "weight": host(weight),
        "y": host(y),
        "gy": gy,
        "gx": host(x.grad),
        "gweight": host(weight.grad),
    }
    if bias is not None:
        fields.update(bias=host(bias), gbias=host(bias.grad))
    return fields


# ---- max_pool2d -----------------------------------------------------------------------------
# name: x shape, kernel_size, stride (None: the kernel size), padding, value range of x
POOL_CASES = {
    "k2_s2": ((2, 2, 4, 6), (2, 2), None, (0, 0), (-2.0, 2.0)),
    "k2_s2_ragged": ((1, 2, 5, 7), (2, 2), None, (0, 0), (-2.0, 2.0)),
    "k3_s2_p1": ((2, 2, 5, 6), (3, 3), (2, 2), (1, 1), (-2.0, 2.0)),
    "k3_s2_p1_negative": ((1, 2, 5, 5), (3, 3), (2, 2), (1, 1), (-5.0, -1.0)),
    "k2x3": ((2, 2, 4, 7), (2, 3), None, (0, 0), (-2.0, 2.0)),
    "k2_s1": ((1, 3, 4, 4), (2, 2), (1, 1), (0, 0), (-2.0, 2.0)),
}


def max_pool2d_cases() -> dict[str, Fields]:
    cases = {}
    for case, (x_shape, kernel_size, stride, padding, (low, high)) in POOL_CASES.items():
        rng = rng_for(f"max_pool2d.{case}")
        x = leaf(shuffled_linspace(rng, x_shape, low, high))
        y = F.max_pool2d(x, kernel_size, stride=stride, padding=padding)
        gy = backward_with(y, rng)
        fields = {"kernel_size": np.array(kernel_size), "padding": np.array(padding)}
        if stride is not None:
            fields["stride"] = np.array(stride)
        fields.update(x=host(x), y=host(y), gy=gy, gx=host(x.grad))
        cases[case] = fields
    return cases


# ---- losses ---------------------------------------------------------------------------------
def torch_loss(loss: str, x, target, reduction: str, margin: float) -> torch.Tensor:
    """The PyTorch computation that tinydl's ``loss`` must match."""
    if loss.startswith("cross_entropy"):
        return F.cross_entropy(x, target, reduction=reduction)
    if loss == "binary_cross_entropy_with_logits":
        return F.binary_cross_entropy_with_logits(x, target, reduction=reduction)
    if loss == "mse_loss":
        return F.mse_loss(x, target, reduction=reduction)
    if loss == "multiclass_hinge":
        # tinydl's is the cs231n sum over the wrong classes; MultiMarginLoss(p=1) averages
        # over all C classes instead, so tinydl's values and gradients are C times its.
        classes = x.shape[1]
        return classes * F.multi_margin_loss(x, target, p=1, margin=margin, reduction=reduction)
    if loss == "binary_hinge":  # no PyTorch built-in: max(0, margin - t*s)
        losses = torch.clamp(margin - target * x, min=0)
        return {"mean": losses.mean(), "sum": losses.sum(), "none": losses}[reduction]
    raise ValueError(f"unknown loss {loss!r}")


def loss_inputs(loss: str, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(input, target) for one loss: tiny shapes, continuous values (no hinge on its kink)."""
    n, classes = 4, 5
    if loss in ("cross_entropy_labels", "multiclass_hinge"):
        return 2 * rng.standard_normal((n, classes)), rng.permutation(np.arange(n) % classes)
    if loss == "cross_entropy_probs":
        return 2 * rng.standard_normal((n, classes)), rng.dirichlet(np.ones(classes), size=n)
    if loss == "binary_cross_entropy_with_logits":
        return 2 * rng.standard_normal((n, 3)), rng.uniform(0, 1, (n, 3))
    if loss == "mse_loss":
        return rng.standard_normal((n, 3)), rng.standard_normal((n, 3))
    if loss == "binary_hinge":  # scores in ±3: some inside the margin, some outside
        return rng.uniform(-3, 3, (n, 3)), rng.choice([-1.0, 1.0], (n, 3))
    raise ValueError(f"unknown loss {loss!r}")


# name: loss, margin (hinge losses only); each case is run with every reduction
LOSS_CASES = {
    "cross_entropy_labels": ("cross_entropy_labels", None),
    "cross_entropy_probs": ("cross_entropy_probs", None),
    "bce_with_logits": ("binary_cross_entropy_with_logits", None),
    "mse": ("mse_loss", None),
    "multiclass_hinge": ("multiclass_hinge", 1.0),
    "multiclass_hinge_margin0.5": ("multiclass_hinge", 0.5),
    "binary_hinge": ("binary_hinge", 1.0),
    "binary_hinge_margin2": ("binary_hinge", 2.0),
}
REDUCTIONS = ("mean", "sum", "none")
# Targets that tinydl differentiates (probabilities, regression targets): their grads are
# checked too. Labels and ±1 hinge targets get none.
TARGETS_WITH_GRAD = ("cross_entropy_probs", "binary_cross_entropy_with_logits", "mse_loss")


def loss_cases() -> dict[str, Fields]:
    cases = {}
    for name, (loss, margin) in LOSS_CASES.items():
        for reduction in REDUCTIONS:
            case = f"{name}_{reduction}"
            rng = rng_for(f"losses.{case}")
            x_values, t_values = loss_inputs(loss, rng)
            x = leaf(x_values)
            if t_values.dtype.kind == "i":
                target = torch.tensor(t_values, dtype=torch.int64)
            else:
                target = torch.tensor(
                    t_values, dtype=DTYPE, requires_grad=loss in TARGETS_WITH_GRAD
                )
            y = torch_loss(loss, x, target, reduction, margin)
            fields = {"loss": np.array(loss), "reduction": np.array(reduction)}
            if margin is not None:
                fields["margin"] = np.array(margin)
            fields.update(x=host(x), target=t_values, y=host(y), gy=backward_with(y, rng))
            fields["gx"] = host(x.grad)
            if target.requires_grad:
                fields["gtarget"] = host(target.grad)
            cases[case] = fields
    return cases


# ---- batch_norm -----------------------------------------------------------------------------
# name: x shape, training, momentum, with weight and bias, with running statistics
BATCH_NORM_CASES = {
    "train_2d": ((6, 3), True, 0.1, True, True),
    "train_4d": ((3, 2, 3, 2), True, 0.3, True, True),
    "train_4d_no_affine": ((2, 3, 2, 2), True, 0.1, False, True),
    "train_2d_no_running": ((5, 4), True, 0.1, True, False),
    "eval_2d": ((6, 3), False, 0.1, True, True),
    "eval_4d": ((3, 2, 3, 2), False, 0.1, True, True),
}


def batch_norm_cases() -> dict[str, Fields]:
    cases = {}
    for case, (x_shape, training, momentum, affine, running) in BATCH_NORM_CASES.items():
        rng = rng_for(f"batch_norm.{case}")
        channels = x_shape[1]
        x = leaf(1.5 * rng.standard_normal(x_shape) + 0.5)
        weight = leaf(rng.uniform(0.5, 1.5, channels)) if affine else None
        bias = leaf(rng.standard_normal(channels)) if affine else None
        fields = {"training": np.array(training), "momentum": np.array(momentum), "x": host(x)}
        running_mean = running_var = None
        if running:
            running_mean = torch.tensor(rng.standard_normal(channels), dtype=DTYPE)
            running_var = torch.tensor(rng.uniform(0.5, 2.0, channels), dtype=DTYPE)
            fields.update(running_mean=host(running_mean), running_var=host(running_var))
        y = F.batch_norm(x, running_mean, running_var, weight, bias, training, momentum, 1e-5)
        fields.update(y=host(y), gy=backward_with(y, rng), gx=host(x.grad))
        if affine:
            fields.update(
                weight=host(weight),
                bias=host(bias),
                gweight=host(weight.grad),
                gbias=host(bias.grad),
            )
        if running:
            fields.update(
                running_mean_after=host(running_mean), running_var_after=host(running_var)
            )
        cases[case] = fields
    return cases


# ---- softmax / log_softmax ------------------------------------------------------------------
def activation_cases() -> dict[str, Fields]:
    cases = {}
    for function in ("softmax", "log_softmax"):
        for axis in (-1, 0):
            case = f"{function}_axis{axis}"
            rng = rng_for(f"activations.{case}")
            x = leaf(2 * rng.standard_normal((3, 5)))
            y = getattr(F, function)(x, dim=axis)
            gy = backward_with(y, rng)
            cases[case] = {
                "function": np.array(function),
                "axis": np.array(axis),
                "x": host(x),
                "y": host(y),
                "gy": gy,
                "gx": host(x.grad),
            }
    return cases


# ---- optimisers -----------------------------------------------------------------------------
STEPS = 5
PARAMETER_SHAPES = ((3, 2), (4,))
# name: tinydl class, its keyword arguments, the same rule in PyTorch
OPTIMIZER_CASES: dict[str, tuple[str, dict, Callable]] = {
    "sgd": ("SGD", {"lr": 0.1}, lambda p: torch.optim.SGD(p, lr=0.1)),
    "sgd_momentum": (
        "SGD",
        {"lr": 0.1, "momentum": 0.9},
        lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9),
    ),
    "sgd_nesterov": (
        "SGD",
        {"lr": 0.1, "momentum": 0.8, "nesterov": True},
        lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.8, nesterov=True),
    ),
    "sgd_weight_decay": (
        "SGD",
        {"lr": 0.1, "weight_decay": 0.05},
        lambda p: torch.optim.SGD(p, lr=0.1, weight_decay=0.05),
    ),
    "sgd_nesterov_weight_decay": (
        "SGD",
        {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 0.1},
        lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.1),
    ),
    "momentum": ("Momentum", {"lr": 0.05}, lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9)),
    "rmsprop": (
        "RMSprop",
        {"lr": 0.01, "alpha": 0.9},
        lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.9),
    ),
    "rmsprop_momentum": (
        "RMSprop",
        {"lr": 0.01, "alpha": 0.95, "momentum": 0.8},
        lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.95, momentum=0.8),
    ),
    "rmsprop_weight_decay": (
        "RMSprop",
        {"lr": 0.01, "weight_decay": 0.1, "eps": 1e-6},
        lambda p: torch.optim.RMSprop(p, lr=0.01, weight_decay=0.1, eps=1e-6),
    ),
    "adagrad": ("AdaGrad", {"lr": 0.1}, lambda p: torch.optim.Adagrad(p, lr=0.1)),
    "adagrad_weight_decay_initial": (
        "AdaGrad",
        {"lr": 0.1, "weight_decay": 0.1, "initial_accumulator_value": 0.1},
        lambda p: torch.optim.Adagrad(p, lr=0.1, weight_decay=0.1, initial_accumulator_value=0.1),
    ),
    "adam": (
        "Adam",
        {"lr": 0.01, "betas": [0.8, 0.99]},
        lambda p: torch.optim.Adam(p, lr=0.01, betas=(0.8, 0.99)),
    ),
    "adam_weight_decay": (
        "Adam",
        {"lr": 0.01, "weight_decay": 0.1, "eps": 1e-6},
        lambda p: torch.optim.Adam(p, lr=0.01, weight_decay=0.1, eps=1e-6),
    ),
    "adamw": (
        "AdamW",
        {"lr": 0.01, "weight_decay": 0.1},
        lambda p: torch.optim.AdamW(p, lr=0.01, weight_decay=0.1),
    ),
}


def optimizer_cases() -> dict[str, Fields]:
    return {
        case: optimizer_fields(case, make, {"optimizer": name, "kwargs": kwargs})
        for case, (name, kwargs, make) in OPTIMIZER_CASES.items()
    }


def optimizer_fields(case: str, make_torch_optimizer: Callable, config: dict) -> Fields:
    """STEPS steps of the optimiser ``make_torch_optimizer(params)`` makes, on two parameters
    fed stored gradients: the inputs, the parameters after every step, and ``config`` (the
    tinydl class and arguments of the same rule, as JSON)."""
    rng = rng_for(f"optim.{case}")
    initial = [rng.standard_normal(shape) for shape in PARAMETER_SHAPES]
    # Gradients of mixed scales (one parameter's are 100x smaller), so eps and the
    # per-element scaling of the adaptive rules both matter.
    grads = [rng.standard_normal((STEPS, *shape)) for shape in PARAMETER_SHAPES]
    grads[1] *= 0.01
    params = [leaf(values) for values in initial]
    optimizer = make_torch_optimizer(params)
    after: list[list[np.ndarray]] = [[] for _ in params]
    for step in range(STEPS):
        for param, grad in zip(params, grads, strict=True):
            param.grad = torch.tensor(grad[step], dtype=DTYPE)
        optimizer.step()
        for param, history in zip(params, after, strict=True):
            history.append(host(param))
    fields = {"config": np.array(json.dumps(config))}
    for i in range(len(params)):
        fields.update(
            {
                f"param{i}_initial": initial[i],
                f"param{i}_grads": grads[i],
                f"param{i}_after": np.stack(after[i]),
            }
        )
    return fields


FIXTURES: dict[str, Callable[[], dict[str, Fields]]] = {
    "conv2d": conv2d_cases,
    "max_pool2d": max_pool2d_cases,
    "losses": loss_cases,
    "batch_norm": batch_norm_cases,
    "activations": activation_cases,
    "optim": optimizer_cases,
}


def main() -> None:
    torch.set_num_threads(1)  # one summation order, so the bytes do not depend on the machine
    total = 0
    for name, make_cases in FIXTURES.items():
        cases = make_cases()
        size = write_npz(name, cases)
        total += size
        print(f"{name}.npz: {len(cases)} cases, {size / 1024:.1f} KiB")
    print(f"total {total / 1024:.1f} KiB, torch {torch.__version__}")


if __name__ == "__main__":
    main()
