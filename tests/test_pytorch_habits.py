"""PyTorch habits carry over (issue 11, part 11a): PyTorch's names are tinydl's own classes and
functions, they behave as PyTorch documents (numbers from ``reference/pytorch_habits.npz``,
made by ``reference/make_pytorch_habits.py``), and two silent traps are loud."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pytest
from conftest import make

import tinydl
import tinydl.nn.functional as F  # noqa: N812  (PyTorch's usual spelling)
from tinydl import nn, ops, optim
from tinydl.ops import logit_check
from tinydl.optim import lr_scheduler

REFERENCE = Path(__file__).parent / "reference" / "pytorch_habits.npz"
DTYPES = ["float64", "float32"]
RTOL = {"float64": 1e-10, "float32": 1e-5}


def load_cases(prefix: str) -> dict[str, dict[str, np.ndarray]]:
    """``{case: {field: array}}`` of the fixture's ``<prefix>.<case>.<field>`` entries."""
    cases: dict[str, dict[str, np.ndarray]] = {}
    with np.load(REFERENCE, allow_pickle=False) as archive:
        for key in archive.files:
            if key.startswith(prefix + "."):
                case, field = key[len(prefix) + 1 :].rsplit(".", 1)
                cases.setdefault(case, {})[field] = archive[key]
    return cases


LOSSES, OPTIMIZERS, SCHEDULERS = (load_cases(p) for p in ("loss", "optim", "sched"))


def assert_close(actual: tinydl.Tensor, expected: np.ndarray, dtype: str) -> None:
    assert actual.dtype == np.dtype(dtype) and actual.shape == expected.shape
    scale = max(1.0, float(np.abs(np.nan_to_num(expected)).max(initial=0.0)))
    np.testing.assert_allclose(actual.numpy(), expected, rtol=RTOL[dtype],
                               atol=RTOL[dtype] * scale)


# ---- aliases are tinydl's own objects ------------------------------------------------------------
@pytest.mark.parametrize(
    ("alias", "own"),
    [
        (nn.MaxPool2d, nn.MaxPool2D),
        (nn.BatchNorm1d, nn.BatchNorm1D), (nn.BatchNorm2d, nn.BatchNorm2D),
        (F.log_softmax, tinydl.log_softmax), (F.softmax, tinydl.softmax), (F.relu, tinydl.relu),
        (F.nll_loss, ops.losses.nll_loss), (F.cross_entropy, ops.losses.cross_entropy),
        (F.dropout2d, ops.dropout.dropout2d), (tinydl.argmax, ops.argmax),
        (tinydl.flatten, ops.flatten), (tinydl.max, ops.max),
    ],
)
def test_pytorch_names_are_the_same_objects(alias, own) -> None:
    assert alias is own


def test_layer_signatures_as_pytorch_writes_them(rng) -> None:
    conv = nn.Conv2d(1, 32, 3, 1)  # PyTorch's MNIST example: stride by position
    assert (conv.in_channels, conv.out_channels, conv.kernel_size, conv.stride) == (
        1, 32, (3, 3), (1, 1)
    )
    strided = nn.Conv2d(2, 4, 3, 2, 1)
    assert (strided.stride, strided.padding) == ((2, 2), (1, 1))
    x = tinydl.tensor(rng.standard_normal((1, 2, 7, 7)))
    assert strided(x).shape == (1, 4, 4, 4)  # (7 + 2 - 3) // 2 + 1
    named = nn.Conv2d(in_channels=1, out_channels=16, kernel_size=3, padding=1)
    assert named.weight.shape == (16, 1, 3, 3) and named.padding == (1, 1)
    assert nn.Conv2d(1, 8, kernel_size=5).weight.shape == (8, 1, 5, 5)
    keras_style = nn.Conv2D(8, kernel_size=3)  # Keras's Conv2D(filters, kernel_size)
    assert keras_style.out_channels == 8 and keras_style.in_channels is None
    # nn.Linear is PyTorch's layer, its weight stored (out_features, in_features)
    assert nn.Linear(in_features=784, out_features=10).weight.shape == (10, 784)
    assert nn.Linear(784, out_features=10).weight.shape == (10, 784)
    assert nn.Dense(784, out_features=10).weight.shape == (784, 10)  # Keras's layout
    assert nn.Dense(out_features=10).in_features is None  # built on the first batch
    assert nn.MaxPool2d(kernel_size=2, stride=2)(x[:, :, :6, :6]).shape == (1, 2, 3, 3)
    assert F.max_pool2d(x, 2).shape == (1, 2, 3, 3)


