"""Annotate French text and corpora: tokens, lemmas, parts of speech, entities.

One code path serves a string, a file and a corpus directory: documents are tokenised by
:mod:`toolkit.annotation.tokenise` (sentences, surface tokens, syntactic words), tagged by a backend from
:mod:`toolkit.annotation.taggers` (``get_tagger(mode)``, called once per process) and turned into either
token-table columns (``tokens.parquet``) or CoNLL-U lines.

Token table (``CORPUS_DIR/tokens.parquet``), one row per syntactic word:

================  ========  ====================================================================
column            type      meaning
================  ========  ====================================================================
doc_id            string    document id
sent              int32     sentence index in the document (0-based)
word              int32     syntactic word index in the document
token             int32     surface token index in the document (``du`` = ``de`` + ``le``
                            share one)
start, end        int32     character offsets of the surface token in ``Document.full_text``
form              string    word form: original characters, or ``de``/``le`` for parts of ``du``
norm              string    normalised form (``’`` → ``'``, no-break space → space)
lemma             string
upos              string    UD part of speech
feats             string    UD features or ``_``
ent_type          string    ``PER``, ``LOC``, ``ORG``, ``MISC`` or ``""``
ent_id            int32     index of the entity span in the document, -1 outside entities
space_after       bool      whitespace follows the surface token
================  ========  ====================================================================

Entities: the tagger's BIO labels become spans (``ent_id``); an elided word (``l'``, ``d'``,
``qu'``…) never carries an entity (the word after it starts the span instead).
"""

from __future__ import annotations

import logging
import os
import time
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path
from typing import Any, Protocol

from toolkit.annotation.table import TOKENS_FILE
from toolkit.annotation.tokenise import Sentence, Token
from toolkit.annotation.tokenise import sentences as split_text
from toolkit.errors import InputError, StageMissingError, ToolkitError

log = logging.getLogger(__name__)

__all__ = [
    "TOKEN_COLUMNS",
    "AnnotatedWord",
    "AnnotatedDocument",
    "annotate_text",
    "annotate_documents",
    "annotate_corpus",
    "export_corpus",
    "to_conllu_lines",
    "looks_french",
    "read_text_file",
]


MANIFEST_FILE = "annotation.json"
DOCUMENTS_FILE = "documents.parquet"

#: Column order of the token table.
TOKEN_COLUMNS = (
    "doc_id", "sent", "word", "token", "start", "end", "form", "norm", "lemma", "upos",
    "feats", "ent_type", "ent_id", "space_after",
)  # fmt: skip

#: Largest piece of a document tokenised and tagged at once (split at line breaks), so a
#: multi-megabyte document is processed in bounded memory.
SEGMENT_CHARS = 200_000
#: Largest number of sentences sent to the tagger in one call.
TAG_CHUNK = 2_000
_ELIDED = frozenset("l' d' j' m' n' s' t' c' qu' jusqu' lorsqu' puisqu' quoiqu'".split())


class TaggerLike(Protocol):
    name: str
    version: str

    def tag(self, sentences: Sequence[Sequence[str]]) -> list[list[Any]]: ...


@dataclass(slots=True)
class AnnotatedWord:
    """One syntactic word with its annotation."""

    form: str
    norm: str
    lemma: str
    upos: str
    feats: str
    ent_type: str
    ent_id: int
    ent_iob: str = "O"


