"""Write ``tests/reference/distributed_sampler.json`` with PyTorch: for each case of
``tests/distributed_cases.py``'s ``SAMPLER_CASES``, every rank's indices from
``torch.utils.data.distributed.DistributedSampler`` after ``set_epoch(epoch)``.

Run once, by hand, where torch is installed::

    .venv/bin/python tests/reference/make_distributed_sampler.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import torch
from torch.utils.data.distributed import DistributedSampler

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from distributed_cases import SAMPLER_CASES, sampler_shares  # noqa: E402

if __name__ == "__main__":
    stored = [{"case": list(case), "shares": sampler_shares(DistributedSampler, *case),
               "torch_version": torch.__version__} for case in SAMPLER_CASES]
    (HERE / "distributed_sampler.json").write_text(json.dumps(stored) + "\n")
