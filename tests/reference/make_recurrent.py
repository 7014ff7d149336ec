"""Write ``tests/reference/recurrent.npz`` with PyTorch (CPU, float64): embedding, the RNN,
LSTM and GRU cells and layers, and sequence cross-entropy with ``ignore_index``.

Run once, by hand, where torch is installed::

    .venv/bin/python tests/reference/make_recurrent.py

Same conventions as ``make_reference.py`` (whose helpers it uses): inputs from generators
seeded by the case's name, one thread, fixed zip timestamps. A layer's parameters are
stored under PyTorch's own state-dict names (``param_weight_ih_l0``, ...), so the test
also proves that a PyTorch state dict loads into tinydl's layer unchanged.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F  # noqa: N812  (PyTorch's usual spelling)
from make_reference import DTYPE, Fields, host, leaf, rng_for, write_npz

# name: kind, input_size, hidden_size, num_layers, batch_first, extra settings
LAYER_CASES = {
    "rnn_tanh_2layers_batch_first": ("RNN", 3, 4, 2, True, {"nonlinearity": "tanh"}),
    "rnn_relu_1layer_time_major": ("RNN", 3, 4, 1, False, {"nonlinearity": "relu"}),
    "lstm_2layers_batch_first": ("LSTM", 3, 4, 2, True, {}),
    "lstm_1layer_time_major_nobias": ("LSTM", 2, 3, 1, False, {"bias": False}),
    "gru_2layers_batch_first": ("GRU", 3, 4, 2, True, {}),
    "gru_1layer_time_major": ("GRU", 2, 3, 1, False, {}),
}
STEPS, BATCH = 4, 2
CELL_CASES = {  # name: kind, input_size, hidden_size, extra settings
    "rnn_cell_tanh": ("RNNCell", 3, 4, {"nonlinearity": "tanh"}),
    "rnn_cell_relu": ("RNNCell", 3, 4, {"nonlinearity": "relu"}),
    "lstm_cell": ("LSTMCell", 3, 4, {}),
    "gru_cell": ("GRUCell", 3, 4, {}),
}


def with_random_parameters(module: torch.nn.Module, rng: np.random.Generator) -> Fields:
    """Give ``module`` float64 parameters from ``rng`` (wider than PyTorch's default, so
    the gates are not all near 0.5) and return them by state-dict name."""
    module.double()
    fields = {}
    for name, parameter in module.named_parameters():
        values = rng.uniform(-0.8, 0.8, tuple(parameter.shape))
        with torch.no_grad():
            parameter.copy_(torch.tensor(values, dtype=DTYPE))
        fields[f"param_{name}"] = values
    fields["state_names"] = np.array(list(module.state_dict()))  # the npz sorts its keys
    return fields


def gradients(module: torch.nn.Module) -> Fields:
    return {f"grad_{name}": host(p.grad) for name, p in module.named_parameters()}


def backward_all(outputs: list[torch.Tensor], rng: np.random.Generator) -> list[np.ndarray]:
    """Back-propagate one random upstream gradient per output; return those gradients."""
    upstream = [rng.standard_normal(tuple(y.shape)) for y in outputs]
    torch.autograd.backward(outputs, [torch.tensor(g, dtype=DTYPE) for g in upstream])
    return upstream


def layer_cases() -> dict[str, Fields]:
    cases = {}
    for case, (kind, d, h, layers, batch_first, extra) in LAYER_CASES.items():
        rng = rng_for(f"recurrent.{case}")
        module = getattr(torch.nn, kind)(d, h, num_layers=layers, batch_first=batch_first,
                                         **extra)
        fields = with_random_parameters(module, rng)
        x = leaf(rng.standard_normal((BATCH, STEPS, d) if batch_first else (STEPS, BATCH, d)))
        h0 = leaf(0.5 * rng.standard_normal((layers, BATCH, h)))
        fields.update(x=host(x), h0=host(h0))
        if kind == "LSTM":
            c0 = leaf(0.5 * rng.standard_normal((layers, BATCH, h)))
            y, (h_n, c_n) = module(x, (h0, c0))
            gy, gh_n, gc_n = backward_all([y, h_n, c_n], rng)
            fields.update(c0=host(c0), c_n=host(c_n), gc_n=gc_n, gc0=host(c0.grad))
        else:
            y, h_n = module(x, h0)
            gy, gh_n = backward_all([y, h_n], rng)
        fields.update(y=host(y), h_n=host(h_n), gy=gy, gh_n=gh_n, gx=host(x.grad),
                      gh0=host(h0.grad))
        fields.update(gradients(module))
        fields["config"] = np.array(
            repr({"kind": kind, "input_size": d, "hidden_size": h, "num_layers": layers,
                  "batch_first": batch_first, **extra})
        )
        cases[case] = fields
    return cases


def cell_cases() -> dict[str, Fields]:
    """One step of each cell, with the layers' field names: state in h0 (c0), out h_n (c_n)."""
    cases = {}
    for case, (kind, d, h, extra) in CELL_CASES.items():
        rng = rng_for(f"recurrent.{case}")
        module = getattr(torch.nn, kind)(d, h, **extra)
        fields = with_random_parameters(module, rng)
        x, h_prev = leaf(rng.standard_normal((BATCH, d))), leaf(rng.standard_normal((BATCH, h)))
        fields.update(x=host(x), h0=host(h_prev))
        if kind == "LSTMCell":
            c_prev = leaf(rng.standard_normal((BATCH, h)))
            h_next, c_next = module(x, (h_prev, c_prev))
            gh, gc = backward_all([h_next, c_next], rng)
            fields.update(c0=host(c_prev), c_n=host(c_next), gc_n=gc, gc0=host(c_prev.grad))
        else:
            h_next = module(x, h_prev)
            (gh,) = backward_all([h_next], rng)
        fields.update(h_n=host(h_next), gh_n=gh, gx=host(x.grad), gh0=host(h_prev.grad))
        fields.update(gradients(module))
        fields["config"] = np.array(repr({"kind": kind, "input_size": d, "hidden_size": h,
                                          **extra}))
        cases[case] = fields
    return cases


