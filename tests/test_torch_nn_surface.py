"""PyTorch's nn surface beyond the layers: the containers (ModuleList, ModuleDict,
ParameterList, ParameterDict), Module's registration methods and attribute rules,
state_dict / load_state_dict as PyTorch has them, zero_grad(set_to_none), nn.utils'
clipping, nn.DataParallel, flatten_parameters, Dropout2d on other ranks; and a nanoGPT-
shaped model, written once for both libraries (``torch_twins.py``), giving PyTorch's
logits (``reference/torch_nn.npz``) and loading PyTorch's state dict."""

from __future__ import annotations

import math
import re
import warnings

import numpy as np
import pytest
import torch_twins as tw
from conftest import make
from test_reference import load_cases

import tinydl
from tinydl import nn, optim

REF = load_cases("torch_nn")


# ---- containers ------------------------------------------------------------------------------
def test_module_list_registers_and_behaves_as_a_list(device: str) -> None:
    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.layers = nn.ModuleList([nn.Linear(2, 3), nn.ReLU()])
            self.layers.append(nn.Linear(3, 1))

        def forward(self, x):
            for layer in self.layers:
                x = layer(x)
            return x

    net = Net().to(device)
    assert [name for name, _ in net.named_parameters()] == [
        "layers.0.weight", "layers.0.bias", "layers.2.weight", "layers.2.bias"]
    assert all(p.device == device for p in net.parameters())
    layers = net.layers
    assert len(layers) == 3 and isinstance(layers[-1], nn.Linear) and layers[-3] is layers[0]
    head = layers[1:]
    assert isinstance(head, nn.ModuleList) and len(head) == 2 and head[0] is layers[1]
    layers.insert(1, nn.Tanh())
    assert [type(m).__name__ for m in layers] == ["Linear", "Tanh", "ReLU", "Linear"]
    assert layers.pop(1).__class__ is nn.Tanh and len(layers) == 3
    del layers[1]
    layers += [nn.ReLU()]
    assert [type(m).__name__ for m in layers] == ["Linear", "Linear", "ReLU"]
    assert list(net.state_dict()) == ["layers.0.weight", "layers.0.bias", "layers.1.weight",
                                      "layers.1.bias"]
    assert isinstance(layers + [nn.Tanh()], nn.ModuleList)
    assert net.eval() is net and not layers[0].training
    visited: list[str] = []
    net.apply(lambda m: visited.append(type(m).__name__))
    assert visited == ["Linear", "Linear", "ReLU", "ModuleList", "Net"]
    with pytest.raises(IndexError, match="index 5 is out of range"):
        layers[5]


def test_module_dict_keys_are_attributes_and_children() -> None:
    blocks = nn.ModuleDict({"encode": nn.Linear(2, 4), "act": nn.ReLU()})
    blocks["decode"] = nn.Linear(4, 2)
    assert list(blocks) == blocks.keys() == ["encode", "act", "decode"]
    assert blocks.encode is blocks["encode"] and "act" in blocks and "x" not in blocks
    assert len(blocks) == 3 and [type(v).__name__ for v in blocks.values()] == [
        "Linear", "ReLU", "Linear"]
    assert [name for name, _ in blocks.named_parameters()] == [
        "encode.weight", "encode.bias", "decode.weight", "decode.bias"]
    blocks.update([("act", nn.Tanh())])  # pairs, replacing a key in place
    assert isinstance(blocks.act, nn.Tanh) and blocks.keys() == ["encode", "act", "decode"]
    assert isinstance(blocks.pop("act"), nn.Tanh) and blocks.keys() == ["encode", "decode"]
    blocks.train(False)  # "training" is an attribute, not an entry
    assert blocks.keys() == ["encode", "decode"]
    with pytest.raises(KeyError):
        blocks["missing"]
    blocks.clear()
    assert len(blocks) == 0 and list(blocks.parameters()) == []


