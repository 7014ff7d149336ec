"""The last of PyTorch's surface that the corpus of public learner programs needed (issue 21):
element-wise ``log1p``/``expm1``, the regression losses, ``flip``, ``where`` with numbers
or alone, ``nonzero``, ``bincount``, ``einsum``, adaptive average pooling, PyTorch-style
``autograd.Function`` subclasses, the legacy typed constructors and in-place forms,
``Generator`` and the samplers, ``Conv2d``/``ConvTranspose2d`` with PyTorch's
initialisation, torchvision's ResNets, and the import-time modules (``onnx``,
``serialization``, ``distributed``, ``xpu``, ``nn.modules``, ``utils.data.*``).

Values and gradients come from ``reference/torch_more.npz`` (PyTorch and torchvision,
float64, made by ``reference/make_torch_more.py`` from the lines of ``torch_more_cases.py``);
where a value cannot be stored (random initialisation, warnings, types), the test compares
with torch directly and skips without it. Bad inputs are in
``test_bad_inputs_torch_more.py``.
"""

from __future__ import annotations

import io
import math
import warnings
from itertools import islice

import numpy as np
import pytest
from conftest import load_reference, make
from test_torch_tensor_surface import check_case
from torch_more_cases import CASES, resnet_input
from torch_twins import formula_parameters

import tinydl
from tinydl import nn
from tinydl.nn import functional as F  # noqa: N812  (PyTorch's spelling)
from tinydl.utils import data


@pytest.fixture(scope="module")
def reference() -> dict[str, np.ndarray]:
    return load_reference("torch_more")


# ---- values and gradients against PyTorch ------------------------------------------------
@pytest.mark.parametrize("case", sorted(CASES))
def test_matches_pytorch(case: str, device: str, reference: dict[str, np.ndarray]) -> None:
    check_case(case, CASES, reference, device)


@pytest.mark.parametrize("name", ["l1_loss", "smooth_l1_loss", "huber_loss"])
def test_losses_match_pytorch_directly(name: str, rng: np.random.Generator) -> None:
    torch = pytest.importorskip("torch")
    x, t = rng.standard_normal((6, 5)) * 2, rng.standard_normal((6, 5))
    for option in ([{}] if name == "l1_loss" else
                   [{"beta" if name == "smooth_l1_loss" else "delta": v} for v in (0.1, 1, 3.5)]):
        for reduction in ("mean", "sum", "none"):
            ours = getattr(F, name)(make(x, "cpu"), make(t, "cpu"), reduction=reduction, **option)
            theirs = getattr(torch.nn.functional, name)(torch.tensor(x), torch.tensor(t),
                                                        reduction=reduction, **option)
            np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12, atol=1e-12)


def test_loss_modules_keep_float32_and_print_their_settings() -> None:
    x, t = tinydl.randn(4, 3), tinydl.randn(4, 3)
    for loss in (nn.L1Loss(), nn.SmoothL1Loss(beta=0.5), nn.HuberLoss(delta=2.0)):
        assert loss(x, t).dtype == np.float32
    assert repr(nn.SmoothL1Loss(beta=0.5)) == "SmoothL1Loss(beta=0.5)"
    assert repr(nn.HuberLoss(delta=2.0)) == "HuberLoss(delta=2.0)"


# ---- gradient checks (float64, every device) -----------------------------------------------
def away_from(values: np.ndarray, points: tuple[float, ...], gap: float = 0.1) -> np.ndarray:
    """``values`` moved so that none lies within ``gap`` of a kink at ``points``."""
    for point in points:
        close = np.abs(values - point) < gap
        values = np.where(close, point + np.copysign(gap, values - point + 1e-12), values)
    return values


