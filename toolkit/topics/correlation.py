"""Which topics co-occur in documents (stm ``topicCorr``), and FREX labels (stm ``labelTopics``).

Topic correlation, ``method="simple"`` of stm: the Pearson correlation of the columns of the
document–topic matrix; two topics are linked when their correlation exceeds ``cutoff``
(stm's default 0.01). Mixture models make every pair slightly negative on average (shares sum
to 1), so a positive correlation means the two topics share documents more than chance.

FREX (Bischof & Airoldi 2012; stm ``calcfrex``): a term's rank within a topic combines its
**fr**equency in the topic and its **ex**clusivity to it (its probability in the topic over its
summed probability in all topics), as the weighted harmonic mean of their empirical CDF ranks,
``1 / (w / F + (1 - w) / E)``, ``w = 0.5``. As in stm's ``labelTopics``, exclusivity is
shrunk towards uniform for rare words with a James–Stein estimator using the corpus counts, so
that a word seen twice does not top a topic for being exclusive.

Examples
--------
>>> from toolkit.topics import load_output                                    # doctest: +SKIP
>>> out = load_output("runs/lda"); frex_terms(out, 0, 7)                      # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.stats import rankdata

FREX_WEIGHT = 0.5
CUTOFF = 0.01


def _js_estimate(prob: np.ndarray, count: float) -> np.ndarray:
    """stm's ``js.estimate``: shrink a distribution over topics towards uniform."""
    k = len(prob)
    unif = np.full(k, 1.0 / k)
    if count <= 1:
        return unif
    mlvar = prob * (1 - prob) / (count - 1)
    deviation = float(((prob - unif) ** 2).sum())
    if deviation == 0:
        return prob
    lam = float(np.clip(mlvar.sum() / deviation, 0.0, 1.0))
    return lam * unif + (1 - lam) * prob


def frex_scores(output, w: float = FREX_WEIGHT, shrink: bool = True) -> np.ndarray:
    """FREX score of every term in every topic, shape (n_topics, n_terms), higher is better.

    Parameters
    ----------
    output : TopicModelOutput
    w : float
        Weight of frequency (stm's ``frexw``, 0.5).
    shrink : bool
        Shrink exclusivity of rare words (James–Stein, as stm's ``labelTopics``).
    """
    beta = np.maximum(np.asarray(output.topic_term, dtype=np.float64), 1e-300)
    excl = beta / beta.sum(axis=0, keepdims=True)
    if shrink:
        counts = np.asarray(output.term_frequency, dtype=np.float64)
        excl = np.column_stack([_js_estimate(excl[:, j], counts[j]) for j in range(excl.shape[1])])
    v = beta.shape[1]
    freq = np.vstack([rankdata(np.log(row), method="average") for row in beta]) / v
    exs = np.vstack([rankdata(row, method="average") for row in excl]) / v
    return 1.0 / (w / freq + (1 - w) / exs)


def frex_terms(output, topic: int, n: int = 10, w: float = FREX_WEIGHT, scores: np.ndarray | None = None) -> list[str]:
    """The ``n`` best terms of ``topic`` by FREX."""
    s = frex_scores(output, w) if scores is None else scores
    order = np.argsort(-s[topic], kind="stable")[:n]
    return [output.vocabulary[i] for i in order]


def frex_labels(output, n: int = 3, w: float = FREX_WEIGHT) -> list[str]:
    """A short FREX label per topic (``n`` terms joined by " · ")."""
    s = frex_scores(output, w)
    return [" · ".join(output.shown(frex_terms(output, k, n, w, s))) for k in range(output.n_topics)]


def topic_correlations(output) -> Any:
    """Correlation of topic shares across documents, a (n_topics, n_topics) DataFrame."""
    import pandas as pd

    theta = np.asarray(output.doc_topic, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        c = np.corrcoef(theta, rowvar=False)
    c = np.nan_to_num(np.atleast_2d(c))
    np.fill_diagonal(c, 1.0)
    idx = list(range(output.n_topics))
    return pd.DataFrame(c, index=idx, columns=idx)


def correlation_edges(output, cutoff: float = CUTOFF) -> Any:
    """Linked topic pairs (correlation > ``cutoff``): ``topic_a, topic_b, label_a, label_b, correlation``."""
    import pandas as pd

    c = topic_correlations(output).to_numpy()
    rows = []
    for a in range(output.n_topics):
        for b in range(a + 1, output.n_topics):
            if c[a, b] > cutoff:
                rows.append((a, b, output.labels[a], output.labels[b], round(float(c[a, b]), 4)))
    df = pd.DataFrame(rows, columns=["topic_a", "topic_b", "label_a", "label_b", "correlation"])
    return df.sort_values("correlation", ascending=False, kind="stable").reset_index(drop=True)


def plot_correlation_graph(output, cutoff: float = CUTOFF):
    """The topic graph: nodes sized by prevalence, placed by classical MDS of 1 − correlation,
    edges between topics correlated above ``cutoff`` (width ∝ correlation). matplotlib Figure."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    c = topic_correlations(output).to_numpy()
    k = output.n_topics
    d2 = (1 - c) ** 2
    j = np.eye(k) - 1.0 / k
    b = -0.5 * j @ d2 @ j
    vals, vecs = np.linalg.eigh(b)
    order = np.argsort(vals)[::-1][:2]
    xy = vecs[:, order] * np.sqrt(np.maximum(vals[order], 1e-12))
    if k < 3:
        xy = np.column_stack([np.arange(k), np.zeros(k)])
    prev = np.asarray(output.doc_topic).mean(axis=0)
    fig, ax = plt.subplots(figsize=(7, 5.5))
    top = max(float(c[~np.eye(k, dtype=bool)].max()) if k > 1 else 1.0, 1e-9)
    for a in range(k):
        for bb in range(a + 1, k):
            if c[a, bb] > cutoff:
                ax.plot(xy[[a, bb], 0], xy[[a, bb], 1], color="#718096", lw=0.5 + 4 * c[a, bb] / top, alpha=0.7, zorder=1)
    ax.scatter(xy[:, 0], xy[:, 1], s=200 + 4000 * prev, color="#90cdf4", edgecolor="#2b6cb0", zorder=2)
    for t in range(k):
        ax.annotate(f"{t}: {output.labels[t][:28]}", xy[t], fontsize=7, ha="center", va="center", zorder=3)
    ax.set_title(f"Topic correlations (edges: correlation > {cutoff}; node size: prevalence)", fontsize=9)
    ax.set_xticks([])
    ax.set_yticks([])
    fig.tight_layout()
    return fig
