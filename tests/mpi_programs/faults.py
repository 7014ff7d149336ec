"""A rank that goes wrong, for the fault tests: ``faults.py MODE`` on two ranks, where
rank 1 raises (``raise``), dies at once (``die``), or leaves without joining rank 0's
all-reduce (``leave``) while rank 0 waits with a 3 s timeout; or rank 1 comes to the
all-reduce 2 s late (``late``) and rank 0 says how much CPU time its wait used."""

import os
import resource
import sys
import time

import tinydl
import tinydl.distributed as dist

mode = sys.argv[1]
dist.init_process_group("mpi", timeout=3 if mode != "late" else 60)
rank = dist.get_rank()
if rank == 1:
    if mode == "raise":
        raise ValueError("rank 1 cannot go on")
    if mode == "die":
        os._exit(9)
    if mode == "leave":
        sys.exit(0)
    if mode == "late":
        time.sleep(2)
usage = resource.getrusage(resource.RUSAGE_SELF)
dist.all_reduce(tinydl.ones(3))
if mode == "late" and rank == 0:
    after = resource.getrusage(resource.RUSAGE_SELF)
    used = after.ru_utime + after.ru_stime - usage.ru_utime - usage.ru_stime
    print(f"rank 0 used {used:.2f} s of CPU waiting", flush=True)
print("rank", rank, "finished", flush=True)