GRADCHECKS = {
    "log1p": (lambda x: tinydl.log1p(x), lambda rng: [rng.uniform(-0.5, 2, (3, 4))]),
    "expm1": (lambda x: x.expm1(), lambda rng: [rng.standard_normal((3, 4))]),
    "l1_loss": (lambda x, t: F.l1_loss(x, t),
                lambda rng: [away_from(rng.standard_normal((3, 4)), (0,)), np.zeros((3, 4))]),
    "smooth_l1_loss": (
        lambda x, t: F.smooth_l1_loss(x, t, reduction="sum", beta=0.5),
        lambda rng: [away_from(rng.standard_normal((3, 4)) * 2, (-0.5, 0.5)), np.zeros((3, 4))],
    ),
    "huber_loss": (
        lambda x, t: F.huber_loss(x, t, reduction="none", delta=0.7) * 1.0,
        lambda rng: [away_from(rng.standard_normal((3, 4)) * 2, (-0.7, 0.7)), np.zeros((3, 4))],
    ),
    "flip": (lambda x: x.flip(0, 2) * tinydl.arange(4.0, dtype="float64", device=x.device),
             lambda rng: [rng.standard_normal((2, 3, 4))]),
    "where_number": (lambda x: tinydl.where(x > 0, x, 0.5),
                     lambda rng: [away_from(rng.standard_normal((3, 4)), (0,))]),
    "einsum": (lambda a, b: tinydl.einsum("bij,jk->bki", a, b),
               lambda rng: [rng.standard_normal((2, 3, 4)), rng.standard_normal((4, 2))]),
    "einsum_only_here": (lambda a, b: tinydl.einsum("ij,j->", a, b),
                         lambda rng: [rng.standard_normal((3, 4)), rng.standard_normal(4)]),
    "adaptive_avg_pool2d": (lambda x: F.adaptive_avg_pool2d(x, (2, 1)),
                            lambda rng: [rng.standard_normal((2, 3, 4, 6))]),
}


@pytest.mark.parametrize("name", sorted(GRADCHECKS))
def test_gradients(name: str, device: str, rng: np.random.Generator) -> None:
    function, inputs = GRADCHECKS[name]
    assert tinydl.gradcheck(function, [make(values, device) for values in inputs(rng)])


# ---- PyTorch-style autograd.Function --------------------------------------------------------
class LegendrePolynomial3(tinydl.autograd.Function):
    """pytorch/tutorials' polynomial_custom_function.py, as written there."""

    @staticmethod
    def forward(ctx, input):  # noqa: A002
        ctx.save_for_backward(input)
        return 0.5 * (5 * input**3 - 3 * input)

    @staticmethod
    def backward(ctx, grad_output):
        (input,) = ctx.saved_tensors  # noqa: A001
        return grad_output * 1.5 * (5 * input**2 - 1)


class ScaleBy(tinydl.autograd.Function):
    """Two tensors and a number in, PyTorch 2's setup_context form."""

    @staticmethod
    def forward(x, y, factor):
        return x * y * factor

    @staticmethod
    def setup_context(ctx, inputs, output):
        x, y, ctx.factor = inputs
        ctx.save_for_backward(x, y)
        ctx.seen = ctx.needs_input_grad

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        return grad * y * ctx.factor, grad * x * ctx.factor, None


def test_static_function_runs_the_tutorial_and_gradchecks(device: str, rng) -> None:
    x = make(rng.uniform(-1, 1, 7), device)
    y = LegendrePolynomial3.apply(x)
    np.testing.assert_allclose(y.numpy(), 0.5 * (5 * x.numpy() ** 3 - 3 * x.numpy()))
    assert y.grad_fn.name() == "LegendrePolynomial3Backward" and y.requires_grad
    assert tinydl.gradcheck(LegendrePolynomial3.apply, [x])
    a, b = make(rng.standard_normal(3), device), make(rng.standard_normal(3), device, False)
    assert tinydl.gradcheck(lambda a: ScaleBy.apply(a, b, 2.5), [a])
    a.grad = None  # gradcheck's own backward passes left theirs
    out = ScaleBy.apply(a, b, 2.5)
    out.sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), b.numpy() * 2.5)
    assert out.grad_fn is not None and b.grad is None


