"""Module and Sequential: finding parameters and buffers, train/eval, moving between
devices, state_dict save/load (and its errors), repr, and a float32 model trained end to
end without any upcast."""

from __future__ import annotations

import re

import numpy as np
import pytest
from conftest import make

import tinydl
from tinydl import backend, nn, optim


def nested_model() -> nn.Sequential:
    """Dense, ReLU, a Sequential inside (Dense, BatchNorm1D), Dense: 3 -> 4 -> 4 -> 2."""
    return nn.Sequential(
        nn.Dense(3, 4),
        nn.ReLU(),
        nn.Sequential(nn.Dense(4, 4), nn.BatchNorm1D(4), nn.Dropout(0.5)),
        nn.Dense(4, 2),
    )


class Encoder(nn.Module):
    """A hand-written module: children as attributes and in a list."""

    def __init__(self) -> None:
        self.embed = nn.Dense(3, 4)
        self.blocks = [nn.Dense(4, 4), nn.Dense(4, 4, bias=False)]

    def forward(self, x: tinydl.Tensor) -> tinydl.Tensor:
        x = self.embed(x)
        for block in self.blocks:
            x = block(x)
        return x


class Tied(nn.Module):
    """Two Dense layers sharing one weight (weight tying)."""

    def __init__(self) -> None:
        self.first = nn.Dense(3, 3)
        self.second = nn.Dense(3, 3)
        self.second.weight = self.first.weight

    def forward(self, x: tinydl.Tensor) -> tinydl.Tensor:
        return self.second(self.first(x))


def host_values(model: nn.Module) -> dict[str, np.ndarray]:
    return dict(model.state_dict())


def assert_same_values(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> None:
    assert list(a) == list(b)
    for name in a:
        np.testing.assert_array_equal(a[name], b[name], err_msg=name)


# ---- what a module contains --------------------------------------------------------------
def test_named_parameters_and_buffers_of_nested_sequential_in_order():
    model = nested_model()
    assert [name for name, _ in model.named_parameters()] == [
        "0.weight", "0.bias", "2.0.weight", "2.0.bias", "2.1.weight", "2.1.bias",
        "3.weight", "3.bias",
    ]  # fmt: skip
    assert [name for name, _ in model.named_buffers()] == ["2.1.running_mean", "2.1.running_var"]
    shapes = [p.shape for p in model.parameters()]
    assert shapes == [(3, 4), (4,), (4, 4), (4,), (4,), (4,), (4, 2), (2,)]
    assert all(isinstance(p, nn.Parameter) and p.requires_grad for p in model.parameters())
    assert list(model.state_dict()) == [  # PyTorch's order: each module's parameters, buffers
        "0.weight", "0.bias", "2.0.weight", "2.0.bias", "2.1.weight", "2.1.bias",
        "2.1.running_mean", "2.1.running_var", "3.weight", "3.bias",
    ]  # fmt: skip
    inner = model[2]
    assert model[0].weight is next(model.parameters())
    assert [type(m).__name__ for m in model.modules()] == [
        "Sequential", "Dense", "ReLU", "Sequential", "Dense", "BatchNorm1D", "Dropout", "Dense",
    ]  # fmt: skip
    assert list(model.children())[2] is inner and len(model) == 4


def test_named_parameters_of_attribute_and_list_children():
    names = [name for name, _ in Encoder().named_parameters()]
    assert names == [
        "embed.weight", "embed.bias", "blocks.0.weight", "blocks.0.bias", "blocks.1.weight",
    ]  # fmt: skip


def test_shared_parameter_is_listed_once_and_trains_once(device):
    model = Tied().to(device)
    assert [name for name, _ in model.named_parameters()] == [
        "first.weight",
        "first.bias",
        "second.bias",
    ]
    # state_dict() names a tied parameter under each of its names, as PyTorch does
    assert list(model.state_dict()) == ["first.weight", "first.bias", "second.weight",
                                        "second.bias"]
    optim.SGD(model.parameters(), lr=0.1)  # no "same tensor twice" error
    x = make(np.arange(6.0).reshape(2, 3), device, requires_grad=False, dtype="float32")
    model(x).sum().backward()
    # The shared weight's gradient is the sum over both of its uses: compare with an untied
    # copy whose second weight is a separate tensor with the same values.
    untied = Tied().to(device)
    untied.load_state_dict(model.state_dict())
    untied.second.weight = nn.Parameter(untied.first.weight.array.copy())
    untied(x).sum().backward()
    np.testing.assert_allclose(
        model.first.weight.grad.numpy(),
        untied.first.weight.grad.numpy() + untied.second.weight.grad.numpy(),
        rtol=1e-6,
    )


def test_zero_grad_clears_every_gradient(device):
    model = nested_model().to(device)
    model(make(np.ones((4, 3)), device, dtype="float32")).sum().backward()
    assert all(p.grad is not None for p in model.parameters())
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())


