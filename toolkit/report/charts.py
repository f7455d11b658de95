"""Small charts for reports: inline SVG sparklines and matplotlib PNGs as data URIs.

Charts contain numbers only; every label a chart shows is escaped by the template around it.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from typing import Any


def sparkline_svg(values: Sequence[float], width: int = 180, height: int = 36, vmax: float | None = None) -> str:
    """An inline SVG line of ``values`` (no text), scaled to ``vmax`` (default: their max)."""
    vals = [0.0 if v != v else float(v) for v in values]  # NaN → 0
    if not vals:
        return ""
    top = vmax if vmax else (max(vals) or 1.0)
    n = len(vals)
    step = (width - 4) / max(n - 1, 1)
    pts = " ".join(f"{2 + i * step:.1f},{height - 2 - (v / top) * (height - 4):.1f}" for i, v in enumerate(vals))
    dots = "".join(
        f'<circle cx="{2 + i * step:.1f}" cy="{height - 2 - (v / top) * (height - 4):.1f}" r="1.8"/>'
        for i, v in enumerate(vals)
    )
    return (
        f'<svg class="spark" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'xmlns="http://www.w3.org/2000/svg" role="img">'
        f'<polyline fill="none" stroke="#2b6cb0" stroke-width="1.5" points="{pts}"/>'
        f'<g fill="#2b6cb0">{dots}</g></svg>'
    )


def png_data_uri(png: bytes | None) -> str:
    """``data:image/png;base64,…`` for PNG bytes (empty string for None)."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii") if png else ""


def figure_png(fig: Any, dpi: int = 100) -> bytes:
    """A matplotlib figure as PNG bytes (no timestamp metadata, so output is reproducible)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight", metadata={"Software": None})
    import matplotlib.pyplot as plt

    plt.close(fig)
    return buf.getvalue()


def lines_png(frame: Any, x: str, y: str, hue: str, title: str = "", ylabel: str = "") -> bytes | None:
    """One line per ``hue`` value of a tidy frame, as PNG (None when the frame is empty)."""
    if frame is None or len(frame) == 0:
        return None
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7.5, 3.2))
    wide = frame.pivot_table(index=x, columns=hue, values=y, aggfunc="sum").sort_index()
    for col in wide.columns:
        ax.plot([str(i) for i in wide.index], wide[col].to_numpy(), marker="o", label=str(col))
    ax.set_ylabel(ylabel or y)
    if title:
        ax.set_title(title)
    ax.legend(loc="best", fontsize=8)
    ax.tick_params(axis="x", rotation=45, labelsize=8)
    ax.grid(alpha=0.3)
    return figure_png(fig)


def selection_png(table: Any, k: str = "k", measures: Sequence[str] | None = None) -> bytes | None:
    """The k-selection measures against k (one small panel per measure), as PNG."""
    if table is None or len(table) == 0 or k not in table:
        return None
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    cols = [c for c in (measures or table.columns) if c != k and str(table[c].dtype) in ("float64", "int64", "float32")]
    if not cols:
        return None
    fig, axes = plt.subplots(1, len(cols), figsize=(2.6 * len(cols), 2.6), squeeze=False)
    for ax, c in zip(axes[0], cols, strict=True):
        ax.plot(table[k].to_numpy(), table[c].to_numpy(), marker="o")
        ax.set_title(c, fontsize=9)
        ax.set_xlabel("k", fontsize=8)
        ax.grid(alpha=0.3)
    fig.tight_layout()
    return figure_png(fig)
