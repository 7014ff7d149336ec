"""Train a small CNN for one short epoch and write every visualisation tinydl has.

    python examples/visualize.py --data ../shared/data --out runs/visualize

Writes to the output folder:
  filters.png       the first convolution's 32 filters after training
  feature_maps.png  the first test digit as each convolution layer sees it
  histograms.png    weight and gradient histograms per layer, over the epoch
  graph.dot, .png   the computational graph of one digit's loss, with values and gradients
  trace.txt         the backward pass of a two-layer network on one digit, op by op, with
                    each element-wise op's local derivative
"""

import argparse
from pathlib import Path

import tinydl
from tinydl import data, nn, viz, zoo

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
parser.add_argument("--data", help="folder holding mnist/ (default: $TINYDL_DATA)")
parser.add_argument("--out", default="runs/visualize", help="folder for the pictures")
parser.add_argument("--limit", type=int, default=2000, help="train on the first N images")
parser.add_argument("--device", default="cpu")
parser.add_argument("--record-every", type=int, default=4, help="steps between histograms")
args = parser.parse_args()
out = Path(args.out)

# 1. Data and the model: the zoo's small CNN (two 3x3 convolutions) and its recipe.
recipe = zoo.recipe("mnist-cnn")
(train_images, train_labels), (test_images, test_labels) = data.load_mnist(args.data)
x_train, y_train = zoo.prepare(recipe, train_images[: args.limit], train_labels[: args.limit])
x_test, y_test = zoo.prepare(recipe, test_images[:1], test_labels[:1])
tinydl.random.manual_seed(0)
model = recipe.build().to(args.device)
optimizer = recipe.optimizer(model.parameters(), recipe.lr)
loss_fn = nn.CrossEntropyLoss()
loader = data.DataLoader(
    x_train, y_train, recipe.batch_size, shuffle=True, seed=0, device=args.device
)

# 2. One epoch, with a histogram of every weight and gradient every few steps.
recorder = viz.HistogramRecorder(model)
recorder.record("start")  # the initial weights (no gradients yet)
model.train()
for step, (x, y) in enumerate(loader, start=1):
    loss = loss_fn(model(x), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if step % args.record_every == 0 or step == len(loader):
        recorder.record(f"step {step}")  # .grad still holds this step's gradients
        print(f"step {step}/{len(loader)}  loss {loss.item():.4f}")

# 3. The pictures: one call each.
print("wrote", viz.plot_filters(model, out / "filters.png"))
print("wrote", viz.plot_feature_maps(model, x_test[0], out / "feature_maps.png"))
print("wrote", viz.plot_histograms(recorder, out / "histograms.png"))

# 4. The graph of one digit's loss, every tensor with its value and gradient: recorded before
#    backward, drawn after it (by Graphviz where it is installed, else by matplotlib).
model.eval()
digit = tinydl.tensor(x_test, device=args.device)
label = tinydl.tensor(y_test, device=args.device)
loss = loss_fn(model(digit), label)
graph = viz.Graph(loss, {"digit": digit, "label": label, **dict(model.named_parameters())})
loss.backward()
(out / "graph.dot").write_text(graph.to_dot())
print("wrote", out / "graph.dot")
print("wrote", viz.render_graph(graph, out / "graph.png"))

# 5. The backward pass of a two-layer network on that digit (flattened), op by op.
tinydl.random.manual_seed(0)
small = nn.Sequential(nn.Dense(784, 16), nn.ReLU(), nn.Dense(16, 10)).to(args.device)
pixels = digit.reshape(1, 784)
lines: list[str] = []
loss = loss_fn(small(pixels), label)
names = {"pixels": pixels, "label": label, **dict(small.named_parameters())}
viz.trace(loss, names, lines.append, local_derivatives=True)
print("\n".join(lines))
(out / "trace.txt").write_text("\n".join(lines) + "\n")
print("wrote", out / "trace.txt")
