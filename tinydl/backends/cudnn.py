"""``torch.backends.cudnn``: tinydl does not call cuDNN (its convolutions are im2col and one
GEMM, on CuPy's cuBLAS), so these settings are accepted and change nothing."""

enabled = True
benchmark = False
deterministic = False
allow_tf32 = True


def is_available() -> bool:
    """False: tinydl never uses cuDNN."""
    return False


def version() -> None:
    """None, as PyTorch answers where cuDNN is not available."""
    return None
