"""Helpers for exploring a corpus in notebooks: locations, concordances, entities, counts.

Everything here returns pandas DataFrames and reads the corpus directory (``documents.parquet``)
and its token table (``tokens.parquet``) by streaming, so it works on Le Monde 2022 as on the
bundled corpus.

Examples
--------
>>> from toolkit.annotation.explore import kwic
>>> kwic("runs/demo/corpus", "coopération", window=5).head(3)    # doctest: +SKIP
                     doc_id                       left      keyword            right
0  seed-000-4aed66ba79373d17  davantage la            coopération  avec la Russie .
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from toolkit.errors import ConfigError, InputError


def _tokens(corpus_dir: str | Path) -> Path:
    from toolkit.annotation.table import require_tokens

    return require_tokens(corpus_dir)


def _iter_token_docs(path: Path, columns: list[str], batch_size: int = 65_536):
    """Stream the token table one document at a time: ``(doc_id, {column: list})``."""
    import pyarrow.parquet as pq

    pending_id = None
    pending: dict[str, list] = {c: [] for c in columns}
    for batch in pq.ParquetFile(path).iter_batches(batch_size=batch_size, columns=["doc_id", *columns]):
        d = batch.to_pydict()
        ids = d["doc_id"]
        start = 0
        for i in range(1, len(ids) + 1):
            if i == len(ids) or ids[i] != ids[start]:
                if ids[start] != pending_id:
                    if pending_id is not None:
                        yield pending_id, pending
                    pending_id, pending = ids[start], {c: [] for c in columns}
                for c in columns:
                    pending[c].extend(d[c][start:i])
                start = i
    if pending_id is not None:
        yield pending_id, pending


def _texts(corpus_dir: str | Path, ids: set[str]) -> dict[str, str]:
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from toolkit.corpus.documents import Corpus, Document

    table = pq.read_table(Corpus(corpus_dir).path, filters=pc.field("id").isin(sorted(ids)))
    return {row["id"]: Document.from_row(row).full_text for row in table.to_pylist()}


def kwic(
    corpus_dir: str | Path,
    query: str,
    *,
    window: int = 8,
    unit: str = "lemma",
    limit: int | None = 100,
) -> Any:
    """Keyword in context: every occurrence of ``query`` with ``window`` words either side.

    The context is cut from the document's original text (``full_text``), so contractions,
    apostrophes and spacing appear as published.

    Parameters
    ----------
    corpus_dir : path
        An annotated corpus directory (holds ``tokens.parquet``).
    query : str
        A word, matched case-insensitively on the ``unit`` column (a lemma matches every
        inflected form: ``sanction`` finds *sanctions*); several words separated by spaces
        match a sequence.
    window : int
        Words of context on each side.
    unit : {"lemma", "norm", "form"}
    limit : int or None
        Stop after this many lines.

    Returns
    -------
    pandas.DataFrame
        Columns ``doc_id, left, keyword, right`` (one row per occurrence, corpus order).
    """
    import pandas as pd

    if unit not in ("lemma", "norm", "form"):
        raise ConfigError(f"unit must be lemma, norm or form, not {unit!r}")
    import re

    # split on spaces and after elided articles (l'Union → l' + union), as the tokenizer does
    words = [w for w in re.split(r"\s+|(?<=')", query.lower().replace("’", "'")) if w]
    if not words:
        raise InputError("empty query: give a word, e.g. kwic(corpus_dir, 'coopération')")
    n = len(words)
    hits = []  # (doc_id, left_start, kw_start, kw_end, right_end)
    for doc_id, cols in _iter_token_docs(_tokens(corpus_dir), [unit, "start", "end"]):
        keys = [str(v).lower().replace("’", "'") for v in cols[unit]]
        starts, ends = cols["start"], cols["end"]
        for i in range(len(keys) - n + 1):
            if keys[i : i + n] == words:
                j = i + n - 1
                hits.append((doc_id, starts[max(0, i - window)], starts[i], ends[j],
                             ends[min(len(ends) - 1, j + window)]))  # fmt: skip
                if limit is not None and len(hits) >= limit:
                    break
        if limit is not None and len(hits) >= limit:
            break
    texts = _texts(corpus_dir, {h[0] for h in hits}) if hits else {}

    def clean(s: str) -> str:
        return " ".join(s.split())

    rows = [(d, clean(texts[d][a:b]), texts[d][b:c], clean(texts[d][c:e])) for d, a, b, c, e in hits if d in texts]
    return pd.DataFrame(rows, columns=["doc_id", "left", "keyword", "right"])


def document_tokens(corpus_dir: str | Path, doc_id: str) -> Any:
    """The token table rows of one document (form, lemma, POS, features, entities).

    Returns
    -------
    pandas.DataFrame
        Columns of the token table, one row per syntactic word.
    """
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    table = pq.read_table(_tokens(corpus_dir), filters=pc.field("doc_id") == doc_id)
    if table.num_rows == 0:
        raise InputError(f"no tokens for document {doc_id!r}", path=str(corpus_dir))
    return table.to_pandas()


def entity_counts(corpus_dir: str | Path, top: int = 20, ent_type: str | None = None) -> Any:
    """The most frequent named entities (multi-word spans joined), with their type.

    Returns
    -------
    pandas.DataFrame
        Columns ``entity, type, count, documents`` (most frequent first).
    """
    import pandas as pd
    import pyarrow.parquet as pq

    pf = pq.ParquetFile(_tokens(corpus_dir))
    if "ent_id" not in pf.schema_arrow.names:
        return pd.DataFrame(columns=["entity", "type", "count", "documents"])
    counts: Counter = Counter()
    docs: dict[tuple[str, str], set] = {}
    cur_key = None
    cur_words: list[str] = []
    cur_type = ""

    def flush() -> None:
        if cur_key is not None and cur_words:
            k = (" ".join(cur_words), cur_type)
            counts[k] += 1
            docs.setdefault(k, set()).add(cur_key[0])

    for batch in pf.iter_batches(columns=["doc_id", "form", "ent_type", "ent_id"], batch_size=65_536):
        d = batch.to_pydict()
        for doc, form, et, eid in zip(d["doc_id"], d["form"], d["ent_type"], d["ent_id"], strict=True):
            key = (doc, eid) if eid is not None and eid >= 0 else None
            if key != cur_key:
                flush()
                cur_key, cur_words, cur_type = key, [], et or ""
            if key is not None:
                cur_words.append(form)
    flush()
    rows = [(e, t, c, len(docs[(e, t)])) for (e, t), c in counts.most_common()
            if ent_type is None or t == ent_type]  # fmt: skip
    return pd.DataFrame(rows[:top], columns=["entity", "type", "count", "documents"])


def documents_over_time(corpus_dir: str | Path, period: str = "month", by: str | None = None) -> Any:
    """Number of documents per period (and per ``source``/``section`` when ``by`` is given).

    Returns
    -------
    pandas.DataFrame
        Columns ``period, [by], documents``; documents without a date are left out.
    """
    from toolkit.corpus.documents import Corpus

    freq = {"day": 10, "month": 7, "year": 4}
    if period not in freq:
        raise ConfigError(f"period must be day, month or year, not {period!r}")
    meta = Corpus(corpus_dir).metadata_frame()
    meta = meta[meta["date"].notna()].copy()
    meta["period"] = meta["date"].str[: freq[period]]
    keys = ["period"] + ([by] if by else [])
    return meta.groupby(keys, dropna=False).size().rename("documents").reset_index()


def document_entities(corpus_dir: str | Path, doc_id: str) -> Any:
    """The named entities of one document (multi-word spans joined), in order of first mention.

    Returns
    -------
    pandas.DataFrame
        Columns ``entity, type, count``.
    """
    import pandas as pd

    tokens = document_tokens(corpus_dir, doc_id)
    ents = tokens[tokens["ent_id"] >= 0]
    if ents.empty:
        return pd.DataFrame(columns=["entity", "type", "count"])
    spans = ents.groupby("ent_id", sort=True).agg(entity=("form", " ".join), type=("ent_type", "first"))
    counts = spans.groupby(["entity", "type"], sort=False).size().rename("count").reset_index()
    return counts


def same_period(corpus_dir: str | Path, doc_id: str, days: int = 7, same_section: bool = True) -> Any:
    """Documents published within ``days`` of ``doc_id`` (in its section by default).

    Returns
    -------
    pandas.DataFrame
        Metadata columns ``id, title, date, source, section, url``, sorted by date.
    """
    import pandas as pd

    from toolkit.corpus.documents import Corpus

    meta = Corpus(corpus_dir).metadata_frame()
    row = meta[meta["id"] == doc_id]
    if row.empty:
        raise InputError(f"no document with id {doc_id!r}", path=str(corpus_dir))
    if row["date"].isna().all():
        raise InputError(f"document {doc_id!r} has no date", path=str(corpus_dir))
    dates = pd.to_datetime(meta["date"].str[:10], errors="coerce")
    when = dates[row.index[0]]
    keep = (dates - when).abs() <= pd.Timedelta(days=days)
    if same_section and row["section"].notna().all():
        keep &= meta["section"] == row["section"].iloc[0]
    return meta[keep].assign(_d=dates[keep]).sort_values("_d").drop(columns="_d").reset_index(drop=True)