@dataclass(slots=True)
class AnnotatedDocument:
    """A tokenised, tagged document (or one segment of a long document).

    Word annotations are stored as flat columns (one entry per syntactic word, in order), which
    keeps the hot path free of per-word objects.

    Attributes
    ----------
    doc_id : str
    sentences : list of Sentence
        Tokens with offsets in the document's text.
    word_token : list of int
        For each word, the index of its surface token in this segment (``du`` → two words
        with the same token).
    form, norm, lemma, upos, feats, ent_type, ent_iob : list of str
        One entry per word (``form`` is the original token for ordinary words).
    ent_id : list of int
        Entity span index in the document, -1 outside entities.
    error : str or None
        Why annotation failed (then there are no sentences).
    """

    doc_id: str
    sentences: list[Sentence] = field(default_factory=list)
    error: str | None = None
    first_sentence: int = 0  # index of the first sentence (segments of a long document)
    first_token: int = 0
    first_word: int = 0
    non_french: bool = False
    word_token: list[int] = field(default_factory=list)
    form: list[str] = field(default_factory=list)
    norm: list[str] = field(default_factory=list)
    lemma: list[str] = field(default_factory=list)
    upos: list[str] = field(default_factory=list)
    feats: list[str] = field(default_factory=list)
    ent_type: list[str] = field(default_factory=list)
    ent_id: list[int] = field(default_factory=list)
    ent_iob: list[str] = field(default_factory=list)

    @property
    def tokens(self) -> list[Token]:
        """All surface tokens, in order."""
        return [t for s in self.sentences for t in s.tokens]

    @property
    def n_tokens(self) -> int:
        return sum(len(s.tokens) for s in self.sentences)

    @property
    def n_words(self) -> int:
        return len(self.form)

    def word(self, i: int) -> AnnotatedWord:
        """Word ``i`` of this segment as an object."""
        return AnnotatedWord(self.form[i], self.norm[i], self.lemma[i], self.upos[i],
                             self.feats[i], self.ent_type[i], self.ent_id[i], self.ent_iob[i])  # fmt: skip

    @property
    def words(self) -> list[list[list[AnnotatedWord]]]:
        """Nested view: ``words[s][t]`` are the words of token ``t`` of sentence ``s``."""
        out, k = [], 0
        for sent in self.sentences:
            sw = []
            for tok in sent.tokens:
                n = len(tok.words)
                sw.append([self.word(k + j) for j in range(n)])
                k += n
            out.append(sw)
        return out

    def extend(self, other: AnnotatedDocument) -> None:
        """Append a later segment of the same document (used to merge segments)."""
        shift = self.n_tokens
        self.sentences.extend(other.sentences)
        self.word_token.extend(i + shift for i in other.word_token)
        for name in ("form", "norm", "lemma", "upos", "feats", "ent_type", "ent_id", "ent_iob"):
            getattr(self, name).extend(getattr(other, name))
        self.non_french = self.non_french or other.non_french


# ------------------------------------------------------------------------------------ helpers

_FRENCH_MARKERS = frozenset(
    """le la les de des du et en un une est que qui à dans pour pas sur au aux par plus
    ne se il elle ce a ont sont avec son sa ses leur l' d' qu' n' s' c' mais ou été""".split()
)


def looks_french(tokens: Sequence[Token], min_tokens: int = 20) -> bool:
    """Cheap language check: share of very frequent French words among the first tokens.

    Returns True for short texts (fewer than ``min_tokens`` word tokens).
    """
    words = [t.norm.lower() for t in tokens[:400] if t.norm[:1].isalpha()]
    if len(words) < min_tokens:
        return True
    hits = sum(w in _FRENCH_MARKERS for w in words)
    return hits / len(words) >= 0.12