def test_static_function_context_and_modes() -> None:
    seen = {}

    class Peek(tinydl.autograd.Function):
        @staticmethod
        def forward(ctx, x, y, k):
            seen["needs"], seen["recording"] = ctx.needs_input_grad, tinydl.is_grad_enabled()
            return x + y

        @staticmethod
        def backward(ctx, grad):
            seen["backward_recording"] = tinydl.is_grad_enabled()
            return grad, None, None

    x, y = tinydl.ones(2, requires_grad=True), tinydl.ones(2)
    Peek.apply(x, y, 3).sum().backward()
    assert seen == {"needs": (True, False, False), "recording": False,
                    "backward_recording": False}
    with tinydl.no_grad():
        assert not Peek.apply(x, y, 3).requires_grad
    assert seen["needs"] == (False, False, False)


def test_tinydl_functions_also_have_apply() -> None:
    from tinydl.ops.elementwise import Exp

    x = tinydl.tensor([0.0, 1.0], requires_grad=True)
    np.testing.assert_allclose(Exp.apply(x).numpy(), np.exp([0.0, 1.0]), rtol=1e-6)


def test_static_function_matches_pytorch_directly() -> None:
    torch = pytest.importorskip("torch")

    def legendre(lib):
        class P3(lib.autograd.Function):
            forward = staticmethod(LegendrePolynomial3.forward)
            backward = staticmethod(LegendrePolynomial3.backward)
        return P3

    values = np.linspace(-1, 1, 5)
    ours, theirs = tinydl.tensor(values, requires_grad=True), torch.tensor(values,
                                                                           requires_grad=True)
    (legendre(tinydl).apply(ours) ** 2).sum().backward()
    (legendre(torch).apply(theirs) ** 2).sum().backward()
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-12)


# ---- legacy constructors, in-place forms, probes -------------------------------------------
def test_legacy_constructors_read_their_arguments_as_pytorch() -> None:
    assert tinydl.LongTensor([3, 1, 2]).tolist() == [3, 1, 2]
    assert tinydl.LongTensor([3, 1, 2]).dtype == np.int64
    assert tinydl.FloatTensor((2, 3)).tolist() == [2.0, 3.0]  # a tuple is data
    assert tinydl.FloatTensor(2, 3).shape == (2, 3)  # ints are sizes
    assert tinydl.IntTensor(4).zero_().tolist() == [0, 0, 0, 0]
    assert tinydl.ByteTensor().shape == (0,) and tinydl.ByteTensor().dtype == np.uint8
    assert tinydl.LongTensor([1.7, -2.2]).tolist() == [1, -2]  # truncated, as in PyTorch
    x = tinydl.tensor([1.0, 2.0])
    assert tinydl.FloatTensor(x) is x
    assert isinstance(x, tinydl.FloatTensor) and not isinstance(x, tinydl.LongTensor)
    assert x.type(tinydl.LongTensor).dtype == np.int64
    assert x.long().type() == tinydl.LongTensor.legacy_name == "torch.LongTensor"


def test_legacy_constructors_match_pytorch_directly() -> None:
    torch = pytest.importorskip("torch")
    calls = [("LongTensor", ([3, 1, 2],)), ("FloatTensor", ((2, 3),)),
             ("DoubleTensor", ([[1, 2]],)), ("LongTensor", ([1.7, -2.2],)),
             ("BoolTensor", ([1, 0],)), ("ByteTensor", ([255, 3],)), ("IntTensor", (2, 3)),
             ("HalfTensor", ([0.5],)), ("CharTensor", ()), ("ShortTensor", ([7],))]
    for name, args in calls:
        ours, theirs = getattr(tinydl, name)(*args), getattr(torch, name)(*args)
        assert ours.shape == tuple(theirs.shape), name
        assert ours.dtype == np.dtype(str(theirs.dtype).removeprefix("torch.")), name
        if name != "IntTensor":  # PyTorch's sizes form leaves garbage; tinydl's holds zeros
            np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_deprecated_add_overload_warns_and_adds_as_pytorch() -> None:
    p, g = tinydl.zeros(3), tinydl.ones(3)
    with pytest.warns(UserWarning, match=r"overload of add_ is deprecated"):
        p.add_(-0.5, g)
    with pytest.warns(UserWarning, match=r"overload of sub_ is deprecated"):
        p.sub_(0.25, g)
    np.testing.assert_array_equal(p.numpy(), [-0.75, -0.75, -0.75])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p.add_(g, alpha=2)  # the current form does not warn
    np.testing.assert_array_equal(p.numpy(), [1.25, 1.25, 1.25])


