"""A word's neighbours period by period (:class:`PeriodEmbeddings`): one model per month or
quarter, aligned on the first by orthogonal Procrustes."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from toolkit.embeddings.base import EmbeddingModel, _cosine, _normalise_rows
from toolkit.embeddings.cache import (
    MAX_LINE_TOKENS,
    SurfaceTap,
    TokenCache,
    _clean_token,
    _iter_units,
    token_stream,
)
from toolkit.embeddings.models import make_model
from toolkit.errors import ConfigError, InputError, ModelError

log = logging.getLogger(__name__)

# =========================================================================== periods


def _period_of(date: str | None, freq: str) -> str | None:
    if not date:
        return None
    day = str(date)[:10]
    if freq == "month":
        return day[:7]
    if freq == "quarter":
        return f"{day[:4]}-Q{(int(day[5:7]) - 1) // 3 + 1}"
    if freq == "year":
        return day[:4]
    raise ConfigError(f"unknown period {freq!r}; use 'month', 'quarter' or 'year'")


def _dates_from(dates: Any) -> dict[str, str | None]:
    if isinstance(dates, str | Path):
        from toolkit.corpus.documents import Corpus

        frame = Corpus(dates).metadata_frame()
        return dict(zip(frame["id"], frame["date"], strict=True))
    if hasattr(dates, "columns"):  # DataFrame with id, date
        return dict(zip(dates["id"], dates["date"], strict=True))
    return dict(dates)


def orthogonal_procrustes_align(base: np.ndarray, other: np.ndarray) -> np.ndarray:
    """Rotation ``R`` ``(d, d)`` minimising ``|other @ R - base|`` (Hamilton et al., 2016)."""
    u, _, vt = np.linalg.svd(other.T @ base)
    return u @ vt


class PeriodEmbeddings:
    """One seeded word-embedding model per time period, aligned, to follow meaning over time.

    The corpus is split by document date (month, quarter or year), one model is trained per
    period with the same parameters and seed, and each period's vectors are rotated onto the
    previous period's (orthogonal Procrustes on the shared vocabulary) so that a word's
    vectors can be compared across periods.

    Parameters
    ----------
    model : {"word2vec", "fasttext"}
    freq : {"month", "quarter", "year"}
    align : bool
        Rotate each period onto the previous one.
    min_tokens : int
        Skip periods with fewer tokens (too small to train on), with a warning.
    **params
        Parameters of the per-period model (random_state, vector_size, min_count…).

    Attributes
    ----------
    periods_ : list of str
    models_ : dict of str to EmbeddingModel
    rotations_ : dict of str to ndarray of shape (vector_size, vector_size)

    Examples
    --------
    >>> pe = PeriodEmbeddings(freq="month", random_state=1)                 # doctest: +SKIP
    >>> pe.fit(token_stream("runs/lemonde"), dates="runs/lemonde")          # doctest: +SKIP
    >>> pe.neighbours("sanctions", topn=5)                                  # doctest: +SKIP
    """

    def __init__(
        self,
        model: str = "word2vec",
        freq: str = "month",
        align: bool = True,
        min_tokens: int = 2_000,
        **params: Any,
    ) -> None:
        self.model = model
        self.freq = freq
        self.align = align
        self.min_tokens = min_tokens
        self.params = params

    def fit(self, corpus: Any, dates: Any) -> PeriodEmbeddings:
        """Train one model per period.

        Parameters
        ----------
        corpus : path or re-iterable
            A corpus directory or a re-iterable of ``(doc_id, tokens)`` pairs.
        dates : path, DataFrame or mapping
            Document dates: a corpus directory, a frame with ``id`` and ``date`` columns, or
            ``{doc_id: date}``.
        """
        if self.model not in ("word2vec", "fasttext"):
            raise ConfigError("PeriodEmbeddings trains word vectors: model must be 'word2vec' or 'fasttext'")
        _period_of("2022-01-01", self.freq)  # validate freq early
        if isinstance(corpus, str | Path):
            corpus = token_stream(corpus, self.params.get("tokens"))
        date_of = _dates_from(dates)
        tap = SurfaceTap(corpus) if hasattr(corpus, "with_surfaces") else None
        corpus = tap or corpus
        self.models_: dict[str, EmbeddingModel] = {}
        self.rotations_: dict[str, np.ndarray] = {}
        with tempfile.TemporaryDirectory(prefix="fnt-periods-") as tmp:
            files: dict[str, Any] = {}
            counts: dict[str, int] = {}
            undated = 0
            try:
                for unit in _iter_units(corpus):
                    if unit.doc_id is None:
                        raise InputError("PeriodEmbeddings needs (doc_id, tokens) items to find dates")
                    period = _period_of(date_of.get(unit.doc_id), self.freq)
                    if period is None:
                        undated += 1
                        continue
                    if period not in files:
                        files[period] = open(Path(tmp) / f"{period}.txt", "w", encoding="utf-8")  # noqa: SIM115
                    toks = [t for t in (_clean_token(t) for t in unit.tokens) if t]
                    for start in range(0, len(toks), MAX_LINE_TOKENS):
                        files[period].write(" ".join(toks[start : start + MAX_LINE_TOKENS]) + "\n")
                    counts[period] = counts.get(period, 0) + len(toks)
            finally:
                for f in files.values():
                    f.close()
            if undated:
                log.warning("%d documents without a date were left out of the period models", undated)
            self.token_counts_ = dict(sorted(counts.items()))
            previous: EmbeddingModel | None = None
            for period in sorted(files):
                if counts[period] < self.min_tokens:
                    log.warning("period %s has only %d tokens (< min_tokens=%d): skipped",
                                period, counts[period], self.min_tokens)  # fmt: skip
                    continue
                cache = TokenCache(Path(tmp) / f"{period}.txt")
                cache.n_tokens = cache.n_lines = counts[period]
                cache.n_documents = 0
                _write_ids_for(cache)
                m = make_model(self.model, **self.params)
                try:
                    m.fit_cache(cache)
                except ModelError as exc:
                    log.warning("period %s: %s; skipped", period, exc)
                    continue
                if tap is not None:  # the corpus's display forms (neighbours show them)
                    m.display_ = tap.display(m.model_.wv.index_to_key)
                log.info("period %s: %d tokens, vocabulary %d", period, counts[period], len(m.model_.wv))
                if self.align and previous is not None:
                    self.rotations_[period] = self._align(previous, m)
                self.models_[period] = m
                previous = m
        if not self.models_:
            raise ModelError("no period had enough tokens to train a model; use a coarser freq or a larger corpus")
        self.periods_ = list(self.models_)
        return self

    @staticmethod
    def _align(base: EmbeddingModel, other: EmbeddingModel) -> np.ndarray:
        bw, ow = base.model_.wv, other.model_.wv
        shared = [w for w in ow.index_to_key if w in bw.key_to_index]
        if len(shared) < 10:
            log.warning("too few shared words (%d) to align periods; left unaligned", len(shared))
            return np.eye(ow.vector_size, dtype=np.float32)
        a = _normalise_rows(bw[shared])
        b = _normalise_rows(ow[shared])
        rot = orthogonal_procrustes_align(a, b).astype(np.float32)
        # rotate in place: cosine neighbours within the period are unchanged
        ow.vectors = (ow.vectors @ rot).astype(np.float32)
        ow.norms = None
        ow.fill_norms(force=True)
        return rot

    def _check_fitted(self) -> None:
        if not hasattr(self, "models_"):
            raise ModelError("this PeriodEmbeddings is not fitted; call fit() first")

    def neighbours(self, word: str, topn: int = 10, min_count: int | None = None):
        """``word``'s neighbours in each period.

        Returns
        -------
        pandas.DataFrame
            Columns ``period``, ``rank``, ``term``, ``display``, ``similarity``, ``count``; periods where
            the word is absent are listed in ``df.attrs["missing_periods"]``.
        """
        import pandas as pd

        self._check_fitted()
        frames, missing = [], []
        for period, m in self.models_.items():
            try:
                df = m.neighbours(word, topn=topn, min_count=min_count)
            except ModelError:
                missing.append(period)
                continue
            df.insert(0, "rank", range(1, len(df) + 1))
            df.insert(0, "period", period)
            frames.append(df)
        if not frames:
            raise ModelError(f"{word!r} is in the vocabulary of no period model")
        out = pd.concat(frames, ignore_index=True)
        out.attrs["missing_periods"] = missing
        return out

    def shift(self, word: str):
        """Cosine similarity of ``word``'s aligned vector between consecutive periods.

        Returns
        -------
        pandas.DataFrame
            Columns ``period``, ``count``, ``similarity_to_previous`` (NaN for the first
            period or when the word is missing on either side).
        """
        import pandas as pd

        self._check_fitted()
        rows, prev = [], None
        for period, m in self.models_.items():
            vec = m.word_vector(word) if m.in_vocabulary(word) else None
            sim = _cosine(prev, vec) if (prev is not None and vec is not None) else float("nan")
            rows.append({"period": period, "count": m.count(word), "similarity_to_previous": sim})
            prev = vec
        return pd.DataFrame(rows)


def _write_ids_for(cache: TokenCache) -> None:
    """Give a period cache an id file (line numbers) so documents are addressable."""
    n = 0
    with open(cache.path, encoding="utf-8") as f, open(cache.ids_path, "w", encoding="utf-8") as ids:
        for _ in f:
            ids.write(f"{n}\n")
            n += 1
    cache.n_lines = cache.n_documents = n


