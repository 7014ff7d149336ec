"""``DistributedDataParallel``: one model per process, the gradients averaged across them.

Every rank (process) holds a copy of the model and trains it on its own share of each
batch. If every copy starts equal and every copy takes the same step, the copies stay
equal; the step is the same when every rank uses the same gradient, the average of the
ranks' gradients. Averaging the per-rank gradients of the mean loss over B samples gives
the gradient of the mean loss over all N·B samples, so N ranks with batch B train like
one process with batch N·B (where the model's samples do not interact: batch norm's
statistics are per rank, see :class:`~tinydl.nn.SyncBatchNorm`).

So the wrapper does three things:

1. at construction, checks that every rank built the same parameters (the first
   mismatched one is named) and copies rank 0's parameters and buffers to every rank;
2. in ``forward``, copies rank 0's buffers (batch norm's running statistics) to the others
   (``broadcast_buffers``, as PyTorch) and marks the outputs, so that the backward walk
   through them queues step 3 for when it has finished;
3. after ``backward()``, averages the gradients: they are flattened into a few buckets of
   about ``bucket_cap_mb`` MB each (one all-reduce per bucket, not one per parameter,
   because each call costs a fixed latency), the buckets all-reduced, and the averages
   put back as each parameter's ``.grad``.

PyTorch starts each bucket's all-reduce as soon as the backward walk has filled it, so the
communication overlaps the rest of the walk; tinydl starts them all when the walk ends,
which is simpler to read and loses nothing where the walk and MPI share the same cores.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from tinydl import backend, check
from tinydl import distributed as dist
from tinydl.autograd import Tensor
from tinydl.autograd.function import Function, is_grad_enabled, queue_callback
from tinydl.distributed import DistributedError
from tinydl.nn.module import Module, Parameter


class _Bucket:
    """Parameters whose gradients travel together as one flat array."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self.parameters: list[Parameter] = []
        self.nbytes = 0

    def add(self, name: str, parameter: Parameter) -> None:
        self.names.append(name)
        self.parameters.append(parameter)
        self.nbytes += parameter.array.nbytes

    def flat_gradients(self) -> Tensor:
        """The gradients end to end in one array (zeros for a parameter without one)."""
        xp = backend.array_module(self.parameters[0].array)
        return Tensor(xp.concatenate([
            (p.grad.array if p.grad is not None else xp.zeros(p.shape, p.dtype)).reshape(-1)
            for p in self.parameters
        ]))

    def put_back(self, flat: Tensor, used: list[bool]) -> None:
        """Each parameter's piece of ``flat`` as its ``.grad`` (a view, no copy)."""
        start = 0
        for parameter, is_used in zip(self.parameters, used, strict=True):
            piece = flat.array[start : start + parameter.array.size]
            start += parameter.array.size
            parameter.grad = Tensor(piece.reshape(parameter.shape)) if is_used else None


