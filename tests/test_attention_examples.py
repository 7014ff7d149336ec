"""The Transformer examples run end to end on tiny settings (a few steps each): the addition
GPT with its attention-map picture, the sorting mode, and the MNIST ViT. Their full
trainings and figures are in the examples' docstrings and the engineer's note."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import assert_png_has_content
from test_cli import mnist_root, needs_mnist

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
sys.path.insert(0, str(EXAMPLES))

import gpt_addition  # noqa: E402
import transformer_training  # noqa: E402

TINY_GPT = ["--dim", "16", "--heads", "2", "--batch-size", "16", "--held-out", "40",
            "--eval-every", "100"]


def test_addition_problems_hold_out_a_fixed_set_and_reverse_the_answer():
    task = gpt_addition.Addition(2, 1000, np.random.default_rng(0))
    tokens = task.encode(np.array([4785]))  # 47 + 85 = 132, written 231
    assert task.text(tokens[0]) == "47+85=132"
    assert "".join(gpt_addition.VOCAB[t] for t in tokens[0]) == "47+85=231"
    train = task.sample(5000, np.random.default_rng(1))
    assert len(train) == 5000 and not np.isin(train, task.held_out).any()
    assert len(np.unique(task.held_out)) == 1000


def test_gpt_example_trains_a_few_steps_and_draws_the_attention_maps(tmp_path):
    picture = tmp_path / "attention.png"
    result = gpt_addition.main([*TINY_GPT, "--steps", "4", "--plot", str(picture)])
    assert 0 <= result["accuracy"] <= 1 and result["parameters"] > 0
    pytest.importorskip("matplotlib")
    assert_png_has_content(picture, 200, 300)


def test_gpt_sorting_mode_runs():
    result = gpt_addition.main([*TINY_GPT, "--task", "sort", "--length", "4", "--steps", "3"])
    assert 0 <= result["accuracy"] <= 1


def test_weight_decay_reaches_weight_matrices_only():
    model = gpt_addition.GPT(12, 8, 16, 2, 1)
    decay, rest = transformer_training.parameter_groups(model, 0.1)
    assert decay["weight_decay"] == 0.1 and rest["weight_decay"] == 0.0
    named = {id(p): name for name, p in model.named_parameters()}
    decayed = sorted(named[id(p)] for p in decay["params"])
    assert decayed == sorted([
        "blocks.0.self_attn.in_proj_weight", "blocks.0.self_attn.out_proj.weight",
        "blocks.0.linear1.weight", "blocks.0.linear2.weight", "head.weight",
    ])
    assert len(decay["params"]) + len(rest["params"]) == len(list(model.parameters()))


def test_warmup_then_cosine_schedule():
    factor = transformer_training.warmup_cosine(warmup=10, total=110, floor=0.1)
    assert factor(0) == pytest.approx(0.1) and factor(9) == pytest.approx(1.0)
    assert factor(60) == pytest.approx(0.55) and factor(110) == pytest.approx(0.1)
    assert factor(500) == pytest.approx(0.1)


@needs_mnist
def test_vit_example_trains_on_a_few_images():
    import vit_mnist

    result = vit_mnist.main(["--limit", "64", "--test-limit", "100", "--epochs", "1", "--dim",
                             "16", "--heads", "2", "--layers", "1", "--mlp-dim", "16",
                             "--batch-size", "32", "--data", str(mnist_root())])
    assert 0 <= result["accuracy"] <= 1 and len(result["epoch_seconds"]) == 1
