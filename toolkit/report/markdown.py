"""The Markdown summary of a run: corpus, topics, themes, seed article, where the tables are."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from toolkit.report.data import ReportData


def _cell(v: Any) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    if isinstance(v, float):
        v = f"{v:.3f}"
    return str(v).replace("|", "\\|").replace("\n", " ")


def md_table(frame: Any, max_rows: int = 50) -> str:
    """A DataFrame as a GitHub-flavoured Markdown table."""
    if frame is None or len(frame) == 0:
        return "_(empty)_\n"
    cols = [str(c) for c in frame.columns]
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for rec in frame.head(max_rows).itertuples(index=False):
        lines.append("| " + " | ".join(_cell(v) for v in rec) + " |")
    if len(frame) > max_rows:
        lines.append(f"\n_… {len(frame) - max_rows} more rows_")
    return "\n".join(lines) + "\n"


def render_markdown(data: ReportData, tables_dir: str = "tables") -> str:
    """The summary as Markdown text."""
    import pandas as pd

    c = data.corpus
    out = [f"# {data.title}\n"]
    m = data.manifest
    if m:
        out.append(f"Seed {m.get('seed')}, finished {m.get('finished', '?')}, "
                   f"git commit {m.get('git_commit') or 'unknown'}.\n")  # fmt: skip
    out.append("## Corpus\n")
    out.append(f"{c.get('documents', 0):,} documents, {c.get('words', 0) or 0:,} words, "
               f"{c.get('date_min') or '?'} → {c.get('date_max') or '?'}.\n")  # fmt: skip
    for what in ("sources", "sections"):
        if c.get(what):
            items = list(c[what].items())[:10]
            out.append(f"- {what}: " + ", ".join(f"{_cell(k)} ({v})" for k, v in items) + "\n")
    if data.selection is not None:
        out.append("\n## Choosing k\n")
        if data.selection_note:
            out.append(data.selection_note + "\n")
        out.append(md_table(data.selection))
    out.append("\n## Topics\n")
    t = data.topics.copy()
    t["prevalence"] = (100 * t["prevalence"]).round(1).astype(str) + "%"
    t["terms"] = t["terms"].map(lambda ts: ", ".join(list(ts)[:10]))
    out.append(md_table(t[["topic", "label", "prevalence", "coherence", "theme", "terms"]]))
    if data.themes_time is not None and len(data.themes_time):
        out.append("\n## Themes over time\n")
        wide = data.themes_time.pivot_table(index="period", columns="theme", values="share", aggfunc="sum")
        out.append(md_table(wide.sort_index().reset_index()))
    if data.seed:
        s = data.seed
        out.append("\n## Seed article\n")
        out.append(f"**{_cell(s.get('title') or s['id'])}** ({s['id']})\n\n")
        out.append(md_table(s["mixture"]))
        if s.get("neighbours") is not None:
            out.append("\nNearest documents:\n\n")
            out.append(md_table(pd.DataFrame(s["neighbours"])[["doc_id", "title", "similarity"]]))
    out.append("\n## Tables\n")
    out.append(f"CSV and Parquet files in `{tables_dir}/` (columns described in `{tables_dir}/README.md`):\n\n")
    for name in data.tables:
        out.append(f"- `{tables_dir}/{name}.csv` / `{name}.parquet`\n")
    return "".join(out)


def write_markdown(data: ReportData, path: str | Path) -> Path:
    from toolkit.runtime import atomic_write_text

    return atomic_write_text(path, render_markdown(data))
