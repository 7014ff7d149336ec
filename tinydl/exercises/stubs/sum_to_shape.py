"""Exercise: sum_to_shape, how the engine undoes broadcasting.

When an op broadcast an input of shape ``shape`` to a bigger output (a bias (H,) added to
every row of (N, H), a column (N, 1) multiplied into (N, C)), its backward first computes a
gradient of the output's shape. The engine then brings that gradient back to the input's
shape, with one function that every op's gradient passes through: ``sum_to_shape`` in
tinydl/autograd/function.py (``unbroadcast`` in tinydl/minimal.py). Read them after this
exercise. broadcast_add was one case of it; here you write the general one.

NumPy's rule: shapes are lined up on the right; where ``shape`` lacks a leading axis, or has
size 1 where the output does not, its values were repeated along that axis. For example:

    grad (4, 3)       shape (3,)      ->  the result has shape (3,)
    grad (2, 4, 3)    shape (4, 1)    ->  (4, 1)
    grad (5,)         shape ()        ->  ()        (a single number used 5 times)
    grad (3, 4)       shape (3, 4)    ->  (3, 4)    (nothing was broadcast)

Task: write ``sum_to_shape(grad, shape)``: return dL/d(input), of exactly ``shape`` and of
grad's dtype (float32 stays float32), without changing ``grad`` itself. Every value of the
input reached the loss through each of its copies in the output.

Stuck? The next of three hints:   tinydl exercises hint sum_to_shape
Check your work:   tinydl exercises check sum_to_shape
"""


def sum_to_shape(grad, shape):
    """Return grad (the gradient of a broadcast output) brought back to ``shape``."""
    raise NotImplementedError("write sum_to_shape: bring grad back to shape")