def _segments(text: str, size: int = SEGMENT_CHARS) -> Iterator[tuple[int, str]]:
    """Cut ``text`` into pieces of at most about ``size`` characters at line breaks (or, for
    very long lines, at a sentence end or whitespace); yield ``(offset, piece)``."""
    n = len(text)
    start = 0
    while n - start > size:
        limit = start + size
        # cut just after a whitespace character, so the last token's space_after is kept
        cut = text.rfind("\n", start + size // 2, limit)
        if cut < 0:
            cut = text.rfind(". ", start + size // 2, limit)
            cut = cut + 1 if cut >= 0 else text.rfind(" ", start + size // 2, limit)
        if cut < 0:
            cut = limit
            while cut < n and not text[cut].isspace():
                cut += 1
        cut = min(cut + 1, n)
        yield start, text[start:cut]
        start = cut
    yield start, text[start:]


def _shift(sentences: list[Sentence], base: int) -> None:
    if base:
        for s in sentences:
            s.start += base
            s.end += base
            s.tokens = [t._replace(start=t.start + base, end=t.end + base) for t in s.tokens]


def resolve_tagger(mode: str, tagger: TaggerLike | None = None,
                   entities: str | None = None) -> TaggerLike:
    """The tagger to use: ``tagger`` if given, else ``get_tagger(mode, entities=entities)``."""
    if tagger is not None:
        return tagger
    from toolkit.annotation.taggers import get_tagger

    return get_tagger(mode, entities=entities)


class _EntityState:
    """Turns per-word BIO labels into entity ids across the words of one document."""

    __slots__ = ("next_id", "current", "current_type", "last_word")

    def __init__(self) -> None:
        self.next_id = 0
        self.current = -1
        self.current_type = ""
        self.last_word = -2  # index (in the document) of the last word inside an entity

    def assign(self, doc: AnnotatedDocument) -> None:
        """Fill ``doc.ent_type``, ``doc.ent_id`` and ``doc.ent_iob`` from the tagger's labels
        (already in ``ent_type`` / ``ent_iob``); only words inside entities are visited."""
        n = len(doc.form)
        ids = [-1] * n
        types, iobs, norms = doc.ent_type, doc.ent_iob, doc.norm
        base = doc.first_word
        for i in [i for i, x in enumerate(iobs) if x != "O"]:
            etype = types[i]
            if not etype or norms[i].lower() in _ELIDED:
                types[i], iobs[i] = "", "O"  # never an entity on an elided word (l', qu')
                continue
            continuing = (
                iobs[i] == "I" and self.last_word == base + i - 1 and self.current_type == etype
            )
            if continuing:
                ids[i] = self.current
            else:
                self.current = self.next_id
                self.current_type = etype
                self.next_id += 1
                ids[i] = self.current
                iobs[i] = "B"
            self.last_word = base + i
        doc.ent_id = ids


def _tag_sentences(tagger: TaggerLike, word_lists: list[list[str]]) -> list[list[Any]]:
    out: list[list[Any]] = []
    for i in range(0, len(word_lists), TAG_CHUNK):
        chunk = word_lists[i : i + TAG_CHUNK]
        tagged = tagger.tag(chunk)
        if len(tagged) != len(chunk) or any(
            len(a) != len(b) for a, b in zip(tagged, chunk, strict=True)
        ):
            raise ToolkitError(f"tagger {tagger.name!r} returned a different number of words")
        out.extend(tagged)
    return out


_get = {name: attrgetter(name) for name in ("lemma", "upos", "feats", "ent_type", "ent_iob")}


def _build(doc: AnnotatedDocument, tagged: list[list[Any]], ents: _EntityState) -> None:
    """Fill the word columns of ``doc`` from the tagger output (one list per sentence)."""
    toks = [t for s in doc.sentences for t in s.tokens]
    doc.word_token = [i for i, t in enumerate(toks) for _ in t.words]
    doc.form = [w for t in toks for w in t.words]
    doc.norm = [w for t in toks for w in t.word_norms]
    flat = [a for sent in tagged for a in sent]
    doc.lemma = list(map(_get["lemma"], flat))
    doc.upos = list(map(_get["upos"], flat))
    doc.feats = [f or "_" for f in map(_get["feats"], flat)]
    doc.ent_type = list(map(_get["ent_type"], flat))
    doc.ent_iob = list(map(_get["ent_iob"], flat))
    ents.assign(doc)


def _document_segments(
    doc_id: str, text: str, segment_chars: int
) -> Iterator[tuple[AnnotatedDocument, list[list[str]], _EntityState]]:
    """Tokenise one document, segment by segment: ``(segment, word lists, entity state)``."""
    ents = _EntityState()
    n_sent = n_tok = n_word = 0
    first = True
    for base, piece in _segments(text or "", segment_chars):
        sents = split_text(piece)
        _shift(sents, base)
        doc = AnnotatedDocument(doc_id, sents, None, n_sent, n_tok, n_word)
        if first:
            doc.non_french = not looks_french(sents[0].tokens if sents else [])
            first = False
        word_lists = [[w for t in s.tokens for w in t.word_norms] for s in sents]
        n_sent += len(sents)
        n_tok += doc.n_tokens
        n_word += sum(map(len, word_lists))
        yield doc, word_lists, ents


def _reason(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def annotate_documents(
    items: Iterable[tuple[str, str]],
    tagger: TaggerLike,
    segment_chars: int = SEGMENT_CHARS,
    batch_sentences: int = 1000,
) -> Iterator[AnnotatedDocument]:
    """Annotate ``(doc_id, text)`` pairs; the single code path behind every entry point.

    Sentences of several documents are tagged together (``batch_sentences`` per tagger call),
    which is what makes spaCy and the fast tagger efficient. Long documents are yielded as
    several :class:`AnnotatedDocument` segments with the same ``doc_id`` (offsets and indices
    continue across segments). A document that fails (tokenisation or tagging) yields one
    object with ``error`` set, and the others go on: when a batched tagger call fails, its
    documents are tagged again one by one to find the culprit.

    Parameters
    ----------
    items : iterable of (str, str)
    tagger : object with ``tag(list[list[str]]) -> list[list[WordAnnotation]]``
    segment_chars : int
        Largest piece of text tokenised and tagged at once.
    batch_sentences : int
        Sentences per tagger call (across documents).

    Yields
    ------
    AnnotatedDocument
    """
    failed: dict[str, str] = {}
    reported: set[str] = set()
    pending: list[tuple[AnnotatedDocument, list[list[str]], _EntityState]] = []
    n_pending = 0

    def flush() -> Iterator[AnnotatedDocument]:
        jobs = [p for p in pending if p[0].doc_id not in failed]
        lists = [wl for p in jobs for wl in p[1]]
        try:
            tagged = _tag_sentences(tagger, lists) if lists else []
            k = 0
            for doc, wl, ents in jobs:
                _build(doc, tagged[k : k + len(wl)], ents)
                k += len(wl)
        except Exception:
            for doc, wl, ents in jobs:  # find the failing document(s)
                if doc.doc_id in failed:
                    continue
                try:
                    _build(doc, _tag_sentences(tagger, wl) if wl else [], ents)
                except Exception as exc:
                    failed[doc.doc_id] = _reason(exc)
        for doc, _, _ in pending:
            if doc.doc_id in failed:
                if doc.doc_id not in reported:
                    reported.add(doc.doc_id)
                    log.warning("document %r: annotation failed: %s", doc.doc_id, failed[doc.doc_id])
                    yield AnnotatedDocument(doc.doc_id, error=failed[doc.doc_id])
                continue
            yield doc
        pending.clear()

    for doc_id, text in items:
        try:
            for seg in _document_segments(doc_id, text, segment_chars):
                pending.append(seg)
                n_pending += len(seg[1])
                if n_pending >= batch_sentences:
                    yield from flush()
                    n_pending = 0
        except Exception as exc:  # tokenisation failure: this document only
            failed[doc_id] = _reason(exc)
            pending.append((AnnotatedDocument(doc_id), [], _EntityState()))
    yield from flush()


def annotate_text(
    text: str, mode: str = "fast", *, tagger: TaggerLike | None = None, doc_id: str = "text"
) -> AnnotatedDocument:
    """Annotate one text.

    Parameters
    ----------
    text : str
    mode : {"fast", "accurate"}
    tagger : optional
        A tagger object to use instead of ``get_tagger(mode)``.
    doc_id : str

    Returns
    -------
    AnnotatedDocument
        The whole text in one object (segments are merged).

    Raises
    ------
    ToolkitError
        When tagging fails.

    Examples
    --------
    >>> doc = annotate_text("Il parle du pain.", "fast")        # doctest: +SKIP
    >>> doc.form, doc.upos                                        # doctest: +SKIP
    (['Il', 'parle', 'de', 'le', 'pain', '.'], ['PRON', 'VERB', 'ADP', 'DET', 'NOUN', 'PUNCT'])
    >>> print("\n".join(to_conllu_lines(doc)))                   # doctest: +SKIP
    """
    tg = resolve_tagger(mode, tagger)
    merged = AnnotatedDocument(doc_id)
    for part in annotate_documents([(doc_id, text)], tg):
        if part.error:
            raise ToolkitError(f"annotation failed: {part.error}")
        merged.extend(part)
    return merged


# ----------------------------------------------------------------------------------- outputs


def to_conllu_lines(doc: AnnotatedDocument, *, newdoc: bool = False) -> Iterator[str]:
    """CoNLL-U lines (without newlines) for one annotated document or segment.

    See :mod:`toolkit.annotation.conllu` for the conventions (FORM = original characters, multiword
    tokens as range lines, ``Norm``, ``SpaceAfter=No``, ``NE=B-PER``, ``TokenRange`` in MISC).
    """
    from toolkit.annotation.conllu import form_value, misc_value

    if newdoc and doc.first_sentence == 0:
        yield f"# newdoc id = {doc.doc_id}"
    k = 0  # word index in the segment
    for si, sent in enumerate(doc.sentences):
        yield f"# sent_id = {doc.doc_id}-{doc.first_sentence + si + 1}"
        last = len(sent.tokens) - 1
        text = "".join(
            t.text + (" " if t.space_after and i < last else "") for i, t in enumerate(sent.tokens)
        )
        yield f"# text = {form_value(text)}"
        wid = 0
        for tok in sent.tokens:
            tmisc = []
            if not tok.space_after:
                tmisc.append("SpaceAfter=No")
            if tok.norm != tok.text:
                tmisc.append("Norm=" + misc_value(tok.norm))
            tmisc.append(f"TokenRange={tok.start}:{tok.end}")
            n = len(tok.words)
            if n > 1:
                yield "\t".join(
                    (f"{wid + 1}-{wid + n}", form_value(tok.text), "_", "_", "_", "_",
                     "_", "_", "_", "|".join(tmisc))
                )  # fmt: skip
            for _ in range(n):
                wid += 1
                misc = [] if n > 1 else list(tmisc)
                if doc.ent_id[k] >= 0:
                    misc.append(f"NE={doc.ent_iob[k]}-{doc.ent_type[k]}")
                form = doc.form[k] if n > 1 else form_value(tok.text)
                yield "\t".join(
                    (str(wid), form, form_value(doc.lemma[k]) or "_", doc.upos[k] or "_", "_",
                     doc.feats[k] or "_", "_", "_", "_", "|".join(misc) if misc else "_")
                )  # fmt: skip
                k += 1
        yield ""


def _columns(doc: AnnotatedDocument) -> dict[str, list]:
    """Token-table columns (one entry per word) of an annotated document or segment."""
    toks = doc.tokens
    wt = doc.word_token
    n = len(wt)
    sent_of_tok = [doc.first_sentence + si for si, s in enumerate(doc.sentences) for _ in s.tokens]
    if n == len(toks):  # no multiword token: words and tokens coincide
        starts = [t.start for t in toks]
        ends = [t.end for t in toks]
        space = [t.space_after for t in toks]
        sent = sent_of_tok
    else:
        starts = [toks[i].start for i in wt]
        ends = [toks[i].end for i in wt]
        space = [toks[i].space_after for i in wt]
        sent = [sent_of_tok[i] for i in wt]
    ft = doc.first_token
    return {
        "doc_id": [doc.doc_id] * n,
        "sent": sent,
        "word": list(range(doc.first_word, doc.first_word + n)),
        "token": [ft + i for i in wt],
        "start": starts,
        "end": ends,
        "form": doc.form,
        "norm": doc.norm,
        "lemma": doc.lemma,
        "upos": doc.upos,
        "feats": doc.feats,
        "ent_type": doc.ent_type,
        "ent_id": doc.ent_id,
        "space_after": space,
    }


def token_schema():
    """The pyarrow schema of ``tokens.parquet``."""
    import pyarrow as pa

    i32, s = pa.int32(), pa.string()
    types = {
        "doc_id": s, "sent": i32, "word": i32, "token": i32, "start": i32, "end": i32,
        "form": s, "norm": s, "lemma": s, "upos": s, "feats": s, "ent_type": s, "ent_id": i32,
        "space_after": pa.bool_(),
    }  # fmt: skip
    return pa.schema([(c, types[c]) for c in TOKEN_COLUMNS])


def to_table(docs: Iterable[AnnotatedDocument]):
    """Token-table rows of annotated documents as a ``pyarrow.Table``."""
    import pyarrow as pa

    schema = token_schema()
    batches = [
        pa.RecordBatch.from_pydict(_columns(d), schema=schema) for d in docs if d.error is None
    ]
    return pa.Table.from_batches(batches, schema=schema)


# ------------------------------------------------------------------------------ batch workers

_WORKER_TAGGER: TaggerLike | None = None


def _init_worker(mode: str, entities: str | None = None) -> None:
    global _WORKER_TAGGER
    from toolkit.annotation.taggers import get_tagger

    _WORKER_TAGGER = get_tagger(mode, entities=entities)


@dataclass
class _BatchResult:
    payload: Any  # pyarrow.RecordBatch list or CoNLL-U text
    documents: int = 0
    sentences: int = 0
    tokens: int = 0
    words: int = 0
    empty: list[str] = field(default_factory=list)
    non_french: list[str] = field(default_factory=list)
    failed: list[dict[str, str]] = field(default_factory=list)
    seconds: float = 0.0


def _process_batch(
    batch: list[tuple[str, str]], fmt: str, tagger: TaggerLike | None = None
) -> _BatchResult:
    import pyarrow as pa

    t0 = time.perf_counter()
    tg = tagger if tagger is not None else _WORKER_TAGGER
    assert tg is not None
    res = _BatchResult(payload=None)
    schema = token_schema() if fmt == "table" else None
    chunks: list[tuple[str, Any]] = []  # (doc_id, record batch or CoNLL-U text)
    counted: dict[str, AnnotatedDocument] = {}
    stats: dict[str, list[int]] = {}
    failed_ids: set[str] = set()
    for doc in annotate_documents(batch, tg):
        if doc.error is not None:
            res.failed.append({"id": doc.doc_id, "reason": doc.error})
            failed_ids.add(doc.doc_id)
            continue
        if doc.doc_id not in counted:
            counted[doc.doc_id] = doc
            stats[doc.doc_id] = [0, 0, 0]
        st = stats[doc.doc_id]
        st[0] += len(doc.sentences)
        st[1] += doc.n_tokens
        st[2] += doc.n_words
        if fmt == "table":
            chunks.append((doc.doc_id, pa.RecordBatch.from_pydict(_columns(doc), schema=schema)))
        else:
            text = "\n".join(to_conllu_lines(doc, newdoc=True))
            chunks.append((doc.doc_id, text + "\n" if text else ""))
    res.documents = len({d for d, _ in batch})
    for doc_id, doc in counted.items():
        if doc_id in failed_ids:  # failed in a later segment: drop its earlier rows too
            continue
        s_, t_, w_ = stats[doc_id]
        res.sentences += s_
        res.tokens += t_
        res.words += w_
        if doc.non_french:
            res.non_french.append(doc_id)
        if s_ == 0:
            res.empty.append(doc_id)
    kept = [c for d, c in chunks if d not in failed_ids]
    res.payload = kept if fmt == "table" else "".join(kept)
    res.seconds = time.perf_counter() - t0
    return res


def _batches(
    items: Iterable[tuple[str, str]], batch_size: int, max_chars: int = 2_000_000
) -> Iterator[list[tuple[str, str]]]:
    batch: list[tuple[str, str]] = []
    chars = 0
    for doc_id, text in items:
        batch.append((doc_id, text))
        chars += len(text)
        if len(batch) >= batch_size or chars >= max_chars:
            yield batch
            batch, chars = [], 0
    if batch:
        yield batch


def _run_batches(
    items: Iterable[tuple[str, str]],
    fmt: str,
    mode: str,
    n_process: int,
    batch_size: int,
    tagger: TaggerLike | None,
    entities: str | None = None,
) -> Iterator[_BatchResult]:
    """Process document batches, in order, in ``n_process`` worker processes (fast mode) or in
    this process (accurate mode, or an explicit tagger). At most ``2 * n_process`` batches are
    in flight, so memory does not grow with corpus size."""
    batches = _batches(items, batch_size)
    if n_process <= 1 or tagger is not None or mode != "fast":
        tg = resolve_tagger(mode, tagger, entities)
        for batch in batches:
            yield _process_batch(batch, fmt, tg)
        return
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(n_process, initializer=_init_worker,
                             initargs=(mode, entities)) as ex:
        pending: deque = deque()
        for batch in batches:
            pending.append(ex.submit(_process_batch, batch, fmt))
            if len(pending) >= 2 * n_process:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def _corpus_items(corpus_dir: Path) -> Iterator[tuple[str, str]]:
    from toolkit.corpus.documents import Corpus

    for doc in Corpus(corpus_dir):
        yield doc.id, doc.full_text


def _check_corpus(corpus_dir: str | Path) -> Path:
    corpus_dir = Path(corpus_dir)
    if not (corpus_dir / DOCUMENTS_FILE).is_file():
        raise StageMissingError(
            f"{corpus_dir} has no {DOCUMENTS_FILE}: run `fnt ingest SOURCE --out {corpus_dir}` "
            "first to create the corpus"
        )
    return corpus_dir


def _default_processes() -> int:
    return max(1, min(2, os.cpu_count() or 1))


def annotate_corpus(
    corpus_dir: str | Path,
    mode: str = "fast",
    *,
    n_process: int | None = None,
    batch_size: int = 64,
    tagger: TaggerLike | None = None,
    progress: bool = True,
    fmt: str = "table",
    out: str | Path | None = None,
    entities: str = "auto",
) -> dict[str, Any]:
    """Annotate every document of a corpus directory, streaming.

    Writes ``CORPUS_DIR/tokens.parquet`` (row groups written while streaming, to a temporary
    file renamed at the end) and ``CORPUS_DIR/annotation.json``; with ``fmt="conllu"`` writes
    CoNLL-U to ``out`` instead (also atomically).

    Parameters
    ----------
    corpus_dir : path
        Directory made by ``fnt ingest`` (must hold ``documents.parquet``).
    mode : {"fast", "accurate"}
    n_process : int, optional
        Worker processes for fast mode (default 2, or 1 on a single-core machine). Accurate
        mode runs spaCy in this process over batches.
    batch_size : int
        Documents per batch.
    tagger : optional
        Tagger object to use instead of ``get_tagger(mode)`` (forces one process).
    progress : bool
        Show a tqdm progress bar.
    fmt : {"table", "conllu"}
    out : path, optional
        CoNLL-U output file (required when ``fmt="conllu"``).
    entities : {"auto", "fast", "accurate"}
        Where the entities (and so the vocabulary's merged entities) come from in fast mode:
        ``"accurate"`` = spaCy md's NER on the toolkit's words (UPOS and lemmas stay fast
        mode's); ``"auto"`` (default) = each mode's own entities
        (:func:`~toolkit.annotation.taggers.resolve_entities`). The manifest records the
        choice.

    Returns
    -------
    dict
        The manifest (also written to ``annotation.json`` for the token table), with counts,
        timings and the ``failed`` documents (id and reason).

    Raises
    ------
    StageMissingError
        When ``corpus_dir`` has no ``documents.parquet``.
    """
    import pyarrow.parquet as pq
    from tqdm.auto import tqdm

    from toolkit.corpus.documents import Corpus
    from toolkit.runtime import atomic_path, base_manifest, write_json

    corpus_dir = _check_corpus(corpus_dir)
    if mode not in ("fast", "accurate"):
        raise ToolkitError(f"unknown mode {mode!r}: use 'fast' or 'accurate'")
    if fmt == "conllu" and out is None:
        raise ToolkitError("CoNLL-U export of a corpus needs an output file (--out FILE)")
    n_process = _default_processes() if n_process is None else max(1, n_process)
    total = len(Corpus(corpus_dir))
    from toolkit.annotation.taggers import resolve_entities

    ents = resolve_entities(mode, entities)
    ent_arg = "accurate" if mode == "fast" and ents == "accurate" else None
    tg = tagger
    if tg is None and (mode != "fast" or n_process <= 1):
        tg = resolve_tagger(mode, None, ent_arg)
    info_tagger = tg if tg is not None else resolve_tagger(mode, None, ent_arg)
    counts = {"documents": 0, "sentences": 0, "tokens": 0, "words": 0}
    empty: list[str] = []
    non_french: list[str] = []
    failed: list[dict[str, str]] = []
    t0 = time.perf_counter()
    target = Path(out) if fmt == "conllu" else corpus_dir / TOKENS_FILE
    bar = tqdm(total=total, unit="doc", desc=f"annotate ({mode})", disable=not progress)
    with atomic_path(target) as tmp:
        writer = pq.ParquetWriter(tmp, token_schema()) if fmt == "table" else None
        fh = open(tmp, "w", encoding="utf-8") if fmt == "conllu" else None
        try:
            pending: list = []
            pending_rows = 0
            for res in _run_batches(
                _corpus_items(corpus_dir), fmt, mode, n_process, batch_size, tg, ent_arg
            ):
                for k in counts:
                    counts[k] += getattr(res, k)
                empty += res.empty
                non_french += res.non_french
                failed += res.failed
                if writer is not None:
                    pending.extend(res.payload)
                    pending_rows += sum(b.num_rows for b in res.payload)
                    if pending_rows >= 100_000:
                        _flush(writer, pending)
                        pending, pending_rows = [], 0
                else:
                    fh.write(res.payload)
                bar.update(res.documents)
            if writer is not None and pending:
                _flush(writer, pending)
        finally:
            if writer is not None:
                writer.close()
            if fh is not None:
                fh.close()
            bar.close()
    seconds = time.perf_counter() - t0
    manifest = base_manifest(
        "annotation",
        mode=mode,
        format=fmt,
        output=str(target.name if fmt == "table" else target),
        tagger={"name": info_tagger.name, "version": info_tagger.version},
        **outcome_fields(corpus_dir, counts, empty, non_french, failed, seconds),
        settings={"n_process": n_process if tagger is None and mode == "fast" else 1,
                  "batch_size": batch_size, "entities": entities},
        entities=ents if tagger is None else "tagger",
    )  # fmt: skip
    if fmt == "table":
        write_json(corpus_dir / MANIFEST_FILE, manifest)
    return manifest


def outcome_fields(corpus_dir: Path, counts: dict[str, int], empty: list[str], non_french: list[str],
                   failed: list[dict[str, str]], seconds: float) -> dict[str, Any]:  # fmt: skip
    """What an annotation manifest says of the outcome (input hash, counts, skipped and failed
    documents, timings), with a warning for failed and non-French documents."""
    from toolkit.runtime import sha256_file

    if failed:
        log.warning("%d document(s) could not be annotated (listed in the manifest), e.g. %s: %s",
                    len(failed), failed[0]["id"], failed[0]["reason"])  # fmt: skip
    if non_french:
        log.warning("%d document(s) do not look French (annotated anyway), e.g. %s", len(non_french), non_french[0])
    return {
        "documents_sha256": sha256_file(corpus_dir / DOCUMENTS_FILE),
        "counts": {**counts, "empty_documents": len(empty), "failed_documents": len(failed),
                   "non_french_documents": len(non_french)},
        "empty_documents": empty[:1000],
        "non_french_documents": non_french[:1000],
        "failed": failed,
        "timings": {"seconds": round(seconds, 3),
                    "tokens_per_second": round(counts["tokens"] / seconds, 1) if seconds else None},
    }  # fmt: skip


def _flush(writer, batches: list) -> None:
    import pyarrow as pa

    if batches:
        writer.write_table(pa.Table.from_batches(batches, schema=writer.schema))


def export_corpus(corpus_dir: str | Path, out: str | Path, mode: str = "fast", **kwargs: Any) -> dict:
    """Write a corpus as CoNLL-U (``# newdoc id`` per document) to ``out``."""
    return annotate_corpus(corpus_dir, mode, fmt="conllu", out=out, **kwargs)


def read_text_file(path: str | Path, encoding: str = "utf-8") -> str:
    """Read a plain-text input (``-`` for stdin) strictly.

    Raises
    ------
    InputError
        When the file is missing or not valid in ``encoding`` (names the byte offset).
    """
    import sys

    if str(path) == "-":
        data = sys.stdin.buffer.read()
        name = "<stdin>"
    else:
        p = Path(path)
        if not p.is_file():
            raise InputError("file not found", path=str(p))
        data = p.read_bytes()
        name = str(p)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            f"not valid {encoding} at byte offset {exc.start}; "
            "if the file is Latin-1 or Windows-1252, rerun with --encoding cp1252",
            path=name,
            line=line,
        ) from None
    except LookupError:
        raise InputError(f"unknown encoding {encoding!r}", path=name) from None
