"""nn.Linear is PyTorch's layer, its weight stored (out_features, in_features); nn.Dense is
the Keras-layout one, (in_features, out_features). Both run the one ``Linear`` Function.
PyTorch state dicts load as they are (the MNIST Net of pytorch/examples, against values
PyTorch computed: ``reference/torch_nn.npz``, made by ``reference/make_torch_nn.py``),
weights tie as PyTorch programs tie them, and ``tinydl.load`` reads ``torch.save`` files."""

from __future__ import annotations

import io
import math
import os
import pickle
import runpy
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
import torch_twins as tw
from conftest import make
from test_reference import load_cases

import tinydl
from tinydl import nn
from tinydl.ops.linalg import Linear as LinearFunction
from tinydl.ops.linalg import dense, linear
from tinydl.train.checkpoint import CheckpointError

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = Path(__file__).parent / "reference"
REF = load_cases("torch_nn")


def mnist_net_class() -> type:
    """The Net of examples/pytorch_style_mnist.py: pytorch/examples' MNIST model, imports
    changed (defined without running the script)."""
    return runpy.run_path(str(ROOT / "examples" / "pytorch_style_mnist.py"), run_name="net")["Net"]


# ---- the layer -------------------------------------------------------------------------------
def test_linear_stores_pytorchs_layout_initialisation_and_repr() -> None:
    tinydl.manual_seed(0)
    layer = nn.Linear(400, 300)
    assert layer.weight.shape == (300, 400) and layer.bias.shape == (300,)
    limit = 1 / math.sqrt(400)  # PyTorch: U(-1/sqrt(in), 1/sqrt(in)) for weight and bias
    for values in (layer.weight.numpy(), layer.bias.numpy()):
        assert values.dtype == np.float32
        assert np.abs(values).max() <= np.float32(limit)
        assert np.abs(values).max() > 0.98 * limit and abs(values.mean()) < 0.1 * limit
    assert repr(layer) == "Linear(in_features=400, out_features=300, bias=True)"
    plain = nn.Linear(3, 2, bias=False)
    assert plain.bias is None and repr(plain) == "Linear(in_features=3, out_features=2, bias=False)"
    assert [name for name, _ in plain.named_parameters()] == ["weight"]
    assert nn.Linear(3, 2, dtype=tinydl.float64, device="fake").weight.dtype == np.float64
    assert nn.Linear(3, 2, device="fake").weight.device == "fake"
    assert not isinstance(layer, nn.Dense) and nn.Dense(3, 2).weight.shape == (3, 2)


def test_linear_computes_x_times_weight_transposed(device: str, rng) -> None:
    layer = nn.Linear(4, 3).double().to(device)
    x = make(rng.standard_normal((2, 5, 4)), device, requires_grad=False)
    weight, bias = layer.weight.numpy(), layer.bias.numpy()
    expected = x.numpy() @ weight.T + bias
    np.testing.assert_allclose(layer(x).numpy(), expected, rtol=1e-12)
    np.testing.assert_allclose(nn.functional.linear(x, layer.weight, layer.bias).numpy(),
                               expected, rtol=1e-12)
    # Dense holding the transposed weight computes the same function
    twin = nn.Dense(4, 3).double().to(device)
    twin.load_state_dict({"weight": weight.T, "bias": bias})
    np.testing.assert_allclose(twin(x).numpy(), expected, rtol=1e-12)
    assert layer(x).creator.__class__ is twin(x).creator.__class__ is LinearFunction


