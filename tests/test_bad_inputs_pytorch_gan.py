"""The bad-input table of what PyTorch's DCGAN tutorial adds: ``inplace`` on activations,
``Module.apply``, ``nn.init``'s in-place initialisers, ``nn.BCELoss`` /
``F.binary_cross_entropy``, ``Tensor.fill_``. Format and check: ``tests/bad_input_table.py``.

Accepted as correct behaviour (no error), with the reason:

- ``F.binary_cross_entropy`` with p exactly 0 or 1: PyTorch's clamp of each log at -100
  gives a large finite loss.
- ``nn.init.uniform_(w, 0.5, 0.5)``: a = b fills with a constant, as PyTorch allows.
"""

from __future__ import annotations

import numpy as np
import pytest
from bad_input_table import Case, check, params

import tinydl
from tinydl import nn
from tinydl.nn import functional as F  # noqa: N812  (PyTorch's spelling)

T = tinydl.tensor


def weight() -> tinydl.Tensor:
    return nn.Conv2d(2, 3, 3).weight


CASES = [
    Case("ReLU/inplace-string", lambda: nn.ReLU("yes"), TypeError,
         ("ReLU", "inplace must be True or False", "'yes'")),
    Case("LeakyReLU/inplace-number", lambda: nn.LeakyReLU(0.2, 1), TypeError,
         ("LeakyReLU", "inplace must be True or False", "got 1")),
    Case("apply/not-callable", lambda: nn.Linear(2, 2).apply("init"), TypeError,
         ("apply() needs a function of one module", "'init'")),
    Case("init/list", lambda: nn.init.normal_([0.0, 1.0]), TypeError,
         ("nn.init.normal_()", "a Tensor (e.g. layer.weight)", "got list")),
    Case("init/int-tensor", lambda: nn.init.constant_(T([1, 2]), 0), TypeError,
         ("nn.init.constant_()", "float tensor", "int64")),
    Case("init/negative-std", lambda: nn.init.normal_(weight(), 0.0, -0.02), ValueError,
         ("std >= 0", "-0.02")),
    Case("init/a-above-b", lambda: nn.init.uniform_(weight(), 1.0, 0.0), ValueError,
         ("a <= b", "a=1.0, b=0.0")),
    Case("init/xavier-1d", lambda: nn.init.xavier_uniform_(nn.Linear(2, 3).bias), ValueError,
         ("xavier_uniform_()", "at least 2 dimensions", "(3,)")),
    Case("init/kaiming-mode", lambda: nn.init.kaiming_normal_(weight(), mode="fan"), ValueError,
         ("kaiming_normal_()", "'fan_in' or 'fan_out'", "'fan'")),
    Case("init/kaiming-nonlinearity",
         lambda: nn.init.kaiming_uniform_(weight(), nonlinearity="swish"), ValueError,
         ("unknown nonlinearity 'swish'", "leaky_relu", "tanh")),
    Case("calculate_gain/slope-string",
         lambda: nn.init.calculate_gain("leaky_relu", "0.2"), TypeError,
         ("slope param must be a number", "'0.2'")),
    Case("BCELoss/logits", lambda: nn.BCELoss()(T([-1.5, 0.3]), T([0.0, 1.0])), ValueError,
         ("binary_cross_entropy()", "probabilities in [0, 1]", "nn.Sigmoid()",
          "from -1.5 to 0.3", "BCEWithLogitsLoss")),
    Case("BCELoss/nan", lambda: nn.BCELoss()(T([np.nan, 0.3]), T([0.0, 1.0])), ValueError,
         ("probabilities in [0, 1]",)),
    Case("BCELoss/shape", lambda: nn.BCELoss()(T([[0.5], [0.5]]), T([0.0, 1.0])), ValueError,
         ("binary_cross_entropy()", "(2, 1)", "(2,)")),
    Case("BCELoss/int-input", lambda: F.binary_cross_entropy(T([0, 1]), T([0, 1])), TypeError,
         ("binary_cross_entropy()", "float")),
    Case("BCELoss/reduction", lambda: nn.BCELoss("average")(T([0.5]), T([1.0])), ValueError,
         ("reduction", "'average'", "mean")),
    Case("fill_/string", lambda: T([1.0, 2.0]).fill_("0"), TypeError,
         ("fill_() needs a number", "str")),
    Case("fill_/requires-grad", lambda: nn.Linear(2, 2).weight.fill_(0.0), RuntimeError,
         ("fill_()", "requires grad", "tinydl.no_grad()")),
]


@pytest.mark.parametrize("case", params(CASES))
def test_bad_input_gets_a_clear_tinydl_error(case: Case) -> None:
    check(case)


def test_the_ids_are_unique() -> None:
    ids = [case.id for case in CASES]
    assert len(ids) == len(set(ids))
