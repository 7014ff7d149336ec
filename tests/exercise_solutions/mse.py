"""The worked solution of the stub tinydl/exercises/stubs/mse.py."""

from tinydl.exercises.stubs import mse as stub


class MSELoss(stub.MSELoss):
    def forward(self, x, target):
        self.diff = x - target
        return (self.diff * self.diff).mean()

    def backward(self, grad_output):
        grad_x = (2 / self.diff.size) * self.diff * grad_output
        return grad_x, -grad_x