def test_linear_matches_torch_directly(rng) -> None:
    torch = pytest.importorskip("torch")
    theirs = torch.nn.Linear(6, 4)
    ours = nn.Linear(6, 4)
    ours.load_state_dict(theirs.state_dict())  # torch tensors, as they are
    x = rng.standard_normal((3, 6)).astype(np.float32)
    np.testing.assert_allclose(ours(tinydl.tensor(x)).numpy(),
                               theirs(torch.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-6)
    assert repr(ours) == repr(theirs)


@pytest.mark.parametrize("with_bias", [True, False])
def test_linear_and_dense_gradcheck(device: str, rng, with_bias: bool) -> None:
    x = make(rng.standard_normal((2, 3, 4)), device)
    bias = make(rng.standard_normal(5), device) if with_bias else None
    out_in = make(rng.standard_normal((5, 4)), device)
    in_out = make(rng.standard_normal((4, 5)), device)
    inputs = (x, out_in) if bias is None else (x, out_in, bias)
    assert tinydl.gradcheck(lambda *a: linear(*a), inputs)
    assert tinydl.gradcheck(lambda *a: dense(*a), (x, in_out) if bias is None
                            else (x, in_out, bias))
    y = linear(*inputs)
    assert y.dtype == np.float64 and y.shape == (2, 3, 5)


def test_linear_keeps_float32(device: str, rng) -> None:
    layer = nn.Linear(4, 3).to(device)
    x = tinydl.tensor(rng.standard_normal((2, 4)), dtype="float32", device=device)
    y = layer(x)
    y.sum().backward()
    assert y.dtype == layer.weight.grad.dtype == layer.bias.grad.dtype == np.float32


# ---- tying and fans -------------------------------------------------------------------------
def test_tied_embedding_and_head_list_once_train_once_and_save_both_names(device: str) -> None:
    class LanguageModel(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.wte = nn.Embedding(7, 4)
            self.lm_head = nn.Linear(4, 7, bias=False)  # (7, 4): the embedding's shape
            self.wte.weight = self.lm_head.weight

        def forward(self, ids):
            return self.lm_head(self.wte(ids))

    model = LanguageModel().double().to(device)
    assert model.wte.weight is model.lm_head.weight
    assert [name for name, _ in model.named_parameters()] == ["wte.weight"]
    assert list(model.state_dict()) == ["wte.weight", "lm_head.weight"]
    ids = tinydl.tensor(np.array([[0, 3, 6]]), device=device)
    model(ids).sum().backward()
    shared = model.wte.weight
    # The gradient adds both uses: the embedding rows looked up, and the head's x.
    embedded = shared.numpy()[[0, 3, 6]]
    expected = np.zeros((7, 4))
    expected[[0, 3, 6]] += shared.numpy().sum(0)  # d(sum(e W^T))/de = sum of W's rows
    expected += embedded.sum(0)  # d(sum(e W^T))/dW = sum of e for every row
    np.testing.assert_allclose(shared.grad.numpy(), expected, rtol=1e-12)
    # state dicts with both names load back, as PyTorch's do
    model.load_state_dict(model.state_dict())


def test_in_place_initialisers_read_the_fans_of_each_layout() -> None:
    """kaiming's fan_in is in_features for both layouts (Linear (out, in), Dense (in, out))."""
    bound = math.sqrt(3) * math.sqrt(2) / math.sqrt(300)  # a=0: gain sqrt(2)
    for weight in (nn.Linear(300, 100).weight, nn.Dense(300, 100).weight):
        tinydl.manual_seed(1)
        values = nn.init.kaiming_uniform_(weight, nonlinearity="relu").numpy()
        assert values.max() <= bound and values.max() > 0.98 * bound
        std = nn.init.kaiming_normal_(weight, mode="fan_out", nonlinearity="relu").numpy().std()
        assert std == pytest.approx(math.sqrt(2 / 100), rel=0.03)


# ---- PyTorch's MNIST model ------------------------------------------------------------------
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_pytorch_examples_mnist_net_gives_torchs_logits(device: str, dtype: str) -> None:
    ref = REF["mnist_net"]
    model = mnist_net_class()()
    assert [(name, value.shape) for name, value in model.state_dict().items()] == [
        ("conv1.weight", (32, 1, 3, 3)), ("conv1.bias", (32,)),
        ("conv2.weight", (64, 32, 3, 3)), ("conv2.bias", (64,)),
        ("fc1.weight", (128, 9216)), ("fc1.bias", (128,)),
        ("fc2.weight", (10, 128)), ("fc2.bias", (10,)),
    ]  # fmt: skip
    (model.double() if dtype == "float64" else model).to(device)
    model.load_state_dict(tw.formula_parameters(model.named_parameters()))
    y = model.eval()(tinydl.tensor(ref["x"], dtype=dtype, device=device))
    assert y.dtype == np.dtype(dtype)
    np.testing.assert_allclose(y.numpy(), ref["y"], rtol=1e-10 if dtype == "float64" else 1e-4,
                               atol=1e-10 if dtype == "float64" else 1e-4)


def test_mnist_state_dict_saved_by_torch_loads_with_tinydl_load(tmp_path: Path) -> None:
    torch = pytest.importorskip("torch")
    sys.path.insert(0, str(REFERENCE))
    try:
        from make_torch_nn import MnistNet
    finally:
        sys.path.remove(str(REFERENCE))
    torch.manual_seed(0)
    theirs = MnistNet().eval()
    torch.save(theirs.state_dict(), tmp_path / "mnist_cnn.pt")
    ours = mnist_net_class()()
    ours.load_state_dict(tinydl.load(tmp_path / "mnist_cnn.pt"))
    images = tw.mnist_input(3).astype(np.float32)
    expected = theirs(torch.tensor(images)).detach().numpy()
    np.testing.assert_allclose(ours.eval()(tinydl.tensor(images)).numpy(), expected,
                               rtol=1e-4, atol=1e-5)
    ours.load_state_dict(theirs.state_dict())  # torch tensors, without .numpy()
    np.testing.assert_allclose(ours(tinydl.tensor(images)).numpy(), expected, rtol=1e-4,
                               atol=1e-5)


# ---- files written by torch.save ------------------------------------------------------------
def test_a_file_written_by_torch_save_loads_without_torch() -> None:
    expected = REF["saved"]
    saved = tinydl.load(REFERENCE / "torch_saved.pt")
    assert saved["epoch"] == 7 and saved["lr"] == 0.25 and saved["name"] == "mnist"
    assert saved["history"] == [1.5, 2.5]
    for field in ("transposed", "row", "labels"):
        assert saved[field].dtype == expected[field].dtype
        np.testing.assert_array_equal(saved[field], expected[field])
    state = saved["model"]
    assert list(state) == ["0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean",
                           "1.running_var", "1.num_batches_tracked"]
    for name, values in state.items():
        np.testing.assert_array_equal(values, expected[f"model/{name.replace('.', '/')}"])
    assert state["0.weight"].dtype == np.float32 and state["1.num_batches_tracked"] == 1
    # tinydl's BatchNorm keeps no batch count: strict=False loads the rest and says so
    model = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2))
    missing, unexpected = model.load_state_dict(state, strict=False)
    assert missing == [] and unexpected == ["1.num_batches_tracked"]
    np.testing.assert_array_equal(model[1].running_var.numpy(), state["1.running_var"])


