# stands-for: https://github.com/pytorch/examples 77f55b912142e11fcfdf5b530231fb9c52f181e8 mnist/main.py
# loss: Train Epoch: .*?Loss: (\S+)
# exercises: argparse options, torch.accelerator.is_available/current_accelerator, torch.manual_seed, a CNN module (Conv2d, F.relu, F.max_pool2d, Dropout, torch.flatten, Linear, F.log_softmax), F.nll_loss (mean and reduction='sum'), TensorDataset + DataLoader, .to(device), model.train/eval, optim.Adadelta, StepLR, no_grad, argmax(dim=1, keepdim=True), eq, view_as, len(loader.dataset), saving a state dict
"""A small convolutional network on MNIST: two convolutions, max-pooling, dropout and two
fully connected layers, trained with Adadelta and a step learning-rate schedule."""
import argparse

import _offline
import tinydl as torch  # was: import torch
import tinydl.nn as nn  # was: import torch.nn as nn
import tinydl.nn.functional as F  # was: import torch.nn.functional as F
import tinydl.optim as optim  # was: import torch.optim as optim
from tinydl.optim.lr_scheduler import StepLR  # was: from torch.optim.lr_scheduler import StepLR
from tinydl.utils.data import DataLoader, TensorDataset  # was: from torch.utils.data import DataLoader, TensorDataset


class ConvNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, 1)
        self.conv2 = nn.Conv2d(32, 64, 3, 1)
        self.drop_features = nn.Dropout(0.25)
        self.drop_hidden = nn.Dropout(0.5)
        self.fc1 = nn.Linear(12 * 12 * 64, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = F.relu(self.conv1(x))            # 28x28 -> 26x26
        x = F.relu(self.conv2(x))            # 26x26 -> 24x24
        x = F.max_pool2d(x, 2)               # 24x24 -> 12x12
        x = self.drop_features(x)
        x = torch.flatten(x, 1)
        x = self.drop_hidden(F.relu(self.fc1(x)))
        return F.log_softmax(self.fc2(x), dim=1)


def mnist_dataset(train, count):
    """MNIST as a TensorDataset of normalised (N, 1, 28, 28) images and int64 labels."""
    images, labels = _offline.mnist(train=train, count=count)
    x = torch.tensor(images, dtype=torch.float32).unsqueeze(1) / 255.0
    x = (x - 0.1307) / 0.3081
    return TensorDataset(x, torch.tensor(labels))


def train(args, model, device, loader, optimizer, epoch):
    model.train()
    for batch_idx, (data, target) in enumerate(loader):
        data, target = data.to(device), target.to(device)
        optimizer.zero_grad()
        loss = F.nll_loss(model(data), target)
        loss.backward()
        optimizer.step()
        if batch_idx % args.log_interval == 0:
            seen = batch_idx * len(data)
            print(f'Train Epoch: {epoch} [{seen}/{len(loader.dataset)}]\tLoss: {loss.item():.6f}')
            if args.dry_run:
                break


def test(model, device, loader):
    model.eval()
    total_loss, correct = 0.0, 0
    with torch.no_grad():
        for data, target in loader:
            data, target = data.to(device), target.to(device)
            output = model(data)
            total_loss += F.nll_loss(output, target, reduction='sum').item()
            guess = output.argmax(dim=1, keepdim=True)
            correct += guess.eq(target.view_as(guess)).sum().item()
    size = len(loader.dataset)
    print(f'\nTest set: Average loss: {total_loss / size:.4f}, '
          f'Accuracy: {correct}/{size} ({100.0 * correct / size:.0f}%)\n')


def main():
    parser = argparse.ArgumentParser(description='MNIST convolutional network')
    parser.add_argument('--batch-size', type=int, default=64)
    parser.add_argument('--test-batch-size', type=int, default=300)
    parser.add_argument('--train-size', type=int, default=640)
    parser.add_argument('--epochs', type=int, default=1)
    parser.add_argument('--lr', type=float, default=1.0)
    parser.add_argument('--gamma', type=float, default=0.7)
    parser.add_argument('--no-accel', action='store_true')
    parser.add_argument('--dry-run', action='store_true')
    parser.add_argument('--seed', type=int, default=1)
    parser.add_argument('--log-interval', type=int, default=2)
    parser.add_argument('--save-model', action='store_true')
    args = parser.parse_args()

    use_accel = not args.no_accel and torch.accelerator.is_available()
    torch.manual_seed(args.seed)
    device = torch.accelerator.current_accelerator() if use_accel else torch.device("cpu")

    train_loader = DataLoader(mnist_dataset(True, args.train_size),
                              batch_size=args.batch_size, shuffle=True)
    test_loader = DataLoader(mnist_dataset(False, 300), batch_size=args.test_batch_size)

    model = ConvNet().to(device)
    optimizer = optim.Adadelta(model.parameters(), lr=args.lr)
    scheduler = StepLR(optimizer, step_size=1, gamma=args.gamma)
    for epoch in range(1, args.epochs + 1):
        train(args, model, device, train_loader, optimizer, epoch)
        test(model, device, test_loader)
        scheduler.step()

    if args.save_model:
        torch.save(model.state_dict(), "mnist_cnn.pt")


if __name__ == '__main__':
    main()
