"""``tinydl.compile``: PyTorch's ``torch.compile``, which tinydl answers by returning what it
was given. tinydl runs every operation eagerly, one Python call after another, because
that is what a learner can step into; there is no graph compiler to hand the model to.
nanoGPT calls ``model = torch.compile(model)`` when asked to: the model comes back
unchanged and a note, once per call site, says so."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any


def compile(model: Callable[..., Any] | None = None, **options: Any) -> Any:  # noqa: A001
    """``model`` unchanged (a module or a function); as a decorator factory
    (``@tinydl.compile(mode="max-autotune")``) it returns the function unchanged. PyTorch's
    options (``mode``, ``fullgraph``, ``dynamic``, ``backend``, ``options``, ``disable``) are
    accepted and ignored."""
    unknown = set(options) - {"mode", "fullgraph", "dynamic", "backend", "options", "disable"}
    if unknown:
        raise TypeError(f"compile() got an unexpected keyword argument {sorted(unknown)[0]!r}")
    if model is None:
        return compile
    if not callable(model):
        raise TypeError(f"compile() takes a model or a function, got {type(model).__name__}")
    warnings.warn(
        "tinydl.compile() returns the model unchanged: tinydl runs every op eagerly, so that "
        "you can step into it",
        UserWarning,
        stacklevel=2,
    )
    return model
