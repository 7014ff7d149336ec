"""Data-parallel training (``tinydl.distributed``, ``DistributedDataParallel``,
``DistributedSampler``, ``SyncBatchNorm``), tested on real MPI processes.

``tests/mpi_programs/ranks.py`` runs once on two ranks (``mpiexec -n 2``) and writes what
each rank found; the tests below compare it with single-process references computed here:
two ranks with batch B must end with the parameters of one process with batch 2B (for the
MLP, the mnist-fast CNN, and the batch-norm CNN with SyncBatchNorm), and with plain batch
norm with those of one process normalising each half of the batch by itself. The fault
tests start their own small runs. Without mpi4py and mpiexec (``pip install
'tinydl-edu[distributed]'``) the MPI tests skip and say why.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import distributed_cases as cases
import numpy as np
import pytest

import tinydl
from tinydl import autograd, nn, optim
from tinydl.data.distributed_sampler import DistributedSampler, torch_randperm
from tinydl.distributed import DistributedError, DistributedTimeout, ReduceOp, Work
from tinydl.distributed.work import wait_for
from tinydl.train import fit, load_checkpoint

HERE = Path(__file__).resolve().parent
REPOSITORY = HERE.parent
REFERENCE = HERE / "reference" / "distributed_sampler.json"


def _mpiexec() -> str | None:
    beside_python = Path(sys.executable).parent / "mpiexec"  # the mpich wheel's, in the venv
    return str(beside_python) if beside_python.exists() else shutil.which("mpiexec")


MPIEXEC = _mpiexec()
try:
    import mpi4py  # noqa: F401

    MPI_MISSING = None if MPIEXEC else "no mpiexec on PATH or beside python"
except ImportError:
    MPI_MISSING = "mpi4py is not installed (pip install 'tinydl-edu[distributed]')"
needs_mpi = pytest.mark.skipif(MPI_MISSING is not None, reason=f"needs MPI: {MPI_MISSING}")


def launch(program: str, *args: str, ranks: int = 2, timeout: float = 180,
           ) -> tuple[subprocess.CompletedProcess, float]:
    """Run ``tests/mpi_programs/<program>`` on ``ranks`` MPI processes; the finished process
    and its wall time. The run gets its own session, so that a timeout kills every rank."""
    environment = {**os.environ, "PYTHONPATH": str(REPOSITORY), "OPENBLAS_NUM_THREADS": "1",
                   "OMP_NUM_THREADS": "1"}
    command = [MPIEXEC, "-n", str(ranks), sys.executable, str(HERE / "mpi_programs" / program),
               *args]
    started = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env=environment, start_new_session=True)
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        stdout, stderr = process.communicate()
        pytest.fail(f"{program} on {ranks} ranks ran past {timeout} s:\n{stdout}\n{stderr}")
    finished = subprocess.CompletedProcess(command, process.returncode, stdout, stderr)
    return finished, time.monotonic() - started


@pytest.fixture(scope="module")
def ranks(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The two ranks' findings: the JSON and arrays ranks.py wrote, and its folder."""
    if MPI_MISSING is not None:
        pytest.skip(f"needs MPI: {MPI_MISSING}")
    out = tmp_path_factory.mktemp("ranks")
    checkpoint = out / "fit.npz"  # one process trains the first epoch; the ranks resume
    model = cases.build("mlp")
    fit(model, optim.SGD(model.parameters(), lr=0.1), nn.CrossEntropyLoss(), cases.fit_data(),
        epochs=1, batch_size=16, checkpoint_path=checkpoint, progress=False, print_fn=None)
    run, _ = launch("ranks.py", str(out), str(checkpoint))
    assert run.returncode == 0, f"{run.stdout}\n{run.stderr}"
    found = [json.loads((out / f"rank{r}.json").read_text()) for r in range(cases.RANKS)]
    return {"json": found, "out": out, "checkpoint": checkpoint}


def rank_state(ranks: dict, case: str, rank: int) -> dict[str, np.ndarray]:
    with np.load(ranks["out"] / f"{case}_rank{rank}.npz") as arrays:
        return dict(arrays)


