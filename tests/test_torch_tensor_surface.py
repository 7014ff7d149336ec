"""PyTorch's Tensor- and function-level surface on tinydl (issue 21): the calls learners'
programs make on their first lines, as PyTorch documents them.

Values and gradients come from ``reference/tensor_surface.npz`` (PyTorch, float64, made by
``reference/make_tensor_surface.py`` from the same lines in ``tensor_surface_cases.py``);
the new ops' gradchecks are rows of ``test_ops_gradcheck.CASES``. The rest pins behaviour
PyTorch documents: device probes, ``to()``'s forms, mixed precision as a no-op, Python
protocols, the graph view, hand-written updates through ``.data``.
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest
from conftest import DEVICES, load_reference, make
from tensor_surface_cases import CASES, as_outputs, make_inputs

import tinydl
from tinydl import nn, optim
from tinydl.autograd.function import AccumulateGrad


@pytest.fixture(scope="module")
def reference() -> dict[str, np.ndarray]:
    return load_reference("tensor_surface")


# ---- values and gradients against PyTorch ------------------------------------------------
@pytest.mark.parametrize("case", sorted(CASES))
def test_matches_pytorch(case: str, device: str, reference: dict[str, np.ndarray]) -> None:
    check_case(case, CASES, reference, device)


def check_case(case: str, cases: dict, reference: dict[str, np.ndarray], device: str) -> None:
    """Run ``case`` of ``cases`` with tinydl on ``device`` and compare its outputs, their
    dtypes and the inputs' gradients with what PyTorch stored in ``reference``."""
    expected = {k.removeprefix(f"{case}."): v for k, v in reference.items()
                if k.startswith(f"{case}.")}
    inputs = [make(values, device) for values in make_inputs(case, cases)]
    for i, values in enumerate(make_inputs(case, cases)):
        np.testing.assert_array_equal(values, expected[f"x{i}"])  # the same inputs
    outputs = as_outputs(cases[case][0](tinydl, *inputs))
    assert len(outputs) == sum(k.startswith("out") for k in expected)
    loss = None
    for i, out in enumerate(outputs):
        assert str(out.dtype) == str(expected[f"dtype{i}"]), f"output {i}"
        assert out.device == device
        np.testing.assert_allclose(out.numpy(), expected[f"out{i}"], rtol=1e-10, atol=1e-12)
        if f"gy{i}" in expected:
            assert out.requires_grad
            gy = tinydl.tensor(expected[f"gy{i}"], dtype="float64", device=device)
            with np.errstate(invalid="ignore"):  # -inf * gy adds up to NaN; only grads count
                term = (out * gy).sum()
            loss = term if loss is None else loss + term
        else:
            assert not out.requires_grad, f"output {i} is not differentiable in PyTorch"
    if loss is None:
        return
    loss.backward()
    for i, x in enumerate(inputs):
        got = np.zeros(x.shape) if x.grad is None else x.grad.numpy()
        np.testing.assert_allclose(got, expected[f"g{i}"], rtol=1e-10, atol=1e-12)


def test_transpose_of_a_matrix_swaps_its_two_dimensions() -> None:
    x = tinydl.tensor([[1, 2, 3], [4, 5, 6]])
    np.testing.assert_array_equal(x.transpose(0, 1).numpy(), [[1, 4], [2, 5], [3, 6]])
    np.testing.assert_array_equal(tinydl.transpose(x, 1, 0).numpy(), x.numpy().T)
    assert x.transpose(0, 1).shape == x.t().shape == x.T.shape == (3, 2)


@pytest.mark.parametrize(
    ("call", "shown"),
    [
        (lambda x: x.transpose(1, 0, 2), "transpose(1, 0, 2)"),
        (lambda x: x.transpose((1, 0, 2)), "transpose((1, 0, 2))"),
        (lambda x: x.transpose(), "transpose()"),
        (lambda x: tinydl.transpose(x, 2, 1, 0), "transpose(2, 1, 0)"),
        (lambda x: tinydl.transpose(x), "transpose()"),
    ],
)
def test_numpy_permutation_form_of_transpose_is_refused_naming_permute(call, shown) -> None:
    x = tinydl.zeros(2, 3, 4)
    with pytest.raises(TypeError, match=re.escape(shown) + ".*swaps two axes.*permute"):
        call(x)


