"""A rank that goes wrong, for the fault tests: ``faults.py MODE`` on two ranks, where
rank 1 raises (``raise``), dies at once (``die``), or leaves without joining rank 0's
all-reduce (``leave``) while rank 0 waits with a 3 s timeout."""

import os
import sys

import tinydl
import tinydl.distributed as dist

mode = sys.argv[1]
dist.init_process_group("mpi", timeout=3)
if dist.get_rank() == 1:
    if mode == "raise":
        raise ValueError("rank 1 cannot go on")
    if mode == "die":
        os._exit(9)
    if mode == "leave":
        sys.exit(0)
dist.all_reduce(tinydl.ones(3))
print("rank", dist.get_rank(), "finished")
