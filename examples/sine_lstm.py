"""Truncated backprop through time: an LSTM learns to continue a noisy sine wave.

    python examples/sine_lstm.py --out runs/sine-lstm

The series is one long sequence, far too long to back-propagate through in one piece.
Truncated BPTT reads it in chunks of k steps and carries the LSTM's state (h, c) from
each chunk into the next, but ``detach()``-es it first: the forward pass still sees the
whole past through the state, while gradients flow back at most k steps. That is all
truncation is. Without the ``detach()`` every backward pass would walk back to the
first chunk, getting slower each time (and failing once the old graphs are freed).

After training, the model predicts one step ahead from the noisy values (teacher
forcing), and then runs free, feeding its own predictions back in. Both are plotted
against the clean wave in ``sine_lstm.png``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

import tinydl
from tinydl import nn, optim

PERIOD, NOISE = 40, 0.1


class Forecaster(nn.Module):
    """y_t -> LSTM(1, 32) -> Dense(1): a guess at y_{t+1} for every t."""

    def __init__(self, hidden: int = 32) -> None:
        self.lstm = nn.LSTM(1, hidden, batch_first=True)
        self.head = nn.Dense(hidden, 1)

    def forward(self, x, state=None):
        output, state = self.lstm(x, state)
        return self.head(output), state


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--out", default="runs/sine-lstm")
    parser.add_argument("--k", type=int, default=20, help="truncation length (steps)")
    parser.add_argument("--epochs", type=int, default=20)
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    rng = np.random.default_rng(0)
    t = np.arange(2000)
    clean = np.sin(2 * np.pi * t / PERIOD)
    noisy = (clean + NOISE * rng.standard_normal(len(t))).astype(np.float32)
    train, test = noisy[:1600], noisy[1600:]

    tinydl.random.manual_seed(0)
    model = Forecaster()
    optimizer = optim.Adam(model.parameters(), lr=1e-2)
    # 8 parallel streams, each a contiguous stretch of the training series: (8, 200, 1)
    streams = train.reshape(8, -1, 1)
    for epoch in range(1, args.epochs + 1):
        state, total = None, 0.0
        for start in range(0, streams.shape[1] - 1, args.k):
            x = tinydl.tensor(streams[:, start : start + args.k])
            y = tinydl.tensor(streams[:, start + 1 : start + args.k + 1])
            x = x[:, : y.shape[1]]
            prediction, state = model(x, state)
            loss = nn.functional.mse_loss(prediction, y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            state = (state[0].detach(), state[1].detach())  # the truncation
            total += float(loss) * y.shape[1]
        if epoch % 5 == 0 or epoch == 1:
            print(f"epoch {epoch}  training MSE {total / (streams.shape[1] - 1):.4f}")

    with tinydl.no_grad():
        # Warm the state up on the training series, then predict the test part one step
        # ahead from the noisy values it is shown.
        _, state = model(tinydl.tensor(train[None, :, None]))
        warm = state
        ahead, _ = model(tinydl.tensor(test[None, :-1, None]), state)
        ahead = ahead.numpy()[0, :, 0]
        # Free-running: feed each prediction back in as the next input.
        value, state, free = tinydl.tensor(test[None, :1, None]), warm, []
        for _ in range(len(test) - 1):
            value, state = model(value, state)
            free.append(float(value.numpy()[0, 0, 0]))
    truth = clean[1601:]
    print(f"one-step-ahead MSE vs the clean wave: {np.mean((ahead - truth) ** 2):.4f} "
          f"(noise variance {NOISE ** 2:.4f})")
    drift = np.mean((np.array(free[:PERIOD]) - truth[:PERIOD]) ** 2)
    print(f"free-running MSE over the first period: {drift:.4f}")

    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(10, 4))
    steps = t[1601:]
    axis.plot(steps, test[1:], ".", color="0.6", markersize=3, label="noisy data")
    axis.plot(steps, truth, color="black", linewidth=1, label="clean sine")
    axis.plot(steps, ahead, color="tab:blue", label="one step ahead")
    axis.plot(steps, free, color="tab:red", linestyle="--", label="free-running")
    axis.set_xlabel("t")
    axis.legend(loc="upper right", ncols=4)
    axis.set_title(f"LSTM(32) trained with truncated BPTT, k = {args.k}")
    figure.tight_layout()
    figure.savefig(out / "sine_lstm.png", dpi=100)
    print(f"plot: {out / 'sine_lstm.png'}")


if __name__ == "__main__":
    main()
