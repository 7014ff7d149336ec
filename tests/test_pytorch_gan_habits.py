"""What PyTorch's DCGAN tutorial types, beyond the layers: ``nn.ReLU(True)``,
``model.apply(weights_init)`` with ``nn.init.normal_(m.weight.data, 0.0, 0.02)``,
``nn.BCELoss`` after ``nn.Sigmoid``, ``torch.full(..., dtype=torch.float)`` and
``label.fill_(0.0)``. Values are checked against closed forms (and against torch where it
is installed); the tutorial's own loop runs in ``test_the_tutorial_loop_runs``."""

from __future__ import annotations

import math

import numpy as np
import pytest

import tinydl
from tinydl import nn, optim
from tinydl.nn import functional as F  # noqa: N812  (PyTorch's spelling)


# ---- nn.ReLU(True), nn.LeakyReLU(0.2, inplace=True) ----------------------------------------
def test_inplace_is_accepted_and_changes_nothing() -> None:
    x = tinydl.tensor([[-1.0, 2.0]])
    assert nn.ReLU(True)(x).tolist() == [[0.0, 2.0]]
    assert nn.LeakyReLU(0.2, inplace=True)(x).numpy().tolist() == [[np.float32(-0.2), 2.0]]
    assert x.tolist() == [[-1.0, 2.0]]  # the input is never overwritten
    assert repr(nn.ReLU(True)) == "ReLU(inplace=True)" and repr(nn.ReLU()) == "ReLU()"


# ---- Module.apply ------------------------------------------------------------------------
def test_apply_visits_children_before_their_parent_and_returns_the_module() -> None:
    inner = nn.Sequential(nn.Linear(2, 3), nn.ReLU())
    model = nn.Sequential(inner, nn.Linear(3, 1))
    visited: list[str] = []
    assert model.apply(lambda module: visited.append(type(module).__name__)) is model
    assert visited == ["Linear", "ReLU", "Sequential", "Linear", "Sequential"]


# ---- nn.init's in-place initialisers ------------------------------------------------------
def test_normal_and_constant_overwrite_the_tensor_or_its_array(device) -> None:
    layer = nn.Conv2d(64, 128, 4).to(device)
    batch_norm = nn.BatchNorm2d(128).to(device)
    tinydl.manual_seed(0)
    weight = layer.weight.array
    view = layer.weight.data
    assert nn.init.normal_(view, 0.0, 0.02) is view  # the detached view, as PyTorch code passes
    assert layer.weight.array is weight  # written in place
    values = layer.weight.numpy()
    assert values.dtype == np.float32 and abs(values.mean()) < 1e-3
    assert abs(values.std() - 0.02) < 5e-4
    assert nn.init.constant_(batch_norm.bias, 0.5) is batch_norm.bias  # or the Tensor
    assert (batch_norm.bias.numpy() == 0.5).all()
    nn.init.zeros_(batch_norm.bias)
    nn.init.ones_(batch_norm.weight)
    assert (batch_norm.bias.numpy() == 0).all() and (batch_norm.weight.numpy() == 1).all()


def test_uniform_stays_in_its_range_and_is_seeded() -> None:
    weight = nn.Linear(100, 200).weight
    tinydl.manual_seed(3)
    first = nn.init.uniform_(weight, -0.1, 0.3).numpy().copy()
    assert first.min() >= -0.1 and first.max() < 0.3 and abs(first.mean() - 0.1) < 0.005
    tinydl.manual_seed(3)
    assert (nn.init.uniform_(weight, -0.1, 0.3).numpy() == first).all()


@pytest.mark.parametrize(
    ("nonlinearity", "param", "gain"),
    [("linear", None, 1.0), ("sigmoid", None, 1.0), ("tanh", None, 5 / 3),
     ("relu", None, math.sqrt(2)), ("leaky_relu", None, math.sqrt(2 / (1 + 0.01**2))),
     ("leaky_relu", 0.2, math.sqrt(2 / 1.04)), ("selu", None, 0.75)],
)
def test_calculate_gain_is_pytorchs(nonlinearity: str, param: float | None, gain: float) -> None:
    assert nn.init.calculate_gain(nonlinearity, param) == pytest.approx(gain, rel=1e-12)
    torch = pytest.importorskip("torch")
    assert gain == pytest.approx(torch.nn.init.calculate_gain(nonlinearity, param), rel=1e-12)


