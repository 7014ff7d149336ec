"""Exercise: the backward walk, the heart of the engine, in tinydl/minimal.py's frame.

tinydl/minimal.py is tinydl in one file. Its ``Tensor`` holds ``data`` (a NumPy array),
``grad`` (dL/d(this tensor), filled in by backward; None until then) and ``creator``, the
Function that made it (None for the inputs and parameters you create yourself). A
Function's ``inputs`` are the Tensors it was called on, and its ``backward(grad)`` turns the
gradient of its output into a tuple of gradients, one per input (broadcasting already
undone). Read ``Tensor``, ``Function`` and the five ops there, but not ``graph_in_order``
and ``Tensor.backward``: they are what you write here. Read them after this exercise.

Task: write two functions.

- ``graph_in_order(root)``: a list of every tensor that ``root`` was computed from, ``root``
  included, each listed once and after all the tensors it was made from (a topological
  order). Without recursion: the checker's deepest graph is a chain of 5,000 functions, and
  Python allows about 1,000 nested calls.
- ``backward(root)``: set ``root.grad`` to ones of root's shape (dL/dL = 1), then give every
  tensor of the graph its ``grad``, shaped as its ``data``. A function's backward may run
  only once the gradient of its output is complete, and a tensor used by several functions
  collects a gradient from each use.

The checker builds graphs with minimal's ops (a tensor used three times, a small MLP, a long
chain), runs your walk, and compares every tensor's gradient with minimal's own backward.

Stuck? The next of three hints:   tinydl exercises hint backward_walk
Check your work:   tinydl exercises check backward_walk
"""

import numpy as np  # noqa: F401  (for your code)


def graph_in_order(root):
    """Every tensor ``root`` depends on (root included), each after the tensors it was made
    from."""
    raise NotImplementedError("write graph_in_order: every tensor of the graph, inputs first")


def backward(root):
    """Fill ``grad`` of every tensor of root's graph with dL/d(that tensor), L being root."""
    raise NotImplementedError("write backward: root.grad = 1, then every other tensor's grad")
