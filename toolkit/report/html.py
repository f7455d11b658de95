"""The HTML report: one self-contained file (inline CSS, scripts, charts) that opens offline.

Rendered with jinja2, autoescape on: every string from the corpus (titles, sources, labels,
terms) is escaped, URLs other than ``http(s)`` are dropped, and the only raw HTML inserted is
the LDAvis fragment built by :mod:`toolkit.report.ldavis` (its JSON escaped for ``<script>``).
A Content-Security-Policy forbids every network request from the page.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from toolkit.report.charts import lines_png, png_data_uri, sparkline_svg
from toolkit.report.data import ReportData

TEMPLATES = Path(__file__).resolve().parent / "templates"


def _env():
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


def safe_url(value: Any) -> str:
    """``value`` when it is an http(s) URL, else an empty string (no ``javascript:`` links)."""
    if not isinstance(value, str):
        return ""
    v = value.strip()
    return v if v.lower().startswith(("http://", "https://")) else ""


def fmt(value: Any, digits: int = 3) -> str:
    """A number for a table cell ("" for None/NaN)."""
    if value is None:
        return ""
    if isinstance(value, float):
        return "" if math.isnan(value) else f"{value:.{digits}f}"
    return str(value)


def _table(frame: Any, table_id: str = ""):
    """A DataFrame as an escaped HTML table (Markup)."""
    from markupsafe import Markup, escape

    if frame is None or len(frame) == 0:
        return Markup('<p class="muted">(empty)</p>')
    cols = list(frame.columns)
    head = "".join(f"<th>{escape(str(c))}</th>" for c in cols)
    rows = []
    for rec in frame.itertuples(index=False):
        cells = []
        for v in rec:
            num = isinstance(v, int | float) and not isinstance(v, bool)
            text = fmt(v) if isinstance(v, float) else ("" if v is None else str(v))
            cells.append(f'<td class="num">{escape(text)}</td>' if num else f"<td>{escape(text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    ident = f' id="{escape(table_id)}"' if table_id else ""
    return Markup(f"<table{ident}><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>")


def _time_by_topic(frame: Any) -> dict[int, dict[str, Any]]:
    from markupsafe import Markup

    if frame is None or len(frame) == 0:
        return {}
    wide = frame.pivot_table(index="period", columns="topic", values="share", aggfunc="sum").sort_index()
    vmax = float(wide.max().max() or 1.0)
    out = {}
    for topic in wide.columns:
        values = wide[topic].fillna(0.0).tolist()
        out[int(topic)] = {"svg": Markup(sparkline_svg(values, vmax=vmax)), "first": str(wide.index[0]),
                           "last": str(wide.index[-1]), "peak": max(values) if values else 0.0}  # fmt: skip
    return out


def _by_meta(data: ReportData, top: int = 5) -> dict[int, dict[str, list[tuple[str, float]]]]:
    out: dict[int, dict[str, list[tuple[str, float]]]] = {}
    for what, frame in (("source", data.prevalence_source), ("section", data.prevalence_section)):
        if frame is None or len(frame) == 0 or what not in frame:
            continue
        for topic, g in frame.groupby("topic"):
            rows = g.sort_values("share", ascending=False).head(top)
            out.setdefault(int(topic), {})[what] = [(str(n), float(s)) for n, s in zip(rows[what], rows["share"], strict=True)]
    return out


def render_html(data: ReportData) -> str:
    """The report as one HTML string."""
    topics = data.topics.to_dict("records")
    themes_wide = None
    themes_png = ""
    if data.themes_time is not None and len(data.themes_time):
        themes_wide = data.themes_time.pivot_table(index="period", columns="theme", values="share",
                                                   aggfunc="sum").sort_index().reset_index()  # fmt: skip
        themes_wide.columns = [str(c) for c in themes_wide.columns]
        themes_png = png_data_uri(lines_png(data.themes_time, "period", "share", "theme", ylabel="share"))
    period = data.evaluation.get("period", "period")
    return _env().get_template("index.html.j2").render(
        data=data,
        topics=topics,
        time_by_topic=_time_by_topic(data.prevalence_time),
        by_meta=_by_meta(data),
        themes_wide=themes_wide,
        themes_png=themes_png,
        period=period,
        table=_table,
        png=png_data_uri,
        url=safe_url,
        fmt=fmt,
        manifest_json=json.dumps(data.manifest, indent=2, ensure_ascii=False, default=str),
        evaluation_json=json.dumps(data.evaluation, indent=2, ensure_ascii=False, default=str),
    )


def write_html(data: ReportData, path: str | Path) -> Path:
    """Render and write the report atomically; return its path."""
    from toolkit.runtime import atomic_write_text

    return atomic_write_text(path, render_html(data))
