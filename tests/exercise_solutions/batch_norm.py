"""The worked solution of the stub tinydl/exercises/stubs/batch_norm.py."""

from tinydl.exercises.stubs import batch_norm as stub


class BatchNorm(stub.BatchNorm):
    def backward(self, grad_output):
        g = grad_output
        grad_beta = g.sum(axis=0)
        grad_gamma = (g * self.x_hat).sum(axis=0)
        n = len(g)
        grad_x = self.gamma * self.inv_std * (g - grad_beta / n - self.x_hat * (grad_gamma / n))
        return grad_x, grad_gamma, grad_beta
