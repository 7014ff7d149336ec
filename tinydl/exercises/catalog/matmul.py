"""Exercise 8, matmul: backward of a matrix product.

The hints and the check of the stub ``stubs/matmul.py``."""

from __future__ import annotations

from types import ModuleType

import tinydl
from tinydl.exercises.checker import FunctionCheck, check_function, learner_attribute, random_arrays
from tinydl.exercises.exercise import Exercise


def check(module: ModuleType) -> None:
    a, b = random_arrays(2, (2, 3), (3, 4))
    matmul = learner_attribute(module, "MatMul")
    check_function(
        module,
        FunctionCheck(
            matmul,
            tinydl.matmul,
            {"A": a, "B": b},
            "A (2, 3) @ B (3, 4)",
            shape_error_cause="missing transpose: the shapes in that line do not fit. Here A is "
            "(2, 3), B (3, 4) and grad_output (2, 4); dL/dA must come out (2, 3) and dL/dB "
            "(3, 4), and a product (n, k) @ (k, m) needs the inner sizes to agree. Write the "
            "shapes of each product under it and see which operand is lying on its side",
        ),
    )


EXERCISE = Exercise(
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
    check,
)
