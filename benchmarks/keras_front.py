"""What the Keras front costs: the same model trained through ``tinydl.keras`` and built
directly with ``tinydl.nn``, from the same weights, on the same batches, epochs interleaved.

    python benchmarks/keras_front.py [--samples 6000] [--cnn-samples 1920] [--rounds 9]

Two models: seed 001's MLP (Dense 512 relu -> Dense 10 softmax, RMSprop, batch 128) and
seed 002's CNN (Reshape -> 2 x (Conv2D 3x3 relu -> MaxPooling2D) -> Dense 64 relu ->
Dense 10 softmax, Adam, batch 32). The tinydl.nn twin is channels-first, ends in logits
and uses ``nn.CrossEntropyLoss`` and the same optimiser rule; its Dense after Flatten gets
the Keras model's weight rows reordered from (height, width, channel) to (channel, height,
width), so both compute the same function. Both train with ``tinydl.train.fit`` (the
Keras one through ``model.fit``), on the first ``--samples`` MNIST training images in
order (no shuffling), epochs alternating; then single training steps alternate, which
measures the per-step cost alone. The table also gives the share of a CNN step spent in the front's
two layout transposes (forward and backward). Results are appended to
benchmarks/results/keras_front.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import fast_mode  # noqa: E402  (sibling scripts, not a package)
from mnist_speed import append_result, machine  # noqa: E402

import tinydl  # noqa: E402
from tinydl import data, nn, optim, train  # noqa: E402
from tinydl.keras import layers, models, optimizers  # noqa: E402
from tinydl.keras.layer import ChannelsFirst, ChannelsLast  # noqa: E402
from tinydl.keras.optimizers import KerasAdam  # noqa: E402


def keras_mlp() -> models.Sequential:
    model = models.Sequential([layers.Dense(512, activation="relu", input_shape=(784,)),
                               layers.Dense(10, activation="softmax")])
    model.compile(optimizer=optimizers.RMSprop(), loss="sparse_categorical_crossentropy")
    return model


def keras_cnn() -> models.Sequential:
    model = models.Sequential([
        layers.Reshape((28, 28, 1), input_shape=(28, 28)),
        layers.Conv2D(32, (3, 3), activation="relu"), layers.MaxPooling2D((2, 2)),
        layers.Conv2D(64, (3, 3), activation="relu"), layers.MaxPooling2D((2, 2)),
        layers.Flatten(), layers.Dense(64, activation="relu"),
        layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer=optimizers.Adam(), loss="sparse_categorical_crossentropy")
    return model


def twin(front: models.Sequential) -> nn.Sequential:
    """The Keras model's engine modules, channels-first, without the transposes and the
    final softmax, as fresh copies holding the same weights."""
    modules = []
    for module in front.network.layers[:-1]:
        if isinstance(module, (ChannelsFirst, ChannelsLast)):
            continue
        if isinstance(module, nn.Reshape):
            modules.append(nn.Reshape(1, 28, 28))
        elif isinstance(module, nn.Conv2D):
            copy = nn.Conv2D(module.in_channels, module.out_channels, module.kernel_size)
            copy.load_state_dict(module.state_dict())
            modules.append(copy)
        elif isinstance(module, nn.Dense):
            copy = nn.Dense(module.in_features, module.out_features)
            copy.load_state_dict(module.state_dict())
            modules.append(copy)
        else:
            modules.append(type(module)(*([2] if isinstance(module, nn.MaxPool2D) else [])))
    flatten_at = next((i for i, m in enumerate(modules) if isinstance(m, nn.Flatten)), None)
    if flatten_at is not None and flatten_at > 1:  # (h, w, c) rows -> (c, h, w) rows
        dense = modules[flatten_at + 1]
        w = dense.weight.numpy().reshape(5, 5, 64, -1).transpose(2, 0, 1, 3).reshape(1600, -1)
        dense.weight.array = w.copy()
    return nn.Sequential(*modules)


def time_epoch(run) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def compare(name: str, front: models.Sequential, x: np.ndarray, y: np.ndarray,
            batch_size: int, rounds: int, steps: int) -> str:
    engine = twin(front)
    keras_optimizer = front.optimizer
    if isinstance(keras_optimizer, optimizers.RMSprop):
        twin_optimizer = optim.RMSprop(engine.parameters(), lr=keras_optimizer.learning_rate,
                                       alpha=keras_optimizer.rho, eps=keras_optimizer.epsilon,
                                       eps_inside_sqrt=True)
    else:
        twin_optimizer = KerasAdam(engine.parameters(), keras_optimizer.learning_rate,
                                   (keras_optimizer.beta_1, keras_optimizer.beta_2),
                                   keras_optimizer.epsilon)
    loss_fn = nn.CrossEntropyLoss()
    with tinydl.no_grad():  # same function before training
        gap = np.abs(front.logits(tinydl.tensor(x[:64])).numpy()
                     - engine(tinydl.tensor(x[:64])).numpy()).max()
    assert gap < 1e-4, f"the twin computes another function (max difference {gap})"
    loader = data.DataLoader(x, y, batch_size=batch_size)
    times: dict[str, list[float]] = {"keras": [], "nn": []}
    for _ in range(rounds):
        times["keras"].append(time_epoch(lambda: front.fit(
            x, y, batch_size=batch_size, epochs=1, shuffle=False, verbose=0)))
        times["nn"].append(time_epoch(lambda: train.fit(
            engine, twin_optimizer, loss_fn, loader, 1, progress=False, print_fn=None)))
    keras_s, nn_s = statistics.median(times["keras"]), statistics.median(times["nn"])
    per_step = step_times(front, engine, twin_optimizer, x, y, batch_size, steps)
    return (f"| {name} | {len(x)} x {rounds} | {batch_size} | {keras_s:.2f} | {nn_s:.2f} | "
            f"{keras_s / nn_s:.3f}x | {per_step:.3f}x |")


def step_times(front: models.Sequential, engine: nn.Sequential, twin_optimizer,
               x: np.ndarray, y: np.ndarray, batch_size: int, steps: int) -> float:
    """Median time of one training step through the front (``model.logits``, the Keras
    optimiser's engine) over that of the twin, single steps alternating (which goes first
    alternates too), so that drift in the machine's load cancels."""
    loss_fn = nn.CrossEntropyLoss()
    optimizer = front.optimizer.engine
    times: dict[str, list[float]] = {"keras": [], "nn": []}
    runs = {"keras": (front.logits, optimizer), "nn": (engine, twin_optimizer)}
    for step in range(steps):
        window = slice(step * batch_size % (len(x) - batch_size), None)
        xb, yb = tinydl.tensor(x[window][:batch_size]), tinydl.tensor(y[window][:batch_size])
        for name in (("keras", "nn") if step % 2 else ("nn", "keras")):
            model, opt = runs[name]
            started = time.perf_counter()
            loss = loss_fn(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            times[name].append(time.perf_counter() - started)
    return statistics.median(times["keras"]) / statistics.median(times["nn"])


def transpose_share(front: models.Sequential, x: np.ndarray, batch_size: int) -> str:
    """The layout transposes' forward+backward time as a share of one training step."""
    batch = tinydl.tensor(x[:batch_size])
    firsts = [m for m in front.network.layers if isinstance(m, (ChannelsFirst, ChannelsLast))]
    inputs = []
    with tinydl.no_grad():
        h = batch
        for module in front.network.layers:
            if module in firsts:
                inputs.append(tinydl.tensor(h.numpy(), requires_grad=True))
            h = module(h)
    repeats = 50
    started = time.perf_counter()
    for _ in range(repeats):
        for module, value in zip(firsts, inputs, strict=True):
            module(value).sum().backward()
    transposes = (time.perf_counter() - started) / repeats
    labels = tinydl.tensor(np.zeros(batch_size, np.int64))
    started = time.perf_counter()
    for _ in range(10):
        loss = nn.CrossEntropyLoss()(front.logits(batch), labels)
        loss.backward()
    step = (time.perf_counter() - started) / 10
    return f"{transposes * 1e3:.2f} ms of a {step * 1e3:.1f} ms step ({transposes / step:.1%})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=6000, help="MLP images per epoch")
    parser.add_argument("--cnn-samples", type=int, default=1920, help="CNN images per epoch")
    parser.add_argument("--rounds", type=int, default=9, help="epochs of each, interleaved")
    parser.add_argument("--steps", type=int, default=60, help="single steps of each")
    fast_mode.add_option(parser)
    args = parser.parse_args()
    mode = fast_mode.set_mode(args.readable)
    (images, labels), _ = data.load_mnist()
    images = data.to_float(images[: args.samples])
    labels = labels[: args.samples]
    tinydl.manual_seed(0)
    rows = ["| model | images x epochs | batch | tinydl.keras s/epoch | tinydl.nn s/epoch | "
            "keras / nn (epochs) | keras / nn (single steps) |",
            "| --- | --- | --- | --- | --- | --- | --- |"]
    rows.append(compare("seed 001 MLP", keras_mlp(), images.reshape(-1, 784), labels, 128,
                        args.rounds, args.steps))
    cnn = keras_cnn()
    cnn_images, cnn_labels = images[: args.cnn_samples], labels[: args.cnn_samples]
    rows.append(compare("seed 002 CNN", cnn, cnn_images, cnn_labels, 32, args.rounds,
                        args.steps))
    text = "\n".join([
        f"\n## {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: {machine()}",
        f"(medians of {args.rounds} interleaved epochs and of {args.steps} alternating single "
        "steps of each; one BLAS thread; the machine was shared with other work, so single "
        f"epochs vary by more than the differences measured; tinydl: {mode})\n",
        *rows, "",
        f"CNN layout transposes (ChannelsFirst after the Reshape, ChannelsLast before the "
        f"Flatten), forward + backward: {transpose_share(cnn, images, 32)}.",
    ])
    append_result("keras_front.md", text)
    print(text)


if __name__ == "__main__":
    main()
