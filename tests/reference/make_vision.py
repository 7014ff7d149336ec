"""Write ``tests/reference/vision.npz``: what torchvision's ``Resize`` computes on tensors,
with make_reference.py's conventions and helpers. By hand::

    .venv/bin/python tests/reference/make_vision.py

torchvision cannot be installed beside the PyTorch of this venv, so the script runs what
torchvision's tensor ``resize`` runs (``torchvision/transforms/_functional_tensor.py``):
``F.interpolate(x, size, mode="bilinear", align_corners=False, antialias=...)`` on float
images, and on uint8 images the same in float32, then ``round`` and a cast back to uint8.
``tests/test_vision_transforms_more.py`` reads the file; CI never runs this script.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F  # noqa: N812  (PyTorch's usual spelling)
from make_reference import Fields, rng_for, write_npz

# name: (N, C, H, W) of the input, (height, width) of the output, antialias, uint8 input
RESIZE_CASES = {
    "shrink_aa": ((1, 2, 17, 23), (8, 11), True, False),
    "shrink_plain": ((1, 2, 17, 23), (8, 11), False, False),
    "grow_aa": ((1, 2, 7, 5), (15, 12), True, False),
    "grow_plain": ((1, 2, 7, 5), (15, 12), False, False),
    "mixed_aa": ((1, 1, 30, 9), (7, 20), True, False),  # rows shrink by 4.3, columns grow
    "third_aa": ((1, 1, 24, 24), (8, 8), True, False),  # an exact factor of 3
    "uint8_shrink_aa": ((1, 3, 28, 28), (10, 13), True, True),
    "uint8_grow_plain": ((1, 1, 9, 6), (20, 16), False, True),
}


def resize_cases() -> dict[str, Fields]:
    cases = {}
    for case, (shape, size, antialias, as_uint8) in RESIZE_CASES.items():
        rng = rng_for(f"resize.{case}")
        if as_uint8:
            x = rng.integers(0, 256, shape, dtype=np.uint8)
            y = F.interpolate(
                torch.tensor(x, dtype=torch.float32), size=size, mode="bilinear",
                align_corners=False, antialias=antialias,
            )
            y = torch.round(y).to(torch.uint8)
        else:
            x = rng.standard_normal(shape)
            y = F.interpolate(
                torch.tensor(x), size=size, mode="bilinear", align_corners=False,
                antialias=antialias,
            )
        cases[f"resize_{case}"] = {
            "x": x,
            "y": y.numpy().copy(),
            "size": np.array(size),
            "antialias": np.array(antialias),
        }
    return cases


def main() -> None:
    torch.set_num_threads(1)  # one summation order, so the bytes do not depend on the machine
    cases = resize_cases()
    size = write_npz("vision", cases)
    print(f"vision.npz: {len(cases)} cases, {size / 1024:.1f} KiB")


if __name__ == "__main__":
    main()
