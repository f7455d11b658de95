"""The bag of words: dictionary, document-term matrix, document ids and settings, one artifact."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.errors import ModelError, StageMissingError
from toolkit.vocabulary.config import VocabularyConfig
from toolkit.vocabulary.stream import TokenStream

log = logging.getLogger(__name__)

# --------------------------------------------------------------------------- bag of words


@dataclass
class BagOfWords:
    """Dictionary + sparse document-term counts + the settings that made them (one artifact).

    Attributes
    ----------
    dictionary : gensim.corpora.Dictionary
        Term ids ``0..n_terms-1`` (after ``filter_extremes``).
    matrix : scipy.sparse.csr_matrix, shape (n_documents, n_terms)
        Term counts per document (int32).
    doc_ids : list of str, length n_documents
        Documents kept (those with at least one term).
    config : VocabularyConfig
    stats : dict
        Counts: documents read, dropped empty documents (with up to 20 ids), terms before and
        after filtering.
    display : dict of str to str
        Each term's display form: its most frequent surface string in the corpus
        (``affaire_étranger`` -> ``affaires étrangères``; :mod:`toolkit.vocabulary.display`).
        Terms missing from it are shown with ``_`` turned into spaces (:meth:`shown`).
    aliases : dict of str to str
        Keys merged into another one (spellings of one name: ``etats-unis`` -> ``états-unis``);
        :meth:`transform` maps them the same way.
    """

    dictionary: Any
    matrix: Any
    doc_ids: list[str]
    config: VocabularyConfig
    stats: dict[str, Any] = field(default_factory=dict)
    display: dict[str, str] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)

    def shown(self, term: str) -> str:
        """The display form of ``term`` (its key with spaces when none was recorded)."""
        return self.display.get(term) or term.replace("_", " ")

    def display_list(self) -> list[str]:
        """Display forms in term-id order (parallel to :attr:`vocabulary`)."""
        return [self.shown(t) for t in self.vocabulary]

    @property
    def vocabulary(self) -> list[str]:
        """Terms in id order."""
        return [self.dictionary[i] for i in range(len(self.dictionary))]

    @property
    def n_documents(self) -> int:
        return self.matrix.shape[0]

    @property
    def n_terms(self) -> int:
        return self.matrix.shape[1]

    def gensim_corpus(self) -> GensimBow:
        """The matrix as a re-iterable gensim corpus (lists of ``(term_id, count)``)."""
        return GensimBow(self.matrix)

    def texts(self, stream: TokenStream | None = None):
        """Documents as lists of in-vocabulary terms (for gensim's C_V coherence)."""
        m = self.matrix
        vocab = self.vocabulary
        for i in range(m.shape[0]):
            row = m.getrow(i)
            yield [vocab[j] for j, c in zip(row.indices, row.data, strict=True) for _ in range(int(c))]

    def transform(self, corpus_dir: str | Path, *, progress: bool = False) -> BagOfWords:
        """Bag of words of another (annotated) corpus over THIS dictionary, for inference.

        The new corpus is tokenised with the same settings (its phrases are learned on it);
        terms outside this dictionary are ignored; documents left empty are kept as empty rows
        (a model gives them its prior) and counted in ``stats["empty"]``.

        Returns
        -------
        BagOfWords, matrix shape (n_new_documents, n_terms)
        """
        import numpy as np
        import scipy.sparse as sp

        token2id = self.dictionary.token2id
        rows, cols, vals, ids = [], [], [], []
        empty = 0
        for doc_id, tokens in TokenStream(corpus_dir, self.config, progress=progress):
            counts: dict[int, int] = {}
            for t in tokens:
                j = token2id.get(self.aliases.get(t, t))
                if j is not None:
                    counts[j] = counts.get(j, 0) + 1
            empty += not counts
            r = len(ids)
            ids.append(doc_id)
            rows.extend([r] * len(counts))
            cols.extend(counts)
            vals.extend(counts.values())
        m = sp.csr_matrix((np.asarray(vals, dtype=np.int32), (rows, cols)), shape=(len(ids), len(token2id)))
        return BagOfWords(self.dictionary, m, ids, self.config, {"documents": len(ids), "empty": empty},
                          dict(self.display), dict(self.aliases))  # fmt: skip

    def save(self, directory: str | Path) -> Path:
        """Write ``dictionary.gensim``, ``bow.npz``, ``bow_docs.json`` and ``vocabulary.json``."""
        import scipy.sparse as sp

        from toolkit.runtime import atomic_path, write_json

        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        with atomic_path(d / "dictionary.gensim", suffix=".gensim") as tmp:
            self.dictionary.save(str(tmp))
        with atomic_path(d / "bow.npz", suffix=".npz") as tmp:
            with open(tmp, "wb") as f:
                sp.save_npz(f, self.matrix.tocsr(), compressed=True)
        write_json(d / "bow_docs.json", self.doc_ids)
        write_json(d / "display.json", {"display": self.display, "aliases": self.aliases})
        write_json(d / "vocabulary.json", {"config": self.config.to_dict(), "stats": self.stats,
                                           "n_documents": self.n_documents, "n_terms": self.n_terms})  # fmt: skip
        return d

    @classmethod
    def load(cls, directory: str | Path) -> BagOfWords:
        import scipy.sparse as sp
        from gensim.corpora import Dictionary

        from toolkit.runtime import read_json

        d = Path(directory)
        info = read_json(d / "vocabulary.json") if (d / "vocabulary.json").is_file() else {}
        if info.get("layout") == "partitioned":  # written part by part (fnt run): assembled here
            blocks = [sp.load_npz(d / p["file"]).tocsr() for p in info["parts"]]
            matrix = sp.vstack(blocks, format="csr") if blocks else sp.csr_matrix((0, info["n_terms"]), dtype="int32")
        elif (d / "bow.npz").is_file():
            matrix = sp.load_npz(d / "bow.npz").tocsr()
        else:
            raise StageMissingError(f"{d} holds no bag of words (bow.npz or parts/)")
        shown = read_json(d / "display.json") if (d / "display.json").is_file() else {}
        return cls(
            dictionary=Dictionary.load(str(d / "dictionary.gensim")),
            matrix=matrix,
            doc_ids=list(read_json(d / "bow_docs.json")),
            config=VocabularyConfig.from_dict(info["config"]),
            stats=info.get("stats", {}),
            display=dict(shown.get("display", {})),
            aliases=dict(shown.get("aliases", {})),
        )


class GensimBow:
    """A CSR matrix seen as a re-iterable gensim corpus."""

    def __init__(self, matrix) -> None:
        self.matrix = matrix.tocsr()

    def __len__(self) -> int:
        return self.matrix.shape[0]

    def __iter__(self):
        m = self.matrix
        indptr, indices, data = m.indptr, m.indices, m.data
        for i in range(m.shape[0]):
            a, b = indptr[i], indptr[i + 1]
            yield list(zip(indices[a:b].tolist(), data[a:b].tolist(), strict=True))


def bow_from_token_lists(
    docs: Iterable[tuple[str, list[str]]] | Iterable[tuple[str, list[str], list[str]]],
    config: VocabularyConfig | None = None,
    *,
    progress: bool = False,
) -> BagOfWords:
    """Build a :class:`BagOfWords` from ``(doc_id, tokens)`` pairs (e.g. a :class:`TokenStream`),
    or ``(doc_id, tokens, surfaces)`` triples (:meth:`TokenStream.with_surfaces`).

    One pass: a growing dictionary and sparse triplets; then ``filter_extremes`` and a column
    remap. Documents left empty are dropped and counted in ``stats``. With surfaces, every
    term gets its display form, and entity/phrase keys that are spellings of one name
    (*etats-unis*, *états-unis*) are merged into the most frequent one before filtering
    (:func:`toolkit.vocabulary.display.merge_targets`).

    Raises
    ------
    ModelError
        When no document or no term survives the filters.
    """
    import numpy as np
    import scipy.sparse as sp
    from gensim.corpora import Dictionary

    cfg = config or VocabularyConfig()
    dictionary = Dictionary()
    rows_i: list = []
    cols_i: list = []
    vals_i: list = []
    doc_ids: list[str] = []
    n_read = 0
    empty: list[str] = []
    if progress:
        from tqdm.auto import tqdm

        docs = tqdm(docs, desc="bag of words", unit="doc")
    counter = None
    for item in docs:
        doc_id, tokens = item[0], item[1]
        if len(item) > 2:
            if counter is None:
                from toolkit.vocabulary.display import SurfaceCounter

                counter = SurfaceCounter()
            counter.update(tokens, item[2])
        n_read += 1
        if not tokens:
            empty.append(doc_id)
            continue
        bow = dictionary.doc2bow(tokens, allow_update=True)
        r = len(doc_ids)
        doc_ids.append(doc_id)
        rows_i.append(np.full(len(bow), r, dtype=np.int32))
        cols_i.append(np.fromiter((t for t, _ in bow), dtype=np.int32, count=len(bow)))
        vals_i.append(np.fromiter((c for _, c in bow), dtype=np.int32, count=len(bow)))
    if not doc_ids:
        raise ModelError(
            f"no document has any token left after filtering ({n_read} read): loosen the vocabulary "
            "settings (pos, stopwords, min_length) or check the token table"
        )
    rows = np.concatenate(rows_i)
    cols = np.concatenate(cols_i)
    vals = np.concatenate(vals_i)
    aliases: dict[str, str] = {}
    if counter is not None:
        dictionary, cols, aliases, counter = _merge_spellings(dictionary, rows, cols, vals, counter)
    n_terms_before = len(dictionary)
    no_below = cfg.effective_no_below(len(doc_ids))
    no_above = cfg.effective_no_above(len(doc_ids))
    old_token2id = dict(dictionary.token2id)
    dictionary.filter_extremes(no_below=no_below, no_above=no_above, keep_n=cfg.keep_n)
    if len(dictionary) == 0:
        raise ModelError(
            f"the vocabulary is empty after filter_extremes(no_below={no_below}, no_above={no_above}) "
            f"on {len(doc_ids)} documents: lower no_below, raise no_above, or use a larger corpus"
        )
    remap = np.full(n_terms_before, -1, dtype=np.int64)
    for tok, new_id in dictionary.token2id.items():
        remap[old_token2id[tok]] = new_id
    cols = remap[cols]
    keep = cols >= 0
    m = sp.csr_matrix((vals[keep], (rows[keep], cols[keep])), shape=(len(doc_ids), len(dictionary)), dtype=np.int32)
    # documents emptied by filter_extremes
    nnz = np.diff(m.indptr)
    if (nnz == 0).any():
        emptied = [d for d, k in zip(doc_ids, nnz, strict=True) if k == 0]
        empty.extend(emptied)
        m = m[nnz > 0]
        doc_ids = [d for d, k in zip(doc_ids, nnz, strict=True) if k > 0]
    stats = vocabulary_stats(n_read, doc_ids, empty, n_terms_before, dictionary, no_below, no_above, int(m.sum()))
    display: dict[str, str] = {}
    if counter is not None:
        display, aliases = kept_display(counter, dictionary, aliases, stats)
    return BagOfWords(dictionary, m, doc_ids, cfg, stats, display, aliases)


def vocabulary_stats(n_read: int, doc_ids: list[str], empty: list[str], n_terms_before: int, dictionary: Any,
                     no_below: int, no_above: float, tokens: int) -> dict[str, Any]:  # fmt: skip
    """The statistics a bag of words keeps (``vocabulary.json``); warns when documents were dropped."""
    if empty:
        log.warning("%d document(s) have no term left after filtering and were dropped", len(empty))
    return {
        "documents_read": n_read,
        "documents": len(doc_ids),
        "dropped_empty": len(empty),
        "dropped_examples": empty[:20],
        "terms_before_filter": n_terms_before,
        "terms": len(dictionary),
        "no_below_used": no_below,
        "no_above_used": no_above,
        "tokens": tokens,
    }


def kept_display(counter: Any, dictionary: Any, aliases: dict[str, str],
                 stats: dict[str, Any]) -> tuple[dict[str, str], dict[str, str]]:  # fmt: skip
    """Display forms of the filtered dictionary's terms and the aliases whose target was kept;
    counts the merged spellings in ``stats``."""
    display = counter.display(dictionary.token2id)
    kept = set(dictionary.token2id)
    aliases = {a: b for a, b in aliases.items() if b in kept}
    stats["merged_spellings"] = len(aliases)
    if aliases:
        log.info("%d key(s) merged into another spelling of the same name, e.g. %s", len(aliases),
                 ", ".join(f"{a} -> {b}" for a, b in list(aliases.items())[:5]))  # fmt: skip
    return display, aliases


def _merge_spellings(dictionary, rows, cols, vals, counter):
    """Merge keys that are spellings of one name (see :func:`~toolkit.vocabulary.display.merge_targets`):
    a new dictionary with recomputed document frequencies, the remapped columns, the aliases
    and the merged surface counter."""
    import numpy as np
    import scipy.sparse as sp
    from gensim.corpora import Dictionary

    from toolkit.vocabulary.display import merge_targets, merged_counter

    freq = {tok: dictionary.cfs.get(i, 0) for tok, i in dictionary.token2id.items()}
    targets = merge_targets(counter, freq)
    if not targets:
        return dictionary, cols, {}, counter
    old = dictionary.token2id
    survivors = [t for t in sorted(old, key=old.get) if t not in targets]
    new_id = {t: i for i, t in enumerate(survivors)}
    remap = np.empty(len(old), dtype=np.int32)
    for t, i in old.items():
        remap[i] = new_id[targets.get(t, t)]
    cols = remap[cols]
    m = sp.csr_matrix((vals, (rows, cols)), shape=(int(rows.max()) + 1, len(survivors)))
    m.sum_duplicates()
    merged = Dictionary()
    merged.token2id = new_id
    merged.id2token = {}
    merged.dfs = dict(enumerate(np.bincount(m.indices, minlength=len(survivors)).tolist()))
    merged.cfs = dict(enumerate(np.asarray(m.sum(axis=0)).ravel().astype(int).tolist()))
    merged.num_docs = dictionary.num_docs
    merged.num_pos = dictionary.num_pos
    merged.num_nnz = int(m.nnz)
    return merged, cols, dict(targets), merged_counter(counter, targets)


def build_bow(
    corpus_dir: str | Path, config: VocabularyConfig | None = None, *, progress: bool = False
) -> BagOfWords:
    """Stream a corpus directory's token table into a :class:`BagOfWords`.

    Parameters
    ----------
    corpus_dir : str or Path
    config : VocabularyConfig, optional
    progress : bool

    Returns
    -------
    BagOfWords
    """
    cfg = config or VocabularyConfig()
    stream = TokenStream(corpus_dir, cfg, progress=progress)
    return bow_from_token_lists(stream.with_surfaces(), cfg, progress=progress)
