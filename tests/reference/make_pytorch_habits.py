"""Write ``tests/reference/pytorch_habits.npz`` with PyTorch (CPU, float64): the numbers behind
the PyTorch habits tinydl follows (issue 11).

Run once, by hand, where torch is installed::

    .venv/bin/python tests/reference/make_pytorch_habits.py

Same conventions as ``make_reference.py`` (whose helpers it imports): inputs from generators
seeded by each case's name, one thread, fixed zip timestamps, keys ``<case>.<field>``, each
case's settings stored beside its values. ``tests/test_pytorch_habits.py`` reads the file.

- ``loss.*``: ``F.cross_entropy`` (reduction, ``label_smoothing``, ``ignore_index``, label and
  probability targets) and ``F.nll_loss``: value and gradients for a stored upstream ``gy``.
- ``optim.*``: five steps of ``Adadelta`` and of optimisers with parameter groups.
- ``sched.*``: the lr (and momentum) of every parameter group at each step of ``OneCycleLR``,
  ``LambdaLR`` and ``ReduceLROnPlateau``.
"""

from __future__ import annotations

import json
import math

import numpy as np
import torch
import torch.nn.functional as F  # noqa: N812  (PyTorch's usual spelling)
from make_reference import DTYPE, Fields, host, leaf, optimizer_fields, rng_for, write_npz

# ---- losses --------------------------------------------------------------------------------
N, C = 6, 4
# name: (function, reduction, label_smoothing, ignore_index, labels or "probabilities")
LOSS_CASES: dict[str, tuple[str, str, float, int, object]] = {
    **{
        f"ce_ignore_{r}": ("cross_entropy", r, 0.0, -100, [1, -100, 3, 0, -100, 2])
        for r in ("mean", "sum", "none")
    },
    **{
        f"ce_smooth_ignore_{r}": ("cross_entropy", r, 0.15, -100, [1, -100, 3, 0, 2, 2])
        for r in ("mean", "sum", "none")
    },
    "ce_smooth_mean": ("cross_entropy", "mean", 0.3, -100, [1, 0, 3, 0, 2, 2]),
    "ce_ignore_class_1": ("cross_entropy", "mean", 0.0, 1, [1, 1, 3, 0, 2, 1]),
    "ce_all_ignored": ("cross_entropy", "mean", 0.1, -100, [-100] * N),
    **{
        f"ce_probabilities_smooth_{r}": ("cross_entropy", r, 0.2, -100, "probabilities")
        for r in ("mean", "none")
    },
    **{
        f"nll_ignore_{r}": ("nll_loss", r, 0.0, -100, [2, -100, 3, 0, 1, -100])
        for r in ("mean", "sum", "none")
    },
    "nll_ignore_class_0": ("nll_loss", "mean", 0.0, 0, [2, 0, 3, 0, 1, 1]),
    "nll_plain_mean": ("nll_loss", "mean", 0.0, -100, [2, 1, 3, 0, 1, 3]),
}


def loss_cases() -> dict[str, Fields]:
    cases = {}
    for case, (function, reduction, smoothing, ignore_index, labels) in LOSS_CASES.items():
        rng = rng_for(f"loss.{case}")
        x = leaf(rng.standard_normal((N, C)) * 2)
        if function == "nll_loss":  # real log-probabilities, as log_softmax gives
            x = leaf(host(F.log_softmax(x, dim=1)))
        if labels == "probabilities":
            target = leaf(rng.dirichlet(np.ones(C), N))
        else:
            target = torch.tensor(labels)
        if function == "nll_loss":
            y = F.nll_loss(x, target, reduction=reduction, ignore_index=ignore_index)
        else:
            y = F.cross_entropy(
                x, target, reduction=reduction, label_smoothing=smoothing,
                ignore_index=ignore_index,
            )
        gy = rng.standard_normal(y.shape)
        y.backward(torch.tensor(gy, dtype=DTYPE))
        fields = {
            "function": np.array(function), "reduction": np.array(reduction),
            "label_smoothing": np.array(smoothing), "ignore_index": np.array(ignore_index),
            "x": host(x), "target": host(target), "gy": gy, "value": host(y), "gx": host(x.grad),
        }
        if target.requires_grad:
            fields["gtarget"] = host(target.grad)
        cases[case] = fields
    return cases


# ---- optimisers ----------------------------------------------------------------------------
# name: (tinydl optimiser, keyword arguments, parameter groups as {"params": [indices], ...}
# or None for a plain list, PyTorch's class)
OPTIMIZER_CASES: dict[str, tuple[str, dict, list | None, type]] = {
    "adadelta": ("Adadelta", {}, None, torch.optim.Adadelta),
    "adadelta_settings": (
        "Adadelta", {"lr": 0.5, "rho": 0.95, "eps": 1e-5, "weight_decay": 0.1}, None,
        torch.optim.Adadelta,
    ),
    "sgd_groups": (
        "SGD", {"lr": 0.05},
        [{"params": [0], "lr": 0.1, "momentum": 0.9}, {"params": [1], "weight_decay": 0.1}],
        torch.optim.SGD,
    ),
    "adamw_groups": (
        "AdamW", {"lr": 0.01, "weight_decay": 0.1},
        [{"params": [0]}, {"params": [1], "weight_decay": 0.0, "lr": 0.02}],
        torch.optim.AdamW,
    ),
    "adadelta_groups": (
        "Adadelta", {"lr": 1.0},
        [{"params": [1], "rho": 0.5}, {"params": [0], "lr": 0.3}],
        torch.optim.Adadelta,
    ),
}


