"""Gather a run directory into :class:`~toolkit.report.data.ReportData`."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from toolkit.errors import StageMissingError
from toolkit.report.data import ReportData

log = logging.getLogger(__name__)

PERIOD_FREQ = {"week": "W", "month": "M", "quarter": "Q", "year": "Y"}


def _read_json(p: Path) -> Any:
    return json.loads(p.read_text(encoding="utf-8")) if p.is_file() else None


def run_corpus_dir(run_dir: Path, manifest: dict[str, Any]) -> Path | None:
    """The corpus directory a run used (from its manifest's stages)."""
    for st in manifest.get("stages", []):
        if st.get("stage") in ("annotation", "corpus") and st.get("path"):
            p = Path(st["path"])
            p = p if p.is_absolute() else run_dir / p
            if (p / "corpus" / "documents.parquet").is_file():
                return p / "corpus"
    return None


def seed_summary(output: Any, meta: Any, seed_id: str, n: int = 8) -> dict[str, Any] | None:
    """The seed document's topic mixture and its nearest documents by topic mixture.

    Nearness is 1 − Hellinger distance between document–topic rows.
    """
    import numpy as np
    import pandas as pd

    if seed_id not in output.doc_ids:
        return None
    i = output.doc_ids.index(seed_id)
    theta = output.doc_topic
    mix = pd.DataFrame({"topic": range(output.n_topics), "label": output.labels,
                        "share": np.round(theta[i], 4)})  # fmt: skip
    mix = mix.sort_values("share", ascending=False, kind="stable").head(6).reset_index(drop=True)
    root = np.sqrt(np.clip(theta, 0, None))
    hell = np.sqrt(0.5 * ((root - root[i]) ** 2).sum(axis=1))
    sim = 1.0 - hell
    sim[i] = -np.inf
    order = np.argsort(-sim, kind="stable")[:n]
    nb = pd.DataFrame({"doc_id": [output.doc_ids[j] for j in order], "similarity": np.round(sim[order], 4)})
    info: dict[str, Any] = {"id": seed_id}
    if meta is not None:
        m = meta.set_index("id")
        nb = nb.join(m[["title", "date", "source", "url"]], on="doc_id")
        if seed_id in m.index:
            row = m.loc[seed_id]
            info.update(title=row.get("title"), date=row.get("date"), source=row.get("source"))
    info.update(mixture=mix, neighbours=nb)
    return info


_PERIOD_FMT = {"week": "%Y-%m-%d", "month": "%Y-%m", "quarter": "%Y-%m", "year": "%Y"}


def _prevalence(output: Any, corpus_dir: Path | None, by: str, period: str, what: str = "topics",
                themes: Any = "default") -> Any:  # fmt: skip
    """Tidy prevalence from :func:`toolkit.topics.prevalence.prevalence` with the report's
    column names (``topic|theme``, ``period|source|section``, ``share``), or None."""
    if corpus_dir is None:
        return None
    from toolkit.errors import ToolkitError
    from toolkit.topics.prevalence import topic_prevalence as prevalence

    key = period if by == "period" else by
    try:
        frame = prevalence(output, corpus_dir, by=key, what=what, themes=themes)
    except ToolkitError as exc:  # e.g. no dates in the corpus
        log.warning("prevalence by %s skipped: %s", key, exc)
        return None
    frame = frame.copy()
    if by == "period":
        frame["period"] = frame["period"].dt.strftime(_PERIOD_FMT.get(period, "%Y-%m-%d"))
    if what == "themes":
        frame = frame.rename(columns={"topic": "theme"})
        return frame[["theme", "period", "share", "n_documents"]]
    return frame[["topic", by, "share", "n_documents"]]


def collect(run_dir: str | Path, manifest: dict[str, Any] | None = None) -> ReportData:
    """Read a run directory into :class:`ReportData` (corpus, topics, themes, seed, tables).

    Raises
    ------
    StageMissingError
        When ``run_dir`` holds no topic model output (``model/``).
    """
    import numpy as np
    import pandas as pd

    from toolkit.topics.correlation import frex_scores, frex_terms
    from toolkit.topics.curation import load_curated
    from toolkit.topics.describe import (
        describe_topics,
        relevance,
        relevant_terms,
        representative_documents,
    )

    run_dir = Path(run_dir)
    if not (run_dir / "model").is_dir():
        raise StageMissingError(
            f"{run_dir} holds no topic model (model/); run: fnt run EXPERIMENT.toml --out {run_dir}"
        )
    if manifest is None:
        manifest = _read_json(run_dir / "manifest.json") or {}
    config = _read_json(run_dir / "config.json") or {}
    rep = config.get("report", {})
    lam = float(rep.get("relevance_lambda", 1.0))
    n_terms = int(rep.get("n_terms", 25))
    n_docs = int(rep.get("n_documents", 5))
    period = rep.get("period", "month")
    output = load_curated(run_dir)  # curation.toml applied when present
    corpus_dir = run_corpus_dir(run_dir, manifest)
    if corpus_dir is None:  # a topics run (fnt topics train) records its corpus directory
        from toolkit.topics.runs import resolve_run

        corpus_dir = resolve_run(run_dir).corpus_dir
    meta = None
    corpus: dict[str, Any] = {}
    if corpus_dir is not None:
        from toolkit.corpus.documents import Corpus
        from toolkit.corpus.ingest import corpus_info

        corpus = corpus_info(corpus_dir)
        meta = Corpus(corpus_dir).metadata_frame()
    evaluation = _read_json(run_dir / "evaluation.json") or {}
    per_topic = evaluation.get("per_topic", {})
    coh_name = next((m for m in ("npmi", "c_v", "umass") if m in per_topic), None)

    desc = describe_topics(output, n=n_terms, lambda_=lam)
    frex = frex_scores(output)
    topics = pd.DataFrame({
        "topic": desc["topic"].astype(int),
        "label": desc["label"],
        "prevalence": desc["prevalence"].astype(float),
        "coherence": _curated_scores(per_topic[coh_name], output) if coh_name else [float("nan")] * output.n_topics,
        "theme": desc["theme"],
        "terms": [output.shown(relevant_terms(output, t, n_terms, lam)) for t in range(output.n_topics)],
        "frex": [output.shown(frex_terms(output, t, 10, scores=frex)) for t in range(output.n_topics)],
    })  # fmt: skip

    docs: dict[int, Any] = {}
    reps = representative_documents(output, corpus_dir, n=n_docs)
    if meta is not None and len(reps):
        reps = reps.merge(meta[["id", "url"]].rename(columns={"id": "doc_id"}), on="doc_id", how="left")
    for t, g in reps.groupby("topic"):
        docs[int(t)] = g.drop(columns=["topic"]).reset_index(drop=True)

    prev_time = _prevalence(output, corpus_dir, "period", period)
    prev_source = _prevalence(output, corpus_dir, "source", period)
    prev_section = _prevalence(output, corpus_dir, "section", period)
    themes_time = None
    if output.themes or (config.get("topics", {}).get("themes") is not None):
        themes_time = _prevalence(output, corpus_dir, "period", period, what="themes",
                                  themes=config.get("topics", {}).get("themes") or "default")  # fmt: skip

    selection = None
    selection_png = None
    note = ""
    sel_dir = run_dir / "selection"
    if sel_dir.is_dir():
        csvs = sorted(sel_dir.glob("*.csv"))
        if csvs:
            selection = pd.read_csv(csvs[0])
        pngs = sorted(sel_dir.glob("*.png"))
        if pngs:
            selection_png = pngs[0].read_bytes()
        elif selection is not None:
            from toolkit.report.charts import selection_png as _plot

            selection_png = _plot(selection)
        rec = _read_json(sel_dir / "recommendation.json") or {}
        if rec:
            note = f"Recommended: {rec.get('reason', '')} (this run uses k = {output.n_topics})."

    seed = seed_summary(output, meta, rep.get("seed_document", "seed-000-4aed66ba79373d17"))

    ldavis_html = None
    if rep.get("ldavis", True):
        from toolkit.report.ldavis import from_output, to_html

        ldavis_html = to_html(from_output(output, n_terms=min(30, output.n_terms)), visid="ldavis-vis")

    # tables
    tt_rows = []
    for t in range(output.n_topics):
        r = relevance(output, t, lam)
        for rank, term in enumerate(relevant_terms(output, t, n_terms, lam), start=1):
            j = output.vocabulary.index(term)
            shown = output.display[j] if output.display else term.replace("_", " ")
            tt_rows.append((t, rank, term, shown, float(output.topic_term[t, j]), float(r[j])))
    topic_term = pd.DataFrame(tt_rows, columns=["topic", "rank", "term", "display", "weight", "relevance"])
    matrix = pd.DataFrame(np.round(output.topic_term, 8), columns=output.vocabulary)
    matrix.insert(0, "topic", range(output.n_topics))
    doc_topic = output.document_topics_frame()
    doc_topic.iloc[:, 1:] = doc_topic.iloc[:, 1:].round(6)
    tables = {"topics": topics, "topic_term": topic_term, "topic_term_matrix": matrix,
              "document_topic": doc_topic, "prevalence_by_period": prev_time,
              "prevalence_by_source": prev_source, "prevalence_by_section": prev_section,
              "themes_by_period": themes_time, "k_selection": selection}  # fmt: skip
    from toolkit.report.research import collect_research

    research = collect_research(run_dir, output, corpus_dir, period, manifest,
                                effects=rep.get("effects", ["auto"]), draws=int(rep.get("effects_draws", 25)))  # fmt: skip
    tables.update(research_tables(research))
    tables = {k: v for k, v in tables.items() if v is not None}
    evaluation = {**{k: v for k, v in evaluation.items() if k != "per_topic"},
                  "relevance_lambda": lam, "period": period}  # fmt: skip
    title = f"Topic report — {config.get('experiment', {}).get('name', run_dir.name)}"
    return ReportData(
        title=title, corpus=corpus, topics=topics, documents=docs, prevalence_time=prev_time,
        prevalence_source=prev_source, prevalence_section=prev_section, themes_time=themes_time,
        selection=selection, selection_plot=selection_png, selection_note=note, seed=seed,
        evaluation=evaluation, manifest=manifest, ldavis_html=ldavis_html, tables=tables, **research,
    )  # fmt: skip


def _curated_scores(values: list[float], output: Any) -> list[float]:
    """Per-topic scores of the trained topics mapped to the curated ones (NaN for merged topics)."""
    cur = output.info.get("curation")
    if not cur:
        return list(values)
    return [float(values[g[0]]) if len(g) == 1 else float("nan") for g in cur["groups"]]


def research_tables(research: dict[str, Any]) -> dict[str, Any]:
    """The exported tables of the research sections (effects, correlations, validation)."""
    import pandas as pd

    out: dict[str, Any] = {"topic_correlations": research.get("correlations")}
    eff = research.get("effects")
    if eff is not None:
        out["effects"] = eff.estimates
        out["effects_contrasts"] = eff.contrasts
    scores = research.get("validation") or []
    if scores:
        rows = []
        for s in scores:
            per = s["per_topic"].copy()
            per.insert(0, "task_set", s["task_set"])
            per.insert(1, "kind", s["kind"])
            rows.append(per)
        out["intrusion_scores"] = pd.concat(rows, ignore_index=True)
    return out
