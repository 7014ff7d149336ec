"""The worked solution of the stub tinydl/exercises/stubs/relu.py."""

from tinydl import backend
from tinydl.exercises.stubs import relu as stub


class ReLU(stub.ReLU):
    def forward(self, x):
        self.positive = x > 0
        return backend.array_module(x).maximum(x, 0)

    def backward(self, grad_output):
        return grad_output * self.positive
