# stands-for: https://github.com/pytorch/tutorials 1d189709801e98f5f184af0567c7f06b8b5156c2 beginner_source/examples_nn/polynomial_module.py
# loss: (?m)^\d+ (\S+)$
# exercises: a custom nn.Module holding nn.Parameter(torch.randn(())) scalars, a method of its own, MSELoss(reduction='sum'), optim.SGD, zero_grad/backward/step, .item() in f-strings
"""Fit y = sin(x) with a cubic written as an nn.Module, trained by optim.SGD."""
import math

import tinydl as torch  # was: import torch


class Cubic(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.c0 = torch.nn.Parameter(torch.randn(()))
        self.c1 = torch.nn.Parameter(torch.randn(()))
        self.c2 = torch.nn.Parameter(torch.randn(()))
        self.c3 = torch.nn.Parameter(torch.randn(()))

    def forward(self, x):
        return self.c0 + self.c1 * x + self.c2 * x ** 2 + self.c3 * x ** 3

    def describe(self):
        return (f"y = {self.c0.item():.4f} + {self.c1.item():.4f} x "
                f"+ {self.c2.item():.4f} x^2 + {self.c3.item():.4f} x^3")


torch.manual_seed(2)
x = torch.linspace(-math.pi, math.pi, 2000)
y = torch.sin(x)

model = Cubic()
criterion = torch.nn.MSELoss(reduction='sum')
optimizer = torch.optim.SGD(model.parameters(), lr=1e-6)

for t in range(1500):
    loss = criterion(model(x), y)
    if t % 100 == 99:
        print(t, loss.item())
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

print("fitted:", model.describe())
