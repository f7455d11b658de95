"""The report's sections for a paper: effects with intervals, topic correlations, human
validation scores and the curation applied.

:func:`collect_research` fills the matching :class:`~toolkit.report.data.ReportData` fields;
each part that cannot be computed (no dates, one source, no answers yet) is left out with a
note rather than failing the report.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

#: Posterior draws used by the report's effects (stm's default).
REPORT_DRAWS = 25


def report_effects(run_dir: Path, output: Any, corpus_dir: Path | None, period: str, seed: int,
                   covariates: list[str] | None = None, draws: int = REPORT_DRAWS) -> tuple[Any, list[str]]:  # fmt: skip
    """Effects of ``covariates`` on every topic, or (None, notes).

    ``covariates``: ``["auto"]`` (default) = time (``date:<period>``) and source when the corpus
    has them; ``[]`` = no effects; else the covariates as ``fnt topics effects`` takes them.
    """
    from toolkit.errors import ToolkitError
    from toolkit.topics.effects import estimate_effects
    from toolkit.topics.runs import document_metadata

    notes: list[str] = []
    covariates = ["auto"] if covariates is None else list(covariates)
    if not covariates:
        return None, ["effects switched off ([report] effects = [])"]
    if corpus_dir is None:
        return None, ["no corpus recorded for this run: no effects"]
    covs = [c for c in covariates if c != "auto"]
    if "auto" in covariates:
        meta = document_metadata(corpus_dir)
        if "date" in meta and meta["date"].notna().any() and f"date:{period}" not in covs:
            covs.append(f"date:{period}")
        if "source" in meta and meta["source"].dropna().nunique() >= 2 and "source" not in covs:
            covs.append("source")
    if not covs:
        return None, ["the corpus has neither dates nor several sources: no effects"]
    try:
        res = estimate_effects(run_dir, covs, corpus=corpus_dir, contrasts="reference", n_draws=draws,
                               seed=seed)  # fmt: skip
    except ToolkitError as exc:
        if "collinear" not in str(exc) or len(covs) < 2:
            log.warning("effects skipped: %s", exc)
            return None, [f"effects skipped: {exc}"]
        notes.append(f"{' and '.join(covs)} are collinear in this corpus: each is estimated in its own regression")
        parts = []
        for cov in covs:
            try:
                parts.append(estimate_effects(run_dir, [cov], corpus=corpus_dir, contrasts="reference",
                                              n_draws=draws, seed=seed))  # fmt: skip
            except ToolkitError as exc2:
                notes.append(f"{cov}: effects skipped: {exc2}")
        if not parts:
            return None, notes
        res = combine_effects(parts)
    return res, notes


def combine_effects(parts: list[Any]) -> Any:
    """One EffectsResult from separate regressions (one covariate each)."""
    import pandas as pd

    from toolkit.topics.effects import EffectsResult

    info = dict(parts[0].info)
    info["covariates"] = [c for p in parts for c in p.info["covariates"]]
    info["notes"] = [n for p in parts for n in p.info["notes"]]
    info["documents_used"] = max(p.info["documents_used"] for p in parts)
    info["separate_regressions"] = True
    return EffectsResult(pd.concat([p.estimates for p in parts], ignore_index=True),
                         pd.concat([p.contrasts for p in parts], ignore_index=True), info)  # fmt: skip


def collect_research(run_dir: Path, output: Any, corpus_dir: Path | None, period: str,
                     manifest: dict[str, Any], effects: list[str] | None = None,
                     draws: int = REPORT_DRAWS) -> dict[str, Any]:  # fmt: skip
    """The ReportData fields of the research sections (see the module docstring)."""
    from toolkit.report.charts import figure_png
    from toolkit.topics.correlation import (
        correlation_edges,
        plot_correlation_graph,
        topic_correlations,
    )

    fields: dict[str, Any] = {}
    corr = topic_correlations(output)
    corr.index = [f"{t}" for t in corr.index]
    wide = corr.round(3).reset_index().rename(columns={"index": "topic"})
    wide.columns = [str(c) for c in wide.columns]
    fields["correlations"] = wide
    fields["correlation_edges"] = correlation_edges(output)
    fields["correlation_plot"] = figure_png(plot_correlation_graph(output)) if output.n_topics > 1 else None

    seed = int(manifest.get("seed", 0) or 0)
    effects, notes = report_effects(run_dir, output, corpus_dir, period, seed, effects, draws)
    fields["effects"] = effects
    fields["effects_notes"] = notes + (list(effects.info.get("notes", [])) if effects is not None else [])
    plots: dict[str, bytes] = {}
    if effects is not None:
        from toolkit.topics.effects import plot_contrasts, plot_levels, plot_time

        for cov in effects.info["covariates"]:
            if cov.startswith("date:"):
                plots[cov] = figure_png(plot_time(effects, cov))
            else:
                plots[cov] = figure_png(plot_levels(effects, cov))
                if len(effects.contrasts[effects.contrasts["covariate"] == cov]):
                    plots[f"{cov} differences"] = figure_png(plot_contrasts(effects, cov))
    fields["effects_plots"] = plots

    from toolkit.topics.intrusion import score_run

    fields["validation"] = score_run(run_dir, output)
    fields["curation"] = output.info.get("curation")
    return fields
