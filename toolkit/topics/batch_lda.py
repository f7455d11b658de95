"""Batch variational LDA whose E-step runs partition by partition (here or on a Dask cluster).

Each pass is one EM iteration over the whole corpus (Blei, Ng & Jordan 2003; gensim's
``LdaModel`` inference, Lee & Seung's trick, in float64):

- **E-step**, one task per chunk of ``chunk_documents`` consecutive documents: the variational
  document–topic parameters of its documents, started from a gamma draw seeded by
  ``(random_state, pass, chunk)``, and the chunk's sufficient statistics (topics × terms) and
  ``Σ_d E[log θ_d]`` (for ``alpha="auto"``);
- **M-step** on the client: the statistics summed in chunk order, ``λ = η + Σ sstats``, and
  (``alpha="auto"``) one Newton step on α (gensim's ``update_dir_prior``).

The chunks, their seeds and the order of the sums do not depend on where the tasks run, so the
model trained with a :class:`~toolkit.distributed.LocalExecutor` (one process) equals the one
trained on a cluster up to floating-point summation order inside a task (BLAS), which the
tests check with ``allclose``. Unlike gensim's online LDA (``model = "lda"``), which updates
the topics after every chunk and is therefore sequential, every chunk of a pass can run at the
same time.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import numpy as np

from toolkit.errors import ModelError
from toolkit.topics.base import (
    TopicModel,
    TopicModelOutput,
    _jsonable,
    _normalise_rows,
    nmf_topics,
    themed_start,
)

log = logging.getLogger(__name__)

_INFER_PASS = 10**6  # seed component of the final inference pass


# ------------------------------------------------------------------------------- tasks


def _chunk_rows(item: Any):
    """A chunk's CSR rows: the matrix itself, or ``(bow_dir, start, stop)`` read from parts."""
    if isinstance(item, tuple) and len(item) == 3 and isinstance(item[0], str):
        from toolkit.distributed.bow import read_rows

        return read_rows(*item)
    return item


def infer_chunk(m, exp_elog_beta: np.ndarray, alpha: np.ndarray, iterations: int, gamma_threshold: float,
                seed: list[int], collect: bool) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:  # fmt: skip
    """Variational inference on the documents of ``m`` (CSR counts).

    Returns
    -------
    gamma : ndarray, shape (n_documents, n_topics)
    sstats : ndarray, shape (n_topics, n_terms), or None when ``collect`` is False
    elog_theta_sum : ndarray, shape (n_topics,)
        ``Σ_d E[log θ_d]`` (for the update of α).
    """
    from gensim.matutils import dirichlet_expectation, mean_absolute_difference

    k = exp_elog_beta.shape[0]
    rng = np.random.RandomState(seed)
    n = m.shape[0]
    gamma = rng.gamma(100.0, 1.0 / 100.0, (n, k))
    exp_elog_theta = np.exp(dirichlet_expectation(gamma))
    sstats = np.zeros_like(exp_elog_beta) if collect else None
    eps = np.finfo(np.float64).eps
    indptr, indices, data = m.indptr, m.indices, m.data
    for d in range(n):
        ids = indices[indptr[d] : indptr[d + 1]]
        cts = data[indptr[d] : indptr[d + 1]].astype(np.float64)
        gammad = gamma[d, :]
        expd = exp_elog_theta[d, :]
        betad = exp_elog_beta[:, ids]
        phinorm = expd @ betad + eps
        for _ in range(iterations):
            last = gammad
            gammad = alpha + expd * ((cts / phinorm) @ betad.T)
            expd = np.exp(dirichlet_expectation(gammad))
            phinorm = expd @ betad + eps
            if mean_absolute_difference(gammad, last) < gamma_threshold:
                break
        gamma[d, :] = gammad
        if collect:
            sstats[:, ids] += np.outer(expd, cts / phinorm)
    if collect:
        sstats *= exp_elog_beta
    elog_sum = dirichlet_expectation(gamma).sum(axis=0) if n else np.zeros(k)
    return gamma, sstats, elog_sum


def estep_task(job: tuple[Any, list[int]], exp_elog_beta: np.ndarray, alpha: np.ndarray, iterations: int,
               gamma_threshold: float) -> tuple[np.ndarray, np.ndarray, int]:  # fmt: skip
    """E-step of one chunk: ``(sstats, Σ E[log θ], n_documents)``."""
    item, seed = job
    m = _chunk_rows(item)
    _, sstats, elog_sum = infer_chunk(m, exp_elog_beta, alpha, iterations, gamma_threshold, seed, True)
    return sstats, elog_sum, m.shape[0]


