"""Train one of the seed MNIST models with the training loop written out.

    python examples/mnist.py mnist-cnn --data ../shared/data --out runs/example-cnn

The models and their recipes (optimiser, batch size, epochs) live in tinydl/zoo.py;
``tinydl train`` runs the same recipes through ``tinydl.train.fit``. This script
spells the loop out, because the loop is the thing to learn.
"""

import argparse
import time
from pathlib import Path

import numpy as np

import tinydl
from tinydl import data, nn, plots, zoo

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
parser.add_argument("example", choices=list(zoo.RECIPES), help="which seed model")
parser.add_argument("--epochs", type=int, help="default: the recipe's")
parser.add_argument("--data", help="folder holding mnist/ (default: $TINYDL_DATA)")
parser.add_argument("--device", default="cpu")
parser.add_argument("--out", help="folder for the PNGs (default: runs/example-EXAMPLE)")
parser.add_argument("--limit", type=int, help="use only the first N training images")
args = parser.parse_args()
recipe = zoo.recipe(args.example)
out = Path(args.out or f"runs/example-{recipe.name}")
epochs = args.epochs or recipe.epochs

# 1. Data: uint8 digits -> float32 in [0, 1], shaped as the model expects.
(train_images, train_labels), (test_images, test_labels) = data.load_mnist(args.data)
train_images, train_labels = train_images[: args.limit], train_labels[: args.limit]
x_train, y_train = zoo.prepare(recipe, train_images, train_labels)
x_test, y_test = zoo.prepare(recipe, test_images, test_labels)
plots.sample_grid(train_images[:32], train_labels[:32], out / "samples.png")

# 2. Model, loss and optimiser. The seed makes the initial weights repeatable.
tinydl.random.manual_seed(0)
model = recipe.build().to(args.device)
nn.summary(model, recipe.image_shape)
optimizer = recipe.optimizer(model.parameters(), recipe.lr)
transform = recipe.transform()
train_loader = data.DataLoader(
    x_train, y_train, recipe.batch_size, shuffle=True, seed=0, transform=transform,
    device=args.device,
)
test_loader = data.DataLoader(x_test, y_test, batch_size=1000, device=args.device)
schedule = recipe.scheduler(optimizer, epochs, len(train_loader)) if recipe.scheduler else None
loss_fn = nn.CrossEntropyLoss(label_smoothing=recipe.label_smoothing)

# 3. The training loop.
history = {"loss": [], "accuracy": [], "test_accuracy": []}
for epoch in range(1, epochs + 1):
    started = time.perf_counter()
    model.train()  # Dropout drops, BatchNorm uses batch statistics
    loss_sum, correct = 0.0, 0
    for x, y in train_loader:
        logits = model(x)  # forward
        loss = loss_fn(logits, y)
        optimizer.zero_grad()  # gradients add up, so clear last step's
        loss.backward()  # backward: every parameter's .grad
        optimizer.step()  # update: parameters move against their gradients
        if schedule is not None and schedule.interval == "step":
            schedule.step()  # one-cycle schedules move along after every batch
        loss_sum += loss.item() * len(x)
        labels = y.numpy() if y.ndim == 1 else y.numpy().argmax(axis=1)
        correct += int((logits.numpy().argmax(axis=1) == labels).sum())
    if schedule is not None and schedule.interval == "epoch":
        schedule.step()

    model.eval()  # Dropout off, BatchNorm uses its running statistics
    test_correct = 0
    with tinydl.no_grad():  # no graph needed to evaluate
        for x, y in test_loader:
            labels = y.numpy() if y.ndim == 1 else y.numpy().argmax(axis=1)
            test_correct += int((model(x).numpy().argmax(axis=1) == labels).sum())
    seconds = time.perf_counter() - started
    history["loss"].append(loss_sum / len(x_train))
    history["accuracy"].append(correct / len(x_train))
    history["test_accuracy"].append(test_correct / len(x_test))
    print(
        f"epoch {epoch}/{epochs}  {seconds:.1f}s  loss {history['loss'][-1]:.4f}  "
        f"accuracy {history['accuracy'][-1]:.4f}  test accuracy {history['test_accuracy'][-1]:.4f}"
    )

# 4. Look at the result: the first test digit's logits, and pictures of the run.
with tinydl.no_grad():
    first = model(tinydl.tensor(x_test[:1], device=args.device)).numpy()[0]
print("logits of the first test image:", np.array2string(first, precision=2))
print(f"predicted digit {first.argmax()}, true digit {test_labels[0]}")
report = tinydl.train.evaluate(model, test_loader)
probabilities = tinydl.train.predict(model, test_loader, probabilities=True)
plots.training_curves(history, out / "curves.png")
plots.confusion_matrix_plot(report["confusion_matrix"], out / "confusion_matrix.png")
plots.most_confident_mistakes(test_images, test_labels, probabilities, out / "mistakes.png")
print(f"plots written to {out}/")
