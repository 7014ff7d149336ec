"""A Vision Transformer reads MNIST digits as sequences of patches.

    python examples/vit_mnist.py                   # 5 epochs: >= 97% test accuracy
    python examples/vit_mnist.py --limit 2000 --epochs 1

Each 28x28 image is cut into 16 patches of 7x7 pixels; each patch, flattened to 49
numbers, becomes a token through one Dense layer, gets a learned position embedding, and
the sequence passes through pre-norm Transformer blocks whose attention lets every patch
look at every other (no causal mask: an image has no "future"). The tokens are then
averaged and a Dense layer picks the class. Training: AdamW with weight decay on the
weight matrices only, the learning rate warmed up and then decayed along a cosine at
every step, gradient clipping (the recipe in transformer_training.py).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from transformer_training import parameter_groups, warmup_cosine

import tinydl
from tinydl import data, nn, optim


class ViT(nn.Module):
    """(N, 28, 28) images -> (N, 10) logits."""

    def __init__(self, patch: int = 7, dim: int = 64, heads: int = 4, layers: int = 3,
                 mlp_dim: int = 128, image: int = 28, classes: int = 10) -> None:
        self.patch, self.side = patch, image // patch
        self.embed = nn.Dense(patch * patch, dim)
        self.position = nn.LearnedPositionalEmbedding(self.side * self.side, dim)
        self.blocks = [
            nn.TransformerBlock(dim, heads, mlp_dim, activation=nn.GELU("tanh"))
            for _ in range(layers)
        ]
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Dense(dim, classes)

    def patches(self, images: tinydl.Tensor) -> tinydl.Tensor:
        """(N, 28, 28) -> (N, 16, 49): row-major 7x7 patches, each flattened."""
        n, p, s = images.shape[0], self.patch, self.side
        grid = images.reshape(n, s, p, s, p).permute(0, 1, 3, 2, 4)  # (N, row, col, 7, 7)
        return grid.reshape(n, s * s, p * p)

    def forward(self, images: tinydl.Tensor) -> tinydl.Tensor:
        x = self.position(self.embed(self.patches(images)))
        for block in self.blocks:
            x = block(x)
        return self.head(self.norm(x).mean(axis=1))  # average the tokens, then classify


def accuracy(model: ViT, loader: data.DataLoader) -> float:
    model.eval()
    correct = total = 0
    with tinydl.no_grad():
        for x, y in loader:
            correct += int((model(x).numpy().argmax(axis=1) == y.numpy()).sum())
            total += len(y)
    model.train()
    return correct / total


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--weight-decay", type=float, default=0.05)
    parser.add_argument("--dim", type=int, default=64)
    parser.add_argument("--heads", type=int, default=4)
    parser.add_argument("--layers", type=int, default=3)
    parser.add_argument("--mlp-dim", type=int, default=128)
    parser.add_argument("--limit", type=int, help="train on the first N images only")
    parser.add_argument("--test-limit", type=int, help="test on the first N test images only")
    parser.add_argument("--data", help="folder holding mnist/ (default: $TINYDL_DATA)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    (train_images, train_labels), (test_images, test_labels) = data.load_mnist(args.data)
    x_train = data.to_float(train_images[: args.limit])
    x_test = data.to_float(test_images[: args.test_limit])
    train = data.DataLoader(x_train, train_labels[: args.limit], args.batch_size, shuffle=True,
                            seed=args.seed)
    test = data.DataLoader(x_test, test_labels[: args.test_limit], batch_size=1000)

    tinydl.manual_seed(args.seed)
    model = ViT(dim=args.dim, heads=args.heads, layers=args.layers, mlp_dim=args.mlp_dim)
    count = sum(p.numel() for p in model.parameters())
    steps = args.epochs * len(train)
    optimizer = optim.AdamW(parameter_groups(model, args.weight_decay), lr=args.lr)
    schedule = optim.lr_scheduler.LambdaLR(optimizer, warmup_cosine(len(train) // 2, steps))
    loss_fn = nn.CrossEntropyLoss()
    print(f"ViT: {count:,} parameters; {len(x_train):,} training images, {args.epochs} epochs")

    epoch_seconds, test_accuracy = [], 0.0
    for epoch in range(1, args.epochs + 1):
        started = time.perf_counter()
        loss_sum = 0.0
        for x, y in train:
            loss = loss_fn(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optim.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            schedule.step()  # per step: warm-up and decay follow the optimiser's steps
            loss_sum += float(loss)
        epoch_seconds.append(time.perf_counter() - started)
        test_accuracy = accuracy(model, test)
        print(f"epoch {epoch}  loss {loss_sum / len(train):.4f}  test accuracy "
              f"{test_accuracy:.2%}  {epoch_seconds[-1]:.0f} s", flush=True)
    print(f"{count:,} parameters, median {np.median(epoch_seconds):.0f} s/epoch, "
          f"test accuracy {test_accuracy:.2%}")
    return {"accuracy": test_accuracy, "epoch_seconds": epoch_seconds, "parameters": count}


if __name__ == "__main__":
    main()
