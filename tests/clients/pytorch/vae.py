# stands-for: https://github.com/pytorch/examples 77f55b912142e11fcfdf5b530231fb9c52f181e8 vae/main.py
# loss: Train Epoch: .*?Loss: (\S+)
# exercises: a variational autoencoder module (Linear, F.relu, torch.exp, torch.randn_like, torch.sigmoid, x.view(-1, 784)), F.binary_cross_entropy(reduction='sum'), torch.sum, pow, Tensor.exp, optim.Adam, TensorDataset + DataLoader, torch.cat of image batches, torch.randn(...).to(device), data.size(0), f-string of a device, torch.accelerator
"""A variational autoencoder on MNIST: 784 -> 400 -> (mean, log-variance) of a 20-d code,
decoded back to 784 pixels; the loss is reconstruction cross-entropy plus the KL term."""
import argparse

import _offline
import tinydl as torch  # was: import torch
import tinydl.nn.functional as F  # was: import torch.nn.functional as F
from tinydl import nn, optim  # was: from torch import nn, optim
from tinydl.utils.data import DataLoader, TensorDataset  # was: from torch.utils.data import DataLoader, TensorDataset

parser = argparse.ArgumentParser(description='VAE on MNIST')
parser.add_argument('--batch-size', type=int, default=128)
parser.add_argument('--train-size', type=int, default=1280)
parser.add_argument('--epochs', type=int, default=1)
parser.add_argument('--seed', type=int, default=1)
parser.add_argument('--log-interval', type=int, default=2)
args = parser.parse_args()

torch.manual_seed(args.seed)
use_accel = torch.accelerator.is_available()
device = torch.accelerator.current_accelerator() if use_accel else torch.device("cpu")
print(f"Using device: {device}")


def pixels(train, count):
    images, _ = _offline.mnist(train=train, count=count)
    return TensorDataset(torch.tensor(images, dtype=torch.float32).unsqueeze(1) / 255.0)


train_loader = DataLoader(pixels(True, args.train_size), batch_size=args.batch_size,
                          shuffle=True)
test_loader = DataLoader(pixels(False, 256), batch_size=args.batch_size)


class VAE(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(784, 400)
        self.to_mean = nn.Linear(400, 20)
        self.to_logvar = nn.Linear(400, 20)
        self.expand = nn.Linear(20, 400)
        self.to_pixels = nn.Linear(400, 784)

    def encode(self, x):
        h = F.relu(self.hidden(x))
        return self.to_mean(h), self.to_logvar(h)

    def sample_code(self, mean, logvar):
        std = torch.exp(0.5 * logvar)
        return mean + torch.randn_like(std) * std   # the reparameterisation trick

    def decode(self, z):
        return torch.sigmoid(self.to_pixels(F.relu(self.expand(z))))

    def forward(self, x):
        mean, logvar = self.encode(x.view(-1, 784))
        return self.decode(self.sample_code(mean, logvar)), mean, logvar


def vae_loss(reconstruction, x, mean, logvar):
    reconstruction_term = F.binary_cross_entropy(reconstruction, x.view(-1, 784), reduction='sum')
    # KL(N(mean, var) || N(0, 1)) summed over the batch and the code
    kl_term = -0.5 * torch.sum(1 + logvar - mean.pow(2) - logvar.exp())
    return reconstruction_term + kl_term


model = VAE().to(device)
optimizer = optim.Adam(model.parameters(), lr=1e-3)

for epoch in range(1, args.epochs + 1):
    model.train()
    epoch_loss = 0.0
    for batch_idx, (data,) in enumerate(train_loader):
        data = data.to(device)
        optimizer.zero_grad()
        reconstruction, mean, logvar = model(data)
        loss = vae_loss(reconstruction, data, mean, logvar)
        loss.backward()
        optimizer.step()
        epoch_loss += loss.item()
        if batch_idx % args.log_interval == 0:
            print(f'Train Epoch: {epoch} [{batch_idx * len(data)}/{len(train_loader.dataset)}]'
                  f'\tLoss: {loss.item() / len(data):.6f}')
    print(f'====> Epoch: {epoch} Average loss: {epoch_loss / len(train_loader.dataset):.4f}')

    model.eval()
    test_loss = 0.0
    with torch.no_grad():
        for i, (data,) in enumerate(test_loader):
            data = data.to(device)
            reconstruction, mean, logvar = model(data)
            test_loss += vae_loss(reconstruction, data, mean, logvar).item()
            if i == 0:
                n = min(data.size(0), 8)
                side_by_side = torch.cat([data[:n], reconstruction.view(-1, 1, 28, 28)[:n]])
                print('comparison batch', tuple(side_by_side.shape))
        samples = model.decode(torch.randn(64, 20).to(device))
    print(f'====> Test set loss: {test_loss / len(test_loader.dataset):.4f}; '
          f'mean pixel of 64 samples {samples.mean().item():.3f}')
