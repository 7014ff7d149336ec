"""Both GAN examples run end to end, as a user runs them, for a few iterations on a subset of
MNIST: every epoch's sample grid, generator checkpoint, loss curves and history appear, the
losses are finite, and the generator's weights moved between epochs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import assert_png_has_content, load_script
from test_cli import mnist_root, needs_mnist

import tinydl
from tinydl.train.checkpoint import load_checkpoint

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
pytest.importorskip("matplotlib")


def example_module(name: str):
    """The example script as a module (its models), without running its training."""
    return load_script(EXAMPLES / f"{name}.py")  # dcgan_mnist imports gan_mnist, as when run


@needs_mnist
@pytest.mark.parametrize(
    ("name", "image_shape"), [("gan_mnist", (784,)), ("dcgan_mnist", (1, 28, 28))]
)
def test_gan_example_trains_and_writes_its_pictures(tmp_path, name, image_shape):
    # 192 images at batch 64: 3 iterations per epoch, 2 epochs, a loss point every 2 iterations.
    command = [
        sys.executable, str(EXAMPLES / f"{name}.py"), "--out", str(tmp_path), "--limit", "192",
        "--batch-size", "64", "--epochs", "2", "--log-every", "2",
    ]
    env = {**os.environ, "TINYDL_DATA": str(mnist_root()), "MPLBACKEND": "Agg"}
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("epoch ") == 2 and "D loss" in result.stdout

    history = json.loads((tmp_path / "history.json").read_text())
    assert history["iteration"] == [2, 4, 6]
    for key in ("d_loss", "g_loss", "d_real", "d_fake"):
        assert len(history[key]) == 3 and np.isfinite(history[key]).all()
    assert all(0 < p < 1 for p in history["d_real"] + history["d_fake"])
    assert len(history["epoch_seconds"]) == 2
    # The DCGAN holds lr 1e-3 for the first half of its 6 iterations, then lowers it to 0.
    expected_lr = [1e-3, 1e-3 * 2 / 3, 0.0] if name == "dcgan_mnist" else [1e-3] * 3
    np.testing.assert_allclose(history["lr"], expected_lr, atol=1e-12)
    for picture in ("samples_epoch_01.png", "samples_epoch_02.png"):
        assert_png_has_content(tmp_path / picture, 300, 300)
    assert_png_has_content(tmp_path / "losses.png", 200, 300)
    assert_png_has_content(tmp_path / "discriminator_outputs.png", 200, 300)

    module = example_module(name)
    generators = []
    for epoch in (1, 2):
        generator = module.build_generator()
        load_checkpoint(tmp_path / f"generator_epoch_{epoch:02d}.npz", generator)
        generators.append(generator.eval())
    noise = tinydl.tensor(module.sample_noise(5, np.random.default_rng(0)))
    with tinydl.no_grad():
        first, second = (generator(noise).numpy() for generator in generators)
    assert first.shape == (5, *image_shape) and first.dtype == np.float32
    assert np.abs(first).max() <= 1  # tanh
    assert not np.allclose(first, second)  # the second epoch's updates changed G


@pytest.mark.parametrize("value", ["1.5", "0", "nine"])
def test_a_real_label_outside_0_to_1_is_refused(tmp_path, value):
    command = [
        sys.executable, str(EXAMPLES / "dcgan_mnist.py"), "--out", str(tmp_path),
        "--real-label", value,
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert (
        f"argument --real-label: must be a number in (0, 1], such as 0.9; got {value!r}"
        in result.stderr
    )
    assert list(tmp_path.iterdir()) == []  # nothing written
