"""What a convolutional network has learnt and sees: its first-layer filters, and the feature
maps one image produces in each convolution layer. Each function writes a PNG and returns
its path (drawn on matplotlib figures outside pyplot, headless, as :mod:`tinydl.plots`)."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from tinydl import backend
from tinydl.autograd import Tensor, tensor
from tinydl.nn import Conv2D, Module
from tinydl.nn.module import call_observed
from tinydl.plots import _figure, _save


def named_modules(model: Module) -> Iterator[tuple[str, Module]]:
    """Every module inside ``model`` with its dotted name ("" for the model), depth first."""
    stack: list[tuple[str, Module]] = [("", model)]
    while stack:
        name, module = stack.pop()
        yield name, module
        children = [
            (f"{name}.{child}" if name else child, m) for child, m in module.named_children()
        ]
        stack.extend(reversed(children))


def conv_layers(model: Module) -> list[tuple[str, Conv2D]]:
    """The Conv2D layers of ``model`` in the order they were defined."""
    return [(name, m) for name, m in named_modules(model) if isinstance(m, Conv2D)]


def plot_filters(model: Module, path: str | Path, columns: int = 8) -> Path:
    """The first convolution layer's filters as an image grid (red positive, blue negative,
    each filter on its own symmetric scale). Filters over three input channels are shown
    as colour images; over any other number, as their mean over the input channels."""
    convs = conv_layers(model)
    if not convs:
        raise ValueError(
            f"plot_filters needs a model with a Conv2D layer; {type(model).__name__} has none"
        )
    name, layer = convs[0]
    if layer.needs_build:
        raise ValueError(
            f"layer {name} does not know its input channels yet, so it has no filters: call "
            "the model once on an example batch first"
        )
    weight = backend.to_numpy(layer.weight.array)  # (out, in, kh, kw)
    count = weight.shape[0]
    rows = max(1, math.ceil(count / columns))
    figure = _figure(figsize=(columns * 1.1, rows * 1.1 + 0.6))
    for i, axis in enumerate(figure.subplots(rows, columns, squeeze=False).ravel()):
        axis.axis("off")
        if i >= count:
            continue
        kernel = weight[i]
        if kernel.shape[0] == 3:  # RGB filter: each channel mapped to [0, 1] around 0
            scale = np.abs(kernel).max() or 1.0
            axis.imshow((kernel.transpose(1, 2, 0) / scale + 1) / 2)
        else:
            kernel = kernel.mean(axis=0)
            scale = np.abs(kernel).max() or 1.0
            axis.imshow(kernel, cmap="bwr", vmin=-scale, vmax=scale)
        axis.set_title(str(i), fontsize=7)
    figure.suptitle(f"Filters of the first convolution (layer {name}, weight {weight.shape})")
    return _save(figure, path)


def feature_maps(model: Module, image: Any) -> list[tuple[str, np.ndarray]]:
    """The output of every Conv2D layer for one ``image`` as ``(layer name, host array of
    shape (channels, h, w))``. ``image`` is what the model takes, without or with the batch
    axis: (H, W), (C, H, W) or (1, C, H, W), a NumPy array, Tensor or device array.

    Runs in evaluation mode without building a graph; each layer's mode is restored.
    """
    names = {id(m): name for name, m in conv_layers(model)}
    parameter = next(model.parameters(), None)
    x = tensor(
        _one_image(image),
        dtype=parameter.dtype if parameter is not None else None,
        device=parameter.device if parameter is not None else None,
    )
    captured: list[tuple[str, np.ndarray]] = []

    def capture(layer: Module, output: Any) -> None:
        if id(layer) in names:
            captured.append((names[id(layer)], backend.to_numpy(output.array)[0]))

    call_observed(model, capture, x)
    return captured


def plot_feature_maps(
    model: Module, image: Any, path: str | Path, max_maps: int = 32, columns: int = 8
) -> Path:
    """The input ``image`` and the first ``max_maps`` channels of each Conv2D layer's output
    for it (brighter is larger), one block of rows per layer."""
    maps = feature_maps(model, image)
    if not maps:
        raise ValueError(
            f"plot_feature_maps needs a model with a Conv2D layer; {type(model).__name__} has none"
        )
    shown = [(name, m[:max_maps]) for name, m in maps]
    heights = [1.0] + [math.ceil(len(m) / columns) for _, m in shown]
    figure = _figure(figsize=(columns * 1.1, sum(heights) * 1.15 + 0.8))
    blocks = figure.subfigures(len(heights), 1, height_ratios=heights)
    axis = blocks[0].subplots(1, 1)
    axis.imshow(_one_image(image)[0].mean(axis=0), cmap="gray")
    axis.axis("off")
    blocks[0].suptitle("input", fontsize=9)
    for block, (name, channels), (_, full) in zip(blocks[1:], shown, maps, strict=True):
        rows = math.ceil(len(channels) / columns)
        for i, ax in enumerate(block.subplots(rows, columns, squeeze=False).ravel()):
            ax.axis("off")
            if i < len(channels):
                ax.imshow(channels[i], cmap="viridis")
        block.suptitle(
            f"layer {name}: {len(channels)} of {full.shape[0]} channels, "
            f"{full.shape[1]}x{full.shape[2]}",
            fontsize=9,
        )
    return _save(figure, path)


def _one_image(image: Any) -> np.ndarray:
    """``image`` as a host float array of shape (1, C, H, W)."""
    if isinstance(image, Tensor):
        image = image.array
    host = backend.to_numpy(image) if backend.is_array(image) else np.asarray(image)
    if not 2 <= host.ndim <= 4 or (host.ndim == 4 and host.shape[0] != 1):
        raise ValueError(
            f"expected one image of shape (H, W), (C, H, W) or (1, C, H, W), got {host.shape}"
        )
    return host.reshape((1,) * (4 - host.ndim) + host.shape).astype(np.float32, copy=False)
