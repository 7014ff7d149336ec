"""``Sequential``: layers applied one after another."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tinydl.nn.fusion import run_conv_pool_block
from tinydl.nn.module import Module


class Sequential(Module):
    """``Sequential(a, b, c)(x) == c(b(a(x)))``; layers are named "0", "1", … in state_dict."""

    def __init__(self, *layers: Module) -> None:
        for i, layer in enumerate(layers):
            if not isinstance(layer, Module):
                raise TypeError(
                    f"Sequential takes Modules, but argument {i} is {type(layer).__name__}"
                )
        self.layers = list(layers)

    def forward(self, x: Any) -> Any:
        i = 0
        while i < len(self.layers):
            # Conv2D → [ReLU] → MaxPool2D → [ReLU] runs as one fused op where it can (fusion.py).
            x, count = run_conv_pool_block(self.layers, i, x)
            if count == 0:
                x, count = self.layers[i](x), 1
            i += count
        return x

    def named_children(self) -> Iterator[tuple[str, Module]]:
        for i, layer in enumerate(self.layers):
            yield str(i), layer

    def append(self, layer: Module) -> Sequential:
        self.layers.append(layer)
        return self

    def __getitem__(self, index: int) -> Module:
        return self.layers[index]

    def __len__(self) -> int:
        return len(self.layers)

    def __iter__(self) -> Iterator[Module]:
        return iter(self.layers)
