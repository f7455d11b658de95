"""The common estimator of the embedding models: fitting from a corpus or token lists, saving,
loading, and exploration (neighbours, analogies, similarities, 2-D maps)."""

from __future__ import annotations

import contextlib
import logging
import math
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from toolkit.embeddings.cache import (
    DEFAULT_TOKENS,
    SurfaceTap,
    TokenCache,
    _corpus_provenance,
    token_stream,
)
from toolkit.errors import ConfigError, InputError, ModelError, StageMissingError

log = logging.getLogger(__name__)

#: File names inside a saved model directory.
MODEL_FILE = "model.gensim"
MANIFEST_FILE = "manifest.json"
DOCVECS_FILE = "document_vectors.npy"
DOCIDS_FILE = "doc_ids.json"
DISPLAY_FILE = "display.json"
MODEL_KINDS = ("word2vec", "fasttext", "doc2vec")
#: Model classes by ``kind``; each subclass of :class:`EmbeddingModel` registers itself.
MODEL_CLASSES: dict[str, type[EmbeddingModel]] = {}


# =========================================================================== progress


def _epoch_callback(total_epochs: int, progress: bool):
    from gensim.models.callbacks import CallbackAny2Vec
    from tqdm.auto import tqdm

    class _EpochProgress(CallbackAny2Vec):
        """tqdm bar over epochs plus one log line per epoch."""

        def __init__(self) -> None:
            self.bar = None
            self.epoch = 0
            self.t0 = 0.0

        def on_train_begin(self, model):
            self.bar = tqdm(total=total_epochs, desc="training", unit=" epoch", disable=not progress)
            self.t0 = time.perf_counter()

        def on_epoch_end(self, model):
            self.epoch += 1
            log.debug("epoch %d/%d done (%.1fs)", self.epoch, total_epochs, time.perf_counter() - self.t0)
            if self.bar is not None:
                self.bar.update(1)

        def on_train_end(self, model):
            if self.bar is not None:
                self.bar.close()

    return _EpochProgress()


# =========================================================================== models


def auto_epochs(n_tokens: int) -> int:
    """Epochs so that training sees about two million tokens, between 5 and 100.

    A corpus of 35,000 tokens gets 58 epochs (enough for stable neighbours on the bundled
    corpus); 14 million tokens get 5 (gensim's default).
    """
    if n_tokens <= 0:
        return 5
    return int(min(100, max(5, math.ceil(2_000_000 / n_tokens))))


#: Corpora with fewer tokens than this get the small-corpus defaults.
SMALL_CORPUS_TOKENS = 1_000_000


def resolve_size_defaults(
    n_tokens: int,
    vector_size: int | None = None,
    window: int | None = None,
    sample: float | None = None,
) -> dict[str, Any]:
    """Fill unset ``vector_size``, ``window`` and ``sample`` from the corpus size.

    Under :data:`SMALL_CORPUS_TOKENS` tokens (the bundled corpus has about 18,000 after stop
    words): 50 dimensions, a window of 10 and no down-sampling of frequent words — with
    gensim's ``sample=1e-3`` a word seen 20 times in 18,000 tokens is mostly thrown away,
    and on the bundled corpus *chine* then falls out of *pékin*'s neighbours. Larger corpora
    get gensim's defaults: 100 dimensions, a window of 5, ``sample=1e-3``.
    """
    small = n_tokens < SMALL_CORPUS_TOKENS
    return {
        "vector_size": vector_size if vector_size is not None else (50 if small else 100),
        "window": window if window is not None else (10 if small else 5),
        "sample": sample if sample is not None else (0.0 if small else 1e-3),
    }