def test_parameter_list_and_dict_make_parameters_of_tensors(device: str) -> None:
    values = nn.ParameterList([nn.Parameter(tinydl.ones(2)), tinydl.zeros(3)])
    assert all(isinstance(p, nn.Parameter) and p.requires_grad for p in values)
    values.append(tinydl.ones(1))
    table = nn.ParameterDict({"scale": tinydl.ones(2)})
    table["shift"] = nn.Parameter(tinydl.zeros(2))

    class Holder(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.values, self.table = values, table

        def forward(self, x):
            return x * self.table.scale

    holder = Holder().to(device)
    assert [(name, p.shape) for name, p in holder.named_parameters()] == [
        ("values.0", (2,)), ("values.1", (3,)), ("values.2", (1,)),
        ("table.scale", (2,)), ("table.shift", (2,))]
    assert all(p.device == device for p in holder.parameters())
    assert table.scale is table["scale"]
    assert "(1): Parameter of shape (3,), float32" in repr(values)
    assert "Trainable params: 10" in nn.summary(holder, (2,), print_fn=None)
    holder.double()
    assert values[1].dtype == np.float64
    state = holder.state_dict()
    holder.load_state_dict({name: value + 1 for name, value in state.items()})
    np.testing.assert_array_equal(values[0].numpy(), [2.0, 2.0])


# ---- Module's registration methods and attribute rules -----------------------------------
def test_register_buffer_parameter_and_module(device: str) -> None:
    class Layer(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.register_buffer("mask", tinydl.tensor(np.tril(np.ones((3, 3)))))
            self.register_buffer("cache", tinydl.zeros(2), persistent=False)
            self.register_buffer("nothing", None)
            self.register_parameter("scale", nn.Parameter(tinydl.ones(3)))
            self.add_module("inner", nn.Linear(3, 3))
            self.register_module("act", nn.ReLU())

    layer = Layer().to(device)
    assert [name for name, _ in layer.named_buffers()] == ["mask", "cache"]
    assert list(layer.state_dict()) == ["scale", "mask", "inner.weight", "inner.bias"]
    assert layer.mask.device == device and not layer.mask.requires_grad
    assert [name for name, _ in layer.named_children()] == ["inner", "act"]
    assert layer.nothing is None and "cache" not in layer.state_dict()
    # assigning a plain tensor to a buffer's name keeps it a buffer (nanoGPT's crop_block_size)
    layer.mask = layer.mask[:2, :2]
    assert isinstance(layer.mask, nn.Buffer) and layer.state_dict()["mask"].shape == (2, 2)
    layer.cache = tinydl.ones(4, device=device)
    assert "cache" not in layer.state_dict() and isinstance(layer.cache, nn.Buffer)
    layer.register_buffer("mask", tinydl.zeros(2, device=device))  # registering again replaces
    assert layer.state_dict()["mask"].tolist() == [0.0, 0.0]
    # assigning a Parameter ties or replaces; a plain tensor over a parameter is refused
    layer.scale = nn.Parameter(tinydl.zeros(3))
    with pytest.raises(TypeError, match="cannot assign Tensor as parameter 'scale'"):
        layer.scale = tinydl.zeros(3)
    layer.scale = None
    assert [name for name, _ in layer.named_parameters()] == ["inner.weight", "inner.bias"]


def test_named_modules_get_submodule_and_shared_modules() -> None:
    shared = nn.Linear(2, 2)
    model = nn.Sequential(shared, nn.ReLU(), nn.Sequential(shared, nn.Tanh()))
    assert [name for name, _ in model.named_modules()] == ["", "0", "1", "2", "2.1"]
    assert [name for name, _ in model.named_modules(prefix="net")] == [
        "net", "net.0", "net.1", "net.2", "net.2.1"]
    assert len(list(model.named_modules(remove_duplicate=False))) == 6
    assert model.get_submodule("2.1").__class__ is nn.Tanh and model.get_submodule("") is model
    with pytest.raises(AttributeError, match="no submodule '5'"):
        model.get_submodule("2.5")
    assert [name for name, _ in model.named_parameters(prefix="net")] == [
        "net.0.weight", "net.0.bias"]
    assert len(list(model.named_parameters(remove_duplicate=False))) == 4
    assert list(model.parameters(recurse=False)) == []


def test_load_state_dict_strict_false_reports_and_loads_the_rest() -> None:
    model = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 1))
    state = model.state_dict()
    del state["1.bias"]
    state["extra"] = np.zeros(1)
    state["0.bias"] = np.array([5.0, 6.0])
    with pytest.raises(ValueError, match=re.escape("missing 1.bias | unexpected extra")):
        model.load_state_dict(state)
    result = model.load_state_dict(state, strict=False)
    assert result.missing_keys == ["1.bias"] and result.unexpected_keys == ["extra"]
    np.testing.assert_array_equal(model[0].bias.numpy(), [5.0, 6.0])
    assert model.load_state_dict(model.state_dict()) == ([], [])


def test_a_buffer_may_hold_minus_infinity_but_a_parameter_may_not() -> None:
    model = nn.Linear(2, 2)
    model.register_buffer("mask", nn.Transformer.generate_square_subsequent_mask(3))
    model.load_state_dict(model.state_dict())  # the causal mask's −inf loads
    state = model.state_dict()
    state["weight"][0, 0] = -np.inf
    with pytest.raises(ValueError, match=r"state\['weight'\] holds 1 NaN or infinite"):
        model.load_state_dict(state)