def test_x_T_reverses_every_axis() -> None:
    assert tinydl.zeros(2, 3, 4).T.shape == (4, 3, 2)


# ---- device probes ---------------------------------------------------------------------
def test_device_probes_answer_truthfully_without_a_gpu() -> None:
    gpu = "cuda" in DEVICES
    assert tinydl.cuda.is_available() is gpu
    assert (tinydl.cuda.device_count() > 0) is gpu
    assert tinydl.accelerator.is_available() is gpu
    assert tinydl.accelerator.device_count() == tinydl.cuda.device_count()
    assert tinydl.cuda.is_bf16_supported() is False
    assert tinydl.backends.mps.is_available() is False and tinydl.backends.mps.is_built() is False
    assert tinydl.backends.cudnn.is_available() is False
    if gpu:
        assert tinydl.accelerator.current_accelerator().type == "cuda"
        assert tinydl.cuda.current_device() == 0
        tinydl.cuda.synchronize()
        assert tinydl.cuda.get_device_name()
    else:
        assert tinydl.accelerator.current_accelerator() is None
        for call in (tinydl.cuda.current_device, tinydl.cuda.synchronize,
                     tinydl.cuda.get_device_name):
            with pytest.raises(tinydl.DeviceError, match="needs a CUDA GPU"):
                call()


def test_the_quickstart_device_line_runs() -> None:
    device = (tinydl.accelerator.current_accelerator().type
              if tinydl.accelerator.is_available() else "cpu")
    model = nn.Sequential(nn.Flatten(), nn.Linear(4, 2)).to(device)
    x = tinydl.ones(3, 2, 2).to(device)
    assert model(x).device == device


def test_switches_are_accepted_settings() -> None:
    cudnn, matmul = tinydl.backends.cudnn, tinydl.backends.cuda.matmul
    before = (cudnn.benchmark, cudnn.deterministic, cudnn.allow_tf32, matmul.allow_tf32)
    try:
        cudnn.benchmark = True
        cudnn.deterministic = True
        cudnn.allow_tf32 = True
        matmul.allow_tf32 = True
        assert cudnn.benchmark and matmul.allow_tf32
    finally:
        cudnn.benchmark, cudnn.deterministic, cudnn.allow_tf32, matmul.allow_tf32 = before
    import tinydl.backends.cudnn as imported  # pytorch/examples' `import torch.backends.cudnn`

    assert imported is cudnn


def test_cuda_seeding_is_checked_and_tinydl_manual_seed_seeds_every_device() -> None:
    tinydl.manual_seed(3)
    first = tinydl.randn(4).numpy()
    tinydl.manual_seed(3)
    tinydl.cuda.manual_seed(3)
    tinydl.cuda.manual_seed_all(3)
    np.testing.assert_array_equal(tinydl.randn(4).numpy(), first)
    with pytest.raises(ValueError, match=r"manual_seed_all\(\): seed must be an integer >= 0"):
        tinydl.cuda.manual_seed_all(-1)


def test_device_takes_an_index_and_has_a_type() -> None:
    assert tinydl.device("cuda", 1) == "cuda:1"
    assert tinydl.device(0) == "cuda:0"
    assert tinydl.device("cpu").type == "cpu" and tinydl.device("cuda:2").type == "cuda"
    assert tinydl.zeros(2).device.type == "cpu"
    assert not tinydl.zeros(2).is_cuda


# ---- to(), cuda(), cpu(), type() -------------------------------------------------------
def test_to_takes_pytorchs_forms(device: str) -> None:
    x = tinydl.tensor([1.5, 2.5], device=device)
    assert x.to(device) is x and x.to(tinydl.float32) is x and x.to(x) is x
    assert x.to(tinydl.float64).dtype == np.float64
    assert x.to(dtype=tinydl.float64, device=device).dtype == np.float64
    moved = x.to("cpu", tinydl.float64, non_blocking=True)
    assert moved.device == "cpu" and moved.dtype == np.float64
    other = tinydl.tensor([1, 2], device=device)
    assert x.to(other).dtype == np.int64 and x.to(other).device == device
    assert x.to(device, copy=True) is not x
    assert x.cpu().device == "cpu"
    assert x.to(np.float16).dtype == np.float16


def test_to_carries_gradients_back(device: str) -> None:
    x = make([1.0, 2.0], device)
    (x.to("cpu", tinydl.float32) * 3).sum().backward()
    assert x.grad.dtype == np.float64 and x.grad.device == device
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 3.0])