def test_flatten_softmax_and_log_softmax_take_pytorch_arguments(rng) -> None:
    x = tinydl.tensor(rng.standard_normal((2, 3, 4, 5)))
    assert nn.Flatten()(x).shape == (2, 60)
    assert nn.Flatten(start_dim=2)(x).shape == (2, 3, 20)
    assert nn.Flatten(1, 2)(x).shape == (2, 12, 5)
    assert tinydl.flatten(x).shape == (120,) and tinydl.flatten(x, 1).shape == (2, 60)
    assert x.flatten(-2).shape == (2, 3, 20)
    logits = tinydl.tensor(rng.standard_normal((4, 3)))
    expected = logits.numpy() - np.log(np.exp(logits.numpy()).sum(1, keepdims=True))
    for result in (nn.LogSoftmax(dim=1)(logits), F.log_softmax(logits, dim=1),
                   F.log_softmax(logits, 1)):
        np.testing.assert_allclose(result.numpy(), expected, rtol=1e-6)
    np.testing.assert_allclose(nn.Softmax(dim=0)(logits).numpy().sum(0), 1, rtol=1e-6)
    np.testing.assert_allclose(F.softmax(logits, dim=1).numpy(), np.exp(expected), rtol=1e-6)


# ---- losses against PyTorch ---------------------------------------------------------------------
def loss_of(ref: dict[str, np.ndarray], x: tinydl.Tensor, target: tinydl.Tensor) -> tinydl.Tensor:
    reduction, ignore_index = str(ref["reduction"]), int(ref["ignore_index"])
    if str(ref["function"]) == "nll_loss":
        return nn.NLLLoss(reduction, ignore_index=ignore_index)(x, target)
    return F.cross_entropy(x, target, reduction, ignore_index=ignore_index,
                           label_smoothing=float(ref["label_smoothing"]))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", sorted(LOSSES))
def test_losses_match_torch(case: str, dtype: str, device: str) -> None:
    ref = LOSSES[case]
    x = make(ref["x"], device, dtype=dtype)
    has_target_grad = "gtarget" in ref
    if has_target_grad:
        target = make(ref["target"], device, dtype=dtype)
    else:
        target = tinydl.tensor(ref["target"].astype(np.int64), device=device)
    y = loss_of(ref, x, target)
    y.backward(make(ref["gy"], device, requires_grad=False, dtype=dtype))
    assert_close(y, ref["value"], dtype)
    assert_close(x.grad, ref["gx"], dtype)
    if has_target_grad:
        assert_close(target.grad, ref["gtarget"], dtype)


def test_all_ignored_labels_give_nan_and_zero_gradients_as_in_pytorch() -> None:
    ref = LOSSES["ce_all_ignored"]
    assert np.isnan(ref["value"]) and not ref["gx"].any()  # what the fixture recorded


def test_nn_cross_entropy_loss_passes_smoothing_and_ignore_index(rng) -> None:
    x = tinydl.tensor(rng.standard_normal((5, 3)))
    y = tinydl.tensor(np.array([0, 2, -1, 1, -1]))
    module = nn.CrossEntropyLoss(label_smoothing=0.1, ignore_index=-1)
    expected = F.cross_entropy(x, y, label_smoothing=0.1, ignore_index=-1)
    assert module(x, y).item() == expected.item()
    # log_softmax + nll_loss is cross_entropy, the two halves PyTorch's MNIST example uses
    np.testing.assert_allclose(F.nll_loss(F.log_softmax(x, dim=1), y, ignore_index=-1).item(),
                               F.cross_entropy(x, y, ignore_index=-1).item(), rtol=1e-6)