def assert_states_close(found: dict, expected: dict, rtol: float = 2e-4,
                        atol: float = 2e-5) -> None:
    assert found.keys() == expected.keys()
    for name in expected:
        np.testing.assert_allclose(found[name], expected[name], rtol=rtol, atol=atol,
                                   err_msg=name)


# ---- single-process references ---------------------------------------------------------------
def one_process(name: str) -> dict[str, np.ndarray]:
    """One process, each step's whole batch of 2B samples."""
    model = cases.build(name)
    x, y = cases.data(name)
    cases.train(model, model.parameters(),
                [(cases.batch(x, s), cases.batch(y, s)) for s in range(cases.STEPS)])
    return cases.state(model)


def one_process_in_halves(name: str) -> dict[str, np.ndarray]:
    """One process that normalises each rank's half of the batch by itself (what plain
    batch norm does under DistributedDataParallel), its loss the mean of the halves'; the
    running statistics follow rank 0's half alone (DDP copies rank 0's buffers to every
    rank before each forward)."""
    model = cases.build(name)
    x, y = cases.data(name)
    optimizer = optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    for step in range(cases.STEPS):
        losses = []
        for rank in range(cases.RANKS):
            if rank == 1:
                kept = [b.array.copy() for b in model.buffers()]
            logits = model(tinydl.tensor(cases.batch(x, step, rank)))
            losses.append(loss_fn(logits, tinydl.tensor(cases.batch(y, step, rank))))
        for buffer, values in zip(model.buffers(), kept, strict=True):
            buffer.array[...] = values
        optimizer.zero_grad()
        ((losses[0] + losses[1]) / 2).backward()
        optimizer.step()
    return cases.state(model)


# ---- equivalence -----------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["mlp", "cnn"])
def test_two_ranks_with_batch_b_train_like_one_process_with_batch_2b(ranks, name) -> None:
    expected = one_process(name)
    for rank in range(cases.RANKS):
        assert_states_close(rank_state(ranks, name, rank), expected)


def test_sync_batch_norm_makes_the_batch_norm_cnn_train_like_one_process(ranks) -> None:
    expected = one_process("bn_cnn")  # its running statistics too: the whole batch's
    for rank in range(cases.RANKS):
        assert_states_close(rank_state(ranks, "bn_cnn_sync", rank), expected)


@pytest.mark.parametrize("case", ["mlp", "bn_cnn_sync"])
def test_the_strict_fake_device_trains_as_the_cpu_does(ranks, case) -> None:
    for rank in range(cases.RANKS):  # its tensors cross to the host for MPI and back
        assert_states_close(rank_state(ranks, f"{case}_fake", rank),
                            rank_state(ranks, case, rank), 1e-6, 1e-7)


def test_plain_batch_norm_normalises_each_rank_by_itself(ranks) -> None:
    found = rank_state(ranks, "bn_cnn", 0)
    assert_states_close(found, one_process_in_halves("bn_cnn"))
    whole = one_process("bn_cnn")
    assert not np.allclose(found["2.running_mean"], whole["2.running_mean"], rtol=2e-4,
                           atol=2e-5)  # rank 0's halves, not the whole batches
    assert not np.allclose(found["0.weight"], whole["0.weight"], rtol=2e-4, atol=2e-5)


def test_every_rank_ends_with_the_same_parameters(ranks) -> None:
    for case in ("mlp", "cnn", "bn_cnn_sync", "fit"):
        first, second = rank_state(ranks, case, 0), rank_state(ranks, case, 1)
        for name in first:
            np.testing.assert_array_equal(first[name], second[name], err_msg=f"{case} {name}")