def test_requires_grad_freezes_and_parameter_may_start_frozen() -> None:
    model = nn.Linear(2, 2)
    assert model.requires_grad_(False) is model
    assert not any(p.requires_grad for p in model.parameters())
    frozen = nn.Parameter(tinydl.ones(2), requires_grad=False)
    assert not frozen.requires_grad and isinstance(frozen, nn.Parameter)


@pytest.mark.parametrize("owner", ["module", "optimizer"])
def test_zero_grad_sets_none_by_default_and_zeros_on_request(owner: str, device: str) -> None:
    model = nn.Linear(3, 2).to(device)
    optimizer = optim.SGD(model.parameters(), lr=0.1)
    target = model if owner == "module" else optimizer
    x = tinydl.ones((4, 3), device=device)
    model(x).sum().backward()
    target.zero_grad(set_to_none=False)
    assert all(p.grad is not None and not p.grad.numpy().any() for p in model.parameters())
    assert all(p.grad.device == device and p.grad.dtype == np.float32
               for p in model.parameters())
    model(x).sum().backward()  # adds onto the zeros
    np.testing.assert_array_equal(model.bias.grad.numpy(), [4.0, 4.0])
    target.zero_grad()
    assert all(p.grad is None for p in model.parameters())


# ---- nn.utils, nn.parallel, small PyTorch habits ------------------------------------------
def gradients(device: str) -> list[tinydl.Tensor]:
    a, b = make([0.0, 0.0], device), make([0.0], device)
    a.grad = tinydl.tensor([3.0, -4.0], dtype="float64", device=device)
    b.grad = tinydl.tensor([12.0], dtype="float64", device=device)
    return [a, b]


@pytest.mark.parametrize(("norm_type", "norm"), [
    (2.0, 13.0), (1, 19.0), (math.inf, 12.0), ("inf", 12.0), (3, (27 + 64 + 1728) ** (1 / 3)),
])
def test_clip_grad_norm_of_every_order(norm_type, norm: float, device: str) -> None:
    a, b = gradients(device)
    total = nn.utils.clip_grad_norm_([a, b], max_norm=1.0, norm_type=norm_type)
    assert float(total) == pytest.approx(norm, rel=1e-12)
    factor = 1.0 / (norm + 1e-6)
    np.testing.assert_allclose(a.grad.numpy(), [3 * factor, -4 * factor], rtol=1e-12)
    np.testing.assert_allclose(b.grad.numpy(), [12 * factor], rtol=1e-12)
    assert nn.utils.clip_grad_norm_ is optim.clip_grad_norm_


def test_clip_grad_norm_takes_one_tensor_and_can_refuse_nonfinite() -> None:
    a, _ = gradients("cpu")
    assert float(nn.utils.clip_grad_norm_(a, 10.0)) == 5.0  # one tensor, as PyTorch allows
    a.grad = tinydl.tensor([np.inf, 1.0], dtype="float64")
    with pytest.raises(RuntimeError, match="norm of order 2.0 of the gradients is inf"):
        nn.utils.clip_grad_norm_([a], 1.0, error_if_nonfinite=True)


def test_clip_grad_value_clamps_each_element(device: str) -> None:
    a, b = gradients(device)
    original = a.grad
    assert nn.utils.clip_grad_value_([a, b], clip_value=3.5) is None
    np.testing.assert_array_equal(a.grad.numpy(), [3.0, -3.5])
    np.testing.assert_array_equal(b.grad.numpy(), [3.5])
    np.testing.assert_array_equal(original.numpy(), [3.0, -4.0])  # a new tensor, not in place
    assert a.grad.device == device


def test_clip_grad_matches_torch(rng) -> None:
    torch = pytest.importorskip("torch")
    grads = [rng.standard_normal((3, 4)), rng.standard_normal(5)]
    for norm_type in (2.0, 1.0, math.inf, 0.5):
        ours = [make(np.zeros_like(g), "cpu") for g in grads]
        theirs = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in grads]
        for p, q, g in zip(ours, theirs, grads, strict=True):
            p.grad, q.grad = tinydl.tensor(g, dtype="float64"), torch.tensor(g)
        total = nn.utils.clip_grad_norm_(ours, 0.7, norm_type)
        expected = torch.nn.utils.clip_grad_norm_(theirs, 0.7, norm_type)
        assert float(total) == pytest.approx(float(expected), rel=1e-12)
        for p, q in zip(ours, theirs, strict=True):
            np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-12)
    torch.nn.utils.clip_grad_value_(theirs, 0.1)
    nn.utils.clip_grad_value_(ours, 0.1)
    for p, q in zip(ours, theirs, strict=True):
        np.testing.assert_array_equal(p.grad.numpy(), q.grad.numpy())


