"""Bad inputs to the fast-path switch (``tinydl.set_fast_paths``, ``tinydl.fast_paths``, the
``TINYDL_FAST_PATHS`` variable) get a clear error from tinydl naming what was wrong and what
is accepted; a refused call leaves the switch as it was. Format: tests/bad_input_table.py.
(The variable is read when tinydl is imported; tests/test_fast_paths.py checks that import.)"""

from __future__ import annotations

import pytest
from bad_input_table import Case, check, params

import tinydl
from tinydl.backend import fast_path_switch


def entering(value: object) -> None:
    with tinydl.fast_paths(value):  # type: ignore[arg-type]
        pass


def environment(value: str):
    def read() -> object:
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("TINYDL_FAST_PATHS", value)
            return fast_path_switch.environment_choice()

    return read


CASES = [
    Case("set_fast_paths/int", lambda: tinydl.set_fast_paths(1), TypeError,
         ("set_fast_paths()", "True or False", "got 1")),
    Case("set_fast_paths/string", lambda: tinydl.set_fast_paths("off"), TypeError,
         ("True or False", "'off'")),
    Case("fast_paths/None", lambda: entering(None), TypeError, ("True or False", "got None")),
    Case("TINYDL_FAST_PATHS/word", environment("yes"), ValueError,
         ("TINYDL_FAST_PATHS", "0 (plain versions) or 1 (fast paths)", "'yes'")),
    Case("TINYDL_FAST_PATHS/empty", environment(""), ValueError, ("TINYDL_FAST_PATHS", "''")),
    Case("TINYDL_FAST_PATHS/true", environment("true"), ValueError,
         ("must be 0", "or 1", "'true'")),
]


@pytest.mark.parametrize("case", params(CASES))
def test_bad_input(case: Case) -> None:
    before = tinydl.fast_paths_enabled()
    check(case)
    assert tinydl.fast_paths_enabled() == before
