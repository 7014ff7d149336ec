"""``torch.cuda.amp``, PyTorch's older spelling of :mod:`tinydl.amp`: ``autocast`` without a
device type (it means 'cuda') and ``GradScaler``. Both change nothing, as there."""

from __future__ import annotations

from typing import Any

from tinydl import amp, dtypes
from tinydl.amp import GradScaler


class autocast(amp.autocast):  # noqa: N801  (PyTorch's name)
    """``torch.cuda.amp.autocast(enabled=True, dtype=torch.float16)``: a block that changes
    nothing (see :mod:`tinydl.amp`)."""

    def __init__(
        self, enabled: bool = True, dtype: Any = dtypes.float16, cache_enabled: bool = True
    ) -> None:
        super().__init__("cuda", dtype, enabled, cache_enabled)


__all__ = ["GradScaler", "autocast"]
