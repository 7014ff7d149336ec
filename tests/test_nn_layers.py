"""The layers: lazy input-size inference, gradient checks of every layer with respect to
its input and its parameters (float64), Dropout and BatchNorm behaviour in train and eval
mode, the loss classes against their functional forms, and bad-input messages."""

from __future__ import annotations

import re

import numpy as np
import pytest
from conftest import make

import tinydl
from tinydl import nn
from tinydl.nn import functional as F  # noqa: N812  (PyTorch's conventional name)

NOT_BUILT = (
    "does not know its input size yet, so it has no parameters: call the model once on an "
    "example batch (or tinydl.nn.summary(model, input_shape)) before asking for parameters(), "
    "or give the input size"
)


def as_float64(layer: nn.Module, device: str) -> nn.Module:
    """``layer`` on ``device`` with float64 parameters and buffers, for gradient checks."""
    layer.to(device)
    for _, tensor in [*layer.named_parameters(), *layer.named_buffers()]:
        tensor.array = tensor.array.astype(np.float64)
    return layer


def check_layer_gradients(layer: nn.Module, x: tinydl.Tensor) -> None:
    """gradcheck ``layer`` with respect to ``x`` and every parameter. The parameters are
    passed as inputs so that gradcheck perturbs and checks them; ``fn`` ignores them as
    arguments because the layer reads them itself."""
    parameters = list(layer.parameters())
    assert tinydl.gradcheck(lambda x, *_: layer(x), [x, *parameters])
    assert all(p.grad is not None for p in parameters)  # every parameter was checked


def no_ties(shape: tuple[int, ...], device: str, seed: int = 0) -> tinydl.Tensor:
    """Distinct values (a shuffled linspace), so max-pooling has no kinks near the input."""
    values = np.linspace(-1.0, 1.0, int(np.prod(shape)))
    np.random.default_rng(seed).shuffle(values)
    return make(values.reshape(shape), device)


# ---- lazy layers ---------------------------------------------------------------------------
def test_lazy_dense_infers_in_features_on_the_first_call(device):
    layer = nn.Dense(10)
    assert layer.in_features is None
    y = layer(make(np.ones((2, 5)), device, dtype="float32"))
    assert layer.in_features == 5 and y.shape == (2, 10)
    assert [(name, p.shape) for name, p in layer.named_parameters()] == [
        ("weight", (5, 10)),
        ("bias", (10,)),
    ]
    assert all(p.device == device and p.dtype == np.float32 for p in layer.parameters())


def test_lazy_conv2d_infers_in_channels_on_the_first_call(device):
    layer = nn.Conv2D(32, 3)
    y = layer(make(np.ones((2, 3, 8, 8)), device, dtype="float32"))
    assert layer.in_channels == 3 and y.shape == (2, 32, 6, 6)
    assert [p.shape for p in layer.parameters()] == [(32, 3, 3, 3), (32,)]
    assert all(p.device == device for p in layer.parameters())


@pytest.mark.parametrize(
    ("model", "culprit"),
    [
        (nn.Dense(10), "Dense(? -> 10, bias=True)"),
        (
            nn.Sequential(nn.Dense(3, 4), nn.Conv2D(8, (3, 3))),
            "Conv2D(? -> 8, kernel_size=(3, 3), stride=(1, 1), padding=(0, 0))",
        ),
    ],
    ids=["dense", "conv-in-sequential"],
)
def test_parameters_before_the_first_call_raise(model, culprit):
    message = "^" + re.escape(f"{culprit} {NOT_BUILT}") + "$"
    for ask in (
        lambda: list(model.parameters()),
        lambda: list(model.named_parameters()),
        model.state_dict,
        model.zero_grad,
    ):
        with pytest.raises(RuntimeError, match=message):
            ask()


def test_eager_layers_have_parameters_at_once(device):
    dense, conv = nn.Dense(4, 3).to(device), nn.Conv2D(2, 5, (3, 1)).to(device)
    assert [p.shape for p in dense.parameters()] == [(4, 3), (3,)]
    assert [p.shape for p in conv.parameters()] == [(5, 2, 3, 1), (5,)]
    assert dense.in_features == 4 and conv.in_channels == 2
    assert [name for name, _ in nn.Dense(4, 3, bias=False).named_parameters()] == ["weight"]


