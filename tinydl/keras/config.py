"""``keras.config``: Keras's global settings, as tinydl.keras has them (fixed)."""

from __future__ import annotations

from tinydl.keras._args import missing_names
from tinydl.keras.losses import EPSILON


def backend() -> str:
    """The engine under the Keras front: tinydl."""
    return "tinydl"


def floatx() -> str:
    """The float dtype of weights and computations: float32, as Keras's default."""
    return "float32"


def epsilon() -> float:
    """Keras's fuzz factor (how far probabilities are kept from 0 and 1): 1e-7."""
    return EPSILON


def image_data_format() -> str:
    """Images are channels-last, (N, H, W, C), as Keras's default."""
    return "channels_last"


def disable_traceback_filtering() -> None:
    """Keras trims its own frames from tracebacks unless told not to; tinydl never trims
    them, so there is nothing to turn off."""


def enable_traceback_filtering() -> None:
    raise NotImplementedError(
        "keras.config.enable_traceback_filtering(): tinydl shows every frame of a traceback "
        "(its own included), so that errors can be followed into the engine"
    )


__all__ = ["backend", "disable_traceback_filtering", "enable_traceback_filtering", "epsilon",
           "floatx", "image_data_format"]
__getattr__ = missing_names("config", __all__)
