"""Bad input for RMSprop's and AdaGrad's eps_inside_sqrt option. Format: see
tests/bad_input_table.py."""

from __future__ import annotations

import numpy as np
import pytest
from bad_input_table import Case, check, params

from tinydl import nn, optim

PARAM = [nn.Parameter(np.zeros(2))]
CASES = [
    Case("RMSprop-eps_inside_sqrt-string", lambda: optim.RMSprop(PARAM, eps_inside_sqrt="yes"),
         TypeError, ("eps_inside_sqrt must be True or False, got 'yes'",)),
    Case("AdaGrad-eps_inside_sqrt-number", lambda: optim.AdaGrad(PARAM, eps_inside_sqrt=1),
         TypeError, ("eps_inside_sqrt must be True or False, got 1",)),
]


@pytest.mark.parametrize("case", params(CASES))
def test_bad_input(case: Case) -> None:
    check(case)
