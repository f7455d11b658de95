"""Word2Vec, FastText and Doc2Vec (gensim) under one estimator interface; :func:`make_model`
and :func:`load_model`.

Each class registers itself in :data:`toolkit.embeddings.base.MODEL_CLASSES` by its ``kind``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from toolkit.embeddings.base import (
    MODEL_CLASSES,
    MODEL_KINDS,
    EmbeddingModel,
    load_model,  # noqa: F401  (re-exported: importing this module registers the classes it loads)
)
from toolkit.embeddings.cache import TokenCache
from toolkit.errors import ConfigError, ModelError

log = logging.getLogger(__name__)

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





def make_model(kind: str, **params: Any) -> EmbeddingModel:
    """An unfitted model by name (``word2vec``, ``fasttext``, ``doc2vec``)."""
    try:
        cls = MODEL_CLASSES[kind]
    except KeyError:
        raise ConfigError(f"unknown embedding model {kind!r}; choose one of {', '.join(MODEL_KINDS)}") from None
    try:
        return cls(**params)
    except TypeError as exc:
        raise ConfigError(f"invalid parameters for {kind}: {exc}") from exc
