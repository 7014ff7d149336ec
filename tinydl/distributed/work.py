"""Waiting for a collective politely: poll it, sleep a little between polls, give up at a
deadline.

A blocking MPI call would spin on a core until the other ranks arrive; on a small shared
machine that steals the core a slower rank needs, and if that rank has died the call never
returns. So every collective here is started non-blocking and finished by :func:`wait_for`,
which sleeps between polls (a few microseconds at first, at most a millisecond) and raises
:class:`DistributedTimeout` once the group's timeout has passed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from tinydl import check
from tinydl.distributed.errors import DistributedTimeout
from tinydl.errors import ArgumentTypeError

_LONGEST_PAUSE = 1e-3  # seconds between two polls, at most


def wait_for(done: Callable[[], bool], what: str, timeout: float, rank: int) -> None:
    """Poll ``done()`` until it is true; :class:`DistributedTimeout` after ``timeout``
    seconds, naming ``what`` was waited for and on which rank."""
    deadline = time.monotonic() + timeout
    pause = 0.0
    while not done():
        if time.monotonic() > deadline:
            raise DistributedTimeout(
                f"tinydl.distributed: {what} on rank {rank} waited {timeout:g} s for the other "
                f"ranks and gave up: another rank has stopped, raised an error, or is stuck "
                f"(a rank that skips a collective the others make, e.g. one behind "
                f"'if rank == 0:', waits like this too)"
            )
        time.sleep(pause)
        pause = min(2 * pause + 1e-6, _LONGEST_PAUSE)


class Work:
    """A collective in flight (PyTorch's ``Work``, what ``async_op=True`` returns):
    ``wait()`` finishes it (writing the result into the tensor), ``is_completed()`` says
    whether it has finished. ``give_up()``, if given, runs when the wait times out (NCCL's
    communicator must be aborted then)."""

    def __init__(self, done: Callable[[], bool], finish: Callable[[], None], what: str,
                 timeout: float, rank: int, give_up: Callable[[], None] | None = None) -> None:
        self._done, self._finish, self._what = done, finish, what
        self._timeout, self._rank, self._give_up = timeout, rank, give_up
        self._finished = False

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the collective (at most ``timeout`` seconds, by default the group's),
        then put its result in place. True, as PyTorch's."""
        if not self._finished:
            limit = self._timeout if timeout is None else seconds("Work.wait()", timeout)
            try:
                wait_for(self._done, self._what, limit, self._rank)
            except DistributedTimeout:
                if self._give_up is not None:
                    self._give_up()
                raise
            self._finish()
            self._finished = True
        return True

    def is_completed(self) -> bool:
        return self._finished

    def __repr__(self) -> str:
        return f"Work({self._what}, {'completed' if self._finished else 'in flight'})"


def seconds(where: str, timeout: Any) -> float:
    """A timeout as seconds > 0: a ``datetime.timedelta`` (PyTorch's form) or a number."""
    if isinstance(timeout, timedelta):
        timeout = timeout.total_seconds()
    if not check.is_number(timeout) or not timeout > 0:
        raise ArgumentTypeError(
            f"{where}: timeout must be a datetime.timedelta or a number of seconds > 0, got "
            f"{timeout!r}"
        )
    return float(timeout)