class EmbeddingModel:
    """Base class: shared fitting, saving and exploration. Use a subclass.

    Parameters common to every model
    ---------------------------------
    vector_size : int or None
        Dimensions of the vectors; None: 50 under a million tokens, else 100
        (:func:`resolve_size_defaults`).
    window : int or None
        Context window (tokens either side); None: 10 under a million tokens, else 5.
    min_count : int
        Ignore tokens seen fewer times in the corpus.
    epochs : int or None
        Passes over the corpus; None chooses with :func:`auto_epochs` from the corpus size.
    negative : int
        Negative samples per positive example.
    sample : float or None
        Down-sampling threshold of frequent tokens; None: 0 (none) under a million tokens,
        else 1e-3.
    workers : int
        Training threads. 1 (default) gives repeatable vectors; more is faster, not repeatable.
    random_state : int
        Seed of every random step.
    tokens : mapping or None
        Token settings when ``fit`` gets a corpus directory (see :data:`DEFAULT_TOKENS`;
        ``unit="form"`` for word forms, ``phrases``/``merge_entities`` for multi-word tokens).
    cache_dir : path or None
        Where to write the token cache (default: a temporary directory removed after ``fit``).
    progress : bool
        Show tqdm progress bars.
    """

    kind = "base"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "kind" in cls.__dict__:
            MODEL_CLASSES[cls.kind] = cls

    def __init__(
        self,
        vector_size: int | None = None,
        window: int | None = None,
        min_count: int = 3,
        epochs: int | None = None,
        negative: int = 5,
        sample: float | None = None,
        workers: int = 1,
        random_state: int = 0,
        tokens: Mapping[str, Any] | None = None,
        cache_dir: str | Path | None = None,
        progress: bool = False,
    ) -> None:
        self.vector_size = vector_size
        self.window = window
        self.min_count = min_count
        self.epochs = epochs
        self.negative = negative
        self.sample = sample
        self.workers = workers
        self.random_state = random_state
        self.tokens = tokens
        self.cache_dir = cache_dir
        self.progress = progress

    # ------------------------------------------------------------------ parameters
    def get_params(self) -> dict[str, Any]:
        """The constructor parameters (scikit-learn style)."""
        import inspect

        names = [
            p for p in inspect.signature(type(self).__init__).parameters if p != "self"
        ]
        return {name: getattr(self, name) for name in names}

    def _check_params(self) -> None:
        def positive_int(name: str, value: Any, minimum: int = 1) -> None:
            if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
                raise ConfigError(f"{name} must be an integer >= {minimum}, got {value!r}")

        if self.vector_size is not None:
            positive_int("vector_size", self.vector_size)
        if self.window is not None:
            positive_int("window", self.window)
        if self.sample is not None and not (isinstance(self.sample, int | float) and self.sample >= 0):
            raise ConfigError(f"sample must be a number >= 0, got {self.sample!r}")
        positive_int("min_count", self.min_count)
        positive_int("negative", self.negative, 0)
        positive_int("workers", self.workers)
        if self.epochs is not None:
            positive_int("epochs", self.epochs)
        if not isinstance(self.random_state, int):
            raise ConfigError(f"random_state must be an integer, got {self.random_state!r}")

    def _gensim_params(self) -> dict[str, Any]:  # pragma: no cover - abstract
        raise NotImplementedError

    def _new_gensim(self, **params: Any):  # pragma: no cover - abstract
        raise NotImplementedError

    # ------------------------------------------------------------------ fitting
    def fit(self, corpus: Any, y: Any = None) -> EmbeddingModel:
        """Train on ``corpus``.

        Parameters
        ----------
        corpus : path, TokenCache or re-iterable
            A corpus directory with a token table, a ``TokenStream``, or a re-iterable of
            token lists, ``(doc_id, tokens)`` pairs or ``TaggedDocument``. It is read once,
            into a token cache; it is never held in memory. A :class:`TokenCache` already
            written is used as it is (to train several models on one pass over the corpus).
        y : ignored

        Returns
        -------
        self
        """
        from toolkit.runtime import peak_memory_mb

        self._check_params()
        provenance = _corpus_provenance(corpus)
        if isinstance(corpus, str | Path):
            corpus = token_stream(corpus, self.tokens)
        elif isinstance(corpus, Iterator):
            raise InputError(
                "the corpus is a one-shot iterator (e.g. a generator); training needs a "
                "re-iterable corpus: a list, a TokenStream, or a class with __iter__"
            )
        t0 = time.perf_counter()
        self.display_ = {}
        if isinstance(corpus, TokenCache):
            self._fit_cache(corpus)
            t_total = time.perf_counter() - t0
            self._fit_documents(corpus)
            self.training_ = {
                **self.training_, "cache_seconds": 0.0, "total_seconds": round(t_total, 3),
                "peak_memory_mb": peak_memory_mb(), "tokens_hash": corpus.content_hash,
            }  # fmt: skip
            return self
        with contextlib.ExitStack() as stack:
            if self.cache_dir is None:
                cache_root = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="fnt-embed-")))
            else:
                cache_root = Path(self.cache_dir)
                cache_root.mkdir(parents=True, exist_ok=True)
            tap = SurfaceTap(corpus) if hasattr(corpus, "with_surfaces") else None
            cache = TokenCache(cache_root / "tokens.txt").write(tap or corpus, progress=self.progress)
            t_cache = time.perf_counter() - t0
            self._fit_cache(cache)
            if tap is not None:  # display forms of the trained vocabulary (neighbours, maps)
                self.display_ = tap.display(self.model_.wv.index_to_key)
            t_total = time.perf_counter() - t0
            self._fit_documents(cache)
        self.training_ = {
            **self.training_,
            "cache_seconds": round(t_cache, 3),
            "total_seconds": round(t_total, 3),
            "peak_memory_mb": peak_memory_mb(),
            "tokens_hash": cache.content_hash,
            **provenance,
        }
        return self

    def fit_cache(self, cache: TokenCache) -> EmbeddingModel:
        """Train from an already written :class:`TokenCache` (used by benchmarks and periods)."""
        self._check_params()
        self.display_ = {}
        self._fit_cache(cache)
        self._fit_documents(cache)
        self.training_ = {**self.training_, "tokens_hash": cache.content_hash}
        return self

    def _fit_cache(self, cache: TokenCache) -> None:
        if cache.n_tokens == 0:
            raise ModelError("the corpus has no tokens to train on (empty corpus or every token filtered out)")
        self.params_ = resolve_size_defaults(
            cache.n_tokens, vector_size=self.vector_size, window=self.window, sample=self.sample
        )
        epochs = self.epochs if self.epochs is not None else auto_epochs(cache.n_tokens)
        model = self._new_gensim(**self._gensim_params(), epochs=epochs)
        use_file = self.workers > 1
        t0 = time.perf_counter()
        if use_file:
            model.build_vocab(corpus_file=str(cache.path), progress_per=100_000)
        else:
            model.build_vocab(corpus_iterable=self._training_iterable(cache), progress_per=100_000)
        t_vocab = time.perf_counter() - t0
        self._check_vocabulary(model, cache)
        callback = _epoch_callback(epochs, self.progress)
        t1, c1 = time.perf_counter(), time.process_time()
        if use_file:
            result = model.train(
                corpus_file=str(cache.path), total_examples=model.corpus_count,
                total_words=model.corpus_total_words, epochs=epochs, callbacks=[callback],
            )  # fmt: skip
        else:
            result = model.train(
                corpus_iterable=self._training_iterable(cache), total_examples=model.corpus_count,
                total_words=model.corpus_total_words, epochs=epochs, callbacks=[callback],
            )  # fmt: skip
        t_train = time.perf_counter() - t1
        cpu_train = time.process_time() - c1
        trained, raw = result if result is not None else (None, None)
        if raw is None:  # Doc2Vec.train returns nothing in gensim 4.4
            trained, raw = None, model.corpus_total_words * epochs
        self.model_ = model
        self.wv_ = model.wv
        self.epochs_ = epochs
        self.training_ = {
            "epochs": epochs,
            **self.params_,
            "workers": self.workers,
            "mode": "corpus_file" if use_file else "corpus_iterable",
            "documents": cache.n_documents,
            "lines": cache.n_lines,
            "tokens": cache.n_tokens,
            "vocabulary_size": len(model.wv),
            "vocab_seconds": round(t_vocab, 3),
            "train_seconds": round(t_train, 3),
            "train_cpu_seconds": round(cpu_train, 3),
            "raw_words_per_second": round(raw / t_train) if t_train > 0 else None,
            "raw_words_per_cpu_second": round(raw / cpu_train) if cpu_train > 0 else None,
            "effective_words_per_second": (
                round(trained / t_train) if trained is not None and t_train > 0 else None
            ),
        }
        log.info(
            "%s: %d tokens, vocabulary %d, %d epochs, %.1fs (%s raw words/s)",
            self.kind, cache.n_tokens, len(model.wv), epochs, t_train,
            self.training_["raw_words_per_second"],
        )  # fmt: skip

    def _training_iterable(self, cache: TokenCache):
        return cache.sentences()

    def _check_vocabulary(self, model, cache: TokenCache) -> None:
        n_vocab = len(model.wv)
        if n_vocab == 0:
            raise ModelError(
                f"no token occurs at least min_count={self.min_count} times in this corpus "
                f"({cache.n_tokens} tokens); lower min_count or use a larger corpus"
            )
        if n_vocab < self.params_["vector_size"]:
            raise ModelError(
                f"the corpus is too small for vector_size={self.params_['vector_size']}: only {n_vocab} "
                f"distinct tokens occur at least min_count={self.min_count} times "
                f"({cache.n_tokens} tokens in all); lower vector_size (or min_count), or use a "
                "larger corpus"
            )

    def _fit_documents(self, cache: TokenCache) -> None:
        """Document vectors: averaged word vectors (Doc2Vec overrides)."""
        ids: list[str] = []
        rows: list[np.ndarray] = []
        index: dict[str, int] = {}
        sums: list[np.ndarray] = []
        counts: list[int] = []
        wv = self.model_.wv
        for doc_id, toks in cache.units():
            known = [t for t in toks if t in wv.key_to_index]
            vec = wv[known].sum(axis=0) if known else np.zeros(wv.vector_size, dtype=np.float32)
            if doc_id in index:  # a long document cut into several lines
                sums[index[doc_id]] += vec
                counts[index[doc_id]] += len(known)
            else:
                index[doc_id] = len(ids)
                ids.append(doc_id)
                sums.append(vec.astype(np.float32))
                counts.append(len(known))
        for s, c in zip(sums, counts, strict=True):
            rows.append(s / c if c else s)
        self.doc_ids_ = ids
        self.document_vectors_ = (
            np.vstack(rows).astype(np.float32) if rows else np.zeros((0, wv.vector_size), np.float32)
        )

    # ------------------------------------------------------------------ checks
    def _check_fitted(self) -> None:
        if not hasattr(self, "model_"):
            raise ModelError(f"this {type(self).__name__} is not fitted; call fit() or load() first")

    def _key(self, word: str) -> str:
        """The vocabulary key for ``word`` (spaces become ``_`` as in merged entities)."""
        word = str(word).strip()
        wv = self.model_.wv
        if word in wv.key_to_index:
            return word
        for candidate in (word.lower(), "_".join(word.split()), "_".join(word.lower().split())):
            if candidate in wv.key_to_index:
                return candidate
        return word

    def in_vocabulary(self, word: str) -> bool:
        """Whether ``word`` has its own trained vector."""
        self._check_fitted()
        return self._key(word) in self.model_.wv.key_to_index

    def _require_word(self, word: str) -> str:
        key = self._key(word)
        if key in self.model_.wv.key_to_index:
            return key
        raise ModelError(self._oov_message(word))

    def _oov_message(self, word: str) -> str:
        hint = ""
        w = str(word).strip().lower()
        if self._token_unit() == "lemma":
            for cand in (w[:-1] if w.endswith(("s", "x")) else "", w[:-1] if w.endswith("e") else ""):
                if cand and cand in self.model_.wv.key_to_index:
                    hint = f" (the model holds lemmas: try {cand!r})"
                    break
        return (
            f"{word!r} is not in the vocabulary of this {self.kind} model{hint} "
            f"({len(self.model_.wv)} words with min_count={self.min_count}, "
            f"token unit {self._token_unit()!r}); check spelling and case, or try a FastText "
            "model, which builds vectors for unseen words from their subwords"
        )

    def _token_unit(self) -> str:
        return {**DEFAULT_TOKENS, **(self.tokens or {})}.get("unit", "lemma")

    def word_vector(self, word: str) -> np.ndarray:
        """The vector of ``word``, shape ``(vector_size,)``.

        Raises :class:`~toolkit.errors.ModelError` for a word outside the vocabulary
        (FastText answers from subwords instead).
        """
        self._check_fitted()
        return self.model_.wv[self._require_word(word)]

    def count(self, word: str) -> int:
        """Corpus frequency of ``word`` (0 when it is not in the vocabulary)."""
        self._check_fitted()
        key = self._key(word)
        if key not in self.model_.wv.key_to_index:
            return 0
        return int(self.model_.wv.get_vecattr(key, "count"))

    def shown(self, key: str) -> str:
        """How ``key`` is shown to people: its most frequent surface form in the training
        corpus (*union_européen* -> *Union européenne*) when known, else the key with spaces."""
        return getattr(self, "display_", {}).get(key) or key.replace("_", " ")

    # ------------------------------------------------------------------ exploration
    def vocabulary(self):
        """The vocabulary with corpus counts, most frequent first.

        Returns
        -------
        pandas.DataFrame
            Columns ``term``, ``count``; one row per word in the vocabulary.
        """
        import pandas as pd

        self._check_fitted()
        wv = self.model_.wv
        return pd.DataFrame(
            {"term": list(wv.index_to_key), "count": [int(c) for c in wv.expandos["count"]]}
        )

    def neighbours(self, word: str, topn: int = 10, min_count: int | None = None):
        """The ``topn`` words closest to ``word`` (cosine), with their corpus frequency.

        Parameters
        ----------
        word : str
        topn : int
        min_count : int, optional
            Only neighbours seen at least this often (hides rare-word noise).

        Returns
        -------
        pandas.DataFrame
            Columns ``term`` (vocabulary key), ``display`` (its most frequent surface form in
            the corpus, see :meth:`shown`), ``similarity``, ``count``; ``topn`` rows at most, most similar
            first. ``df.attrs["from_subwords"]`` is True when ``word`` was not in the
            vocabulary and its vector was built from subwords (FastText only).
        """
        import pandas as pd

        self._check_fitted()
        vec, from_subwords, key = self._query_vector(word)
        wv = self.model_.wv
        want = topn if not min_count else min(len(wv), topn * 10 + 50)
        raw = wv.similar_by_vector(vec, topn=want + 1)
        rows = []
        for term, sim in raw:
            if term == key:
                continue
            count = int(wv.get_vecattr(term, "count"))
            if min_count and count < min_count:
                continue
            rows.append({"term": term, "display": self.shown(term), "similarity": float(sim), "count": count})
            if len(rows) == topn:
                break
        df = pd.DataFrame(rows, columns=["term", "display", "similarity", "count"])
        df.attrs["query"] = word
        df.attrs["from_subwords"] = from_subwords
        return df

    def _query_vector(self, word: str) -> tuple[np.ndarray, bool, str]:
        key = self._require_word(word)
        return self.model_.wv.get_vector(key), False, key

    def similarity(self, word1: str, word2: str) -> float:
        """Cosine similarity of two words."""
        self._check_fitted()
        v1, _, _ = self._query_vector(word1)
        v2, _, _ = self._query_vector(word2)
        return _cosine(v1, v2)

    def analogy(
        self,
        positive: Sequence[str],
        negative: Sequence[str] = (),
        topn: int = 5,
    ):
        """Analogy by vector arithmetic (3CosAdd): ``sum(positive) - sum(negative)``.

        ``analogy(["berlin", "france"], ["paris"])`` asks "paris is to france as berlin is to
        ?". Input words are excluded from the answers.

        Returns
        -------
        pandas.DataFrame
            Columns ``term``, ``display``, ``similarity``, ``count``.
        """
        import pandas as pd

        self._check_fitted()
        pos = [self._require_word(w) for w in positive]
        neg = [self._require_word(w) for w in negative]
        if not pos:
            raise ConfigError("analogy needs at least one positive word")
        res = self.model_.wv.most_similar(positive=pos, negative=neg, topn=topn)
        wv = self.model_.wv
        return pd.DataFrame(
            [{"term": t, "display": self.shown(t), "similarity": float(s), "count": int(wv.get_vecattr(t, "count"))}
             for t, s in res],
            columns=["term", "display", "similarity", "count"],
        )

    # ------------------------------------------------------------------ documents
    def _doc_index(self, doc_id: str) -> int:
        self._check_fitted()
        if not hasattr(self, "_doc_pos"):
            self._doc_pos = {d: i for i, d in enumerate(self.doc_ids_)}
        try:
            return self._doc_pos[doc_id]
        except KeyError:
            close = [d for d in self.doc_ids_ if doc_id.lower() in d.lower()][:3]
            hint = f" (similar ids: {', '.join(close)})" if close else ""
            raise InputError(
                f"no document with this id among the {len(self.doc_ids_)} documents the model "
                f"was trained on{hint}",
                doc_id=doc_id,
            ) from None

    def document_vectors(self) -> np.ndarray:
        """Document vectors in :attr:`doc_ids_` order, shape ``(n_documents, vector_size)``.

        Doc2Vec's trained paragraph vectors, or the mean of the word vectors of each document
        for Word2Vec and FastText.
        """
        self._check_fitted()
        return self.document_vectors_

    def document_vector(self, doc_id: str) -> np.ndarray:
        """The vector of one training document, shape ``(vector_size,)``."""
        return self.document_vectors()[self._doc_index(doc_id)]

    def infer_vector(self, tokens: Sequence[str]) -> np.ndarray:
        """A vector for a new document (mean of its known word vectors), ``(vector_size,)``."""
        self._check_fitted()
        wv = self.model_.wv
        known = [t for t in tokens if t in wv.key_to_index]
        if not known:
            return np.zeros(wv.vector_size, dtype=np.float32)
        return wv[known].mean(axis=0)

    def document_similarity(self, doc_id1: str, doc_id2: str) -> float:
        """Cosine similarity of two training documents."""
        return _cosine(self.document_vector(doc_id1), self.document_vector(doc_id2))

    def similar_documents(self, doc_id: str, topn: int = 10, metadata: Any = None):
        """The training documents closest to ``doc_id`` (cosine of document vectors).

        Parameters
        ----------
        doc_id : str
        topn : int
        metadata : pandas.DataFrame, optional
            Document metadata with an ``id`` column (``Corpus.metadata_frame()``): its
            ``title``, ``date`` and ``section`` columns are joined to the result.

        Returns
        -------
        pandas.DataFrame
            Columns ``doc_id``, ``similarity`` (+ metadata columns), most similar first.
        """
        import pandas as pd

        i = self._doc_index(doc_id)
        mat = _normalise_rows(self.document_vectors())
        sims = mat @ mat[i]
        sims[i] = -np.inf
        order = np.argsort(-sims, kind="stable")[:topn]
        df = pd.DataFrame(
            {"doc_id": [self.doc_ids_[j] for j in order], "similarity": sims[order].astype(float)}
        )
        if metadata is not None:
            cols = [c for c in ("id", "title", "date", "section") if c in metadata.columns]
            df = df.merge(metadata[cols], left_on="doc_id", right_on="id", how="left").drop(columns="id")
        return df

    # ------------------------------------------------------------------ maps
    def word_map(
        self,
        words: Sequence[str] | None = None,
        n: int = 200,
        method: str = "pca",
        random_state: int | None = None,
    ):
        """2-D coordinates of words (PCA or t-SNE), for plotting.

        Parameters
        ----------
        words : sequence of str, optional
            The words to place (default: the ``n`` most frequent). Words outside the
            vocabulary are skipped with a warning.
        method : {"pca", "tsne"}
        random_state : int, optional
            Seed of t-SNE (default: the model's).

        Returns
        -------
        pandas.DataFrame
            Columns ``term``, ``display``, ``x``, ``y``, ``count``; one row per placed word
            (label the points with ``display``).
        """
        import pandas as pd

        self._check_fitted()
        wv = self.model_.wv
        if words is None:
            keys = list(wv.index_to_key[:n])
        else:
            keys = []
            missing = []
            for w in words:
                k = self._key(w)
                (keys if k in wv.key_to_index else missing).append(k if k in wv.key_to_index else w)
            if missing:
                log.warning("word_map: not in the vocabulary, skipped: %s", ", ".join(missing))
        if len(keys) < 3:
            raise ModelError(f"word_map needs at least 3 words in the vocabulary, got {len(keys)}")
        xy = project_2d(wv[keys], method, self.random_state if random_state is None else random_state)
        return pd.DataFrame(
            {"term": keys, "display": [self.shown(k) for k in keys], "x": xy[:, 0], "y": xy[:, 1],
             "count": [int(wv.get_vecattr(k, "count")) for k in keys]}
        )  # fmt: skip

    def document_map(
        self,
        doc_ids: Sequence[str] | None = None,
        method: str = "pca",
        metadata: Any = None,
        random_state: int | None = None,
    ):
        """2-D coordinates of documents (PCA or t-SNE) for plotting.

        Returns
        -------
        pandas.DataFrame
            Columns ``doc_id``, ``x``, ``y`` (+ ``title``, ``date``, ``section`` when
            ``metadata`` is given, as in :meth:`similar_documents`).
        """
        import pandas as pd

        self._check_fitted()
        ids = list(self.doc_ids_) if doc_ids is None else list(doc_ids)
        idx = [self._doc_index(d) for d in ids]
        if len(idx) < 3:
            raise ModelError(f"document_map needs at least 3 documents, got {len(idx)}")
        xy = project_2d(
            self.document_vectors()[idx], method,
            self.random_state if random_state is None else random_state,
        )  # fmt: skip
        df = pd.DataFrame({"doc_id": ids, "x": xy[:, 0], "y": xy[:, 1]})
        if metadata is not None:
            cols = [c for c in ("id", "title", "date", "section") if c in metadata.columns]
            df = df.merge(metadata[cols], left_on="doc_id", right_on="id", how="left").drop(columns="id")
        return df

    # ------------------------------------------------------------------ persistence
    def manifest(self) -> dict[str, Any]:
        """What the model is, how it was trained and on what (saved as ``manifest.json``)."""
        from toolkit.runtime import base_manifest, stable_hash

        self._check_fitted()
        params = {k: (dict(v) if isinstance(v, Mapping) else v) for k, v in self.get_params().items()}
        params.pop("cache_dir", None)
        params.pop("progress", None)
        return base_manifest(
            "embeddings",
            model=self.kind,
            estimator=type(self).__name__,
            params=params,
            params_hash=stable_hash(params),
            tokens={**DEFAULT_TOKENS, **(self.tokens or {})},
            training=self.training_,
            vocabulary_size=len(self.model_.wv),
            documents=len(self.doc_ids_),
            vector_size=self.model_.wv.vector_size,
        )

    def save(self, path: str | Path, overwrite: bool = False) -> Path:
        """Save to a directory (gensim model, document vectors, ids, manifest), atomically.

        Parameters
        ----------
        path : path
            The directory to create.
        overwrite : bool
            Replace an existing directory.
        """
        from toolkit.runtime import atomic_directory, write_json

        self._check_fitted()
        with atomic_directory(path, overwrite=overwrite) as tmp:
            self.model_.save(str(tmp / MODEL_FILE))
            np.save(tmp / DOCVECS_FILE, self.document_vectors_)
            write_json(tmp / DOCIDS_FILE, list(self.doc_ids_))
            write_json(tmp / DISPLAY_FILE, getattr(self, "display_", {}))
            write_json(tmp / MANIFEST_FILE, self.manifest())
        log.info("saved %s model to %s", self.kind, path)
        return Path(path)

    @classmethod
    def load(cls, path: str | Path) -> EmbeddingModel:
        """Load a model saved by :meth:`save` (any kind when called on the base class)."""
        return load_model(path, expected=None if cls is EmbeddingModel else cls)

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items() if k not in ("cache_dir", "progress"))
        return f"{type(self).__name__}({params})"


