"""Topic and theme prevalence over time and by metadata, as tidy DataFrames ready to plot.

Examples
--------
>>> from toolkit.topics import load_output, topic_prevalence
>>> out = load_output("runs/demo/topics")                             # doctest: +SKIP
>>> df = topic_prevalence(out, "runs/demo/corpus", by="month")               # doctest: +SKIP
>>> df.pivot(index="period", columns="label", values="share").plot()   # doctest: +SKIP
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from toolkit.errors import ConfigError

TIME_UNITS = {"day": "D", "week": "W-MON", "month": "M", "quarter": "Q", "year": "Y"}
GROUPS = ("source", "section")


def _metadata(corpus: Any):
    import pandas as pd

    if isinstance(corpus, pd.DataFrame):
        meta = corpus.copy()
        if "doc_id" not in meta.columns and "id" in meta.columns:
            meta = meta.rename(columns={"id": "doc_id"})
        return meta
    from toolkit.corpus.documents import Corpus

    return Corpus(Path(corpus)).metadata_frame().rename(columns={"id": "doc_id"})


def topic_prevalence(output, corpus: Any, by: str = "month", what: str = "topics", themes: Any = "default", weighted: bool = True):
    """Mean topic (or theme) share per period or metadata group.

    Parameters
    ----------
    output : TopicModelOutput
    corpus : corpus directory or DataFrame
        Document metadata (``id``/``doc_id``, ``date``, ``source``, ``section``…).
    by : {"day", "week", "month", "quarter", "year"} or a metadata column ("source", "section")
    what : {"topics", "themes"}
        Topics of the model, or theme shares (:func:`toolkit.topics.themes.theme_shares`).
    themes : theme spec used when ``what="themes"`` and the model is not seeded.
    weighted : bool
        Weight documents by their length (share of the group's words) instead of counting
        each document once.

    Returns
    -------
    pandas.DataFrame
        Long format: ``<by>`` (``period`` for time units, as a timestamp at the start of the
        period), ``topic``, ``label``, ``share``, ``n_documents``. Shares of a group sum to 1
        for topics.

    Raises
    ------
    ConfigError
        When ``by`` is unknown, or the corpus has no dates (or no values) for it.
    """
    import pandas as pd

    meta = _metadata(corpus)
    if what == "topics":
        shares = output.document_topics_frame()
        names = {f"topic_{i}": (i, output.labels[i]) for i in range(output.n_topics)}
    elif what == "themes":
        from toolkit.topics.themes import theme_shares

        shares = theme_shares(output, themes)
        names = {c: (c, c) for c in shares.columns if c != "doc_id"}
    else:
        raise ConfigError(f"what must be 'topics' or 'themes', not {what!r}")
    df = shares.merge(meta, on="doc_id", how="left")
    df["_w"] = output.doc_lengths if weighted else 1.0
    if by in TIME_UNITS:
        key = "period"
        dates = pd.to_datetime(df.get("date"), errors="coerce", utc=True, format="mixed") if "date" in df else None
        if dates is None or dates.notna().sum() == 0:
            raise ConfigError(
                f"topics over time need dates, but no document has one; give dates at ingest "
                f"(a 'date' field) or use by='source' / by='section' instead of by={by!r}"
            )
        missing = int(dates.isna().sum())
        df = df[dates.notna()].copy()
        dates = dates[dates.notna()].dt.tz_convert(None)
        df[key] = dates.dt.to_period(TIME_UNITS[by]).dt.start_time
    elif by in df.columns and by not in ("doc_id", "_w"):
        key = by
        if df[by].isna().all():
            raise ConfigError(f"no document has a {by!r}; choose another grouping")
        missing = int(df[by].isna().sum())
        df = df[df[by].notna()]
    else:
        raise ConfigError(f"cannot group by {by!r}: use one of {', '.join(TIME_UNITS)} or a metadata column ({', '.join(GROUPS)})")
    cols = list(names)
    weighted_vals = df[cols].to_numpy() * df["_w"].to_numpy()[:, None]
    tmp = pd.DataFrame(weighted_vals, columns=cols)
    tmp[key] = df[key].to_numpy()
    tmp["_w"] = df["_w"].to_numpy()
    grouped = tmp.groupby(key, sort=True)
    sums = grouped[cols].sum()
    wsum = grouped["_w"].sum()
    counts = grouped.size()
    means = sums.div(wsum.replace(0, np.nan), axis=0).fillna(0.0)
    long = means.reset_index().melt(id_vars=key, var_name="column", value_name="share")
    long["topic"] = long["column"].map(lambda c: names[c][0])
    long["label"] = long["column"].map(lambda c: names[c][1])
    long["n_documents"] = long[key].map(counts).astype(int)
    long = long.drop(columns="column")[[key, "topic", "label", "share", "n_documents"]]
    long.attrs["documents_without_value"] = missing
    return long.sort_values([key, "topic"], kind="stable").reset_index(drop=True)