def test_deprecated_add_overload_matches_pytorch_directly() -> None:
    torch = pytest.importorskip("torch")
    ours, theirs = tinydl.zeros(3), torch.zeros(3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours.add_(-0.1, tinydl.ones(3))
        theirs.add_(-0.1, torch.ones(3))
    np.testing.assert_allclose(ours.numpy(), theirs.numpy())


def test_unsqueeze_and_squeeze_in_place() -> None:
    target = tinydl.LongTensor([1, 2, 3])
    assert target.unsqueeze_(-1) is target and target.shape == (3, 1)
    assert target.squeeze_() is target and target.shape == (3,)


def test_probes_for_devices_tinydl_never_uses(device: str) -> None:
    x = tinydl.ones(2, device=device)
    assert not (x.is_xpu or x.is_mps or x.is_meta or x.is_sparse or x.is_quantized
                or x.is_nested or x.is_mkldnn)
    assert x.is_cpu == (device == "cpu") and not x.is_complex()
    assert tinydl.ones(1, dtype=tinydl.complex64).is_complex()
    assert tinydl.xpu.is_available() is False and tinydl.xpu.device_count() == 0
    assert x.nelement() == x.numel() == 2


def test_grad_assignment_keeps_the_fast_path_and_accepts_tensors() -> None:
    a = tinydl.ones(3, requires_grad=True)
    a.grad = tinydl.zeros(3, dtype="float64")  # another float dtype: the optimisers cast it
    a.grad = None
    (a * a).sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), [2, 2, 2])


# ---- Generator and samplers ------------------------------------------------------------------
def test_generator_is_seeded_apart_from_the_global_one() -> None:
    assert tinydl.Generator().initial_seed() == 67280421310721  # PyTorch's default
    g = tinydl.Generator()
    assert g.manual_seed(1337) is g and g.initial_seed() == 1337
    first = tinydl.randperm(10, generator=g).tolist()
    tinydl.manual_seed(0)
    tinydl.randn(5)  # draws from the global generator change nothing in g's stream
    g.manual_seed(1337)
    assert tinydl.randperm(10, generator=g).tolist() == first
    assert sorted(first) == list(range(10))
    g.manual_seed(3)
    draws = (tinydl.randint(0, 5, (4,), generator=g), tinydl.rand(3, generator=g),
             tinydl.randn(2, generator=g), tinydl.multinomial(tinydl.ones(4), 2, generator=g))
    g.manual_seed(3)
    again = (tinydl.randint(0, 5, (4,), generator=g), tinydl.rand(3, generator=g),
             tinydl.randn(2, generator=g), tinydl.multinomial(tinydl.ones(4), 2, generator=g))
    for one, two in zip(draws, again, strict=True):
        np.testing.assert_array_equal(one.numpy(), two.numpy())
    assert g.seed() == g.initial_seed()


def test_generator_default_seed_matches_pytorch_directly() -> None:
    torch = pytest.importorskip("torch")
    assert tinydl.Generator().initial_seed() == torch.Generator().initial_seed()


