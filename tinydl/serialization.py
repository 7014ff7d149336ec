"""PyTorch's ``torch.serialization``: the allow-list of ``tinydl.load(f)``, which with
``weights_only=True`` (the default) calls only the classes and functions a program allowed
to rebuild a pickled object (``with tinydl.serialization.safe_globals([MyModel, nn.Linear]):
model = tinydl.load(f)``). The list itself: :mod:`tinydl.train.allow_list`.
"""

from tinydl.train.allow_list import (
    add_safe_globals,
    clear_safe_globals,
    get_safe_globals,
    safe_globals,
)

__all__ = ["add_safe_globals", "clear_safe_globals", "get_safe_globals", "safe_globals"]
