"""The one output type every topic model produces, and the estimator base class.

:class:`TopicModelOutput` holds exactly pyLDAvis's inputs plus document ids: evaluation,
pyLDAvis and reports read only that, whatever model made it (OCTIS ``model_output``).
"""

from __future__ import annotations

import inspect
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from toolkit.errors import ModelError

log = logging.getLogger(__name__)

#: Probability floor added to topic-term rows and document-topic rows before renormalising
#: for pyLDAvis (a topic with no mass otherwise gives NaN and breaks its layout).
PYLDAVIS_FLOOR = 1e-12


def _normalise_rows(m: np.ndarray, floor: float = 0.0) -> np.ndarray:
    m = np.asarray(m, dtype=np.float64)
    if floor:
        m = m + floor
    s = m.sum(axis=1, keepdims=True)
    s[s == 0] = 1.0
    out = m / s
    # rows with no mass at all: uniform
    empty = ~np.isfinite(out).all(axis=1) | (out.sum(axis=1) == 0)
    if empty.any():
        out[empty] = 1.0 / m.shape[1]
    return out


def nmf_topics(m, k: int, max_iter: int, random_state: int) -> np.ndarray:
    """k NMF topics of the sublinear TF-IDF of count matrix ``m`` (``nndsvda`` start), rows
    normalised to sum to 1, shape (k, n_terms); uniform rows when the corpus has fewer
    components than topics. The starting point of the LDA backends' ``init="nmf"``."""
    import warnings

    from sklearn.decomposition import NMF
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.feature_extraction.text import TfidfTransformer

    X = TfidfTransformer(sublinear_tf=True).fit_transform(m.astype(np.float64))
    k_nmf = min(k, min(X.shape))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        H = NMF(n_components=k_nmf, init="nndsvda", max_iter=max_iter, tol=1e-3, random_state=random_state).fit(X).components_
    rows = list(_normalise_rows(H))
    rows += [np.full(m.shape[1], 1.0 / m.shape[1])] * (k - k_nmf)
    return np.vstack(rows)


def themed_start(H: np.ndarray, eta: Any, topic_themes: dict[int, str], seed_weight: float) -> np.ndarray:
    """Starting topics from NMF topics ``H``: each seeded theme takes the NMF topic that carries
    most of its seeds (one topic per theme, best overall match), nudged towards its seed words
    (0.7 topic + 0.3 seeds), so the theme becomes the corpus's own topic about it; the other NMF
    topics follow. Seeds are the terms whose ``eta`` is at least ``seed_weight``."""
    if not topic_themes:
        return H
    from scipy.optimize import linear_sum_assignment

    seed_rows = []
    for t in sorted(topic_themes):
        seeds = np.asarray(eta[t], dtype=np.float64) >= seed_weight
        seed_rows.append(seeds / max(1, seeds.sum()))
    seed_rows = np.vstack(seed_rows)
    _, match = linear_sum_assignment(-(seed_rows @ H.T))  # (n_themes, n_topics) affinity
    rows = [0.7 * H[c] + 0.3 * seed_rows[i] for i, c in enumerate(match)]
    rows.extend(np.delete(H, match, axis=0))
    return np.vstack(rows)


