"""Topic prevalence regressed on document metadata, with uncertainty (stm's ``estimateEffect``).

The **method of composition** (Roberts, Stewart & Airoldi 2016; stm's ``estimateEffect``):

1. draw every document's topic shares from the model's posterior
   (:func:`toolkit.topics.posterior.topic_posterior`: the variational Dirichlet of gensim and
   scikit-learn LDA, the Gibbs counts of tomotopy, an approximation for NMF — said in the
   output);
2. for each draw and each topic, fit an OLS regression of the topic's share on the covariates
   (statsmodels' estimator and covariance formulas, computed for all topics of a draw at once;
   heteroskedasticity-robust HC3 covariance by default, ``cov_type="nonrobust"`` is stm's);
3. from each fit, sample ``n_sims`` coefficient vectors from its sampling distribution
   N(beta, V) and pool all draws: the spread of the pool holds both the regression's sampling
   error and the model's uncertainty about the documents' topics.

The expected prevalence of a topic at a level of a covariate is the average prediction over
the documents with that covariate set to the level (the others as observed); a contrast is
the difference between two levels. Estimates are the pool's mean, intervals its percentiles.

Covariates
    ``FIELD`` — any metadata field (``source``, ``section``, or a key of the documents'
    ``meta``), categorical: one dummy per level (the most frequent level is the reference).
    ``date:week``, ``date:month``, ``date:quarter``, ``date:year`` — period dummies.
    ``date:spline`` (``date:spline:DF``) — a cubic B-spline of the date (DF basis functions,
    default 4); estimates are given at the start of each month.

Documents without a value for a covariate are dropped and counted; levels with fewer than
``min_documents`` documents are dropped (with their documents) and reported in ``notes``.

Examples
--------
>>> from toolkit.topics.effects import estimate_effects
>>> res = estimate_effects("runs/demo", ["source", "date:month"], seed=1)    # doctest: +SKIP
>>> res.estimates.head()                                                     # doctest: +SKIP
   topic        label covariate        level  estimate  ci_low  ci_high  n_documents
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from toolkit.errors import ConfigError

log = logging.getLogger(__name__)

PERIODS = {"day": "D", "week": "W-MON", "month": "M", "quarter": "Q", "year": "Y"}
_PERIOD_FMT = {"day": "%Y-%m-%d", "week": "%Y-%m-%d", "month": "%Y-%m", "quarter": "%Y-%m", "year": "%Y"}
COV_TYPES = ("HC3", "HC1", "HC0", "HC2", "nonrobust")


@dataclass(frozen=True)
class Covariate:
    """A parsed covariate spec (``source``, ``date:month``, ``date:spline:4``)."""

    spec: str
    field: str
    kind: str  # categorical | period | spline
    unit: str = ""
    df: int = 4

    @classmethod
    def parse(cls, spec: str) -> Covariate:
        parts = str(spec).split(":")
        name = parts[0].strip()
        if not name:
            raise ConfigError(f"covariate {spec!r}: give a metadata field, e.g. source or date:month")
        if len(parts) == 1:
            return cls(spec, name, "categorical")
        how = parts[1].strip()
        if how in PERIODS and len(parts) == 2:
            return cls(spec, name, "period", how)
        if how == "spline" and len(parts) <= 3:
            df = 4
            if len(parts) == 3:
                try:
                    df = int(parts[2])
                except ValueError:
                    raise ConfigError(f"covariate {spec!r}: the spline's degrees of freedom must be an integer") from None
            if not 2 <= df <= 12:
                raise ConfigError(f"covariate {spec!r}: spline degrees of freedom must be in 2..12")
            return cls(spec, name, "spline", "month", df)
        raise ConfigError(
            f"covariate {spec!r} not understood: use FIELD (categorical), FIELD:{'|'.join(PERIODS)} "
            "(period dummies) or FIELD:spline[:DF]"
        )


@dataclass
class EffectsResult:
    """Effect estimates of one run.

    Attributes
    ----------
    estimates : DataFrame
        ``topic, label, covariate, level, estimate, ci_low, ci_high, n_documents``: expected
        prevalence of each topic at each level.
    contrasts : DataFrame
        ``topic, label, covariate, level_a, level_b, estimate, ci_low, ci_high``: difference
        ``a - b`` in expected prevalence.
    info : dict
        Method, posterior kind and note, draws, seed, interval level, documents used/dropped,
        ``notes`` (levels dropped, rows without a value).
    """

    estimates: Any
    contrasts: Any
    info: dict[str, Any] = field(default_factory=dict)

    def rows(self) -> list[dict[str, Any]]:
        """JSON rows: one per (topic, covariate, level), then one per contrast."""
        out = []
        for r in self.estimates.to_dict("records"):
            out.append({"topic": int(r["topic"]), "label": r["label"], "covariate": r["covariate"],
                        "level": r["level"], "estimate": round(float(r["estimate"]), 6),
                        "ci_low": round(float(r["ci_low"]), 6), "ci_high": round(float(r["ci_high"]), 6),
                        "n_documents": int(r["n_documents"])})  # fmt: skip
        for r in self.contrasts.to_dict("records"):
            out.append({"topic": int(r["topic"]), "label": r["label"], "covariate": r["covariate"],
                        "level": f"{r['level_a']} - {r['level_b']}", "contrast": [r["level_a"], r["level_b"]],
                        "estimate": round(float(r["estimate"]), 6), "ci_low": round(float(r["ci_low"]), 6),
                        "ci_high": round(float(r["ci_high"]), 6)})  # fmt: skip
        return out


# --------------------------------------------------------------------------- design


def _dates(values):
    import pandas as pd

    d = pd.to_datetime(values, errors="coerce", utc=True, format="mixed")
    return d.dt.tz_convert(None)


def _column(meta, cov: Covariate):
    """The covariate's values per document (strings for levels, timestamps for splines)."""
    import pandas as pd

    raw = meta[cov.field]
    if cov.kind == "categorical":
        return raw.map(lambda v: None if v is None or (isinstance(v, float) and np.isnan(v)) or str(v).strip() == ""
                       else str(v))  # fmt: skip
    dates = _dates(raw)
    if cov.kind == "period":
        per = dates.dt.to_period(PERIODS[cov.unit]).dt.start_time
        return pd.Series([None if pd.isna(p) else p.strftime(_PERIOD_FMT[cov.unit]) for p in per], index=raw.index)
    return dates


