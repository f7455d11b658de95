"""The model's uncertainty about each document's topic shares, as a Dirichlet per document.

Effect estimates (:mod:`toolkit.topics.effects`) draw document–topic proportions from here, so
that their intervals include the model's own uncertainty (stm's method of composition).

What each backend gives (``TopicPosterior.kind``):

``variational``
    gensim LDA and scikit-learn LDA: the variational posterior ``q(theta_d) = Dirichlet(gamma_d)``
    that the model's own E-step computes for each training document (re-run here with the
    run's seed on the saved bag of words).
``gibbs``
    tomotopy LDA / DMR: ``Dirichlet(alpha_d + n_dk)``, the conditional posterior of theta given
    the topic assignments of the last Gibbs sweep (``n_dk``: tokens of document d assigned to
    topic k; ``alpha_d``: the document's prior, metadata-dependent for DMR). It holds one
    sample of the assignments, not many: it understates the assignment uncertainty a little.
``approximate``
    Models without a posterior (NMF), or runs whose model files or bag of words are missing:
    ``Dirichlet(1/K + n_d * theta_hat_d)``, as if the document's ``n_d`` tokens had been split
    among topics in proportion to its point estimate under a symmetric Dirichlet(1/K) prior.
    Long documents get tight draws, short ones wide draws. It is an approximation, and the
    effects output says so.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

KINDS = {
    "variational": "variational Dirichlet posterior of each document's topic shares (the model's own E-step)",
    "gibbs": "Dirichlet(alpha + topic counts of the last Gibbs sweep) per document",
    "approximate": ("APPROXIMATION: this model has no posterior over document-topic shares; draws come from "
                    "Dirichlet(1/K + document length x point estimate) per document"),
}  # fmt: skip


@dataclass
class TopicPosterior:
    """Per-document Dirichlet over topic shares.

    Attributes
    ----------
    concentration : ndarray, shape (n_documents, n_topics)
        Dirichlet parameters (all > 0).
    kind : {"variational", "gibbs", "approximate"}
    note : str
        One sentence for outputs: what the draws are.
    """

    concentration: np.ndarray
    kind: str
    note: str = ""

    def __post_init__(self) -> None:
        self.concentration = np.maximum(np.asarray(self.concentration, dtype=np.float64), 1e-6)
        if not self.note:
            self.note = KINDS[self.kind]

    @property
    def mean(self) -> np.ndarray:
        """Posterior mean shares, shape (n_documents, n_topics)."""
        return self.concentration / self.concentration.sum(axis=1, keepdims=True)

    def sample(self, rng: np.random.Generator) -> np.ndarray:
        """One draw of every document's topic shares, shape (n_documents, n_topics)."""
        g = rng.standard_gamma(self.concentration)
        s = g.sum(axis=1, keepdims=True)
        bad = s[:, 0] <= 0  # all gammas underflowed (tiny concentrations): use the mean
        s[bad] = 1.0
        out = g / s
        if bad.any():
            out[bad] = self.mean[bad]
        return out


def approximate_posterior(output, prior: float | None = None) -> TopicPosterior:
    """``Dirichlet(prior + n_d * theta_hat_d)`` per document (prior: 1/K)."""
    a = 1.0 / output.n_topics if prior is None else prior
    conc = a + np.maximum(output.doc_lengths, 1.0)[:, None] * output.doc_topic
    return TopicPosterior(conc, "approximate")


def _gensim_gamma(est, bow) -> np.ndarray:
    from toolkit.vocabulary import GensimBow

    model = est.model_
    saved = model.random_state
    model.random_state = np.random.RandomState(int(est.random_state))
    try:
        out = np.empty((bow.matrix.shape[0], model.num_topics))
        for start in range(0, bow.matrix.shape[0], 4096):
            chunk = list(GensimBow(bow.matrix[start : start + 4096]))
            gamma, _ = model.inference(chunk)
            out[start : start + len(chunk)] = gamma
    finally:
        model.random_state = saved
    return out


def _gibbs_counts(est) -> np.ndarray:
    model = est.model_
    k = model.k
    alpha = np.asarray(model.alpha, dtype=np.float64)
    rows = []
    for d in model.docs:
        counts = np.bincount(np.asarray(d.topics, dtype=np.int64), minlength=k)[:k].astype(np.float64)
        a = alpha
        if alpha.ndim == 2:  # DMR: alpha per metadata value
            a = np.asarray(model.get_topic_prior(d.metadata), dtype=np.float64)
        rows.append(a + counts)
    return np.vstack(rows) if rows else np.zeros((0, k))


def topic_posterior(output, paths: Any = None) -> TopicPosterior:
    """The posterior over document-topic shares of a run's model (see the module docstring).

    Parameters
    ----------
    output : TopicModelOutput
        The model's (uncurated) output; its ``doc_ids`` order the rows.
    paths : RunPaths, optional
        Where the model files and bag of words are (:func:`toolkit.topics.runs.resolve_run`);
        without them the approximation is used.
    """
    name = output.info.get("model", "")
    if paths is None or paths.model_dir is None:
        return approximate_posterior(output)
    try:
        from toolkit.topics.io import load_model

        if name in ("gensim-lda", "sklearn-lda"):
            if paths.bow_dir is None:
                log.warning("no bag of words saved with the run: effects use the approximate posterior")
                return approximate_posterior(output)
            from toolkit.vocabulary import BagOfWords

            bow = BagOfWords.load(paths.bow_dir)
            if list(bow.doc_ids) != list(output.doc_ids):
                log.warning("the saved bag of words does not match the model's documents: approximate posterior")
                return approximate_posterior(output)
            est = load_model(paths.output_dir)
            if name == "gensim-lda":
                conc = _gensim_gamma(est, bow)
            else:
                conc = est.model_._unnormalized_transform(bow.matrix.astype(np.float64))
            post = TopicPosterior(conc, "variational")
        elif name in ("tomotopy-lda", "tomotopy-dmr"):
            est = load_model(paths.output_dir)
            conc = _gibbs_counts(est)
            if conc.shape != output.doc_topic.shape:
                log.warning("tomotopy documents do not match the model output: approximate posterior")
                return approximate_posterior(output)
            post = TopicPosterior(conc, "gibbs")
        else:
            return approximate_posterior(output)
    except Exception as exc:  # noqa: BLE001 - any failure to reload falls back, loudly
        log.warning("could not reload the %s model (%s): effects use the approximate posterior", name, exc)
        return approximate_posterior(output)
    gap = float(np.abs(post.mean - output.doc_topic).max()) if len(output.doc_ids) else 0.0
    if gap > 0.05:
        log.info("posterior mean differs from the saved shares by up to %.3f (max over documents)", gap)
    return post
