# stands-for: https://github.com/pytorch/tutorials 07a339ece661a2b304b8834780470f522eed1e02 beginner_source/basics/quickstart_tutorial.py
# loss: (?m)^loss: +(\S+)
# exercises: torchvision datasets.MNIST(root=, train=, download=, transform=ToTensor()), torchvision.transforms.Compose and Lambda, torch.utils.data.Subset, DataLoader, iterating a loader once for shapes, torch.cuda.is_available, nn.Flatten(), nn.Sequential of Linear/ReLU, print(model), nn.CrossEntropyLoss, optim.SGD, f"{loss:>7f}", (pred.argmax(1) == y).type(torch.float).sum().item(), torch.save/torch.load of a state dict by file name, load_state_dict, classes[tensor] (__index__), test_data[0] through the model
"""The quickstart loop: a multilayer perceptron on MNIST, from torchvision's dataset to a
saved and reloaded model that names the class of one test image."""
import os

import tinydl as torch  # was: import torch
from tinydl import nn  # was: from torch import nn
from tinydl.utils.data import DataLoader, Subset  # was: from torch.utils.data import DataLoader, Subset
from tinydl.vision import datasets  # was: from torchvision import datasets
from tinydl.vision.transforms import Compose, Lambda, ToTensor  # was: from torchvision.transforms import Compose, Lambda, ToTensor

data_root = os.environ["TINYDL_DATA"]
to_input = Compose([ToTensor(), Lambda(lambda image: image * 2.0 - 1.0)])  # pixels in [-1, 1]
training_data = datasets.MNIST(root=data_root, train=True, download=True, transform=to_input)
test_data = datasets.MNIST(root=data_root, train=False, download=True, transform=to_input)

batch_size = 64
train_loader = DataLoader(Subset(training_data, range(6400)), batch_size=batch_size)
test_loader = DataLoader(Subset(test_data, range(1000)), batch_size=batch_size)

for X, y in test_loader:
    print(f"Shape of X [N, C, H, W]: {X.shape}")
    print(f"Shape of y: {y.shape} {y.dtype}")
    break

device = "cuda" if torch.cuda.is_available() else "cpu"
print(f"Using {device} device")


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.layers = nn.Sequential(
            nn.Linear(28 * 28, 512),
            nn.ReLU(),
            nn.Linear(512, 512),
            nn.ReLU(),
            nn.Linear(512, 10),
        )

    def forward(self, x):
        return self.layers(self.flatten(x))


torch.manual_seed(0)
model = MLP().to(device)
print(model)

loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=1e-2)


def train_one_epoch(loader, model, loss_fn, optimizer):
    size = len(loader.dataset)
    model.train()
    for batch, (X, y) in enumerate(loader):
        X, y = X.to(device), y.to(device)
        loss = loss_fn(model(X), y)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        if batch % 20 == 0:
            print(f"loss: {loss.item():>7f}  [{batch * batch_size:>5d}/{size:>5d}]")


def evaluate(loader, model, loss_fn):
    model.eval()
    total_loss, correct = 0.0, 0.0
    with torch.no_grad():
        for X, y in loader:
            X, y = X.to(device), y.to(device)
            pred = model(X)
            total_loss += loss_fn(pred, y).item()
            correct += (pred.argmax(1) == y).type(torch.float).sum().item()
    print(f"Test: accuracy {100 * correct / len(loader.dataset):>0.1f}%, "
          f"average loss {total_loss / len(loader):>8f}\n")


for epoch in range(2):
    print(f"Epoch {epoch + 1}\n-------------------------------")
    train_one_epoch(train_loader, model, loss_fn, optimizer)
    evaluate(test_loader, model, loss_fn)

torch.save(model.state_dict(), "model.pth")
print("Saved the model's state to model.pth")

model = MLP().to(device)
model.load_state_dict(torch.load("model.pth", weights_only=True))

classes = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
model.eval()
image, label = test_data[0][0], test_data[0][1]
with torch.no_grad():
    scores = model(image.to(device))
    print(f'Predicted: "{classes[scores[0].argmax(0)]}", Actual: "{classes[label]}"')
