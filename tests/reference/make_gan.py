"""Write ``tests/reference/gan.npz``: PyTorch's ``conv_transpose2d`` and ``leaky_relu``, the
layers the GAN examples add, with make_reference.py's conventions and helpers. By hand::

    .venv/bin/python tests/reference/make_gan.py

``tests/test_gan_layers.py`` reads the file; CI never runs this script.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F  # noqa: N812  (PyTorch's usual spelling)
from make_reference import (
    Fields,
    backward_with,
    convolution_fields,
    host,
    leaf,
    rng_for,
    write_npz,
)

# name: (N, C_in, H, W), (C_out, KH, KW), stride, padding, output_padding, with bias
CONV_TRANSPOSE_CASES = {
    "k3_s1_p0_bias": ((2, 3, 4, 5), (2, 3, 3), (1, 1), (0, 0), (0, 0), True),
    "k4_s2_p1_bias": ((2, 3, 4, 4), (2, 4, 4), (2, 2), (1, 1), (0, 0), True),  # doubles H, W
    "k3_s2_p1_op1_nobias": ((2, 2, 3, 4), (3, 3, 3), (2, 2), (1, 1), (1, 1), False),
    "k2x3_s2x1_p0x1_op1x0_bias": ((1, 3, 3, 3), (2, 2, 3), (2, 1), (0, 1), (1, 0), True),
    "k3_s3_p2_op2_bias": ((2, 2, 3, 2), (2, 3, 3), (3, 3), (2, 2), (2, 2), True),
    "k5_s2_p2_op1_nobias": ((1, 2, 7, 7), (2, 5, 5), (2, 2), (2, 2), (1, 1), False),  # 7 -> 14
    "k1_s1_p0_bias": ((2, 3, 3, 4), (2, 1, 1), (1, 1), (0, 0), (0, 0), True),
}

LEAKY_RELU_SLOPES = {"slope0.01": 0.01, "slope0.2": 0.2, "slope-0.5": -0.5, "slope1.5": 1.5}


def conv_transpose2d_cases() -> dict[str, Fields]:
    cases = {}
    for case, spec in CONV_TRANSPOSE_CASES.items():
        x_shape, (out, kh, kw), stride, padding, output_padding, with_bias = spec
        rng = rng_for(f"conv_transpose2d.{case}")
        x = leaf(rng.standard_normal(x_shape))
        weight = leaf(rng.standard_normal((x_shape[1], out, kh, kw)))  # (in, out, KH, KW)
        bias = leaf(rng.standard_normal(out)) if with_bias else None
        y = F.conv_transpose2d(
            x, weight, bias, stride=stride, padding=padding, output_padding=output_padding
        )
        gy = backward_with(y, rng)
        settings = {
            "function": np.array("conv_transpose2d"),
            "stride": np.array(stride),
            "padding": np.array(padding),
            "output_padding": np.array(output_padding),
        }
        cases[f"conv_transpose2d_{case}"] = convolution_fields(settings, x, weight, bias, y, gy)
    return cases


def leaky_relu_cases() -> dict[str, Fields]:
    cases = {}
    for case, slope in LEAKY_RELU_SLOPES.items():
        rng = rng_for(f"leaky_relu.{case}")
        x = leaf(rng.standard_normal((3, 4)))
        y = F.leaky_relu(x, negative_slope=slope)
        gy = backward_with(y, rng)
        cases[f"leaky_relu_{case}"] = {
            "function": np.array("leaky_relu"),
            "negative_slope": np.array(slope),
            "x": host(x),
            "y": host(y),
            "gy": gy,
            "gx": host(x.grad),
        }
    return cases


def main() -> None:
    torch.set_num_threads(1)  # one summation order, so the bytes do not depend on the machine
    cases = {**conv_transpose2d_cases(), **leaky_relu_cases()}
    size = write_npz("gan", cases)
    print(f"gan.npz: {len(cases)} cases, {size / 1024:.1f} KiB")


if __name__ == "__main__":
    main()
