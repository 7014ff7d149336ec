"""``summary(model, input_shape)``: a Keras-style table of layers, output shapes and
parameter counts, found by running one example batch through the model."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from tinydl import backend, check
from tinydl.autograd import Tensor
from tinydl.nn import module as module_registry
from tinydl.nn.module import Module


def summary(
    model: Module,
    input_shape: Sequence[int],
    print_fn: Callable[[str], None] | None = print,
) -> str:
    """Run a zero batch of shape ``(1, *input_shape)`` through ``model``, print and return
    the table. Also builds any layer that infers its input size (``Dense(10)``)."""
    check.instance("summary()", "model", model, Module, "a Module")
    input_shape = check.shape("summary()", "input_shape", input_shape)  # one sample's
    rows: list[tuple[str, tuple[int, ...], int]] = []

    def record(layer: Module, output: object) -> None:
        if isinstance(output, tuple):  # a recurrent layer's (outputs, final state): show outputs
            output = output[0]
        if next(layer.children(), None) is None and isinstance(output, Tensor):
            tensors = [*layer._named_tensors(module_registry.Parameter), *layer.named_buffers()]
            count = sum(t.numel() for _, t in tensors)
            rows.append((type(layer).__name__, ("None", *output.shape[1:]), count))

    xp = _input_module(model)
    example = Tensor(xp.zeros((1, *input_shape), dtype="float32"))
    module_registry.call_observed(model, record, example)

    trainable = sum(p.numel() for p in model.parameters())
    frozen = sum(b.numel() for _, b in model.named_buffers())
    table = _format(rows, trainable, frozen, type(model).__name__)
    if print_fn is not None:
        print_fn(table)
    return table


def _input_module(model: Module):
    """The array module of the model's device (the default device before it is built)."""
    for _, tensor in [*model._named_tensors(module_registry.Parameter), *model.named_buffers()]:
        return backend.array_module(tensor.array)
    return backend.get_default_device().xp


def _format(rows, trainable: int, frozen: int, name: str) -> str:
    header = ("Layer (type)", "Output Shape", "Param #")
    body = [
        (f"{kind.lower()}_{i} ({kind})", "(" + ", ".join(map(str, shape)) + ")", f"{count:,}")
        for i, (kind, shape, count) in enumerate(rows)
    ]
    widths = [max(len(r[c]) for r in [header, *body]) + 4 for c in range(3)]
    rule = "=" * sum(widths)

    def line(cells) -> str:
        padded = (cell.ljust(width) for cell, width in zip(cells, widths, strict=True))
        return "".join(padded).rstrip()

    lines = [f'Model: "{name}"', rule, line(header), rule, *map(line, body), rule]
    lines += [
        f"Total params: {trainable + frozen:,}",
        f"Trainable params: {trainable:,}",
        f"Non-trainable params: {frozen:,}",
        rule,
    ]
    return "\n".join(lines)
