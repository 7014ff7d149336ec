"""Write ``tests/reference/torch_nn.npz`` and ``tests/reference/torch_saved.pt`` with PyTorch
(CPU, float64 unless a case says otherwise): what PyTorch's ``nn`` surface computes for the
models of ``tests/torch_twins.py`` loaded with its deterministic weights, L-BFGS's iterates,
and a small file written by ``torch.save`` for tinydl's reader.

Run once, by hand, where torch is installed::

    .venv/bin/python tests/reference/make_torch_nn.py

Same conventions as ``make_reference.py`` (keys ``<case>.<field>``, fixed zip timestamps,
settings beside the values). The weights are not stored: both sides compute them with
``torch_twins.formula`` from each parameter's name, which keeps the MNIST network's 1.2
million weights out of the repository.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F  # noqa: N812  (PyTorch's usual spelling)
from make_reference import DTYPE, Fields, host, write_npz

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # tests/, for torch_twins
import torch_twins as tw  # noqa: E402


def load_formula(module: torch.nn.Module) -> None:
    """Every parameter of ``module`` set to ``tw.formula`` of its name (tied ones once)."""
    with torch.no_grad():
        for name, values in tw.formula_parameters(module.named_parameters()).items():
            module.get_parameter(name).copy_(torch.tensor(values))


class MnistNet(torch.nn.Module):
    """The Net of pytorch/examples mnist/main.py (examples/pytorch_style_mnist.py is its
    tinydl copy)."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = torch.nn.Conv2d(1, 32, 3, 1)
        self.conv2 = torch.nn.Conv2d(32, 64, 3, 1)
        self.dropout1 = torch.nn.Dropout(0.25)
        self.dropout2 = torch.nn.Dropout(0.5)
        self.fc1 = torch.nn.Linear(9216, 128)
        self.fc2 = torch.nn.Linear(128, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.relu(self.conv2(F.relu(self.conv1(x))))
        x = self.dropout1(F.max_pool2d(x, 2))
        x = self.dropout2(F.relu(self.fc1(torch.flatten(x, 1))))
        return F.log_softmax(self.fc2(x), dim=1)


def model_cases() -> dict[str, Fields]:
    net = MnistNet().to(DTYPE).eval()
    load_formula(net)
    images = torch.tensor(tw.mnist_input())
    cases = {"mnist_net": {"x": host(images), "y": host(net(images))}}

    gpt = tw.gpt_class(torch)(**tw.GPT_CONFIG).to(DTYPE).eval()
    load_formula(gpt)
    tokens = torch.tensor(tw.gpt_tokens())
    cases["gpt"] = {"idx": tokens.numpy(), "logits": host(gpt(tokens))}
    return cases


def transformer_cases() -> dict[str, Fields]:
    settings = tw.TRANSFORMER
    d_model, heads, hidden = settings["d_model"], settings["nhead"], settings["dim_feedforward"]
    cases: dict[str, Fields] = {}

    # A post-norm encoder layer, sequence-first, with a causal float mask and padding.
    layer = torch.nn.TransformerEncoderLayer(d_model, heads, hidden, dropout=0.0, dtype=DTYPE)
    load_formula(layer)
    src = torch.tensor(tw.sequence("encoder.src", (5, 3, d_model)), requires_grad=True)
    mask = torch.nn.Transformer.generate_square_subsequent_mask(5, dtype=DTYPE)
    padding = torch.tensor(tw.padding_mask(3, 5))
    y = layer(src, src_mask=mask, src_key_padding_mask=padding, is_causal=True)
    gy = torch.tensor(tw.sequence("encoder.gy", tuple(y.shape)))
    y.backward(gy)
    cases["encoder_layer"] = {"y": host(y), "gy": host(gy), "gsrc": host(src.grad)}

    # A pre-norm decoder layer, batch-first, GELU, a boolean memory padding mask.
    layer = torch.nn.TransformerDecoderLayer(d_model, heads, hidden, dropout=0.0,
                                             activation="gelu", batch_first=True,
                                             norm_first=True, dtype=DTYPE)
    load_formula(layer)
    tgt = torch.tensor(tw.sequence("decoder.tgt", (3, 4, d_model)), requires_grad=True)
    memory = torch.tensor(tw.sequence("decoder.memory", (3, 5, d_model)), requires_grad=True)
    y = layer(tgt, memory, tgt_mask=torch.nn.Transformer.generate_square_subsequent_mask(
        4, dtype=DTYPE), memory_key_padding_mask=torch.tensor(tw.padding_mask(3, 5)))
    gy = torch.tensor(tw.sequence("decoder.gy", tuple(y.shape)))
    y.backward(gy)
    cases["decoder_layer"] = {"y": host(y), "gy": host(gy), "gtgt": host(tgt.grad),
                              "gmemory": host(memory.grad)}

    # The whole nn.Transformer, sequence-first, evaluation mode.
    model = torch.nn.Transformer(**settings, dtype=DTYPE).eval()
    load_formula(model)
    src = torch.tensor(tw.sequence("transformer.src", (5, 2, d_model)))
    tgt = torch.tensor(tw.sequence("transformer.tgt", (4, 2, d_model)))
    with torch.no_grad():
        y = model(src, tgt, tgt_mask=model.generate_square_subsequent_mask(4, dtype=DTYPE),
                  src_key_padding_mask=torch.tensor(tw.padding_mask(2, 5)))
    cases["transformer"] = {"y": host(y)}
    return cases


def rosenbrock(x: torch.Tensor) -> torch.Tensor:
    return ((1 - x[:-1]) ** 2).sum() + 100 * ((x[1:] - x[:-1] ** 2) ** 2).sum()


LBFGS_CASES = {  # name: LBFGS options (as JSON), steps taken
    "fixed_step": ({"lr": 0.1}, 3),
    "strong_wolfe": ({"lr": 1.0, "line_search_fn": "strong_wolfe"}, 3),
    "short_history": ({"lr": 1.0, "history_size": 3, "max_iter": 7,
                       "line_search_fn": "strong_wolfe"}, 3),
}
LBFGS_START = np.array([-1.2, 1.0, -0.5, 0.8, 1.5])


def lbfgs_cases() -> dict[str, Fields]:
    cases = {}
    for case, (options, steps) in LBFGS_CASES.items():
        x = torch.tensor(LBFGS_START, dtype=DTYPE, requires_grad=True)
        optimizer = torch.optim.LBFGS([x], **options)

        def closure(x=x, optimizer=optimizer) -> torch.Tensor:
            optimizer.zero_grad()
            loss = rosenbrock(x)
            loss.backward()
            return loss

        xs, losses = [], []
        for _ in range(steps):
            losses.append(float(optimizer.step(closure)))
            xs.append(x.detach().numpy().copy())
        cases[f"lbfgs_{case}"] = {
            "options": np.array(repr(options)), "start": LBFGS_START, "x": np.array(xs),
            "loss": np.array(losses), "func_evals": np.array(optimizer.state[x]["func_evals"]),
        }
    return cases


def saved_file() -> dict[str, Fields]:
    """``torch_saved.pt``: a state dict of Linear and BatchNorm1d (float32, with the int64
    num_batches_tracked), a transposed (non-contiguous) tensor, a float64 and an int
    tensor, nested values; and its contents as arrays for the test."""
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.BatchNorm1d(2))
    model.train()(torch.randn(4, 3))  # one batch: running statistics move, count is 1
    matrix = torch.arange(12, dtype=torch.float64).reshape(3, 4)
    content = {
        "model": model.state_dict(), "transposed": matrix.t(), "row": matrix[1],
        "labels": torch.tensor([3, 1, 4]), "epoch": 7, "lr": 0.25, "name": "mnist",
        "history": [1.5, 2.5],
    }
    torch.save(content, HERE / "torch_saved.pt")
    fields = {f"model/{name}": host(value) for name, value in model.state_dict().items()}
    fields.update(transposed=host(matrix.t()), row=host(matrix[1]),
                  labels=np.array([3, 1, 4]))
    return {"saved": {key.replace(".", "/"): value for key, value in fields.items()}}


def main() -> None:
    torch.set_num_threads(1)
    cases = {**model_cases(), **transformer_cases(), **lbfgs_cases(), **saved_file()}
    size = write_npz("torch_nn", cases)
    print(f"torch_nn.npz: {len(cases)} cases, {size:,} bytes; "
          f"torch_saved.pt: {(HERE / 'torch_saved.pt').stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
