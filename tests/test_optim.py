"""Optimisers, gradient clipping and weight penalties.

Each rule is checked against a NumPy re-implementation written here (textbook
form, out of place) on every device, against ``torch.optim`` when PyTorch is
installed, and against a few values worked out by hand.
"""

from __future__ import annotations

from unittest import mock

import numpy as np
import pytest
from conftest import make

import tinydl
from tinydl import backend
from tinydl.backend import host_threads
from tinydl.optim import (
    SGD,
    AdaGrad,
    Adagrad,
    Adam,
    AdamW,
    Momentum,
    Optimizer,
    RMSprop,
    clip_grad_norm_,
    l1_penalty,
    l2_penalty,
)

# ---- a small problem: L(θ) = Σ s ⊙ (θ − t)² over two parameters of different shapes ------


class Quadratic:
    """Two parameters (a 2x3 "weight" and a 3-vector "bias") pulled towards fixed targets."""

    def __init__(self, device: str = "cpu", dtype: str = "float64") -> None:
        rng = np.random.default_rng(0)
        self.inits = [rng.normal(size=(2, 3)), rng.normal(size=(3,))]
        self.targets = [rng.normal(size=init.shape) for init in self.inits]
        self.scales = [rng.uniform(0.5, 2.0, size=init.shape) for init in self.inits]
        self.device, self.dtype = device, dtype
        self.params = [make(init, device, dtype=dtype) for init in self.inits]

    def loss(self) -> tinydl.Tensor:
        total = None
        for param, target, scale in zip(self.params, self.targets, self.scales, strict=True):
            device = param.device  # follows the parameters if a test moves them
            target = tinydl.tensor(target, dtype=self.dtype, device=device)
            scale = tinydl.tensor(scale, dtype=self.dtype, device=device)
            term = ((param - target) * (param - target) * scale).sum()
            total = term if total is None else total + term
        return total

    def train(self, optimizer: Optimizer, steps: int) -> None:
        for _ in range(steps):
            optimizer.zero_grad()
            self.loss().backward()
            optimizer.step()

    def numpy_grads(self, thetas: list[np.ndarray]) -> list[np.ndarray]:
        return [
            2 * s * (th - t) for th, t, s in zip(thetas, self.targets, self.scales, strict=True)
        ]

    def values(self) -> list[np.ndarray]:
        return [param.numpy() for param in self.params]


# ---- NumPy references: the textbook formulas, written out of place -----------------------


def reference_sgd(theta, g, state, lr, momentum, nesterov, weight_decay):
    g = g + weight_decay * theta
    if momentum:
        state["b"] = g if "b" not in state else momentum * state["b"] + g
        g = g + momentum * state["b"] if nesterov else state["b"]
    return theta - lr * g


def reference_rmsprop(theta, g, state, lr, alpha, eps, momentum, weight_decay,
                      eps_inside_sqrt=False):
    g = g + weight_decay * theta
    state["s"] = alpha * state.get("s", 0.0) + (1 - alpha) * g**2
    root = np.sqrt(state["s"] + eps) if eps_inside_sqrt else np.sqrt(state["s"]) + eps
    step = g / root
    if momentum:
        state["b"] = momentum * state.get("b", 0.0) + step
        step = state["b"]
    return theta - lr * step


def reference_adagrad(theta, g, state, lr, eps, weight_decay, initial_accumulator_value,
                      eps_inside_sqrt=False):
    g = g + weight_decay * theta
    state["G"] = state.get("G", initial_accumulator_value) + g**2
    root = np.sqrt(state["G"] + eps) if eps_inside_sqrt else np.sqrt(state["G"]) + eps
    return theta - lr * g / root


def reference_adam(theta, g, state, lr, betas, eps, weight_decay, decoupled=False):
    if decoupled:
        theta = theta * (1 - lr * weight_decay)
    else:
        g = g + weight_decay * theta
    beta1, beta2 = betas
    t = state["t"] = state.get("t", 0) + 1
    state["m"] = beta1 * state.get("m", 0.0) + (1 - beta1) * g
    state["v"] = beta2 * state.get("v", 0.0) + (1 - beta2) * g**2
    m_hat, v_hat = state["m"] / (1 - beta1**t), state["v"] / (1 - beta2**t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps)


def reference_adamw(theta, g, state, **hyperparameters):
    return reference_adam(theta, g, state, decoupled=True, **hyperparameters)


