"""Word and document embeddings over the corpus: Word2Vec, FastText and Doc2Vec (gensim).

Three estimators wrap gensim so nothing trains in a constructor:

* :class:`Word2VecModel` — skip-gram (``architecture="skipgram"``) or CBOW;
* :class:`FastTextModel` — Word2Vec with character n-gram (subword) vectors, so an inflected
  French form never seen in training (*sanctionnerions*) still gets a vector;
* :class:`Doc2VecModel` — paragraph vectors, PV-DBOW (``mode="dbow"``) or PV-DM
  (``mode="dm"``); the document tags are the corpus document ids.

``fit`` accepts a corpus directory (tokens come from :class:`toolkit.vocabulary.TokenStream`
with the model's ``tokens`` settings: lemmas or forms, phrases and merged entities such as
``xi_jinping`` as single tokens, stop words) or any *re-iterable* of token lists, of
``(doc_id, tokens)`` pairs or of gensim ``TaggedDocument``. The corpus is never held in
memory: one pass writes the selected tokens to a plain-text cache in gensim's
``LineSentence`` format (one document a line, tokens separated by spaces; for Doc2Vec the
document id first, then a tab), and gensim trains from that file. Reading the cache costs
next to nothing, so training runs at the speed of gensim on an in-memory list; with
``workers > 1`` gensim's ``corpus_file`` mode reads it with one thread per worker.

Repeatability: with the same ``random_state`` and ``workers=1`` (the default) training gives
the same vectors, run after run. gensim's documentation adds that reproducibility between
interpreter launches also requires fixing ``PYTHONHASHSEED``; in gensim 4 vector
initialisation no longer uses Python's string hash, and the toolkit's tests check that two
launches with different ``PYTHONHASHSEED`` give identical vectors, but set it if you need a
guarantee across gensim versions. With ``workers > 1`` the order in which threads update the
vectors depends on the OS scheduler, so results vary slightly from run to run.

Exploration (for notebooks) returns pandas DataFrames: :meth:`~EmbeddingModel.neighbours`
(with each neighbour's corpus frequency, to spot noise from rare words),
:meth:`~EmbeddingModel.analogy`, :meth:`~EmbeddingModel.similarity`,
:meth:`~EmbeddingModel.similar_documents`, :meth:`~EmbeddingModel.word_map` and
:meth:`~EmbeddingModel.document_map` (PCA or t-SNE), plus :class:`PeriodEmbeddings` for a
word's neighbours month by month, and :func:`embedding_coherence` /
:func:`nearest_topic_terms` to check topic labels against the vector space.

Examples
--------
>>> from toolkit.embeddings import Word2VecModel
>>> model = Word2VecModel(random_state=1).fit("runs/demo/corpus")     # doctest: +SKIP
>>> model.neighbours("gaz", topn=3)                                    # doctest: +SKIP
       term  similarity  count
0   pétrole       0.83     41
1   gazier        0.79     12
2  énergie        0.77     57
>>> model.save("runs/demo/w2v")                                        # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import math
import tempfile
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from toolkit.errors import ConfigError, InputError, ModelError, NotInstalledError, StageMissingError

log = logging.getLogger(__name__)

#: gensim trains on at most this many tokens per text; longer documents are cut into lines.
MAX_LINE_TOKENS = 10_000
#: File names inside a saved model directory.
MODEL_FILE = "model.gensim"
MANIFEST_FILE = "manifest.json"
DOCVECS_FILE = "document_vectors.npy"
DOCIDS_FILE = "doc_ids.json"
MODEL_KINDS = ("word2vec", "fasttext", "doc2vec")

#: Token settings used when ``fit`` is given a corpus directory (see VocabularyConfig).
DEFAULT_TOKENS: dict[str, Any] = {
    "unit": "lemma",
    "pos": None,
    "lowercase": True,
    "stopwords": "default",
    "merge_entities": True,
    "phrases": True,
}


# =========================================================================== token streams


@dataclass(frozen=True)
class _Unit:
    """One training text: its document id (or None) and its tokens."""

    doc_id: str | None
    tokens: list[str]


def _iter_units(corpus: Iterable[Any]) -> Iterator[_Unit]:
    """Normalise the accepted item shapes into :class:`_Unit` records."""
    for i, item in enumerate(corpus):
        if hasattr(item, "words") and hasattr(item, "tags"):  # gensim TaggedDocument
            tags = list(item.tags)
            yield _Unit(str(tags[0]) if tags else None, list(item.words))
        elif isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str | int):
            doc_id, tokens = item
            if isinstance(tokens, str):
                raise InputError(
                    "expected a list of tokens, got a string; split the text into tokens "
                    "(or pass a corpus directory)",
                    line=i + 1, doc_id=str(doc_id),
                )  # fmt: skip
            yield _Unit(str(doc_id), list(tokens))
        elif isinstance(item, str):
            raise InputError(
                "the corpus yields strings, not token lists; pass a corpus directory, a "
                "TokenStream, or an iterable of token lists / (doc_id, tokens) pairs",
                line=i + 1,
            )
        else:
            yield _Unit(None, list(item))


def _clean_token(tok: str) -> str:
    # The cache is whitespace-separated: a token with inner spaces would be split on reading.
    return "_".join(str(tok).split())


class TokenCache:
    """Tokens written once to a plain-text file, read back as a re-iterable stream.

    The file is gensim's ``LineSentence`` format (one text a line, tokens separated by
    single spaces), so gensim's ``corpus_file`` mode can read it with several worker threads.
    Document ids, when known, are kept in a parallel file (one id a line).

    Parameters
    ----------
    path : str or Path
        The cache file to write (its id file is ``path`` + ``.ids``).

    Attributes
    ----------
    n_lines, n_tokens, n_documents : int
    content_hash : str
        ``sha256:`` of the cached tokens (what the model was trained on).
    has_ids : bool
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.ids_path = Path(str(self.path) + ".ids")
        self.n_lines = self.n_tokens = self.n_documents = 0
        self.content_hash = ""
        self.has_ids = False

    def write(self, corpus: Iterable[Any], progress: bool = False) -> TokenCache:
        """Stream ``corpus`` into the cache (one pass). Returns self."""
        from tqdm.auto import tqdm

        h = hashlib.sha256()
        n_lines = n_tokens = n_docs = 0
        has_ids: bool | None = None
        seen_ids: set[str] = set()
        with (
            open(self.path, "w", encoding="utf-8") as out,
            open(self.ids_path, "w", encoding="utf-8") as ids,
        ):
            bar = tqdm(_iter_units(corpus), desc="caching tokens", unit=" doc", disable=not progress)
            for unit in bar:
                if has_ids is None:
                    has_ids = unit.doc_id is not None
                doc_id = unit.doc_id if unit.doc_id is not None else str(n_docs)
                if "\n" in doc_id or "\t" in doc_id:
                    raise InputError("document ids must not contain tabs or newlines", doc_id=doc_id)
                if has_ids and doc_id in seen_ids:
                    raise InputError(
                        "duplicate document id in the token stream; ids must be unique",
                        doc_id=doc_id,
                    )
                if has_ids:
                    seen_ids.add(doc_id)
                n_docs += 1
                toks = [t for t in (_clean_token(t) for t in unit.tokens) if t]
                if not toks:
                    continue
                for start in range(0, len(toks), MAX_LINE_TOKENS):
                    line = " ".join(toks[start : start + MAX_LINE_TOKENS])
                    out.write(line + "\n")
                    ids.write(doc_id + "\n")
                    h.update(doc_id.encode() + b"\t" + line.encode() + b"\n")
                    n_lines += 1
                n_tokens += len(toks)
        self.n_lines, self.n_tokens, self.n_documents = n_lines, n_tokens, n_docs
        self.has_ids = bool(has_ids)
        self.content_hash = "sha256:" + h.hexdigest()
        log.info("cached %d tokens from %d documents in %s", n_tokens, n_docs, self.path)
        return self

    @classmethod
    def open(cls, path: str | Path) -> TokenCache:
        """An existing cache file (written by :meth:`write`), re-read once for its counts.

        Lets several models train on one cache: ``TokenCache(p).write(stream)`` once, then
        ``model.fit(TokenCache.open(p))`` for each model.
        """
        cache = cls(path)
        if not cache.path.is_file() or not cache.ids_path.is_file():
            raise StageMissingError(f"{cache.path} is not a token cache (missing file or its .ids)")
        h = hashlib.sha256()
        ids: set[str] = set()
        for doc_id, toks in cache.units():
            h.update(doc_id.encode() + b"\t" + " ".join(toks).encode() + b"\n")
            ids.add(doc_id)
            cache.n_lines += 1
            cache.n_tokens += len(toks)
        cache.n_documents = len(ids)
        cache.has_ids = True
        cache.content_hash = "sha256:" + h.hexdigest()
        return cache

    def sentences(self) -> CachedSentences:
        """Re-iterable over token lists (one per line)."""
        return CachedSentences(self.path)

    def tagged(self) -> CachedTaggedDocuments:
        """Re-iterable over ``TaggedDocument(tokens, [doc_id])``."""
        return CachedTaggedDocuments(self.path, self.ids_path)

    def units(self) -> Iterator[tuple[str, list[str]]]:
        """``(doc_id, tokens)`` per line."""
        with (
            open(self.path, encoding="utf-8") as f,
            open(self.ids_path, encoding="utf-8") as ids,
        ):
            for line, doc_id in zip(f, ids, strict=True):
                yield doc_id.rstrip("\n"), line.split()


