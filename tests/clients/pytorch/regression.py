# stands-for: https://github.com/pytorch/examples 77f55b912142e11fcfdf5b530231fb9c52f181e8 regression/main.py
# loss: Loss: (\S+) after
# exercises: torch.randn, x.unsqueeze(1), torch.cat of a list along dim 1, x.mm(W), Tensor ** int, .item(), format(tensor element, '+.2f'), nn.Linear, F.smooth_l1_loss, module.zero_grad, param.data.add_(-lr * param.grad), fc.weight.view(-1) (PyTorch's (out, in) layout), an endless itertools.count loop left by break
"""Recover a random degree-4 polynomial from noise-free samples with one nn.Linear layer,
stepping its parameters by hand until the smooth-L1 loss is tiny."""
from itertools import count

import tinydl as torch  # was: import torch
import tinydl.nn.functional as F  # was: import torch.nn.functional as F

DEGREE = 4
torch.manual_seed(6)
true_weights = torch.randn(DEGREE, 1) * 5
true_bias = torch.randn(1) * 5


def powers_of(x):
    """Columns x, x^2, ..., x^DEGREE of a 1-D tensor x."""
    column = x.unsqueeze(1)
    return torch.cat([column ** k for k in range(1, DEGREE + 1)], 1)


def target_function(features):
    return features.mm(true_weights) + true_bias.item()


def as_text(weights, bias):
    terms = " ".join(f"{w:+.2f} x^{k}" for k, w in enumerate(weights, 1))
    return f"y = {terms} {bias[0]:+.2f}"


def sample_batch(size=32):
    features = powers_of(torch.randn(size))
    return features, target_function(features)


fc = torch.nn.Linear(DEGREE, 1)
for batch_number in count(1):
    inputs, targets = sample_batch()
    fc.zero_grad()
    loss = F.smooth_l1_loss(fc(inputs), targets)
    value = loss.item()
    loss.backward()
    for param in fc.parameters():
        param.data.add_(-0.1 * param.grad)
    if batch_number % 10 == 1:
        print(f'Loss: {value:.6f} after {batch_number} batches')
    if value < 1e-3 or batch_number == 600:
        break

print(f'Loss: {value:.6f} after {batch_number} batches')
print('learned:\t' + as_text(fc.weight.view(-1), fc.bias))
print('actual:\t\t' + as_text(true_weights.view(-1), true_bias))
