"""gensim LDA behind the estimator interface (the toolkit's default topic model).

:class:`GensimLDA` wraps :class:`gensim.models.LdaModel` (repeatable: same data, parameters
and ``random_state`` give the same topics) and, with ``multicore=True``,
:class:`gensim.models.LdaMulticore` — faster on several cores but **not repeatable** across
runs (worker scheduling changes the order of updates), so it is opt-in.

Seeded themes (:mod:`toolkit.topics.themes`) become an ``eta`` prior: the seed words of a theme
get a large prior weight in the topic reserved for it and a tiny one elsewhere.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np

from toolkit.errors import ModelError
from toolkit.topics.base import TopicModel, _normalise_rows, nmf_topics, themed_start

log = logging.getLogger(__name__)


class GensimLDA(TopicModel):
    """Latent Dirichlet allocation trained with gensim (online variational Bayes).

    Parameters
    ----------
    n_topics : int
        Number of topics k.
    passes : int
        Passes over the corpus (5: starting from NMF topics, more passes change little).
    iterations : int
        Maximum E-step iterations per document.
    alpha : {"auto", "symmetric", "asymmetric"} or float
        Document-topic prior; ``"auto"`` learns an asymmetric prior from the data.
    eta : None, "auto", float
        Topic-term prior (None: 1/k). Seeded themes override it for their seed words.
    chunksize : int
        Documents per update.
    decay, offset : float
        Online learning-rate schedule (see gensim).
    init : {"nmf", "random"}
        Initial topics. ``"nmf"`` (default): the topics of a deterministic NMF of the TF-IDF
        matrix (``init="nndsvda"``), which makes the variational optimisation start near good
        topics — better coherence, and much more stable across seeds. ``"random"``: gensim's
        own random initialisation.
    init_iterations : int
        Maximum iterations of the initialising NMF.
    init_documents : int
        Largest number of documents the initialising NMF sees: a larger corpus gives it an
        evenly spaced sample of that many documents, so its memory does not grow with the
        corpus (corpora up to that size: every document, as before).
    themes : None, "default", dict or ThemeSet
        Seeded themes: each becomes one of the ``n_topics`` topics (see
        :func:`toolkit.topics.themes.load_themes`).
    seed_weight : float
        Prior pseudo-count of a seed word in its theme's topic.
    multicore : bool
        Use ``LdaMulticore`` (faster, NOT repeatable across runs).
    workers : int or None
        Worker processes for ``LdaMulticore``.
    random_state : int
        Seed of every random step (initialisation, inference).

    Attributes
    ----------
    components_ : ndarray, shape (n_topics, n_terms)
    doc_topic_ : ndarray, shape (n_documents, n_topics)
    vocabulary_ : list of str
    model_ : gensim.models.LdaModel
    themes_ : dict of int to str
        Seeded topics (topic index -> theme name).
    seed_report_ : dict
        Per theme: seeds found in the vocabulary and seeds missing.

    Examples
    --------
    >>> from toolkit.vocabulary import build_bow
    >>> bow = build_bow("runs/demo/corpus")                  # doctest: +SKIP
    >>> lda = GensimLDA(n_topics=8, random_state=1).fit(bow)  # doctest: +SKIP
    >>> lda.output().top_terms(0, 5)                          # doctest: +SKIP
    """

    name = "gensim-lda"

    def __init__(
        self,
        n_topics: int = 20,
        *,
        passes: int = 5,
        iterations: int = 50,
        alpha: Any = "auto",
        eta: Any = None,
        chunksize: int = 2000,
        decay: float = 0.5,
        offset: float = 1.0,
        init: str = "nmf",
        init_iterations: int = 50,
        init_documents: int = 50_000,
        themes: Any = None,
        seed_weight: float = 50.0,
        multicore: bool = False,
        workers: int | None = None,
        random_state: int = 0,
    ) -> None:
        self.n_topics = n_topics
        self.passes = passes
        self.iterations = iterations
        self.alpha = alpha
        self.eta = eta
        self.chunksize = chunksize
        self.decay = decay
        self.offset = offset
        self.init = init
        self.init_iterations = init_iterations
        self.init_documents = init_documents
        self.themes = themes
        self.seed_weight = seed_weight
        self.multicore = multicore
        self.workers = workers
        self.random_state = random_state

    def _eta(self, vocabulary: list[str]):
        from toolkit.topics.themes import build_eta, load_themes

        if self.themes is None:
            return self.eta, {}, {}
        themes = load_themes(self.themes)
        base = self.eta
        if base is None:
            base = 1.0 / self.n_topics
        elif isinstance(base, str):
            raise ModelError("eta='auto' cannot be combined with seeded themes; give a number or None")
        eta, topic_themes, report = build_eta(themes, vocabulary, self.n_topics, float(base), self.seed_weight)
        return eta, topic_themes, report

    def fit(self, X: Any, y: Any = None) -> GensimLDA:
        """Train on a :class:`~toolkit.vocabulary.BagOfWords` or a (n_documents, n_terms) count matrix."""
        from gensim.corpora import Dictionary
        from gensim.models import LdaModel, LdaMulticore

        from toolkit.distributed.bow import PartitionedBow, sample_rows
        from toolkit.vocabulary.bow import GensimBow

        if isinstance(X, PartitionedBow):  # streamed part by part: memory does not grow with the corpus
            m = X
            if X.display:
                self._display_ = X.display_list()
            n, n_terms = X.shape
            vocab, ids = X.vocabulary, list(X.doc_ids)
            if n == 0 or n_terms == 0:
                raise ModelError("no documents or no terms to train on: the bag of words is empty")
            if self.n_topics > n:
                raise ModelError(f"k={self.n_topics} topics is more than the {n} documents")
            corpus = X.gensim_corpus()
            n_tokens = float(X.stats.get("tokens") or X.term_frequency().sum())
        else:
            m, vocab, ids = self._as_matrix(X)
            self._check_input(m, self.n_topics)
            n, n_terms = m.shape
            corpus = GensimBow(m)
            n_tokens = float(m.sum())
        vocab = vocab or [f"w{i}" for i in range(n_terms)]
        id2word = Dictionary()
        id2word.token2id = {t: i for i, t in enumerate(vocab)}
        id2word.id2token = dict(enumerate(vocab))
        eta, topic_themes, report = self._eta(vocab)
        common = dict(
            corpus=corpus, id2word=id2word, num_topics=self.n_topics, passes=self.passes,
            iterations=self.iterations, chunksize=self.chunksize, decay=self.decay,
            offset=self.offset, eta=eta, random_state=self.random_state, eval_every=None,
            dtype=np.float32,
        )  # fmt: skip
        alpha = self.alpha
        if self.multicore:
            if alpha == "auto":
                log.info("LdaMulticore cannot learn alpha: using 'asymmetric'")
                alpha = "asymmetric"
            model = LdaMulticore(alpha=alpha, workers=self.workers, **common)
        else:
            model = LdaModel(alpha=alpha, update_every=1, **{**common, "corpus": None})
            if self.init not in ("nmf", "random"):
                raise ModelError(f"init must be 'nmf' or 'random', not {self.init!r}")
            if self.init == "nmf":
                sample = sample_rows(m, n, self.init_documents)  # all rows up to init_documents
                self._init_from_nmf(model, sample, topic_themes, eta, n_tokens)
            model.update(corpus, passes=self.passes, iterations=self.iterations, chunksize=self.chunksize,
                         decay=self.decay, offset=self.offset, eval_every=None)  # fmt: skip
        self.model_ = model
        self.vocabulary_ = list(vocab)
        self.themes_ = topic_themes
        self.seed_report_ = report
        self.components_ = _normalise_rows(model.get_topics())
        self._train_matrix_ = m
        self._train_ids_ = ids
        self.doc_topic_ = self._infer(m)
        return self

    def _init_from_nmf(self, model, m, topic_themes: dict[int, str], eta, n_tokens: float) -> None:
        """Set the model's initial topic-term statistics from an NMF of the TF-IDF matrix ``m``
        (the corpus, or an evenly spaced sample of ``init_documents`` documents of a larger one;
        seeded topics start from their seed words); ``n_tokens`` is the corpus's token count."""
        init = themed_start(nmf_topics(m, self.n_topics, self.init_iterations, self.random_state), eta,
                            topic_themes, self.seed_weight)  # fmt: skip
        # realistic scale (tokens per topic) plus a little noise so no two topics are tied
        noise = model.random_state.gamma(100.0, 1.0 / 100.0, init.shape)
        model.state.sstats = (init * (n_tokens / self.n_topics) + 0.01 * noise).astype(model.dtype)
        model.sync_state()

    def _infer(self, m) -> np.ndarray:
        """Document-topic shares by variational inference, deterministic (seeded); ``m`` is a
        CSR matrix or a :class:`~toolkit.distributed.bow.PartitionedBow` (read 4,096 rows at
        a time)."""
        from toolkit.vocabulary.bow import GensimBow

        rows = m.rows if hasattr(m, "rows") else (lambda a, b: m[a:b])
        model = self.model_
        saved = model.random_state
        model.random_state = np.random.RandomState(self.random_state)
        try:
            out = np.empty((m.shape[0], self.n_topics))
            for start in range(0, m.shape[0], 4096):
                chunk = list(GensimBow(rows(start, start + 4096)))
                gamma, _ = model.inference(chunk)
                out[start : start + len(chunk)] = gamma
        finally:
            model.random_state = saved
        return _normalise_rows(out)

    def transform(self, X: Any) -> np.ndarray:
        """Topic shares of new documents, shape (n_documents, n_topics)."""
        self._check_fitted()
        m, _, _ = self._as_matrix(X)
        self._check_vocab(m)
        return self._infer(m)

    # ---- persistence
    def save(self, directory: str | Path) -> None:
        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        self._check_fitted()
        self.model_.save(str(d / "lda.gensim"))

    @classmethod
    def load_model(cls, directory: str | Path, params: dict[str, Any], vocabulary: list[str]) -> GensimLDA:
        from gensim.models import LdaModel

        est = cls(**{k: v for k, v in params.items() if k in cls._param_names()})
        est.model_ = LdaModel.load(str(Path(directory) / "lda.gensim"))
        est.vocabulary_ = list(vocabulary)
        est.components_ = _normalise_rows(est.model_.get_topics())
        est.themes_ = {}
        return est
