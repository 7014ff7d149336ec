# stands-for: https://github.com/pytorch/tutorials 088bc52a76551211d2499b1cca69a677eba59236 beginner_source/examples_tensor/polynomial_tensor.py
# loss: (?m)^\d+ (\S+)$
# exercises: tensors used like NumPy arrays: torch.float, torch.device, linspace(device=, dtype=), sin, randn(()) scalars, pow, matmul(input=, other=), .sum().item(), -= on plain tensors, gradients written out by hand
"""Fit y = sin(x) on [-pi, pi] with a cubic, computing every gradient by hand.

No autograd here: the tensors are plain arrays, the chain rule is written out line by line.
"""
import math

import tinydl as torch  # was: import torch

torch.manual_seed(0)
dtype = torch.float
device = torch.device("cpu")

x = torch.linspace(-math.pi, math.pi, 2000, device=device, dtype=dtype)
y = torch.sin(x)

# four random scalars: y ~ w0 + w1 x + w2 x^2 + w3 x^3
w0, w1, w2, w3 = (torch.randn((), device=device, dtype=dtype) for _ in range(4))
step_size = 1e-6

for step in range(1500):
    powers = [x.pow(k) for k in (1, 2, 3)]
    guess = w0 + w1 * powers[0] + w2 * powers[1] + w3 * powers[2]
    error = guess - y
    loss = error.pow(2).sum().item()
    if step % 100 == 99:
        print(step, loss)

    # d(loss)/d(guess) = 2 (guess - y); each weight's gradient is that times its feature
    d_guess = 2.0 * error
    d_w0 = d_guess.sum()
    d_w1 = torch.matmul(input=d_guess, other=powers[0]).sum()
    d_w2 = torch.matmul(input=d_guess, other=powers[1]).sum()
    d_w3 = torch.matmul(input=d_guess, other=powers[2]).sum()

    w0 -= step_size * d_w0
    w1 -= step_size * d_w1
    w2 -= step_size * d_w2
    w3 -= step_size * d_w3

print(f"fitted: y = {w0.item():.4f} + {w1.item():.4f} x + {w2.item():.4f} x^2 + {w3.item():.4f} x^3")
