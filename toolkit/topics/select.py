"""Choosing the number of topics k: train a range, measure everything, recommend one.

For every k, a model is trained on 90 % of the documents (a seeded split); the other 10 %
give the held-out perplexity. Coherence (NPMI, UMass over the bag of words, boolean
documents; C_V optional, slower), topic diversity (top 25), stability (extra seeds) and, when
documents have labels, NMI/ARI are measured on that model.

The recommendation: among the k whose topic diversity is at least ``min_diversity`` (0.8:
fewer than a fifth of top words repeated), the one with the highest NPMI; ties go to the
smaller k. Perplexity is reported but not used: it keeps falling with k and is known to
disagree with human judgement (Chang et al. 2009).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np

from toolkit.errors import ModelError

log = logging.getLogger(__name__)


def _split(n: int, seed: int, heldout: float) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    idx = rng.permutation(n)
    n_test = int(round(n * heldout)) if n >= 20 else 0
    return np.sort(idx[n_test:]), np.sort(idx[:n_test])


def _subset(bow, rows: np.ndarray):
    from toolkit.vocabulary.bow import BagOfWords

    return BagOfWords(bow.dictionary, bow.matrix[rows], [bow.doc_ids[i] for i in rows], bow.config, dict(bow.stats))


def select_k(
    bow,
    ks: list[int],
    *,
    seed: int = 0,
    model: str = "lda",
    params: dict[str, Any] | None = None,
    labels: dict[str, Any] | None = None,
    stability_seeds: int = 0,
    heldout: float = 0.1,
    cv: bool = False,
    progress: bool = False,
):
    """Train one model per k and measure it.

    Parameters
    ----------
    bow : BagOfWords
    ks : list of int
    seed : int
    model : str
        Backend name (see :func:`toolkit.topics.make_model`).
    params : dict, optional
        Backend parameters.
    labels : dict doc_id -> label, optional
        Adds NMI and ARI of main topics against labels.
    stability_seeds : int
        When > 1, trains that many seeds per k and reports stability (slow).
    heldout : float
        Share of documents held out for perplexity.
    cv : bool
        Also compute C_V coherence (gensim, slower).

    Returns
    -------
    pandas.DataFrame
        One row per k: npmi, umass, (c_v), diversity, perplexity, (stability), (nmi, ari),
        train_s.
    """
    import time

    import pandas as pd

    from toolkit.topics.evaluation import (
        ReferenceCorpus,
        cv_coherence,
        heldout_perplexity,
        label_agreement,
        npmi_coherence,
        stability,
        topic_diversity,
        umass_coherence,
    )
    from toolkit.topics.models import make_model

    ks = sorted(set(int(k) for k in ks))
    if not ks or ks[0] < 2:
        raise ModelError("give at least one k >= 2, e.g. --k 5 10 15 20")
    train_rows, test_rows = _split(bow.n_documents, seed, heldout)
    if ks[-1] > len(train_rows):
        raise ModelError(f"k={ks[-1]} is more than the {len(train_rows)} training documents: choose smaller k")
    train = _subset(bow, train_rows)
    test = _subset(bow, test_rows) if len(test_rows) else None
    reference = ReferenceCorpus.from_bow(bow)
    texts = list(bow.texts()) if cv else None
    rows = []
    iterator = ks
    if progress:
        from tqdm.auto import tqdm

        iterator = tqdm(ks, desc="k", unit="model")
    for k in iterator:
        t0 = time.perf_counter()
        est = make_model(model, k, seed, **(params or {})).fit(train)
        t1 = time.perf_counter()
        out = est.output()
        row: dict[str, Any] = {"k": k}
        row["npmi"] = npmi_coherence(out, reference, 10)["mean"]
        row["umass"] = umass_coherence(out, reference, 10)["mean"]
        if cv:
            row["c_v"] = cv_coherence(out, texts, 10)["mean"]
        row["diversity"] = topic_diversity(out, 25)
        row["perplexity"] = heldout_perplexity(est, test) if test is not None and test.matrix.nnz else float("nan")
        if stability_seeds > 1:
            runs = [out] + [make_model(model, k, seed + s, **(params or {})).fit(train).output() for s in range(1, stability_seeds)]
            row["stability"] = stability(runs, 10)
        if labels:
            try:
                row.update({key: v for key, v in label_agreement(out, labels).items() if key in ("nmi", "ari")})
            except ModelError:
                pass
        row["train_s"] = round(t1 - t0, 2)
        rows.append(row)
        log.info("k=%d: %s", k, {key: round(v, 4) if isinstance(v, float) else v for key, v in row.items()})
    return pd.DataFrame(rows)


def recommend(table, min_diversity: float = 0.8) -> tuple[int, str]:
    """The recommended k and the reason, from a :func:`select_k` table."""
    if table.empty:
        raise ModelError("no model to choose from")
    ok = table[table["diversity"] >= min_diversity]
    pool, note = (ok, f"topic diversity >= {min_diversity:.2f}") if len(ok) else (table, "all k (none reaches the diversity bar)")
    best = pool.sort_values(["npmi", "k"], ascending=[False, True], kind="stable").iloc[0]
    reason = (
        f"k={int(best['k'])}: highest NPMI ({best['npmi']:.3f}) among {note}; "
        f"diversity {best['diversity']:.2f}"
    )
    if "stability" in best and best["stability"] == best["stability"]:
        reason += f", stability {best['stability']:.2f}"
    return int(best["k"]), reason


def plot_selection(table, path: str | Path, recommended: int | None = None) -> Path:
    """Save a PNG with one panel per measure against k."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    from toolkit.runtime import atomic_path

    measures = [c for c in ("npmi", "umass", "c_v", "diversity", "perplexity", "stability", "nmi") if c in table.columns]
    fig, axes = plt.subplots(1, len(measures), figsize=(3.2 * len(measures), 3), squeeze=False)
    for ax, m in zip(axes[0], measures, strict=True):
        ax.plot(table["k"], table[m], marker="o")
        ax.set_title(m)
        ax.set_xlabel("k")
        if recommended is not None:
            ax.axvline(recommended, color="grey", linestyle="--", linewidth=1)
    fig.tight_layout()
    with atomic_path(path, suffix=".png") as tmp:
        fig.savefig(tmp, format="png", dpi=100)
    plt.close(fig)
    return Path(path)
