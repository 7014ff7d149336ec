"""The worked solution of the stub tinydl/exercises/stubs/softmax_cross_entropy.py."""

from tinydl import backend
from tinydl.exercises.stubs import softmax_cross_entropy as stub


class SoftmaxCrossEntropy(stub.SoftmaxCrossEntropy):
    def backward(self, grad_output):
        xp = backend.array_module(grad_output)
        n = len(self.labels)
        grad = self.probs.copy()
        grad[xp.arange(n), self.labels] -= 1
        return grad * (grad_output / n)
