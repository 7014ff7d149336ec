"""Keras's optimisers with Keras's defaults, on tinydl's optimisers.

A Keras optimiser is made before the model's weights exist, so here it is a set of
settings; ``compile`` (or the first ``fit``) hands it the parameters and it builds a
tinydl optimiser (``.engine``), whose ``step()`` is what training calls.

The update rules are tinydl's (``tinydl.optim``); these classes translate Keras's names
and defaults into its settings (Keras's ε is 1e-7 in each), and only :class:`KerasAdam`
adds a line of its own, to map Keras's ε onto tinydl's at each step:

- ``SGD(learning_rate=0.01, momentum=0.0, nesterov=False)``: tinydl's ``SGD``. Keras's
  velocity v ← μv − lr·g is −lr times tinydl's b ← μb + g, the same steps while the
  learning rate is constant.
- ``Adam(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7)``: Keras adds ε to
  √v *before* the bias correction, θ ← θ − lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ)·m/(√v + ε). That is
  tinydl's Adam with ε_t = ε/√(1 − β₂ᵗ): :class:`KerasAdam` sets it before each step.
- ``RMSprop(learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7)`` and
  ``Adagrad(learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7)``: Keras puts ε
  *inside* the root, g/√(s + ε), where PyTorch has g/(√s + ε); tinydl's ``RMSprop`` and
  ``AdaGrad`` offer both, and these build them with ``eps_inside_sqrt=True``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from tinydl import check, optim
from tinydl.autograd import Tensor
from tinydl.errors import ArgumentTypeError
from tinydl.keras._args import missing_names, refuse


class KerasAdam(optim.Adam):
    """tinydl's Adam with Keras's placement of ε (see the module docstring)."""

    def __init__(self, params: Iterable[Tensor], lr: float, betas: tuple[float, float],
                 epsilon: float) -> None:
        super().__init__(params, lr=lr, betas=betas, eps=epsilon)
        self.epsilon = epsilon

    def update(self, param: Any, grad: Any, state: dict[str, Any]) -> None:
        t = state.get("step", 0) + 1
        # Keras's ε, mapped; set as a plain attribute, the value update() reads for this step
        object.__setattr__(self, "eps", self.epsilon / math.sqrt(1 - self.betas[1] ** t))
        super().update(param, grad, state)


def learning_rate_of(where: str, value: Any) -> float:
    """A Keras learning rate: a finite number > 0 (Keras's schedule objects are not offered)."""
    if not check.is_number(value):
        raise ArgumentTypeError(f"{where}: learning_rate must be a number (schedules are not "
                                f"offered), got {type(value).__name__}")
    return check.number(where, "learning_rate", value, "> 0")


class Optimizer:
    """Settings of a Keras optimiser; :meth:`build` makes the tinydl optimiser."""

    arguments: tuple[str, ...] = ("learning_rate",)

    def __init__(self, learning_rate: float, name: str | None = None,
                 **unsupported: Any) -> None:
        kind = type(self).__name__
        refuse(f"optimizers.{kind}()", unsupported, [*self.arguments, "name"])
        self._learning_rate = learning_rate_of(f"optimizers.{kind}()", learning_rate)
        self.name = name or kind.lower()
        self.engine: optim.Optimizer | None = None

    def setting(self, name: str, value: Any, within: str = ">= 0") -> float:
        """A hyper-parameter checked here, in Keras's name, rather than later by tinydl's
        optimiser in its own."""
        return check.number(f"optimizers.{type(self).__name__}()", name, value, within)

    @property
    def learning_rate(self) -> float:
        return self.engine.lr if self.engine is not None else self._learning_rate

    @learning_rate.setter
    def learning_rate(self, value: float) -> None:
        self._learning_rate = learning_rate_of(f"{type(self).__name__}.learning_rate", value)
        if self.engine is not None:
            self.engine.lr = self._learning_rate

    def build(self, params: Iterable[Tensor]) -> optim.Optimizer:
        """Make (once) and return the tinydl optimiser over ``params``."""
        if self.engine is not None:
            raise ValueError(
                f"this {type(self).__name__} optimizer already trains another model: make a new "
                f"one for each model"
            )
        self.engine = self.make_engine(list(params))
        return self.engine

    def make_engine(self, params: list[Tensor]) -> optim.Optimizer:
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        settings = {name: getattr(self, name) for name in self.arguments}
        return {"name": self.name, **settings}


class SGD(Optimizer):
    arguments = ("learning_rate", "momentum", "nesterov")

    def __init__(self, learning_rate: float = 0.01, momentum: float = 0.0,
                 nesterov: bool = False, **kwargs: Any) -> None:
        super().__init__(learning_rate, **kwargs)
        self.momentum = self.setting("momentum", momentum)
        self.nesterov = check.flag("optimizers.SGD()", "nesterov", nesterov)

    def make_engine(self, params):
        return optim.SGD(params, lr=self._learning_rate, momentum=self.momentum,
                         nesterov=self.nesterov)


class Adam(Optimizer):
    arguments = ("learning_rate", "beta_1", "beta_2", "epsilon")

    def __init__(self, learning_rate: float = 0.001, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-7, amsgrad: bool = False, **kwargs: Any) -> None:
        super().__init__(learning_rate, **({"amsgrad": True} if amsgrad else {}), **kwargs)
        self.beta_1 = self.setting("beta_1", beta_1, "[0, 1)")
        self.beta_2 = self.setting("beta_2", beta_2, "[0, 1)")
        self.epsilon = self.setting("epsilon", epsilon)

    def make_engine(self, params):
        return KerasAdam(params, self._learning_rate, (self.beta_1, self.beta_2), self.epsilon)


class RMSprop(Optimizer):
    arguments = ("learning_rate", "rho", "momentum", "epsilon")

    def __init__(self, learning_rate: float = 0.001, rho: float = 0.9, momentum: float = 0.0,
                 epsilon: float = 1e-7, centered: bool = False, **kwargs: Any) -> None:
        super().__init__(learning_rate, **({"centered": True} if centered else {}), **kwargs)
        self.rho = self.setting("rho", rho)
        self.momentum = self.setting("momentum", momentum)
        self.epsilon = self.setting("epsilon", epsilon)

    def make_engine(self, params):
        return optim.RMSprop(params, lr=self._learning_rate, alpha=self.rho, eps=self.epsilon,
                             momentum=self.momentum, eps_inside_sqrt=True)


class Adagrad(Optimizer):
    arguments = ("learning_rate", "initial_accumulator_value", "epsilon")

    def __init__(self, learning_rate: float = 0.001, initial_accumulator_value: float = 0.1,
                 epsilon: float = 1e-7, **kwargs: Any) -> None:
        super().__init__(learning_rate, **kwargs)
        self.initial_accumulator_value = self.setting("initial_accumulator_value",
                                                      initial_accumulator_value)
        self.epsilon = self.setting("epsilon", epsilon)

    def make_engine(self, params):
        return optim.AdaGrad(params, lr=self._learning_rate, eps=self.epsilon,
                             initial_accumulator_value=self.initial_accumulator_value,
                             eps_inside_sqrt=True)


OPTIMIZERS: dict[str, type[Optimizer]] = {
    kind.__name__: kind for kind in (Adagrad, Adam, RMSprop, SGD)
}
__all__ = sorted(OPTIMIZERS)


def get(identifier: Any) -> Optimizer:
    """An optimiser from a Keras name ("adam", "rmsprop", "sgd", "adagrad") or an object."""
    if isinstance(identifier, Optimizer):
        return identifier
    by_name = {name.lower(): kind for name, kind in OPTIMIZERS.items()}
    if isinstance(identifier, str) and identifier.lower() in by_name:
        return by_name[identifier.lower()]()
    if isinstance(identifier, optim.Optimizer):
        raise TypeError(
            f"compile() got a tinydl.optim.{type(identifier).__name__}, which already holds "
            f"parameters; pass a Keras optimizer (tinydl.keras.optimizers.{', '.join(__all__)}) "
            f"or its name"
        )
    raise ValueError(
        f"optimizer {identifier!r} is not offered by tinydl.keras; choose from "
        f"{', '.join(sorted(by_name))} or an optimizer object"
    )
__getattr__ = missing_names("optimizers", __all__)