def embedding_cases() -> dict[str, Fields]:
    cases = {}
    for case, padding_idx in (("embedding", None), ("embedding_padding_idx", 1)):
        rng = rng_for(f"recurrent.{case}")
        weight = leaf(rng.standard_normal((6, 3)))
        ids = np.array([[1, 4, 1], [0, 5, 1]])  # id 1 three times: its gradients add up
        y = F.embedding(torch.tensor(ids), weight, padding_idx=padding_idx)
        (gy,) = backward_all([y], rng)
        fields = {"weight": host(weight), "ids": ids, "y": host(y), "gy": gy,
                  "gweight": host(weight.grad)}
        if padding_idx is not None:
            fields["padding_idx"] = np.array(padding_idx)
        cases[case] = fields
    return cases


def sequence_loss_cases() -> dict[str, Fields]:
    rng = rng_for("recurrent.sequence_cross_entropy")
    logits = leaf(2 * rng.standard_normal((2, 5, 4)))
    labels = rng.integers(0, 4, (2, 5))
    labels[0, 3:] = -100  # padding at the end of the first sequence
    loss = F.cross_entropy(logits.reshape(-1, 4), torch.tensor(labels).reshape(-1),
                           ignore_index=-100)
    loss.backward()
    return {"sequence_cross_entropy": {"logits": host(logits), "labels": labels,
                                       "loss": host(loss), "glogits": host(logits.grad)}}


def main() -> None:
    torch.set_num_threads(1)
    cases = {**embedding_cases(), **cell_cases(), **layer_cases(), **sequence_loss_cases()}
    size = write_npz("recurrent", cases)
    print(f"recurrent.npz: {len(cases)} cases, {size / 1024:.1f} KiB, torch {torch.__version__}")


if __name__ == "__main__":
    main()