class _Block:
    """The design columns of one covariate, and how to set every document to a level."""

    def __init__(self, cov: Covariate, values, min_documents: int, notes: list[str]) -> None:
        import pandas as pd

        self.cov = cov
        if cov.kind in ("categorical", "period"):
            counts = pd.Series(values).value_counts()
            small = counts[counts < min_documents]
            if len(small):
                notes.append(f"{cov.spec}: level(s) with fewer than {min_documents} documents dropped: "
                             + ", ".join(f"{k} ({v})" for k, v in small.items()))  # fmt: skip
                log.warning(notes[-1])
            kept = counts[counts >= min_documents]
            if cov.kind == "period":
                self.levels = sorted(kept.index)
                self.reference = self.levels[0] if self.levels else None
            else:
                self.levels = sorted(kept.index)
                self.reference = kept.index[0] if len(kept) else None  # most frequent
            self.counts = {str(k): int(v) for k, v in kept.items()}
            self.keep = np.asarray([v in self.counts for v in values])
        else:
            self.keep = np.ones(len(values), dtype=bool)

    def fit(self, values) -> None:
        import pandas as pd

        if self.cov.kind != "spline":
            if len(self.levels) < 2:
                raise ConfigError(
                    f"covariate {self.cov.spec}: {len(self.levels)} level(s) left with enough documents; "
                    "an effect needs at least two (lower min_documents or choose another field)"
                )
            self.dummies = [lv for lv in self.levels if lv != self.reference]
            return
        from sklearn.preprocessing import SplineTransformer

        days = self._days(values)
        self.origin = days.min()
        self.spline = SplineTransformer(n_knots=max(2, self.cov.df - 1), degree=3, include_bias=False)
        self.spline.fit(days.reshape(-1, 1) - self.origin)
        months = pd.Series(values).dt.to_period("M").dt.start_time
        self.levels = sorted({m.strftime("%Y-%m") for m in months})
        counts = months.dt.strftime("%Y-%m").value_counts()
        self.counts = {k: int(counts.get(k, 0)) for k in self.levels}
        self.grid = {lv: self._days(pd.Series([pd.Timestamp(lv + "-01")]))[0] for lv in self.levels}
        self.reference = self.levels[0]

    @staticmethod
    def _days(values) -> np.ndarray:
        import pandas as pd

        s = pd.Series(values)
        return ((s - pd.Timestamp("1970-01-01")).dt.total_seconds() / 86400.0).to_numpy(dtype=np.float64)

    @property
    def names(self) -> list[str]:
        if self.cov.kind == "spline":
            return [f"{self.cov.spec}[{i}]" for i in range(self.spline.n_features_out_)]
        return [f"{self.cov.spec}[{lv}]" for lv in self.dummies]

    def columns(self, values) -> np.ndarray:
        if self.cov.kind == "spline":
            return self.spline.transform(self._days(values).reshape(-1, 1) - self.origin)
        v = np.asarray(list(values), dtype=object)
        return np.column_stack([(v == lv).astype(np.float64) for lv in self.dummies])

    def at_level(self, level: str, n: int) -> np.ndarray:
        if self.cov.kind == "spline":
            x = self.spline.transform(np.array([[self.grid[level] - self.origin]]))
            return np.repeat(x, n, axis=0)
        return np.repeat(np.array([[1.0 if lv == level else 0.0 for lv in self.dummies]]), n, axis=0)


