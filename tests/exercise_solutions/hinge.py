"""The worked solution of the stub tinydl/exercises/stubs/hinge.py."""

from tinydl import backend
from tinydl.exercises.stubs import hinge as stub


class MulticlassHinge(stub.MulticlassHinge):
    def backward(self, grad_output):
        xp = backend.array_module(grad_output)
        n = len(self.labels)
        grad = self.violating.astype(grad_output.dtype)
        grad[xp.arange(n), self.labels] = -grad.sum(axis=1)
        return grad * (grad_output / n)
