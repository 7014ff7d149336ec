"""A two-layer network learns to tell three interleaved spirals apart: the smallest
complete tinydl program (data, model, loss, optimiser, training loop), in seconds.

    python examples/spiral.py
"""

import numpy as np

import tinydl
from tinydl import nn, optim


def spirals(points_per_class: int, classes: int, rng: np.random.Generator):
    """2-D points on ``classes`` noisy spiral arms, labelled by arm."""
    radius = np.tile(np.linspace(0.0, 1.0, points_per_class), classes)
    arm = np.repeat(np.arange(classes), points_per_class)
    angle = arm * 2 * np.pi / classes + radius * 4 + rng.normal(0, 0.2, radius.size)
    points = np.stack([radius * np.sin(angle), radius * np.cos(angle)], axis=1)
    return points.astype(np.float32), arm


tinydl.manual_seed(0)
points, labels = spirals(100, 3, np.random.default_rng(0))
x, y = tinydl.tensor(points), tinydl.tensor(labels)

model = nn.Sequential(nn.Dense(2, 64), nn.Tanh(), nn.Dense(64, 3))
loss_fn = nn.CrossEntropyLoss()
optimizer = optim.Adam(model.parameters(), lr=0.02)

for step in range(1, 301):
    logits = model(x)
    loss = loss_fn(logits, y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if step % 30 == 0:
        accuracy = (logits.argmax(axis=1) == y).numpy().mean()
        print(f"step {step:3d}  loss {loss.item():.4f}  accuracy {accuracy:.3f}")