def test_casts_and_type_names() -> None:
    x = tinydl.tensor([1.7, -2.2])
    assert x.type() == "torch.FloatTensor"
    assert x.long().type() == "torch.LongTensor"
    assert x.type(tinydl.float64).dtype == np.float64
    assert x.type("torch.LongTensor").tolist() == [1, -2]
    assert x.half().dtype == np.float16 and x.int().dtype == np.int32
    assert x.bool().dtype == np.bool_ and x.double().dtype == np.float64
    labels = tinydl.tensor([0, 1])
    assert (x.argmax() == labels).type(tinydl.float).sum().item() == 1.0  # the quickstart


def test_module_to_takes_the_same_forms(device: str) -> None:
    model = nn.Linear(3, 2)
    assert model.to(device) is model and model.weight.device == device
    model.to(tinydl.float64)
    assert model.weight.dtype == np.float64 and model.bias.dtype == np.float64
    model.to("cpu", tinydl.float32)
    assert model.weight.device == "cpu" and model.weight.dtype == np.float32
    model.to(tinydl.zeros(1, dtype="float64", device=device), non_blocking=True)
    assert model.weight.device == device and model.weight.dtype == np.float64
    assert model.cpu().weight.device == "cpu"
    with pytest.raises(TypeError, match="floating-point dtypes only"):
        model.to(tinydl.int64)


# ---- mixed precision: accepted, and nothing changes -------------------------------------
def test_autocast_and_gradscaler_leave_training_unchanged() -> None:
    """nanoGPT's training step, with its mixed-precision lines, equals the plain step."""
    def losses(mixed: bool) -> list[float]:
        tinydl.manual_seed(0)
        model = nn.Linear(4, 1)
        optimizer = optim.SGD(model.parameters(), lr=0.1)
        ptdtype = {"float32": tinydl.float32, "bfloat16": tinydl.bfloat16,
                   "float16": tinydl.float16}["bfloat16"]
        ctx = tinydl.amp.autocast(device_type="cuda", dtype=ptdtype)
        scaler = tinydl.cuda.amp.GradScaler(enabled=True)
        x, y = tinydl.ones(8, 4), tinydl.zeros(8, 1)
        seen = []
        for _ in range(3):
            if mixed:
                with ctx:
                    loss = ((model(x) - y) ** 2).mean()
                scaler.scale(loss).backward()
                scaler.unscale_(optimizer)
                scaler.step(optimizer)
                scaler.update()
            else:
                loss = ((model(x) - y) ** 2).mean()
                loss.backward()
                optimizer.step()
            optimizer.zero_grad()
            seen.append(loss.item())
            assert loss.dtype == np.float32
        return seen

    assert losses(mixed=True) == losses(mixed=False)


def test_autocast_spellings_and_scaler_state() -> None:
    with tinydl.autocast("cpu"), tinydl.cuda.amp.autocast(), tinydl.amp.autocast("cuda",
                                                                                 enabled=False):
        assert (tinydl.ones(2) @ tinydl.ones(2)).dtype == np.float32

    @tinydl.amp.autocast("cuda", dtype=tinydl.float16)
    def forward(x):
        return x * 2

    assert forward(tinydl.ones(2)).dtype == np.float32
    scaler = tinydl.amp.GradScaler("cuda")
    assert scaler.get_scale() == 1.0 and scaler.is_enabled() is False
    assert scaler.state_dict() == {}
    scaler.load_state_dict({})


# ---- dtype names -----------------------------------------------------------------------
def test_every_pytorch_dtype_name_exists() -> None:
    torch = pytest.importorskip("torch")
    names = [n for n in dir(torch) if isinstance(getattr(torch, n), torch.dtype)]
    assert names and [n for n in names if not hasattr(tinydl, n)] == []


@pytest.mark.parametrize(
    "make_one",
    [
        lambda: tinydl.tensor([1.0], dtype=tinydl.bfloat16),
        lambda: tinydl.zeros(2, dtype=tinydl.bfloat16),
        lambda: tinydl.ones(2).to(tinydl.bfloat16),
        lambda: tinydl.ones(2).bfloat16(),
        lambda: tinydl.ones(2).astype(tinydl.bfloat16),
    ],
)
def test_bfloat16_is_refused_saying_what_to_use(make_one) -> None:
    with pytest.raises(TypeError, match="no bfloat16 tensors.*float32 \\(the default\\) or "
                                        "float16"):
        make_one()


