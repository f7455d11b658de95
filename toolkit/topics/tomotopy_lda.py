"""tomotopy LDA (collapsed Gibbs sampling, C++) behind the estimator interface (optional).

tomotopy is an optional dependency (``pip install tomotopy``). With ``workers=1`` (the
default here) a fixed ``random_state`` gives the same topics on every run.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np

from toolkit.errors import NotInstalledError
from toolkit.topics.base import TopicModel, _normalise_rows

log = logging.getLogger(__name__)


def _tomotopy():
    try:
        import tomotopy
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise NotInstalledError("the tomotopy backend needs tomotopy: pip install tomotopy") from exc
    return tomotopy


class TomotopyLDA(TopicModel):
    """LDA by collapsed Gibbs sampling with tomotopy.

    Parameters
    ----------
    n_topics : int
    iterations : int
        Gibbs sweeps.
    alpha, eta : float
        Symmetric priors (``alpha`` is per topic, as in tomotopy: 0.1 by default).
    optimize_interval : int
        Re-estimate an asymmetric alpha every this many sweeps (0: never).
    workers : int
        Sampling threads; 1 keeps runs repeatable.
    random_state : int

    Attributes
    ----------
    components_ : ndarray, shape (n_topics, n_terms)
    doc_topic_ : ndarray, shape (n_documents, n_topics)
    """

    name = "tomotopy-lda"

    def __init__(
        self,
        n_topics: int = 20,
        *,
        iterations: int = 1000,
        alpha: float = 0.1,
        eta: float = 0.01,
        optimize_interval: int = 10,
        workers: int = 1,
        random_state: int = 0,
    ) -> None:
        self.n_topics = n_topics
        self.iterations = iterations
        self.alpha = alpha
        self.eta = eta
        self.optimize_interval = optimize_interval
        self.workers = workers
        self.random_state = random_state

    @staticmethod
    def _words(m, vocab, i):
        row = m.getrow(i)
        return [vocab[j] for j, c in zip(row.indices, row.data, strict=True) for _ in range(int(c))]

    def fit(self, X: Any, y: Any = None) -> TomotopyLDA:
        tp = _tomotopy()
        m, vocab, ids = self._as_matrix(X)
        self._check_input(m, self.n_topics)
        vocab = list(vocab or [f"w{i}" for i in range(m.shape[1])])
        model = tp.LDAModel(k=self.n_topics, alpha=self.alpha, eta=self.eta, seed=self.random_state)
        model.optim_interval = self.optimize_interval
        for i in range(m.shape[0]):
            model.add_doc(self._words(m, vocab, i))
        step = 50
        done = 0
        while done < self.iterations:
            n = min(step, self.iterations - done)
            model.train(n, workers=self.workers)
            done += n
        self.model_ = model
        index = {w: i for i, w in enumerate(vocab)}
        tt = np.zeros((self.n_topics, len(vocab)))
        used = list(model.used_vocabs)
        cols = np.array([index[w] for w in used])
        for t in range(self.n_topics):
            tt[t, cols] = np.asarray(model.get_topic_word_dist(t))[: len(used)]
        self.vocabulary_ = vocab
        self.components_ = _normalise_rows(tt)
        self.doc_topic_ = _normalise_rows(np.array([d.get_topic_dist() for d in model.docs]))
        self._train_matrix_ = m
        self._train_ids_ = ids
        self.themes_ = {}
        return self

    def transform(self, X: Any) -> np.ndarray:
        """Topic shares of new documents by Gibbs inference (seeded), shape (n_documents, n_topics)."""
        self._check_fitted()
        m, _, _ = self._as_matrix(X)
        self._check_vocab(m)
        docs = [self.model_.make_doc(self._words(m, self.vocabulary_, i)) for i in range(m.shape[0])]
        out = np.full((m.shape[0], self.n_topics), 1.0 / self.n_topics)
        nonempty = [i for i, d in enumerate(docs) if len(d.words)]
        if nonempty:
            dists, _ = self.model_.infer([docs[i] for i in nonempty], iterations=100, workers=1)
            for i, dist in zip(nonempty, dists, strict=True):
                out[i] = dist
        return _normalise_rows(out)

    def save(self, directory: str | Path) -> None:
        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        self.model_.save(str(d / "lda.tomotopy"))

    @classmethod
    def load_model(cls, directory: str | Path, params: dict[str, Any], vocabulary: list[str]) -> TomotopyLDA:
        tp = _tomotopy()
        est = cls(**{k: v for k, v in params.items() if k in cls._param_names()})
        est.model_ = tp.LDAModel.load(str(Path(directory) / "lda.tomotopy"))
        est.vocabulary_ = list(vocabulary)
        index = {w: i for i, w in enumerate(vocabulary)}
        used = list(est.model_.used_vocabs)
        tt = np.zeros((est.model_.k, len(vocabulary)))
        cols = np.array([index[w] for w in used])
        for t in range(est.model_.k):
            tt[t, cols] = np.asarray(est.model_.get_topic_word_dist(t))[: len(used)]
        est.components_ = _normalise_rows(tt)
        est.themes_ = {}
        return est