def test_data_parallel_runs_the_module_on_its_device(device: str) -> None:
    inner = nn.Linear(3, 2).to(device)
    model = nn.DataParallel(inner, device_ids=[0, 1])
    assert nn.parallel.DataParallel is nn.DataParallel and model.module is inner
    x = tinydl.ones((4, 3), device=device)
    np.testing.assert_array_equal(model(x).numpy(), inner(x).numpy())
    assert list(model.state_dict()) == ["module.weight", "module.bias"]  # as PyTorch names them
    assert list(model.parameters()) == list(inner.parameters())


def test_distributed_data_parallel_needs_a_process_group() -> None:
    from tinydl.distributed import DistributedError
    from tinydl.nn.parallel import DistributedDataParallel

    with pytest.raises(DistributedError, match="call tinydl.distributed.init_process_group"):
        DistributedDataParallel(nn.Linear(2, 2), device_ids=[0])


def test_flatten_parameters_is_accepted_and_changes_nothing() -> None:
    for layer in (nn.LSTM(3, 4), nn.GRU(3, 4), nn.RNN(3, 4, num_layers=2)):
        before = layer.state_dict()
        assert layer.flatten_parameters() is None
        for name, values in layer.state_dict().items():
            np.testing.assert_array_equal(values, before[name])


def test_dropout2d_on_other_ranks_warns_and_drops_as_pytorch(device: str) -> None:
    """PyTorch 2: a 2-D (N, C) input drops single values, a 3-D one is taken as (N, C, L),
    both with a warning; 4-D is the normal case, silent."""
    tinydl.manual_seed(0)
    layer = nn.Dropout2d(0.5)
    with pytest.warns(UserWarning, match="2-D input"):
        y = layer(tinydl.ones((64, 32), device=device)).numpy()
    assert set(np.unique(y)) == {0.0, 2.0}
    rows_mixed = ((y == 0).any(axis=1) & (y == 2).any(axis=1)).mean()
    assert rows_mixed > 0.9  # values dropped one by one, not whole rows
    with pytest.warns(UserWarning, match=r"as \(N, C, L\)"):
        y = layer(tinydl.ones((8, 16, 5), device=device)).numpy()
    assert ((y == 0).all(axis=2) | (y == 2).all(axis=2)).all()  # whole rows x[n, c]
    assert 0.3 < (y == 0).mean() < 0.7
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        layer(tinydl.ones((2, 3, 4, 4), device=device))
    with pytest.raises(ValueError, match=r"of shape \(N, C, \.\.\.\), got shape \(3,\)"):
        layer(tinydl.ones(3, device=device))


# ---- a nanoGPT-shaped model -------------------------------------------------------------------
def test_nanogpt_shaped_model_gives_torchs_logits(device: str) -> None:
    model = tw.gpt_class(tinydl)(**tw.GPT_CONFIG).double().to(device).eval()
    assert model.transformer.wte.weight is model.lm_head.weight
    names = [name for name, _ in model.named_parameters()]
    assert "lm_head.weight" not in names and names[0] == "transformer.wte.weight"
    assert model.state_dict()["transformer.h.1.attn.bias"].shape == (1, 1, 8, 8)
    model.load_state_dict(tw.formula_parameters(model.named_parameters()), strict=False)
    logits = model(tinydl.tensor(REF["gpt"]["idx"], device=device))
    np.testing.assert_allclose(logits.numpy(), REF["gpt"]["logits"], rtol=1e-10, atol=1e-12)
    # nanoGPT's optimiser groups: decay the matrices, not the biases and norms
    decay = [p for p in model.parameters() if p.ndim >= 2]
    optimizer = optim.AdamW([{"params": decay, "weight_decay": 0.1},
                             {"params": [p for p in model.parameters() if p.ndim < 2],
                              "weight_decay": 0.0}], lr=1e-3, betas=(0.9, 0.95))
    model.train()
    loss = nn.functional.cross_entropy(logits.reshape(-1, tw.GPT_CONFIG["vocab_size"]),
                                       tinydl.tensor(REF["gpt"]["idx"].reshape(-1),
                                                     device=device))
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    assert model.transformer.wte.weight is model.lm_head.weight  # still tied after the step


def test_nanogpt_shaped_model_loads_torchs_state_dict_directly() -> None:
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    theirs = tw.gpt_class(torch)(**tw.GPT_CONFIG).eval()
    ours = tw.gpt_class(tinydl)(**tw.GPT_CONFIG).eval()
    state = theirs.state_dict()  # holds the tied weight under both names, and the masks
    assert list(state) == list(ours.state_dict())
    ours.load_state_dict(state)
    idx = tw.gpt_tokens()
    np.testing.assert_allclose(ours(tinydl.tensor(idx)).numpy(),
                               theirs(torch.tensor(idx)).detach().numpy(), rtol=1e-4, atol=1e-5)
