"""MNIST read row by row: each digit is a sequence of 28 time steps, one row of 28 pixels
per step, read by an LSTM(128) whose last hidden state a Dense(10) classifies.

    python examples/mnist_lstm.py --epochs 2 --out runs/example-mnist-lstm

The model and recipe are ``tinydl train mnist-lstm``'s (tinydl/zoo.py: Adam 1e-3, batch
128). After training, this script asks how far back in time the gradient reaches: the
gradient of each test digit's correct logit with respect to every pixel, averaged over
the pixels of each row, shows how much each row (each time step) still influences the
answer given after the last one (``rows.png``).
"""

import argparse
from pathlib import Path

import numpy as np

import tinydl
from tinydl import data, nn, train, zoo

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
parser.add_argument("--epochs", type=int, default=zoo.recipe("mnist-lstm").epochs)
parser.add_argument("--data", help="folder holding mnist/ (default: $TINYDL_DATA)")
parser.add_argument("--out", default="runs/example-mnist-lstm")
parser.add_argument("--limit", type=int, help="use only the first N training images")
args = parser.parse_args()
recipe = zoo.recipe("mnist-lstm")
out = Path(args.out)
out.mkdir(parents=True, exist_ok=True)

# 1. Data: (N, 28, 28) floats in [0, 1] are already N sequences of T = 28 steps of D = 28
#    features, in the batch-first layout the model's LSTM is built with.
(train_images, train_labels), (test_images, test_labels) = data.load_mnist(args.data)
train_images, train_labels = train_images[: args.limit], train_labels[: args.limit]
x_train, y_train = data.to_float(train_images), train_labels.astype(np.int64)
x_test, y_test = data.to_float(test_images), test_labels.astype(np.int64)

# 2. Model and training (tinydl.train.fit runs the loop that examples/mnist.py writes out).
tinydl.random.manual_seed(0)
model = recipe.build()
print(model)
optimizer = recipe.optimizer(model.parameters(), recipe.lr)
train_loader = data.DataLoader(x_train, y_train, recipe.batch_size, shuffle=True, seed=0)
test_loader = data.DataLoader(x_test, y_test, batch_size=1000)
train.fit(model, optimizer, nn.CrossEntropyLoss(), train_loader, args.epochs,
          validation_data=test_loader, validation_name="test")

# 3. How far back does the gradient reach? d(correct logit)/d(pixels), per row.
model.eval()
x = tinydl.tensor(x_test[:500], requires_grad=True)
logits = model(x)
logits[np.arange(500), y_test[:500]].sum().backward()
per_row = np.abs(x.grad.numpy()).mean(axis=(0, 2))  # (28,): one value per time step
print("mean |gradient| per row, top to bottom:", np.array2string(per_row, precision=4))

import matplotlib.pyplot as plt  # noqa: E402  (only needed for the picture)

figure, axis = plt.subplots(figsize=(8, 3))
axis.bar(np.arange(1, 29), per_row)
axis.set_xlabel("row = time step (1 is read first, 28 last)")
axis.set_ylabel("mean |d logit / d pixel|")
axis.set_title("How much each row still matters when the LSTM answers")
figure.tight_layout()
figure.savefig(out / "rows.png", dpi=100)
print(f"plot: {out / 'rows.png'}")