def test_samplers_give_pytorch_orders_of_indices() -> None:
    dataset = data.TensorDataset(np.arange(10.0), np.arange(10))
    assert list(data.SequentialSampler(dataset)) == list(range(10))
    g = tinydl.Generator().manual_seed(0)
    once = list(data.RandomSampler(dataset, generator=g))
    assert sorted(once) == list(range(10)) and len(data.RandomSampler(dataset)) == 10
    longer = list(data.RandomSampler(dataset, num_samples=25, generator=g))
    assert len(longer) == 25 and sorted(longer[:20]) == sorted(list(range(10)) * 2)
    forever = data.RandomSampler(dataset, replacement=True, num_samples=int(1e10))
    assert len(forever) == 10**10
    drawn = list(islice(forever, 1000))
    assert set(drawn) == set(range(10))  # 1000 draws with replacement hit every index
    subset = list(data.SubsetRandomSampler([7, 2, 5], generator=g))
    assert sorted(subset) == [2, 5, 7]
    weighted = list(data.WeightedRandomSampler([0, 1, 0, 3], 200, generator=g))
    assert set(weighted) == {1, 3} and weighted.count(3) > weighted.count(1)
    batches = list(data.BatchSampler(range(7), 3, drop_last=False))
    assert batches == [[0, 1, 2], [3, 4, 5], [6]]
    assert list(data.BatchSampler(range(7), 3, drop_last=True)) == [[0, 1, 2], [3, 4, 5]]
    assert len(data.BatchSampler(range(7), 3, drop_last=False)) == 3


def test_random_sampler_without_a_generator_follows_manual_seed() -> None:
    dataset = list(range(20))
    tinydl.manual_seed(5)
    first = list(data.RandomSampler(dataset))
    tinydl.manual_seed(5)
    assert list(data.RandomSampler(dataset)) == first


def test_dataloader_takes_a_sampler_a_batch_sampler_or_a_generator() -> None:
    x, y = np.arange(10.0).reshape(10, 1), np.arange(10)
    dataset = data.TensorDataset(x, y)
    loader = data.DataLoader(dataset, sampler=data.SubsetRandomSampler([1, 3, 5, 7, 9]),
                             batch_size=2)
    seen = [labels.tolist() for _, labels in loader]
    assert len(loader) == 3 and [len(b) for b in seen] == [2, 2, 1]
    assert sorted(sum(seen, [])) == [1, 3, 5, 7, 9]
    by_batches = data.DataLoader(dataset, batch_sampler=[[0, 1, 2], [9]])
    assert [labels.tolist() for _, labels in by_batches] == [[0, 1, 2], [9]]
    assert by_batches.batch_size is None and len(by_batches) == 2
    orders = []
    for _ in range(2):
        g = tinydl.Generator().manual_seed(11)
        orders.append([labels.tolist() for _, labels in
                       data.DataLoader(dataset, batch_size=4, shuffle=True, generator=g)])
    assert orders[0] == orders[1] and sorted(sum(orders[0], [])) == list(range(10))
    plain = data.DataLoader(dataset, batch_size=4)  # the fast path, as before
    assert [labels.tolist() for _, labels in plain][0] == [0, 1, 2, 3] and len(plain) == 3


def test_dataloader_sampler_on_a_device_resident_dataset(device: str) -> None:
    loader = data.DataLoader(np.arange(6.0).reshape(6, 1), np.arange(6), device=device,
                             device_resident=True, sampler=[5, 0, 3], batch_size=2)
    batches = [(x.device, labels.tolist()) for x, labels in loader]
    assert batches == [(device, [5, 0]), (device, [3])]


