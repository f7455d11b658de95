"""Re-iterable stream of vocabulary tokens per document, and :func:`explain` of its steps."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from toolkit.annotation.table import require_tokens
from toolkit.vocabulary.config import CONNECTOR_WORDS, VocabularyConfig
from toolkit.vocabulary.steps import (
    _BatchProcessor,
    _entities_available,
    _final_tokens,
    _iter_tables,
    _Processor,
    final_tokens_with_surfaces,
)

log = logging.getLogger(__name__)

# --------------------------------------------------------------------------- stream


class TokenStream:
    """Re-iterable stream of ``(doc_id, tokens)`` from a corpus directory's token table.

    Parameters
    ----------
    corpus_dir : str or Path
        A corpus directory holding ``tokens.parquet`` (or the token table's path).
    config : VocabularyConfig, optional
        The settings (defaults: lemmas of nouns, proper nouns and adjectives, stop lists,
        entities and phrases).
    cache : bool
        Save the learned phrase model next to the token table and reuse it when the table
        and settings are unchanged.
    progress : bool
        Show a tqdm progress bar while learning phrases.

    Examples
    --------
    >>> stream = TokenStream("runs/demo/corpus", VocabularyConfig())   # doctest: +SKIP
    >>> for doc_id, tokens in stream:                                   # doctest: +SKIP
    ...     print(doc_id, tokens[:3])
    seed-000-4aed66ba79373d17 ['coopération', 'xi_jinping', 'droit_de_douane']
    """

    def __init__(
        self,
        corpus_dir: str | Path,
        config: VocabularyConfig | None = None,
        *,
        cache: bool = True,
        progress: bool = False,
    ) -> None:
        self.path = require_tokens(corpus_dir)
        self.config = config or VocabularyConfig()
        self.cache = cache
        self.progress = progress
        self._processor = _Processor(self.config, _entities_available(self.path))
        self._phraser = None
        self._phraser_ready = not self.config.phrases

    # -- phrases
    def _table_key(self) -> dict[str, Any]:
        ann = self.path.parent / "annotation.json"
        st = self.path.stat()
        key: dict[str, Any] = {"size": st.st_size, "mtime_ns": st.st_mtime_ns}
        if ann.is_file():
            try:
                key["annotation"] = json.loads(ann.read_text(encoding="utf-8")).get("documents_sha256")
            except (OSError, ValueError):
                pass
        return key

    def phrase_cache_path(self) -> Path:
        from toolkit.runtime import stable_hash

        h = stable_hash({"settings": self.config.phrase_settings(), "table": self._table_key()})
        return self.path.parent / f"phrases-{h.split(':')[1][:16]}.pkl"

    @property
    def phraser(self):
        """The frozen gensim phrase model (learned on first use), or None when phrases are off."""
        if not self._phraser_ready:
            self._phraser = self._load_or_learn_phrases()
            self._phraser_ready = True
        return self._phraser

    def _raw_segments(self, with_sentences: bool = False, with_surfaces: bool = False) -> Iterator[tuple[str, list]]:
        batch = _BatchProcessor(self._processor)
        for table in _iter_tables(self.path):
            yield from batch.process(table, with_sentences=with_sentences, with_surfaces=with_surfaces)

    def _load_or_learn_phrases(self):
        from gensim.models.phrases import FrozenPhrases, Phrases

        cache_path = self.phrase_cache_path()
        if self.cache and cache_path.is_file():
            try:
                log.debug("loading cached phrases %s", cache_path)
                import pickle

                with open(cache_path, "rb") as f:
                    cached = pickle.load(f)
                if isinstance(cached, FrozenPhrases):
                    return cached
            except Exception as exc:  # corrupt cache: relearn
                log.warning("ignoring unreadable phrase cache %s (%s)", cache_path, exc)
        cfg = self.config

        class _Segs:
            def __init__(self, outer: TokenStream) -> None:
                self.outer = outer

            def __iter__(self):
                it = self.outer._raw_segments()
                if self.outer.progress:
                    from tqdm.auto import tqdm

                    it = tqdm(it, desc="phrases", unit="doc")
                for _doc, segs in it:
                    yield from segs

        phrases = Phrases(
            _Segs(self),
            min_count=cfg.phrase_min_count,
            threshold=cfg.phrase_threshold,
            scoring="npmi",
            connector_words=CONNECTOR_WORDS,
            progress_per=10**9,
        )
        frozen = phrases.freeze()
        log.info("learned %d phrases", len(frozen.phrasegrams))
        if self.cache:
            from toolkit.runtime import atomic_path

            try:
                import pickle

                with atomic_path(cache_path, suffix=".pkl") as tmp, open(tmp, "wb") as f:
                    pickle.dump(frozen, f, protocol=pickle.HIGHEST_PROTOCOL)
                (cache_path.with_suffix(".json")).write_text(
                    json.dumps({"settings": cfg.phrase_settings(), "table": self._table_key(),
                                "phrases": len(frozen.phrasegrams)}, ensure_ascii=False, indent=2),
                    encoding="utf-8",
                )  # fmt: skip
            except OSError as exc:
                log.warning("could not cache phrases next to the token table (%s)", exc)
        return frozen

    def _apply(self, segments: list[list[str]]) -> list[list[str]]:
        ph = self.phraser
        out = []
        for seg in segments:
            toks = _final_tokens(ph[seg] if ph is not None else seg)
            if toks:
                out.append(toks)
        return out

    # -- iteration
    def __iter__(self) -> Iterator[tuple[str, list[str]]]:
        self.phraser  # noqa: B018  (learn phrases before streaming)
        for doc_id, segs in self._raw_segments():
            yield doc_id, [t for seg in self._apply(segs) for t in seg]

    def with_surfaces(self) -> Iterator[tuple[str, list[str], list[str]]]:
        """``(doc_id, tokens, surfaces)``: the same tokens as iterating the stream, each with
        the words it was made from as written in the text (``affaire_étranger`` ->
        ``affaires étrangères``; see :mod:`toolkit.vocabulary.display`)."""
        ph = self.phraser
        for doc_id, segs in self._raw_segments(with_surfaces=True):
            yield doc_id, *final_tokens_with_surfaces(segs, ph)

    def sentences(self) -> Iterable[list[str]]:
        """Re-iterable stream of sentences (lists of tokens), same filters, for Word2Vec."""
        return _Sentences(self)

    def document_segments(self) -> Iterator[tuple[str, list[list[str]]]]:
        """``(doc_id, segments)`` where segments are phrased runs of kept tokens."""
        self.phraser  # noqa: B018
        for doc_id, segs in self._raw_segments():
            yield doc_id, self._apply(segs)

    def __repr__(self) -> str:
        return f"TokenStream({str(self.path.parent)!r}, unit={self.config.unit!r}, pos={self.config.pos!r})"


class _Sentences:
    """Re-iterable sentences: the kept tokens of each annotated sentence."""

    def __init__(self, stream: TokenStream) -> None:
        self.stream = stream

    def __iter__(self) -> Iterator[list[str]]:
        st = self.stream
        st.phraser  # noqa: B018
        for _doc_id, segs in st._raw_segments(with_sentences=True):
            by_sent: dict[int, list[list[str]]] = {}
            for s, seg in segs:
                by_sent.setdefault(int(s), []).append(seg)
            for s in sorted(by_sent):
                toks = [t for seg in st._apply(by_sent[s]) for t in seg]
                if toks:
                    yield toks


def explain(rows: dict[str, list] | Any, config: VocabularyConfig | None = None) -> list[tuple[str, Any]]:
    """Show the output of each step on one document's token rows (for bug reports).

    Parameters
    ----------
    rows : dict of lists or pandas.DataFrame
        One document's rows of the token table.
    config : VocabularyConfig, optional

    Returns
    -------
    list of (step name, output)
    """
    if hasattr(rows, "to_dict"):
        rows = {c: rows[c].tolist() for c in rows.columns}
    rows = dict(rows)
    rows.setdefault("norm", rows["form"])
    rows.setdefault("ent_id", [-1] * len(rows["form"]))
    rows.setdefault("sent", [0] * len(rows["form"]))
    proc = _Processor(config or VocabularyConfig(), any(e is not None and e >= 0 for e in rows["ent_id"]))
    steps: list[tuple[str, Any]] = []
    words = proc.select(rows["form"], rows["norm"], rows["lemma"], rows["upos"])
    steps.append(("select", [w.text for w in words]))
    words, sents = proc.merge_entities(words, rows["ent_id"], rows["sent"])
    steps.append(("merge_entities", [w.text for w in words]))
    words = proc.boilerplate(words)
    steps.append(("boilerplate", [w.text for w in words if w.keep]))
    words = proc.filter(words)
    steps.append(("filter", [w.text for w in words if w.keep]))
    segs = proc.segments(words, sents)
    steps.append(("segments", segs))
    steps.append(("tokens (without phrases)", [t for s in segs for t in _final_tokens(s)]))
    return steps