class CachedSentences:
    """Re-iterable token lists read from a :class:`TokenCache` file."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def __iter__(self) -> Iterator[list[str]]:
        with open(self.path, encoding="utf-8") as f:
            for line in f:
                yield line.split()


class CachedTaggedDocuments:
    """Re-iterable ``TaggedDocument`` read from a :class:`TokenCache` (tags = document ids)."""

    def __init__(self, path: str | Path, ids_path: str | Path) -> None:
        self.path, self.ids_path = Path(path), Path(ids_path)

    def __iter__(self):
        from gensim.models.doc2vec import TaggedDocument

        with (
            open(self.path, encoding="utf-8") as f,
            open(self.ids_path, encoding="utf-8") as ids,
        ):
            for line, doc_id in zip(f, ids, strict=True):
                yield TaggedDocument(line.split(), [doc_id.rstrip("\n")])


def token_stream(corpus_dir: str | Path, tokens: Mapping[str, Any] | None = None):
    """The corpus directory's token stream (``toolkit.vocabulary.TokenStream``).

    Parameters
    ----------
    corpus_dir : path
        A corpus directory with a token table (``tokens.parquet``).
    tokens : mapping, optional
        :class:`toolkit.vocabulary.VocabularyConfig` settings (default :data:`DEFAULT_TOKENS`).
    """
    corpus_dir = Path(corpus_dir)
    if not (corpus_dir / "tokens.parquet").is_file():
        raise StageMissingError(
            f"{corpus_dir} has no token table (tokens.parquet); annotate it first: "
            f"fnt annotate {corpus_dir} --mode fast"
        )
    try:
        from toolkit.vocabulary import TokenStream, VocabularyConfig
    except ImportError as exc:  # pragma: no cover - depends on installation state
        raise NotInstalledError(
            "toolkit.vocabulary is not available in this installation; pass an iterable of "
            "token lists instead of a corpus directory"
        ) from exc
    settings = {**DEFAULT_TOKENS, **(tokens or {})}
    try:
        cfg = VocabularyConfig(**settings)
    except TypeError as exc:
        raise ConfigError(f"invalid token settings {settings}: {exc}") from exc
    return TokenStream(corpus_dir, cfg)


def _corpus_provenance(corpus: Any) -> dict[str, Any]:
    """Corpus directory and content hash (from its manifests) when known."""
    from toolkit.runtime import read_json

    directory = None
    if isinstance(corpus, str | Path):
        directory = Path(corpus)
    else:
        for attr in ("corpus_dir", "directory", "path"):
            value = getattr(corpus, attr, None)
            if isinstance(value, str | Path) and Path(value).is_dir():
                directory = Path(value)
                break
    if directory is None:
        return {}
    out: dict[str, Any] = {"corpus_dir": str(directory)}
    for name, key in (("manifest.json", "corpus_content_hash"), ("annotation.json", "annotation")):
        p = directory / name
        if p.is_file():
            with contextlib.suppress(ValueError, OSError):
                m = read_json(p)
                if key == "annotation":
                    out["annotation_mode"] = m.get("mode")
                    out["annotation_hash"] = m.get("documents_sha256") or m.get("content_hash")
                else:
                    out[key] = m.get("content_hash")
    return out


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
            cache = TokenCache(cache_root / "tokens.txt").write(corpus, progress=self.progress)
            t_cache = time.perf_counter() - t0
            self._fit_cache(cache)
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
            Columns ``term``, ``similarity``, ``count``; ``topn`` rows at most, most similar
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
            rows.append({"term": term, "similarity": float(sim), "count": count})
            if len(rows) == topn:
                break
        df = pd.DataFrame(rows, columns=["term", "similarity", "count"])
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
            Columns ``term``, ``similarity``, ``count``.
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
            [{"term": t, "similarity": float(s), "count": int(wv.get_vecattr(t, "count"))} for t, s in res],
            columns=["term", "similarity", "count"],
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
            Columns ``term``, ``x``, ``y``, ``count``; one row per placed word.
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
            {"term": keys, "x": xy[:, 0], "y": xy[:, 1],
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


class Word2VecModel(EmbeddingModel):
    """Word2Vec word vectors (gensim), skip-gram or CBOW.

    Parameters
    ----------
    architecture : {"skipgram", "cbow"}
        Skip-gram (better for rare words, the default for small corpora) or CBOW (faster).
    **kwargs
        See :class:`EmbeddingModel` (vector_size, window, min_count, epochs, negative,
        sample, workers, random_state, tokens, cache_dir, progress).

    Attributes
    ----------
    model_ : gensim.models.Word2Vec
    wv_ : gensim.models.KeyedVectors
        Word vectors, ``(n_words, vector_size)``.
    doc_ids_ : list of str
    document_vectors_ : ndarray of shape (n_documents, vector_size)
        Mean word vector of each document.
    epochs_ : int
    training_ : dict
        Counts, timings, throughput, peak memory, hashes.

    Examples
    --------
    >>> m = Word2VecModel(random_state=1).fit("runs/demo/corpus")   # doctest: +SKIP
    >>> m.neighbours("pékin", topn=5)                               # doctest: +SKIP
    """

    kind = "word2vec"

    def __init__(
        self,
        architecture: str = "skipgram",
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
        super().__init__(
            vector_size=vector_size, window=window, min_count=min_count, epochs=epochs,
            negative=negative, sample=sample, workers=workers, random_state=random_state,
            tokens=tokens, cache_dir=cache_dir, progress=progress,
        )  # fmt: skip
        self.architecture = architecture

    def _check_params(self) -> None:
        super()._check_params()
        if self.architecture not in ("skipgram", "cbow"):
            raise ConfigError(f"architecture must be 'skipgram' or 'cbow', got {self.architecture!r}")

    def _gensim_params(self) -> dict[str, Any]:
        return dict(
            **self.params_, min_count=self.min_count, negative=self.negative, workers=self.workers,
            seed=self.random_state, sg=1 if self.architecture == "skipgram" else 0,
        )  # fmt: skip

    def _new_gensim(self, **params: Any):
        from gensim.models import Word2Vec

        return Word2Vec(**params)


class FastTextModel(Word2VecModel):
    """FastText word vectors with subword (character n-gram) information.

    Words never seen in training get a vector from their character n-grams, so unseen French
    inflections (*sanctionnerait*) are still answered; :meth:`neighbours` marks such answers
    with ``attrs["from_subwords"]``.

    Parameters
    ----------
    min_n, max_n : int
        Lengths of the character n-grams (3–6, gensim's default).
    bucket : int
        Hash buckets for n-gram vectors. 200,000 (gensim: 2,000,000) keeps the model at about
        80 MB with 100 dimensions; raise it for corpora of many millions of words.
    **kwargs
        See :class:`Word2VecModel`.
    """

    kind = "fasttext"

    def __init__(
        self,
        architecture: str = "skipgram",
        vector_size: int | None = None,
        window: int | None = None,
        min_count: int = 3,
        epochs: int | None = None,
        negative: int = 5,
        sample: float | None = None,
        workers: int = 1,
        random_state: int = 0,
        min_n: int = 3,
        max_n: int = 6,
        bucket: int = 200_000,
        tokens: Mapping[str, Any] | None = None,
        cache_dir: str | Path | None = None,
        progress: bool = False,
    ) -> None:
        super().__init__(
            architecture=architecture, vector_size=vector_size, window=window,
            min_count=min_count, epochs=epochs, negative=negative, sample=sample,
            workers=workers, random_state=random_state, tokens=tokens, cache_dir=cache_dir,
            progress=progress,
        )  # fmt: skip
        self.min_n = min_n
        self.max_n = max_n
        self.bucket = bucket

    def _check_params(self) -> None:
        super()._check_params()
        if not (1 <= self.min_n <= self.max_n):
            raise ConfigError(f"need 1 <= min_n <= max_n, got min_n={self.min_n}, max_n={self.max_n}")
        if self.bucket < 1:
            raise ConfigError(f"bucket must be >= 1, got {self.bucket}")

    def _gensim_params(self) -> dict[str, Any]:
        return {**super()._gensim_params(), "min_n": self.min_n, "max_n": self.max_n, "bucket": self.bucket}

    def _new_gensim(self, **params: Any):
        from gensim.models import FastText

        return FastText(**params)

    def _query_vector(self, word: str) -> tuple[np.ndarray, bool, str]:
        key = self._key(word)
        wv = self.model_.wv
        if key in wv.key_to_index:
            return wv.get_vector(key), False, key
        coverage = self.subword_coverage(key)
        if coverage == 0.0:
            raise ModelError(
                f"{word!r} is not in the vocabulary and none of its character n-grams "
                f"({self.min_n}-{self.max_n} characters) occur in a vocabulary word, so FastText "
                "has no meaningful vector for it"
            )
        log.info(
            "%r is not in the vocabulary: its vector is built from subwords (%.0f %% of its "
            "n-grams occur in vocabulary words)", word, 100 * coverage,
        )  # fmt: skip
        return wv.get_vector(key), True, key

    def subword_coverage(self, word: str) -> float:
        """Share of ``word``'s character n-grams that also occur in vocabulary words (0–1).

        An out-of-vocabulary word whose n-grams were never trained gets a vector from
        random initial n-gram vectors only; this tells how much of its vector was learned.
        """
        from gensim.models.fasttext import ft_ngram_hashes

        self._check_fitted()
        wv = self.model_.wv
        if getattr(self, "_seen_buckets", None) is None:
            seen: set[int] = set()
            for w in wv.index_to_key:
                seen.update(ft_ngram_hashes(w, wv.min_n, wv.max_n, wv.bucket))
            self._seen_buckets = seen
        hashes = ft_ngram_hashes(word, wv.min_n, wv.max_n, wv.bucket)
        if not hashes:
            return 0.0
        return sum(h in self._seen_buckets for h in hashes) / len(hashes)

    def word_vector(self, word: str) -> np.ndarray:
        """The vector of ``word``; unseen words get one from their subwords."""
        self._check_fitted()
        return self._query_vector(word)[0]

    def infer_vector(self, tokens: Sequence[str]) -> np.ndarray:
        """Mean of the token vectors (unseen tokens from subwords), ``(vector_size,)``."""
        self._check_fitted()
        toks = [t for t in tokens if t]
        if not toks:
            return np.zeros(self.model_.wv.vector_size, dtype=np.float32)
        return self.model_.wv[toks].mean(axis=0)


class Doc2VecModel(EmbeddingModel):
    """Doc2Vec paragraph vectors (gensim); tags are the document ids.

    Parameters
    ----------
    mode : {"dbow", "dm"}
        PV-DBOW (distributed bag of words; usually the better document vectors) or PV-DM
        (distributed memory).
    dbow_words : bool
        With PV-DBOW, also train word vectors (skip-gram, interleaved), so that word
        neighbours and analogies work; slower.
    infer_epochs : int or None
        Epochs of :meth:`infer_vector` (default: the training epochs).
    doc_vectors : {"paragraph", "paragraph+words"}
        What a document vector is: the trained paragraph vector (default), or the paragraph
        vector followed by the mean of the model's own word vectors over the document's tokens
        (``2 × vector_size`` dimensions; needs word vectors: PV-DM, or PV-DBOW with
        ``dbow_words``). Le and Mikolov (2014) likewise combine two views of a document; the
        word mean adds the document's vocabulary to the paragraph vector's prediction task
        (measured in BENCHMARKS.md, section classification).
    **kwargs
        See :class:`EmbeddingModel`.

    Attributes
    ----------
    model_ : gensim.models.Doc2Vec
    document_vectors_ : ndarray of shape (n_documents, vector_size or 2 × vector_size)
        Trained paragraph vectors in ``doc_ids_`` order (followed by the word means with
        ``doc_vectors="paragraph+words"``).
    """

    kind = "doc2vec"

    def __init__(
        self,
        mode: str = "dbow",
        dbow_words: bool = True,
        vector_size: int | None = None,
        window: int | None = None,
        min_count: int = 3,
        epochs: int | None = None,
        negative: int = 5,
        sample: float | None = None,
        workers: int = 1,
        random_state: int = 0,
        infer_epochs: int | None = None,
        doc_vectors: str = "paragraph",
        tokens: Mapping[str, Any] | None = None,
        cache_dir: str | Path | None = None,
        progress: bool = False,
    ) -> None:
        super().__init__(
            vector_size=vector_size, window=window, min_count=min_count, epochs=epochs,
            negative=negative, sample=sample, workers=workers, random_state=random_state,
            tokens=tokens, cache_dir=cache_dir, progress=progress,
        )  # fmt: skip
        self.mode = mode
        self.dbow_words = dbow_words
        self.infer_epochs = infer_epochs
        self.doc_vectors = doc_vectors

    def _check_params(self) -> None:
        super()._check_params()
        if self.mode not in ("dbow", "dm"):
            raise ConfigError(f"mode must be 'dbow' or 'dm', got {self.mode!r}")
        if self.doc_vectors not in ("paragraph", "paragraph+words"):
            raise ConfigError(f"doc_vectors must be 'paragraph' or 'paragraph+words', got {self.doc_vectors!r}")
        if self.doc_vectors == "paragraph+words" and self.mode == "dbow" and not self.dbow_words:
            raise ConfigError("doc_vectors='paragraph+words' needs trained word vectors: set dbow_words=True or mode='dm'")

    def _gensim_params(self) -> dict[str, Any]:
        return dict(
            **self.params_, min_count=self.min_count, negative=self.negative, workers=self.workers,
            seed=self.random_state, dm=1 if self.mode == "dm" else 0,
            dbow_words=int(bool(self.dbow_words)),
        )  # fmt: skip

    def _new_gensim(self, **params: Any):
        from gensim.models import Doc2Vec

        return Doc2Vec(**params)

    def _fit_cache(self, cache: TokenCache) -> None:
        if self.workers > 1:
            # corpus_file mode tags documents by line number, not by id: keep ids ourselves
            log.info("Doc2Vec with workers > 1 trains from the token cache file (tags = line numbers)")
        super()._fit_cache(cache)

    def _training_iterable(self, cache: TokenCache):
        return cache.tagged()

    def _fit_documents(self, cache: TokenCache) -> None:
        dv = self.model_.dv
        if self.workers > 1:  # corpus_file: tags are line numbers
            ids = [d for d, _ in cache.units()]
            first: dict[str, int] = {}
            for i, d in enumerate(ids):
                first.setdefault(d, i)
            self.doc_ids_ = list(first)
            self.document_vectors_ = np.vstack([dv[first[d]] for d in self.doc_ids_]).astype(np.float32)
        else:
            self.doc_ids_ = [str(k) for k in dv.index_to_key]
            self.document_vectors_ = np.asarray(dv.vectors, dtype=np.float32).copy()
        if self.doc_vectors == "paragraph+words":
            ids, paragraphs = self.doc_ids_, self.document_vectors_
            super()._fit_documents(cache)  # mean word vectors, in the cache's document order
            pos = {d: i for i, d in enumerate(self.doc_ids_)}
            means = self.document_vectors_[[pos[d] for d in ids]]
            self.doc_ids_, self.document_vectors_ = ids, np.hstack([paragraphs, means]).astype(np.float32)

    def infer_vector(self, tokens: Sequence[str]) -> np.ndarray:
        """Paragraph vector of a new document, ``(vector_size,)``.

        The model's random generator is reset to ``random_state`` first, so the same tokens
        always give the same vector (gensim alone continues its generator from call to call).
        """
        self._check_fitted()
        epochs = self.infer_epochs or self.epochs_
        self.model_.random = np.random.RandomState(self.random_state)
        vec = self.model_.infer_vector(list(tokens), epochs=epochs)
        if self.doc_vectors == "paragraph+words":
            vec = np.concatenate([vec, super().infer_vector(tokens)])
        return vec

    def _check_vocabulary(self, model, cache: TokenCache) -> None:
        super()._check_vocabulary(model, cache)


_CLASSES: dict[str, type[EmbeddingModel]] = {
    "word2vec": Word2VecModel,
    "fasttext": FastTextModel,
    "doc2vec": Doc2VecModel,
}


def make_model(kind: str, **params: Any) -> EmbeddingModel:
    """An unfitted model by name (``word2vec``, ``fasttext``, ``doc2vec``)."""
    try:
        cls = _CLASSES[kind]
    except KeyError:
        raise ConfigError(f"unknown embedding model {kind!r}; choose one of {', '.join(MODEL_KINDS)}") from None
    try:
        return cls(**params)
    except TypeError as exc:
        raise ConfigError(f"invalid parameters for {kind}: {exc}") from exc


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
    if manifest.get("kind") != "embeddings" or kind not in _CLASSES:
        raise InputError(f"not an embedding model manifest (model={kind!r})", path=str(mpath))
    cls = _CLASSES[kind]
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
    obj.epochs_ = int(obj.training_.get("epochs", obj.model_.epochs))
    obj.params_ = {
        "vector_size": obj.model_.wv.vector_size,
        "window": obj.training_.get("window", obj.model_.window),
        "sample": obj.training_.get("sample", obj.model_.sample),
    }
    obj.manifest_ = manifest
    return obj


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


# =========================================================================== periods


def _period_of(date: str | None, freq: str) -> str | None:
    if not date:
        return None
    day = str(date)[:10]
    if freq == "month":
        return day[:7]
    if freq == "quarter":
        return f"{day[:4]}-Q{(int(day[5:7]) - 1) // 3 + 1}"
    if freq == "year":
        return day[:4]
    raise ConfigError(f"unknown period {freq!r}; use 'month', 'quarter' or 'year'")


def _dates_from(dates: Any) -> dict[str, str | None]:
    if isinstance(dates, str | Path):
        from toolkit.documents import Corpus

        frame = Corpus(dates).metadata_frame()
        return dict(zip(frame["id"], frame["date"], strict=True))
    if hasattr(dates, "columns"):  # DataFrame with id, date
        return dict(zip(dates["id"], dates["date"], strict=True))
    return dict(dates)


def orthogonal_procrustes_align(base: np.ndarray, other: np.ndarray) -> np.ndarray:
    """Rotation ``R`` ``(d, d)`` minimising ``|other @ R - base|`` (Hamilton et al., 2016)."""
    u, _, vt = np.linalg.svd(other.T @ base)
    return u @ vt


class PeriodEmbeddings:
    """One seeded word-embedding model per time period, aligned, to follow meaning over time.

    The corpus is split by document date (month, quarter or year), one model is trained per
    period with the same parameters and seed, and each period's vectors are rotated onto the
    previous period's (orthogonal Procrustes on the shared vocabulary) so that a word's
    vectors can be compared across periods.

    Parameters
    ----------
    model : {"word2vec", "fasttext"}
    freq : {"month", "quarter", "year"}
    align : bool
        Rotate each period onto the previous one.
    min_tokens : int
        Skip periods with fewer tokens (too small to train on), with a warning.
    **params
        Parameters of the per-period model (random_state, vector_size, min_count…).

    Attributes
    ----------
    periods_ : list of str
    models_ : dict of str to EmbeddingModel
    rotations_ : dict of str to ndarray of shape (vector_size, vector_size)

    Examples
    --------
    >>> pe = PeriodEmbeddings(freq="month", random_state=1)                 # doctest: +SKIP
    >>> pe.fit(token_stream("runs/lemonde"), dates="runs/lemonde")          # doctest: +SKIP
    >>> pe.neighbours("sanctions", topn=5)                                  # doctest: +SKIP
    """

    def __init__(
        self,
        model: str = "word2vec",
        freq: str = "month",
        align: bool = True,
        min_tokens: int = 2_000,
        **params: Any,
    ) -> None:
        self.model = model
        self.freq = freq
        self.align = align
        self.min_tokens = min_tokens
        self.params = params

    def fit(self, corpus: Any, dates: Any) -> PeriodEmbeddings:
        """Train one model per period.

        Parameters
        ----------
        corpus : path or re-iterable
            A corpus directory or a re-iterable of ``(doc_id, tokens)`` pairs.
        dates : path, DataFrame or mapping
            Document dates: a corpus directory, a frame with ``id`` and ``date`` columns, or
            ``{doc_id: date}``.
        """
        if self.model not in ("word2vec", "fasttext"):
            raise ConfigError("PeriodEmbeddings trains word vectors: model must be 'word2vec' or 'fasttext'")
        _period_of("2022-01-01", self.freq)  # validate freq early
        if isinstance(corpus, str | Path):
            corpus = token_stream(corpus, self.params.get("tokens"))
        date_of = _dates_from(dates)
        self.models_: dict[str, EmbeddingModel] = {}
        self.rotations_: dict[str, np.ndarray] = {}
        with tempfile.TemporaryDirectory(prefix="fnt-periods-") as tmp:
            files: dict[str, Any] = {}
            counts: dict[str, int] = {}
            undated = 0
            try:
                for unit in _iter_units(corpus):
                    if unit.doc_id is None:
                        raise InputError("PeriodEmbeddings needs (doc_id, tokens) items to find dates")
                    period = _period_of(date_of.get(unit.doc_id), self.freq)
                    if period is None:
                        undated += 1
                        continue
                    if period not in files:
                        files[period] = open(Path(tmp) / f"{period}.txt", "w", encoding="utf-8")  # noqa: SIM115
                    toks = [t for t in (_clean_token(t) for t in unit.tokens) if t]
                    for start in range(0, len(toks), MAX_LINE_TOKENS):
                        files[period].write(" ".join(toks[start : start + MAX_LINE_TOKENS]) + "\n")
                    counts[period] = counts.get(period, 0) + len(toks)
            finally:
                for f in files.values():
                    f.close()
            if undated:
                log.warning("%d documents without a date were left out of the period models", undated)
            self.token_counts_ = dict(sorted(counts.items()))
            previous: EmbeddingModel | None = None
            for period in sorted(files):
                if counts[period] < self.min_tokens:
                    log.warning("period %s has only %d tokens (< min_tokens=%d): skipped",
                                period, counts[period], self.min_tokens)  # fmt: skip
                    continue
                cache = TokenCache(Path(tmp) / f"{period}.txt")
                cache.n_tokens = cache.n_lines = counts[period]
                cache.n_documents = 0
                _write_ids_for(cache)
                m = make_model(self.model, **self.params)
                try:
                    m.fit_cache(cache)
                except ModelError as exc:
                    log.warning("period %s: %s; skipped", period, exc)
                    continue
                log.info("period %s: %d tokens, vocabulary %d", period, counts[period], len(m.model_.wv))
                if self.align and previous is not None:
                    self.rotations_[period] = self._align(previous, m)
                self.models_[period] = m
                previous = m
        if not self.models_:
            raise ModelError("no period had enough tokens to train a model; use a coarser freq or a larger corpus")
        self.periods_ = list(self.models_)
        return self

    @staticmethod
    def _align(base: EmbeddingModel, other: EmbeddingModel) -> np.ndarray:
        bw, ow = base.model_.wv, other.model_.wv
        shared = [w for w in ow.index_to_key if w in bw.key_to_index]
        if len(shared) < 10:
            log.warning("too few shared words (%d) to align periods; left unaligned", len(shared))
            return np.eye(ow.vector_size, dtype=np.float32)
        a = _normalise_rows(bw[shared])
        b = _normalise_rows(ow[shared])
        rot = orthogonal_procrustes_align(a, b).astype(np.float32)
        # rotate in place: cosine neighbours within the period are unchanged
        ow.vectors = (ow.vectors @ rot).astype(np.float32)
        ow.norms = None
        ow.fill_norms(force=True)
        return rot

    def _check_fitted(self) -> None:
        if not hasattr(self, "models_"):
            raise ModelError("this PeriodEmbeddings is not fitted; call fit() first")

    def neighbours(self, word: str, topn: int = 10, min_count: int | None = None):
        """``word``'s neighbours in each period.

        Returns
        -------
        pandas.DataFrame
            Columns ``period``, ``rank``, ``term``, ``similarity``, ``count``; periods where
            the word is absent are listed in ``df.attrs["missing_periods"]``.
        """
        import pandas as pd

        self._check_fitted()
        frames, missing = [], []
        for period, m in self.models_.items():
            try:
                df = m.neighbours(word, topn=topn, min_count=min_count)
            except ModelError:
                missing.append(period)
                continue
            df.insert(0, "rank", range(1, len(df) + 1))
            df.insert(0, "period", period)
            frames.append(df)
        if not frames:
            raise ModelError(f"{word!r} is in the vocabulary of no period model")
        out = pd.concat(frames, ignore_index=True)
        out.attrs["missing_periods"] = missing
        return out

    def shift(self, word: str):
        """Cosine similarity of ``word``'s aligned vector between consecutive periods.

        Returns
        -------
        pandas.DataFrame
            Columns ``period``, ``count``, ``similarity_to_previous`` (NaN for the first
            period or when the word is missing on either side).
        """
        import pandas as pd

        self._check_fitted()
        rows, prev = [], None
        for period, m in self.models_.items():
            vec = m.word_vector(word) if m.in_vocabulary(word) else None
            sim = _cosine(prev, vec) if (prev is not None and vec is not None) else float("nan")
            rows.append({"period": period, "count": m.count(word), "similarity_to_previous": sim})
            prev = vec
        return pd.DataFrame(rows)


def _write_ids_for(cache: TokenCache) -> None:
    """Give a period cache an id file (line numbers) so documents are addressable."""
    n = 0
    with open(cache.path, encoding="utf-8") as f, open(cache.ids_path, "w", encoding="utf-8") as ids:
        for _ in f:
            ids.write(f"{n}\n")
            n += 1
    cache.n_lines = cache.n_documents = n


# =========================================================================== topics


def _as_topics(topics: Any) -> dict[Any, list[str]]:
    if isinstance(topics, Mapping):
        return {k: list(v) for k, v in topics.items()}
    return {i: list(t) for i, t in enumerate(topics)}


def _keyed_vectors(vectors: Any):
    """KeyedVectors from a fitted model, a gensim model or KeyedVectors."""
    if isinstance(vectors, EmbeddingModel):
        vectors._check_fitted()
        return vectors.model_.wv
    return getattr(vectors, "wv", vectors)


def _lookup(kv, term: str) -> str | None:
    for cand in (term, term.lower(), "_".join(term.split()), "_".join(term.lower().split())):
        if cand in kv.key_to_index:
            return cand
    return None


def embedding_coherence(topics: Any, vectors: Any, topn: int = 10, method: str = "pairwise"):
    """Embedding coherence of each topic's top terms.

    Parameters
    ----------
    topics : sequence of sequence of str, or mapping label -> terms
        Each topic's terms, best first (any topic model's output).
    vectors : EmbeddingModel, gensim model or KeyedVectors
    topn : int
        Use each topic's first ``topn`` terms.
    method : {"pairwise", "centroid"}
        ``pairwise``: mean cosine similarity over all pairs of terms found in the vocabulary.
        ``centroid``: mean cosine similarity of each term to the mean of the topic's term
        vectors — the measure gensim's ``CoherenceModel(coherence="c_w2v")`` computes.

    Returns
    -------
    pandas.DataFrame
        One row per topic: ``topic``, ``coherence`` (NaN with fewer than two terms found),
        ``n_terms`` (found), ``missing`` (terms not in the vocabulary, as a list).
    """
    import pandas as pd

    if method not in ("pairwise", "centroid"):
        raise ConfigError(f"method must be 'pairwise' or 'centroid', got {method!r}")
    kv = _keyed_vectors(vectors)
    rows = []
    for label, terms in _as_topics(topics).items():
        terms = terms[:topn]
        found = [k for k in (_lookup(kv, t) for t in terms) if k is not None]
        missing = [t for t in terms if _lookup(kv, t) is None]
        score = float("nan")
        if len(found) >= 2:
            mat = _normalise_rows(np.asarray(kv[found], dtype=np.float64))
            if method == "pairwise":
                sims = mat @ mat.T
                n = len(found)
                score = float((sims.sum() - np.trace(sims)) / (n * (n - 1)))
            else:
                centroid = np.asarray(kv[found], dtype=np.float64).mean(axis=0)
                centroid /= np.linalg.norm(centroid) or 1.0
                score = float(np.mean(mat @ centroid))
        rows.append({"topic": label, "coherence": score, "n_terms": len(found), "missing": missing})
    return pd.DataFrame(rows, columns=["topic", "coherence", "n_terms", "missing"])


def nearest_topic_terms(word: str, topics: Any, vectors: Any, topn: int = 10, terms_per_topic: int = 10):
    """The topic terms closest to ``word`` in the vector space, to check topic labels.

    Parameters
    ----------
    word : str
    topics : sequence of sequence of str, or mapping label -> terms
    vectors : EmbeddingModel, gensim model or KeyedVectors
    topn : int
        Rows returned.
    terms_per_topic : int
        Use each topic's first terms.

    Returns
    -------
    pandas.DataFrame
        Columns ``topic``, ``term``, ``similarity``, ``topic_similarity`` (cosine of ``word``
        to the topic's centroid), most similar terms first.
    """
    import pandas as pd

    if isinstance(vectors, EmbeddingModel):
        vectors._check_fitted()
        vec = vectors._query_vector(word)[0]
    else:
        kv = _keyed_vectors(vectors)
        key = _lookup(kv, word)
        if key is None:
            raise ModelError(f"{word!r} is not in the vocabulary of these vectors")
        vec = kv[key]
    kv = _keyed_vectors(vectors)
    rows = []
    for label, terms in _as_topics(topics).items():
        found = [k for k in (_lookup(kv, t) for t in terms[:terms_per_topic]) if k is not None]
        if not found:
            continue
        centroid = np.asarray(kv[found]).mean(axis=0)
        tsim = _cosine(vec, centroid)
        for term in found:
            rows.append({"topic": label, "term": term, "similarity": _cosine(vec, kv[term]), "topic_similarity": tsim})
    df = pd.DataFrame(rows, columns=["topic", "term", "similarity", "topic_similarity"])
    df = df[df["term"] != _lookup(kv, word)] if len(df) else df
    return df.sort_values("similarity", ascending=False, kind="stable").head(topn).reset_index(drop=True)


