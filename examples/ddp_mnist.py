"""Data-parallel MNIST written as a PyTorch DDP program: the mnist-fast network, one
process per rank, each training on its share of every batch (DistributedSampler), the
gradients averaged by DistributedDataParallel, progress and the checkpoint on rank 0.

Only its import lines are tinydl's; with PyTorch's in their place it is a PyTorch program
(launched there by ``torchrun --nproc-per-node 2``). On tinydl, MPI starts the ranks:

    pip install 'tinydl-edu[distributed]'
    TINYDL_FAST_PATHS=1 mpiexec -n 2 python examples/ddp_mnist.py --data ../shared/data

``--batch-size`` is the global batch (each of N ranks takes batch/N samples of it), so
the run makes the same steps as one process with that batch, and reaches about 99% in one
epoch whatever N is.
"""

import argparse
import time

import tinydl as torch
import tinydl.distributed as dist
import tinydl.nn.functional as F
from tinydl import nn
from tinydl.nn.parallel import DistributedDataParallel as DDP
from tinydl.utils.data import DataLoader, Subset
from tinydl.utils.data.distributed import DistributedSampler
from tinydl.vision import datasets, transforms


class FastNet(nn.Module):
    """Conv(5x5, 16)-MaxPool-ReLU, Conv(3x3, 32)-MaxPool-ReLU, Linear(256)-ReLU, Linear(10)."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 5)
        self.conv2 = nn.Conv2d(16, 32, 3)
        self.fc1 = nn.Linear(32 * 5 * 5, 256)
        self.fc2 = nn.Linear(256, 10)

    def forward(self, x):
        x = F.relu(F.max_pool2d(self.conv1(x), 2))
        x = F.relu(F.max_pool2d(self.conv2(x), 2))
        return self.fc2(F.relu(self.fc1(torch.flatten(x, 1))))


def main():
    parser = argparse.ArgumentParser(description="data-parallel MNIST")
    parser.add_argument("--data", default="data", help="folder holding MNIST")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=256, help="global batch")
    parser.add_argument("--lr", type=float, default=0.01)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--save", default="ddp_mnist.pt")
    parser.add_argument("--train-subset", type=int, help="train on the first N images only")
    args = parser.parse_args()

    dist.init_process_group("gloo")
    rank, world = dist.get_rank(), dist.get_world_size()
    torch.manual_seed(args.seed)
    train_set = datasets.MNIST(args.data, train=True, download=True,
                               transform=transforms.ToTensor())
    if args.train_subset:
        train_set = Subset(train_set, range(args.train_subset))
    sampler = DistributedSampler(train_set, seed=args.seed)
    loader = DataLoader(train_set, batch_size=args.batch_size // world, sampler=sampler)

    model = DDP(FastNet())
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr, betas=(0.7, 0.9))
    scheduler = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=args.lr, epochs=args.epochs, steps_per_epoch=len(loader))
    loss_fn = nn.CrossEntropyLoss(label_smoothing=0.2)

    started = time.perf_counter()
    for epoch in range(args.epochs):
        sampler.set_epoch(epoch)  # a new order each epoch, the same on every rank
        model.train()
        for step, (images, labels) in enumerate(loader):
            loss = loss_fn(model(images), labels)
            optimizer.zero_grad()
            loss.backward()  # DDP averages the gradients across the ranks here
            optimizer.step()
            scheduler.step()
            if rank == 0 and step % 50 == 0:
                print(f"epoch {epoch} step {step}/{len(loader)} loss {loss.item():.4f}")
    seconds = time.perf_counter() - started

    flat = torch.cat([p.detach().reshape(-1) for p in model.parameters()])
    replicas = [torch.zeros_like(flat) for _ in range(world)]
    dist.all_gather(replicas, flat)  # every rank must hold the same parameters
    if rank == 0:
        test_set = datasets.MNIST(args.data, train=False, transform=transforms.ToTensor())
        correct = 0
        model.module.eval()  # the bare model: evaluating on rank 0 alone makes no collective
        with torch.no_grad():
            for images, labels in DataLoader(test_set, batch_size=1000):
                correct += (model.module(images).argmax(1) == labels).sum().item()
        torch.save(model.module.state_dict(), args.save)
        same = all(bool((r == replicas[0]).all()) for r in replicas)
        print(f"{world} ranks: test accuracy {correct / len(test_set):.4f}, training "
              f"{seconds:.1f} s, replicas identical: {same}, saved {args.save}")
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
