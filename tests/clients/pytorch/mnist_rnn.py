# stands-for: https://github.com/pytorch/examples 77f55b912142e11fcfdf5b530231fb9c52f181e8 mnist_rnn/main.py
# loss: Train Epoch: .*?Loss: (\S+)
# exercises: nn.LSTM(batch_first=True) reading an image row by row, output[:, -1, :], nn.BatchNorm1d, nn.Dropout2d on a 2-D input (PyTorch warns and drops whole features), Linear, F.relu, F.log_softmax, F.nll_loss, input.reshape(-1, 28, 28), TensorDataset + DataLoader(shuffle=True), optim.Adadelta, StepLR, argmax/eq/view_as, torch.device
"""Classify MNIST digits with an LSTM that reads each image as 28 rows of 28 pixels."""
import argparse

import _offline
import tinydl as torch  # was: import torch
import tinydl.nn as nn  # was: import torch.nn as nn
import tinydl.nn.functional as F  # was: import torch.nn.functional as F
import tinydl.optim as optim  # was: import torch.optim as optim
from tinydl.optim.lr_scheduler import StepLR  # was: from torch.optim.lr_scheduler import StepLR
from tinydl.utils.data import DataLoader, TensorDataset  # was: from torch.utils.data import DataLoader, TensorDataset


class RowReader(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(input_size=28, hidden_size=64, batch_first=True)
        self.norm = nn.BatchNorm1d(64)
        self.dropout1 = nn.Dropout2d(0.25)
        self.dropout2 = nn.Dropout2d(0.5)
        self.fc1 = nn.Linear(64, 32)
        self.fc2 = nn.Linear(32, 10)

    def forward(self, images):
        rows = images.reshape(-1, 28, 28)     # (batch, time = row, features = pixels)
        outputs, _ = self.lstm(rows)
        last = outputs[:, -1, :]              # the state after the last row
        h = self.dropout1(self.norm(last))
        h = self.dropout2(F.relu(self.fc1(h)))
        return F.log_softmax(self.fc2(h), dim=1)


def loader(train, count, batch_size):
    images, labels = _offline.mnist(train=train, count=count)
    x = (torch.tensor(images, dtype=torch.float32) / 255.0 - 0.1307) / 0.3081
    return DataLoader(TensorDataset(x, torch.tensor(labels)), batch_size=batch_size,
                      shuffle=True)


def main():
    parser = argparse.ArgumentParser(description='MNIST read row by row by an LSTM')
    parser.add_argument('--batch-size', type=int, default=64)
    parser.add_argument('--train-size', type=int, default=2560)
    parser.add_argument('--epochs', type=int, default=1)
    parser.add_argument('--lr', type=float, default=1.0)
    parser.add_argument('--gamma', type=float, default=0.7)
    parser.add_argument('--seed', type=int, default=1)
    parser.add_argument('--log-interval', type=int, default=5)
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    device = torch.device("cpu")
    train_loader = loader(True, args.train_size, args.batch_size)
    test_loader = loader(False, 500, 250)

    model = RowReader().to(device)
    optimizer = optim.Adadelta(model.parameters(), lr=args.lr)
    scheduler = StepLR(optimizer, step_size=1, gamma=args.gamma)
    for epoch in range(1, args.epochs + 1):
        model.train()
        for batch_idx, (data, target) in enumerate(train_loader):
            data, target = data.to(device), target.to(device)
            optimizer.zero_grad()
            loss = F.nll_loss(model(data), target)
            loss.backward()
            optimizer.step()
            if batch_idx % args.log_interval == 0:
                print(f'Train Epoch: {epoch} [{batch_idx * len(data)}/{len(train_loader.dataset)}]'
                      f'\tLoss: {loss.item():.6f}')

        model.eval()
        correct = 0
        with torch.no_grad():
            for data, target in test_loader:
                guess = model(data.to(device)).argmax(dim=1, keepdim=True)
                correct += guess.eq(target.to(device).view_as(guess)).sum().item()
        print(f'\nTest set: Accuracy: {correct}/{len(test_loader.dataset)}\n')
        scheduler.step()


if __name__ == '__main__':
    main()
