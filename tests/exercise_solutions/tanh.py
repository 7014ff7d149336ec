"""The worked solution of the stub tinydl/exercises/stubs/tanh.py."""

from tinydl.exercises.stubs import tanh as stub


class Tanh(stub.Tanh):
    def backward(self, grad_output):
        return grad_output * (1 - self.y * self.y)