@pytest.mark.parametrize(
    "loss",
    [
        lambda x, y: F.nll_loss(x, y, "sum", ignore_index=2),
        lambda x, y: F.cross_entropy(x, y, "mean", ignore_index=2, label_smoothing=0.2),
        lambda x, y: F.cross_entropy(x, y, "none", label_smoothing=0.3),
    ],
    ids=["nll-ignore", "ce-ignore-smooth", "ce-smooth-none"],
)
def test_new_loss_gradients_pass_gradcheck(loss, device: str, rng) -> None:
    x = make(rng.standard_normal((5, 4)), device)
    y = tinydl.tensor(np.array([0, 2, 3, 2, 1]), device=device)
    tinydl.gradcheck(lambda a: loss(a, y), [x])


@pytest.mark.parametrize(
    "function",
    [lambda a: tinydl.flatten(a, 1), lambda a: a.view(-1, 6), lambda a: tinydl.max(a, 1).values,
     lambda a: a.max(dim=2, keepdim=True)[0], lambda a: F.log_softmax(a, dim=1)],
    ids=["flatten", "view", "max-dim", "max-keepdim", "log_softmax-dim"],
)
def test_pytorch_shaped_ops_pass_gradcheck(function, device: str, rng) -> None:
    x = make(rng.permutation(24).reshape(2, 3, 4) / 7.0, device)  # distinct: no max ties
    tinydl.gradcheck(function, [x])


# ---- channel dropout ----------------------------------------------------------------------------
def test_dropout2d_drops_whole_channels_and_scales_the_rest(device: str) -> None:
    tinydl.manual_seed(0)
    x = tinydl.tensor(np.ones((8, 50, 3, 3), np.float32), device=device, requires_grad=True)
    layer = nn.Dropout2d(0.3)
    y = layer(x)
    assert y.dtype == np.float32
    maps = y.numpy().reshape(8, 50, 9)
    assert (maps == maps[:, :, :1]).all()  # one decision per feature map
    assert set(np.unique(maps)) <= {0.0, np.float32(1 / 0.7)}
    dropped = (maps[:, :, 0] == 0).mean()
    assert 0.22 < dropped < 0.38  # 400 maps, p = 0.3
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), y.numpy())  # dy/dx = mask / (1 - p)
    assert layer.eval()(x) is x and F.dropout2d(x, 0.3, training=False) is x
    assert not F.dropout2d(x, 1.0).numpy().any()


def test_dropout2d_gradcheck_with_a_fixed_mask(device: str, rng) -> None:
    x = make(rng.standard_normal((2, 4, 3, 3)), device)

    def fixed_mask_dropout(a):
        tinydl.manual_seed(3)  # the same mask at every evaluation
        return F.dropout2d(a, 0.5)

    tinydl.gradcheck(fixed_mask_dropout, [x])


# ---- optimisers and parameter groups against PyTorch --------------------------------------------
def build_optimizer(config: dict, params: list[tinydl.Tensor]) -> optim.Optimizer:
    groups = config["groups"]
    if groups is not None:
        params = [{**g, "params": [params[i] for i in g["params"]]} for g in groups]
    return getattr(optim, config["optimizer"])(params, **config["kwargs"])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", sorted(OPTIMIZERS))
def test_optimizers_and_groups_match_torch(case: str, dtype: str, device: str) -> None:
    ref = OPTIMIZERS[case]
    params = [make(ref[f"param{i}_initial"], device, dtype=dtype) for i in range(2)]
    optimizer = build_optimizer(json.loads(str(ref["config"])), params)
    for step in range(len(ref["param0_grads"])):
        for i, param in enumerate(params):
            param.grad = make(ref[f"param{i}_grads"][step], device, False, dtype)
        optimizer.step()
        for i, param in enumerate(params):
            assert_close(param, ref[f"param{i}_after"][step], dtype)