@dataclass
class TopicModelOutput:
    """What a fitted topic model says about a corpus.

    Attributes
    ----------
    topic_term : ndarray, shape (n_topics, n_terms)
        Each row a probability distribution over the vocabulary.
    doc_topic : ndarray, shape (n_documents, n_topics)
        Each row the topic shares of one document (sums to 1).
    vocabulary : list of str, length n_terms
    term_frequency : ndarray, shape (n_terms,)
        Corpus count of each term.
    doc_lengths : ndarray, shape (n_documents,)
        Number of tokens of each document.
    doc_ids : list of str, length n_documents
    labels : list of str, length n_topics
        Short automatic (or theme) labels, written with the display forms.
    themes : dict of int to str
        Topics seeded by a named theme (topic index -> theme name).
    info : dict
        Model name and parameters.
    display : list of str, length n_terms
        Each term as a reader sees it: its most frequent surface form in the corpus
        (``affaire_étranger`` -> ``affaires étrangères``); empty when unknown, then
        :meth:`shown` writes the key with spaces.

    Examples
    --------
    >>> from toolkit.topics import load_output
    >>> out = load_output("runs/demo/topics")        # doctest: +SKIP
    >>> out.top_terms(0, 5)                          # doctest: +SKIP
    ['énergie', 'nucléaire', 'réacteur', 'edf', 'électricité']
    """

    topic_term: np.ndarray
    doc_topic: np.ndarray
    vocabulary: list[str]
    term_frequency: np.ndarray
    doc_lengths: np.ndarray
    doc_ids: list[str]
    labels: list[str] = field(default_factory=list)
    themes: dict[int, str] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)
    display: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.topic_term = np.asarray(self.topic_term, dtype=np.float64)
        self.doc_topic = np.asarray(self.doc_topic, dtype=np.float64)
        self.term_frequency = np.asarray(self.term_frequency, dtype=np.float64)
        self.doc_lengths = np.asarray(self.doc_lengths, dtype=np.float64)
        k, v = self.topic_term.shape
        if len(self.vocabulary) != v or self.term_frequency.shape != (v,):
            raise ModelError(f"topic-term matrix has {v} terms but the vocabulary has {len(self.vocabulary)}")
        if self.doc_topic.shape != (len(self.doc_ids), k) or self.doc_lengths.shape != (len(self.doc_ids),):
            raise ModelError("document-topic matrix, document lengths and ids disagree in size")
        if not self.labels:
            self.labels = [f"topic {i}" for i in range(k)]
        self.display = list(self.display or [])
        if self.display and len(self.display) != v:
            raise ModelError(f"{len(self.display)} display forms for {v} terms")

    def shown(self, terms: list[str]) -> list[str]:
        """Display forms of vocabulary keys (keys with ``_`` -> space when none is known)."""
        if self.display:
            index = {t: i for i, t in enumerate(self.vocabulary)}
            return [self.display[index[t]] if t in index else t.replace("_", " ") for t in terms]
        return [t.replace("_", " ") for t in terms]

    @property
    def n_topics(self) -> int:
        return self.topic_term.shape[0]

    @property
    def n_terms(self) -> int:
        return self.topic_term.shape[1]

    def top_term_ids(self, topic: int, n: int = 10) -> list[int]:
        row = self.topic_term[topic]
        idx = np.argsort(-row, kind="stable")[:n]
        return [int(i) for i in idx]

    def top_terms(self, topic: int, n: int = 10) -> list[str]:
        """The ``n`` most probable terms of ``topic``, best first."""
        return [self.vocabulary[i] for i in self.top_term_ids(topic, n)]

    def all_top_terms(self, n: int = 10) -> list[list[str]]:
        """Top ``n`` terms of every topic, shape (n_topics, n)."""
        return [self.top_terms(t, n) for t in range(self.n_topics)]

    def main_topic(self) -> np.ndarray:
        """Index of each document's largest topic, shape (n_documents,)."""
        return np.argmax(self.doc_topic, axis=1)

    def to_pyldavis(self, floor: float = PYLDAVIS_FLOOR) -> dict[str, Any]:
        """Keyword arguments for ``pyLDAvis.prepare`` (with a tiny floor so empty topics work).

        Call it as ``pyLDAvis.prepare(**out.to_pyldavis(), sort_topics=False)`` so that
        pyLDAvis's topic numbers match the model's.
        """
        return {
            "topic_term_dists": _normalise_rows(self.topic_term, floor),
            "doc_topic_dists": _normalise_rows(self.doc_topic, floor),
            "doc_lengths": np.maximum(self.doc_lengths, 1),
            "vocab": list(self.vocabulary),
            "term_frequency": np.maximum(self.term_frequency, floor),
        }

    def document_topics_frame(self):
        """Document-topic shares as a DataFrame: ``doc_id`` then ``topic_0`` … ``topic_{k-1}``."""
        import pandas as pd

        df = pd.DataFrame(self.doc_topic, columns=[f"topic_{i}" for i in range(self.n_topics)])
        df.insert(0, "doc_id", self.doc_ids)
        return df

    def topic_term_frame(self, n: int = 25):
        """Tidy top-term table by probability: topic, rank, term, display, weight."""
        import pandas as pd

        rows = []
        for t in range(self.n_topics):
            for r, i in enumerate(self.top_term_ids(t, n)):
                term = self.vocabulary[i]
                shown = self.display[i] if self.display else term.replace("_", " ")
                rows.append((t, r, term, shown, float(self.topic_term[t, i])))
        return pd.DataFrame(rows, columns=["topic", "rank", "term", "display", "weight"])


