"""The worked solution of the stub tinydl/exercises/stubs/attention.py."""

from tinydl.exercises.stubs import attention as stub


class Attention(stub.Attention):
    def backward(self, grad_output):
        grad_v = self.p.T @ grad_output
        grad_p = grad_output @ self.v.T
        # Softmax's Jacobian row by row: p_s([s = r] - p_r).
        grad_scores = self.p * (grad_p - (grad_p * self.p).sum(axis=1, keepdims=True))
        grad_q = grad_scores @ self.k * self.scale
        grad_k = grad_scores.T @ self.q * self.scale
        return grad_q, grad_k, grad_v
