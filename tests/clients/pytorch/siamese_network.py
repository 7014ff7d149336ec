# stands-for: https://github.com/pytorch/examples 77f55b912142e11fcfdf5b530231fb9c52f181e8 siamese_network/main.py
# loss: Train Epoch: .*?Loss: (\S+)
# exercises: torchvision.models.resnet18(weights=None) with its conv1 replaced, resnet.fc.in_features, nn.Sequential(*list(resnet.children())[:-1]), module.apply(init), nn.init.xavier_uniform_, m.bias.data.fill_, a Dataset subclass over torchvision MNIST's .data/.targets tensors (unsqueeze(1).clone(), np.array(tensor), indexing, clone().float()), torch.tensor(1, dtype=torch.float), torch.cat(dim 1), nn.Sigmoid, nn.BCELoss, squeeze, torch.where(cond, 1, 0), optim.Adadelta, StepLR, torch.utils.data.Subset, torch.accelerator
"""A siamese network on MNIST: one ResNet-18 trunk embeds two images, a small head on the
two embeddings says whether they show the same digit."""
import argparse
import os
import random

import numpy as np

import tinydl as torch  # was: import torch
import tinydl.nn as nn  # was: import torch.nn as nn
import tinydl.optim as optim  # was: import torch.optim as optim
import tinydl.vision as torchvision  # was: import torchvision
from tinydl.optim.lr_scheduler import StepLR  # was: from torch.optim.lr_scheduler import StepLR
from tinydl.utils.data import Dataset  # was: from torch.utils.data import Dataset
from tinydl.vision import datasets  # was: from torchvision import datasets


class SiameseNet(nn.Module):
    def __init__(self):
        super().__init__()
        trunk = torchvision.models.resnet18(weights=None)
        # MNIST has one channel where ImageNet has three
        trunk.conv1 = nn.Conv2d(1, 64, kernel_size=(7, 7), stride=(2, 2), padding=(3, 3), bias=False)
        width = trunk.fc.in_features
        self.trunk = nn.Sequential(*list(trunk.children())[:-1])  # everything but the classifier
        self.head = nn.Sequential(nn.Linear(width * 2, 256), nn.ReLU(inplace=True), nn.Linear(256, 1))
        self.sigmoid = nn.Sigmoid()
        self.trunk.apply(self.init_linear)
        self.head.apply(self.init_linear)

    @staticmethod
    def init_linear(module):
        if isinstance(module, nn.Linear):
            torch.nn.init.xavier_uniform_(module.weight)
            module.bias.data.fill_(0.01)

    def embed(self, x):
        features = self.trunk(x)
        return features.view(features.size()[0], -1)

    def forward(self, first, second):
        both = torch.cat((self.embed(first), self.embed(second)), 1)
        return self.sigmoid(self.head(both))


class DigitPairs(Dataset):
    """Even indices give two different images of one digit (target 1), odd indices images
    of two different digits (target 0)."""

    def __init__(self, root, train):
        super().__init__()
        mnist = datasets.MNIST(root, train=train, download=True)
        self.images = mnist.data.unsqueeze(1).clone()
        labels = np.array(mnist.targets.clone())
        self.by_digit = {d: np.where(labels == d)[0] for d in range(10)}

    def __len__(self):
        return self.images.shape[0]

    def pick(self, digit, avoid=None):
        while True:
            i = random.choice(self.by_digit[digit])
            if i != avoid:
                return i

    def __getitem__(self, index):
        digit = random.randint(0, 9)
        first = self.pick(digit)
        if index % 2 == 0:
            second, target = self.pick(digit, avoid=first), torch.tensor(1, dtype=torch.float)
        else:
            other = random.choice([d for d in range(10) if d != digit])
            second, target = self.pick(other), torch.tensor(0, dtype=torch.float)
        return (self.images[first].clone().float() / 255, self.images[second].clone().float() / 255,
                target)


def train(args, model, device, loader, optimizer, epoch):
    model.train()
    criterion = nn.BCELoss()
    for batch_idx, (first, second, targets) in enumerate(loader):
        first, second, targets = first.to(device), second.to(device), targets.to(device)
        optimizer.zero_grad()
        loss = criterion(model(first, second).squeeze(), targets)
        loss.backward()
        optimizer.step()
        if batch_idx % args.log_interval == 0:
            print(f'Train Epoch: {epoch} [{batch_idx * len(first)}/{len(loader.dataset)}]'
                  f'\tLoss: {loss.item():.6f}')


def test(model, device, loader):
    model.eval()
    criterion = nn.BCELoss()
    total_loss, correct = 0.0, 0
    with torch.no_grad():
        for first, second, targets in loader:
            first, second, targets = first.to(device), second.to(device), targets.to(device)
            outputs = model(first, second).squeeze()
            total_loss += criterion(outputs, targets).sum().item()
            same = torch.where(outputs > 0.5, 1, 0)
            correct += same.eq(targets.view_as(same)).sum().item()
    print(f'\nTest set: Average loss: {total_loss / len(loader.dataset):.4f}, '
          f'Accuracy: {correct}/{len(loader.dataset)}\n')


def main():
    parser = argparse.ArgumentParser(description='siamese network on MNIST')
    parser.add_argument('--batch-size', type=int, default=16)
    parser.add_argument('--train-size', type=int, default=256)
    parser.add_argument('--epochs', type=int, default=1)
    parser.add_argument('--lr', type=float, default=1.0)
    parser.add_argument('--gamma', type=float, default=0.7)
    parser.add_argument('--seed', type=int, default=1)
    parser.add_argument('--log-interval', type=int, default=2)
    args = parser.parse_args()

    random.seed(args.seed)
    torch.manual_seed(args.seed)
    use_accel = torch.accelerator.is_available()
    device = torch.accelerator.current_accelerator() if use_accel else torch.device("cpu")

    root = os.environ["TINYDL_DATA"]
    train_set = torch.utils.data.Subset(DigitPairs(root, train=True), range(args.train_size))
    test_set = torch.utils.data.Subset(DigitPairs(root, train=False), range(64))
    train_loader = torch.utils.data.DataLoader(train_set, batch_size=args.batch_size)
    test_loader = torch.utils.data.DataLoader(test_set, batch_size=64)

    model = SiameseNet().to(device)
    optimizer = optim.Adadelta(model.parameters(), lr=args.lr)
    scheduler = StepLR(optimizer, step_size=1, gamma=args.gamma)
    for epoch in range(1, args.epochs + 1):
        train(args, model, device, train_loader, optimizer, epoch)
        test(model, device, test_loader)
        scheduler.step()


if __name__ == '__main__':
    main()
