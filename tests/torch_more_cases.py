"""More of PyTorch's surface that public learner programs call (issue 21, the corpus's last
gaps), in the format of ``tensor_surface_cases.py``: each case is one function of the
library module (``torch`` or ``tinydl``) and some float64 inputs, written once, run by
``tests/reference/make_torch_more.py`` on PyTorch and by ``tests/test_torch_more.py`` on
tinydl.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np


def F(lib: Any) -> Any:  # noqa: N802  (PyTorch's usual spelling)
    return lib.nn.functional


CASES: dict[str, tuple[Callable[..., Any], tuple[tuple[int, ...], ...], str]] = {
    # ---- element-wise ------------------------------------------------------------------------
    "log1p": (lambda lib, x: (lib.log1p(x), (x * 1e-9).log1p()), ((3, 4),), "positive"),
    "expm1": (lambda lib, x: (lib.expm1(x), (x * 1e-9).expm1()), ((3, 4),), "normal"),
    # ---- the regression losses, each reduction ---------------------------------------------
    **{
        f"{name}_{reduction}{suffix}": (
            lambda lib, x, y, name=name, reduction=reduction, options=options:
                getattr(F(lib), name)(x, y, reduction=reduction, **options),
            ((4, 3), (4, 3)), "normal",
        )
        for name, suffix, options in (
            ("l1_loss", "", {}),
            ("smooth_l1_loss", "", {}),
            ("smooth_l1_loss", "_beta_half", {"beta": 0.5}),
            ("smooth_l1_loss", "_beta_0", {"beta": 0.0}),
            ("huber_loss", "", {}),
            ("huber_loss", "_delta_2", {"delta": 2.0}),
        )
        for reduction in ("mean", "sum", "none")
    },
    "loss_modules": (
        lambda lib, x, y: (lib.nn.L1Loss(reduction="sum")(x, y),
                           lib.nn.SmoothL1Loss(beta=0.3)(x, y),
                           lib.nn.HuberLoss("none", 0.7)(x, y)),
        ((5,), (5,)), "normal",
    ),
    # ---- shape, selection and counting -------------------------------------------------------
    "flip": (lambda lib, x: (x.flip(1), lib.flip(x, (0, 2)), x.flip(-1, 0)), ((2, 3, 4),),
             "normal"),
    "where_numbers": (
        lambda lib, x: (lib.where(x > 0, 1, 0), lib.where(x > 0, 1.5, 0), lib.where(x > 0, x, 0.0)),
        ((3, 4),), "normal",
    ),
    "where_condition_alone": (lambda lib, x: lib.where(x > 0.5), ((3, 4),), "normal"),
    "nonzero": (lambda lib, x: ((x > 0).nonzero(), *lib.nonzero(x > 0, as_tuple=True)),
                ((3, 4),), "normal"),
    "bincount": (
        lambda lib, x: ((x.abs() * 3).long().flatten().bincount(),
                        lib.bincount((x.abs() * 3).long().flatten(), minlength=12),
                        (x.abs() * 3).long().flatten().bincount(x.detach().abs().flatten())),
        ((3, 4),), "normal",
    ),
    # ---- einsum ------------------------------------------------------------------------------
    "einsum_matmul": (lambda lib, x, y: lib.einsum("ij,jk->ik", x, y), ((2, 3), (3, 4)),
                      "normal"),
    "einsum_attention": (lambda lib, q, k: lib.einsum("bhqd,bhkd->bhqk", [q, k]),
                         ((2, 2, 3, 4), (2, 2, 5, 4)), "normal"),
    "einsum_implicit": (lambda lib, x, y: (lib.einsum("i,j", x[0], y[0]), lib.einsum("ba", x),
                                           lib.einsum("Ba,bA", x, y)), ((2, 3), (4, 5)),
                        "normal"),
    "einsum_ellipsis": (lambda lib, x, y: (lib.einsum("...ij,...jk", x, y),
                                           lib.einsum("...i,...i->...", x[:1], x)),
                        ((5, 2, 3), (3, 4)), "normal"),
    "einsum_sums": (lambda lib, x, y, z: (lib.einsum("ij->", x), lib.einsum("ij,jk,kl->il", x, y,
                                                                              z),
                                          lib.einsum("ij,ij->ij", x[:1], x)),
                    ((2, 3), (3, 4), (4, 2)), "normal"),
    # ---- pooling -----------------------------------------------------------------------------
    "adaptive_avg_pool2d": (
        lambda lib, x: (F(lib).adaptive_avg_pool2d(x, 1), F(lib).adaptive_avg_pool2d(x, (2, 3)),
                        lib.nn.AdaptiveAvgPool2d((None, 1))(x)),
        ((2, 3, 4, 6),), "normal",
    ),
    "adaptive_avg_pool2d_unbatched": (lambda lib, x: F(lib).adaptive_avg_pool2d(x, (2, 2)),
                                      ((3, 4, 4),), "normal"),
}


def resnet_input(shape: tuple[int, ...] = (2, 3, 32, 32)) -> np.ndarray:
    """Deterministic float64 images for the ResNet-18 case (32×32: 1×1 after layer4)."""
    return np.sin(np.arange(np.prod(shape), dtype=np.float64) * 0.37).reshape(shape)
