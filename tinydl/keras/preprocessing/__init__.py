"""``keras.preprocessing``: only ``keras.preprocessing.sequence.pad_sequences`` (the older
spelling of ``keras.utils.pad_sequences``)."""

from tinydl.keras._args import missing_names
from tinydl.keras.preprocessing import sequence

__all__ = ["sequence"]
__getattr__ = missing_names("preprocessing", __all__)
