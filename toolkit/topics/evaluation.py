"""Evaluation of topic models: coherence, diversity, perplexity, stability, agreement with labels.

Everything here reads the common :class:`toolkit.topics.TopicModelOutput` (or plain lists of
top words), never a model's internals, so every backend is measured the same way.

Coherence
    :class:`ReferenceCorpus` holds a boolean document-term matrix of *reference* documents;
    :func:`npmi_coherence` and :func:`umass_coherence` compute gensim's ``c_npmi`` (with a
    boolean-document window) and ``u_mass`` from it with sparse products — the same formulas
    as gensim's :class:`~gensim.models.coherencemodel.CoherenceModel` (``EPSILON = 1e-12``,
    one-one segmentation for NPMI, one-preceding for UMass, arithmetic means), and agreeing
    with it to 3 decimals (tested), but fast enough for 30,000 documents.
    :func:`cv_coherence` calls gensim for C_V (sliding window of 110 words; slower).

Embedding coherence (word-vector similarity of top words) is added by the embeddings work
(section "embedding coherence" at the end of this module).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from itertools import combinations
from typing import Any

import numpy as np

from toolkit.errors import ModelError

log = logging.getLogger(__name__)

#: gensim's smoothing constant in its confirmation measures.
EPSILON = 1e-12


# --------------------------------------------------------------------------- coherence


class ReferenceCorpus:
    """Boolean document-term occurrences of a reference corpus, for coherence.

    Parameters
    ----------
    matrix : scipy.sparse matrix, shape (n_documents, n_terms)
        Occurrence counts or booleans.
    vocabulary : list of str, length n_terms
    mapper : callable, optional
        ``mapper(word) -> alternatives`` for words not in the vocabulary (e.g. a lemma mapped to
        its inflected forms): each alternative is a term or a list of terms (all required); a
        document contains the word when it holds the word itself or matches any alternative. Words joined by ``_`` (phrases, entities) that are still unknown
        are looked up part by part: a document contains the phrase when it contains every
        part (an approximation that ignores word order).

    Examples
    --------
    >>> ref = ReferenceCorpus.from_texts([["gaz", "prix"], ["gaz", "nucléaire"], ["vote"]])
    >>> round(npmi_coherence([["gaz", "prix"]], ref)["mean"], 3)
    0.369
    """

    def __init__(self, matrix, vocabulary: Sequence[str], mapper: Callable[[str], list[str]] | None = None) -> None:
        import scipy.sparse as sp

        m = sp.csc_matrix(matrix, dtype=np.float64)
        m.data[:] = 1.0
        m.eliminate_zeros()
        self.matrix = m
        self.vocabulary = list(vocabulary)
        self.index = {w: i for i, w in enumerate(self.vocabulary)}
        self.mapper = mapper
        self.n_documents = m.shape[0]
        self._cache: dict[str, Any] = {}

    @classmethod
    def from_texts(cls, texts: Iterable[Iterable[str]], mapper: Callable[[str], list[str]] | None = None) -> ReferenceCorpus:
        """Build from tokenised documents (one pass; memory: the sparse matrix)."""
        import scipy.sparse as sp

        index: dict[str, int] = {}
        indptr = [0]
        indices: list[int] = []
        for text in texts:
            ids = {index.setdefault(t, len(index)) for t in text}
            indices.extend(sorted(ids))
            indptr.append(len(indices))
        m = sp.csr_matrix(
            (np.ones(len(indices)), np.asarray(indices, dtype=np.int64), np.asarray(indptr, dtype=np.int64)),
            shape=(len(indptr) - 1, len(index)),
        )
        return cls(m, list(index), mapper)

    def with_mapper(self, mapper: Callable[[str], list[Any]] | None) -> ReferenceCorpus:
        """The same reference documents with another word mapper (no copy of the matrix)."""
        other = object.__new__(ReferenceCorpus)
        other.__dict__.update(self.__dict__)
        other.mapper = mapper
        other._cache = {}
        return other

    @classmethod
    def from_bow(cls, bow) -> ReferenceCorpus:
        """The training bag of words itself as the reference (intrinsic coherence)."""
        return cls(bow.matrix, bow.vocabulary)

    def column(self, word: str):
        """Boolean column (n_documents, 1) of the documents containing ``word``."""
        if word in self._cache:
            return self._cache[word]
        import scipy.sparse as sp

        col = self.matrix[:, self.index[word]] if word in self.index else None
        alternatives = self.mapper(word) if self.mapper else []
        for alt in alternatives:
            c = self._all_of([alt] if isinstance(alt, str) else list(alt))
            if c is not None:
                col = c if col is None else col.maximum(c)
        if col is None and "_" in word:
            parts = [p for p in word.replace("'", "' ").replace("_", " ").split() if p]
            col = self._all_of([p for p in parts if len(p) > 2 or p in self.index], recurse=True)
        if col is not None:
            col = sp.csc_matrix(col)
        if col is None:
            col = sp.csc_matrix((self.n_documents, 1))
        self._cache[word] = col
        return col

    def _all_of(self, terms: list[str], recurse: bool = False):
        """Column of the documents holding every term (None when a term is unknown)."""
        cols = []
        for t in terms:
            if recurse:
                c = self.column(t)
                if c.nnz == 0:
                    return None
                cols.append(c)
            elif t in self.index:
                cols.append(self.matrix[:, self.index[t]])
            else:
                return None
        if not cols:
            return None
        acc = cols[0]
        for c in cols[1:]:
            acc = acc.multiply(c)
        return acc

    def counts(self, words: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Document counts (n_words,) and co-document counts (n_words, n_words)."""
        import scipy.sparse as sp

        cols = sp.hstack([self.column(w) for w in words]).tocsc()
        co = (cols.T @ cols).toarray()
        return np.diag(co).copy(), co


