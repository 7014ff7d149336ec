"""The worked solution of the stub tinydl/exercises/stubs/adam.py."""

from tinydl import backend
from tinydl.exercises.stubs import adam as stub


class Adam(stub.Adam):
    def update(self, param, grad, state) -> None:
        xp = backend.array_module(param)
        beta1, beta2 = self.betas
        if not state:
            state.update(step=0, m=xp.zeros_like(param), v=xp.zeros_like(param))
        state["step"] += 1
        t, m, v = state["step"], state["m"], state["v"]
        m *= beta1
        m += (1 - beta1) * grad
        v *= beta2
        v += (1 - beta2) * grad * grad
        m_hat = m / (1 - beta1**t)
        v_hat = v / (1 - beta2**t)
        param -= self.lr * m_hat / (xp.sqrt(v_hat) + self.eps)
