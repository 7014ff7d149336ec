# stands-for: https://github.com/pytorch/tutorials 92f11a171bb3f3f6bbd8dfb102c59d67c2385032 beginner_source/examples_autograd/polynomial_autograd.py
# loss: (?m)^\d+ (\S+)$
# exercises: torch.cuda.is_available, torch.set_default_device, randn((), requires_grad=True) leaves, ** and pow, backward, -= under no_grad, .grad = None
"""Fit y = sin(x) with a cubic whose four coefficients get their gradients from autograd."""
import math

import tinydl as torch  # was: import torch

torch.manual_seed(1)
device = "cuda" if torch.cuda.is_available() else "cpu"
torch.set_default_device(device)

x = torch.linspace(-math.pi, math.pi, 2000, dtype=torch.float)
y = torch.sin(x)

coefficients = [torch.randn((), dtype=torch.float, requires_grad=True) for _ in range(4)]
learning_rate = 1e-6

for t in range(1500):
    c0, c1, c2, c3 = coefficients
    prediction = c0 + c1 * x + c2 * x ** 2 + c3 * x ** 3
    loss = (prediction - y).pow(2).sum()
    if t % 100 == 99:
        print(t, loss.item())

    loss.backward()
    with torch.no_grad():  # the update itself must not be recorded in the graph
        for c in coefficients:
            c -= learning_rate * c.grad
            c.grad = None

print("fitted coefficients:", [round(c.item(), 4) for c in coefficients])
