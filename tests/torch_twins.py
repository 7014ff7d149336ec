"""Models written once against PyTorch's names, built with either ``torch`` or ``tinydl``,
and deterministic weights both can load: what ``reference/make_torch_nn.py`` runs in
PyTorch and ``test_torch_nn_surface.py`` / ``test_linear_layout.py`` run in tinydl.

Nothing here imports torch: each builder takes the library (``torch`` or ``tinydl``) as
its argument, as a program whose imports were swapped would.
"""

from __future__ import annotations

import math
import zlib
from typing import Any

import numpy as np


def formula(name: str, shape: tuple[int, ...]) -> np.ndarray:
    """Deterministic float64 values for the parameter ``name`` (no random generator, whose
    stream could change between NumPy versions): a sine wave whose phase depends on the
    name, scaled by 1/√fan_in as PyTorch's initialisations are."""
    size = math.prod(shape)
    phase = zlib.crc32(name.encode()) % 1000 / 100
    fan_in = math.prod(shape[1:]) if len(shape) > 1 else max(size, 1)
    values = np.sin(np.arange(size) * 0.731 + phase) / math.sqrt(fan_in)
    if name.endswith(("norm.weight", "ln_1.weight", "ln_2.weight", "ln_f.weight")) or (
        "norm" in name and name.endswith("weight")
    ):
        values = 1 + 0.1 * values  # a LayerNorm's scale stays near 1
    return values.reshape(shape)


def formula_parameters(named_parameters: Any) -> dict[str, np.ndarray]:
    """:func:`formula` values for each (name, parameter) pair, by name."""
    return {name: formula(name, tuple(p.shape)) for name, p in named_parameters}


def mnist_input(count: int = 2) -> np.ndarray:
    """``count`` deterministic (1, 28, 28) images in [0, 1]."""
    grid = np.arange(count * 28 * 28, dtype=np.float64).reshape(count, 1, 28, 28)
    return (np.sin(grid * 0.05) + 1) / 2


# ---- a nanoGPT-shaped model ------------------------------------------------------------------
GPT_CONFIG = {"vocab_size": 11, "block_size": 8, "n_layer": 2, "n_head": 2, "n_embd": 8}


def gpt_class(torch: Any) -> type:
    """A small GPT written as karpathy/nanoGPT's model.py writes it (ModuleDict of an
    Embedding, a ModuleList of blocks and a LayerNorm; ``c_attn`` producing q, k, v at once;
    a causal-mask buffer; the token embedding tied to ``lm_head``; ``apply`` for the
    initialisation), built from ``torch`` (PyTorch or tinydl)."""
    nn, F = torch.nn, torch.nn.functional

    class CausalSelfAttention(nn.Module):
        def __init__(self, n_embd: int, n_head: int, block_size: int) -> None:
            super().__init__()
            self.c_attn = nn.Linear(n_embd, 3 * n_embd)
            self.c_proj = nn.Linear(n_embd, n_embd)
            self.n_head, self.n_embd = n_head, n_embd
            causal = np.tril(np.ones((block_size, block_size))).reshape(1, 1, block_size,
                                                                          block_size)
            self.register_buffer("bias", torch.tensor(causal, dtype=torch.float32))
            self.register_buffer("scratch", torch.zeros(2), persistent=False)

        def forward(self, x: Any) -> Any:
            b, t, c = x.shape
            qkv = self.c_attn(x)
            q, k, v = (qkv[:, :, i * c:(i + 1) * c] for i in range(3))
            q, k, v = (a.view(b, t, self.n_head, c // self.n_head).permute(0, 2, 1, 3)
                       for a in (q, k, v))
            y = F.scaled_dot_product_attention(q, k, v, attn_mask=None, dropout_p=0.0,
                                               is_causal=True)
            return self.c_proj(y.permute(0, 2, 1, 3).reshape(b, t, c))

    class Block(nn.Module):
        def __init__(self, n_embd: int, n_head: int, block_size: int) -> None:
            super().__init__()
            self.ln_1 = nn.LayerNorm(n_embd)
            self.attn = CausalSelfAttention(n_embd, n_head, block_size)
            self.ln_2 = nn.LayerNorm(n_embd)
            self.mlp = nn.ModuleDict(dict(c_fc=nn.Linear(n_embd, 4 * n_embd), gelu=nn.GELU(),
                                          c_proj=nn.Linear(4 * n_embd, n_embd)))

        def forward(self, x: Any) -> Any:
            x = x + self.attn(self.ln_1(x))
            m = self.mlp
            return x + m.c_proj(m.gelu(m.c_fc(self.ln_2(x))))

    class GPT(nn.Module):
        def __init__(self, vocab_size: int, block_size: int, n_layer: int, n_head: int,
                     n_embd: int) -> None:
            super().__init__()
            self.transformer = nn.ModuleDict(dict(
                wte=nn.Embedding(vocab_size, n_embd),
                wpe=nn.Embedding(block_size, n_embd),
                h=nn.ModuleList([Block(n_embd, n_head, block_size) for _ in range(n_layer)]),
                ln_f=nn.LayerNorm(n_embd),
            ))
            self.lm_head = nn.Linear(n_embd, vocab_size, bias=False)
            self.transformer.wte.weight = self.lm_head.weight  # weight tying
            self.apply(self._init_weights)

        def _init_weights(self, module: Any) -> None:
            if isinstance(module, nn.Linear):
                torch.nn.init.normal_(module.weight, mean=0.0, std=0.02)
                if module.bias is not None:
                    torch.nn.init.zeros_(module.bias)
            elif isinstance(module, nn.Embedding):
                torch.nn.init.normal_(module.weight, mean=0.0, std=0.02)

        def forward(self, idx: Any) -> Any:
            t = idx.shape[1]
            pos = torch.arange(0, t, dtype=torch.long, device=idx.device)
            x = self.transformer.wte(idx) + self.transformer.wpe(pos)
            for block in self.transformer.h:
                x = block(x)
            return self.lm_head(self.transformer.ln_f(x))

    return GPT


def gpt_tokens() -> np.ndarray:
    """Two deterministic sequences of ``block_size`` token ids."""
    size = GPT_CONFIG["block_size"]
    return (np.arange(2 * size).reshape(2, size) * 7 + 3) % GPT_CONFIG["vocab_size"]


# ---- nn.Transformer settings and inputs ----------------------------------------------------
TRANSFORMER = {"d_model": 8, "nhead": 2, "num_encoder_layers": 2, "num_decoder_layers": 2,
               "dim_feedforward": 16, "dropout": 0.0}


def sequence(name: str, shape: tuple[int, ...]) -> np.ndarray:
    """A deterministic input sequence (float64) of ``shape``."""
    return formula(name, shape) * math.sqrt(shape[-1])


def padding_mask(batch: int, length: int) -> np.ndarray:
    """True for the last two positions of the first sequence (padding), False elsewhere."""
    mask = np.zeros((batch, length), dtype=bool)
    mask[0, -2:] = True
    return mask