def test_parameter_groups_are_dicts_that_settings_and_schedules_change() -> None:
    weight, bias = (tinydl.tensor(np.ones(n), requires_grad=True) for n in (3, 2))
    optimizer = optim.AdamW([{"params": [weight]}, {"params": [bias], "weight_decay": 0.0}])
    assert [g["weight_decay"] for g in optimizer.param_groups] == [0.01, 0.0]
    assert optimizer.param_groups[0]["params"] == [weight] and optimizer.lr == 1e-3
    with pytest.raises(ValueError, match=r"param_groups\[i\]\['weight_decay'\]"):
        optimizer.weight_decay  # noqa: B018  (the two groups disagree)
    optimizer.lr = 0.5  # one value for every group
    assert [g["lr"] for g in optimizer.param_groups] == [0.5, 0.5]
    optimizer.param_groups[1]["lr"] = 0.25  # what PyTorch-style code and schedules do
    extra = tinydl.tensor(np.ones(4), requires_grad=True)
    optimizer.add_param_group({"params": [extra], "lr": 0.1})
    assert optimizer.params == [weight, bias, extra] and len(optimizer.state) == 3
    saved = optimizer.state_dict()
    assert [g["params"] for g in saved["param_groups"]] == [[0], [1], [2]]
    assert [g["lr"] for g in saved["param_groups"]] == [0.5, 0.25, 0.1]
    fresh = optim.AdamW([{"params": [weight]}, {"params": [bias]}, {"params": [extra]}])
    fresh.load_state_dict(saved)
    assert [g["lr"] for g in fresh.param_groups] == [0.5, 0.25, 0.1]
    assert [g["weight_decay"] for g in fresh.param_groups] == [0.01, 0.0, 0.01]


def test_state_dicts_from_before_parameter_groups_still_load() -> None:
    params = [tinydl.tensor(np.ones(2), requires_grad=True)]
    old = optim.SGD(params, lr=0.1).state_dict()
    del old["param_groups"]
    old["hyperparameters"]["lr"] = 0.3
    optimizer = optim.SGD(params, lr=0.1)
    optimizer.load_state_dict(old)
    assert optimizer.lr == 0.3


# ---- learning-rate schedules against PyTorch ----------------------------------------------------
@pytest.mark.parametrize("case", sorted(SCHEDULERS))
def test_schedules_match_torch(case: str) -> None:
    ref = SCHEDULERS[case]
    config = json.loads(str(ref["config"]))
    groups = [{"params": [tinydl.tensor(np.zeros(2), requires_grad=True)], "lr": lr}
              for lr in config["group_lrs"]]
    optimizer = getattr(optim, config["optimizer"])(groups, **config["optimizer_kwargs"])
    if config["scheduler"] == "LambdaLR":
        functions = [lambda step, row=row: row[step] for row in ref["factors"]]
        scheduler = lr_scheduler.LambdaLR(optimizer, functions)
    else:
        scheduler = getattr(lr_scheduler, config["scheduler"])(optimizer, **config["kwargs"])
    metrics = ref.get("metrics")
    lrs, momenta = [], []
    for step in range(len(ref["lrs"])):
        if metrics is None:
            lrs.append(scheduler.get_last_lr())
        momenta.append([g.get("momentum", g.get("betas", (0.0,))[0])
                        for g in optimizer.param_groups])
        if metrics is None:
            scheduler.step()
        else:
            scheduler.step(float(metrics[step]))
            lrs.append(scheduler.get_last_lr())
    np.testing.assert_allclose(lrs, ref["lrs"], rtol=1e-12)
    np.testing.assert_allclose(momenta, ref["momenta"], rtol=1e-12)
    assert all(type(g["lr"]) is float for g in optimizer.param_groups)  # no np.float64 upcast


def test_one_cycle_schedule_round_trips_through_its_state_dict() -> None:
    def make_pair():
        opt = optim.SGD([tinydl.tensor(np.ones(2), requires_grad=True)], lr=0.1, momentum=0.9)
        return opt, lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=10)

    optimizer, scheduler = make_pair()
    for _ in range(4):
        scheduler.step()
    resumed_optimizer, resumed = make_pair()
    resumed.load_state_dict(scheduler.state_dict())
    assert resumed_optimizer.param_groups[0]["lr"] == optimizer.param_groups[0]["lr"]
    assert resumed_optimizer.momentum == optimizer.momentum


# ---- Tensor habits ------------------------------------------------------------------------------
def test_size_numel_view_eq_and_casts(device: str) -> None:
    x = tinydl.tensor(np.arange(24.0).reshape(2, 3, 4), device=device)
    assert x.size() == (2, 3, 4) and x.size(1) == 3 and x.size(-1) == 4 and x.numel() == 24
    assert x.view(-1, 4).shape == (6, 4) and x.view(6, 4).shape == (6, 4)
    assert x.view_as(tinydl.tensor(np.zeros((4, 6)))).shape == (4, 6)
    labels = tinydl.tensor(np.array([1, 0, 2]), device=device)
    predicted = tinydl.tensor(np.array([[1], [2], [2]]), device=device)
    assert predicted.eq(labels.view_as(predicted)).sum().item() == 2  # MNIST example's count
    assert x.long().dtype == np.int64 and x.double().dtype == np.float64
    assert x.double().float().dtype == np.float32