def test_map_location_places_torch_and_tinydl_files(tmp_path: Path) -> None:
    on_fake = tinydl.load(REFERENCE / "torch_saved.pt", map_location="fake")
    assert tinydl.tensor(on_fake["row"]).device == "fake"
    mapped = tinydl.load(REFERENCE / "torch_saved.pt", map_location={"cpu": "fake"})
    assert tinydl.tensor(mapped["model"]["0.bias"]).device == "fake"
    kept = tinydl.load(REFERENCE / "torch_saved.pt", map_location={"cuda:0": "cpu"})
    assert isinstance(kept["row"], np.ndarray)  # saved on the CPU: not in the dict
    tinydl.save({"w": np.ones(2)}, tmp_path / "w.pt")
    assert tinydl.tensor(tinydl.load(tmp_path / "w.pt", map_location=tinydl.device("fake"))
                         ["w"]).device == "fake"
    assert isinstance(tinydl.load(tmp_path / "w.pt", weights_only=False)["w"], np.ndarray)


def test_a_pickle_that_would_run_code_is_refused_and_not_run(tmp_path: Path) -> None:
    marker = tmp_path / "ran"

    class Payload:
        def __reduce__(self):
            return (os.mkdir, (str(marker),))

    archive = tmp_path / "evil.pt"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("evil/data.pkl", pickle.dumps({"weight": Payload()}, protocol=2))
        zipped.writestr("evil/byteorder", "little")
    with pytest.raises(CheckpointError, match="never runs code") as info:
        tinydl.load(archive, weights_only=False)
    assert "mkdir to be loaded" in str(info.value) and not marker.exists()


def test_save_and_load_through_file_objects(tmp_path: Path) -> None:
    state = {"model": {"w": np.arange(3.0)}, "epoch": 2}
    buffer = io.BytesIO()
    assert tinydl.save(state, buffer) is None
    buffer.seek(0)
    loaded = tinydl.load(buffer)
    np.testing.assert_array_equal(loaded["model"]["w"], np.arange(3.0))
    assert loaded["epoch"] == 2
    with open(tmp_path / "state.pt", "wb") as f:
        tinydl.save(state, f)
    with open(tmp_path / "state.pt", "rb") as f:
        assert tinydl.load(f, map_location="cpu")["epoch"] == 2
    assert tinydl.save(state, tmp_path / "atomic.pt") == tmp_path / "atomic.pt"
    assert not list(tmp_path.glob(".*.part"))  # the path write went through a renamed file
