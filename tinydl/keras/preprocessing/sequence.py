"""``keras.preprocessing.sequence.pad_sequences``: :func:`tinydl.keras.utils.pad_sequences`."""

from tinydl.keras._args import missing_names
from tinydl.keras.utils import pad_sequences

__all__ = ["pad_sequences"]
__getattr__ = missing_names("preprocessing.sequence", __all__)
