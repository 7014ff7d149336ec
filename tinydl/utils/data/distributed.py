"""``torch.utils.data.distributed``: ``DistributedSampler`` under PyTorch's module path."""

from tinydl.data.distributed_sampler import DistributedSampler

__all__ = ["DistributedSampler"]
