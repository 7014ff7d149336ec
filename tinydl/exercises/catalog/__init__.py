"""The exercises, in the order a learner should do them: one module each, named as its stub
(``stubs/<name>.py``), holding the summary, the three hints, the formulas the hints give
away and the check (which inputs, which tinydl op is the reference, which typical mistakes
are recognised).

A check compares the learner's Function with tinydl's own op (the engine exercises compare
a function: the central difference with the checker's own, the backward walk with
``tinydl/minimal.py``'s, ``sum_to_shape`` with the engine's). The later chapters' checks
(layer norm, LSTM step, attention) compare with the same computation written from
elementary ops, so the engine's backward walk gives the right gradients; a typical mistake
is recognised by writing the computation again with that mistake built in
(:func:`~tinydl.exercises.checker.mistaken`).
"""

from __future__ import annotations

from tinydl.exercises.catalog import (
    adam,
    attention,
    backward_walk,
    batch_norm,
    broadcast_add,
    central_difference,
    conv2d_im2col,
    dropout,
    hinge,
    layer_norm,
    lstm_step,
    matmul,
    max_pool,
    mse,
    relu,
    sgd_momentum,
    sigmoid,
    softmax_cross_entropy,
    sum_mean,
    sum_to_shape,
    tanh,
)
from tinydl.exercises.exercise import Exercise

ORDER = (
    sigmoid, tanh, relu, central_difference, backward_walk, broadcast_add, sum_to_shape,
    matmul, sum_mean, mse, softmax_cross_entropy, hinge, dropout, batch_norm, max_pool,
    conv2d_im2col, sgd_momentum, adam, layer_norm, lstm_step, attention,
)
EXERCISES: dict[str, Exercise] = {module.EXERCISE.name: module.EXERCISE for module in ORDER}

__all__ = ["EXERCISES", "Exercise"]
