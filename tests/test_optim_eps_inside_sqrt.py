"""RMSprop's and AdaGrad's ``eps_inside_sqrt``: Keras's (and TensorFlow's) g/√(s + ε) as an
option of tinydl's optimisers, so that ``tinydl.keras.optimizers`` only translates names
and defaults. The Keras numbers themselves are checked against Keras's own steps by
tests/test_keras.py (``test_optimizers_match_keras``, fixtures in tests/reference/keras.npz)."""

from __future__ import annotations

import numpy as np
import pytest
from test_optim import Quadratic, hyperparameters, reference_adagrad, reference_rmsprop

import tinydl
from tinydl import nn, optim
from tinydl.keras import optimizers as keras_optimizers

CONFIGS = [
    (optim.RMSprop, {"lr": 0.05, "alpha": 0.9, "eps": 1e-3}, reference_rmsprop),
    (optim.RMSprop, {"lr": 0.01, "momentum": 0.9, "weight_decay": 0.1, "eps": 0.5},
     reference_rmsprop),
    (optim.AdaGrad, {"lr": 0.1, "eps": 1e-3, "initial_accumulator_value": 0.5},
     reference_adagrad),
]


@pytest.mark.parametrize(("cls", "kwargs", "reference"), CONFIGS,
                         ids=[f"{cls.__name__}-{i}" for i, (cls, _, _) in enumerate(CONFIGS)])
def test_eps_inside_sqrt_follows_the_formula(device: str, cls, kwargs, reference) -> None:
    problem = Quadratic(device)
    optimizer = cls(problem.params, eps_inside_sqrt=True, **kwargs)
    thetas = [init.copy() for init in problem.inits]
    states: list[dict] = [{}, {}]
    for _step in range(5):
        problem.train(optimizer, steps=1)
        grads = problem.numpy_grads(thetas)
        thetas = [reference(theta, g, state, **hyperparameters(optimizer))
                  for theta, g, state in zip(thetas, grads, states, strict=True)]
        for got, want in zip(problem.values(), thetas, strict=True):
            np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("cls", [optim.RMSprop, optim.AdaGrad])
def test_the_two_placements_of_eps_differ_where_they_should(cls) -> None:
    """One step from s = g² = 9 with ε = 1 (RMSprop with α = 0, AdaGrad from G = 0): inside
    the root 3/√10, outside 3/(3 + 1)."""
    steps = {}
    for inside in (False, True):
        param = nn.Parameter(np.zeros(1))
        options = {"alpha": 0.0} if cls is optim.RMSprop else {}
        optimizer = cls([param], lr=1.0, eps=1.0, eps_inside_sqrt=inside, **options)
        param.grad = tinydl.Tensor(np.array([3.0]))
        optimizer.step()
        steps[inside] = -param.numpy()[0]
    assert steps == {False: pytest.approx(3 / 4), True: pytest.approx(3 / np.sqrt(10))}


@pytest.mark.parametrize(("keras_class", "engine_class", "settings"), [
    ("RMSprop", optim.RMSprop, {"lr": 0.001, "alpha": 0.9, "eps": 1e-7, "momentum": 0.0}),
    ("Adagrad", optim.AdaGrad, {"lr": 0.001, "eps": 1e-7, "initial_accumulator_value": 0.1}),
])
def test_keras_optimizers_are_tinydls_with_keras_defaults(keras_class, engine_class, settings):
    engine = getattr(keras_optimizers, keras_class)().build([nn.Parameter(np.zeros(2))])
    assert type(engine) is engine_class
    assert hyperparameters(engine) == pytest.approx(
        {"weight_decay": 0.0, **settings, "eps_inside_sqrt": True}
    )


@pytest.mark.parametrize("cls", [optim.RMSprop, optim.AdaGrad])
def test_a_state_dict_from_before_the_option_loads_as_pytorchs_rule(cls) -> None:
    """Files saved before eps_inside_sqrt existed (runs/*/model.npz of tinydl train) meant
    PyTorch's rule; a saved True comes back True."""
    param = nn.Parameter(np.ones(2))
    param.grad = tinydl.Tensor(np.full(2, 0.5))
    saved = cls([param], eps_inside_sqrt=True)
    saved.step()
    old = saved.state_dict()
    old["hyperparameters"].pop("eps_inside_sqrt")
    for group in old["param_groups"]:
        group.pop("eps_inside_sqrt")
    fresh = cls([param], eps_inside_sqrt=True)
    fresh.load_state_dict(old)
    assert fresh.eps_inside_sqrt is False and "eps_inside_sqrt" not in old["hyperparameters"]
    fresh.load_state_dict(saved.state_dict())
    assert fresh.eps_inside_sqrt is True
