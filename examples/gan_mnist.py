"""A generative adversarial network (GAN) that learns to draw MNIST digits, loop written out.

    python examples/gan_mnist.py --epochs 10 --out runs/gan_mnist

Two models play against each other. The discriminator D sees an image and outputs one
logit: "real" (from MNIST) or "fake" (from the generator). The generator G turns random
noise into an image and is trained to make D say "real". The fully connected pair is the
classic course setup: G is noise 96 -> 1024 -> 1024 -> 784 (tanh), D is 784 -> 256 -> 256
-> 1 with LeakyReLU(0.01), both trained by Adam(lr 1e-3, beta1 0.5), batch 128.
(examples/dcgan_mnist.py trains a convolutional pair with the same loop.)

Every epoch writes, to --out: samples_epoch_NN.png (the same 64 noise vectors through
G, so the pictures form an animation of G learning), generator_epoch_NN.npz (G's
weights, which benchmarks/gan_scores.py scores), losses.png (both losses over the
iterations) and history.json. docs/gans.md walks through this file.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

import tinydl
from tinydl import data, nn, optim, plots
from tinydl.train import save_checkpoint

NOISE_DIM = 96


def build_generator() -> nn.Module:
    """Noise (N, 96) -> images (N, 784) in [-1, 1] (tanh, like the rescaled training data)."""
    return nn.Sequential(
        nn.Dense(NOISE_DIM, 1024), nn.ReLU(),
        nn.Dense(1024, 1024), nn.ReLU(),
        nn.Dense(1024, 784), nn.Tanh(),
    )


def build_discriminator() -> nn.Module:
    """Images -> one logit each (no sigmoid: the loss takes logits, which is stabler)."""
    return nn.Sequential(
        nn.Flatten(),
        nn.Dense(784, 256), nn.LeakyReLU(0.01),
        nn.Dense(256, 256), nn.LeakyReLU(0.01),
        nn.Dense(256, 1),
    )


def sample_noise(count: int, rng: np.random.Generator) -> np.ndarray:
    """G's input: uniform noise in [-1, 1]."""
    return rng.uniform(-1, 1, (count, NOISE_DIM)).astype(np.float32)


def parse_args(
    description: str, lr: float, epochs: int, batch_size: int, real_label: float = 1.0,
    decay_lr: bool = False,
) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=description, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--epochs", type=int, default=epochs)
    parser.add_argument("--batch-size", type=int, default=batch_size)
    parser.add_argument("--lr", type=float, default=lr, help="Adam's learning rate (both models)")
    parser.add_argument(
        "--decay-lr", action=argparse.BooleanOptionalAction, default=decay_lr,
        help="keep the learning rate for the first half of the iterations, then lower it "
        "linearly to 0",
    )
    parser.add_argument(
        "--real-label", type=real_label_value, default=real_label,
        help="D's target for real images: 1, or less for one-sided label smoothing",
    )
    parser.add_argument("--data", help="folder holding mnist/ (default: $TINYDL_DATA)")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--out", required=True, help="folder for the pictures and checkpoints")
    parser.add_argument("--limit", type=int, help="train on the first N images only")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--log-every", type=int, default=20, help="iterations per loss point")
    return parser.parse_args()