def test_data_is_a_detached_tensor_sharing_memory(device: str) -> None:
    p = tinydl.tensor(np.ones(3), requires_grad=True, device=device)
    view = p.data
    assert isinstance(view, tinydl.Tensor) and not view.requires_grad and view.is_leaf
    assert view.array is p.array  # shared, not copied
    p.grad = tinydl.tensor(np.full(3, 2.0, np.float32), device=device)
    p.data.sub_(0.25 * p.grad.data)  # hand-written SGD, as in PyTorch's tutorials
    np.testing.assert_array_equal(p.numpy(), [0.5, 0.5, 0.5])
    p.data.add_(p.grad, alpha=-0.25)  # the newer spelling
    np.testing.assert_array_equal(p.numpy(), [0.0, 0.0, 0.0])
    p.data -= 0.5 * p.grad.data  # in-place arithmetic on the detached view
    np.testing.assert_array_equal(p.numpy(), [-1.0, -1.0, -1.0])
    p.data = tinydl.tensor([4.0, 5.0, 6.0], device=device)  # a Tensor's values are taken
    assert p.requires_grad and p.is_leaf
    np.testing.assert_array_equal(p.numpy(), [4.0, 5.0, 6.0])


def test_in_place_updates_follow_pytorch_rules(device: str) -> None:
    p = tinydl.tensor(np.ones(3), requires_grad=True, device=device)
    with pytest.raises(RuntimeError, match=r"sub_\(\) cannot change .* a leaf that requires grad"):
        p.sub_(1.0)
    with tinydl.no_grad():
        p -= 0.5  # an optimiser step written by hand
    np.testing.assert_array_equal(p.numpy(), [0.5, 0.5, 0.5])
    hidden = p * 2
    before = hidden
    hidden += 1  # recorded: rebinds the name to hidden + 1, as the value PyTorch gives
    assert hidden is not before and hidden.creator is not None
    hidden.sum().backward()
    np.testing.assert_array_equal(p.grad.numpy(), [2.0, 2.0, 2.0])
    count = tinydl.tensor(0, device=device)
    count += tinydl.tensor(np.array([1, 1, 0]), device=device).sum()  # `correct += ...`
    assert count.item() == 2


def test_max_follows_pytorch_with_dim_and_numpy_with_axis(device: str, rng) -> None:
    values = rng.permutation(12).reshape(3, 4).astype(np.float64)
    x = make(values, device)
    result = tinydl.max(x, 1)
    assert isinstance(result, tuple) and result.values is result[0]
    np.testing.assert_array_equal(result.values.numpy(), values.max(1))
    np.testing.assert_array_equal(result.indices.numpy(), values.argmax(1))
    assert result.indices.dtype == np.int64
    _, predicted = tinydl.max(x.data, 1)  # `_, predicted = torch.max(outputs.data, 1)`
    np.testing.assert_array_equal(predicted.numpy(), values.argmax(1))
    kept = x.max(dim=0, keepdim=True)
    assert kept.values.shape == kept.indices.shape == (1, 4)
    assert x.max(axis=1).shape == (3,) and x.max().item() == 11  # NumPy's meaning
    assert tinydl.max(x, (0, 1)).item() == 11  # a tuple of axes: NumPy's meaning too
    with pytest.raises(AttributeError, match=r"returns \(values, indices\).*\.values"):
        tinydl.max(x, 1).sum()  # code expecting the maxima alone hears why
    np.testing.assert_array_equal(tinydl.max(x, make(np.full((3, 4), 5.0), device)).numpy(),
                                  np.maximum(values, 5))
    result.values.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), values == values.max(1, keepdims=True))
    assert x.argmax(dim=1, keepdim=True).shape == (3, 1)
    assert tinydl.argmax(x).item() == values.argmax()
    assert x.sum(dim=1, keepdim=True).shape == (3, 1) and x.mean(dim=0).shape == (4,)
    assert tinydl.concatenate([x, x], dim=1).shape == (3, 8)
    assert tinydl.stack([x, x], dim=2).shape == (3, 4, 2)


