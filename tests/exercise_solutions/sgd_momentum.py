"""The worked solution of the stub tinydl/exercises/stubs/sgd_momentum.py."""

from tinydl.exercises.stubs import sgd_momentum as stub


class SGDMomentum(stub.SGDMomentum):
    def update(self, param, grad, state) -> None:
        velocity = state.get("velocity")
        if velocity is None:
            velocity = state["velocity"] = grad.copy()  # b = g on the first step
        else:
            velocity *= self.momentum  # b <- mu b + g
            velocity += grad
        param -= self.lr * velocity