# ---- buckets, no_sync, unused parameters ----------------------------------------------------
def test_gradients_travel_in_buckets_and_no_sync_skips_them(ranks) -> None:
    found = ranks["json"][0]["buckets"]
    # reverse order; the 400-byte cap puts the 8x16 weight (512 bytes) in a bucket of its own
    assert found["names"] == [["2.bias", "2.weight", "0.bias"], ["0.weight"]]
    assert found["calls_in_no_sync"] == 0  # the accumulated micro-batch stayed on its rank
    assert found["calls_after"] == 2       # then one all-reduce per bucket
    model = cases.build("mlp")  # the sum of both micro-batches' gradients, averaged
    x, y = cases.data("mlp")
    loss_fn = nn.CrossEntropyLoss()
    for step in (0, 1):
        for rank in range(cases.RANKS):
            loss = loss_fn(model(tinydl.tensor(cases.batch(x, step, rank))),
                           tinydl.tensor(cases.batch(y, step, rank)))
            (loss / cases.RANKS).backward()
    expected = {n: p.grad.numpy() for n, p in model.named_parameters()}
    for rank in range(cases.RANKS):
        assert_states_close(rank_state(ranks, "no_sync", rank), expected, 1e-5, 1e-6)


def test_a_parameter_without_gradient_is_named_unless_unused_ones_are_allowed(ranks) -> None:
    zero, one = ranks["json"]
    assert "gave no gradient to right.weight, right.bias" in zero["unused_False"]
    assert "gave no gradient to left.weight, left.bias" in one["unused_False"]
    assert "find_unused_parameters=True" in zero["unused_False"]
    assert zero["unused_True"] == one["unused_True"] == "no error"
    assert zero["unused_grads"] == one["unused_grads"]
    assert all(grad is not None for grad in zero["unused_grads"].values())


def test_mismatched_models_are_refused_at_construction_naming_the_parameter(ranks) -> None:
    for found in ranks["json"]:
        assert found["mismatch_shape"] == (
            "DistributedError: DistributedDataParallel: 'weight' differs between the ranks "
            "(shape (8, 4) float32 on rank 0; shape (8, 5) float32 on rank 1): build the same "
            "model on every rank"
        )
        assert "rank 0 2, rank 1 4" in found["mismatch_count"]
        assert "float32 on rank 0; shape (3, 3) float64 on rank 1" in found["mismatch_dtype"]


# ---- the collectives and their bad inputs -----------------------------------------------------
@pytest.mark.parametrize("device", ["cpu", "fake"])
def test_collectives_combine_the_ranks(ranks, device) -> None:
    for found in ranks["json"]:
        got = found[f"collectives_{device}"]
        assert got["sum"] == [0.0, 3.0, 6.0, 9.0]
        assert got["max"] == [1.0, 0.0, 5.0]
        assert got["avg"] == [1.5, 1.5, 1.5]
        assert got["broadcast"] == [1, 1]
        assert got["all_gather"] == [[0.0, 0.0], [1.0, 1.0]]
        assert got["async_waits"] is True and got["completed"] is True
        assert found["backend"] == "gloo" and found["world"] == 2


def test_collectives_refuse_bad_arguments_inside_a_group(ranks) -> None:
    bad = ranks["json"][1]["bad_inputs"]
    assert bad["broadcast_src"].endswith("src must be a rank from 0 to 1, got 2")
    assert "tensor_list must be a list of 2 tensors (one per rank), got a list of 1" in \
        bad["all_gather_list"]
    assert "tensor_list[0] has shape (2,)" in bad["all_gather_shape"]
    assert "already initialised" in bad["init_twice"]
    assert ranks["json"][0]["after_destroy"] is False


def test_the_sampler_asks_the_group_for_rank_and_world(ranks) -> None:
    for rank, found in enumerate(ranks["json"]):
        expected = DistributedSampler(list(range(11)), num_replicas=2, rank=rank, seed=3)
        expected.set_epoch(2)
        assert found["sampler"] == list(expected)


def test_nccl_group_gets_rank_0s_id_over_mpi(ranks) -> None:
    for rank, found in enumerate(ranks["json"]):
        assert found["nccl_communicator"] == {"size": 2, "id": [40, 41, 42, 43], "rank": rank}
        assert found["nccl_device"] == 0  # each rank's GPU: its rank on its machine, mod 1
        assert "the nccl backend works on CUDA tensors, this one is on cpu" in \
            found["nccl_cpu_tensor"]