# --------------------------------------------------------------------------- estimation


class _BatchOLS:
    """OLS of many responses on one design, with statsmodels' covariance formulas.

    ``fit(Y)`` returns ``params`` (p, k) and ``covs`` (k, p, p) for ``cov_type`` nonrobust,
    HC0, HC1, HC2 or HC3 (``statsmodels.regression.linear_model.RegressionResults``:
    ``pinv(X) diag(w) pinv(X)'`` with w = e², e²·n/(n−p), e²/(1−h), e²/(1−h)²).
    """

    def __init__(self, X: np.ndarray, cov_type: str) -> None:
        self.X = X
        self.cov_type = cov_type
        self.pinv = np.linalg.pinv(X)  # (p, n)
        self.n, self.p = X.shape
        self.h = np.einsum("ij,ji->i", X, self.pinv)  # leverages, diag of the hat matrix
        self.xtx_inv = self.pinv @ self.pinv.T

    def fit(self, Y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        params = self.pinv @ Y
        resid = Y - self.X @ params
        n, p = self.n, self.p
        if self.cov_type == "nonrobust":
            s2 = (resid**2).sum(axis=0) / (n - p)
            return params, s2[:, None, None] * self.xtx_inv[None]
        w = resid**2
        if self.cov_type == "HC1":
            w = w * n / (n - p)
        elif self.cov_type == "HC2":
            w = w / (1 - self.h)[:, None]
        elif self.cov_type == "HC3":
            w = w / ((1 - self.h) ** 2)[:, None]
        covs = np.stack([(self.pinv * w[:, k]) @ self.pinv.T for k in range(Y.shape[1])])
        return params, covs


def available_fields(meta) -> list[str]:
    """Metadata fields a covariate can name (every column but the id, title, url and text)."""
    return [c for c in meta.columns if c not in ("doc_id", "id", "title", "url", "text")]


def estimate_effects(
    run: Any,
    covariates: list[str] | str,
    *,
    corpus: Any = None,
    contrasts: list[str] | None = None,
    level: float = 0.95,
    n_draws: int = 25,
    n_sims: int = 40,
    min_documents: int = 5,
    cov_type: str = "HC3",
    seed: int = 0,
    topics: list[int] | None = None,
    include_junk: bool = False,
    output: Any = None,
    posterior: Any = None,
    curation: Any = True,
    engine: str = "batch",
) -> EffectsResult:
    """Estimate the effect of metadata on topic prevalence (see the module docstring).

    Parameters
    ----------
    run : path or None
        A topics run or experiment run directory (model, bag of words, corpus are found from
        its manifest); None when ``output`` and ``posterior`` are given.
    covariates : list of str
        Covariate specs: ``source``, ``section``, ``date:month``, ``date:spline`` …
    corpus : path or DataFrame, optional
        Document metadata (default: the run's corpus). A DataFrame needs ``doc_id`` (or ``id``).
    contrasts : list of str or "reference", optional
        ``COVARIATE:A:B`` (e.g. ``source:Agence démo:Le Quotidien démo``): ``A - B`` per topic;
        ``"reference"``: every level of each categorical covariate minus its reference level
        (the most frequent; the first period for period dummies).
    level : float
        Interval level (0.95 gives 95 % intervals).
    n_draws : int
        Draws of the document-topic shares from the posterior (stm: 25).
    n_sims : int
        Coefficient vectors sampled from each fit's sampling distribution.
    min_documents : int
        Levels with fewer documents are dropped (with a note).
    cov_type : {"HC3", "HC1", "HC0", "HC2", "nonrobust"}
        OLS covariance (statsmodels ``cov_type``).
    seed : int
        Seed of every random draw (same seed, same numbers).
    topics : list of int, optional
        Topics to estimate (default: all but junk topics).
    include_junk : bool
        Also estimate topics marked junk by the curation.
    output : TopicModelOutput, optional
        Use this output instead of the run's (then ``posterior`` too, or the approximation).
    posterior : TopicPosterior, optional
    curation : True, False or path
        Apply the run's ``curation.toml`` (True: when present).
    engine : {"batch", "statsmodels"}
        ``"statsmodels"``: one ``statsmodels`` OLS fit per draw and topic. ``"batch"`` (default):
        the same estimates and covariances (statsmodels' formulas, checked against it in the
        tests) for all topics of a draw at once, reusing the design's pseudo-inverse and
        leverages across draws — the design is the same in every draw (BENCHMARKS.md).

    Returns
    -------
    EffectsResult

    Raises
    ------
    ConfigError
        Unknown covariate field (the message lists the available ones), bad spec, a covariate
        with fewer than two usable levels, a contrast naming an unknown level.
    """
    import pandas as pd
    import statsmodels.api as sm

    from toolkit.topics.curation import apply_curation, junk_topics, read_curation
    from toolkit.topics.posterior import approximate_posterior, topic_posterior
    from toolkit.topics.runs import document_metadata, resolve_run

    if not 0 < level < 1:
        raise ConfigError(f"level must be in (0, 1), e.g. 0.95, not {level}")
    if cov_type not in COV_TYPES:
        raise ConfigError(f"cov_type must be one of {', '.join(COV_TYPES)}, not {cov_type!r}")
    if engine not in ("batch", "statsmodels"):
        raise ConfigError(f"engine must be 'batch' or 'statsmodels', not {engine!r}")
    if n_draws < 1 or n_sims < 1:
        raise ConfigError("n_draws and n_sims must be at least 1")
    specs = [covariates] if isinstance(covariates, str) else list(covariates)
    if not specs:
        raise ConfigError("give at least one covariate (e.g. --covariate source --covariate date:month)")
    covs = [Covariate.parse(s) for s in specs]
    if len({c.field for c in covs}) != len(covs):
        raise ConfigError("each metadata field may appear in one covariate only")

    paths = None
    if output is None:
        from toolkit.topics.io import load_output

        paths = resolve_run(run, corpus=corpus if not hasattr(corpus, "columns") else None)
        output = load_output(paths.output_dir)
    cur = None
    if curation is not False and paths is not None:
        from toolkit.topics.curation import CURATION_FILE

        file = paths.run_dir / CURATION_FILE if curation is True else Path(curation)
        if file.is_file():
            cur = read_curation(file, output.n_topics)
    if posterior is None:
        posterior = topic_posterior(output, paths) if paths is not None else approximate_posterior(output)
    curated = apply_curation(output, cur) if cur is not None else output

    if corpus is None:
        if paths is None or paths.corpus_dir is None:
            raise ConfigError("no corpus recorded for this run: give the corpus directory (--corpus DIR)")
        corpus = paths.corpus_dir
    meta = document_metadata(corpus)
    fields = available_fields(meta)
    for c in covs:
        if c.field not in meta.columns or c.field in ("doc_id", "id"):
            raise ConfigError(f"unknown covariate field {c.field!r}; available fields: {', '.join(fields)}")

    notes: list[str] = []
    frame = pd.DataFrame({"doc_id": output.doc_ids, "_row": np.arange(len(output.doc_ids))})
    frame = frame.merge(meta.drop_duplicates("doc_id"), on="doc_id", how="left")
    n_model = len(frame)
    values = {c.spec: _column(frame, c) for c in covs}
    missing = np.zeros(len(frame), dtype=bool)
    dropped_missing: dict[str, int] = {}
    for c in covs:
        miss = values[c.spec].isna().to_numpy()
        dropped_missing[c.spec] = int(miss.sum())
        if miss.any():
            notes.append(f"{c.spec}: {int(miss.sum())} document(s) without a value dropped")
        missing |= miss
    keep = ~missing
    blocks = []
    for c in covs:
        idx = np.flatnonzero(keep)
        b = _Block(c, values[c.spec].iloc[idx].tolist(), min_documents, notes)
        keep[idx[~b.keep]] = False
        blocks.append(b)
    rows_idx = np.flatnonzero(keep)
    n_used = len(rows_idx)
    if n_used < 3:
        raise ConfigError(f"only {n_used} document(s) left with values for {', '.join(specs)}: nothing to estimate")
    cols = [np.ones((n_used, 1))]
    names = ["Intercept"]
    for c, b in zip(covs, blocks, strict=True):
        v = values[c.spec].iloc[rows_idx].tolist()
        if c.kind != "spline":
            b.levels = [lv for lv in b.levels if lv in set(v)]
            b.counts = {lv: v.count(lv) for lv in b.levels}
        b.fit(v if c.kind != "spline" else values[c.spec].iloc[rows_idx])
        b.values = v if c.kind != "spline" else values[c.spec].iloc[rows_idx]
        cols.append(b.columns(b.values))
        names.extend(b.names)
    X = np.hstack(cols)
    rank = np.linalg.matrix_rank(X)
    if rank < X.shape[1]:
        raise ConfigError(
            f"the covariates {', '.join(specs)} are collinear in these documents (design rank {rank} < "
            f"{X.shape[1]} columns: one covariate's levels determine another's); estimate them separately"
        )
    # mean design row with covariate c set to each level (others as observed)
    offsets = np.cumsum([1] + [len(b.names) for b in blocks])
    level_rows: dict[str, dict[str, np.ndarray]] = {}
    for i, b in enumerate(blocks):
        lo, hi = offsets[i], offsets[i + 1]
        level_rows[b.cov.spec] = {}
        for lv in b.levels:
            Xl = X.copy()
            Xl[:, lo:hi] = b.at_level(lv, n_used)
            level_rows[b.cov.spec][lv] = Xl.mean(axis=0)

    wanted = []
    if contrasts == "reference":  # every level of each categorical covariate against its reference
        contrasts = None
        for b in blocks:
            if b.cov.kind != "spline":
                wanted.extend((b.cov.spec, lv, b.reference) for lv in b.levels if lv != b.reference)
    for s in contrasts or []:
        cov = next((b for b in blocks if str(s).startswith(b.cov.spec + ":")), None)
        if cov is None:
            raise ConfigError(f"contrast {s!r}: must start with one of the covariates ({', '.join(specs)}) then :A:B")
        rest = str(s)[len(cov.cov.spec) + 1 :]
        if ":" not in rest:
            raise ConfigError(f"contrast {s!r}: expected {cov.cov.spec}:LEVEL_A:LEVEL_B")
        a, b_ = rest.split(":", 1)
        for lv in (a, b_):
            if lv not in level_rows[cov.cov.spec]:
                raise ConfigError(f"contrast {s!r}: no level {lv!r} of {cov.cov.spec}; levels: "
                                  + ", ".join(map(str, level_rows[cov.cov.spec])))  # fmt: skip
        wanted.append((cov.cov.spec, a, b_))

    junk = set(junk_topics(curated))
    todo = list(range(curated.n_topics)) if topics is None else [int(t) for t in topics]
    for t in todo:
        if not 0 <= t < curated.n_topics:
            raise ConfigError(f"no topic {t}: the model has topics 0..{curated.n_topics - 1}")
    if topics is None and not include_junk:
        todo = [t for t in todo if t not in junk]

    rng = np.random.default_rng(seed)
    model_rows = frame["_row"].to_numpy()[rows_idx]
    samples = {t: [] for t in todo}  # topic -> list of (n_sims, p)
    ols = _BatchOLS(X, cov_type) if engine == "batch" else None
    for _ in range(n_draws):
        theta = posterior.sample(rng)
        if cur is not None:
            theta = cur.collapse(theta)
        theta = theta[model_rows]
        if ols is not None:
            params, covs = ols.fit(theta[:, todo])
        for j, t in enumerate(todo):
            if ols is None:
                fit = sm.OLS(theta[:, t], X).fit(cov_type=cov_type)
                beta, cov = np.asarray(fit.params), np.asarray(fit.cov_params())
            else:
                beta, cov = params[:, j], covs[j]
            samples[t].append(rng.multivariate_normal(beta, cov, size=n_sims, method="eigh"))

    alpha = (1 - level) / 2
    est_rows, con_rows = [], []
    for t in todo:
        B = np.vstack(samples[t])  # (n_draws * n_sims, p)
        for b in blocks:
            for lv, xrow in level_rows[b.cov.spec].items():
                pred = B @ xrow
                lo, hi = np.quantile(pred, [alpha, 1 - alpha])
                est_rows.append((t, curated.labels[t], b.cov.spec, lv, float(pred.mean()), float(lo), float(hi),
                                 int(b.counts.get(lv, 0))))  # fmt: skip
        for spec, a, b_ in wanted:
            diff = B @ (level_rows[spec][a] - level_rows[spec][b_])
            lo, hi = np.quantile(diff, [alpha, 1 - alpha])
            con_rows.append((t, curated.labels[t], spec, a, b_, float(diff.mean()), float(lo), float(hi)))
    estimates = pd.DataFrame(est_rows, columns=["topic", "label", "covariate", "level", "estimate", "ci_low",
                                                "ci_high", "n_documents"])  # fmt: skip
    contrast_frame = pd.DataFrame(con_rows, columns=["topic", "label", "covariate", "level_a", "level_b",
                                                     "estimate", "ci_low", "ci_high"])  # fmt: skip
    info = {
        "method": "method of composition (stm estimateEffect): OLS per posterior draw, coefficients sampled "
                  "from each fit's sampling distribution, pooled",
        "posterior": posterior.kind, "posterior_note": posterior.note, "model": output.info.get("model"),
        "covariates": specs, "design": names, "level": level, "n_draws": n_draws, "n_sims": n_sims,
        "cov_type": cov_type, "seed": seed, "min_documents": min_documents,
        "documents_in_model": n_model, "documents_used": n_used,
        "documents_without_value": dropped_missing, "notes": notes,
        "curation": curated.info.get("curation", {}).get("sha256") if cur is not None else None,
        "junk_topics_skipped": sorted(junk - set(todo)),
    }  # fmt: skip
    return EffectsResult(estimates, contrast_frame, info)


# --------------------------------------------------------------------------- plots


def plot_time(result: EffectsResult, covariate: str | None = None, topics: list[int] | None = None,
              ncols: int = 4):  # fmt: skip
    """Expected prevalence over time with interval bands, one panel per topic (matplotlib Figure).

    ``covariate`` defaults to the first ``date:…`` covariate of the result.
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    est = result.estimates
    if covariate is None:
        covariate = next((c for c in result.info["covariates"] if ":" in c), None)
    if covariate is None or covariate not in set(est["covariate"]):
        raise ConfigError("no time covariate (date:month, date:week, date:spline …) in these effects")
    sub = est[est["covariate"] == covariate]
    ts = sorted(set(sub["topic"])) if topics is None else topics
    ncols = max(1, min(ncols, len(ts)))
    nrows = -(-len(ts) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.2 * ncols, 2.4 * nrows), squeeze=False, sharex=True)
    level_pct = round(100 * result.info["level"])
    for ax, t in zip(axes.ravel(), ts, strict=False):
        g = sub[sub["topic"] == t].sort_values("level")
        x = np.arange(len(g))
        ax.fill_between(x, g["ci_low"], g["ci_high"], alpha=0.3, color="#2b6cb0", lw=0)
        ax.plot(x, g["estimate"], marker="o", ms=3, color="#2b6cb0")
        ax.set_title(f"{t}: {str(g['label'].iloc[0])[:34]}", fontsize=8)
        ax.set_xticks(x)
        ax.set_xticklabels(g["level"], rotation=60, fontsize=6)
        ax.tick_params(axis="y", labelsize=7)
        ax.grid(alpha=0.3)
    for ax in axes.ravel()[len(ts):]:
        ax.set_visible(False)
    fig.suptitle(f"Expected topic prevalence by {covariate} ({level_pct}% intervals, {result.info['posterior']} posterior)",
                 fontsize=9)  # fmt: skip
    fig.tight_layout()
    return fig


def plot_levels(result: EffectsResult, covariate: str, topics: list[int] | None = None, ncols: int = 4):
    """Expected prevalence at each level of a categorical covariate with intervals (Figure)."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    est = result.estimates
    sub = est[est["covariate"] == covariate]
    if not len(sub):
        raise ConfigError(f"no covariate {covariate!r} in these effects ({', '.join(result.info['covariates'])})")
    ts = sorted(set(sub["topic"])) if topics is None else topics
    ncols = max(1, min(ncols, len(ts)))
    nrows = -(-len(ts) // ncols)
    levels = sorted(set(sub["level"]))
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.2 * ncols, 0.35 * len(levels) * nrows + 1.2 * nrows),
                             squeeze=False, sharey=True)  # fmt: skip
    for ax, t in zip(axes.ravel(), ts, strict=False):
        g = sub[sub["topic"] == t].set_index("level").reindex(levels)
        y = np.arange(len(levels))
        ax.errorbar(g["estimate"], y, xerr=[g["estimate"] - g["ci_low"], g["ci_high"] - g["estimate"]],
                    fmt="o", ms=3, color="#2b6cb0", ecolor="#2b6cb0", capsize=2)  # fmt: skip
        ax.set_yticks(y)
        ax.set_yticklabels([str(lv)[:24] for lv in levels], fontsize=7)
        ax.set_title(f"{t}: {str(g['label'].dropna().iloc[0])[:34]}", fontsize=8)
        ax.tick_params(axis="x", labelsize=7)
        ax.grid(alpha=0.3)
    for ax in axes.ravel()[len(ts):]:
        ax.set_visible(False)
    fig.suptitle(f"Expected topic prevalence by {covariate} ({round(100 * result.info['level'])}% intervals)", fontsize=9)
    fig.tight_layout()
    return fig


