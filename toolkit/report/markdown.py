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
    if "frex" in t:
        t["frex"] = t["frex"].map(lambda ts: ", ".join(list(ts)[:7]))
    cols = [c for c in ("topic", "label", "prevalence", "coherence", "theme", "terms", "frex") if c in t]
    out.append(md_table(t[cols]))
    if data.curation:
        c = data.curation
        out.append(f"\nCurated without retraining (curation.toml {c['sha256'][:19]}…): {c['trained_topics']} trained "
                   f"topics shown as {len(c['groups'])}; junk: {', '.join(map(str, c['junk'])) or 'none'}.\n")
    if data.themes_time is not None and len(data.themes_time):
        out.append("\n## Themes over time\n")
        wide = data.themes_time.pivot_table(index="period", columns="theme", values="share", aggfunc="sum")
        out.append(md_table(wide.sort_index().reset_index()))
    out.append(_research_markdown(data))
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


def _research_markdown(data: ReportData) -> str:
    out = []
    eff = data.effects
    if eff is not None:
        info = eff.info
        out.append("\n## Effects of time and source\n")
        out.append(f"Expected topic share at each level with {round(100 * info['level'])}% intervals (method of "
                   f"composition, {info['n_draws']} posterior draws, OLS {info['cov_type']}, seed {info['seed']}; "
                   f"{info['documents_used']} of {info['documents_in_model']} documents). Posterior: "
                   f"{info['posterior_note']}.\n\n")  # fmt: skip
        for n in data.effects_notes:
            out.append(f"- note: {_cell(n)}\n")
        e = eff.estimates.copy()
        e["interval"] = [f"[{lo:.3f}, {hi:.3f}]" for lo, hi in zip(e["ci_low"], e["ci_high"], strict=True)]
        out.append(md_table(e[["topic", "covariate", "level", "estimate", "interval", "n_documents"]], max_rows=80))
        if len(eff.contrasts):
            out.append("\nDifferences between levels:\n\n")
            c = eff.contrasts.copy()
            c["interval"] = [f"[{lo:+.3f}, {hi:+.3f}]" for lo, hi in zip(c["ci_low"], c["ci_high"], strict=True)]
            out.append(md_table(c[["topic", "covariate", "level_a", "level_b", "estimate", "interval"]], max_rows=80))
    if data.correlation_edges is not None:
        out.append("\n## Topic correlations\n")
        out.append("Pairs of topics whose shares correlate above 0.01 across documents:\n\n")
        out.append(md_table(data.correlation_edges))
    for s in data.validation or []:
        out.append(f"\n## {s['kind'].capitalize()} intrusion ({s['task_set']})\n")
        alpha = "n/a (one coder)" if s["alpha"] is None else f"{s['alpha']:.3f}"
        extra = ""
        if s["overall"].get("topic_log_odds") is not None:
            extra = f", topic log odds {s['overall']['topic_log_odds']:.3f}"
        out.append(f"{s['answers']} answers by {', '.join(s['coders'])}: model precision "
                   f"{s['overall']['model_precision']:.3f}{extra}; Krippendorff's alpha {alpha}.\n\n")  # fmt: skip
        out.append(md_table(s["per_topic"]))
    return "".join(out)


def write_markdown(data: ReportData, path: str | Path) -> Path:
    from toolkit.runtime import atomic_write_text

    return atomic_write_text(path, render_markdown(data))