def test_xavier_and_kaiming_scale_with_the_fans() -> None:
    """A conv weight (out 64, in 32, 3, 3): fan_in 288, fan_out 576; a Linear(300 -> 100)
    weight, stored (out, in) = (100, 300): fan_in 300, fan_out 100."""
    conv, dense = nn.Conv2d(32, 64, 3).weight, nn.Linear(300, 100).weight
    tinydl.manual_seed(0)
    bound = math.sqrt(6 / (288 + 576))
    values = nn.init.xavier_uniform_(conv).numpy()
    assert values.max() <= bound and values.max() > 0.99 * bound
    std = nn.init.xavier_normal_(dense, gain=2.0).numpy().std()
    assert std == pytest.approx(2 * math.sqrt(2 / 400), rel=0.02)
    bound = math.sqrt(3) * math.sqrt(2 / (1 + 0.2**2)) / math.sqrt(288)
    values = nn.init.kaiming_uniform_(conv, a=0.2).numpy()
    assert values.max() <= bound and values.max() > 0.99 * bound
    std = nn.init.kaiming_normal_(dense, mode="fan_out", nonlinearity="relu").numpy().std()
    assert std == pytest.approx(math.sqrt(2 / 100), rel=0.02)


# ---- nn.BCELoss, F.binary_cross_entropy ---------------------------------------------------
def test_bce_values_and_pytorchs_clamp_at_minus_100() -> None:
    p = tinydl.tensor([0.2, 0.9, 0.0, 1.0, 0.0, 1.0])
    t = tinydl.tensor([0.0, 1.0, 0.0, 1.0, 1.0, 0.0])
    expected = [-math.log(0.8), -math.log(0.9), 0.0, 0.0, 100.0, 100.0]  # log 0 -> -100
    losses = F.binary_cross_entropy(p, t, reduction="none")
    np.testing.assert_allclose(losses.numpy(), expected, rtol=1e-6)
    assert losses.dtype == np.float32
    assert nn.BCELoss()(p, t).item() == pytest.approx(sum(expected) / 6, rel=1e-6)
    assert nn.BCELoss(reduction="sum")(p, t).item() == pytest.approx(sum(expected), rel=1e-6)


def test_bce_matches_torch_in_value_and_gradient() -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    p = np.concatenate([rng.uniform(0.01, 0.99, 8), [0.0, 1.0, 1e-30]])
    t = rng.uniform(0, 1, 11)
    mine = tinydl.tensor(p, requires_grad=True, dtype="float64")
    target = tinydl.tensor(t, requires_grad=True, dtype="float64")
    loss = nn.BCELoss()(mine, target)
    loss.backward()
    theirs = torch.tensor(p, requires_grad=True)
    their_target = torch.tensor(t, requires_grad=True)
    their_loss = torch.nn.BCELoss()(theirs, their_target)
    their_loss.backward()
    assert loss.item() == pytest.approx(their_loss.item(), rel=1e-12)
    # at p = 0 and 1 the gradients are ~1e11 (PyTorch's 1e-12 guard): equal to 1e-8
    np.testing.assert_allclose(mine.grad.numpy(), theirs.grad.numpy(), rtol=1e-8)
    # dL/dt where p is 0 or 1: PyTorch's is ±inf (unclamped logs), tinydl's ±100/n
    inside = slice(0, 8)
    np.testing.assert_allclose(
        target.grad.numpy()[inside], their_target.grad.numpy()[inside], rtol=1e-10
    )
    np.testing.assert_allclose(target.grad.numpy()[8:10], [100 / 11, -100 / 11])


def test_bce_gradcheck(device) -> None:
    rng = np.random.default_rng(1)
    p = tinydl.tensor(rng.uniform(0.05, 0.95, (4, 3)), True, "float64", device)
    t = tinydl.tensor(rng.uniform(0, 1, (4, 3)), True, "float64", device)
    assert tinydl.gradcheck(lambda p, t: F.binary_cross_entropy(p, t), [p, t])


def test_sigmoid_then_bce_equals_bce_with_logits() -> None:
    logits = tinydl.tensor(np.linspace(-4, 4, 9), dtype="float64")
    target = tinydl.tensor(np.linspace(0, 1, 9), dtype="float64")
    via_probabilities = nn.BCELoss()(nn.Sigmoid()(logits), target).item()
    assert via_probabilities == pytest.approx(nn.BCEWithLogitsLoss()(logits, target).item())


