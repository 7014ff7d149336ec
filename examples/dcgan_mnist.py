"""A deep convolutional GAN (DCGAN) that learns to draw MNIST digits.

    python examples/dcgan_mnist.py --epochs 8 --out runs/dcgan_mnist

The same game and the same training loop as examples/gan_mnist.py (read that file for
the loop: two optimisers, the discriminator's step on fake.detach(), the non-saturating
generator loss); only the two models change. Following Radford et al.'s DCGAN
guidelines, scaled down for a CPU:

- G upsamples with transposed convolutions (kernel 4, stride 2, padding 1 doubles the
  size: 7x7 -> 14x14 -> 28x28, 128 then 64 channels), with batch norm and ReLU between
  them and tanh at the end;
- D downsamples with strided convolutions (no pooling; 32 then 64 channels), batch norm
  in the middle but not on the first layer, which sees the raw pixels, and LeakyReLU(0.2)
  everywhere, so its gradient for G never dies on negative inputs;
- Adam with beta1 0.5; noise is 100 standard-normal numbers. Batch 64 (DCGAN used 128):
  on a CPU, twice the updates for the same arithmetic. The learning rate is 1e-3, five
  times DCGAN's 2e-4, which learned far slower per iteration here (docs/gans.md).

It writes the same files as gan_mnist.py to --out, every epoch.
"""

from __future__ import annotations

import numpy as np
from gan_mnist import parse_args, train_gan

import tinydl
from tinydl import nn

NOISE_DIM = 100


def build_generator() -> nn.Module:
    """Noise (N, 100) -> images (N, 1, 28, 28) in [-1, 1]."""
    return nn.Sequential(
        nn.Dense(NOISE_DIM, 128 * 7 * 7, bias=False), nn.BatchNorm1D(128 * 7 * 7), nn.ReLU(),
        nn.Reshape(128, 7, 7),
        nn.ConvTranspose2D(128, 64, 4, stride=2, padding=1, bias=False),  # -> 14x14
        nn.BatchNorm2D(64), nn.ReLU(),
        nn.ConvTranspose2D(64, 1, 4, stride=2, padding=1),  # -> 28x28
        nn.Tanh(),
    )


def build_discriminator() -> nn.Module:
    """Images (N, 1, 28, 28) -> one logit each."""
    return nn.Sequential(
        nn.Conv2D(1, 32, 4, stride=2, padding=1), nn.LeakyReLU(0.2),  # -> 14x14
        nn.Conv2D(32, 64, 4, stride=2, padding=1, bias=False),  # -> 7x7
        nn.BatchNorm2D(64), nn.LeakyReLU(0.2),
        nn.Flatten(), nn.Dense(64 * 7 * 7, 1),
    )


def sample_noise(count: int, rng: np.random.Generator) -> np.ndarray:
    """G's input: standard-normal noise."""
    return rng.standard_normal((count, NOISE_DIM)).astype(np.float32)


if __name__ == "__main__":
    arguments = parse_args(__doc__, lr=1e-3, epochs=8, batch_size=64)
    tinydl.random.manual_seed(arguments.seed)  # repeatable initial weights
    train_gan(arguments, build_generator(), build_discriminator(), sample_noise)
