# stands-for: https://github.com/pytorch/tutorials 02ed6c5cf613bbf2b631704eee62033b8bd746ef beginner_source/examples_autograd/polynomial_custom_function.py
# loss: (?m)^\d+ (\S+)$
# exercises: a torch.autograd.Function subclass with static forward(ctx, ...) and backward(ctx, ...), ctx.save_for_backward and ctx.saved_tensors, Function.apply, torch.full((), v, requires_grad=True), -= under no_grad, .grad = None
"""Fit y = sin(x) as a + b * P3(c + d x), where P3 is the Legendre polynomial of degree 3,
written as an autograd Function with its own backward: P3'(u) = 1.5 (5 u^2 - 1)."""
import math

import tinydl as torch  # was: import torch


class Legendre3(torch.autograd.Function):
    @staticmethod
    def forward(ctx, u):
        ctx.save_for_backward(u)
        return 0.5 * (5 * u ** 3 - 3 * u)

    @staticmethod
    def backward(ctx, grad_output):
        (u,) = ctx.saved_tensors
        return grad_output * 1.5 * (5 * u ** 2 - 1)


x = torch.linspace(-math.pi, math.pi, 2000, dtype=torch.float)
y = torch.sin(x)

# start near a sensible answer, as the tutorial does: far starts make P3 explode
a = torch.full((), 0.0, dtype=torch.float, requires_grad=True)
b = torch.full((), -1.0, dtype=torch.float, requires_grad=True)
c = torch.full((), 0.0, dtype=torch.float, requires_grad=True)
d = torch.full((), 0.3, dtype=torch.float, requires_grad=True)
learning_rate = 5e-6

for t in range(1500):
    prediction = a + b * Legendre3.apply(c + d * x)
    loss = (prediction - y).pow(2).sum()
    if t % 100 == 99:
        print(t, loss.item())
    loss.backward()
    with torch.no_grad():
        for parameter in (a, b, c, d):
            parameter -= learning_rate * parameter.grad
            parameter.grad = None

print(f"y = {a.item():.3f} + {b.item():.3f} * P3({c.item():.3f} + {d.item():.3f} x)")