REFERENCES = {
    SGD: reference_sgd,
    Momentum: reference_sgd,
    RMSprop: reference_rmsprop,
    AdaGrad: reference_adagrad,
    Adam: reference_adam,
    AdamW: reference_adamw,
}

# Every option of every optimiser; torch's class of the same rule is named last.
CONFIGS = [
    (SGD, {"lr": 0.1}, "SGD"),
    (SGD, {"lr": 0.1, "momentum": 0.9}, "SGD"),
    (SGD, {"lr": 0.1, "momentum": 0.9, "nesterov": True}, "SGD"),
    (SGD, {"lr": 0.1, "momentum": 0.5, "nesterov": True, "weight_decay": 0.1}, "SGD"),
    (SGD, {"lr": 0.1, "weight_decay": 0.3}, "SGD"),
    (Momentum, {"lr": 0.05}, "SGD"),
    (RMSprop, {}, "RMSprop"),
    (RMSprop, {"lr": 0.05, "alpha": 0.9, "eps": 1e-3}, "RMSprop"),
    (RMSprop, {"lr": 0.01, "momentum": 0.9, "weight_decay": 0.1}, "RMSprop"),
    (AdaGrad, {"lr": 0.1}, "Adagrad"),
    (
        AdaGrad,
        {"lr": 0.1, "eps": 1e-3, "weight_decay": 0.1, "initial_accumulator_value": 0.5},
        "Adagrad",
    ),
    (Adam, {"lr": 0.1}, "Adam"),
    (Adam, {"lr": 0.1, "betas": (0.8, 0.9), "eps": 1e-3, "weight_decay": 0.1}, "Adam"),
    (AdamW, {"lr": 0.1}, "AdamW"),
    (AdamW, {"lr": 0.1, "betas": (0.5, 0.6), "weight_decay": 0.5}, "AdamW"),
]


def config_id(cls: type, kwargs: dict) -> str:
    return "-".join([cls.__name__, *(f"{key}={value}" for key, value in kwargs.items())])


CONFIG_IDS = [config_id(cls, kwargs) for cls, kwargs, _ in CONFIGS]
OPTIMIZERS = [
    (SGD, {"lr": 0.1, "momentum": 0.9}),
    (RMSprop, {"momentum": 0.5}),
    (AdaGrad, {}),
    (Adam, {}),
    (AdamW, {}),
]
OPTIMIZER_IDS = [cls.__name__ for cls, _ in OPTIMIZERS]


def hyperparameters(optimizer: Optimizer) -> dict:
    return optimizer.state_dict()["hyperparameters"]


@pytest.mark.parametrize(("cls", "kwargs", "_"), CONFIGS, ids=CONFIG_IDS)
def test_matches_numpy_reference(device: str, cls, kwargs: dict, _) -> None:
    problem = Quadratic(device)
    optimizer = cls(problem.params, **kwargs)
    reference = REFERENCES[cls]
    thetas = [init.copy() for init in problem.inits]
    states: list[dict] = [{}, {}]
    for _step in range(5):
        problem.train(optimizer, steps=1)
        grads = problem.numpy_grads(thetas)
        thetas = [
            reference(theta, g, state, **hyperparameters(optimizer))
            for theta, g, state in zip(thetas, grads, states, strict=True)
        ]
        for got, want in zip(problem.values(), thetas, strict=True):
            np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize(("cls", "kwargs", "torch_name"), CONFIGS, ids=CONFIG_IDS)
def test_matches_torch_optim(cls, kwargs: dict, torch_name: str) -> None:
    torch = pytest.importorskip("torch")
    problem = Quadratic()
    optimizer = cls(problem.params, **kwargs)
    torch_params = [torch.tensor(init, requires_grad=True) for init in problem.inits]
    torch_kwargs = {"momentum": 0.9, **kwargs} if cls is Momentum else kwargs
    torch_optimizer = getattr(torch.optim, torch_name)(torch_params, **torch_kwargs)
    targets = [torch.tensor(t) for t in problem.targets]
    scales = [torch.tensor(s) for s in problem.scales]
    for _step in range(6):
        problem.train(optimizer, steps=1)
        torch_optimizer.zero_grad()
        loss = sum(
            ((p - t) ** 2 * s).sum() for p, t, s in zip(torch_params, targets, scales, strict=True)
        )
        loss.backward()
        torch_optimizer.step()
        for got, want in zip(problem.values(), torch_params, strict=True):
            np.testing.assert_allclose(got, want.detach().numpy(), rtol=1e-10, atol=1e-12)


