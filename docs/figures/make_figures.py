"""Draw the documentation's figures from tinydl's own code.

    python docs/figures/make_figures.py            # writes docs/figures/*.png
    python docs/figures/make_figures.py OUT_DIR    # writes them somewhere else

The im2col figure calls ``tinydl.ops.conv.im2col`` itself, so the picture shows
exactly what the code computes.
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display needed

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

from tinydl.ops.conv import im2col  # noqa: E402

WINDOW_COLOURS = ["tab:blue", "tab:orange", "tab:green", "tab:red"]


def draw_grid(
    ax: Axes,
    values: np.ndarray,
    left: float,
    top: float,
    cell: float = 1.0,
    colours: np.ndarray | None = None,
    fontsize: int = 11,
) -> None:
    """Draw a 2-D array as labelled cells, its top-left corner at (left, top), y going down."""
    rows, columns = values.shape
    for r in range(rows):
        for c in range(columns):
            face = "white" if colours is None else colours[r][c]
            ax.add_patch(
                Rectangle(
                    (left + c * cell, top + r * cell),
                    cell,
                    cell,
                    facecolor=face,
                    edgecolor="0.35",
                    linewidth=0.8,
                )
            )
            ax.text(
                left + (c + 0.5) * cell,
                top + (r + 0.5) * cell,
                f"{values[r, c]:g}",
                ha="center",
                va="center",
                fontsize=fontsize,
            )


def light(colour: str) -> tuple[float, float, float, float]:
    return to_rgba(colour, alpha=0.28)


def im2col_figure(path: Path) -> None:
    """A 4×4 image, its four 3×3 windows, the 9×4 column matrix, and y = W @ cols."""
    x = np.arange(1, 17, dtype=np.float32).reshape(1, 1, 4, 4)
    cols = im2col(x, kernel_size=(3, 3), stride=(1, 1), padding=(0, 0))  # (9, 4)
    weight = np.array([[1, 0, 0, 0, 1, 0, 0, 0, 1]], dtype=np.float32)  # one 3×3 filter, flat
    y = weight @ cols  # (1, 4): one output pixel per window

    fig, ax = plt.subplots(figsize=(12.5, 5.6))
    ax.set_xlim(-0.8, 24.7)
    ax.set_ylim(11.2, -1.6)  # y grows downwards, like array rows
    ax.set_aspect("equal")
    ax.axis("off")

    # 1. The image and its four receptive fields (windows), one colour per output pixel.
    image_top = 2.5
    draw_grid(ax, x[0, 0], 0, image_top)
    for k, (i, j) in enumerate([(0, 0), (0, 1), (1, 0), (1, 1)]):
        inset = 0.07 + 0.07 * k
        ax.add_patch(
            Rectangle(
                (j + inset, image_top + i + inset),
                3 - 2 * inset,
                3 - 2 * inset,
                fill=False,
                edgecolor=WINDOW_COLOURS[k],
                linewidth=2.5,
            )
        )
    ax.text(
        2,
        image_top - 0.6,
        "x: a 4×4 image (N = C = 1)\nfour 3×3 windows",
        ha="center",
        va="bottom",
        fontsize=12,
    )

    # 2. The column matrix: column k holds window k's nine pixels.
    cols_left = 9.0
    column_colours = [[light(WINDOW_COLOURS[k]) for k in range(4)] for _ in range(9)]
    draw_grid(ax, cols, cols_left, 0, colours=np.array(column_colours, dtype=object))
    for row in range(9):
        i, j = divmod(row, 3)
        ax.text(
            cols_left - 0.15,
            row + 0.5,
            f"(c=0, {i}, {j})",
            ha="right",
            va="center",
            fontsize=9,
            color="0.3",
        )
    ax.text(
        cols_left + 2,
        -0.3,
        "cols = im2col(x): 9 × 4\nrows (c, kh, kw), one column per window",
        ha="center",
        va="bottom",
        fontsize=12,
    )
    ax.annotate(
        "",
        xy=(cols_left - 2.3, 4.5),
        xytext=(4.3, 4.5),
        arrowprops={"arrowstyle": "->", "linewidth": 1.5},
    )
    ax.text(5.5, 4.3, "im2col", fontsize=11, ha="center", va="bottom")

    # 3. One GEMM: the flattened filter times the columns, then reshaped into the output.
    gemm_left, small = 15.1, 0.95
    draw_grid(ax, weight, gemm_left, 1.0, cell=small, fontsize=10)
    ax.text(
        gemm_left + 4.5 * small,
        0.8,
        "W: 1 × 9  (O × C·KH·KW)",
        ha="center",
        va="bottom",
        fontsize=12,
    )
    ax.text(
        gemm_left + 4.5 * small,
        3.1,
        "y = W @ cols: 1 × 4  (one GEMM)",
        ha="center",
        va="center",
        fontsize=12,
    )
    y_left = gemm_left + 2.5 * small
    draw_grid(
        ax,
        y,
        y_left,
        3.8,
        cell=small,
        colours=np.array([[light(c) for c in WINDOW_COLOURS]], dtype=object),
    )
    ax.annotate(
        "",
        xy=(y_left + 2 * small, 7.0),
        xytext=(y_left + 2 * small, 4.95),
        arrowprops={"arrowstyle": "->", "linewidth": 1.5},
    )
    ax.text(y_left + 2 * small + 0.25, 6.0, "reshape to (N, O, OH, OW)", fontsize=11, va="center")
    out_colours = np.array(
        [
            [light(WINDOW_COLOURS[0]), light(WINDOW_COLOURS[1])],
            [light(WINDOW_COLOURS[2]), light(WINDOW_COLOURS[3])],
        ],
        dtype=object,
    )
    draw_grid(ax, y.reshape(2, 2), y_left + small, 7.2, cell=small, colours=out_colours)
    ax.text(y_left + 2 * small, 9.35, "the 2×2 output image", ha="center", va="top", fontsize=12)
    ax.text(
        12.0,
        10.6,
        "Backward: dL/dW = dY @ colsᵀ,  dL/dcols = Wᵀ @ dY,  dL/dx = col2im(dL/dcols) "
        "(overlapping windows add up)",
        ha="center",
        va="center",
        fontsize=11.5,
        color="0.2",
    )

    fig.savefig(path, dpi=110, bbox_inches="tight", facecolor="white")
    plt.close(fig)


def main(out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "im2col.png"
    im2col_figure(path)
    return [path]


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent
    for written in main(target):
        print(f"wrote {written}")
