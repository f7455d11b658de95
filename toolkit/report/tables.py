"""Report tables as CSV and Parquet, named and documented, for pandas, R or a spreadsheet.

:func:`write_tables` writes each table twice (``NAME.csv``, UTF-8, comma-separated, header row;
``NAME.parquet``) and a ``README.md`` listing files and columns (:data:`TABLE_DOCS`).
Load them with ``pandas.read_parquet("document_topic.parquet")`` or, in R,
``arrow::read_parquet`` / ``readr::read_csv``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

#: Table name → (description, {column: meaning}).
TABLE_DOCS: dict[str, tuple[str, dict[str, str]]] = {
    "topics": ("One row per topic.", {
        "topic": "topic id (0-based; LDAvis shows topic+1)", "label": "short automatic label",
        "prevalence": "share of all tokens assigned to the topic (0-1)",
        "coherence": "topic coherence (NPMI over the top terms) when computed",
        "theme": "seeded theme of the topic, if any",
        "terms": "top terms as the corpus writes them (display forms), by probability unless the report's λ < 1, best first, separated by '; '",
        "frex": "top terms by FREX (frequency and exclusivity, stm labelTopics), as the corpus writes them, separated by '; '",
    }),
    "topic_term": ("Topic–term weights, long format: one row per (topic, term) for the top terms.", {
        "topic": "topic id", "rank": "1 = best term (by probability unless the report's λ < 1)",
        "term": "the term's key (lemma; multi-word terms joined by _)", "display": "the term as the corpus writes it most often",
        "weight": "p(term | topic)", "relevance": "pyLDAvis relevance at the report's λ",
    }),
    "topic_term_matrix": ("Full topic–term matrix, wide: one row per topic, one column per term.", {
        "topic": "topic id", "<term>": "p(term | topic) (one column per vocabulary term)",
    }),
    "document_topic": ("Document–topic matrix: one row per document.", {
        "doc_id": "document id", "topic_<k>": "share of topic k in the document (rows sum to 1)",
    }),
    "prevalence_by_period": ("Topic prevalence per period (tidy).", {
        "topic": "topic id", "period": "period (e.g. 2024-10 for months)", "share": "mean topic share of the period's documents",
    }),
    "prevalence_by_source": ("Topic prevalence per source (tidy).", {
        "topic": "topic id", "source": "source / outlet", "share": "mean topic share of the source's documents",
    }),
    "prevalence_by_section": ("Topic prevalence per section (tidy).", {
        "topic": "topic id", "section": "section", "share": "mean topic share of the section's documents",
    }),
    "themes_by_period": ("Seeded theme shares per period (tidy).", {
        "theme": "theme name (commerce, énergie, diplomatie, …)", "period": "period", "share": "mean theme share",
    }),
    "effects": ("Expected topic prevalence at each level of each covariate, with intervals (method of composition).", {
        "topic": "topic id", "label": "topic label", "covariate": "date:<period> or a metadata field",
        "level": "period or value", "estimate": "expected topic share (mean of the pooled draws)",
        "ci_low": "lower bound of the interval (95 % by default)", "ci_high": "upper bound",
        "n_documents": "documents at this level",
    }),
    "effects_contrasts": ("Difference in expected prevalence between two levels (a - b), with intervals.", {
        "topic": "topic id", "label": "topic label", "covariate": "covariate", "level_a": "level a",
        "level_b": "level b (the reference)", "estimate": "a - b", "ci_low": "lower bound", "ci_high": "upper bound",
    }),
    "topic_correlations": ("Correlation of topic shares across documents (stm topicCorr, simple method).", {
        "topic": "topic id", "<k>": "correlation with topic k",
    }),
    "intrusion_scores": ("Human validation: intrusion scores per topic.", {
        "task_set": "task set id", "kind": "word or topic intrusion", "topic": "topic id (topic intrusion: the document's main topic)",
        "n_answers": "answers", "model_precision": "share of answers that found the intruder",
        "topic_log_odds": "mean log odds (topic intrusion; 0 = always right)",
    }),
    "k_selection": ("Measures for each number of topics tried.", {
        "k": "number of topics", "<measure>": "coherence, diversity, perplexity, stability… as computed",
    }),
}  # fmt: skip


def _flat(frame: Any) -> Any:
    """Lists → '; '-joined strings so CSV and Parquet hold the same values."""
    frame = frame.copy()
    for col in frame.columns:
        if frame[col].map(lambda v: isinstance(v, list | tuple)).any():
            frame[col] = frame[col].map(lambda v: "; ".join(map(str, v)) if isinstance(v, list | tuple) else v)
    return frame


def write_tables(tables: dict[str, Any], directory: str | Path) -> list[Path]:
    """Write every table as CSV and Parquet plus a ``README.md``; return the paths written.

    Parameters
    ----------
    tables : dict of str to DataFrame
        Name → table (names from :data:`TABLE_DOCS` get their columns documented).
    directory : path
    """
    from toolkit.runtime import atomic_path, atomic_write_text

    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    written = []
    readme = ["# Report tables\n",
              "Each table is written twice: `NAME.csv` (UTF-8, comma-separated, header row) and "
              "`NAME.parquet`. In Python: `pandas.read_parquet(\"NAME.parquet\")` or "
              "`pandas.read_csv(\"NAME.csv\")`; in R: `arrow::read_parquet(\"NAME.parquet\")` or "
              "`readr::read_csv(\"NAME.csv\")`.\n"]  # fmt: skip
    for name, frame in tables.items():
        if frame is None:
            continue
        flat = _flat(frame).reset_index(drop=True)
        flat.columns = [str(c) for c in flat.columns]
        with atomic_path(d / f"{name}.csv", suffix=".csv") as tmp:
            flat.to_csv(tmp, index=False, lineterminator="\n")
        with atomic_path(d / f"{name}.parquet", suffix=".parquet") as tmp:
            flat.to_parquet(tmp, index=False)
        written += [d / f"{name}.csv", d / f"{name}.parquet"]
        desc, cols = TABLE_DOCS.get(name, ("", {}))
        readme.append(f"\n## {name}\n\n{desc} Files: `{name}.csv`, `{name}.parquet`; "
                      f"{len(flat):,} rows × {len(flat.columns):,} columns.\n\n| column | meaning |\n|---|---|\n")  # fmt: skip
        documented = set()
        for col, meaning in cols.items():
            if col.startswith("<") or col.endswith(">") or col in flat.columns:
                readme.append(f"| `{col}` | {meaning} |\n")
                documented.add(col)
        for col in flat.columns:
            if col not in documented and not any(c.startswith("<") or c.endswith(">") for c in cols):
                readme.append(f"| `{col}` | |\n")
    atomic_write_text(d / "README.md", "".join(readme))
    written.append(d / "README.md")
    return written
