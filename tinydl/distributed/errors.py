"""The errors of data-parallel training, so that a program can catch them by kind."""

from tinydl.errors import TinyDLError


class DistributedError(TinyDLError, RuntimeError):
    """A process-group call that cannot run: no group yet, no MPI, a backend without its
    device, ranks that disagree. A RuntimeError, as PyTorch's are."""


class DistributedTimeout(DistributedError, TimeoutError):
    """A collective waited longer than the group's ``timeout`` for the other ranks: one of
    them has stopped, raised, or is stuck elsewhere."""