def test_defaults_are_pytorchs() -> None:
    params = Quadratic().params
    assert hyperparameters(SGD(params, lr=0.1)) == {
        "lr": 0.1,
        "momentum": 0.0,
        "nesterov": False,
        "weight_decay": 0.0,
    }
    assert hyperparameters(Momentum(params, lr=0.1))["momentum"] == 0.9
    assert hyperparameters(RMSprop(params)) == {
        "lr": 0.01,
        "alpha": 0.99,
        "eps": 1e-8,
        "momentum": 0.0,
        "weight_decay": 0.0,
        "eps_inside_sqrt": False,
    }
    assert hyperparameters(AdaGrad(params)) == {
        "lr": 0.01,
        "eps": 1e-10,
        "weight_decay": 0.0,
        "initial_accumulator_value": 0.0,
        "eps_inside_sqrt": False,
    }
    assert hyperparameters(Adam(params)) == {
        "lr": 1e-3,
        "betas": (0.9, 0.999),
        "eps": 1e-8,
        "weight_decay": 0.0,
    }
    assert hyperparameters(AdamW(params))["weight_decay"] == 0.01
    assert Adagrad is AdaGrad


# ---- values worked out by hand, with a constant gradient g (loss = Σ g·θ) ----------------


def constant_gradient_steps(optimizer_cls, grad: list[float], steps: int, **kwargs) -> np.ndarray:
    """θ after ``steps`` steps from θ = 0 when every gradient is ``grad``."""
    theta = make([0.0] * len(grad), "cpu")
    optimizer = optimizer_cls([theta], **kwargs)
    for _ in range(steps):
        optimizer.zero_grad()
        (theta * tinydl.tensor(grad, dtype="float64", device="cpu")).sum().backward()
        optimizer.step()
    return theta.numpy()


def test_sgd_by_hand() -> None:
    # θ ← θ − lr·g with lr = 0.1, g = (1, −2): three steps move θ by −3·0.1·g.
    np.testing.assert_allclose(constant_gradient_steps(SGD, [1.0, -2.0], 3, lr=0.1), [-0.3, 0.6])


def test_momentum_by_hand() -> None:
    # b = 1, 1.9, 2.71 (b ← 0.9b + 1); θ = −0.1·(1 + 1.9 + 2.71) = −0.561.
    theta = constant_gradient_steps(SGD, [1.0], 3, lr=0.1, momentum=0.9)
    np.testing.assert_allclose(theta, [-0.561])
    np.testing.assert_allclose(constant_gradient_steps(Momentum, [1.0], 3, lr=0.1), [-0.561])


def test_nesterov_by_hand() -> None:
    # Steps along g + μb: 1 + 0.9·1 = 1.9, then 1 + 0.9·1.9 = 2.71; θ = −0.1·4.61.
    theta = constant_gradient_steps(SGD, [1.0], 2, lr=0.1, momentum=0.9, nesterov=True)
    np.testing.assert_allclose(theta, [-0.461])


def test_weight_decay_by_hand() -> None:
    # θ = 1, g = 0.5, λ = 0.1: θ ← 1 − 0.1·(0.5 + 0.1·1) = 0.94.
    theta = make([1.0], "cpu")
    optimizer = SGD([theta], lr=0.1, weight_decay=0.1)
    theta.grad = tinydl.tensor([0.5], dtype="float64", device="cpu")
    optimizer.step()
    np.testing.assert_allclose(theta.numpy(), [0.94])


def test_adam_by_hand() -> None:
    # With a constant g the bias-corrected means are exactly g and g², so every step
    # moves each element by lr·g/(|g| + ε) ≈ lr, whatever the size of g.
    theta = constant_gradient_steps(Adam, [4.0, -0.01], 3, lr=0.1)
    np.testing.assert_allclose(theta, [-0.3 * 4 / (4 + 1e-8), 0.3 * 0.01 / (0.01 + 1e-8)])


def test_rmsprop_by_hand() -> None:
    # First step: s = (1 − 0.99)g², so θ = −lr·g/(0.1|g| + ε) ≈ −10·lr·sign(g).
    theta = constant_gradient_steps(RMSprop, [3.0], 1, lr=0.01)
    np.testing.assert_allclose(theta, [-0.01 * 3 / (0.3 + 1e-8)])


@pytest.mark.parametrize("settings", [{}, {"momentum": 0.9, "weight_decay": 0.01},
                                      {"eps_inside_sqrt": True}])