# ---- Module.double() / float() and the default dtype --------------------------------------------
def test_model_double_casts_parameters_buffers_gradients_and_the_optimizer_follows(rng) -> None:
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Linear(4, 2))
    optimizer = optim.Adam(model.parameters(), lr=0.01)
    x = tinydl.tensor(rng.standard_normal((5, 3)))
    model(x).sum().backward()
    optimizer.step()  # state in float32
    model.double()
    tensors = [*model.parameters(), *(b for _, b in model.named_buffers())]
    assert all(t.dtype == np.float64 for t in tensors)
    assert all(p.grad.dtype == np.float64 for p in model.parameters())
    out = model(x.double())
    assert out.dtype == np.float64
    optimizer.zero_grad()
    out.sum().backward()
    optimizer.step()
    assert all(p.dtype == np.float64 for p in model.parameters())
    assert all(s["exp_avg"].dtype == np.float64 for s in optimizer.state)
    tinydl.gradcheck(lambda a: model.eval()(a), [make(rng.standard_normal((2, 3)), "cpu")])
    assert model.float() is model and all(p.dtype == np.float32 for p in model.parameters())


def test_set_default_dtype_changes_new_tensors_and_parameters_only() -> None:
    before = nn.Linear(2, 2)
    try:
        tinydl.set_default_dtype("float64")
        assert tinydl.get_default_dtype() == np.float64
        assert tinydl.tensor([1.0]).dtype == np.float64
        assert nn.Linear(2, 2).weight.dtype == np.float64
        assert nn.BatchNorm1d(2).running_mean.dtype == np.float64
        assert before.weight.dtype == np.float32
        assert tinydl.tensor([1, 2]).dtype == np.int64  # integers stay integers
    finally:
        tinydl.set_default_dtype(np.float32)
    assert tinydl.tensor([1.0]).dtype == np.float32


