"""``Optimizer``: the base class that walks the parameters and keeps their state.

An optimiser turns gradients into parameter updates. The walk is the same for
every rule (skip parameters without a gradient, keep each parameter's state on
its device, save and restore that state), so it lives here; each subclass only
writes :meth:`Optimizer.update`, the rule for one parameter, on raw arrays.

Updates happen in place on ``parameter.data``, on the parameter's own device
and in its own dtype: a float32 model stays float32. Gradients are treated as
read-only, because the backward pass may hand one gradient array to two
parameters (``y = a + b`` gives ``a`` and ``b`` the same array).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from tinydl import backend, check
from tinydl.autograd.parameter_list import as_parameter_list, zero_gradients
from tinydl.autograd.tensor import Tensor

# What ``state_dict()`` returns, so ``load_state_dict()`` can check what it is given.
_STATE_DICT_KEYS = ("optimizer", "hyperparameters", "parameter_shapes", "state")
# The hyper-parameters that are True or False rather than numbers.
_SWITCHES = ("nesterov", "eps_inside_sqrt")


class Optimizer:
    """Base class of the optimisers: ``step()``, ``zero_grad()``, ``state_dict()``.

    The hyper-parameters given to a subclass (``lr``, ``momentum``, ...) are read and set
    as attributes, e.g. ``optimizer.lr = 0.01``, and may change between steps.
    ``state[i]`` is the state of parameter ``i`` of ``params`` (moment estimates, step
    counts), created on the first step that needs it. ``added_later`` names the
    hyper-parameters a subclass gained after files were saved, with the value those older
    files meant, so that they still load.

    Parameter groups, as in PyTorch: ``params`` may be a list of dicts, each with its
    ``"params"`` and any hyper-parameters of its own (the others come from the
    constructor's arguments), e.g. ``AdamW([{"params": weights}, {"params": biases,
    "weight_decay": 0.0}], lr=1e-3)``. ``optimizer.param_groups`` lists them as dicts whose
    values (``group["lr"]``) schedules change. While a group is stepped, ``self.lr`` and
    the other attributes are that group's values; outside a step, reading one that the
    groups do not share is an error naming ``param_groups``, and setting one sets it in
    every group.
    """

    added_later: dict[str, Any] = {}

    def __init__(self, params: Iterable[Tensor] | Iterable[dict[str, Any]],
                 **hyperparameters: Any) -> None:
        caller = type(self).__name__
        self._hyperparameter_names = tuple(hyperparameters)
        self.defaults = self._checked(hyperparameters)
        self.param_groups: list[dict[str, Any]] = []
        self.params: list[Tensor] = []
        self.state: list[dict[str, Any]] = []
        if _is_group_list(params, caller):
            for group in params:  # type: ignore[union-attr]
                self.add_param_group(group)
        else:
            self._add_group({"params": params}, caller)

    def add_param_group(self, group: dict[str, Any]) -> None:
        """Add a group of parameters with hyper-parameters of its own (PyTorch's method)."""
        self._add_group(group, f"{type(self).__name__} parameter group {len(self.param_groups)}")

    def _add_group(self, group: dict[str, Any], caller: str) -> None:
        if not isinstance(group, dict) or "params" not in group:
            raise TypeError(
                f"{caller} must be a dict with a 'params' entry, e.g. "
                f"{{'params': model.parameters(), 'lr': 0.01}}, got {group!r}"
            )
        unknown = sorted(set(group) - {"params", *self._hyperparameter_names})
        if unknown:
            raise ValueError(
                f"{caller} has unknown setting(s) {unknown}; {type(self).__name__} takes "
                f"{list(self._hyperparameter_names)}"
            )
        params = as_parameter_list(group["params"], caller)
        known = {id(parameter) for parameter in self.params}
        for position, parameter in enumerate(params, start=len(self.params)):
            if not parameter.requires_grad or not parameter.is_leaf:
                raise ValueError(
                    f"{type(self).__name__}: parameter {position} is not a trainable leaf tensor "
                    "(it needs requires_grad=True and no creator); pass only trainable tensors, "
                    "e.g. [p for p in model.parameters() if p.requires_grad]"
                )
            if id(parameter) in known:
                raise ValueError(
                    f"{caller}: parameter {position} is already in another parameter group; "
                    f"each tensor may belong to one group only"
                )
        settings = {name: value for name, value in group.items() if name != "params"}
        self.param_groups.append({"params": params, **self.defaults, **self._checked(settings)})
        self.params.extend(params)
        self.state.extend({} for _ in params)

    # ---- hyper-parameters as attributes: the group being stepped, or the one all share ----
    def __getattr__(self, name: str) -> Any:
        # Only reached when normal lookup fails: outside step(), for a hyper-parameter.
        if name.startswith("__") or name not in self.__dict__.get("_hyperparameter_names", ()):
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        values = [group[name] for group in self.param_groups]
        if any(value != values[0] for value in values[1:]):
            raise ValueError(
                f"{type(self).__name__}.{name} differs between its {len(values)} parameter "
                f"groups ({', '.join(map(repr, values))}): read "
                f"optimizer.param_groups[i][{name!r}] instead"
            )
        return values[0]

    def __setattr__(self, name: str, value: Any) -> None:
        if name in self.__dict__.get("_hyperparameter_names", ()):
            checked = self._checked({name: value})[name]
            for group in self.param_groups:
                group[name] = checked
        else:
            object.__setattr__(self, name, value)

    # ---- the rule: each subclass writes this ---------------------------------------------
    def update(self, param: Any, grad: Any, state: dict[str, Any]) -> None:
        """Update the array ``param`` in place from ``grad`` (read-only), keeping ``state``."""
        raise NotImplementedError

    # ---- the walk ------------------------------------------------------------------------
    def step(self) -> None:
        """Apply one update to every parameter that has a gradient (the others are skipped),
        each group with its own hyper-parameters."""
        position, names = 0, self._hyperparameter_names
        try:
            for group in self.param_groups:
                # The group's values as plain attributes while it steps: update() reads
                # self.lr at dict speed (no __getattr__ per read).
                vars(self).update({name: group[name] for name in names})
                for parameter in group["params"]:
                    self._step_one(position, parameter)
                    position += 1
        finally:
            for name in names:
                vars(self).pop(name, None)

    def _step_one(self, position: int, parameter: Tensor) -> None:
        if parameter.grad is None:
            return
        param, grad = parameter.array, parameter.grad.array
        on_host = type(param) is np.ndarray and type(grad) is np.ndarray  # the fast path
        if grad.shape != param.shape or (
            not on_host and backend.device_of(grad) != backend.device_of(param)
        ):
            raise ValueError(
                f"parameter {position} has shape {param.shape} on "
                f"{backend.device_of(param)}, but its gradient has shape {grad.shape} on "
                f"{backend.device_of(grad)}: did the model move without its gradients?"
            )
        if grad.dtype != param.dtype:
            # A float32 parameter that met float64 data gets a float64 gradient; the
            # update is computed in the parameter's dtype.
            grad = grad.astype(param.dtype)
        state = self.state[position]
        if state:
            self._follow(state, param)
        self.update(param, grad, state)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget every parameter's gradient before the next backward(): ``grad = None``, or
        zeros with ``set_to_none=False`` (PyTorch's default is None too)."""
        zero_gradients(self.params, set_to_none)

    def follow_parameters(self) -> None:
        """Move each parameter's state to that parameter's device and dtype.

        ``step()`` does this itself when a model has moved (``model.to("cuda")``
        after some steps); call it directly to move the state at once, e.g. to
        free GPU memory after moving the model back to the CPU.
        """
        for parameter, state in zip(self.params, self.state, strict=True):
            self._follow(state, parameter.array)

    @staticmethod
    def _follow(state: dict[str, Any], param: Any) -> None:
        for name, value in state.items():
            if not backend.is_array(value):
                continue
            if type(value) is type(param) is np.ndarray and value.dtype == param.dtype:
                continue  # the common case, checked without building Device objects
            device = backend.device_of(param)
            if value.dtype != param.dtype or backend.device_of(value) != device:
                state[name] = backend.to_device(value, device).astype(param.dtype, copy=False)

    @staticmethod
    def buffer(state: dict[str, Any], name: str, param: Any, fill: float = 0.0) -> Any:
        """``state[name]``, first created as an array like ``param`` filled with ``fill``."""
        if name not in state:
            state[name] = backend.array_module(param).full_like(param, fill)
        return state[name]

    # ---- hyper-parameters ----------------------------------------------------------------
    def _checked(self, hyperparameters: dict[str, Any]) -> dict[str, Any]:
        """The hyper-parameters checked, numbers as Python floats.

        Python floats, never ``np.float64``: NumPy 2 keeps ``float32 * 0.9`` float32
        but makes ``float32 * np.float64(0.9)`` float64 (NEP 50).
        """
        where = type(self).__name__
        checked = {}
        for name, value in hyperparameters.items():
            if name in _SWITCHES:
                checked[name] = check.flag(where, name, value)
            elif name == "betas":
                checked[name] = _betas(where, value)
            else:
                checked[name] = check.number(where, name, value, ">= 0")
        return checked

    def __repr__(self) -> str:
        groups = [
            ", ".join(f"{name}={group[name]!r}" for name in self._hyperparameter_names)
            for group in self.param_groups
        ]
        count = len(self.params)
        settings = groups[0] if len(groups) == 1 else "; ".join(
            f"group {i}: {len(group['params'])} parameters, {text}"
            for i, (group, text) in enumerate(zip(self.param_groups, groups, strict=True))
        )
        return f"{type(self).__name__}({count} parameter{'s' * (count != 1)}, {settings})"

    # ---- saving and resuming -------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """Everything needed to resume: host NumPy copies of the state, and the settings.

        ``{"optimizer": "Adam", "hyperparameters": {"lr": 0.001, ...},
        "param_groups": [{"lr": 0.001, ..., "params": [0, 1]}], "parameter_shapes":
        [(3, 2), (2,)], "state": {0: {"step": 5, "exp_avg": array, ...}, ...}}``: the
        per-parameter state is keyed by the parameter's position in ``params``, and only
        parameters that have state yet appear; ``hyperparameters`` are the first group's,
        ``param_groups`` every group's with the positions of its parameters. The arrays are
        copies on the host, so the dict can be pickled or saved on any machine and
        later steps do not change it.
        """
        groups, position = [], 0
        for group in self.param_groups:
            count = len(group["params"])
            settings = {name: group[name] for name in self._hyperparameter_names}
            groups.append({**settings, "params": list(range(position, position + count))})
            position += count
        return {
            "optimizer": type(self).__name__,
            "hyperparameters": {name: self.param_groups[0][name]
                                for name in self._hyperparameter_names},
            "param_groups": groups,
            "parameter_shapes": [tuple(parameter.shape) for parameter in self.params],
            "state": {
                position: {name: _host_copy(value) for name, value in state.items()}
                for position, state in enumerate(self.state)
                if state
            },
        }

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Resume from ``state_dict()``'s output: checks it fits these parameters, then
        copies the state onto each parameter's device and dtype and restores the
        hyper-parameters. Nothing changes if a check fails."""
        name = type(self).__name__
        missing = [key for key in _STATE_DICT_KEYS
                   if not isinstance(state_dict, dict) or key not in state_dict]
        if missing:
            raise ValueError(f"not an optimizer state_dict: it has no {', '.join(missing)}")
        if state_dict["optimizer"] != name:
            raise ValueError(
                f"this state_dict was saved by {state_dict['optimizer']}, it cannot be loaded "
                f"into {name}"
            )
        state_dict = self._with_settings_added_later(state_dict)
        saved_names = set(state_dict["hyperparameters"])
        if saved_names != set(self._hyperparameter_names):
            raise ValueError(
                f"the state_dict's hyper-parameters {sorted(saved_names)} are not {name}'s "
                f"{sorted(self._hyperparameter_names)}"
            )
        shapes = [tuple(shape) for shape in state_dict["parameter_shapes"]]
        if len(shapes) != len(self.params):
            raise ValueError(
                f"the state_dict is for {len(shapes)} parameters, but this optimizer has "
                f"{len(self.params)}"
            )
        mismatches = [
            f"parameter {position} has shape {parameter.shape} here but {shape} in the state_dict"
            for position, (parameter, shape) in enumerate(zip(self.params, shapes, strict=True))
            if parameter.shape != shape
        ]
        for position, state in state_dict["state"].items():
            if position not in range(len(self.params)):
                raise ValueError(
                    f"the state_dict has state for parameter {position}, which does not exist"
                )
            mismatches += [
                f"state {key!r} of parameter {position} has shape {tuple(np.shape(value))}, "
                f"expected {self.params[position].shape}"
                for key, value in state.items()
                if isinstance(value, np.ndarray) and value.shape != self.params[position].shape
            ]
        if mismatches:
            problems = "; ".join(mismatches)
            raise ValueError(f"the state_dict does not fit these parameters: {problems}")
        # Files from before parameter groups hold one set of hyper-parameters for all.
        saved_groups = state_dict.get("param_groups") or [
            {**state_dict["hyperparameters"], "params": list(range(len(self.params)))}
        ]
        own_groups, position = [], 0
        for group in self.param_groups:
            own_groups.append(list(range(position, position + len(group["params"]))))
            position += len(group["params"])
        if [list(group["params"]) for group in saved_groups] != own_groups:
            raise ValueError(
                f"the state_dict's parameter groups hold parameters "
                f"{[list(group['params']) for group in saved_groups]}, this optimizer's "
                f"{own_groups}"
            )
        settings = [
            self._checked({key: value for key, value in group.items() if key != "params"})
            for group in saved_groups
        ]
        for group, values in zip(self.param_groups, settings, strict=True):
            group.update(values)
        self.state = [{} for _ in self.params]
        for position, state in state_dict["state"].items():
            param = self.params[position].array
            self.state[position] = {
                key: _device_copy(value, param) if isinstance(value, np.ndarray) else value
                for key, value in state.items()
            }


    def _with_settings_added_later(self, state_dict: dict[str, Any]) -> dict[str, Any]:
        """``state_dict`` (a copy) with the ``added_later`` settings it predates filled in."""
        if not self.added_later:
            return state_dict
        filled = {**state_dict,
                  "hyperparameters": {**self.added_later, **state_dict["hyperparameters"]}}
        if state_dict.get("param_groups"):
            filled["param_groups"] = [{**self.added_later, **group}
                                      for group in state_dict["param_groups"]]
        return filled


def _is_group_list(params: Any, caller: str) -> bool:
    """Whether ``params`` is PyTorch's list of parameter-group dicts (not tensors)."""
    if not isinstance(params, (list, tuple)) or not any(isinstance(p, dict) for p in params):
        return False
    if not all(isinstance(p, dict) for p in params):
        raise TypeError(
            f"{caller} got a list mixing parameter groups (dicts) and tensors: pass either "
            f"tensors, or only dicts such as {{'params': [...], 'lr': 0.01}}"
        )
    return True


def _host_copy(value: Any) -> Any:
    """A host NumPy copy of a device array, or of each one in a list (LBFGS's history);
    numbers pass through."""
    if isinstance(value, list):
        return [_host_copy(item) for item in value]
    if not backend.is_array(value):
        return value
    host = backend.to_numpy(value)
    return host.copy() if host is value else host  # to_numpy returns host arrays as they are


def _device_copy(value: np.ndarray, param: Any) -> Any:
    """A copy of ``value`` in ``param``'s dtype, on ``param``'s device."""
    return backend.to_device(np.array(value, dtype=param.dtype), backend.device_of(param))


def _betas(where: str, value: Any) -> tuple[float, float]:
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise TypeError(f"{where}: betas must be a pair (beta1, beta2), got {value!r}")
    beta1, beta2 = (check.number(where, f"betas[{i}]", v, "[0, 1)") for i, v in enumerate(value))
    return beta1, beta2