def test_rmsprop_fast_split_over_threads_is_the_plain_step_bit_for_bit(
        settings, device: str, three_threads) -> None:
    """The fast path runs the same passes on parts of the arrays on three threads (down to
    8 elements a part): the same bits as the plain step over whole arrays."""
    rng = np.random.default_rng(4)
    start = rng.standard_normal((6, 5)).astype(np.float32)
    grads = [rng.standard_normal((6, 5)).astype(np.float32) for _ in range(3)]
    results = []
    for fast in (False, True):
        param = tinydl.tensor(start, device=device, requires_grad=True)
        optimizer = RMSprop([param], lr=0.01, **settings)
        with tinydl.fast_paths(fast), mock.patch.object(
                host_threads, "run_on_elements", wraps=host_threads.run_on_elements) as split:
            for grad in grads:
                param.grad = tinydl.tensor(grad, device=device)
                optimizer.step()
        assert split.called == fast
        results.append(param.numpy())
    np.testing.assert_array_equal(results[1], results[0])


def test_adagrad_by_hand() -> None:
    # G = g², 2g²: θ = −lr·(g/|g| + g/(√2|g|)) (ε = 1e-10 is negligible here).
    theta = constant_gradient_steps(AdaGrad, [-2.0], 2, lr=0.1)
    np.testing.assert_allclose(theta, [0.1 * (1 + 1 / np.sqrt(2))], rtol=1e-9)


# ---- dtype, devices, gradients left alone ------------------------------------------------


@pytest.mark.parametrize(("cls", "kwargs"), OPTIMIZERS, ids=OPTIMIZER_IDS)
def test_float32_stays_float32(device: str, cls, kwargs: dict) -> None:
    problem = Quadratic(device, dtype="float32")
    arrays = [param.array for param in problem.params]
    optimizer = cls(problem.params, weight_decay=0.01, **kwargs)
    problem.train(optimizer, steps=3)
    for param, array, state in zip(problem.params, arrays, optimizer.state, strict=True):
        assert param.array is array  # updated in place
        assert param.dtype == np.float32
        for value in state.values():
            if backend.is_array(value):
                assert value.dtype == np.float32
                assert backend.device_of(value) == device


def test_numpy_scalar_hyperparameters_become_python_floats() -> None:
    # An np.float64 learning rate would make float32 updates compute in float64 (NEP 50).
    optimizer = Adam(Quadratic().params, lr=np.float64(0.01), betas=(np.float64(0.9), 0.99))
    assert type(optimizer.lr) is float
    assert all(type(beta) is float for beta in optimizer.betas)


def test_float64_gradient_of_a_float32_parameter_is_used_in_float32() -> None:
    theta = make([1.0, 2.0], "cpu", dtype="float32")
    optimizer = SGD([theta], lr=0.5, momentum=0.9)
    theta.grad = tinydl.tensor([1.0, 1.0], dtype="float64", device="cpu")
    optimizer.step()
    assert theta.dtype == np.float32 and optimizer.state[0]["momentum_buffer"].dtype == np.float32
    np.testing.assert_array_equal(theta.numpy(), np.array([0.5, 1.5], dtype=np.float32))


@pytest.mark.parametrize(("cls", "kwargs"), OPTIMIZERS, ids=OPTIMIZER_IDS)
def test_shared_gradient_array_is_not_written_to(device: str, cls, kwargs: dict) -> None:
    # y = a + b hands the same gradient array to a and b: updating a must not change b's.
    a, b = make([1.0, -2.0], device), make([0.5, 3.0], device)
    (a + b).sum().backward()
    assert a.grad.array is b.grad.array
    shared = cls([a, b], weight_decay=0.1, **kwargs)
    a2, b2 = make([1.0, -2.0], device), make([0.5, 3.0], device)
    a2.grad, b2.grad = make([1.0, 1.0], device), make([1.0, 1.0], device)
    separate = cls([a2, b2], weight_decay=0.1, **kwargs)
    for _ in range(3):
        shared.step()
        separate.step()
    np.testing.assert_array_equal(a.grad.numpy(), [1.0, 1.0])
    np.testing.assert_array_equal(a.numpy(), a2.numpy())
    np.testing.assert_array_equal(b.numpy(), b2.numpy())


def test_parameters_without_gradient_are_skipped() -> None:
    problem = Quadratic()
    optimizer = Adam(problem.params, lr=0.1)
    problem.train(optimizer, steps=1)
    problem.params[1].grad = None
    bias = problem.params[1].numpy()
    optimizer.step()
    np.testing.assert_array_equal(problem.params[1].numpy(), bias)
    assert optimizer.state[0]["step"] == 2 and optimizer.state[1]["step"] == 1