# ---- fit(): checkpoints between one process and two ranks ---------------------------------------
def test_fit_resumes_a_single_process_checkpoint_on_two_ranks_and_back(ranks) -> None:
    found = rank_state(ranks, "fit", 0)
    model = cases.build("mlp", seed=5)
    extra = load_checkpoint(ranks["checkpoint"], model)  # written by rank 0 after epoch 2
    assert extra["epoch"] == 1
    assert_states_close(cases.state(model), found, 0, 0)
    assert len(ranks["json"][0]["fit_history"]) == 2  # epoch 1 from the one process
    assert ranks["json"][0]["fit_history"] == ranks["json"][1]["fit_history"]
    printed = [(ranks["out"] / f"stdout{r}.txt").read_text() for r in range(cases.RANKS)]
    assert "epoch 2/2" in printed[0] and printed[1] == ""  # rank 0 alone speaks


# ---- the command line --------------------------------------------------------------------
def mnist_folder() -> Path:
    data = Path(os.environ.get("TINYDL_DATA", REPOSITORY.parent / "shared" / "data"))
    if not (data / "mnist").is_dir():
        pytest.skip(f"needs the MNIST files in {data}/mnist")
    return data


def run_on_two_ranks(arguments: list[str], folder: Path) -> subprocess.CompletedProcess:
    environment = {**os.environ, "PYTHONPATH": str(REPOSITORY), "OPENBLAS_NUM_THREADS": "1",
                   "TINYDL_DATA": str(mnist_folder()), "MPLBACKEND": "Agg"}
    return subprocess.run([MPIEXEC, "-n", "2", sys.executable, *arguments], cwd=folder,
                          env=environment, capture_output=True, text=True, timeout=300)


