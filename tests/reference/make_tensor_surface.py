"""Write ``tests/reference/tensor_surface.npz`` with PyTorch (CPU, float64): the values and
gradients of the Tensor- and function-level calls of ``tests/tensor_surface_cases.py``
(issue 21), which ``tests/test_torch_tensor_surface.py`` runs with tinydl.

Run once, by hand, where torch is installed::

    python tests/reference/make_tensor_surface.py

Same conventions as ``make_reference.py`` (whose helpers it imports). For each case: its
inputs ``x0``, ``x1``, …; every output ``out0``, ``out1``, … with its dtype's name
(``dtype0``, …); for each floating-point output an upstream gradient ``gy0``, …; and the
gradient ``g0``, ``g1``, … of each input of sum(outᵢ · gyᵢ) (absent where no output
depends on the inputs differentiably).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import torch
from make_reference import DTYPE, host, leaf, rng_for, write_npz

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tensor_surface_cases import CASES, as_outputs, make_inputs  # noqa: E402


def case_fields(case: str, cases: dict | None = None) -> dict[str, np.ndarray]:
    """The fields of ``case`` of ``cases`` (by default ``tensor_surface_cases.CASES``)."""
    cases = CASES if cases is None else cases
    function = cases[case][0]
    inputs = [leaf(values) for values in make_inputs(case, cases)]
    outputs = as_outputs(function(torch, *inputs))
    fields = {f"x{i}": host(x) for i, x in enumerate(inputs)}
    rng = rng_for(f"{case}.gy")
    loss = None
    for i, out in enumerate(outputs):
        fields[f"out{i}"] = host(out)
        fields[f"dtype{i}"] = np.array(str(out.dtype).removeprefix("torch."))
        if out.requires_grad:
            gy = rng.standard_normal(out.shape)
            fields[f"gy{i}"] = gy
            term = (out * torch.tensor(gy, dtype=DTYPE)).sum()
            loss = term if loss is None else loss + term
    if loss is not None:
        loss.backward()
        for i, x in enumerate(inputs):
            fields[f"g{i}"] = np.zeros(x.shape) if x.grad is None else host(x.grad)
    return fields


def main() -> None:
    torch.set_num_threads(1)
    cases = {case: case_fields(case) for case in CASES}
    size = write_npz("tensor_surface", cases)
    print(f"tensor_surface.npz: {len(cases)} cases, {size / 1024:.1f} KiB, "
          f"torch {torch.__version__}")


if __name__ == "__main__":
    main()