def _top_lists(topics: Any, top_n: int) -> list[list[str]]:
    if hasattr(topics, "all_top_terms"):
        return topics.all_top_terms(top_n)
    return [list(t)[:top_n] for t in topics]


def npmi_coherence(topics: Any, reference: ReferenceCorpus, top_n: int = 10) -> dict[str, Any]:
    """Normalised PMI of each topic's top words over boolean documents (gensim ``c_npmi``).

    Parameters
    ----------
    topics : TopicModelOutput or list of list of str
    reference : ReferenceCorpus
    top_n : int

    Returns
    -------
    dict
        ``mean`` (float) and ``per_topic`` (list of float, length n_topics).
    """
    n = reference.n_documents
    per_topic = []
    for words in _top_lists(topics, top_n):
        if len(words) < 2:
            per_topic.append(float("nan"))
            continue
        df, co = reference.counts(words)
        vals = []
        for i, j in combinations(range(len(words)), 2):
            if df[i] == 0 or df[j] == 0:
                vals.append(-1.0)
                continue
            p_ij = co[i, j] / n
            pmi = np.log((p_ij + EPSILON) / ((df[i] / n) * (df[j] / n)))
            vals.append(pmi / -np.log(p_ij + EPSILON))
        per_topic.append(float(np.mean(vals)))
    return {"mean": float(np.nanmean(per_topic)) if per_topic else float("nan"), "per_topic": per_topic}


def umass_coherence(topics: Any, reference: ReferenceCorpus, top_n: int = 10) -> dict[str, Any]:
    """UMass coherence over boolean documents (gensim ``u_mass``, one-preceding segmentation)."""
    n = reference.n_documents
    per_topic = []
    for words in _top_lists(topics, top_n):
        df, co = reference.counts(words)
        vals = []
        for i in range(1, len(words)):
            for j in range(i):
                if df[j] == 0:
                    continue
                vals.append(np.log((co[i, j] / n + EPSILON) / (df[j] / n)))
        per_topic.append(float(np.mean(vals)) if vals else float("nan"))
    return {"mean": float(np.nanmean(per_topic)) if per_topic else float("nan"), "per_topic": per_topic}


def cv_coherence(topics: Any, texts: Sequence[Sequence[str]], top_n: int = 10, processes: int = 1) -> dict[str, Any]:
    """C_V coherence computed by gensim's ``CoherenceModel`` (sliding window 110, NPMI + cosine).

    Parameters
    ----------
    topics : TopicModelOutput or list of list of str
    texts : list of list of str
        Tokenised reference documents (e.g. ``list(bow.texts())``).
    """
    from gensim.corpora import Dictionary
    from gensim.models.coherencemodel import CoherenceModel

    lists = _top_lists(topics, top_n)
    texts = [list(t) for t in texts]
    dictionary = Dictionary(texts)
    known = [[w for w in t if w in dictionary.token2id] for t in lists]
    if any(len(t) < 2 for t in known):
        raise ModelError("C_V needs at least two top words of every topic in the reference texts")
    cm = CoherenceModel(topics=known, texts=texts, dictionary=dictionary, coherence="c_v", topn=top_n, processes=processes)
    per = cm.get_coherence_per_topic()
    return {"mean": float(np.mean(per)), "per_topic": [float(x) for x in per]}


