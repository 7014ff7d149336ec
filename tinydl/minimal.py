"""tinydl in one file: a Tensor, a Function, five operations and backward, on NumPy arrays.

Read this first: the whole idea of the engine at one sitting, in the spirit of micrograd
(Andrej Karpathy's autograd engine, small enough to hold in your head), but shaped like
tinydl's real engine: values are arrays (a layer is one matrix product, and broadcasting is
undone in backward), each operation is a Function with forward and backward side by side,
and the graph is walked with an explicit stack, not recursion, so no depth overflows
Python's call stack. Everything is float64 here. The real engine (``tinydl/autograd/``,
``tinydl/ops/``) adds float32, devices, ``requires_grad``, ``no_grad`` and the other ops;
``tests/test_minimal.py`` checks that both give the same gradients for a small MLP, and
``python -m tinydl.minimal`` trains one.
"""

from __future__ import annotations

import numpy as np


class Tensor:
    """An array, the gradient of the loss with respect to it, and the Function that made it."""

    def __init__(self, data, creator: Function | None = None) -> None:
        self.data = np.asarray(data, dtype=np.float64)
        self.grad: np.ndarray | None = None  # dLoss/dself after backward(), shaped as data
        self.creator = creator  # None for the inputs and parameters we create ourselves

    def __add__(self, other) -> Tensor:
        return Add()(self, as_tensor(other))

    def __mul__(self, other) -> Tensor:
        return Mul()(self, as_tensor(other))

    def __matmul__(self, other) -> Tensor:
        return MatMul()(self, other)

    def __sub__(self, other) -> Tensor:
        return self + as_tensor(other) * -1.0

    __radd__, __rmul__ = __add__, __mul__

    def relu(self) -> Tensor:
        return ReLU()(self)

    def sum(self) -> Tensor:
        return Sum()(self)

    def backward(self) -> None:
        """Fill ``grad`` of every tensor this (scalar) one was computed from: the chain rule,
        applied from the loss back to the inputs."""
        self.grad = np.ones_like(self.data)  # dLoss/dLoss = 1
        for tensor in reversed(graph_in_order(self)):  # each tensor before its inputs
            if tensor.creator is None:
                continue
            function = tensor.creator
            for parent, grad in zip(function.inputs, function.backward(tensor.grad), strict=True):
                # A tensor used twice collects a gradient from each use: add them.
                parent.grad = grad if parent.grad is None else parent.grad + grad


def as_tensor(value) -> Tensor:
    return value if isinstance(value, Tensor) else Tensor(value)


def graph_in_order(root: Tensor) -> list[Tensor]:
    """Every tensor ``root`` depends on, each listed after all the tensors it was made from
    (a topological order), found by depth-first search with an explicit stack."""
    order, seen, stack = [], set(), [(root, False)]
    while stack:
        tensor, inputs_listed = stack.pop()
        if inputs_listed:  # second visit: everything it was made from is in order already
            order.append(tensor)
        elif id(tensor) not in seen:
            seen.add(id(tensor))
            stack.append((tensor, True))  # come back to it after its inputs
            if tensor.creator is not None:
                stack.extend((parent, False) for parent in tensor.creator.inputs)
    return order


class Function:
    """One operation: ``forward`` on arrays, and ``backward``, which turns the gradient of
    the output into one gradient per input. Calling it records the graph."""

    def __call__(self, *inputs: Tensor) -> Tensor:
        self.inputs = inputs
        return Tensor(self.forward(*(tensor.data for tensor in inputs)), creator=self)

    def forward(self, *arrays: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray, ...]:
        raise NotImplementedError


def unbroadcast(grad: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum ``grad`` back to ``shape`` over the axes broadcasting stretched: a bias of shape
    (H,) added to every row of (N, H) is used N times, and collects N gradients."""
    while grad.ndim > len(shape):
        grad = grad.sum(axis=0)
    for axis, size in enumerate(shape):
        if size == 1 and grad.shape[axis] != 1:
            grad = grad.sum(axis=axis, keepdims=True)
    return grad


class Add(Function):
    """y = a + b;  dy/da = 1, dy/db = 1, so each input gets the output's gradient."""

    def forward(self, a, b):
        self.shapes = a.shape, b.shape
        return a + b

    def backward(self, grad):
        return unbroadcast(grad, self.shapes[0]), unbroadcast(grad, self.shapes[1])


class Mul(Function):
    """y = a · b (element-wise);  dy/da = b, dy/db = a."""

    def forward(self, a, b):
        self.a, self.b = a, b
        return a * b

    def backward(self, grad):
        return unbroadcast(grad * self.b, self.a.shape), unbroadcast(grad * self.a, self.b.shape)


class MatMul(Function):
    """Y = A @ B, (N, K) @ (K, M);  dL/dA = G @ Bᵀ and dL/dB = Aᵀ @ G, with G = dL/dY."""

    def forward(self, a, b):
        self.a, self.b = a, b
        return a @ b

    def backward(self, grad):
        return grad @ self.b.T, self.a.T @ grad


class ReLU(Function):
    """y = max(x, 0);  dy/dx = 1 where x > 0, else 0."""

    def forward(self, x):
        self.positive = x > 0
        return np.where(self.positive, x, 0.0)

    def backward(self, grad):
        return (grad * self.positive,)


class Sum(Function):
    """y = Σ x;  dy/dx = 1 for every element, so each gets the output's gradient."""

    def forward(self, x):
        self.shape = x.shape
        return x.sum()

    def backward(self, grad):
        return (np.broadcast_to(grad, self.shape).copy(),)


if __name__ == "__main__":  # a two-layer perceptron learns y = x₁·x₂ on [-1, 1]²
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (256, 2))
    y = x[:, :1] * x[:, 1:]
    w1, b1 = Tensor(rng.standard_normal((2, 32)) / np.sqrt(2)), Tensor(np.zeros(32))
    w2, b2 = Tensor(rng.standard_normal((32, 1)) / np.sqrt(32)), Tensor(np.zeros(1))
    for step in range(1001):
        error = (Tensor(x) @ w1 + b1).relu() @ w2 + b2 - y  # forward
        loss = (error * error).sum() * (1 / len(x))  # the mean squared error
        for p in (w1, b1, w2, b2):
            p.grad = None  # forget the last step's gradients
        loss.backward()  # backward
        for p in (w1, b1, w2, b2):
            p.data -= 0.2 * p.grad  # update
        if step % 200 == 0:
            print(f"step {step:4d}  loss {loss.data:.5f}")