def test_pytorch_module_paths_hold_the_same_objects() -> None:
    from tinydl.data.sampler import RandomSampler
    from tinydl.utils.data.dataloader import DataLoader
    from tinydl.utils.data.dataset import Dataset, Subset
    from tinydl.utils.data.sampler import BatchSampler

    assert DataLoader is tinydl.data.DataLoader and Dataset is tinydl.data.Dataset
    assert Subset is tinydl.data.Subset and data.RandomSampler is RandomSampler
    assert BatchSampler is data.BatchSampler
    modules = nn.modules
    assert modules.rnn.LSTM is nn.LSTM and modules.sparse.Embedding is nn.Embedding
    assert modules.linear.NonDynamicallyQuantizableLinear is nn.Linear
    assert modules.activation.MultiheadAttention is nn.MultiheadAttention
    assert modules.transformer.TransformerEncoderLayer is nn.TransformerEncoderLayer
    assert modules.container.ModuleList is nn.ModuleList and modules.module.Module is nn.Module
    assert modules.pooling.AdaptiveAvgPool2d is nn.AdaptiveAvgPool2d
    assert modules.loss.SmoothL1Loss is nn.SmoothL1Loss and modules.dropout.Dropout is nn.Dropout


# ---- the modules programs import at their top -----------------------------------------------
def test_serialization_allow_lists_leave_state_files_alone() -> None:
    """A state file needs no allow-list (it holds no pickle); a block's allowances end with
    it. The allow-lists at work: tests/test_whole_model_save.py."""
    state = {"w": tinydl.ones(2)}
    buffer = io.BytesIO()
    tinydl.save(state, buffer)
    buffer.seek(0)
    with tinydl.serialization.safe_globals([nn.Linear, nn.functional.relu]):
        assert tinydl.serialization.get_safe_globals() == [nn.Linear, nn.functional.relu]
        loaded = tinydl.load(buffer)
    np.testing.assert_array_equal(loaded["w"], [1, 1])
    assert tinydl.serialization.get_safe_globals() == []


def test_distributed_probes_answer_and_calls_need_a_process_group() -> None:
    from tinydl.distributed import destroy_process_group

    assert tinydl.distributed.is_available() and not tinydl.distributed.is_initialized()
    for call in (destroy_process_group, tinydl.distributed.get_rank,
                 tinydl.distributed.get_world_size):
        with pytest.raises(tinydl.distributed.DistributedError, match="init_process_group"):
            call()


def test_onnx_is_importable_and_export_is_refused() -> None:
    import tinydl.onnx

    assert tinydl.onnx.is_in_onnx_export() is False
    with pytest.raises(NotImplementedError, match="no ONNX exporter"):
        tinydl.onnx.export(nn.Linear(2, 2), (tinydl.ones(1, 2),), "model.onnx")


# ---- Conv2d and ConvTranspose2d start as PyTorch's ------------------------------------------
def uniform_bound(values: np.ndarray) -> float:
    """The bound b of U(-b, b) estimated from many draws: the largest |value|."""
    return float(np.abs(values).max())


@pytest.mark.parametrize(
    ("make_layer", "fan_in"),
    [(lambda: nn.Conv2d(40, 60, 3), 40 * 9), (lambda: nn.Conv2d(8, 300, (1, 5)), 8 * 5),
     (lambda: nn.ConvTranspose2d(40, 60, 3), 60 * 9),
     (lambda: nn.ConvTranspose2d(300, 7, 4, 2, 1), 7 * 16)],
)
def test_pytorch_named_convolutions_initialise_as_pytorch(make_layer, fan_in: int) -> None:
    tinydl.manual_seed(0)
    layer = make_layer()
    bound = 1 / math.sqrt(fan_in)
    weight, bias = layer.weight.numpy(), layer.bias.numpy()
    assert 0.99 * bound < uniform_bound(weight) <= bound
    assert uniform_bound(bias) <= bound and np.abs(bias).min() > 0  # not zeros
    np.testing.assert_allclose(weight.std(), bound / math.sqrt(3), rtol=0.05)  # uniform's std
    assert weight.dtype == np.float32


def test_keras_named_convolutions_keep_glorot_and_zero_bias() -> None:
    conv, transposed = nn.Conv2D(40, 60, 3), nn.ConvTranspose2D(40, 60, 3)
    for layer, (fan_in, fan_out) in ((conv, (360, 540)), (transposed, (540, 360))):
        assert 0.99 * math.sqrt(6 / (fan_in + fan_out)) < uniform_bound(layer.weight.numpy())
        assert not layer.bias.numpy().any()
    assert issubclass(nn.Conv2d, nn.Conv2D) and issubclass(nn.ConvTranspose2d, nn.ConvTranspose2D)