class DistributedDataParallel(Module):
    """``DistributedDataParallel(module, device_ids=None, output_device=None, dim=0,
    broadcast_buffers=True, process_group=None, bucket_cap_mb=25,
    find_unused_parameters=False, ...)``: ``module`` trained by every rank of the default
    process group (:func:`tinydl.distributed.init_process_group` first), its gradients
    averaged after each ``backward()``. The module is ``.module``; the state dict's names
    start with ``module.``, as in PyTorch, so save ``ddp.module.state_dict()`` for a
    checkpoint that loads without the wrapper.

    ``find_unused_parameters=True`` lets a backward leave some parameters without a
    gradient (they are averaged as zeros, and keep ``grad = None`` where no rank gave them
    one); without it such a backward is an error naming them, as PyTorch's. ``no_sync()``
    skips the averaging for gradient accumulation. ``device_ids``, ``output_device``,
    ``dim``, ``check_reduction``, ``gradient_as_bucket_view`` (the gradients are always
    views into the buckets here) and ``static_graph`` are accepted for PyTorch's programs
    and change nothing: each rank runs its module on its own device.
    """

    def __init__(
        self, module: Module, device_ids: Any = None, output_device: Any = None, dim: int = 0,
        broadcast_buffers: bool = True, process_group: Any = None, bucket_cap_mb: float = 25,
        find_unused_parameters: bool = False, check_reduction: bool = False,
        gradient_as_bucket_view: bool = False, static_graph: bool = False,
    ) -> None:
        where = "DistributedDataParallel"
        self.module = check.instance(where, "module", module, Module, "a Module")
        self.broadcast_buffers = check.flag(where, "broadcast_buffers", broadcast_buffers)
        self.find_unused_parameters = check.flag(where, "find_unused_parameters",
                                                 find_unused_parameters)
        cap_mb = check.number(where, "bucket_cap_mb", bucket_cap_mb, "> 0")
        if not dist.is_initialized():
            raise DistributedError(
                f"{where} needs the default process group: call "
                f"tinydl.distributed.init_process_group() first (and launch with mpiexec -n N)"
            )
        self.process_group = process_group
        self.world_size = dist.get_world_size(process_group)
        self.device_ids, self.output_device, self.dim = device_ids, output_device, dim
        self.require_backward_grad_sync = True  # False inside no_sync()
        named_tensors = [*module.named_parameters(), *module.named_buffers()]
        _check_same_tensors_on_every_rank(named_tensors)
        _broadcast_from_rank_0([tensor for _, tensor in named_tensors])
        self._trained = [(name, p) for name, p in module.named_parameters() if p.requires_grad]
        self._buffers = list(module.buffers())
        self.buckets = _buckets(self._trained, int(cap_mb * 2**20))
        self._averaging_queued = False

    def forward(self, *inputs: Any, **options: Any) -> Any:
        if self.broadcast_buffers and self._buffers and self.world_size > 1:
            _broadcast_from_rank_0(self._buffers)
        outputs = self.module(*inputs, **options)
        if not (self.require_backward_grad_sync and is_grad_enabled()):
            return outputs
        return _map_tensors(outputs, self._mark)

    @contextmanager
    def no_sync(self) -> Iterator[None]:
        """Inside, backward passes keep their gradients to this rank (they add up in
        ``.grad``); the first backward outside averages the sum: gradient accumulation
        with one all-reduce per step instead of one per micro-batch."""
        previous, self.require_backward_grad_sync = self.require_backward_grad_sync, False
        try:
            yield
        finally:
            self.require_backward_grad_sync = previous

    # ---- the averaging -------------------------------------------------------------------
    def _mark(self, output: Tensor) -> Tensor:
        return _AverageGradientsAfterBackward(self)(output) if output.requires_grad else output

    def queue_averaging(self) -> None:
        """Called by the backward walk through a marked output: average once it ends."""
        if not self._averaging_queued:
            self._averaging_queued = True
            queue_callback(self._average_gradients)

    def _average_gradients(self) -> None:
        self._averaging_queued = False
        used = self._used_by_some_rank()
        in_flight = []
        for bucket in self.buckets:  # all started, then all waited for
            flat = bucket.flat_gradients()
            in_flight.append((bucket, flat, dist.all_reduce(flat, dist.ReduceOp.AVG,
                                                            self.process_group, async_op=True)))
        for bucket, flat, work in in_flight:
            work.wait()
            bucket.put_back(flat, [used[name] for name in bucket.names])

    def _used_by_some_rank(self) -> dict[str, bool]:
        """Which parameters got a gradient on at least one rank."""
        missing = [name for name, p in self._trained if p.grad is None]
        if missing and not self.find_unused_parameters:
            raise DistributedError(
                f"DistributedDataParallel: backward() gave no gradient to {', '.join(missing)}: "
                f"their averages could not be formed. Use every parameter in the loss, freeze "
                f"them (requires_grad_(False)) before wrapping, or pass "
                f"find_unused_parameters=True"
            )
        if not self.find_unused_parameters:
            return {name: True for name, _ in self._trained}
        xp = backend.array_module(self._trained[0][1].array)
        counts = Tensor(xp.asarray([p.grad is not None for _, p in self._trained], np.int32))
        dist.all_reduce(counts, group=self.process_group)
        return {name: bool(count) for (name, _), count in
                zip(self._trained, backend.to_numpy(counts.array), strict=True)}

    def extra_repr(self) -> str:
        return f"world_size={self.world_size}, buckets={len(self.buckets)}"