def real_label_value(text: str) -> float:
    """``--real-label``: a target for D's BCE on real images, in (0, 1]."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 < value <= 1:  # also refuses nan
        raise argparse.ArgumentTypeError(f"must be a number in (0, 1], such as 0.9; got {text!r}")
    return value


def train_gan(
    args: argparse.Namespace,
    generator: nn.Module,
    discriminator: nn.Module,
    sample_noise: Callable[[int, np.random.Generator], np.ndarray],
) -> dict[str, list[float]]:
    """Train the pair on MNIST as the arguments say; write the pictures, checkpoints and
    history to ``args.out`` every epoch, and return the history."""
    out = Path(args.out)
    device = args.device
    rng = np.random.default_rng(args.seed)

    # 1. Data: digits scaled to [-1, 1], the range of G's tanh output. Labels are not used.
    (images, labels), _ = data.load_mnist(args.data)
    images, labels = images[: args.limit], labels[: args.limit]
    real_images = data.to_float(images) * 2 - 1
    real_images = real_images.reshape(len(real_images), 1, 28, 28)
    loader = data.DataLoader(
        real_images, labels, args.batch_size, shuffle=True, drop_last=True, seed=args.seed,
        device=device,
    )

    # 2. Two models, two optimisers, one loss. beta1 = 0.5 (not 0.9) makes Adam's momentum
    # shorter: the target each model chases moves as the other one learns.
    generator.to(device)
    discriminator.to(device)
    g_optimizer = optim.Adam(generator.parameters(), lr=args.lr, betas=(0.5, 0.999))
    d_optimizer = optim.Adam(discriminator.parameters(), lr=args.lr, betas=(0.5, 0.999))
    schedulers = []
    if args.decay_lr:  # both rates fall together in the second half, so the pair settles
        iterations = args.epochs * len(loader)

        def half_then_linear(step: int) -> float:
            return min(1.0, 2 * (1 - step / iterations))

        schedulers = [
            optim.lr_scheduler.LambdaLR(optimizer, half_then_linear)
            for optimizer in (g_optimizer, d_optimizer)
        ]
    bce = nn.BCEWithLogitsLoss()  # -[t·log σ(logit) + (1 - t)·log(1 - σ(logit))]
    # D's target for real images. Below 1 (one-sided label smoothing) D is never rewarded
    # for certainty about real images, which keeps its logits, and G's gradients, moderate.
    # Fakes keep the target 0, so D never learns to call them partly real.
    real_labels = tinydl.full((args.batch_size, 1), args.real_label, device=device)
    ones = tinydl.ones(args.batch_size, 1, device=device)
    zeros = tinydl.zeros(args.batch_size, 1, device=device)
    fixed_noise = tinydl.tensor(sample_noise(64, rng), device=device)  # the same 64 every epoch

    history: dict[str, list[float]] = {
        "iteration": [], "d_loss": [], "g_loss": [], "d_real": [], "d_fake": [], "lr": [],
        "epoch_seconds": [],
    }
    # Sums stay on the device between log points: no GPU sync per iteration.
    sums: dict[str, object] = {"d_loss": 0.0, "g_loss": 0.0, "d_real": 0.0, "d_fake": 0.0}
    iteration = 0
    for epoch in range(1, args.epochs + 1):
        started = time.perf_counter()
        generator.train()
        discriminator.train()
        for x, _ in loader:
            z = tinydl.tensor(sample_noise(args.batch_size, rng), device=device)
            fake = generator(z)

            # 3. Discriminator step: real images -> 1, fakes -> 0. fake.detach() cuts the
            # graph at G's output, so this loss's backward stops there: D's step must not
            # put gradients into G's parameters (they would add to G's own next step).
            real_logits = discriminator(x)
            fake_logits = discriminator(fake.detach())
            d_loss = bce(real_logits, real_labels) + bce(fake_logits, zeros)
            d_optimizer.zero_grad()
            d_loss.backward()
            d_optimizer.step()

            # 4. Generator step, the non-saturating loss: G minimises -log D(G(z)), i.e. the
            # BCE of D's verdict on the fakes against the label "real". The minimax game's
            # own G loss, log(1 - D(G(z))), is flat exactly when D confidently rejects the
            # fakes (early in training), so G would get almost no gradient; -log D(G(z))
            # has the same goal and a steep slope there. This backward runs through D (into
            # D's .grad, which d_optimizer.zero_grad() clears next time) into G.
            g_loss = bce(discriminator(fake), ones)
            g_optimizer.zero_grad()
            g_loss.backward()
            g_optimizer.step()
            for scheduler in schedulers:
                scheduler.step()

            iteration += 1
            sums["d_loss"] = sums["d_loss"] + d_loss.array
            sums["g_loss"] = sums["g_loss"] + g_loss.array
            # D's mean belief that real images are real, and that fakes are real.
            sums["d_real"] = sums["d_real"] + tinydl.sigmoid(real_logits).array.mean()
            sums["d_fake"] = sums["d_fake"] + tinydl.sigmoid(fake_logits).array.mean()
            if iteration % args.log_every == 0:  # one read of the device per log point
                history["iteration"].append(iteration)
                history["lr"].append(g_optimizer.param_groups[0]["lr"])  # both models' rate
                for key, total in sums.items():
                    history[key].append(float(total) / args.log_every)
                    sums[key] = 0.0
        seconds = time.perf_counter() - started
        history["epoch_seconds"].append(seconds)
        save_progress(out, epoch, generator, fixed_noise, history)
        losses = (
            f"D loss {history['d_loss'][-1]:.3f}  G loss {history['g_loss'][-1]:.3f}  "
            if history["d_loss"] else ""
        )
        print(f"epoch {epoch}/{args.epochs}  {losses}{seconds:.1f}s", flush=True)
    return history


def save_progress(
    out: Path, epoch: int, generator: nn.Module, fixed_noise: tinydl.Tensor,
    history: dict[str, list[float]],
) -> None:
    """This epoch's sample grid (G on the fixed noise) and G's weights; the loss curves and
    history so far."""
    generator.eval()  # BatchNorm (in the DCGAN) uses its running statistics
    with tinydl.no_grad():
        samples = generator(fixed_noise).numpy().reshape(-1, 28, 28)
    generator.train()
    grid = out / f"samples_epoch_{epoch:02d}.png"
    plots.image_grid((samples + 1) / 2, grid, title=f"epoch {epoch}")  # tanh's [-1, 1] -> [0, 1]
    save_checkpoint(out / f"generator_epoch_{epoch:02d}.npz", generator, epoch=epoch)
    if history["iteration"]:
        plots.series_plot(
            {"discriminator": history["d_loss"], "generator": history["g_loss"]},
            out / "losses.png", steps=history["iteration"], title="GAN losses",
        )
        plots.series_plot(
            {"D(real image)": history["d_real"], "D(G(z))": history["d_fake"]},
            out / "discriminator_outputs.png", steps=history["iteration"],
            ylabel="mean probability 'real'", title="What the discriminator believes",
        )
    (out / "history.json").write_text(json.dumps(history))


if __name__ == "__main__":
    arguments = parse_args(__doc__, lr=1e-3, epochs=10, batch_size=128)
    tinydl.random.manual_seed(arguments.seed)  # repeatable initial weights
    train_gan(arguments, build_generator(), build_discriminator(), sample_noise)