class TopicModel:
    """Estimator-style base for topic models (scikit-learn's rules).

    ``__init__`` only stores parameters; :meth:`fit` validates, trains and sets learned
    attributes ending in ``_``:

    ``components_`` : ndarray, shape (n_topics, n_terms)
        Topic-term distributions (rows sum to 1).
    ``vocabulary_`` : list of str
    ``doc_topic_`` : ndarray, shape (n_documents, n_topics)
        Topic shares of the training documents.
    """

    name = "base"

    # ---- sklearn-style parameters
    @classmethod
    def _param_names(cls) -> list[str]:
        sig = inspect.signature(cls.__init__)
        return [p for p in sig.parameters if p != "self"]

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        return {p: getattr(self, p) for p in self._param_names()}

    def set_params(self, **params: Any) -> TopicModel:
        valid = set(self._param_names())
        for k, v in params.items():
            if k not in valid:
                raise ModelError(f"{type(self).__name__} has no parameter {k!r}; valid: {', '.join(sorted(valid))}")
            setattr(self, k, v)
        return self

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({args})"

    # ---- input handling
    def _as_matrix(self, X: Any):
        """(csr matrix (n_documents, n_terms), vocabulary or None, doc ids or None); a bag of
        words' display forms are remembered for :meth:`output`."""
        import scipy.sparse as sp

        from toolkit.distributed.bow import PartitionedBow
        from toolkit.vocabulary.bow import BagOfWords

        if isinstance(X, (PartitionedBow, BagOfWords)) and X.display:
            self._display_ = X.display_list()
        if isinstance(X, PartitionedBow):  # models that need the whole matrix in memory
            return X.matrix, X.vocabulary, list(X.doc_ids)
        if isinstance(X, BagOfWords):
            return X.matrix.tocsr(), X.vocabulary, list(X.doc_ids)
        if sp.issparse(X):
            return sp.csr_matrix(X), None, None
        arr = np.asarray(X)
        if arr.ndim != 2:
            raise ModelError("X must be a BagOfWords or a (n_documents, n_terms) count matrix")
        return sp.csr_matrix(arr), None, None

    def _check_input(self, m, n_topics: int) -> None:
        if m.shape[0] == 0:
            raise ModelError("no documents to train on: the bag of words is empty")
        if m.shape[1] == 0:
            raise ModelError("the vocabulary is empty: loosen the vocabulary filters (no_below, pos, stopwords)")
        if m.data.size and (m.data < 0).any():
            raise ModelError("the document-term matrix has negative values; topic models need counts")
        if not isinstance(n_topics, int | np.integer) or n_topics < 1:
            raise ModelError(f"n_topics must be a positive integer, not {n_topics!r}")
        if n_topics > m.shape[0]:
            raise ModelError(
                f"k={n_topics} topics is more than the {m.shape[0]} documents: choose k <= {m.shape[0]} "
                "(in practice far fewer) or add documents"
            )

    def _check_fitted(self) -> None:
        if not hasattr(self, "components_"):
            raise ModelError(f"this {type(self).__name__} is not fitted yet: call fit(X) first")

    def _check_vocab(self, m) -> None:
        if m.shape[1] != self.components_.shape[1]:
            raise ModelError(
                f"X has {m.shape[1]} terms but the model was fitted on {self.components_.shape[1]}: "
                "build X with the model's dictionary (BagOfWords.transform / bow_for_documents)"
            )

    # ---- API
    def fit(self, X: Any, y: Any = None) -> TopicModel:  # pragma: no cover - abstract
        raise NotImplementedError

    def transform(self, X: Any) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def fit_transform(self, X: Any, y: Any = None) -> np.ndarray:
        self.fit(X, y)
        return self.doc_topic_

    def output(self, X: Any = None) -> TopicModelOutput:
        """The :class:`TopicModelOutput` for the training documents (or for ``X``)."""
        self._check_fitted()
        if X is None:
            m, ids = self._train_matrix_, self._train_ids_
            doc_topic = self.doc_topic_
        else:
            m, _, ids = self._as_matrix(X)
            doc_topic = self.transform(X)
        if ids is None:
            ids = [str(i) for i in range(m.shape[0])]
        from toolkit.topics.describe import auto_labels

        if hasattr(m, "term_frequency"):  # a PartitionedBow: streamed
            tf, lengths = m.term_frequency(), m.doc_lengths()
        else:
            tf, lengths = np.asarray(m.sum(axis=0)).ravel(), np.asarray(m.sum(axis=1)).ravel()
        out = TopicModelOutput(
            topic_term=self.components_,
            doc_topic=doc_topic,
            vocabulary=list(self.vocabulary_),
            term_frequency=tf,
            doc_lengths=lengths,
            doc_ids=list(ids),
            themes=dict(getattr(self, "themes_", {}) or {}),
            info={"model": self.name, "params": _jsonable(self.get_params())},
        )
        display = getattr(self, "_display_", None)
        if display and len(display) == out.n_terms:
            out.display = list(display)
        report = getattr(self, "seed_report_", None)
        if report:
            out.info["seeds"] = {name: r["found"] for name, r in report.items()}
        out.labels = auto_labels(out)
        return out

    def save(self, directory: str | Path) -> None:  # pragma: no cover - per backend
        raise NotImplementedError


def _jsonable(d: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for k, v in d.items():
        if isinstance(v, np.ndarray):
            v = f"array{v.shape}"
        elif isinstance(v, np.integer | np.floating):
            v = v.item()
        elif not isinstance(v, str | int | float | bool | type(None) | list | tuple | dict):
            v = repr(v)
        out[k] = v
    return out