@needs_mpi
def test_tinydl_train_distributed_speaks_and_saves_on_rank_0(tmp_path) -> None:
    done = run_on_two_ranks(["-m", "tinydl.cli", "train", "mnist-mlp", "--limit", "2000",
                             "--epochs", "1", "--distributed", "--no-progress", "--out", "run"],
                            tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("test accuracy") == 1 and done.stdout.count("epoch 1/1") == 1
    results = json.loads((tmp_path / "run" / "results.json").read_text())
    assert results["ranks"] == 2 and results["test_accuracy"] > 0.8
    model = tinydl.zoo.recipe("mnist-mlp").build()
    assert load_checkpoint(tmp_path / "run" / "model.npz", model)["epoch"] == 0


@needs_mpi
def test_tinydl_train_distributed_refuses_a_batch_that_does_not_divide(tmp_path) -> None:
    done = run_on_two_ranks(["-m", "tinydl.cli", "train", "mnist-mlp", "--limit", "100",
                             "--batch-size", "3", "--distributed", "--no-progress"], tmp_path)
    assert done.returncode != 0
    assert ("--distributed: the batch size 3 does not divide among 2 ranks; give --batch-size "
            "a multiple of 2") in done.stderr


@needs_mpi
def test_the_ddp_example_trains_on_two_ranks(tmp_path) -> None:
    done = run_on_two_ranks([str(REPOSITORY / "examples" / "ddp_mnist.py"), "--data",
                             str(mnist_folder()), "--train-subset", "4096"], tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    summary = re.search(r"2 ranks: test accuracy (\S+),.*replicas identical: True", done.stdout)
    assert summary is not None, done.stdout
    assert float(summary.group(1)) > 0.5  # 16 steps of 256 images; chance is 0.1
    state = tinydl.load(tmp_path / "ddp_mnist.pt")
    assert sorted(state) == ["conv1.bias", "conv1.weight", "conv2.bias", "conv2.weight",
                             "fc1.bias", "fc1.weight", "fc2.bias", "fc2.weight"]


# ---- the PyTorch-style program of tests/clients, on two ranks -------------------------------
@needs_mpi
def test_the_pytorch_style_ddp_program_runs_on_two_ranks_and_resumes_in_one(tmp_path) -> None:
    program = str(HERE / "clients" / "pytorch" / "ddp_mnist.py")
    two = run_on_two_ranks([program, "--total_epochs", "2", "--count", "512"], tmp_path)
    assert two.returncode == 0, two.stdout + two.stderr
    assert "replicas identical: True" in two.stdout
    assert two.stdout.count("| loss") == 2  # rank 0 alone prints, once per epoch
    assert "steps 8 on each of 2 processes" in two.stdout  # 512 images, 2 x 32 a step
    environment = {**os.environ, "PYTHONPATH": str(REPOSITORY), "TINYDL_DATA": str(mnist_folder())}
    one = subprocess.run([sys.executable, program, "--total_epochs", "3", "--count", "512"],
                         cwd=tmp_path, env=environment, capture_output=True, text=True,
                         timeout=180)
    assert one.returncode == 0, one.stdout + one.stderr
    assert "Resuming training from snapshot at epoch 2" in one.stdout  # the 2 ranks' snapshot
    assert "Epoch 2 | loss" in one.stdout and "Epoch 1 | loss" not in one.stdout


# ---- faults --------------------------------------------------------------------------------------
FAULTS = {  # rank 1's fault: what stderr must say, and how soon every rank must have ended
    "raise": (["ValueError: rank 1 cannot go on",
               "rank 1 of 2 stopped with ValueError; ending every rank (MPI_Abort)"], 30),
    "die": ([], 30),  # os._exit: mpiexec sees it and ends rank 0
    "leave": (["DistributedTimeout: tinydl.distributed: all_reduce on rank 0 waited 3 s for "
               "the other ranks and gave up"], 40),  # rank 0's timeout is 3 s
}


@needs_mpi
@pytest.mark.parametrize("fault", FAULTS)
def test_a_rank_that_goes_wrong_ends_every_rank_soon(fault) -> None:
    run, seconds = launch("faults.py", fault, timeout=60)
    said, within = FAULTS[fault]
    assert run.returncode != 0
    for words in said:
        assert words in run.stderr
    assert "finished" not in run.stdout  # rank 0 never got past its all-reduce
    assert seconds < within


@needs_mpi
def test_a_rank_waiting_for_a_late_one_sleeps_instead_of_spinning() -> None:
    run, _ = launch("faults.py", "late", timeout=60)
    assert run.returncode == 0, run.stdout + run.stderr
    waited = re.search(r"rank 0 used (\S+) s of CPU waiting", run.stdout)
    assert waited is not None, run.stdout
    # 2 s of waiting: MPICH's blocking MPI_Allreduce spent 1.84 s of CPU on it here, polling
    # it with sleeps 0.03 s.
    assert float(waited.group(1)) < 1.0


# ---- without a process group ---------------------------------------------------------------------
def test_wait_for_gives_up_at_its_deadline() -> None:
    started = time.monotonic()
    with pytest.raises(DistributedTimeout, match="barrier on rank 3 waited 0.2 s"):
        wait_for(lambda: False, "barrier", 0.2, 3)
    assert 0.2 <= time.monotonic() - started < 5
    calls = []
    wait_for(lambda: calls.append(1) or len(calls) == 3, "barrier", 5, 0)
    assert len(calls) == 3


def test_work_finishes_once_and_gives_up_on_timeout() -> None:
    finished, abandoned = [], []
    work = Work(lambda: True, lambda: finished.append(1), "all_reduce", 1.0, 0)
    assert not work.is_completed()
    assert work.wait() and work.wait() and work.is_completed() and finished == [1]
    stuck = Work(lambda: False, lambda: None, "broadcast", 1.0, 0,
                 give_up=lambda: abandoned.append(1))
    with pytest.raises(DistributedTimeout):
        stuck.wait(timeout=0.05)
    assert abandoned == [1]


def test_backward_runs_queued_callbacks_once_every_gradient_is_complete() -> None:
    weight = tinydl.tensor([2.0, 3.0], requires_grad=True)
    seen = []

    class Marked(autograd.Function):
        def forward(self, x):
            return x

        def backward(self, gy):
            autograd.function.queue_callback(lambda: seen.append(weight.grad.tolist()))
            return gy

    loss = (Marked()(weight * weight) + weight).sum()  # weight reached by two paths
    loss.backward()
    assert seen == [[5.0, 7.0]]  # 2w + 1: both paths were in when the callback ran


def test_a_backward_that_raises_leaves_no_callback_behind() -> None:
    class Failing(autograd.Function):
        def forward(self, x):
            return x

        def backward(self, gy):
            autograd.function.queue_callback(lambda: pytest.fail("a stale callback ran"))
            raise RuntimeError("backward failed")

    x = tinydl.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="backward failed"):
        Failing()(x).sum().backward()
    (x * 2).sum().backward()  # runs no stale callback


def test_reduce_ops_and_probes() -> None:
    assert repr(ReduceOp.SUM) == "ReduceOp.SUM"
    assert tinydl.distributed.is_available() and not tinydl.distributed.is_initialized()
    assert tinydl.distributed.is_gloo_available() == tinydl.distributed.is_mpi_available()
    assert not tinydl.distributed.is_nccl_available() or tinydl.cuda.is_available()
    with pytest.raises(DistributedError, match="has not been initialised"):
        tinydl.distributed.get_rank()


# ---- DistributedSampler: PyTorch's partition, index for index ------------------------------------
def test_torch_randperm_is_pytorchs() -> None:
    torch = pytest.importorskip("torch")
    for n, seed in [(1, 0), (2, 5), (10, 0), (1000, 123), (60000, 42), (7, -5), (5, 2**32 + 3)]:
        generator = torch.Generator()
        generator.manual_seed(seed)
        assert torch_randperm(n, seed) == torch.randperm(n, generator=generator).tolist()


SAMPLER_CASES = cases.SAMPLER_CASES


def sampler_indices(*case) -> list[list[int]]:
    shares = cases.sampler_shares(DistributedSampler, *case)
    sampler = DistributedSampler(range(case[0]), num_replicas=case[1], rank=0,
                                 shuffle=case[2], seed=case[3], drop_last=case[5])
    assert all(len(share) == len(sampler) for share in shares)
    return shares


def test_distributed_sampler_matches_pytorchs_stored_partitions() -> None:
    stored = json.loads(REFERENCE.read_text())  # tests/reference/make_distributed_sampler.py
    assert len(stored) == len(SAMPLER_CASES)
    for case, expected in zip(SAMPLER_CASES, stored, strict=True):
        assert expected["case"] == list(case)
        assert sampler_indices(*case) == expected["shares"], case


def test_distributed_sampler_matches_pytorchs_directly() -> None:
    pytest.importorskip("torch")
    from torch.utils.data.distributed import DistributedSampler as TorchSampler

    for case in SAMPLER_CASES:
        assert sampler_indices(*case) == cases.sampler_shares(TorchSampler, *case), case


def test_the_shares_cover_the_dataset_and_change_with_the_epoch() -> None:
    shares = sampler_indices(1000, 4, True, 0, 0, False)
    assert sorted(sum(shares, [])) == list(range(1000))
    assert sampler_indices(1000, 4, True, 0, 1, False) != shares
    padded = sampler_indices(10, 4, False, 0, 0, False)
    assert padded == [[0, 4, 8], [1, 5, 9], [2, 6, 0], [3, 7, 1]]  # the first ones repeated


def test_a_dataloader_takes_the_sampler() -> None:
    x, y = np.arange(10, dtype=np.float32)[:, None], np.arange(10)
    sampler = DistributedSampler(range(10), num_replicas=2, rank=1, shuffle=False)
    loader = tinydl.data.DataLoader(x, y, batch_size=2, sampler=sampler)
    assert [batch_y.tolist() for _, batch_y in loader] == [[1, 3], [5, 7], [9]]
