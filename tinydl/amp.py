"""PyTorch's automatic mixed precision, ``torch.amp``: accepted, and changes nothing.

tinydl computes every op in its tensors' own dtype (float32 by default) and never switches
to float16 or bfloat16 behind the program's back, so that what a learner steps into is
what runs. ``autocast`` is therefore a block (or decorator) that checks its arguments and
leaves precision alone, and ``GradScaler`` behaves as PyTorch's does when disabled: with no
float16 gradients to underflow there is nothing to scale. A program written for mixed
precision (nanoGPT's ``with ctx:`` and ``scaler.scale(loss).backward()``) runs unchanged,
in float32.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from tinydl import check
from tinydl.autograd.tensor import is_dtype

# The device types PyTorch's autocast knows; tinydl runs on cpu and cuda, and accepts the
# others' names in a block that changes nothing anyway.
DEVICE_TYPES = ("cpu", "cuda", "mps", "xpu", "hpu", "xla", "mtia", "maia", "ipu")


class autocast:  # noqa: N801  (PyTorch's name)
    """``with autocast(device_type, dtype=None, enabled=True):`` runs its block unchanged
    (tinydl never lowers precision). Also a decorator."""

    def __init__(
        self, device_type: str, dtype: Any = None, enabled: bool = True,
        cache_enabled: bool | None = None,
    ) -> None:
        if not isinstance(device_type, str) or device_type.split(":")[0] not in DEVICE_TYPES:
            raise ValueError(
                f"autocast(): device_type must be a device name such as 'cuda' or 'cpu', got "
                f"{device_type!r}"
            )
        if dtype is not None and not is_dtype(dtype):
            raise TypeError(
                f"autocast(): dtype must be a dtype such as tinydl.float16, got {dtype!r}"
            )
        self.enabled = check.flag("autocast()", "enabled", enabled)
        self.device_type, self.dtype = device_type, dtype

    def __enter__(self) -> autocast:
        return self

    def __exit__(self, *exception: object) -> None:
        return None

    def __call__(self, function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def unchanged(*args: Any, **kwargs: Any) -> Any:
            with self:
                return function(*args, **kwargs)

        return unchanged


class GradScaler:
    """PyTorch's loss scaler, as it behaves when disabled: ``scale(loss)`` is ``loss``,
    ``step(optimizer)`` is ``optimizer.step()``, ``unscale_`` and ``update`` do nothing and
    the scale is 1. Loss scaling keeps float16 gradients from underflowing; tinydl's are
    float32. ``device``, ``init_scale`` and the other settings are accepted."""

    def __init__(
        self, device: str = "cuda", init_scale: float = 2.0**16, growth_factor: float = 2.0,
        backoff_factor: float = 0.5, growth_interval: int = 2000, enabled: bool = True,
    ) -> None:
        check.flag("GradScaler()", "enabled", enabled)
        self.device = device

    def scale(self, outputs: Any) -> Any:
        """The loss (or losses) unchanged."""
        return outputs

    def unscale_(self, optimizer: Any) -> None:
        """Nothing to undo: the gradients were never scaled."""
        _check_optimizer(optimizer, "unscale_")

    def step(self, optimizer: Any, *args: Any, **kwargs: Any) -> Any:
        """``optimizer.step()``."""
        _check_optimizer(optimizer, "step")
        return optimizer.step(*args, **kwargs)

    def update(self, new_scale: float | None = None) -> None:
        """Nothing to adapt: the scale stays 1."""

    def get_scale(self) -> float:
        return 1.0

    def is_enabled(self) -> bool:
        """False: tinydl never scales (PyTorch's answer for a disabled scaler)."""
        return False

    def state_dict(self) -> dict[str, Any]:
        """Empty, as a disabled PyTorch scaler's."""
        return {}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        check.instance("GradScaler.load_state_dict()", "state_dict", state_dict, dict, "a dict")


def _check_optimizer(optimizer: Any, method: str) -> None:
    if not callable(getattr(optimizer, "step", None)):
        raise TypeError(
            f"GradScaler.{method}() needs an optimizer, got {type(optimizer).__name__}"
        )
