"""What a network has learnt and sees: a convolutional network's first-layer filters and the
feature maps one image produces in each convolution layer; a fully connected network's
first-layer weights, one image-shaped template per unit. Each function writes a PNG and
returns its path (drawn on matplotlib figures outside pyplot, headless, as
:mod:`tinydl.plots`)."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from tinydl import backend
from tinydl.autograd import Tensor, tensor
from tinydl.nn import Conv2D, Dense, Linear, Module
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


def dense_layers(model: Module) -> list[tuple[str, Dense | Linear]]:
    """The fully connected layers (``Dense``, ``Linear``) of ``model`` in definition order."""
    return [(name, m) for name, m in named_modules(model) if isinstance(m, Dense | Linear)]


def weight_templates(model: Module) -> tuple[str, np.ndarray]:
    """The first fully connected layer's name and its weights as one square image per unit,
    a host array of shape (units, side, side): unit j's weights over the pixels of a
    side×side image (28×28 for MNIST), whichever layout the layer stores (``Dense``
    (in, out), ``Linear`` (out, in))."""
    layers = dense_layers(model)
    if not layers:
        raise ValueError(
            f"weight templates need a model with a Dense or Linear layer; "
            f"{type(model).__name__} has none"
        )
    name, layer = layers[0]
    if getattr(layer, "needs_build", False):  # a Keras-style Dense(units) before any batch
        raise ValueError(
            f"layer {name} does not know its input size yet, so it has no weights: call the "
            "model once on an example batch first"
        )
    weight = backend.to_numpy(layer.weight.array)
    templates = weight.T if isinstance(layer, Dense) else weight  # (units, inputs)
    side = math.isqrt(templates.shape[1])
    if side * side != templates.shape[1]:
        raise ValueError(
            f"layer {name} takes {templates.shape[1]} inputs, not a square image's pixels, so "
            "its weights cannot be drawn as image templates"
        )
    return name, templates.reshape(-1, side, side)


def plot_weight_templates(
    model: Module, path: str | Path, max_units: int = 64, columns: int = 8
) -> Path:
    """The first fully connected layer's weights, one square image per unit (red positive,
    blue negative, each unit on its own symmetric scale; see :func:`weight_templates`).
    A unit's output is the dot product of the image with its template, so the template
    shows which pixels push the unit up or down. The first ``max_units`` units are drawn."""
    name, templates = weight_templates(model)
    shown = templates[:max_units]
    rows = max(1, math.ceil(len(shown) / columns))
    figure = _figure(figsize=(columns * 1.1, rows * 1.1 + 0.6))
    for i, axis in enumerate(figure.subplots(rows, columns, squeeze=False).ravel()):
        axis.axis("off")
        if i < len(shown):
            scale = np.abs(shown[i]).max() or 1.0
            axis.imshow(shown[i], cmap="bwr", vmin=-scale, vmax=scale)
            axis.set_title(str(i), fontsize=7)
    side = templates.shape[1]
    figure.suptitle(
        f"First fully connected layer ({name}): {len(shown)} of {len(templates)} units' "
        f"weights as {side}×{side} templates",
        fontsize=9,
    )
    return _save(figure, path)


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