# ---- torch.float, torch.full, label.fill_ -------------------------------------------------
def test_pytorchs_dtype_names() -> None:
    assert tinydl.float is tinydl.float32 and tinydl.float32 == np.float32
    assert tinydl.double == np.float64 and tinydl.half == np.float16
    assert tinydl.long == np.int64 and tinydl.int == np.int32 and tinydl.bool == np.bool_
    label = tinydl.full((4,), 1.0, dtype=tinydl.float)
    assert label.dtype == tinydl.float32 and label.tolist() == [1.0] * 4
    assert tinydl.tensor([1, 2], dtype=tinydl.long).dtype == np.int64
    assert isinstance(int("3"), int)  # the builtins are untouched outside tinydl.*


def test_fill_and_zero_write_in_place(device) -> None:
    label = tinydl.full((3,), 1.0, device=device)
    data = label.array
    assert label.fill_(0.0) is label and label.array is data
    assert label.tolist() == [0.0] * 3
    assert label.fill_(tinydl.tensor(0.25)).tolist() == [0.25] * 3  # a one-element tensor
    assert label.fill_(np.float32(2)).zero_().tolist() == [0.0] * 3
    weight = nn.Linear(2, 2).weight
    with tinydl.no_grad():
        weight.fill_(1.0)  # reinitialising a parameter: allowed without recording
    assert (weight.numpy() == 1).all()


# ---- the tutorial, with only its imports changed -------------------------------------------
def test_the_tutorial_loop_runs() -> None:
    """PyTorch's DCGAN tutorial, its models shrunk to 16×16 images: weights_init through
    apply, Sigmoid + BCELoss, full/fill_ labels, two optimisers, .item() statistics."""
    torch = tinydl
    nz, ngf, ndf, nc = 8, 4, 4, 1

    def weights_init(m):
        classname = m.__class__.__name__
        if classname.find("Conv") != -1:
            nn.init.normal_(m.weight.data, 0.0, 0.02)
        elif classname.find("BatchNorm") != -1:
            nn.init.normal_(m.weight.data, 1.0, 0.02)
            nn.init.constant_(m.bias.data, 0)

    net_g = nn.Sequential(
        nn.ConvTranspose2d(nz, ngf * 2, 4, 1, 0, bias=False), nn.BatchNorm2d(ngf * 2),
        nn.ReLU(True),
        nn.ConvTranspose2d(ngf * 2, ngf, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf), nn.ReLU(True),
        nn.ConvTranspose2d(ngf, nc, 4, 2, 1, bias=False), nn.Tanh(),
    )
    net_d = nn.Sequential(
        nn.Conv2d(nc, ndf, 4, 2, 1, bias=False), nn.LeakyReLU(0.2, inplace=True),
        nn.Conv2d(ndf, ndf * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ndf * 2),
        nn.LeakyReLU(0.2, inplace=True),
        nn.Conv2d(ndf * 2, 1, 4, 1, 0, bias=False), nn.Sigmoid(),
    )
    torch.manual_seed(0)
    net_g.apply(weights_init)
    net_d.apply(weights_init)
    assert abs(net_g[0].weight.numpy().std() - 0.02) < 0.005
    criterion = nn.BCELoss()
    optimizer_d = optim.Adam(net_d.parameters(), lr=0.0002, betas=(0.5, 0.999))
    optimizer_g = optim.Adam(net_g.parameters(), lr=0.0002, betas=(0.5, 0.999))
    real = torch.rand(8, 1, 16, 16) * 2 - 1
    d_x = []
    for _ in range(3):
        net_d.zero_grad()
        label = torch.full((real.size(0),), 1.0, dtype=torch.float)
        output = net_d(real).view(-1)
        err_d_real = criterion(output, label)
        err_d_real.backward()
        d_x.append(output.mean().item())
        fake = net_g(torch.randn(real.size(0), nz, 1, 1))
        label.fill_(0.0)
        output = net_d(fake.detach()).view(-1)
        err_d_fake = criterion(output, label)
        err_d_fake.backward()
        optimizer_d.step()
        net_g.zero_grad()
        label.fill_(1.0)
        err_g = criterion(net_d(fake).view(-1), label)
        err_g.backward()
        optimizer_g.step()
        assert math.isfinite((err_d_real + err_d_fake).item()) and math.isfinite(err_g.item())
    assert fake.shape == (8, 1, 16, 16)
    assert d_x[-1] > d_x[0]  # D learns to call the real batch real
