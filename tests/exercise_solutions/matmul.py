"""The worked solution of the stub tinydl/exercises/stubs/matmul.py."""

from tinydl.exercises.stubs import matmul as stub


class MatMul(stub.MatMul):
    def backward(self, grad_output):
        grad_a = grad_output @ self.b.T
        grad_b = self.a.T @ grad_output
        return grad_a, grad_b