class _AverageGradientsAfterBackward(Function):
    """The identity, forward and backward (dy/dx = 1); its backward also asks autograd to
    let the DistributedDataParallel average the gradients once the walk is over, when
    every parameter's ``.grad`` is complete."""

    def __init__(self, wrapper: DistributedDataParallel) -> None:
        self.wrapper = wrapper

    def forward(self, x: Any) -> Any:
        return x

    def backward(self, grad_output: Any) -> Any:
        self.wrapper.queue_averaging()
        return grad_output


def _buckets(named: list[tuple[str, Parameter]], cap_bytes: int) -> list[_Bucket]:
    """The parameters in reverse order (the order backward fills their gradients), cut
    into buckets of at most ``cap_bytes`` (a larger parameter gets one of its own); a
    bucket holds one dtype on one device, since it becomes one array."""
    buckets: list[_Bucket] = []
    open_bucket: dict[tuple[Any, Any], _Bucket] = {}
    for name, parameter in reversed(named):
        kind = (parameter.dtype, parameter.device)
        bucket = open_bucket.get(kind)
        if bucket is None or bucket.nbytes + parameter.array.nbytes > cap_bytes:
            bucket = open_bucket[kind] = _Bucket()
            buckets.append(bucket)
        bucket.add(name, parameter)
    return [bucket for bucket in buckets if bucket.parameters]


def _check_same_tensors_on_every_rank(named: list[tuple[str, Tensor]]) -> None:
    """Every rank must hold the same parameters and buffers (shapes and dtypes), or the
    averaged gradients would mean nothing: raise on every rank, naming the first
    mismatch, when they differ."""
    device = named[0][1].device if named else backend.get_default_device()
    counts = _gathered(np.asarray([len(named)], dtype=np.int64), device)
    if len(set(counts[:, 0].tolist())) > 1:
        held = ", ".join(f"rank {rank} {count}" for rank, count in enumerate(counts[:, 0]))
        raise DistributedError(
            f"DistributedDataParallel: the ranks hold different numbers of parameters and "
            f"buffers ({held}): build the same model on every rank"
        )
    depth = max((t.ndim for _, t in named), default=0)
    depth = int(_gathered(np.asarray([depth], dtype=np.int64), device).max())
    signature = np.full((len(named), depth + 1), -1, dtype=np.int64)
    for row, (_, t) in enumerate(named):
        signature[row, 0] = ord(t.dtype.char)
        signature[row, 1 : t.ndim + 1] = t.shape
    every = _gathered(signature, device)
    for row, (name, _) in enumerate(named):
        if (every[:, row] != every[0, row]).any():
            held = "; ".join(f"{_shape_and_dtype(every[rank, row])} on rank {rank}"
                             for rank in range(len(every)))
            raise DistributedError(
                f"DistributedDataParallel: {name!r} differs between the ranks ({held}): build "
                f"the same model on every rank"
            )


def _shape_and_dtype(signature: np.ndarray) -> str:
    dims = tuple(int(d) for d in signature[1:] if d >= 0)
    return f"shape {dims} {np.dtype(chr(signature[0]))}"


def _gathered(values: np.ndarray, device: Any) -> np.ndarray:
    """Every rank's ``values`` stacked, rank 0's first (sent from ``device``: the nccl
    backend carries only GPU arrays)."""
    sent = Tensor(backend.to_device(values, device))
    pieces = [Tensor(backend.to_device(np.empty_like(values), device))
              for _ in range(dist.get_world_size())]
    dist.all_gather(pieces, sent)
    return np.stack([backend.to_numpy(piece.array) for piece in pieces])


def _broadcast_from_rank_0(tensors: list[Tensor]) -> None:
    works = [dist.broadcast(t, 0, async_op=True) for t in tensors]
    for work in works:
        work.wait()


def _map_tensors(value: Any, function: Callable[[Tensor], Tensor]) -> Any:
    """``function`` applied to every Tensor in an output (a tensor, tuple, list or dict)."""
    if isinstance(value, Tensor):
        return function(value)
    if isinstance(value, (tuple, list)):
        return type(value)(_map_tensors(item, function) for item in value)
    if isinstance(value, dict):
        return {key: _map_tensors(item, function) for key, item in value.items()}
    return value
