"""PyTorch's ``torch.xpu`` probes (Intel GPUs), answered truthfully: tinydl computes on CPUs
and CUDA GPUs only, so there is never an XPU. Programs that probe for one
(``torch.xpu.is_available()``) take their CPU or CUDA branch."""


def is_available() -> bool:
    """False: tinydl has no Intel GPU backend."""
    return False


def device_count() -> int:
    """0: tinydl has no Intel GPU backend."""
    return 0


__all__ = ["device_count", "is_available"]
