"""Write ``tests/reference/torch_more.npz`` with PyTorch and torchvision (CPU, float64): the
values and gradients of the calls of ``tests/torch_more_cases.py``, and torchvision's
ResNet-18 and ResNet-34 (state-dict names and shapes, parameter counts, and ResNet-18's
logits in training and evaluation mode with the deterministic weights of
``torch_twins.formula``), which ``tests/test_torch_more.py`` checks tinydl against.

Run once, by hand, where torch and torchvision are installed::

    python tests/reference/make_torch_more.py

Same conventions as ``make_reference.py``; the cases' fields as in
``make_tensor_surface.py`` (whose ``case_fields`` it runs).
"""

from __future__ import annotations

import sys
import types
from pathlib import Path

import numpy as np
import torch
from make_reference import DTYPE, host, write_npz
from make_tensor_surface import case_fields

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # tests/, for the cases and torch_twins
import torch_twins as tw  # noqa: E402
from torch_more_cases import CASES, resnet_input  # noqa: E402

# torchvision's models are plain Python; its compiled detection operators, which a
# torchvision wheel built for another torch may fail to register, are not needed here.
sys.modules.setdefault("torchvision._meta_registrations",
                       types.ModuleType("torchvision._meta_registrations"))
import torchvision  # noqa: E402


def resnet_fields(name: str) -> dict[str, np.ndarray]:
    model = getattr(torchvision.models, name)(weights=None, num_classes=10).to(DTYPE)
    state = model.state_dict()
    fields = {
        "names": np.array(list(state)),
        "shapes": np.array([",".join(map(str, t.shape)) for t in state.values()]),
        "parameters": np.array(sum(p.numel() for p in model.parameters())),
        "parameters_1000": np.array(sum(
            p.numel() for p in getattr(torchvision.models, name)(weights=None).parameters()
        )),
    }
    if name != "resnet18":
        return fields
    with torch.no_grad():
        for key, values in tw.formula_parameters(model.named_parameters()).items():
            model.get_parameter(key).copy_(torch.tensor(values))
    x = torch.tensor(resnet_input(), dtype=DTYPE)
    model.train()
    fields["logits_train"] = host(model(x))  # batch statistics; updates the running ones
    model.eval()
    fields["logits_eval"] = host(model(x))
    fields["running_mean_bn1"] = host(model.bn1.running_mean)
    return fields


def main() -> None:
    torch.set_num_threads(1)
    cases = {case: case_fields(case, CASES) for case in CASES}
    cases.update({name: resnet_fields(name) for name in ("resnet18", "resnet34")})
    size = write_npz("torch_more", cases)
    print(f"torch_more.npz: {len(cases)} cases, {size / 1024:.1f} KiB, torch "
          f"{torch.__version__}, torchvision {torchvision.__version__}")


if __name__ == "__main__":
    main()
