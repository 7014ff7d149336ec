"""Names PyTorch has and tinydl does not offer, each with what to use instead.

A PyTorch program brought to tinydl should stop at the first name tinydl lacks with a
message that names it and the way forward, not with Python's bare "has no attribute".
``tinydl``, ``tinydl.cuda`` and ``Tensor`` consult these tables when an attribute is
missing; anything not listed gets the general pointer to docs/coming-from-pytorch.md.
"""

from __future__ import annotations

_ELEMENTWISE = "compose it from the element-wise ops tinydl has (exp, log, sqrt, abs, " \
    "where, clamp, pow)"
_NUMPY_AFTER = "take the values out with x.numpy() and use NumPy, or write it with tinydl.where"

# "module.name": what to use instead.
INSTEAD = {
    "tinydl.jit": "tinydl runs every op eagerly in Python, to be stepped into; call the "
    "model directly (tinydl.compile(model) returns it unchanged)",
    "tinydl.unique": _NUMPY_AFTER,
    "tinydl.histc": _NUMPY_AFTER,
    "tinydl.meshgrid": "build the grid with arange, reshape and expand",
    "tinydl.roll": "join two slices with tinydl.cat",
    "tinydl.diag": "multiply by tinydl.eye(n) and sum, or index x[i, i] with arange",
    "tinydl.outer": "broadcast: a[:, None] * b[None, :]",
    "tinydl.dot": "(a * b).sum() or tinydl.matmul(a, b) for 1-D a and b",
    "tinydl.mv": "tinydl.matmul(matrix, vector)",
    "tinydl.prod": "exp(log(x).sum()) for positive x, or x.numpy().prod() for a value",
    "tinydl.logsumexp": "x.max(dim, keepdim=True).values plus the log of the shifted exps' "
    "sum, or log_softmax",
    "tinydl.sign": _ELEMENTWISE,
    "tinydl.floor": "x // 1 (outside the graph)",
    "tinydl.ceil": "-(-x // 1) (outside the graph)",
    "tinydl.round": _NUMPY_AFTER,
    "tinydl.isnan": "x != x is True exactly at NaN",
    "tinydl.isinf": "x.abs() == float('inf')",
    "tinydl.isfinite": "(x == x) & (x.abs() != float('inf'))",
    "tinydl.allclose": "numpy.allclose(a.numpy(), b.numpy())",
    "tinydl.equal": "bool((a == b).all()) for tensors of one shape",
    "tinydl.index_select": "index the axis with a tensor of indices, x[:, idx]",
    "tinydl.scatter": "tinydl has gather (its reverse); build the result with indexing under "
    "no_grad()",
    "tinydl.unbind": "tuple(x) for the first axis, or x.split(1, dim) and squeeze",
    "tinydl.broadcast_to": "x.expand(*shape)",
    "tinydl.bernoulli": "(tinydl.rand(*p.shape) < p).float()",
    "tinydl.erf": "tinydl.nn.functional.gelu has tinydl's erf inside; write x*Φ(x) with it",
    "tinydl.addmm": "bias + tinydl.matmul(a, b)",
    "tinydl.baddbmm": "bias + tinydl.bmm(a, b)",
    "tinydl.tensordot": "reshape to matrices and use tinydl.matmul",
    "tinydl.cdist": "((a[:, None] - b[None]) ** 2).sum(-1).sqrt()",
    "tinydl.fft": "numpy.fft on x.numpy() (outside the graph)",
    "tinydl.linalg": "numpy.linalg on x.numpy() (outside the graph); tinydl.norm for norms",
    "tinydl.sparse": "dense tensors: tinydl has no sparse ones",
    "tinydl.distributions": "tinydl.multinomial for sampling categories; write log-densities "
    "with the element-wise ops",
    "tinydl.hub": "build the model from its code and load its weights with load_state_dict",
    "tinydl.quantization": "float32: tinydl does not quantise",
    "tinydl.profiler": "cProfile from Python's standard library, or time.perf_counter",
    "tinydl.func": "tinydl.autograd's backward(); there are no function transforms",
    "tinydl.vmap": "a batch axis and broadcasting",
    "tinydl.use_deterministic_algorithms": "nothing on the CPU, where tinydl is deterministic; "
    "on a GPU, gradient scatters (x[index] with repeats, gather, embeddings) add atomically, "
    "in an order that may vary",
    "tinydl.set_default_tensor_type": "tinydl.set_default_dtype(tinydl.float64) and "
    "tinydl.set_default_device('cuda')",
    "tinydl.Size": "a tuple: tinydl's shapes are tuples (x.shape == (2, 3))",
    "tinydl.dtype": "numpy.dtype: tinydl's dtypes are NumPy's (isinstance(d, numpy.dtype))",
    "tinydl.cuda.set_device": "tinydl.set_default_device('cuda:N'), or x.to('cuda:N')",
    "tinydl.cuda.memory_allocated": "cupy.get_default_memory_pool().used_bytes()",
    "tinydl.cuda.max_memory_allocated": "cupy.get_default_memory_pool().total_bytes() (the "
    "pool's size: CuPy keeps no peak)",
    "tinydl.cuda.memory_reserved": "cupy.get_default_memory_pool().total_bytes()",
    "tinydl.cuda.reset_peak_memory_stats": "cupy.get_default_memory_pool() (CuPy keeps no "
    "peak to reset)",
    "tinydl.cuda.get_device_properties": "cupy.cuda.runtime.getDeviceProperties(n)",
    "tinydl.cuda.Event": "tinydl.cuda.synchronize() and time.perf_counter()",
    "tinydl.cuda.Stream": "cupy.cuda.Stream(): tinydl runs on CuPy's current stream",
    "tinydl.cuda.stream": "with cupy.cuda.Stream(): tinydl runs on CuPy's current stream",
    "tinydl.cuda.FloatTensor": "tinydl.tensor(data, device='cuda')",
    "tinydl.cuda.LongTensor": "tinydl.tensor(data, dtype=tinydl.long, device='cuda')",
    # Tensor methods
    "Tensor.unbind": "tuple(x) for the first axis, or x.split(1, dim) and squeeze",
    "Tensor.index_select": "index the axis with a tensor of indices, x[:, idx]",
    "Tensor.masked_select": "x[mask]",
    "Tensor.scatter": "tinydl has gather (its reverse); build the result with indexing under "
    "no_grad()",
    "Tensor.scatter_": "x[index] = values under no_grad()",
    "Tensor.scatter_add_": "x[index] = values under no_grad() (repeated indices do not add)",
    "Tensor.index_add_": "x[index] = values under no_grad() (repeated indices do not add)",
    "Tensor.unique": _NUMPY_AFTER,
    "Tensor.roll": "join two slices with tinydl.cat",
    "Tensor.prod": "x.log().sum().exp() for positive x, or x.numpy().prod() for a value",
    "Tensor.sign": _ELEMENTWISE,
    "Tensor.floor": "x // 1 (outside the graph)",
    "Tensor.round": _NUMPY_AFTER,
    "Tensor.register_hook": "read .grad after backward(); x.retain_grad() keeps a non-leaf's",
    "Tensor.is_contiguous": "nothing: tinydl's ops take any memory layout (contiguous() "
    "returns the tensor)",
    "Tensor.stride": "x.array.strides (NumPy's, in bytes)",
    "Tensor.data_ptr": "x.array.ctypes.data (on the CPU)",
    "Tensor.storage": "x.array, the NumPy or CuPy array the tensor holds",
    "Tensor.element_size": "x.dtype.itemsize",
    "Tensor.share_memory_": "nothing: tinydl's DataLoader works in one process",
    "Tensor.detach_": "x = x.detach()",
    "Tensor.unfold": "tinydl.nn.functional's convolutions hold im2col",
    "Tensor.bernoulli_": "(tinydl.rand(*p.shape) < p).float()",
    "Tensor.exponential_": "-tinydl.log(tinydl.rand(*shape)) / rate",
    "Tensor.random_": "tinydl.randint(low, high, shape)",
    "Tensor.relu_": "x = x.relu() (tinydl records no in-place operations)",
    "Tensor.sigmoid_": "x = x.sigmoid() (tinydl records no in-place operations)",
    "Tensor.tanh_": "x = x.tanh() (tinydl records no in-place operations)",
    "Tensor.exp_": "x = x.exp() (tinydl records no in-place operations)",
    "Tensor.sqrt_": "x = x.sqrt() (tinydl records no in-place operations)",
    "Tensor.pow_": "x = x.pow(p) (tinydl records no in-place operations)",
    "Tensor.addcmul_": "x += value * a * b under no_grad()",
    "Tensor.addcdiv_": "x += value * a / b under no_grad()",
    "Tensor.lerp_": "x += weight * (end - x) under no_grad()",
    "Tensor.resize_": "x = x.reshape(shape)",
    "Tensor.to_sparse": "dense tensors: tinydl has no sparse ones",
}


def attribute_error(owner: str, name: str) -> AttributeError:
    """The error for ``owner.name`` (``owner`` a module such as ``"tinydl"``, or
    ``"Tensor"``) when tinydl has no such attribute."""
    if name.startswith("__"):  # Python's own probing (copy, pickle, NumPy): plain and quiet
        return AttributeError(f"{owner} has no attribute {name!r}")
    instead = INSTEAD.get(f"{owner}.{name}")
    torch_name = f"{owner.replace('tinydl', 'torch')}.{name}"
    if instead is not None:
        return AttributeError(
            f"{owner}.{name} ({torch_name} in PyTorch) is not offered by tinydl; instead: "
            f"{instead}"
        )
    return AttributeError(
        f"{owner} has no attribute {name!r}: if PyTorch's {torch_name} is what you meant, "
        f"tinydl does not offer it; docs/coming-from-pytorch.md lists the PyTorch names "
        f"tinydl answers to"
    )
