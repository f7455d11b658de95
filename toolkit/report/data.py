"""What a report shows, gathered from a run directory into plain tables.

:class:`ReportData` holds everything the HTML, Markdown and table writers render; they read
nothing else. :func:`collect` fills it from a run directory written by ``fnt run``: the corpus,
the topic model output (:func:`toolkit.topics.load_output`), its descriptions (relevance terms,
labels, representative documents), prevalence over time and by source/section, seeded themes,
the k-selection table and plot, evaluation scores and the manifest.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

#: Names the topic output type may use for each array (first match wins).
_ALIASES = {
    "topic_term": ("topic_term", "topic_term_dists", "topic_term_matrix", "components_"),
    "doc_topic": ("doc_topic", "doc_topic_dists", "document_topic", "document_topics", "doc_topic_matrix"),
    "vocabulary": ("vocabulary", "vocab", "terms"),
    "term_frequency": ("term_frequency", "term_frequencies", "term_counts"),
    "doc_lengths": ("doc_lengths", "document_lengths"),
    "doc_ids": ("doc_ids", "document_ids", "ids"),
}


def output_arrays(output: Any) -> dict[str, Any]:
    """The six arrays of a topic model output, whatever the attribute names.

    Returns
    -------
    dict
        ``topic_term`` (n_topics, n_terms), ``doc_topic`` (n_documents, n_topics),
        ``vocabulary`` (n_terms), ``term_frequency`` (n_terms), ``doc_lengths`` (n_documents),
        ``doc_ids`` (n_documents).
    """
    import numpy as np

    out = {}
    for key, names in _ALIASES.items():
        for name in names:
            value = output.get(name) if isinstance(output, dict) else getattr(output, name, None)
            if value is not None:
                out[key] = value
                break
        else:
            raise AttributeError(f"topic output has no {key} (looked for {', '.join(names)})")
    out["topic_term"] = np.asarray(out["topic_term"], dtype=float)
    out["doc_topic"] = np.asarray(out["doc_topic"], dtype=float)
    out["vocabulary"] = [str(v) for v in out["vocabulary"]]
    out["doc_ids"] = [str(v) for v in out["doc_ids"]]
    return out


@dataclass
class ReportData:
    """Everything a report renders (pandas DataFrames and plain values).

    Attributes
    ----------
    title : str
    corpus : dict
        ``documents, words, date_min, date_max, sources, sections`` (name → count).
    topics : DataFrame
        One row per topic: ``topic`` (int id), ``label``, ``terms`` (list of str, best first),
        ``prevalence`` (share of the corpus), ``coherence`` (float or NaN), ``theme`` (str or ""),
        ``frex`` (list of str: the 10 best terms by FREX, stm's ``labelTopics``).
    documents : dict of int to DataFrame
        Topic id → representative documents: ``doc_id, title, date, source, url, share``.
    prevalence_time : DataFrame or None
        Tidy: ``topic, period, share``.
    prevalence_source, prevalence_section : DataFrame or None
        Tidy: ``topic, source|section, share``.
    themes_time : DataFrame or None
        Tidy: ``theme, period, share``.
    selection : DataFrame or None
        The k-selection table (one row per k).
    selection_plot : bytes or None
        PNG.
    selection_note : str
        The recommended k and why.
    seed : dict or None
        ``id, title, date, source, mixture`` (DataFrame ``topic, label, share``),
        ``neighbours`` (DataFrame ``doc_id, title, date, source, url, similarity``).
    evaluation : dict
    manifest : dict
    ldavis_html : str or None
        Offline LDAvis fragment (:func:`toolkit.report.ldavis.to_html`).
    tables : dict of str to DataFrame
        Tables exported as CSV and Parquet (name → frame).
    correlations : DataFrame or None
        Topic × topic correlation of document shares (``topic`` then one column per topic).
    correlation_edges : DataFrame or None
        Pairs correlated above the cutoff: ``topic_a, topic_b, label_a, label_b, correlation``.
    correlation_plot : bytes or None
        PNG of the topic graph.
    effects : EffectsResult or None
        Prevalence by period and source with intervals (:mod:`toolkit.topics.effects`).
    effects_plots : dict of str to bytes
        Covariate (or "<covariate> differences") → PNG.
    effects_notes : list of str
    validation : list of dict or None
        Intrusion scores per task set (:func:`toolkit.topics.intrusion.score_run`).
    curation : dict or None
        The curation applied (:mod:`toolkit.topics.curation`).
    """

    title: str
    corpus: dict[str, Any]
    topics: Any
    documents: dict[int, Any] = field(default_factory=dict)
    prevalence_time: Any = None
    prevalence_source: Any = None
    prevalence_section: Any = None
    themes_time: Any = None
    selection: Any = None
    selection_plot: bytes | None = None
    selection_note: str = ""
    seed: dict[str, Any] | None = None
    evaluation: dict[str, Any] = field(default_factory=dict)
    manifest: dict[str, Any] = field(default_factory=dict)
    ldavis_html: str | None = None
    tables: dict[str, Any] = field(default_factory=dict)
    correlations: Any = None
    correlation_edges: Any = None
    correlation_plot: bytes | None = None
    effects: Any = None
    effects_plots: dict[str, bytes] = field(default_factory=dict)
    effects_notes: list[str] = field(default_factory=list)
    validation: list[dict[str, Any]] | None = None
    curation: dict[str, Any] | None = None


def read_manifest(run_dir: Path) -> dict[str, Any]:
    p = Path(run_dir) / "manifest.json"
    return json.loads(p.read_text(encoding="utf-8")) if p.is_file() else {}
