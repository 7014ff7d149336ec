# stands-for: https://github.com/pytorch/tutorials 02d7694195db7543ff85fd72177d1f1adca7784a beginner_source/examples_nn/polynomial_optim.py
# loss: (?m)^\d+ (\S+)$
# exercises: torch.tensor(list), x.unsqueeze(-1).pow(tensor) broadcasting, nn.Sequential(Linear, Flatten(0, 1)), MSELoss(reduction='sum'), optim.SGD(model.parameters(), lr=), model[0], weight[:, i].item() (PyTorch's (out, in) layout)
"""The same cubic fit of sin(x) as polynomial_nn.py, with an optimizer doing the update."""
import math

import tinydl as torch  # was: import torch

torch.manual_seed(4)
x = torch.linspace(-math.pi, math.pi, 2000)
y = torch.sin(x)
features = x.unsqueeze(-1).pow(torch.tensor([1, 2, 3]))

model = torch.nn.Sequential(torch.nn.Linear(3, 1), torch.nn.Flatten(0, 1))
loss_fn = torch.nn.MSELoss(reduction='sum')
optimizer = torch.optim.SGD(model.parameters(), lr=1e-6)

for t in range(1500):
    loss = loss_fn(model(features), y)
    if t % 100 == 99:
        print(t, loss.item())
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

layer = model[0]
print("bias", layer.bias.item(), "weights", [layer.weight[:, k].item() for k in range(3)])