def test_zero_grad_clears_every_gradient() -> None:
    problem = Quadratic()
    optimizer = SGD(problem.params, lr=0.1)
    problem.loss().backward()
    assert all(param.grad is not None for param in problem.params)
    optimizer.zero_grad()
    assert all(param.grad is None for param in problem.params)


def test_hyperparameters_can_change_between_steps() -> None:
    problem = Quadratic()
    optimizer = SGD(problem.params, lr=0.1)
    optimizer.lr = 0.0
    problem.train(optimizer, steps=2)
    for got, init in zip(problem.values(), problem.inits, strict=True):
        np.testing.assert_array_equal(got, init)


@pytest.mark.parametrize(("cls", "kwargs"), OPTIMIZERS, ids=OPTIMIZER_IDS)
def test_state_follows_parameters_to_another_device(cls, kwargs: dict) -> None:
    moved, stayed = Quadratic("cpu"), Quadratic("cpu")
    optimizer, reference = cls(moved.params, **kwargs), cls(stayed.params, **kwargs)
    moved.train(optimizer, steps=2)
    stayed.train(reference, steps=2)
    for param in moved.params:  # what moving a model does to its parameters
        param.array = backend.to_device(param.array, "fake")
    moved.train(optimizer, steps=2)  # the fake device refuses any host array left behind
    stayed.train(reference, steps=2)
    for state in optimizer.state:
        assert all(backend.device_of(v) == "fake" for v in state.values() if backend.is_array(v))
    for got, want in zip(moved.values(), stayed.values(), strict=True):
        np.testing.assert_array_equal(got, want)
    for param in moved.params:
        param.array = backend.to_device(param.array, "cpu")
    optimizer.follow_parameters()  # moves at once, without waiting for a step
    for state in optimizer.state:
        assert all(type(v) is np.ndarray for v in state.values() if backend.is_array(v))


def test_gradient_left_on_another_device_is_an_error() -> None:
    theta = make([1.0, 2.0], "cpu")
    optimizer = SGD([theta], lr=0.1)
    theta.grad = tinydl.tensor([1.0, 1.0], dtype="float64", device="fake")
    with pytest.raises(
        ValueError,
        match=r"parameter 0 has shape \(2,\) on cpu, but its gradient "
        r"has shape \(2,\) on fake: did the model move without its gradients\?",
    ):
        optimizer.step()


# ---- construction errors -----------------------------------------------------------------


def test_parameters_may_come_from_a_generator() -> None:
    problem = Quadratic()
    optimizer = SGD((param for param in problem.params), lr=0.1)
    assert optimizer.params == problem.params
    assert repr(optimizer) == (
        "SGD(2 parameters, lr=0.1, momentum=0.0, nesterov=False, weight_decay=0.0)"
    )


