"""Exercise: the central difference, the heart of a gradient check.

A backward pass can be checked without any calculus: nudge one element of the input by a
small ε, evaluate the function again, and see how far its value moved. ``tinydl.gradcheck``
does this for every element of every input and compares the estimates with what backward
computed; so does this checker. Here you write the estimate itself. Read
``tinydl/gradcheck.py`` after this exercise.

Task: write ``numeric_gradient(f, x, eps)``. ``f`` takes an array of x's shape and returns a
number (the loss); return an array of x's shape whose element i estimates ∂f/∂xᵢ from values
of f alone.

- Nudge one element at a time: the others stay where they are.
- Nudge both ways (that is what "central" means): the error of a one-sided estimate
  shrinks like ε, the central one's like ε². The checker uses a large ε (up to 0.01), where
  the difference shows, and compares your estimate with the central difference at that ε.
- Leave x as you found it: the caller still needs it.

Shapes: x has any shape, float64; the result has x's shape.

Stuck? The next of three hints:   tinydl exercises hint central_difference
Check your work:   tinydl exercises check central_difference
"""

import numpy as np  # noqa: F401  (for your code)


def numeric_gradient(f, x, eps=1e-6):
    """Estimate the gradient of the number f(x) with respect to every element of x."""
    raise NotImplementedError("write numeric_gradient: one estimate per element of x")