def test_train_and_eval_reach_every_child_and_return_the_model():
    model = nested_model()
    assert all(m.training for m in model.modules())
    assert model.eval() is model
    assert not any(m.training for m in model.modules())
    assert model.train() is model
    assert all(m.training for m in model.modules())
    model.train(False)
    assert not any(m.training for m in model.modules())


def test_forward_must_be_defined():
    with pytest.raises(NotImplementedError, match=r"^Module must define forward\(\)$"):
        nn.Module()(1)


# ---- moving between devices ----------------------------------------------------------------
def test_to_moves_parameters_gradients_and_buffers_in_place():
    tinydl.manual_seed(0)
    model = nested_model()
    model(tinydl.tensor(np.ones((4, 3)))).sum().backward()  # grads, and running stats updated
    before = host_values(model)
    grads_before = [p.grad.numpy() for p in model.parameters()]
    parameters = list(model.parameters())
    buffers = [b for _, b in model.named_buffers()]
    for target in ["fake", "cpu"]:
        assert model.to(target) is model
        assert list(model.parameters()) == parameters  # the very same Parameter objects
        assert [b for _, b in model.named_buffers()] == buffers
        for tensor in [*parameters, *buffers]:
            assert tensor.device == target
        for parameter, grad in zip(parameters, grads_before, strict=True):
            assert parameter.grad.device == target
            np.testing.assert_array_equal(parameter.grad.numpy(), grad)
        assert_same_values(host_values(model), before)
    assert all(isinstance(p.array, np.ndarray) for p in parameters)


def test_a_model_moved_to_a_device_trains_there(device):
    model = nested_model().to(device)
    loss = model(make(np.ones((4, 3)), device, dtype="float32")).sum()
    loss.backward()
    assert loss.device == device
    assert all(p.grad.device == device for p in model.parameters())


# ---- state_dict ----------------------------------------------------------------------------
def test_state_dict_returns_host_copies_that_do_not_alias_the_model(device):
    model = nested_model().to(device)
    before = host_values(model)
    state = model.state_dict()
    for name, value in state.items():
        assert type(value) is np.ndarray and value.dtype == np.float32, name
        value += 100.0  # mutating the saved copy ...
    assert_same_values(host_values(model), before)  # ... leaves the model as it was
    for tensor in [*model.parameters(), *(b for _, b in model.named_buffers())]:
        assert tensor.device == device  # saving does not move the model


def test_load_state_dict_round_trip(device):
    tinydl.manual_seed(1)
    source = nested_model()
    source(tinydl.tensor(np.arange(12.0).reshape(4, 3)))  # non-trivial running statistics
    tinydl.manual_seed(2)
    target = nested_model().to(device)
    assert not np.array_equal(target.state_dict()["0.weight"], source.state_dict()["0.weight"])
    state = source.state_dict()
    target.load_state_dict(state)
    assert_same_values(host_values(target), host_values(source))
    for tensor in [*target.parameters(), *(b for _, b in target.named_buffers())]:
        assert tensor.device == device and tensor.dtype == np.float32
    state["0.weight"][...] = 7.0  # the model keeps its own copy
    assert not (target.state_dict()["0.weight"] == 7.0).any()
    x = make(np.ones((4, 3)), device, dtype="float32")
    source.eval()
    target.eval()
    np.testing.assert_array_equal(target(x).numpy(), source(x.to("cpu")).numpy())


def test_load_state_dict_accepts_device_arrays_and_tensors(device):
    source, target = nested_model(), nested_model()
    state = {
        name: tinydl.tensor(value, device=device) for name, value in source.state_dict().items()
    }
    target.load_state_dict(state)
    assert_same_values(host_values(target), host_values(source))
    assert all(p.device == "cpu" for p in target.parameters())  # loads onto the model's device


def _fail_to_load(model: nn.Module, state: dict, message: str) -> None:
    before = host_values(model)
    with pytest.raises(ValueError, match="^" + re.escape(message) + "$"):
        model.load_state_dict(state)
    assert_same_values(host_values(model), before)  # nothing changed


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda s: s.pop("2.0.bias"), "missing 2.0.bias"),
        (lambda s: s.update(extra=np.zeros(1)), "unexpected extra"),
        (
            lambda s: s.update({"0.weight": np.zeros((4, 3))}),
            "shape mismatch for 0.weight: model has (3, 4), state has (4, 3)",
        ),
        (
            lambda s: (s.pop("3.bias"), s.update({"2.1.running_var": np.ones(5), "x": 1.0})),
            "missing 3.bias | unexpected x | shape mismatch for 2.1.running_var: model has (4,), "
            "state has (5,)",
        ),
    ],
    ids=["missing", "unexpected", "shape", "all-three"],
)
def test_load_state_dict_errors_name_the_problem_and_change_nothing(change, message, device):
    model = nested_model().to(device)
    state = {name: value + 1.0 for name, value in model.state_dict().items()}
    change(state)
    _fail_to_load(model, state, "load_state_dict() does not fit this model: " + message)