def test_dense_computes_x_at_w_plus_b(device, rng):
    layer = nn.Dense(4, 3).to(device)
    layer.bias.array[...] = tinydl.tensor([1.0, 2.0, 3.0], device=device).array
    x = rng.standard_normal((5, 4)).astype(np.float32)
    expected = x @ layer.weight.numpy() + np.array([1.0, 2.0, 3.0], dtype=np.float32)
    y = layer(make(x, device, dtype="float32"))
    np.testing.assert_allclose(y.numpy(), expected, rtol=1e-6)
    assert y.dtype == np.float32


def test_conv2d_layer_is_the_functional_conv_with_its_parameters(device, rng):
    layer = nn.Conv2D(2, 3, (3, 2), stride=(2, 1), padding=1).to(device)
    layer.bias.array[...] = tinydl.tensor([0.5, -1.0, 2.0], device=device).array
    x = make(rng.standard_normal((2, 2, 7, 6)), device, dtype="float32")
    y = layer(x)
    assert y.shape == (2, 3, (7 + 2 - 3) // 2 + 1, (6 + 2 - 2) // 1 + 1)
    expected = F.conv2d(x, layer.weight, layer.bias, stride=(2, 1), padding=1)
    np.testing.assert_array_equal(y.numpy(), expected.numpy())


def test_dropout_refuses_a_bad_probability_when_built():
    message = "Dropout: p must be a probability in [0, 1], got 1.5"
    with pytest.raises(ValueError, match=re.escape(message)):
        nn.Dropout(1.5)


@pytest.mark.parametrize(
    ("layer", "x_shape", "message"),
    [
        (nn.Dense(5, 3), (2, 4), "Dense expected inputs with 5 features in the last axis, got "
                                 "shape (2, 4)"),
        (nn.Conv2D(3, 4, 3), (2, 2, 5, 5), "conv2d(): x has 2 channels but weight expects 3 "
                                           "(weight shape (4, 3, 3, 3))"),
        (nn.Conv2D(4, 3), (2, 3),
         "Conv2D: input must be a floating-point Tensor of shape (N, C, H, W), got shape (2, 3)"),
    ],
    ids=["dense", "conv-channels", "conv-lazy-2d"],
)  # fmt: skip
def test_wrong_input_size_is_refused(layer, x_shape, message, device):
    layer.to(device)
    with pytest.raises(ValueError, match="^" + re.escape(message) + "$"):
        layer(make(np.ones(x_shape), device, dtype="float32"))


def test_lazy_dense_keeps_the_size_it_inferred(device):
    layer = nn.Dense(3)
    layer(make(np.ones((2, 5)), device, dtype="float32"))
    message = "Dense expected inputs with 5 features in the last axis, got shape (2, 6)"
    with pytest.raises(ValueError, match="^" + re.escape(message) + "$"):
        layer(make(np.ones((2, 6)), device, dtype="float32"))


# ---- gradient checks, with respect to the input and every parameter -------------------------
@pytest.mark.parametrize("bias", [True, False])
def test_dense_gradcheck(bias, device, rng):
    layer = as_float64(nn.Dense(4, 3, bias=bias), device)
    check_layer_gradients(layer, make(rng.standard_normal((5, 4)), device))


def test_dense_gradcheck_on_3d_input(device, rng):
    layer = as_float64(nn.Dense(3, 2), device)
    check_layer_gradients(layer, make(rng.standard_normal((2, 4, 3)), device))


@pytest.mark.parametrize(
    ("in_channels", "out_channels", "kernel_size", "stride", "padding", "x_shape"),
    [
        (2, 3, 3, 1, 0, (2, 2, 5, 5)),
        (2, 3, 3, 2, 0, (2, 2, 6, 6)),
        (2, 2, 3, 2, 1, (2, 2, 5, 5)),
        (1, 2, 3, 1, 2, (2, 1, 4, 4)),
        (2, 2, (2, 3), (2, 1), (1, 0), (1, 2, 5, 6)),  # non-square kernel, batch of 1
        (3, 2, 1, 1, 0, (1, 3, 3, 3)),  # 1x1 convolution
    ],
    ids=["s1-p0", "s2-p0", "s2-p1", "s1-p2", "nonsquare-batch1", "1x1"],
)
def test_conv2d_gradcheck(
    in_channels, out_channels, kernel_size, stride, padding, x_shape, device, rng
):
    layer = nn.Conv2D(in_channels, out_channels, kernel_size, stride=stride, padding=padding)
    layer.bias.array = rng.standard_normal(out_channels).astype(np.float32)  # not all zero
    check_layer_gradients(as_float64(layer, device), make(rng.standard_normal(x_shape), device))


def test_conv2d_without_bias_gradcheck(device, rng):
    layer = as_float64(nn.Conv2D(2, 2, 3, padding=1, bias=False), device)
    assert [name for name, _ in layer.named_parameters()] == ["weight"]
    check_layer_gradients(layer, make(rng.standard_normal((2, 2, 4, 4)), device))


@pytest.mark.parametrize(
    ("kernel_size", "stride", "padding", "x_shape"),
    [
        (2, None, 0, (2, 2, 4, 4)),  # non-overlapping windows
        (3, 1, 0, (1, 2, 5, 5)),  # overlapping windows
        (3, 2, 1, (2, 1, 5, 5)),  # overlapping, with -inf padding
        ((2, 3), (1, 2), (1, 1), (1, 2, 4, 5)),  # non-square
    ],
    ids=["2x2-s2", "3x3-s1", "3x3-s2-p1", "2x3-s12-p1"],
)
def test_max_pool2d_gradcheck(kernel_size, stride, padding, x_shape, device):
    layer = nn.MaxPool2D(kernel_size, stride=stride, padding=padding)
    assert list(layer.parameters()) == []
    assert tinydl.gradcheck(layer, [no_ties(x_shape, device)])


def test_max_pool2d_picks_each_window_maximum(device):
    x = make(np.arange(16.0).reshape(1, 1, 4, 4), device, dtype="float32")
    np.testing.assert_array_equal(nn.MaxPool2D(2)(x).numpy(), [[[[5, 7], [13, 15]]]])
    # -inf padding: an all-negative corner window still gives its own maximum, never 0.
    y = nn.MaxPool2D(2, stride=2, padding=1)(-x - 1)
    np.testing.assert_array_equal(y.numpy()[0, 0, 0], [-1, -2, -4])


@pytest.mark.parametrize(
    ("layer", "x_shape", "y_shape"),
    [
        (nn.Flatten(), (2, 3, 2, 2), (2, 12)),
        (nn.Reshape(3, 4), (2, 12), (2, 3, 4)),
        (nn.Reshape((2, 2, 3)), (2, 3, 4), (2, 2, 2, 3)),
    ],
    ids=["flatten", "reshape-args", "reshape-tuple"],
)
def test_shape_layers_gradcheck(layer, x_shape, y_shape, device, rng):
    x = make(rng.standard_normal(x_shape), device)
    y = layer(x)
    assert y.shape == y_shape
    np.testing.assert_array_equal(y.numpy().ravel(), x.numpy().ravel())  # same order
    assert tinydl.gradcheck(layer, [x])


@pytest.mark.parametrize(
    ("layer", "reference"),
    [
        (nn.ReLU(), lambda x: np.maximum(x, 0)),
        (nn.Sigmoid(), lambda x: 1 / (1 + np.exp(-x))),
        (nn.Tanh(), np.tanh),
        (nn.Softmax(), lambda x: np.exp(x) / np.exp(x).sum(-1, keepdims=True)),
        (nn.Softmax(axis=0), lambda x: np.exp(x) / np.exp(x).sum(0, keepdims=True)),
        (nn.LogSoftmax(), lambda x: x - np.log(np.exp(x).sum(-1, keepdims=True))),
    ],
    ids=["relu", "sigmoid", "tanh", "softmax", "softmax-axis0", "log-softmax"],
)
def test_activation_layers_match_formula_and_gradcheck(layer, reference, device):
    # Values away from 0 so that ReLU's kink is never inside a finite difference.
    values = np.array([[-2.0, -0.5, 0.3, 1.5], [0.7, -1.2, 2.2, -0.1]])
    x = make(values, device)
    np.testing.assert_allclose(layer(x).numpy(), reference(values), rtol=1e-12)
    assert tinydl.gradcheck(layer, [x])


# ---- Dropout -----------------------------------------------------------------------------
def test_dropout_gradcheck_with_a_fixed_mask(device, rng):
    layer = nn.Dropout(0.4)

    def seeded(x: tinydl.Tensor) -> tinydl.Tensor:
        tinydl.random.manual_seed(5)  # the same mask on every evaluation
        return layer(x)

    x = make(rng.standard_normal((6, 5)), device)
    assert (seeded(x).numpy() == 0).any()  # the check covers dropped units too
    assert tinydl.gradcheck(seeded, [x])


def test_dropout_is_the_identity_in_eval_mode(device):
    layer = nn.Dropout(0.5).eval()
    x = make(np.ones((4, 4)), device, dtype="float32")
    assert layer(x) is x


@pytest.mark.parametrize("p", [0.25, 0.6])
def test_dropout_in_train_zeroes_about_p_and_rescales_the_rest(p, device):
    tinydl.random.manual_seed(0)
    layer = nn.Dropout(p)
    assert layer.training
    y = layer(make(np.full((200, 250), 2.0), device, dtype="float32")).numpy()
    dropped = y == 0
    assert abs(dropped.mean() - p) < 0.01
    np.testing.assert_allclose(y[~dropped], 2.0 / (1 - p), rtol=1e-6)  # inverted dropout
    assert y.dtype == np.float32


def test_dropout_same_seed_same_mask(device):
    layer = nn.Dropout(0.5)
    x = make(np.ones(500), device, dtype="float32")
    masks = []
    for seed in (7, 7, 8):
        tinydl.random.manual_seed(seed)
        masks.append(layer(x).numpy() != 0)
    np.testing.assert_array_equal(masks[0], masks[1])
    assert (masks[0] != masks[2]).any()


def test_model_eval_turns_dropout_off_and_train_back_on(device):
    model = nn.Sequential(nn.Dense(4, 4), nn.Dropout(0.5))
    model.to(device)
    x = make(np.ones((50, 4)), device, dtype="float32")
    tinydl.random.manual_seed(0)
    assert (model(x).numpy() == 0).any()
    model.eval()
    np.testing.assert_array_equal(model(x).numpy(), model[0](x).numpy())
    model.train()
    assert (model(x).numpy() == 0).any()


# ---- BatchNorm ---------------------------------------------------------------------------
def _batch_norm_layer(kind: type[nn.Module], channels: int, device: str, rng) -> nn.Module:
    """A float64 BatchNorm with non-trivial γ, β and running statistics."""
    layer = as_float64(kind(channels), device)
    for tensor, values in [
        (layer.weight, rng.uniform(0.5, 1.5, channels)),
        (layer.bias, rng.standard_normal(channels)),
        (layer.running_mean, rng.standard_normal(channels)),
        (layer.running_var, rng.uniform(0.5, 2.0, channels)),
    ]:
        tensor.array = make(values, device).array
    return layer


@pytest.mark.parametrize("training", [True, False], ids=["train", "eval"])
@pytest.mark.parametrize(
    ("kind", "x_shape"), [(nn.BatchNorm1D, (5, 3)), (nn.BatchNorm2D, (2, 3, 3, 2))]
)
def test_batch_norm_gradcheck(kind, x_shape, training, device, rng):
    layer = _batch_norm_layer(kind, 3, device, rng).train(training)
    check_layer_gradients(layer, make(rng.standard_normal(x_shape) * 2 + 1, device))


@pytest.mark.parametrize(
    ("kind", "x_shape", "axes"),
    [(nn.BatchNorm1D, (6, 3), (0,)), (nn.BatchNorm2D, (4, 3, 2, 3), (0, 2, 3))],
)
def test_batch_norm_train_normalises_the_batch_and_updates_running_stats(
    kind, x_shape, axes, device, rng
):
    layer = kind(3, momentum=0.25).to(device)
    data = (rng.standard_normal(x_shape) * 3 + 2).astype(np.float32)
    y = layer(make(data, device, dtype="float32")).numpy()
    np.testing.assert_allclose(y.mean(axis=axes), 0, atol=1e-5)
    np.testing.assert_allclose(y.var(axis=axes), 1, rtol=1e-3)  # var/(var + eps)
    # running = 0.75 * initial (0 and 1) + 0.25 * batch statistic (unbiased variance)
    np.testing.assert_allclose(layer.running_mean.numpy(), 0.25 * data.mean(axis=axes), rtol=1e-5)
    np.testing.assert_allclose(
        layer.running_var.numpy(), 0.75 + 0.25 * data.var(axis=axes, ddof=1), rtol=1e-5
    )
    assert layer.running_mean.dtype == np.float32 and layer.running_mean.device == device


def test_batch_norm_eval_uses_running_stats_and_leaves_them_alone(device, rng):
    layer = _batch_norm_layer(nn.BatchNorm2D, 2, device, rng).eval()
    stats = [layer.running_mean.numpy(), layer.running_var.numpy()]
    gamma, beta = layer.weight.numpy(), layer.bias.numpy()
    data = rng.standard_normal((3, 2, 2, 2))
    y = layer(make(data, device)).numpy()
    shape = (1, 2, 1, 1)
    expected = (data - stats[0].reshape(shape)) / np.sqrt(stats[1].reshape(shape) + 1e-5)
    np.testing.assert_allclose(y, expected * gamma.reshape(shape) + beta.reshape(shape))
    np.testing.assert_array_equal(layer.running_mean.numpy(), stats[0])
    np.testing.assert_array_equal(layer.running_var.numpy(), stats[1])


def test_model_eval_switches_batch_norm_to_running_stats(device, rng):
    model = nn.Sequential(nn.Dense(3, 3), nn.BatchNorm1D(3)).to(device)
    x = make(rng.standard_normal((8, 3)) * 4 + 3, device, dtype="float32")
    trained = model(x).numpy()
    np.testing.assert_allclose(trained.mean(axis=0), 0, atol=1e-5)
    running = model[1].running_mean.numpy()
    model.eval()
    evaluated = model(x).numpy()
    assert not np.allclose(evaluated, trained, atol=1e-2)  # different statistics
    np.testing.assert_array_equal(model[1].running_mean.numpy(), running)  # not updated in eval
    model.train()
    np.testing.assert_allclose(model(x).numpy(), trained, rtol=1e-5, atol=1e-6)


# ---- loss classes ------------------------------------------------------------------------
def _loss_cases(device: str, rng) -> list:
    logits = rng.standard_normal((4, 3))
    labels = tinydl.tensor(np.array([0, 2, 1, 2]), device=device)
    probabilities = make(rng.uniform(0, 1, (4, 3)), device, requires_grad=False)
    signs = make(np.sign(rng.standard_normal((4, 3))), device, requires_grad=False)
    return [
        (nn.CrossEntropyLoss, {}, F.cross_entropy, {}, logits, labels),
        (nn.CrossEntropyLoss, {}, F.cross_entropy, {}, logits, probabilities),
        (nn.BCEWithLogitsLoss, {}, F.binary_cross_entropy_with_logits, {}, logits, probabilities),
        (nn.MSELoss, {}, F.mse_loss, {}, logits, probabilities),
        (nn.HingeLoss, {"margin": 0.5}, F.hinge_loss, {"margin": 0.5}, logits, labels),
        (nn.HingeLoss, {}, F.hinge_loss, {}, logits, signs),
    ]


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_loss_classes_match_their_functional_forms(reduction, device, rng):
    for cls, options, functional, f_options, logits, target in _loss_cases(device, rng):
        ours = make(logits, device)
        theirs = make(logits, device)
        loss = cls(**options, reduction=reduction)(ours, target)
        expected = functional(theirs, target, **f_options, reduction=reduction)
        np.testing.assert_array_equal(loss.numpy(), expected.numpy(), err_msg=cls.__name__)
        assert loss.shape == (() if reduction != "none" else expected.shape)
        loss.sum().backward()
        expected.sum().backward()
        np.testing.assert_array_equal(ours.grad.numpy(), theirs.grad.numpy())


@pytest.mark.parametrize(
    "cls",
    [nn.CrossEntropyLoss, nn.NLLLoss, nn.BCELoss, nn.BCEWithLogitsLoss, nn.MSELoss,
     nn.L1Loss, nn.SmoothL1Loss, nn.HuberLoss, nn.HingeLoss],
)
def test_loss_classes_refuse_a_bad_reduction_when_built(cls):
    message = f"{cls.__name__}: reduction must be 'mean', 'sum' or 'none', got 'avg'"
    with pytest.raises(ValueError, match="^" + re.escape(message) + "$"):
        cls(reduction="avg")


# ---- bad construction and input ------------------------------------------------------------
@pytest.mark.parametrize(
    ("build", "error", "message"),
    [
        (lambda: nn.Dense(0), ValueError, "Dense: out_features must be a positive integer, got 0"),
        (lambda: nn.Dense(0, 3), ValueError,
         "Dense: in_features must be a positive integer, got 0"),
        (lambda: nn.Dense(2.5), ValueError,
         "Dense: out_features must be a positive integer, got 2.5"),
        (lambda: nn.Dense(True), ValueError,
         "Dense: out_features must be a positive integer, got True"),
        (lambda: nn.Dense(), TypeError,
         "Dense takes (in_features, out_features) or (out_features,)"),
        (lambda: nn.Dense(3, weight_init="glorot"), ValueError,
         "unknown initialiser 'glorot'; choose from glorot_normal, glorot_uniform, he_normal, "
         "he_uniform, kaiming_normal, kaiming_uniform, xavier_normal, xavier_uniform, zeros"),
        (lambda: nn.Conv2D(1, 4, 0), ValueError,
         "Conv2D: kernel_size must be an integer >= 1 or a pair of them, got 0"),
        (lambda: nn.Conv2D(4, (3,)), ValueError,
         "Conv2D: kernel_size must be an integer >= 1 or a pair of them, got (3,)"),
        (lambda: nn.Conv2D(4, (3, 3, 3)), ValueError,
         "Conv2D: kernel_size must be an integer >= 1 or a pair of them, got (3, 3, 3)"),
        (lambda: nn.Conv2D(4, None), ValueError,
         "Conv2D: kernel_size must be an integer >= 1 or a pair of them, got None"),
        (lambda: nn.Conv2D(4, 3.0), ValueError,
         "Conv2D: kernel_size must be an integer >= 1 or a pair of them, got 3.0"),
        (lambda: nn.Conv2D(4, True), ValueError,
         "Conv2D: kernel_size must be an integer >= 1 or a pair of them, got True"),
        (lambda: nn.Conv2D(4, 3, stride=0), ValueError,
         "Conv2D: stride must be an integer >= 1 or a pair of them, got 0"),
        (lambda: nn.Conv2D(4, 3, padding=(1, -1)), ValueError,
         "Conv2D: padding must be an integer >= 0 or a pair of them, got (1, -1)"),
        (lambda: nn.Conv2D(0, 4, 3), ValueError,
         "Conv2D: in_channels must be a positive integer, got 0"),
        (lambda: nn.Conv2D(3), TypeError,
         "Conv2D takes (in_channels, out_channels, kernel_size) or (out_channels, kernel_size)"),
        (lambda: nn.MaxPool2D((2, 0)), ValueError,
         "MaxPool2D: kernel_size must be an integer >= 1 or a pair of them, got (2, 0)"),
        (lambda: nn.BatchNorm1D(0), ValueError,
         "BatchNorm1D: num_features must be a positive integer, got 0"),
        (lambda: nn.MaxPool2D(2, padding=2), ValueError,
         "MaxPool2D: padding (2, 2) must be at most half of kernel_size (2, 2), so that every "
         "window holds at least one input pixel"),
    ],
)  # fmt: skip
def test_bad_construction_is_refused_with_a_clear_message(build, error, message):
    with pytest.raises(error, match="^" + re.escape(message) + "$"):
        build()


@pytest.mark.parametrize(
    ("layer", "x_shape", "message"),
    [
        (nn.BatchNorm1D(3), (2, 3, 4, 4),
         "BatchNorm1D: input must be a Tensor of shape (N, C), got shape (2, 3, 4, 4)"),
        (nn.BatchNorm2D(3), (2, 3),
         "BatchNorm2D: input must be a Tensor of shape (N, C, H, W), got shape (2, 3)"),
        (nn.BatchNorm1D(3), (2, 4),
         "batch_norm(): running_mean must be a Tensor of shape (4,) to fit x of shape (2, 4), "
         "got shape (3,)"),
        (lambda x: F.max_pool2d(x, 2, padding=2), (1, 1, 4, 4),
         "max_pool2d(): padding (2, 2) must be at most half of kernel_size (2, 2), so that "
         "every window holds at least one input pixel"),
    ],
    ids=["bn1d-4d", "bn2d-2d", "bn-channels", "pool-padding"],
)  # fmt: skip
def test_bad_input_is_refused_with_a_clear_message(layer, x_shape, message, device):
    if isinstance(layer, nn.Module):
        layer.to(device)
    with pytest.raises(ValueError, match="^" + re.escape(message) + "$"):
        layer(make(np.ones(x_shape), device, dtype="float32"))