@pytest.mark.parametrize(
    ("params", "error", "message"),
    [
        (
            [],
            ValueError,
            r"^SGD got no parameters: the list is empty, or it was a generator that "
            r"was already used up \(call model.parameters\(\) again for each use\)$",
        ),
        (iter([]), ValueError, "SGD got no parameters"),
        (5, TypeError, r"^SGD needs an iterable of tensors such as model.parameters\(\), got int$"),
        ("weights", TypeError, r"^SGD: parameter 0 must be a Tensor, got str: make one with "),
        ([np.zeros(3)], TypeError, r"^SGD: parameter 0 must be a Tensor, got ndarray: make one "),
    ],
)
def test_bad_parameter_lists(params, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        SGD(params, lr=0.1)


def test_bad_parameters() -> None:
    w = make([1.0], "cpu")
    with pytest.raises(
        TypeError, match=r"got a single tensor: wrap it in a list, e\.g\. \[weight\]"
    ):
        Adam(w)
    with pytest.raises(
        ValueError,
        match=r"^Adam: parameter 1 is the same tensor as parameter 0; "
        "pass each tensor once$",
    ):
        Adam([w, w])
    frozen = make([1.0], "cpu", requires_grad=False)
    with pytest.raises(ValueError, match=r"^Adam: parameter 1 is not a trainable leaf tensor"):
        Adam([w, frozen])
    with pytest.raises(
        ValueError,
        match=r"parameter 0 is not a trainable leaf tensor .*"
        r"\[p for p in model.parameters\(\) if p.requires_grad\]$",
    ):
        Adam([w * 2])


@pytest.mark.parametrize(
    ("make_optimizer", "error", "message"),
    [
        (
            lambda p: SGD(p, lr=-0.1),
            ValueError,
            r"^SGD: lr must be a finite number >= 0, got -0.1$",
        ),
        (lambda p: SGD(p, lr=float("nan")), ValueError, r"^SGD: lr must be a finite number >= 0"),
        (
            lambda p: SGD(p, lr="0.1"),
            TypeError,
            r"^SGD: lr must be a finite number >= 0, got '0.1'$",
        ),
        (
            lambda p: SGD(p, lr=0.1, nesterov=True),
            ValueError,
            r"^nesterov=True needs a momentum > 0$",
        ),
        (
            lambda p: SGD(p, 0.1, 0.9, nesterov=1),
            TypeError,
            r"^SGD: nesterov must be True or False, got 1$",
        ),
        (
            lambda p: RMSprop(p, momentum=-1),
            ValueError,
            r"^RMSprop: momentum must be a finite number >= 0",
        ),
        (
            lambda p: Adam(p, betas=0.9),
            TypeError,
            r"^Adam: betas must be a pair \(beta1, beta2\), got 0.9$",
        ),
        (
            lambda p: Adam(p, betas=(0.9, 1.0)),
            ValueError,
            r"^Adam: betas\[1\] must lie in \[0, 1\), got 1.0$",
        ),
        (
            lambda p: AdamW(p, weight_decay=-0.01),
            ValueError,
            r"^AdamW: weight_decay must be a finite",
        ),
        (
            lambda p: AdaGrad(p, eps=-1.0),
            ValueError,
            r"^AdaGrad: eps must be a finite number >= 0, got -1.0$",
        ),
    ],
)
def test_bad_hyperparameters(make_optimizer, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        make_optimizer(Quadratic().params)


# ---- saving and resuming -----------------------------------------------------------------


@pytest.mark.parametrize(("cls", "kwargs"), OPTIMIZERS, ids=OPTIMIZER_IDS)
def test_state_dict_round_trip_resumes_identically(device: str, cls, kwargs: dict) -> None:
    original = Quadratic(device)
    optimizer = cls(original.params, **kwargs)
    original.train(optimizer, steps=3)
    saved = optimizer.state_dict()
    assert set(saved["state"]) == {0, 1}
    assert all(
        type(v) is np.ndarray
        for s in saved["state"].values()
        for v in s.values()
        if not isinstance(v, int)
    )

    resumed = Quadratic(device)  # a fresh process: same parameter values, new optimizer
    for param, value in zip(resumed.params, original.values(), strict=True):
        param.array = backend.to_device(value.copy(), device)
    new_optimizer = cls(resumed.params, lr=123.0) if cls is SGD else cls(resumed.params)
    new_optimizer.load_state_dict(saved)
    assert hyperparameters(new_optimizer) == hyperparameters(optimizer)

    snapshot = {i: {k: np.copy(v) for k, v in s.items()} for i, s in saved["state"].items()}
    original.train(optimizer, steps=3)
    resumed.train(new_optimizer, steps=3)
    for got, want in zip(resumed.values(), original.values(), strict=True):
        np.testing.assert_array_equal(got, want)
    for i, state in saved["state"].items():  # a copy: later steps did not change it
        for key, value in state.items():
            np.testing.assert_array_equal(value, snapshot[i][key])


def test_state_dict_loads_onto_another_device_and_dtype() -> None:
    source = Quadratic("cpu", dtype="float64")
    optimizer = Adam(source.params)
    source.train(optimizer, steps=2)
    target = Quadratic("fake", dtype="float32")
    loaded = Adam(target.params)
    loaded.load_state_dict(optimizer.state_dict())
    exp_avg = loaded.state[0]["exp_avg"]
    assert backend.device_of(exp_avg) == "fake" and exp_avg.dtype == np.float32
    assert loaded.state[0]["step"] == 2
    target.train(loaded, steps=1)


@pytest.fixture
def saved_sgd() -> dict:
    problem = Quadratic()
    optimizer = SGD(problem.params, lr=0.1, momentum=0.9)
    problem.train(optimizer, steps=1)
    return optimizer.state_dict()


def test_load_state_dict_errors(saved_sgd: dict) -> None:
    problem = Quadratic()
    optimizer = SGD(problem.params, lr=0.5)

    def load(changes: dict, message: str) -> None:
        with pytest.raises(ValueError, match=message):
            optimizer.load_state_dict({**saved_sgd, **changes})

    load(
        {"optimizer": "Adam"}, r"^this state_dict was saved by Adam, it cannot be loaded into SGD$"
    )
    load(
        {"hyperparameters": {"lr": 0.1}},
        r"^the state_dict's hyper-parameters \['lr'\] are not "
        r"SGD's \['lr', 'momentum', 'nesterov', 'weight_decay'\]$",
    )
    load(
        {"parameter_shapes": [(2, 3)]},
        r"^the state_dict is for 1 parameters, but this optimizer has 2$",
    )
    load(
        {"parameter_shapes": [(3, 2), (3,)]},
        r"^the state_dict does not fit these parameters: "
        r"parameter 0 has shape \(2, 3\) here but \(3, 2\) in the state_dict$",
    )
    load(
        {"state": {0: saved_sgd["state"][0], 1: {"momentum_buffer": np.zeros(4)}}},
        r"^the state_dict does not fit these parameters: state 'momentum_buffer' of "
        r"parameter 1 has shape \(4,\), expected \(3,\)$",
    )
    load({"state": {2: {}}}, r"^the state_dict has state for parameter 2, which does not exist$")
    with pytest.raises(
        ValueError,
        match=r"^not an optimizer state_dict: it has no "
        "parameter_shapes, state$",
    ):
        optimizer.load_state_dict({"optimizer": "SGD", "hyperparameters": {}})
    # A failed load changes nothing.
    assert optimizer.lr == 0.5 and optimizer.state == [{}, {}]


def test_momentum_state_dict_cannot_be_loaded_into_sgd(saved_sgd: dict) -> None:
    with pytest.raises(ValueError, match="saved by SGD, it cannot be loaded into Momentum"):
        Momentum(Quadratic().params, lr=0.1).load_state_dict(saved_sgd)


# ---- convergence: each optimiser minimises the quadratic ---------------------------------


CONVERGING = [
    (SGD, {"lr": 0.1}),
    (SGD, {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
    (Momentum, {"lr": 0.05}),
    (RMSprop, {"lr": 0.01, "momentum": 0.5}),
    (AdaGrad, {"lr": 0.5}),
    (Adam, {"lr": 0.1}),
    (AdamW, {"lr": 0.1, "weight_decay": 0.0}),
]


@pytest.mark.parametrize(("cls", "kwargs"), CONVERGING, ids=[config_id(*c) for c in CONVERGING])
def test_minimises_a_quadratic(cls, kwargs: dict) -> None:
    problem = Quadratic(dtype="float32")
    problem.train(cls(problem.params, **kwargs), steps=200)
    for got, target in zip(problem.values(), problem.targets, strict=True):
        np.testing.assert_allclose(got, target, atol=2e-3)


def test_weight_decay_pulls_adamw_towards_zero() -> None:
    # Decoupled decay settles where the Adam step balances lr·λ·θ: short of the target.
    plain, decayed = Quadratic(), Quadratic()
    plain.train(AdamW(plain.params, lr=0.05, weight_decay=0.0), steps=300)
    decayed.train(AdamW(decayed.params, lr=0.05, weight_decay=0.5), steps=300)
    for p, d in zip(plain.values(), decayed.values(), strict=True):
        assert np.all(np.abs(d) < np.abs(p))


# ---- gradient clipping -------------------------------------------------------------------


def grads_of(params: list[tinydl.Tensor], grads: list[list[float]]) -> None:
    for param, grad in zip(params, grads, strict=True):
        param.grad = tinydl.tensor(grad, dtype=param.dtype, device=param.device)


def test_clip_grad_norm_scales_all_gradients_together(device: str) -> None:
    # ‖(3, 4, 12)‖ = 13; clipping to 6.5 halves every gradient.
    a, b, unused = make([0.0, 0.0], device), make([0.0], device), make([0.0], device)
    grads_of([a, b], [[3.0, 4.0], [12.0]])
    norm = clip_grad_norm_([a, b, unused], max_norm=6.5)
    assert isinstance(norm, tinydl.Tensor) and norm.shape == () and norm.device == device
    assert float(norm) == 13.0
    factor = 6.5 / (13 + 1e-6)
    np.testing.assert_allclose(a.grad.numpy(), [3 * factor, 4 * factor], rtol=1e-12)
    np.testing.assert_allclose(b.grad.numpy(), [12 * factor], rtol=1e-12)
    assert unused.grad is None
    assert a.grad.device == device


def test_clip_grad_norm_leaves_small_gradients_alone(device: str) -> None:
    a = make([0.0, 0.0], device, dtype="float32")
    grads_of([a], [[3.0, 4.0]])
    original = a.grad.array
    norm = clip_grad_norm_(iter([a]), max_norm=5.0 + 1e-3)
    assert float(norm) == 5.0 and norm.dtype == np.float32
    np.testing.assert_array_equal(a.grad.numpy(), [3.0, 4.0])
    assert a.grad.dtype == np.float32
    np.testing.assert_array_equal(backend.to_numpy(original), [3.0, 4.0])  # not written in place


def test_clip_grad_norm_matches_torch() -> None:
    torch = pytest.importorskip("torch")
    problem = Quadratic()
    problem.loss().backward()
    torch_params = [torch.tensor(init, requires_grad=True) for init in problem.inits]
    for param, torch_param in zip(problem.params, torch_params, strict=True):
        torch_param.grad = torch.tensor(param.grad.numpy())
    norm = clip_grad_norm_(problem.params, max_norm=1.0)
    torch_norm = torch.nn.utils.clip_grad_norm_(torch_params, max_norm=1.0)
    np.testing.assert_allclose(float(norm), float(torch_norm), rtol=1e-12)
    for param, torch_param in zip(problem.params, torch_params, strict=True):
        np.testing.assert_allclose(param.grad.numpy(), torch_param.grad.numpy(), rtol=1e-12)


def test_clip_grad_norm_without_gradients_and_bad_input() -> None:
    a = make([1.0], "fake", dtype="float32")
    norm = clip_grad_norm_([a], max_norm=1.0)
    assert float(norm) == 0.0 and norm.device == "fake" and norm.dtype == np.float32
    with pytest.raises(ValueError, match=(
        r"^clip_grad_norm_: max_norm must be a finite number >= 0, got -1$"
    )):
        clip_grad_norm_([a], max_norm=-1)
    with pytest.raises(ValueError, match=r"^clip_grad_norm_ got no parameters"):
        clip_grad_norm_([], max_norm=1.0)
    b = make([1.0], "cpu")
    grads_of([a, b], [[1.0], [1.0]])
    with pytest.raises(
        tinydl.DeviceError,
        match=r"^clip_grad_norm_: the gradients must be on one device, got cpu and fake: ",
    ):
        clip_grad_norm_([a, b], max_norm=1.0)


# ---- L1 / L2 penalties -------------------------------------------------------------------


def test_l1_penalty_value_and_gradient(device: str) -> None:
    w = make([[-2.0, 0.0], [0.5, 3.0]], device, dtype="float32")
    b = make([-1.5], device, dtype="float32")
    penalty = l1_penalty(w for w in [w, b])
    assert penalty.shape == () and penalty.dtype == np.float32 and penalty.device == device
    assert float(penalty) == 7.0
    penalty.backward()
    np.testing.assert_array_equal(w.grad.numpy(), [[-1.0, 0.0], [1.0, 1.0]])  # sign(θ), 0 at 0
    np.testing.assert_array_equal(b.grad.numpy(), [-1.0])
    assert w.grad.dtype == np.float32


def test_l2_penalty_value_and_gradient(device: str) -> None:
    w = make([[-2.0, 0.0], [0.5, 3.0]], device)
    b = make([-1.5], device)
    penalty = l2_penalty([w, b])
    assert penalty.shape == () and penalty.device == device
    assert float(penalty) == 4 + 0.25 + 9 + 2.25
    penalty.backward()
    np.testing.assert_array_equal(w.grad.numpy(), [[-4.0, 0.0], [1.0, 6.0]])  # 2θ
    np.testing.assert_array_equal(b.grad.numpy(), [-3.0])
    with pytest.raises(ValueError, match=r"^l2_penalty got no parameters"):
        l2_penalty([])
    with pytest.raises(TypeError, match=r"^l1_penalty needs an iterable of tensors"):
        l1_penalty(w)


def test_weight_decay_equals_half_the_l2_penalty_in_the_loss() -> None:
    decayed, penalised = Quadratic(), Quadratic()
    decayed.train(SGD(decayed.params, lr=0.1, momentum=0.9, weight_decay=0.2), steps=3)
    optimizer = SGD(penalised.params, lr=0.1, momentum=0.9)
    for _ in range(3):
        optimizer.zero_grad()
        (penalised.loss() + 0.1 * l2_penalty(penalised.params)).backward()
        optimizer.step()
    for got, want in zip(penalised.values(), decayed.values(), strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-12)
