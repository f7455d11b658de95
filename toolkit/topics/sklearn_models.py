"""scikit-learn topic models behind the toolkit's estimator interface: LDA and NMF."""

from __future__ import annotations

import logging
import pickle
from pathlib import Path
from typing import Any

import numpy as np

from toolkit.topics.base import TopicModel, _normalise_rows

log = logging.getLogger(__name__)


class _SklearnBase(TopicModel):
    def _make(self):  # pragma: no cover - abstract
        raise NotImplementedError

    def _prepare(self, m, fit: bool):
        return m

    def fit(self, X: Any, y: Any = None):
        m, vocab, ids = self._as_matrix(X)
        self._check_input(m, self.n_topics)
        model = self._make()
        data = self._prepare(m.astype(np.float64), fit=True)
        W = model.fit_transform(data)
        self.model_ = model
        self.vocabulary_ = list(vocab or [f"w{i}" for i in range(m.shape[1])])
        self.components_ = _normalise_rows(model.components_)
        self.doc_topic_ = _normalise_rows(W)
        self._train_matrix_ = m
        self._train_ids_ = ids
        self.themes_ = {}
        return self

    def transform(self, X: Any) -> np.ndarray:
        """Topic shares of new documents, shape (n_documents, n_topics)."""
        self._check_fitted()
        m, _, _ = self._as_matrix(X)
        self._check_vocab(m)
        return _normalise_rows(self.model_.transform(self._prepare(m.astype(np.float64), fit=False)))

    def save(self, directory: str | Path) -> None:
        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        with open(d / "model.pkl", "wb") as f:
            pickle.dump({"model": self.model_, "extra": getattr(self, "tfidf_", None)}, f)

    @classmethod
    def load_model(cls, directory: str | Path, params: dict[str, Any], vocabulary: list[str]):
        est = cls(**{k: v for k, v in params.items() if k in cls._param_names()})
        with open(Path(directory) / "model.pkl", "rb") as f:
            data = pickle.load(f)
        est.model_ = data["model"]
        if data.get("extra") is not None:
            est.tfidf_ = data["extra"]
        est.vocabulary_ = list(vocabulary)
        est.components_ = _normalise_rows(est.model_.components_)
        est.themes_ = {}
        return est


class SklearnLDA(_SklearnBase):
    """scikit-learn ``LatentDirichletAllocation`` on the toolkit's bag of words.

    Parameters
    ----------
    n_topics : int
    max_iter : int
    learning_method : {"batch", "online"}
    doc_topic_prior, topic_word_prior : float or None
        Dirichlet priors (None: 1/k).
    batch_size : int
    random_state : int

    Attributes
    ----------
    components_ : ndarray, shape (n_topics, n_terms)
    doc_topic_ : ndarray, shape (n_documents, n_topics)
    """

    name = "sklearn-lda"

    def __init__(
        self,
        n_topics: int = 20,
        *,
        max_iter: int = 20,
        learning_method: str = "online",
        doc_topic_prior: float | None = None,
        topic_word_prior: float | None = None,
        batch_size: int = 512,
        random_state: int = 0,
    ) -> None:
        self.n_topics = n_topics
        self.max_iter = max_iter
        self.learning_method = learning_method
        self.doc_topic_prior = doc_topic_prior
        self.topic_word_prior = topic_word_prior
        self.batch_size = batch_size
        self.random_state = random_state

    def _make(self):
        from sklearn.decomposition import LatentDirichletAllocation

        return LatentDirichletAllocation(
            n_components=self.n_topics, max_iter=self.max_iter,
            learning_method=self.learning_method, doc_topic_prior=self.doc_topic_prior,
            topic_word_prior=self.topic_word_prior, batch_size=self.batch_size,
            random_state=self.random_state,
        )  # fmt: skip


class NMFModel(_SklearnBase):
    """Non-negative matrix factorisation of the TF-IDF weighted bag of words (scikit-learn).

    Parameters
    ----------
    n_topics : int
    tfidf : bool
        Weight counts by TF-IDF (l2-normalised rows) before factorising.
    sublinear_tf : bool
        With ``tfidf``, use ``1 + log(tf)`` instead of raw counts.
    init : str
        NMF initialisation (``"nndsvda"``: deterministic SVD-based, good for sparse data).
    beta_loss : {"frobenius", "kullback-leibler"}
    max_iter : int
    alpha_W, l1_ratio : float
        Regularisation of the document-topic matrix.
    random_state : int

    Attributes
    ----------
    components_ : ndarray, shape (n_topics, n_terms)
        Rows of H, normalised to sum to 1.
    doc_topic_ : ndarray, shape (n_documents, n_topics)
        Rows of W, normalised to sum to 1 (uniform for documents NMF leaves empty).
    tfidf_ : sklearn TfidfTransformer
    """

    name = "nmf"

    def __init__(
        self,
        n_topics: int = 20,
        *,
        tfidf: bool = True,
        sublinear_tf: bool = True,
        init: str = "nndsvda",
        beta_loss: str = "frobenius",
        max_iter: int = 400,
        alpha_W: float = 0.0,
        l1_ratio: float = 0.0,
        random_state: int = 0,
    ) -> None:
        self.n_topics = n_topics
        self.tfidf = tfidf
        self.sublinear_tf = sublinear_tf
        self.init = init
        self.beta_loss = beta_loss
        self.max_iter = max_iter
        self.alpha_W = alpha_W
        self.l1_ratio = l1_ratio
        self.random_state = random_state

    def _prepare(self, m, fit: bool):
        if not self.tfidf:
            return m
        if fit:
            from sklearn.feature_extraction.text import TfidfTransformer

            self.tfidf_ = TfidfTransformer(sublinear_tf=self.sublinear_tf).fit(m)
        return self.tfidf_.transform(m)

    def _make(self):
        from sklearn.decomposition import NMF

        return NMF(
            n_components=self.n_topics, init=self.init, beta_loss=self.beta_loss,
            solver="mu" if self.beta_loss != "frobenius" else "cd", max_iter=self.max_iter,
            alpha_W=self.alpha_W, l1_ratio=self.l1_ratio, random_state=self.random_state,
        )  # fmt: skip
