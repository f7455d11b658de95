"""The token cache embeddings train from: one pass over the corpus writes the selected tokens to
a plain-text file in gensim's ``LineSentence`` format (one document a line; for Doc2Vec the
document id first, then a tab), so the corpus is never held in memory.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from toolkit.errors import ConfigError, InputError, NotInstalledError, StageMissingError

log = logging.getLogger(__name__)

#: gensim trains on at most this many tokens per text; longer documents are cut into lines.
MAX_LINE_TOKENS = 10_000

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


class SurfaceTap:
    """One pass over a token stream's tokens that also counts the surface strings each token
    was made from (``TokenStream.with_surfaces``), for the display forms of the vocabulary.

    Iterating yields ``(doc_id, tokens)`` like the stream itself; :meth:`display` then gives
    ``{token: most frequent surface form}`` (*sanction* -> *sanctions*, *union_européen* ->
    *Union européenne*).
    """

    def __init__(self, stream: Any) -> None:
        from toolkit.vocabulary.display import SurfaceCounter

        self.stream = stream
        self.counter = SurfaceCounter()

    def __iter__(self) -> Iterator[tuple[str, list[str]]]:
        update = self.counter.update
        for doc_id, toks, shown in self.stream.with_surfaces():
            toks = [_clean_token(t) for t in toks]
            update(toks, shown)
            yield doc_id, toks

    def display(self, keys: Iterable[str]) -> dict[str, str]:
        """``{key: display form}`` for the ``keys`` whose display differs from the key."""
        shown = self.counter.display([k for k in keys if k in self.counter.counts])
        return {k: v for k, v in shown.items() if v != k}


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
        from toolkit.vocabulary.config import VocabularyConfig
        from toolkit.vocabulary.stream import TokenStream
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


