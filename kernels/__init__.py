"""The CUDA C sources of tinydl's GPU kernels, installed as the package ``tinydl.kernels``.

This package holds no Python code: it exists so that the ``.cu`` files ship inside the
installed package and are found with ``importlib.resources.files("tinydl.kernels")``.
``tinydl.backend.kernels`` compiles them through CuPy and launches them.
"""