def torch_groups(params: list[torch.Tensor], groups: list | None) -> list:
    if groups is None:
        return params
    return [{**g, "params": [params[i] for i in g["params"]]} for g in groups]


def optimizer_cases() -> dict[str, Fields]:
    return {
        case: optimizer_fields(
            case,
            lambda p, groups=groups, cls=torch_class, kwargs=kwargs: cls(
                torch_groups(p, groups), **kwargs
            ),
            {"optimizer": name, "kwargs": kwargs, "groups": groups},
        )
        for case, (name, kwargs, groups, torch_class) in OPTIMIZER_CASES.items()
    }


# ---- learning-rate schedules ---------------------------------------------------------------
GROUP_LRS = [0.1, 0.02]  # two parameter groups, each with its own starting lr
# name: (scheduler, its keyword arguments, optimiser, its keyword arguments, steps)
SCHEDULER_CASES: dict[str, tuple[str, dict, str, dict, int]] = {
    "onecycle_cos_sgd": (
        "OneCycleLR", {"max_lr": [1.0, 0.5], "total_steps": 12}, "SGD",
        {"lr": 1.0, "momentum": 0.9}, 12,
    ),
    "onecycle_linear_three_phase_adam": (
        "OneCycleLR",
        {"max_lr": 0.3, "epochs": 3, "steps_per_epoch": 5, "anneal_strategy": "linear",
         "three_phase": True, "base_momentum": 0.8, "max_momentum": 0.9},
        "Adam", {}, 15,
    ),
    "onecycle_no_momentum": (
        "OneCycleLR",
        {"max_lr": 2.0, "total_steps": 9, "pct_start": 0.25, "div_factor": 10.0,
         "final_div_factor": 100.0, "cycle_momentum": False},
        "Adadelta", {}, 9,
    ),
    # tinydl's SGD has no default lr: the groups' own lrs override this one
    "lambda_two_functions": ("LambdaLR", {}, "SGD", {"lr": 1.0}, 10),
    "plateau_min_rel": (
        "ReduceLROnPlateau",
        {"factor": 0.5, "patience": 2, "cooldown": 1, "min_lr": [0.01, 0.004]},
        "SGD", {"lr": 1.0}, 16,
    ),
    "plateau_max_abs": (
        "ReduceLROnPlateau",
        {"mode": "max", "factor": 0.3, "patience": 1, "threshold": 0.05,
         "threshold_mode": "abs"},
        "Adam", {}, 12,
    ),
}
OPTIMIZERS = {"SGD": torch.optim.SGD, "Adam": torch.optim.Adam, "Adadelta": torch.optim.Adadelta}


def lambda_factors(steps: int) -> np.ndarray:
    """Per group, the factor of each step: a linear warm-up then a cosine, and a decay."""
    warm = 3
    first = [min(1.0, (s + 1) / warm) * 0.5 * (1 + math.cos(math.pi * s / steps))
             for s in range(steps + 1)]
    second = [0.8**s for s in range(steps + 1)]
    return np.array([first, second])


def scheduler_cases() -> dict[str, Fields]:
    cases = {}
    for case, (name, kwargs, optimizer_name, optimizer_kwargs, steps) in SCHEDULER_CASES.items():
        rng = rng_for(f"sched.{case}")
        groups = [{"params": [leaf(np.zeros(2))], "lr": lr} for lr in GROUP_LRS]
        optimizer = OPTIMIZERS[optimizer_name](groups, **optimizer_kwargs)
        fields: Fields = {}
        if name == "LambdaLR":
            table = lambda_factors(steps)
            fields["factors"] = table
            scheduler = torch.optim.lr_scheduler.LambdaLR(
                optimizer, [lambda s, row=row: float(row[s]) for row in table]
            )
        else:
            scheduler = getattr(torch.optim.lr_scheduler, name)(optimizer, **kwargs)
        metrics = None
        if name == "ReduceLROnPlateau":  # a metric that improves, stalls, improves a little
            metrics = np.round(1 + 0.1 * np.cumsum(rng.choice([-1.0, 0.0, 0.2], steps)), 6)
            fields["metrics"] = metrics
        lrs, momenta = [], []
        for step in range(steps):
            lrs.append([g["lr"] for g in optimizer.param_groups])
            momenta.append([g.get("momentum", g.get("betas", (0.0,))[0])
                            for g in optimizer.param_groups])
            optimizer.step()
            if metrics is not None:
                scheduler.step(metrics[step])
            else:
                scheduler.step()
        if metrics is not None:  # the lr after each evaluation is what the scheduler decides
            lrs = lrs[1:] + [[g["lr"] for g in optimizer.param_groups]]
        config = {"scheduler": name, "kwargs": kwargs, "optimizer": optimizer_name,
                  "optimizer_kwargs": optimizer_kwargs, "group_lrs": GROUP_LRS}
        fields.update({"config": np.array(json.dumps(config)), "lrs": np.array(lrs),
                       "momenta": np.array(momenta)})
        cases[case] = fields
    return cases


def main() -> None:
    torch.set_num_threads(1)
    cases = {}
    for prefix, make_cases in (("loss", loss_cases), ("optim", optimizer_cases),
                               ("sched", scheduler_cases)):
        cases.update({f"{prefix}.{case}": fields for case, fields in make_cases().items()})
    size = write_npz("pytorch_habits", cases)
    print(f"pytorch_habits.npz: {len(cases)} cases, {size / 1024:.1f} KiB, "
          f"torch {torch.__version__}")


if __name__ == "__main__":
    main()
