"""tomotopy DMR: LDA whose topic prior depends on a document metadata field (optional backend).

Dirichlet-multinomial regression (Mimno & McCallum 2008): each level of a metadata field
(``source``, ``section``, a month…) gets its own Dirichlet prior over topics,
``alpha_f = exp(lambda_f)``, learned with the topics. Prevalence then depends on metadata
*inside* the model, rather than in a regression after the fact (:mod:`toolkit.topics.effects`
does the latter for any model, DMR included).

The covariate's values come from ``y`` in ``fit(X, y)`` (one value per document, sklearn's
convention), or, when the model is trained by ``fnt topics train`` / ``fnt run``, from the
corpus metadata field named by ``covariate`` (:func:`toolkit.topics.pipeline.fit_model`).
Documents without a value share the level ``"(none)"``. With ``workers=1`` (the default) a
fixed ``random_state`` gives the same topics on every run.

Examples
--------
>>> dmr = TomotopyDMR(8, covariate="source", random_state=1)             # doctest: +SKIP
>>> dmr.fit(bow, y=sources).output().info["dmr"]["alpha"]                # doctest: +SKIP
"""

from __future__ import annotations

import logging
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from toolkit.errors import ModelError
from toolkit.topics.base import _normalise_rows
from toolkit.topics.tomotopy_lda import TomotopyLDA, _tomotopy

log = logging.getLogger(__name__)

MISSING = "(none)"