def test_pytorch_convolutions_bounds_match_pytorch_directly() -> None:
    torch = pytest.importorskip("torch")
    tinydl.manual_seed(0)
    torch.manual_seed(0)  # 256 biases each: their largest |value| lies within 5% of the bound
    for ours, theirs in ((nn.Conv2d(16, 256, 5), torch.nn.Conv2d(16, 256, 5)),
                         (nn.ConvTranspose2d(64, 256, 4), torch.nn.ConvTranspose2d(64, 256, 4))):
        for name in ("weight", "bias"):
            expected = uniform_bound(getattr(theirs, name).detach().numpy())
            np.testing.assert_allclose(uniform_bound(getattr(ours, name).numpy()), expected,
                                       rtol=0.05)
        assert repr(ours) == repr(theirs)


def test_conv2d_takes_pytorch_arguments() -> None:
    layer = nn.Conv2d(1, 4, 3, padding="same", bias=False, dtype=tinydl.float64)
    assert layer(tinydl.zeros(2, 1, 9, 9, dtype="float64")).shape == (2, 4, 9, 9)
    assert layer.bias is None and layer.weight.dtype == np.float64
    assert nn.Conv2d(1, 4, 3, 1, "valid", 1, 1, True, "zeros").padding == (0, 0)
    assert repr(nn.Conv2d(1, 4, 3, 2, 1, bias=False)) == (
        "Conv2d(1, 4, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), bias=False)"
    )
    transposed = nn.ConvTranspose2d(4, 2, 4, 2, 1, 0, 1, False)  # bias by position
    assert transposed.bias is None and transposed.weight.shape == (4, 2, 4, 4)


# ---- torchvision's ResNets --------------------------------------------------------------------
@pytest.mark.parametrize("name", ["resnet18", "resnet34"])
def test_resnet_names_shapes_and_sizes_are_torchvisions(name: str, reference) -> None:
    model = getattr(tinydl.vision.models, name)(num_classes=10)
    # tinydl's BatchNorm keeps no num_batches_tracked (see docs/coming-from-pytorch.md)
    expected = [(key, shape) for key, shape in zip(reference[f"{name}.names"],
                                                    reference[f"{name}.shapes"], strict=True)
                if not key.endswith("num_batches_tracked")]
    got = [(key, ",".join(map(str, value.shape))) for key, value in model.state_dict().items()]
    assert got == expected
    assert sum(p.numel() for p in model.parameters()) == int(reference[f"{name}.parameters"])
    full = getattr(tinydl.vision.models, name)(weights=None)
    assert sum(p.numel() for p in full.parameters()) == int(reference[f"{name}.parameters_1000"])


def test_resnet18_computes_what_torchvision_does(reference) -> None:
    model = tinydl.vision.models.resnet18(num_classes=10).double()
    model.load_state_dict(formula_parameters(model.named_parameters()), strict=False)
    x = tinydl.tensor(resnet_input(), dtype="float64")
    np.testing.assert_allclose(model(x).numpy(), reference["resnet18.logits_train"],
                               rtol=1e-9, atol=1e-10)
    np.testing.assert_allclose(model.bn1.running_mean.numpy(),
                               reference["resnet18.running_mean_bn1"], rtol=1e-9, atol=1e-12)
    model.eval()
    np.testing.assert_allclose(model(x).numpy(), reference["resnet18.logits_eval"],
                               rtol=1e-9, atol=1e-10)


