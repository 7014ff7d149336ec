"""PyTorch's ``torch.onnx``, so that programs which import it at the top run: tinydl has
no exporter. ``export`` is refused with what to do instead; the probe
``is_in_onnx_export()`` answers False."""

from __future__ import annotations

from typing import Any


def export(model: Any, args: Any = None, f: Any = None, *more: Any, **options: Any) -> None:
    """Refused: tinydl writes no ONNX files (it runs every op eagerly in Python, to be
    stepped into, and has no traced graph to export)."""
    raise NotImplementedError(
        "tinydl.onnx.export(): tinydl has no ONNX exporter; keep the weights with "
        "tinydl.save(model.state_dict(), path), or rebuild the model in PyTorch, load that "
        "state dict there (the names and layouts are PyTorch's) and export it with torch.onnx"
    )


def is_in_onnx_export() -> bool:
    """False: no export is ever running."""
    return False


__all__ = ["export", "is_in_onnx_export"]