def infer_task(job: tuple[Any, list[int]], exp_elog_beta: np.ndarray, alpha: np.ndarray, iterations: int,
               gamma_threshold: float) -> np.ndarray:  # fmt: skip
    """Topic shares of one chunk's documents, shape (n_documents, n_topics)."""
    item, seed = job
    gamma, _, _ = infer_chunk(_chunk_rows(item), exp_elog_beta, alpha, iterations, gamma_threshold, seed, False)
    return _normalise_rows(gamma)


# ------------------------------------------------------------------------------- estimator


class BatchLDA(TopicModel):
    """Batch variational LDA, partitioned E-step (see the module docstring).

    Parameters
    ----------
    n_topics : int
    passes : int
        EM iterations over the corpus (each one E-step over every document, one M-step).
    iterations : int
        Largest number of per-document variational iterations in an E-step.
    gamma_threshold : float
        Per-document convergence threshold (mean absolute change of gamma).
    alpha : {"symmetric", "asymmetric", "auto"} or float
        Document–topic prior; ``"auto"`` learns it (one Newton step per pass).
    eta : None or float
        Topic–term prior (None: 1/k). Seeded themes override it for their seed words.
    init : {"nmf", "random"}
        Initial topics: NMF of the TF-IDF of a sample of documents (``init_documents``, evenly
        spaced, so the cost does not grow with the corpus), or gensim's random draw.
    init_documents : int
        Documents in the NMF sample.
    init_iterations : int
        NMF iterations.
    chunk_documents : int
        Documents per E-step task (fixes the chunks and their seeds: keep it when comparing).
    themes : None, "default", dict or ThemeSet
        Seeded themes (as :class:`~toolkit.topics.gensim_lda.GensimLDA`).
    seed_weight : float
    random_state : int

    Attributes
    ----------
    components_ : ndarray, shape (n_topics, n_terms)
    doc_topic_ : ndarray, shape (n_documents, n_topics)
    lambda_ : ndarray, shape (n_topics, n_terms)
        Variational topic–term parameters.
    alpha_ : ndarray, shape (n_topics,)
    vocabulary_ : list of str
    themes_ : dict of int to str
    history_ : list of dict
        Per pass: seconds and mean absolute change of E[log β].
    """

    name = "batch-lda"
    #: Runs its E-step on the workers of a cluster (``fit(..., executor=...)``).
    distributable = True

    def __init__(
        self,
        n_topics: int = 20,
        *,
        passes: int = 20,
        iterations: int = 50,
        gamma_threshold: float = 0.001,
        alpha: Any = "symmetric",
        eta: Any = None,
        init: str = "nmf",
        init_documents: int = 20_000,
        init_iterations: int = 50,
        chunk_documents: int = 2000,
        themes: Any = None,
        seed_weight: float = 50.0,
        random_state: int = 0,
    ) -> None:
        self.n_topics = n_topics
        self.passes = passes
        self.iterations = iterations
        self.gamma_threshold = gamma_threshold
        self.alpha = alpha
        self.eta = eta
        self.init = init
        self.init_documents = init_documents
        self.init_iterations = init_iterations
        self.chunk_documents = chunk_documents
        self.themes = themes
        self.seed_weight = seed_weight
        self.random_state = random_state

    # ---- input
    def _source(self, X: Any):
        """(row source, n_documents, n_terms, vocabulary, doc ids, partitioned?)."""
        from toolkit.distributed.bow import PartitionedBow

        if isinstance(X, PartitionedBow):
            if X.display:
                self._display_ = X.display_list()
            return X, X.n_documents, X.n_terms, X.vocabulary, list(X.doc_ids), True
        m, vocab, ids = self._as_matrix(X)
        self._check_input(m, self.n_topics)
        return m, m.shape[0], m.shape[1], vocab, ids, False

    def _jobs(self, source: Any, n: int, partitioned: bool, pass_: int) -> list:
        size = max(1, int(self.chunk_documents))
        jobs = []
        for c, a in enumerate(range(0, n, size)):
            b = min(a + size, n)
            item = (str(source.directory), a, b) if partitioned else source[a:b]
            jobs.append((item, [int(self.random_state), int(pass_), c]))
        return jobs

    def _priors(self, vocab: list[str], n_terms: int):
        k = self.n_topics
        a = self.alpha
        if isinstance(a, str):
            if a in ("symmetric", "auto"):
                alpha = np.full(k, 1.0 / k)
            elif a == "asymmetric":
                alpha = 1.0 / (np.arange(k) + np.sqrt(k))
                alpha = alpha / alpha.sum()
            else:
                raise ModelError(f"alpha must be 'symmetric', 'asymmetric', 'auto' or a number, not {a!r}")
        else:
            alpha = np.full(k, float(a))
        base = 1.0 / k if self.eta is None else self.eta
        if isinstance(base, str):
            raise ModelError("eta must be None or a number for batch LDA")
        topic_themes, report = {}, {}
        if self.themes is not None:
            from toolkit.topics.themes import build_eta, load_themes

            eta, topic_themes, report = build_eta(load_themes(self.themes), vocab, k, float(base), self.seed_weight)
            eta = np.asarray(eta, dtype=np.float64)
            if eta.ndim == 1:
                eta = np.broadcast_to(eta, (k, n_terms)).copy()
        else:
            eta = np.full((k, n_terms), float(base))
        return alpha, eta, topic_themes, report

    def _init_sstats(self, source, n, n_terms, partitioned, topic_themes, eta, n_tokens) -> np.ndarray:
        k = self.n_topics
        rng = np.random.RandomState(self.random_state)
        if self.init == "random":
            return rng.gamma(100.0, 1.0 / 100.0, (k, n_terms))
        if self.init != "nmf":
            raise ModelError(f"init must be 'nmf' or 'random', not {self.init!r}")
        from toolkit.distributed.bow import sample_rows

        sample = sample_rows(source, n, self.init_documents)
        H = nmf_topics(sample, k, self.init_iterations, self.random_state)
        init = themed_start(H, eta, topic_themes, self.seed_weight)
        return init * (n_tokens / k) + 0.01 * rng.gamma(100.0, 1.0 / 100.0, init.shape)

    # ---- fit
    def fit(self, X: Any, y: Any = None, *, executor: Any = None) -> BatchLDA:
        """Train on a BagOfWords, a PartitionedBow or a count matrix.

        Parameters
        ----------
        X : BagOfWords, PartitionedBow or (n_documents, n_terms) counts
        executor : Executor, optional
            Where the E-step tasks run (default: this process). With a
            :class:`~toolkit.distributed.PartitionedBow` on a cluster, workers read their
            chunk's rows from the part files themselves.
        """
        from gensim.matutils import dirichlet_expectation
        from gensim.models.ldamodel import update_dir_prior

        from toolkit.distributed.executor import LocalExecutor

        executor = executor or LocalExecutor()
        source, n, n_terms, vocab, ids, partitioned = self._source(X)
        if n == 0 or n_terms == 0:
            raise ModelError("no documents or no terms to train on")
        if self.n_topics > n:
            raise ModelError(f"k={self.n_topics} topics is more than the {n} documents")
        vocab = vocab or [f"w{i}" for i in range(n_terms)]
        alpha, eta, topic_themes, report = self._priors(vocab, n_terms)
        if partitioned:
            tf = source.term_frequency().astype(np.float64)
            lengths = source.doc_lengths().astype(np.float64)
        else:
            tf = np.asarray(source.sum(axis=0), dtype=np.float64).ravel()
            lengths = np.asarray(source.sum(axis=1), dtype=np.float64).ravel()
        sstats = self._init_sstats(source, n, n_terms, partitioned, topic_themes, eta, float(tf.sum()))
        lam = eta + sstats
        elog_beta = dirichlet_expectation(lam)
        history = []
        for p in range(self.passes):
            t0 = time.perf_counter()
            exp_beta = np.exp(elog_beta)
            total = np.zeros((self.n_topics, n_terms))
            elog_theta = np.zeros(self.n_topics)
            n_seen = 0
            for st, es, nd in executor.map(estep_task, self._jobs(source, n, partitioned, p), exp_beta, alpha,
                                           self.iterations, self.gamma_threshold, label="lda-estep"):  # fmt: skip
                total += st
                elog_theta += es
                n_seen += nd
            if n_seen != n:
                raise ModelError(f"E-step saw {n_seen} documents instead of {n}")
            lam = eta + total
            new_elog_beta = dirichlet_expectation(lam)
            change = float(np.mean(np.abs(new_elog_beta - elog_beta)))
            elog_beta = new_elog_beta
            if self.alpha == "auto":
                alpha = update_dir_prior(alpha, float(n), elog_theta / n, 1.0)
            history.append({"pass": p, "seconds": round(time.perf_counter() - t0, 3), "topic_change": change})
            log.info("batch LDA pass %d/%d: topic change %.5f", p + 1, self.passes, change)
        exp_beta = np.exp(elog_beta)
        doc_topic = np.empty((n, self.n_topics))
        offset = 0
        for g in executor.map(infer_task, self._jobs(source, n, partitioned, _INFER_PASS), exp_beta, alpha,
                              self.iterations, self.gamma_threshold, label="lda-infer"):  # fmt: skip
            doc_topic[offset : offset + len(g)] = g
            offset += len(g)
        self.lambda_ = lam
        self.alpha_ = np.asarray(alpha, dtype=np.float64)
        self.eta_ = eta
        self.components_ = _normalise_rows(lam)
        self.doc_topic_ = doc_topic
        self.vocabulary_ = list(vocab)
        self.themes_ = topic_themes
        self.seed_report_ = report
        self.history_ = history
        self._train_ids_ = ids if ids is not None else [str(i) for i in range(n)]
        self._term_frequency_ = tf
        self._doc_lengths_ = lengths
        return self

    def transform(self, X: Any, *, executor: Any = None) -> np.ndarray:
        """Topic shares of documents, shape (n_documents, n_topics) (deterministic)."""
        from gensim.matutils import dirichlet_expectation

        from toolkit.distributed.executor import LocalExecutor

        self._check_fitted()
        source, n, n_terms, _, _, partitioned = self._source(X)
        if n_terms != self.components_.shape[1]:
            raise ModelError(f"X has {n_terms} terms but the model was fitted on {self.components_.shape[1]}")
        exp_beta = np.exp(dirichlet_expectation(self.lambda_))
        out = [g for g in (executor or LocalExecutor()).map(
            infer_task, self._jobs(source, n, partitioned, _INFER_PASS), exp_beta, self.alpha_,
            self.iterations, self.gamma_threshold, label="lda-infer")]  # fmt: skip
        return np.vstack(out) if out else np.zeros((0, self.n_topics))

    def output(self, X: Any = None) -> TopicModelOutput:
        """The :class:`TopicModelOutput` of the training documents (no matrix in memory)."""
        if X is not None:
            return super().output(X)
        self._check_fitted()
        from toolkit.topics.describe import auto_labels

        out = TopicModelOutput(
            topic_term=self.components_, doc_topic=self.doc_topic_, vocabulary=list(self.vocabulary_),
            term_frequency=self._term_frequency_, doc_lengths=self._doc_lengths_, doc_ids=list(self._train_ids_),
            themes=dict(self.themes_ or {}), info={"model": self.name, "params": _jsonable(self.get_params())},
        )  # fmt: skip
        if self.seed_report_:
            out.info["seeds"] = {name: r["found"] for name, r in self.seed_report_.items()}
        out.labels = auto_labels(out)
        return out

    # ---- persistence
    def save(self, directory: str | Path) -> None:
        """``batch_lda.npz`` (λ, α, η) beside the output."""
        self._check_fitted()
        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        from toolkit.runtime import atomic_path

        with atomic_path(d / "batch_lda.npz", suffix=".npz") as tmp, open(tmp, "wb") as f:
            np.savez_compressed(f, lambda_=self.lambda_, alpha=self.alpha_, eta=self.eta_)

    @classmethod
    def load_model(cls, directory: str | Path, params: dict[str, Any], vocabulary: list[str]) -> BatchLDA:
        est = cls(**{k: v for k, v in params.items() if k in cls._param_names()})
        with np.load(Path(directory) / "batch_lda.npz") as z:
            est.lambda_, est.alpha_, est.eta_ = z["lambda_"], z["alpha"], z["eta"]
        est.components_ = _normalise_rows(est.lambda_)
        est.vocabulary_ = list(vocabulary)
        est.themes_ = {}
        return est