# =========================================================================== helpers


def _cosine(a: np.ndarray, b: np.ndarray) -> float:
    na, nb = float(np.linalg.norm(a)), float(np.linalg.norm(b))
    if na == 0.0 or nb == 0.0:
        return 0.0
    return float(np.dot(a, b) / (na * nb))


def _normalise_rows(mat: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(mat, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return mat / norms


def project_2d(vectors: np.ndarray, method: str = "pca", random_state: int = 0) -> np.ndarray:
    """Project vectors ``(n, d)`` to 2-D ``(n, 2)`` with PCA or t-SNE (scikit-learn).

    t-SNE uses cosine distances and a perplexity adapted to small ``n``.
    """
    vectors = np.asarray(vectors, dtype=np.float64)
    n = vectors.shape[0]
    if method == "pca":
        from sklearn.decomposition import PCA

        return PCA(n_components=2, random_state=random_state).fit_transform(vectors)
    if method == "tsne":
        from sklearn.manifold import TSNE

        perplexity = float(max(1.0, min(30.0, (n - 1) / 3)))
        return TSNE(
            n_components=2, perplexity=perplexity, metric="cosine", init="pca",
            random_state=random_state,
        ).fit_transform(vectors)  # fmt: skip
    raise ConfigError(f"unknown projection method {method!r}; use 'pca' or 'tsne'")


def load_model(path: str | Path, expected: type[EmbeddingModel] | None = None) -> EmbeddingModel:
    """Load a model directory written by :meth:`EmbeddingModel.save`.

    Raises
    ------
    StageMissingError
        When ``path`` is not a saved embedding model.
    """
    import json

    path = Path(path)
    mpath = path / MANIFEST_FILE
    if not mpath.is_file() or not (path / MODEL_FILE).is_file():
        raise StageMissingError(
            f"{path} is not an embedding model directory (no {MANIFEST_FILE} / {MODEL_FILE}); "
            f"train one with: fnt embed train CORPUS_DIR --model word2vec --out {path}"
        )
    manifest = json.loads(mpath.read_text(encoding="utf-8"))
    kind = manifest.get("model")
    if manifest.get("kind") != "embeddings" or kind not in MODEL_CLASSES:
        raise InputError(f"not an embedding model manifest (model={kind!r})", path=str(mpath))
    cls = MODEL_CLASSES[kind]
    if expected is not None and not issubclass(cls, expected):
        raise ModelError(f"{path} holds a {kind} model, not a {expected.__name__}")
    params = dict(manifest.get("params", {}))
    obj = cls(**{k: v for k, v in params.items() if k in cls().get_params()})
    from gensim.models import Doc2Vec, FastText, Word2Vec

    gensim_cls = {"word2vec": Word2Vec, "fasttext": FastText, "doc2vec": Doc2Vec}[kind]
    obj.model_ = gensim_cls.load(str(path / MODEL_FILE))
    obj.wv_ = obj.model_.wv
    obj.doc_ids_ = json.loads((path / DOCIDS_FILE).read_text(encoding="utf-8"))
    obj.document_vectors_ = np.load(path / DOCVECS_FILE)
    obj.training_ = manifest.get("training", {})
    dpath = path / DISPLAY_FILE  # absent in models saved before display forms
    obj.display_ = json.loads(dpath.read_text(encoding="utf-8")) if dpath.is_file() else {}
    obj.epochs_ = int(obj.training_.get("epochs", obj.model_.epochs))
    obj.params_ = {
        "vector_size": obj.model_.wv.vector_size,
        "window": obj.training_.get("window", obj.model_.window),
        "sample": obj.training_.get("sample", obj.model_.sample),
    }
    obj.manifest_ = manifest
    return obj
