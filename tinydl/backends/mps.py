"""``torch.backends.mps``: Apple's Metal GPUs. tinydl runs on CPUs and CUDA GPUs only."""


def is_available() -> bool:
    return False


def is_built() -> bool:
    return False