# --------------------------------------------------------------------------- other measures


def topic_diversity(topics: Any, top_n: int = 25) -> float:
    """Share of unique words among all topics' top ``top_n`` words (1 = no overlap)."""
    lists = _top_lists(topics, top_n)
    words = [w for t in lists for w in t]
    return len(set(words)) / len(words) if words else float("nan")


def heldout_perplexity(model, X) -> float:
    """Per-word perplexity of held-out documents: ``exp(-sum n_dw log(theta_d . phi_w) / N)``.

    ``theta`` comes from ``model.transform`` (inferred on the held-out words themselves, the
    usual and slightly optimistic estimate); ``phi`` is ``model.components_``. Comparable
    across models of the same vocabulary, not across vocabularies.
    """
    import scipy.sparse as sp

    m = X.matrix if hasattr(X, "matrix") else sp.csr_matrix(X)
    theta = model.transform(X)
    phi = model.components_
    m = sp.coo_matrix(m)
    if m.nnz == 0:
        raise ModelError("held-out documents hold no in-vocabulary word")
    p = np.einsum("ij,ij->i", theta[m.row], phi[:, m.col].T)
    ll = float(np.sum(m.data * np.log(np.maximum(p, 1e-300))))
    return float(np.exp(-ll / m.data.sum()))


def jaccard(a: Iterable[str], b: Iterable[str]) -> float:
    a, b = set(a), set(b)
    return len(a & b) / len(a | b) if a | b else 1.0


def matched_jaccard(run_a: Sequence[Sequence[str]], run_b: Sequence[Sequence[str]]) -> float:
    """Mean Jaccard of top words over the best one-to-one matching of two runs' topics."""
    from scipy.optimize import linear_sum_assignment

    sim = np.array([[jaccard(a, b) for b in run_b] for a in run_a])
    rows, cols = linear_sum_assignment(-sim)
    return float(sim[rows, cols].mean())


def stability(runs: Sequence[Any], top_n: int = 10) -> float:
    """Stability across runs (e.g. 5 seeds): mean best-match Jaccard of top-``top_n`` words
    over every pair of runs (topics matched one-to-one by the Hungarian algorithm).

    Parameters
    ----------
    runs : list of TopicModelOutput or list of list of list of str
    """
    lists = [_top_lists(r, top_n) for r in runs]
    if len(lists) < 2:
        raise ModelError("stability needs at least two runs (seeds)")
    return float(np.mean([matched_jaccard(a, b) for a, b in combinations(lists, 2)]))


def label_agreement(output, labels: Sequence[Any] | dict[str, Any]) -> dict[str, float]:
    """NMI and ARI between each document's main topic and its label (e.g. ``section``).

    Parameters
    ----------
    output : TopicModelOutput
    labels : sequence aligned with ``output.doc_ids``, or dict doc_id -> label
        Documents with a missing label are ignored.
    """
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    if isinstance(labels, dict):
        labels = [labels.get(d) for d in output.doc_ids]
    labels = list(labels)
    if len(labels) != len(output.doc_ids):
        raise ModelError("labels must be aligned with the output's documents")
    main = output.main_topic()
    keep = [i for i, lab in enumerate(labels) if lab is not None and lab == lab and lab != ""]
    if len(keep) < 2:
        raise ModelError("fewer than two documents have a label: NMI/ARI need labelled documents")
    y = [labels[i] for i in keep]
    z = main[keep]
    return {
        "nmi": float(normalized_mutual_info_score(y, z)),
        "ari": float(adjusted_rand_score(y, z)),
        "n_labelled": len(keep),
    }


def evaluate_output(output, reference: ReferenceCorpus | None = None, labels: Any = None, top_n: int = 10) -> dict[str, Any]:
    """The standard measures of one output: NPMI, UMass (top ``top_n``), diversity (top 25),
    and NMI/ARI when labels are given."""
    res: dict[str, Any] = {"n_topics": output.n_topics}
    if reference is not None:
        res["npmi"] = npmi_coherence(output, reference, top_n)["mean"]
        res["umass"] = umass_coherence(output, reference, top_n)["mean"]
    res["diversity"] = topic_diversity(output, 25)
    if labels is not None:
        res.update(label_agreement(output, labels))
    return res


# --------------------------------------------------------------------------- embedding coherence
# (reserved: the embeddings work adds its word-vector coherence function here)
