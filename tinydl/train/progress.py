"""Whether a progress bar is worth drawing: only where someone watches it update.

A bar redraws itself with carriage returns; written to a log file or a CI console it
becomes hundreds of half-lines. ``fit`` prints one line per epoch in any case, so the
bar is drawn only on a terminal, or in a notebook, where tqdm draws a widget instead.
"""

from __future__ import annotations

import sys

from tqdm.auto import tqdm


def progress_bar_visible() -> bool:
    """True when tqdm's bar would reach a person: stderr is a terminal, or a notebook."""
    if any(cls.__module__ == "tqdm.notebook" for cls in tqdm.__mro__):
        return True
    stream = sys.stderr
    return stream is not None and hasattr(stream, "isatty") and stream.isatty()
