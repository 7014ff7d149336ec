# stands-for: https://github.com/pytorch/examples 77f55b912142e11fcfdf5b530231fb9c52f181e8 mnist_forward_forward/main.py
# loss: (?s)Loss:  (\S+)(?=(?:(?!training layer:).)*training layer:  1)
# exercises: a subclass of nn.Linear calling super().__init__(in_features, out_features, bias, device, dtype), an optimizer per layer, self.weight.T (PyTorch's (out, in) layout), x.norm(2, 1, keepdim=True), torch.mm, bias.unsqueeze(0), torch.log1p, torch.exp, torch.cat, clone, x_[:, :10] *= 0.0, x_[range(n), y] = x.max(), torch.randint(n, size=(1,)), torch.tensor(list)[tensor].item(), Python sum() of tensors, eq().float().mean(), torchvision MNIST with Compose(ToTensor, Normalize, Lambda(torch.flatten)), one whole-dataset batch from a DataLoader
"""Hinton's forward-forward algorithm on MNIST: every layer is trained on its own, to give
a high "goodness" (mean squared activity) to images carrying their true label and a low
one to images carrying a wrong label; the label is written into the first 10 pixels."""
import argparse
import os

import tinydl as torch  # was: import torch
import tinydl.nn as nn  # was: import torch.nn as nn
from tinydl.optim import Adam  # was: from torch.optim import Adam
from tinydl.utils.data import DataLoader  # was: from torch.utils.data import DataLoader
from tinydl.vision.datasets import MNIST  # was: from torchvision.datasets import MNIST
from tinydl.vision.transforms import Compose, Lambda, Normalize, ToTensor  # was: from torchvision.transforms import Compose, Lambda, Normalize, ToTensor


def with_label(x, y, classes=10):
    """Copies of the flattened images x with label y written one-hot into the first pixels."""
    marked = x.clone()
    marked[:, :classes] *= 0.0
    marked[range(x.shape[0]), y] = x.max()
    return marked


def wrong_labels(y):
    """A random label different from the true one, for every sample."""
    wrong = y.clone()
    for i, label in enumerate(y):
        others = [c for c in range(10) if c != label.item()]
        wrong[i] = torch.tensor(others)[torch.randint(len(others), size=(1,))].item()
    return wrong


class FFLayer(nn.Linear):
    def __init__(self, in_features, out_features, bias=True, device=None, dtype=None):
        super().__init__(in_features, out_features, bias, device, dtype)
        self.activation = nn.ReLU()
        self.optimizer = Adam(self.parameters(), lr=args.lr)
        self.threshold = args.threshold

    def forward(self, x):
        direction = x / (x.norm(2, 1, keepdim=True) + 1e-4)  # only the direction goes on
        return self.activation(torch.mm(direction, self.weight.T) + self.bias.unsqueeze(0))

    def train_layer(self, x_pos, x_neg):
        for step in range(args.epochs):
            good_pos = self.forward(x_pos).pow(2).mean(1)
            good_neg = self.forward(x_neg).pow(2).mean(1)
            # softplus of the margins: push positives above the threshold, negatives below
            margins = torch.cat([self.threshold - good_pos, good_neg - self.threshold])
            loss = torch.log1p(torch.exp(margins)).mean()
            self.optimizer.zero_grad()
            loss.backward()
            self.optimizer.step()
            if step % args.log_interval == 0:
                print("Loss: ", loss.item())
        return self.forward(x_pos).detach(), self.forward(x_neg).detach()


class FFNet(torch.nn.Module):
    def __init__(self, sizes):
        super().__init__()
        self.stack = [FFLayer(sizes[i], sizes[i + 1]) for i in range(len(sizes) - 1)]

    def predict(self, x):
        goodness_by_label = []
        for label in range(10):
            h = with_label(x, label)
            goodness = []
            for layer in self.stack:
                h = layer(h)
                goodness.append(h.pow(2).mean(1))
            goodness_by_label.append(sum(goodness).unsqueeze(1))
        return torch.cat(goodness_by_label, 1).argmax(1)

    def train_layers(self, x_pos, x_neg):
        h_pos, h_neg = x_pos, x_neg
        for i, layer in enumerate(self.stack):
            print("training layer: ", i)
            h_pos, h_neg = layer.train_layer(h_pos, h_neg)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="forward-forward on MNIST")
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--lr", type=float, default=0.03)
    parser.add_argument("--threshold", type=float, default=2.0)
    parser.add_argument("--train-size", type=int, default=500)
    parser.add_argument("--log-interval", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    torch.manual_seed(args.seed)

    transform = Compose([ToTensor(), Normalize((0.1307,), (0.3081,)),
                         Lambda(lambda image: torch.flatten(image))])
    root = os.environ["TINYDL_DATA"]
    train_set = torch.utils.data.Subset(MNIST(root, train=True, download=True, transform=transform),
                                        range(args.train_size))
    test_set = torch.utils.data.Subset(MNIST(root, train=False, download=True, transform=transform),
                                       range(args.train_size))
    x, y = next(iter(DataLoader(train_set, batch_size=args.train_size)))

    net = FFNet([784, 300, 300])
    net.train_layers(with_label(x, y), with_label(x, wrong_labels(y)))
    print("train error:", 1.0 - net.predict(x).eq(y).float().mean().item())

    x_test, y_test = next(iter(DataLoader(test_set, batch_size=args.train_size)))
    print("test error:", 1.0 - net.predict(x_test).eq(y_test).float().mean().item())