class TomotopyDMR(TomotopyLDA):
    """Dirichlet-multinomial regression topic model (tomotopy ``DMRModel``, Gibbs sampling).

    Parameters
    ----------
    n_topics : int
    covariate : str
        Metadata field whose levels set the topic prior (``source``, ``section``, …); used
        when the pipeline supplies the values from the corpus.
    iterations : int
        Gibbs sweeps.
    alpha : float
        Initial prior per topic (exp of lambda's initial value).
    eta : float
        Topic-word prior.
    sigma : float
        Standard deviation of the Gaussian prior on lambda (tomotopy's default 1.0).
    optimize_interval : int
        Re-estimate lambda every this many sweeps.
    workers : int
        1 keeps runs repeatable.
    random_state : int

    Attributes
    ----------
    components_ : ndarray, shape (n_topics, n_terms)
    doc_topic_ : ndarray, shape (n_documents, n_topics)
    levels_ : list of str
        The covariate's levels, in tomotopy's order.
    alpha_ : ndarray, shape (n_levels, n_topics)
        The learned Dirichlet prior of each level.
    """

    name = "tomotopy-dmr"

    def __init__(
        self,
        n_topics: int = 20,
        *,
        covariate: str = "source",
        iterations: int = 1000,
        alpha: float = 0.1,
        eta: float = 0.01,
        sigma: float = 1.0,
        optimize_interval: int = 10,
        workers: int = 1,
        random_state: int = 0,
    ) -> None:
        self.n_topics = n_topics
        self.covariate = covariate
        self.iterations = iterations
        self.alpha = alpha
        self.eta = eta
        self.sigma = sigma
        self.optimize_interval = optimize_interval
        self.workers = workers
        self.random_state = random_state

    @staticmethod
    def _levels(y: Any, n: int) -> list[str]:
        if y is None:
            raise ModelError("TomotopyDMR needs the covariate's value of every document: fit(X, y=values)")
        vals = [MISSING if v is None or (isinstance(v, float) and np.isnan(v)) or str(v).strip() == "" else str(v)
                for v in list(y)]  # fmt: skip
        if len(vals) != n:
            raise ModelError(f"y has {len(vals)} values but X has {n} documents")
        return vals

    def fit(self, X: Any, y: Any = None) -> TomotopyDMR:
        """Train on a bag of words; ``y`` gives each document's covariate value."""
        tp = _tomotopy()
        m, vocab, ids = self._as_matrix(X)
        self._check_input(m, self.n_topics)
        levels = self._levels(y, m.shape[0])
        if len(set(levels)) < 2:
            log.warning("DMR covariate %r has a single level: the model reduces to LDA", self.covariate)
        vocab = list(vocab or [f"w{i}" for i in range(m.shape[1])])
        model = tp.DMRModel(k=self.n_topics, alpha=self.alpha, eta=self.eta, sigma=self.sigma, seed=self.random_state)
        model.optim_interval = self.optimize_interval
        for i in range(m.shape[0]):
            model.add_doc(self._words(m, vocab, i), metadata=levels[i])
        done = 0
        while done < self.iterations:
            n = min(50, self.iterations - done)
            model.train(n, workers=self.workers)
            done += n
        self.model_ = model
        self._set_from_model(vocab)
        self.doc_topic_ = _normalise_rows(np.array([d.get_topic_dist() for d in model.docs]))
        self._train_matrix_ = m
        self._train_ids_ = ids
        self._train_levels_ = levels
        self.themes_ = {}
        return self

    def _set_from_model(self, vocab: list[str]) -> None:
        model = self.model_
        index = {w: i for i, w in enumerate(vocab)}
        tt = np.zeros((model.k, len(vocab)))
        used = list(model.used_vocabs)
        cols = np.array([index[w] for w in used])
        for t in range(model.k):
            tt[t, cols] = np.asarray(model.get_topic_word_dist(t))[: len(used)]
        self.vocabulary_ = list(vocab)
        self.components_ = _normalise_rows(tt)
        self.levels_ = list(model.metadata_dict)
        self.alpha_ = np.vstack([np.asarray(model.get_topic_prior(lv)) for lv in self.levels_])

    def transform(self, X: Any, y: Any = None) -> np.ndarray:
        """Topic shares of new documents (Gibbs inference, seeded); ``y`` their covariate values
        (default: the most frequent training level, with a warning)."""
        self._check_fitted()
        m, _, _ = self._as_matrix(X)
        self._check_vocab(m)
        if y is None:
            common = Counter(getattr(self, "_train_levels_", self.levels_)).most_common(1)[0][0]
            log.warning("no covariate values given: inferring with level %r for every document", common)
            y = [common] * m.shape[0]
        levels = self._levels(y, m.shape[0])
        unknown = sorted(set(levels) - set(self.levels_))
        if unknown:
            raise ModelError(f"covariate level(s) not seen in training: {', '.join(unknown[:5])}; known: "
                             + ", ".join(self.levels_[:10]))  # fmt: skip
        docs = [self.model_.make_doc(self._words(m, self.vocabulary_, i), metadata=levels[i]) for i in range(m.shape[0])]
        out = np.full((m.shape[0], self.n_topics), 1.0 / self.n_topics)
        nonempty = [i for i, d in enumerate(docs) if len(d.words)]
        if nonempty:
            dists, _ = self.model_.infer([docs[i] for i in nonempty], iterations=100, workers=1)
            for i, dist in zip(nonempty, dists, strict=True):
                out[i] = dist
        return _normalise_rows(out)

    def output(self, X: Any = None):
        out = super().output(X)
        out.info["dmr"] = {"covariate": self.covariate, "levels": list(self.levels_),
                           "alpha": np.round(self.alpha_, 6).tolist()}  # fmt: skip
        return out

    def save(self, directory: str | Path) -> None:
        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        self.model_.save(str(d / "dmr.tomotopy"))

    @classmethod
    def load_model(cls, directory: str | Path, params: dict[str, Any], vocabulary: list[str]) -> TomotopyDMR:
        tp = _tomotopy()
        est = cls(**{k: v for k, v in params.items() if k in cls._param_names()})
        est.model_ = tp.DMRModel.load(str(Path(directory) / "dmr.tomotopy"))
        est._set_from_model(list(vocabulary))
        est.themes_ = {}
        return est