def test_dtypes_numpy_can_hold_are_real() -> None:
    assert tinydl.zeros(2, dtype=tinydl.complex64).dtype == np.complex64
    assert tinydl.tensor([1], dtype=tinydl.uint16).dtype == np.uint16
    assert tinydl.cdouble == np.complex128 and tinydl.cfloat == np.complex64


# ---- functions -------------------------------------------------------------------------
def test_from_numpy_shares_memory_as_in_the_tensor_tutorial() -> None:
    n = np.ones(5)
    t = tinydl.from_numpy(n)
    np.add(n, 1, out=n)
    assert t.tolist() == [2.0] * 5 and t.dtype == np.float64
    t.add_(1)
    assert n.tolist() == [3.0] * 5
    ones = tinydl.ones(5)
    array = ones.numpy()
    ones.add_(1)
    assert array.tolist() == [2.0] * 5  # t.numpy() shares too


def test_as_tensor_shares_when_it_can() -> None:
    n = np.zeros(3, dtype=np.float32)
    assert tinydl.as_tensor(n).array is n
    assert tinydl.as_tensor(n, dtype=tinydl.float64).dtype == np.float64
    assert tinydl.as_tensor([1, 2]).tolist() == [1, 2]


def test_small_functions() -> None:
    x = tinydl.zeros(2, 3)
    assert tinydl.numel(x) == 6 and x.dim() == 2
    assert tinydl.is_tensor(x) and tinydl.is_tensor(nn.Linear(1, 1).weight)
    assert not tinydl.is_tensor(np.zeros(2))


def test_out_argument_writes_into_the_given_tensor() -> None:
    tensor = tinydl.tensor([[1.0, 2.0], [3.0, 4.0]])
    y3 = tinydl.rand_like(tensor)
    assert tinydl.matmul(tensor, tensor.T, out=y3) is y3
    np.testing.assert_allclose(y3.numpy(), tensor.numpy() @ tensor.numpy().T)
    z3 = tinydl.rand_like(tensor)
    tinydl.mul(tensor, tensor, out=z3)
    np.testing.assert_allclose(z3.numpy(), tensor.numpy() ** 2)
    with pytest.raises(RuntimeError, match="cannot change a tensor in place"):
        tinydl.add(tinydl.ones(2, requires_grad=True), 1.0, out=tinydl.zeros(2))


def test_multinomial_draws_from_the_seeded_generator(device: str) -> None:
    probs = tinydl.tensor([[0.0, 0.2, 0.8], [1.0, 0.0, 0.0]], device=device)
    tinydl.manual_seed(7)
    first = tinydl.multinomial(probs, num_samples=1)
    tinydl.manual_seed(7)
    assert first.tolist() == tinydl.multinomial(probs, 1).tolist()
    assert first.shape == (2, 1) and first.dtype == np.int64 and first.device == device
    assert first[1, 0].item() == 0 and first[0, 0].item() != 0  # never a weight of 0
    draws = tinydl.multinomial(tinydl.tensor([1.0, 3.0]), 4000, replacement=True).numpy()
    assert abs((draws == 1).mean() - 0.75) < 0.03  # weights need not add up to 1
    without = tinydl.multinomial(tinydl.tensor([1.0, 1.0, 1.0]), 3).numpy()
    assert sorted(without.tolist()) == [0, 1, 2]


def test_normal_as_d2l_draws_its_data() -> None:
    tinydl.manual_seed(0)
    x = tinydl.normal(0, 1, (2000, 2))
    assert x.shape == (2000, 2) and x.dtype == np.float32
    assert abs(x.mean().item()) < 0.1 and abs(x.std().item() - 1) < 0.1
    y = tinydl.normal(tinydl.full((3,), 10.0), 0.0)
    assert y.tolist() == [10.0, 10.0, 10.0]