def test_resnet_takes_the_siamese_programs_edits_and_backpropagates(rng) -> None:
    model = tinydl.vision.models.resnet18(weights=None)
    model.conv1 = nn.Conv2d(1, 64, kernel_size=(7, 7), stride=(2, 2), padding=(3, 3), bias=False)
    assert model.fc.in_features == 512
    trunk = nn.Sequential(*list(model.children())[:-1])
    features = trunk(tinydl.tensor(rng.standard_normal((2, 1, 28, 28)), dtype="float32"))
    assert features.shape == (2, 512, 1, 1) and features.dtype == np.float32
    small = tinydl.vision.models.resnet18(num_classes=3, zero_init_residual=True)
    assert not small.layer1[0].bn2.weight.numpy().any()
    x, y = tinydl.randn(4, 3, 32, 32), tinydl.tensor([0, 1, 2, 0])
    F.cross_entropy(small(x), y).backward()
    assert all(p.grad is not None for p in small.parameters())
    # each block starts as the identity, its last convolution's weights silenced by bn2's 0
    assert small.conv1.weight.grad.numpy().any() and small.layer4[1].bn2.weight.grad.numpy().any()
    assert not small.layer4[1].conv2.weight.grad.numpy().any()


def test_resnet_initialisation_is_torchvisions() -> None:
    model = tinydl.vision.models.resnet18(num_classes=10)
    fan_out = 64 * 7 * 7  # kaiming_normal_(mode="fan_out", nonlinearity="relu")
    np.testing.assert_allclose(model.conv1.weight.numpy().std(), math.sqrt(2 / fan_out),
                               rtol=0.05)
    assert (model.bn1.weight.numpy() == 1).all() and not model.bn1.bias.numpy().any()
    assert 0.99 / math.sqrt(512) < uniform_bound(model.fc.weight.numpy()) <= 1 / math.sqrt(512)


def test_the_other_pytorch_named_layers_start_as_pytorch_documents() -> None:
    """The audit of issue 21: each PyTorch-named layer's first values, as PyTorch documents
    them (Embedding N(0, 1); recurrent U(±1/√hidden_size); BatchNorm and LayerNorm ones and
    zeros; MultiheadAttention Xavier-uniform in_proj with zero biases)."""
    tinydl.manual_seed(0)  # the largest of 64 draws may fall short of the bound otherwise
    table = nn.Embedding(300, 200).weight.numpy()
    np.testing.assert_allclose([table.mean(), table.std()], [0, 1], atol=0.02)
    for layer in (nn.LSTM(10, 64, num_layers=2), nn.GRU(10, 64), nn.RNN(10, 64),
                  nn.LSTMCell(10, 64)):
        for name, parameter in layer.named_parameters():
            assert 0.95 / 8 < uniform_bound(parameter.numpy()) <= 1 / 8, name  # 1/√64
    for norm in (nn.BatchNorm1d(5), nn.BatchNorm2d(5), nn.LayerNorm(5)):
        assert (norm.weight.numpy() == 1).all() and not norm.bias.numpy().any()
    attention = nn.MultiheadAttention(64, 4)
    xavier = math.sqrt(6 / (64 + 3 * 64))
    assert 0.95 * xavier < uniform_bound(attention.in_proj_weight.numpy()) <= xavier
    assert not attention.in_proj_bias.numpy().any() and not attention.out_proj.bias.numpy().any()
    assert 0.95 / 8 < uniform_bound(attention.out_proj.weight.numpy()) <= 1 / 8


def test_the_other_pytorch_named_layers_match_pytorch_directly() -> None:
    torch = pytest.importorskip("torch")
    tinydl.manual_seed(0)
    torch.manual_seed(0)
    pairs = [(nn.Embedding(300, 200).weight, torch.nn.Embedding(300, 200).weight, "std"),
             (nn.LSTM(10, 64).weight_hh_l0, torch.nn.LSTM(10, 64).weight_hh_l0, "bound"),
             (nn.MultiheadAttention(64, 4).in_proj_weight,
              torch.nn.MultiheadAttention(64, 4).in_proj_weight, "bound")]
    for ours, theirs, statistic in pairs:
        measure = np.std if statistic == "std" else uniform_bound
        np.testing.assert_allclose(measure(ours.numpy()), measure(theirs.detach().numpy()),
                                   rtol=0.05)
