# stands-for: https://github.com/pytorch/tutorials 1d189709801e98f5f184af0567c7f06b8b5156c2 beginner_source/examples_nn/dynamic_net.py
# loss: (?m)^\d+ (\S+)$
# exercises: a graph rebuilt every call with Python control flow, one nn.Parameter reused several times in it, nn.Parameter(torch.randn(())), MSELoss(reduction='sum'), SGD with momentum
"""A polynomial whose degree is drawn at random on every forward pass (3, 4 or 5), the
extra terms sharing one coefficient: the graph differs from call to call."""
import math
import random

import tinydl as torch  # was: import torch


class RandomDegree(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.c0 = torch.nn.Parameter(torch.randn(()))
        self.c1 = torch.nn.Parameter(torch.randn(()))
        self.c2 = torch.nn.Parameter(torch.randn(()))
        self.c3 = torch.nn.Parameter(torch.randn(()))
        self.shared = torch.nn.Parameter(torch.randn(()))

    def forward(self, x):
        out = self.c0 + self.c1 * x + self.c2 * x ** 2 + self.c3 * x ** 3
        for k in range(4, random.randint(4, 6)):
            out = out + self.shared * x ** k  # the same parameter, used again
        return out


random.seed(5)
torch.manual_seed(5)
x = torch.linspace(-math.pi, math.pi, 2000)
y = torch.sin(x)

model = RandomDegree()
criterion = torch.nn.MSELoss(reduction='sum')
optimizer = torch.optim.SGD(model.parameters(), lr=1e-8, momentum=0.9)

for t in range(3000):
    loss = criterion(model(x), y)
    if t % 250 == 249:
        print(t, loss.item())
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

print("coefficients:", [round(p.item(), 4) for p in model.parameters()])