def test_set_grad_enabled_and_inference_mode() -> None:
    w = tinydl.ones(2, requires_grad=True)
    with tinydl.set_grad_enabled(False):
        assert not (w * 2).requires_grad
    assert (w * 2).requires_grad
    tinydl.set_grad_enabled(False)  # switches at once, as a call
    try:
        assert not tinydl.is_grad_enabled()
    finally:
        tinydl.set_grad_enabled(True)
    with tinydl.inference_mode():
        assert not (w * 2).requires_grad
    with tinydl.inference_mode(False):
        assert (w * 2).requires_grad

    @tinydl.inference_mode()
    def predict(x):
        return x * 2

    @tinydl.no_grad
    def bare(x):
        return x * 2

    @tinydl.set_grad_enabled(False)
    def off(x):
        return x * 2

    assert tinydl.is_grad_enabled()
    assert not predict(w).requires_grad and not bare(w).requires_grad
    assert not off(w).requires_grad and tinydl.is_grad_enabled()


def test_compile_returns_the_model_with_a_note() -> None:
    model = nn.Linear(2, 2)
    with pytest.warns(UserWarning, match="returns the model unchanged"):
        assert tinydl.compile(model) is model
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")

        @tinydl.compile(mode="max-autotune")
        def double(x):
            return x * 2

    assert double(3) == 6


# ---- Python protocols --------------------------------------------------------------------
def test_format_a_loss_as_pytorch_does() -> None:
    loss = tinydl.tensor(0.123456)
    assert f"{loss:.4f}" == "0.1235" and f"{loss:>8f}" == "0.123456"
    assert f"{tinydl.tensor(3):d}" == "3"
    with pytest.raises(TypeError, match="only 0-d tensors format as a number"):
        f"{tinydl.tensor([0.5]):.2f}"  # PyTorch refuses a 1-element 1-D tensor too
    assert f"{tinydl.tensor([1, 2])}" == str(tinydl.tensor([1, 2]))


def test_index_iter_and_contains() -> None:
    classes = ("plane", "car", "bird")
    pred = tinydl.tensor([[0.1, 0.7, 0.2]])
    assert classes[pred.argmax()] == "car" and classes[pred[0].argmax(0)] == "car"
    with pytest.raises(TypeError, match="only integer tensors of a single element"):
        classes[tinydl.tensor(1.0)]
    labels, predictions = tinydl.tensor([0, 2, 1]), tinydl.tensor([0, 1, 1])
    correct = [classes[label] for label, p in zip(labels, predictions, strict=True)
               if label == p]
    assert correct == ["plane", "car"]
    assert [row.tolist() for row in tinydl.tensor([[1, 2], [3, 4]])] == [[1, 2], [3, 4]]
    with pytest.raises(TypeError, match="iteration over a 0-d tensor"):
        iter(tinydl.tensor(1.0))
    assert 2 in tinydl.tensor([1, 2]) and 5 not in tinydl.tensor([1, 2])
    with pytest.raises(TypeError, match="looks for a number or a tensor"):
        "a" in tinydl.tensor([1, 2])  # noqa: B015


