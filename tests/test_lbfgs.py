"""optim.LBFGS follows torch.optim.LBFGS step for step: its iterates on the Rosenbrock
function, with fixed steps and with the strong-Wolfe line search, against PyTorch's
(``reference/torch_nn.npz``, made by ``reference/make_torch_nn.py``; also directly where
torch is installed); it trains a model through a closure as pytorch/examples'
time_sequence_prediction does, on every device; its state saves and loads."""

from __future__ import annotations

import ast

import numpy as np
import pytest
from test_reference import load_cases

import tinydl
from tinydl import nn, optim

REF = load_cases("torch_nn")
CASES = sorted(case for case in REF if case.startswith("lbfgs_"))


def rosenbrock(x):
    """The Rosenbrock function of a tinydl or a torch tensor (minimum 0 at x = 1)."""
    return ((1 - x[:-1]) ** 2).sum() + ((x[1:] - x[:-1] ** 2) ** 2).sum() * 100


def closure_for(x, optimizer):
    """The closure LBFGS calls: clear the gradient, compute the loss, backward, return it."""

    def closure():
        optimizer.zero_grad()
        loss = rosenbrock(x)
        loss.backward()
        return loss

    return closure


def minimise(start: np.ndarray, options: dict, steps: int, device: str = "cpu",
             dtype: str = "float64") -> tuple[optim.LBFGS, list, list]:
    x = tinydl.tensor(start, dtype=dtype, device=device, requires_grad=True)
    optimizer = optim.LBFGS([x], **options)
    xs, losses = [], []
    for _ in range(steps):
        losses.append(float(optimizer.step(closure_for(x, optimizer))))
        xs.append(x.numpy().copy())
    return optimizer, xs, losses


@pytest.mark.parametrize("case", CASES)
def test_iterates_match_torch(case: str, device: str) -> None:
    ref = REF[case]
    options = ast.literal_eval(str(ref["options"]))
    optimizer, xs, losses = minimise(ref["start"], options, len(ref["x"]), device)
    np.testing.assert_allclose(np.array(xs), ref["x"], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(losses, ref["loss"], rtol=1e-9)
    assert optimizer.state[0]["func_evals"] == int(ref["func_evals"])


def test_iterates_match_torch_directly() -> None:
    torch = pytest.importorskip("torch")
    start = np.array([0.5, -1.0, 1.2, 0.0])
    for options in ({"lr": 0.5, "max_iter": 5}, {"line_search_fn": "strong_wolfe",
                                                 "history_size": 2, "tolerance_grad": 1e-4}):
        theirs = torch.tensor(start, requires_grad=True)
        their_optimizer = torch.optim.LBFGS([theirs], **options)
        _, xs, _ = minimise(start, options, 4)
        for x in xs:
            their_optimizer.step(closure_for(theirs, their_optimizer))
            np.testing.assert_allclose(x, theirs.detach().numpy(), rtol=1e-9, atol=1e-12)


def test_float32_stays_float32_and_converges(device: str) -> None:
    optimizer, xs, losses = minimise(np.array([-1.2, 1.0]),
                                     {"line_search_fn": "strong_wolfe", "max_iter": 50}, 3,
                                     device, "float32")
    assert optimizer.params[0].dtype == np.float32
    assert optimizer.state[0]["d"].dtype == np.float32
    np.testing.assert_allclose(xs[-1], [1.0, 1.0], atol=1e-3)
    assert losses[0] > 1 > losses[-1]


def test_trains_a_model_through_a_closure_as_time_sequence_prediction(device: str) -> None:
    """pytorch/examples' time_sequence_prediction: LBFGS(lr=0.8) over a model's parameters,
    a closure that zeroes, computes the MSE loss, back-propagates and returns it."""
    tinydl.manual_seed(0)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 3))
    y = x @ np.array([[1.5], [-2.0], [0.5]]) + 0.3
    model = nn.Sequential(nn.Linear(3, 8), nn.Tanh(), nn.Linear(8, 1)).double().to(device)
    inputs = tinydl.tensor(x, dtype="float64", device=device)
    targets = tinydl.tensor(y, dtype="float64", device=device)
    criterion = nn.MSELoss()
    optimizer = optim.LBFGS(model.parameters(), lr=0.8)

    def closure() -> tinydl.Tensor:
        optimizer.zero_grad()
        loss = criterion(model(inputs), targets)
        loss.backward()
        return loss

    first = float(closure())
    for _ in range(5):
        optimizer.step(closure)
    assert float(closure()) < 0.01 * first
    assert all(p.device == device for p in model.parameters())


def test_state_dict_round_trip_continues_identically() -> None:
    options = {"line_search_fn": "strong_wolfe", "history_size": 4, "max_iter": 3}
    optimizer, xs, _ = minimise(np.array([-1.2, 1.0, 0.3]), options, 2)
    saved = optimizer.state_dict()
    old_dirs = saved["state"][0]["old_dirs"]
    assert isinstance(old_dirs, list) and all(isinstance(v, np.ndarray) for v in old_dirs)
    x = optimizer.params[0]
    twin_x = tinydl.tensor(x.numpy(), dtype="float64", requires_grad=True)
    twin = optim.LBFGS([twin_x], **options)
    twin.load_state_dict(saved)

    optimizer.step(closure_for(x, optimizer))
    twin.step(closure_for(twin_x, twin))
    np.testing.assert_array_equal(twin_x.numpy(), x.numpy())
    assert saved["state"][0]["old_dirs"] is not optimizer.state[0]["old_dirs"]  # a copy


def test_stops_at_once_at_a_stationary_point() -> None:
    optimizer, xs, losses = minimise(np.ones(3), {}, 1)
    np.testing.assert_array_equal(xs[0], np.ones(3))
    assert losses == [0.0] and optimizer.state[0]["func_evals"] == 1
