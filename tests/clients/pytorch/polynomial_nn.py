# stands-for: https://github.com/pytorch/tutorials 02d7694195db7543ff85fd72177d1f1adca7784a beginner_source/examples_nn/polynomial_nn.py
# loss: (?m)^\d+ (\S+)$
# exercises: torch.tensor(list), x.unsqueeze(-1).pow(tensor) broadcasting, nn.Sequential(Linear, Flatten(0, 1)), MSELoss(reduction='sum'), model.zero_grad, param -= lr * param.grad under no_grad, model[0], weight[:, i].item() (PyTorch's (out, in) layout)
"""Fit y = sin(x) with nn.Linear(3, 1) over the features (x, x^2, x^3), updating the
weights by hand."""
import math

import tinydl as torch  # was: import torch

torch.manual_seed(3)
x = torch.linspace(-math.pi, math.pi, 2000)
y = torch.sin(x)

exponents = torch.tensor([1, 2, 3])
features = x.unsqueeze(-1).pow(exponents)  # (2000, 1) ** (3,) -> (2000, 3)

model = torch.nn.Sequential(
    torch.nn.Linear(3, 1),
    torch.nn.Flatten(0, 1),  # (2000, 1) -> (2000,), the shape of y
)
loss_fn = torch.nn.MSELoss(reduction='sum')
learning_rate = 1e-6

for t in range(1500):
    loss = loss_fn(model(features), y)
    if t % 100 == 99:
        print(t, loss.item())
    model.zero_grad()
    loss.backward()
    with torch.no_grad():
        for param in model.parameters():
            param -= learning_rate * param.grad

linear = model[0]
terms = " + ".join(f"{linear.weight[:, k].item():.4f} x^{k + 1}" for k in range(3))
print(f"fitted: y = {linear.bias.item():.4f} + {terms}")