def test_floor_division_is_refused_in_a_graph() -> None:
    x = tinydl.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="a // b is not differentiable"):
        x // 2
    with tinydl.no_grad():
        assert (x // 2).tolist() == [0.0, 0.0] and (7 % tinydl.tensor([4])).tolist() == [3]


def test_legacy_tensor_constructor_never_reinterprets_a_size() -> None:
    assert tinydl.Tensor([1, 2]).dtype == np.float32  # torch.Tensor(list) makes floats
    with pytest.raises(TypeError, match="tinydl.empty\\(3, 4\\)"):
        tinydl.Tensor(3, 4)
    with pytest.raises(TypeError, match="tinydl.empty\\(3\\)"):
        tinydl.Tensor(3)


# ---- the graph, as the 60-minute blitz prints it ---------------------------------------
def test_grad_fn_and_next_functions_show_the_graph() -> None:
    x = tinydl.ones(2, 2, requires_grad=True)
    y = x + 2
    z = (y * y * 3).mean()
    assert x.grad_fn is None and y.grad_fn.name() == "AddBackward"
    assert repr(y.grad_fn) == "<AddBackward (tinydl.ops.arithmetic.Add)>"
    assert z.grad_fn.name() == "MeanBackward"
    (mul, _), = z.grad_fn.next_functions
    assert mul.name() == "MulBackward"
    first, constant = mul.next_functions
    assert constant == (None, 0) and first[0].name() == "MulBackward"
    leaf = y.grad_fn.next_functions[0][0]
    assert isinstance(leaf, AccumulateGrad) and leaf.variable is x and leaf.name() == \
        "AccumulateGrad"
    assert leaf.next_functions == ()
    z.backward()
    with pytest.raises(RuntimeError, match="freed by backward\\(\\)"):
        z.grad_fn.next_functions  # noqa: B018


def test_retain_grad_keeps_a_non_leaf_gradient(device: str) -> None:
    x = make([1.0, 2.0], device)
    y = x * 3
    y.retain_grad()
    (y * y).sum().backward()
    np.testing.assert_array_equal(y.grad.numpy(), [6.0, 12.0])
    np.testing.assert_array_equal(x.grad.numpy(), [18.0, 36.0])
    with pytest.raises(RuntimeError, match="does not require grad"):
        tinydl.ones(2).retain_grad()


def test_backward_takes_pytorchs_gradient_keyword() -> None:
    a = tinydl.tensor([2.0, 3.0], requires_grad=True)
    b = tinydl.tensor([6.0, 4.0], requires_grad=True)
    q = 3 * a**3 - b**2
    q.backward(gradient=tinydl.tensor([1.0, 1.0]))
    assert (9 * a**2 == a.grad).all() and (-2 * b == b.grad).all()


# ---- .data and hand-written updates ----------------------------------------------------
def test_the_tutorials_hand_written_updates_all_work() -> None:
    lr = 0.1

    def fresh() -> tinydl.Tensor:
        w = tinydl.tensor([1.0, 2.0], requires_grad=True)
        (w * w).sum().backward()  # grad = 2w = [2, 4]
        return w

    w = fresh()
    w.data.sub_(lr * w.grad.data)  # neural networks tutorial
    np.testing.assert_allclose(w.numpy(), [0.8, 1.6])
    w = fresh()
    w.data.add_(w.grad, alpha=-lr)  # pytorch/examples' word language model
    np.testing.assert_allclose(w.numpy(), [0.8, 1.6])
    w = fresh()
    with tinydl.no_grad():  # "Learning PyTorch with Examples"
        w -= lr * w.grad
        w.grad.zero_()
    np.testing.assert_allclose(w.numpy(), [0.8, 1.6])
    assert w.grad.tolist() == [0.0, 0.0] and w.requires_grad and w.is_leaf
    w.grad = None
    with tinydl.no_grad():
        w.clamp_(min=1.0)
        w.uniform_(-0.1, 0.1)
    assert (w.abs() <= 0.1).all()
    with pytest.raises(RuntimeError, match="clamp_\\(\\) cannot change a tensor in place"):
        w.clamp_(0.0, 1.0)


def test_new_tensors_follow_the_tensor_they_come_from(device: str) -> None:
    x = tinydl.tensor([1.0], dtype="float64", device=device)
    for made in (x.new_zeros(2, 3), x.new_ones((2, 3)), x.new_empty(2, 3),
                 x.new_full((2, 3), 7.0)):
        assert made.shape == (2, 3) and made.dtype == np.float64 and made.device == device
    assert x.new_tensor([1, 2]).dtype == np.float64
    assert x.new_zeros(2, dtype=tinydl.long).dtype == np.int64
    assert x.new_full((1,), 7.0).item() == 7.0


# ---- nothing silent --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("get", "says"),
    [
        (lambda: tinydl.meshgrid, ("tinydl.meshgrid", "torch.meshgrid", "arange")),
        (lambda: tinydl.jit, ("tinydl.jit", "eagerly")),
        (lambda: tinydl.unique, ("tinydl.unique", "x.numpy()")),
        (lambda: tinydl.cuda.memory_allocated, ("torch.cuda.memory_allocated", "used_bytes")),
        (lambda: tinydl.ones(2).unbind, ("Tensor.unbind", "split")),
        (lambda: tinydl.no_such_name, ("'no_such_name'", "coming-from-pytorch")),
        (lambda: tinydl.ones(2).no_such_method, ("'no_such_method'", "coming-from-pytorch")),
    ],
)
def test_missing_names_say_what_to_use(get, says) -> None:
    with pytest.raises(AttributeError) as info:
        get()
    for words in says:
        assert words in str(info.value)


def test_missing_names_stay_attribute_errors_for_hasattr() -> None:
    assert not hasattr(tinydl, "meshgrid") and not hasattr(tinydl.ones(1), "__array_interface__")
    assert hasattr(tinydl, "cat") and hasattr(tinydl.ones(1), "topk")