def test_load_state_dict_with_a_non_numeric_value_changes_nothing():
    model = nested_model()
    state = {name: value + 1.0 for name, value in model.state_dict().items()}
    state["3.bias"] = np.array(["a", "b"])
    before = host_values(model)
    with pytest.raises(TypeError, match=r"load_state_dict\(\): state\['3.bias'\] holds strings"):
        model.load_state_dict(state)
    assert_same_values(host_values(model), before)


# ---- display and construction ----------------------------------------------------------------
def test_repr_shows_the_tree():
    model = nn.Sequential(nn.Conv2D(8, 3), nn.ReLU(), nn.Sequential(nn.Flatten(), nn.Dense(10)))
    assert repr(model) == (
        "Sequential(\n"
        "  (0): Conv2D(? -> 8, kernel_size=(3, 3), stride=(1, 1), padding=(0, 0))\n"
        "  (1): ReLU()\n"
        "  (2): Sequential(\n"
        "    (0): Flatten()\n"
        "    (1): Dense(? -> 10, bias=True)\n"
        "  )\n"
        ")"
    )
    model(tinydl.tensor(np.zeros((1, 2, 5, 5))))
    assert "Conv2D(2 -> 8," in repr(model) and "Dense(72 -> 10, bias=True)" in repr(model)
    assert repr(nn.Dropout(0.25)) == "Dropout(p=0.25)"
    assert repr(nn.BatchNorm2D(3)) == "BatchNorm2D(3, eps=1e-05, momentum=0.1)"
    assert repr(nn.MaxPool2D(2)) == "MaxPool2D(kernel_size=(2, 2), stride=(2, 2), padding=(0, 0))"
    assert repr(nn.Reshape(2, 3)) == "Reshape((2, 3))"


def test_sequential_refuses_a_non_module():
    with pytest.raises(TypeError, match=r"^Sequential: argument 1 must be a Module, got function$"):
        nn.Sequential(nn.ReLU(), tinydl.relu)


def test_sequential_append_index_and_iterate():
    first, second = nn.Dense(2, 3), nn.ReLU()
    model = nn.Sequential(first)
    assert model.append(second) is model
    assert model[1] is second and list(model) == [first, second] and len(model) == 2
    assert [name for name, _ in model.named_children()] == ["0", "1"]


# ---- float32 end to end --------------------------------------------------------------------
def small_convnet() -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2D(1, 4, 3, padding=1),
        nn.BatchNorm2D(4),
        nn.ReLU(),
        nn.MaxPool2D(2),
        nn.Flatten(),
        nn.Dropout(0.3),
        nn.Dense(10),
    )


@pytest.mark.parametrize(
    ("make_optimizer", "state_names"),
    [
        (lambda params: optim.Adam(params, lr=1e-2), {"exp_avg", "exp_avg_sq"}),
        (lambda params: optim.SGD(params, lr=0.1, momentum=0.9), {"momentum_buffer"}),
    ],
    ids=["adam", "sgd-momentum"],
)
def test_float32_model_stays_float32_through_loss_backward_and_steps(
    make_optimizer, state_names, device
):
    tinydl.manual_seed(0)
    model = small_convnet().to(device)
    data = np.random.default_rng(0).standard_normal((6, 1, 8, 8))
    x = make(data, device, requires_grad=False, dtype="float32")
    labels = tinydl.tensor(np.array([0, 1, 2, 3, 4, 5]), device=device)
    model(x)  # builds the lazy Dense on the device
    optimizer = make_optimizer(model.parameters())
    loss_fn = nn.CrossEntropyLoss()
    for _ in range(2):
        optimizer.zero_grad()
        logits = model(x)
        loss = loss_fn(logits, labels)
        assert logits.dtype == np.float32 and logits.shape == (6, 10)
        assert loss.dtype == np.float32 and loss.device == device
        loss.backward()
        for name, parameter in model.named_parameters():
            assert parameter.grad.dtype == np.float32, name
        optimizer.step()
    for name, tensor in [*model.named_parameters(), *model.named_buffers()]:
        assert tensor.dtype == np.float32 and tensor.device == device, name
    for state in optimizer.state:
        assert state_names <= set(state)
        for name in state_names:
            assert state[name].dtype == np.float32, name
            assert backend.device_of(state[name]) == device
    assert np.isfinite(loss.item())