# ---- tinydl.save / tinydl.load ------------------------------------------------------------------
def test_save_and_load_round_trip_state_dicts(tmp_path: Path, rng) -> None:
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.Flatten(), nn.Linear(8, 3))
    optimizer = optim.Adadelta(model.parameters())
    model(tinydl.tensor(rng.standard_normal((2, 1, 4, 4)))).sum().backward()
    optimizer.step()
    path = tinydl.save(model.state_dict(), tmp_path / "mnist_cnn.pt")
    assert path == tmp_path / "mnist_cnn.pt" and path.read_bytes()[:2] == b"PK"
    with np.load(path, allow_pickle=False) as archive:  # plain arrays, no pickles
        assert archive.files == ["saved/0.weight", "saved/0.bias", "saved/2.weight",
                                 "saved/2.bias", "saved#tree"]  # the tree: what they were
    fresh = nn.Sequential(nn.Conv2d(1, 2, 3), nn.Flatten(), nn.Linear(8, 3))
    fresh.load_state_dict(tinydl.load(path, map_location="cpu"))
    for (name, a), (_, b) in zip(model.state_dict().items(), fresh.state_dict().items(),
                                 strict=True):
        np.testing.assert_array_equal(a, b, err_msg=name)
    tinydl.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "epoch": 3,
                 "scale": tinydl.tensor([2.0])}, tmp_path / "all.pt")
    loaded = tinydl.load(tmp_path / "all.pt")
    assert loaded["epoch"] == 3 and loaded["scale"].tolist() == [2.0]
    resumed = optim.Adadelta(fresh.parameters())
    resumed.load_state_dict(loaded["optimizer"])
    np.testing.assert_array_equal(resumed.state[0]["square_avg"], optimizer.state[0]["square_avg"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["all.pt", "mnist_cnn.pt"]  # no .part


# ---- the two traps ------------------------------------------------------------------------------
@pytest.fixture
def fresh_value_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    """The value check runs on a process's first calls only: give this test its own."""
    monkeypatch.setattr(logit_check, "_value_checks_left", logit_check.VALUE_CHECKS)


def test_double_softmax_warns_naming_the_fix(rng, fresh_value_checks) -> None:
    model = nn.Sequential(nn.Linear(4, 3), nn.Softmax(dim=1))
    x, y = tinydl.tensor(rng.standard_normal((6, 4))), tinydl.tensor(np.array([0, 1, 2] * 2))
    with pytest.warns(tinydl.ProbabilitiesAsLogitsWarning,
                      match="Remove the final Softmax layer") as record:
        nn.CrossEntropyLoss()(model(x), y)
    assert record[0].filename == __file__  # points at the user's line, not into tinydl
    with tinydl.no_grad(), pytest.warns(tinydl.ProbabilitiesAsLogitsWarning):
        F.cross_entropy(model(x), y)  # no graph: caught by the rows' values
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        F.cross_entropy(nn.Linear(4, 3)(x), y)  # real logits: silent
        F.cross_entropy(tinydl.log_softmax(nn.Linear(4, 3)(x), dim=1), y)


@pytest.mark.parametrize("ending", [[], [nn.Softmax(dim=1)]], ids=["raw scores", "Softmax"])
def test_nll_loss_without_log_softmax_warns_naming_the_fix(rng, fresh_value_checks, ending):
    model = nn.Sequential(nn.Linear(4, 3), *ending)
    x, y = tinydl.tensor(rng.standard_normal((6, 4))), tinydl.tensor(np.array([0, 1, 2] * 2))
    with pytest.warns(tinydl.NotLogProbabilitiesWarning,
                      match=r"End the model with nn\.LogSoftmax\(dim=1\)") as record:
        nn.NLLLoss()(model(x), y)
    assert record[0].filename == __file__
    with tinydl.no_grad(), pytest.warns(tinydl.NotLogProbabilitiesWarning):
        F.nll_loss(model(x), y)


def test_nll_loss_on_log_probabilities_is_silent(rng, fresh_value_checks) -> None:
    x, y = tinydl.tensor(rng.standard_normal((6, 4))), tinydl.tensor(np.array([0, 1, 2] * 2))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        log_probabilities = nn.Sequential(nn.Linear(4, 3), nn.LogSoftmax(dim=1))
        F.nll_loss(log_probabilities(x), y)
        with tinydl.no_grad():  # no graph: judged by the values
            F.nll_loss(log_probabilities(x), y)
            F.nll_loss(tinydl.log(tinydl.softmax(nn.Linear(4, 3)(x), dim=1)), y)
        saturated = tinydl.tensor([[0.0, -200.0, -300.0], [-150.0, 0.0, -250.0]])
        F.nll_loss(saturated, tinydl.tensor([0, 1]))  # sure of each class: still log-probs


def test_only_the_first_calls_values_are_examined(rng, fresh_value_checks) -> None:
    scores, y = tinydl.tensor(rng.standard_normal((6, 3))), tinydl.tensor(np.array([0, 1, 2] * 2))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(logit_check.VALUE_CHECKS + 2):
            F.nll_loss(scores, y)  # no creator: only the values can tell
    assert len(caught) == logit_check.VALUE_CHECKS  # later calls cost no GPU sync


@pytest.mark.parametrize(
    ("layer", "shape"),
    [
        (lambda: nn.Conv2d(1, 4, 3), (2, 28, 28, 1)),
        (lambda: nn.Conv2d(3, 4, 3), (2, 32, 32, 3)),
        (lambda: nn.Conv2D(4, 3), (2, 32, 32, 3)),  # would silently take 32 channels
        (lambda: nn.Conv2D(4, 3), (2, 28, 28, 1)),
    ],
)
def test_channels_last_images_are_refused_with_the_permute(layer, shape) -> None:
    with pytest.raises(ValueError, match=r"channels-first.*x\.permute\(0, 3, 1, 2\)"):
        layer()(tinydl.tensor(np.zeros(shape, np.float32)))


def test_channels_first_images_still_pass() -> None:
    for layer, shape in ((nn.Conv2d(3, 4, 3), (2, 3, 32, 32)), (nn.Conv2D(4, 3), (2, 1, 28, 28)),
                         (nn.Conv2D(4, 3), (2, 16, 5, 3))):
        assert layer(tinydl.tensor(np.zeros(shape, np.float32))).shape[1] == 4
