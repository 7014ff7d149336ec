# stands-for: https://github.com/pytorch/examples f62b4aec7bff832fc65b59aa62d60e94ddd6b39e distributed/ddp-tutorial-series/multigpu_torchrun.py
# loss: (?m)^Epoch \d+ \| loss (\S+)
# exercises: init_process_group("gloo"/"nccl"), RANK and LOCAL_RANK read from the environment after it, a Trainer class, torchvision datasets.MNIST + ToTensor, Subset, DistributedSampler + sampler.set_epoch, DataLoader(sampler=, pin_memory=True, shuffle=False), DDP(model, device_ids=), F.cross_entropy, snapshots of model.module.state_dict() saved on rank 0 with torch.save and resumed with torch.load, all_gather to check that the replicas agree, destroy_process_group
"""Data-parallel training in PyTorch's shape: one process per device, each training a
replica of the model on its share of MNIST, the gradients averaged by
DistributedDataParallel; rank 0 writes a snapshot each epoch, and a run that finds one
resumes from it. Launch it with several processes (``mpiexec -n 2 python ddp_mnist.py``,
or ``torchrun --nproc-per-node 2 ddp_mnist.py``) or run it as one."""
import argparse
import os

import tinydl as torch  # was: import torch
import tinydl.nn.functional as F  # was: import torch.nn.functional as F
from tinydl.distributed import all_gather, destroy_process_group, get_world_size, init_process_group  # was: from torch.distributed import all_gather, destroy_process_group, get_world_size, init_process_group
from tinydl.nn.parallel import DistributedDataParallel as DDP  # was: from torch.nn.parallel import DistributedDataParallel as DDP
from tinydl.utils.data import DataLoader, Subset  # was: from torch.utils.data import DataLoader, Subset
from tinydl.utils.data.distributed import DistributedSampler  # was: from torch.utils.data.distributed import DistributedSampler
from tinydl.vision import datasets, transforms  # was: from torchvision import datasets, transforms


def ddp_setup():
    init_process_group(backend="nccl" if torch.cuda.is_available() else "gloo")


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = torch.nn.Linear(28 * 28, 128)
        self.out = torch.nn.Linear(128, 10)

    def forward(self, x):
        return self.out(F.relu(self.hidden(torch.flatten(x, 1))))


class Trainer:
    def __init__(self, model, train_data, optimizer, save_every, snapshot_path):
        self.local_rank = int(os.environ["LOCAL_RANK"])  # set by the launcher
        self.global_rank = int(os.environ["RANK"])
        self.device = f"cuda:{self.local_rank}" if torch.cuda.is_available() else "cpu"
        self.model = model.to(self.device)
        self.train_data = train_data
        self.optimizer = optimizer
        self.save_every = save_every
        self.epochs_run = 0
        self.snapshot_path = snapshot_path
        if os.path.exists(snapshot_path):
            self._load_snapshot(snapshot_path)
        device_ids = [self.local_rank] if torch.cuda.is_available() else None
        self.model = DDP(self.model, device_ids=device_ids)

    def _load_snapshot(self, snapshot_path):
        snapshot = torch.load(snapshot_path, map_location=self.device)
        self.model.load_state_dict(snapshot["MODEL_STATE"])
        self.epochs_run = snapshot["EPOCHS_RUN"]
        if self.global_rank == 0:
            print(f"Resuming training from snapshot at epoch {self.epochs_run}")

    def _run_batch(self, source, targets):
        self.optimizer.zero_grad()
        loss = F.cross_entropy(self.model(source), targets)
        loss.backward()
        self.optimizer.step()
        return loss.item()

    def _run_epoch(self, epoch):
        self.train_data.sampler.set_epoch(epoch)
        losses = []
        for source, targets in self.train_data:
            losses.append(self._run_batch(source.to(self.device), targets.to(self.device)))
        if self.global_rank == 0:
            print(f"Epoch {epoch} | loss {sum(losses) / len(losses):.4f} | "
                  f"steps {len(self.train_data)} on each of {get_world_size()} processes")

    def _save_snapshot(self, epoch):
        snapshot = {"MODEL_STATE": self.model.module.state_dict(), "EPOCHS_RUN": epoch + 1}
        torch.save(snapshot, self.snapshot_path)
        print(f"Epoch {epoch} | snapshot saved at {self.snapshot_path}")

    def train(self, max_epochs):
        for epoch in range(self.epochs_run, max_epochs):
            self._run_epoch(epoch)
            if self.global_rank == 0 and epoch % self.save_every == 0:
                self._save_snapshot(epoch)

    def replicas_agree(self):
        """Every process holds the same parameters: gather them all and compare."""
        flat = torch.cat([p.detach().reshape(-1) for p in self.model.parameters()])
        copies = [torch.zeros_like(flat) for _ in range(get_world_size())]
        all_gather(copies, flat)
        return all(bool((copy == copies[0]).all()) for copy in copies)


def load_train_objs(count):
    mnist = datasets.MNIST(os.environ.get("TINYDL_DATA", "data"), train=True, download=True,
                           transform=transforms.ToTensor())
    train_set = Subset(mnist, range(count))
    model = Net()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    return train_set, model, optimizer


def prepare_dataloader(dataset, batch_size):
    return DataLoader(dataset, batch_size=batch_size, pin_memory=True, shuffle=False,
                      sampler=DistributedSampler(dataset))


def main(save_every, total_epochs, batch_size, count, snapshot_path="snapshot.pt"):
    ddp_setup()
    torch.manual_seed(0)
    dataset, model, optimizer = load_train_objs(count)
    train_data = prepare_dataloader(dataset, batch_size)
    trainer = Trainer(model, train_data, optimizer, save_every, snapshot_path)
    trainer.train(total_epochs)
    agree = trainer.replicas_agree()
    if trainer.global_rank == 0:
        print(f"replicas identical: {agree}")
    destroy_process_group()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="data-parallel MNIST")
    parser.add_argument("--total_epochs", default=3, type=int, help="epochs to train")
    parser.add_argument("--save_every", default=1, type=int, help="epochs between snapshots")
    parser.add_argument("--batch_size", default=32, type=int, help="batch size on each process")
    parser.add_argument("--count", default=2048, type=int, help="training images used")
    args = parser.parse_args()
    main(args.save_every, args.total_epochs, args.batch_size, args.count)
