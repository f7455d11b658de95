"""Topics seen through word vectors: embedding coherence of topic terms and a word's nearest
topic terms."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import numpy as np

from toolkit.embeddings.base import EmbeddingModel, _cosine, _normalise_rows
from toolkit.errors import ConfigError, ModelError

log = logging.getLogger(__name__)

# =========================================================================== topics


def _as_topics(topics: Any) -> dict[Any, list[str]]:
    if isinstance(topics, Mapping):
        return {k: list(v) for k, v in topics.items()}
    return {i: list(t) for i, t in enumerate(topics)}


def _keyed_vectors(vectors: Any):
    """KeyedVectors from a fitted model, a gensim model or KeyedVectors."""
    if isinstance(vectors, EmbeddingModel):
        vectors._check_fitted()
        return vectors.model_.wv
    return getattr(vectors, "wv", vectors)


def _lookup(kv, term: str) -> str | None:
    for cand in (term, term.lower(), "_".join(term.split()), "_".join(term.lower().split())):
        if cand in kv.key_to_index:
            return cand
    return None


def embedding_coherence(topics: Any, vectors: Any, topn: int = 10, method: str = "pairwise"):
    """Embedding coherence of each topic's top terms.

    Parameters
    ----------
    topics : sequence of sequence of str, or mapping label -> terms
        Each topic's terms, best first (any topic model's output).
    vectors : EmbeddingModel, gensim model or KeyedVectors
    topn : int
        Use each topic's first ``topn`` terms.
    method : {"pairwise", "centroid"}
        ``pairwise``: mean cosine similarity over all pairs of terms found in the vocabulary.
        ``centroid``: mean cosine similarity of each term to the mean of the topic's term
        vectors — the measure gensim's ``CoherenceModel(coherence="c_w2v")`` computes.

    Returns
    -------
    pandas.DataFrame
        One row per topic: ``topic``, ``coherence`` (NaN with fewer than two terms found),
        ``n_terms`` (found), ``missing`` (terms not in the vocabulary, as a list).
    """
    import pandas as pd

    if method not in ("pairwise", "centroid"):
        raise ConfigError(f"method must be 'pairwise' or 'centroid', got {method!r}")
    kv = _keyed_vectors(vectors)
    rows = []
    for label, terms in _as_topics(topics).items():
        terms = terms[:topn]
        found = [k for k in (_lookup(kv, t) for t in terms) if k is not None]
        missing = [t for t in terms if _lookup(kv, t) is None]
        score = float("nan")
        if len(found) >= 2:
            mat = _normalise_rows(np.asarray(kv[found], dtype=np.float64))
            if method == "pairwise":
                sims = mat @ mat.T
                n = len(found)
                score = float((sims.sum() - np.trace(sims)) / (n * (n - 1)))
            else:
                centroid = np.asarray(kv[found], dtype=np.float64).mean(axis=0)
                centroid /= np.linalg.norm(centroid) or 1.0
                score = float(np.mean(mat @ centroid))
        rows.append({"topic": label, "coherence": score, "n_terms": len(found), "missing": missing})
    return pd.DataFrame(rows, columns=["topic", "coherence", "n_terms", "missing"])


def nearest_topic_terms(word: str, topics: Any, vectors: Any, topn: int = 10, terms_per_topic: int = 10):
    """The topic terms closest to ``word`` in the vector space, to check topic labels.

    Parameters
    ----------
    word : str
    topics : sequence of sequence of str, or mapping label -> terms
    vectors : EmbeddingModel, gensim model or KeyedVectors
    topn : int
        Rows returned.
    terms_per_topic : int
        Use each topic's first terms.

    Returns
    -------
    pandas.DataFrame
        Columns ``topic``, ``term``, ``similarity``, ``topic_similarity`` (cosine of ``word``
        to the topic's centroid), most similar terms first.
    """
    import pandas as pd

    if isinstance(vectors, EmbeddingModel):
        vectors._check_fitted()
        vec = vectors._query_vector(word)[0]
    else:
        kv = _keyed_vectors(vectors)
        key = _lookup(kv, word)
        if key is None:
            raise ModelError(f"{word!r} is not in the vocabulary of these vectors")
        vec = kv[key]
    kv = _keyed_vectors(vectors)
    rows = []
    for label, terms in _as_topics(topics).items():
        found = [k for k in (_lookup(kv, t) for t in terms[:terms_per_topic]) if k is not None]
        if not found:
            continue
        centroid = np.asarray(kv[found]).mean(axis=0)
        tsim = _cosine(vec, centroid)
        for term in found:
            rows.append({"topic": label, "term": term, "similarity": _cosine(vec, kv[term]), "topic_similarity": tsim})
    df = pd.DataFrame(rows, columns=["topic", "term", "similarity", "topic_similarity"])
    df = df[df["term"] != _lookup(kv, word)] if len(df) else df
    return df.sort_values("similarity", ascending=False, kind="stable").head(topn).reset_index(drop=True)


