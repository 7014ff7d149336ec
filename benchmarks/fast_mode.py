"""Which of tinydl's versions a benchmark times. Every script here sets the fast-path switch
itself (docs/fast-paths.md): the fast paths, as ``tinydl train`` runs, unless it is given
``--readable``, which times the plain versions of the ops. The mode is printed, and each
script writes it into the line of its results file that says what ran.
"""

from __future__ import annotations

import argparse
import os

FAST = "fast paths on"
READABLE = "plain versions of the ops (--readable)"


def add_option(parser: argparse.ArgumentParser) -> None:
    """Give ``parser`` the ``--readable`` flag."""
    parser.add_argument(
        "--readable", action="store_true",
        help="time tinydl's plain versions of the ops (tinydl.set_fast_paths(False)) instead "
        "of the fast paths",
    )


def set_mode(readable: bool) -> str:
    """Set tinydl's switch, here and (through TINYDL_FAST_PATHS) in every process this one
    starts; print the mode and return its name, for the results file."""
    import tinydl

    os.environ["TINYDL_FAST_PATHS"] = "0" if readable else "1"
    # fast_step.py can time older revisions of tinydl, from before the switch: those had
    # only their fast paths.
    if hasattr(tinydl, "set_fast_paths"):
        tinydl.set_fast_paths(not readable)
    mode = READABLE if readable else FAST
    print(f"tinydl: {mode}", flush=True)
    return mode