def plot_contrasts(result: EffectsResult, covariate: str | None = None):
    """Differences between levels (``a - b``) per topic with intervals, a forest plot (Figure)."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    con = result.contrasts
    if covariate is not None:
        con = con[con["covariate"] == covariate]
    if not len(con):
        raise ConfigError("no contrasts in these effects (give contrasts=[...] or contrasts='reference')")
    pairs = list(dict.fromkeys(zip(con["level_a"], con["level_b"], strict=True)))
    topics = sorted(set(con["topic"]))
    labels = dict(zip(con["topic"], con["label"], strict=False))
    fig, ax = plt.subplots(figsize=(7.5, 0.32 * len(topics) * max(1, len(pairs)) + 1.4))
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    step = 0.8 / max(1, len(pairs))
    for j, (a, b) in enumerate(pairs):
        g = con[(con["level_a"] == a) & (con["level_b"] == b)].set_index("topic").reindex(topics)
        y = np.arange(len(topics)) + j * step
        ax.errorbar(g["estimate"], y, xerr=[g["estimate"] - g["ci_low"], g["ci_high"] - g["estimate"]], fmt="o",
                    ms=3, capsize=2, color=colours[j % len(colours)], label=f"{a} − {b}")  # fmt: skip
    ax.axvline(0, color="#4a5568", lw=0.8)
    ax.set_yticks(np.arange(len(topics)) + step * (len(pairs) - 1) / 2)
    ax.set_yticklabels([f"{t}: {str(labels[t])[:30]}" for t in topics], fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel("difference in expected topic share", fontsize=8)
    ax.legend(fontsize=7, loc="best")
    ax.grid(alpha=0.3, axis="x")
    ax.set_title(f"Differences between levels ({round(100 * result.info['level'])}% intervals)", fontsize=9)
    fig.tight_layout()
    return fig
