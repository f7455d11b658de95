"""Vocabulary and bag of words from the token table.

The token table (``DIR/tokens.parquet``, written by :func:`toolkit.annotate.annotate_corpus`)
holds one row per syntactic word. This module turns it into what topic models and embeddings
read, in small named steps that :func:`explain` shows one by one:

1. ``select``: keep the chosen unit (``lemma``, ``norm`` or ``form``), lowercased;
2. ``merge_entities``: join multi-word entity spans (``ent_id``) into one token
   (``Xi Jinping`` -> ``xi_jinping``); when the annotation has no entities at all, runs of
   consecutive ``PROPN`` words are joined instead;
3. ``filter``: drop punctuation/symbols, numbers (``keep_numbers=False``), words shorter than
   ``min_length``, stop words (matched on the unit *and* the lowercased form), news boilerplate
   (single words and multi-word sequences such as « lire aussi ») and, when ``pos`` is given,
   other parts of speech. Dropped words cut the sentence into *segments*, except French
   connector words (de, du, des, la, le, l', d', en, à, au, aux, pour, sur…), which are kept
   inside segments so that phrases can span them;
4. ``phrases``: gensim :class:`~gensim.models.phrases.Phrases` learned on those segments in one
   streamed pass (``droits de douane`` -> ``droit_de_douane`` with lemmas), cached next to the
   token table with the settings that made it (``phrases-<hash>.pkl``);
5. connector words left alone after phrasing are dropped.

Design choices (see also ``toolkit/data/stopwords_fr.txt`` and
``toolkit/data/news_boilerplate_fr.txt``): the default stop list is small and reviewed by hand
for news; *État*, *été* (summer), *pays*, *temps*, *guerre* are kept; *fois*, *nouveau*,
*grand*, *premier*… are dropped because they top every topic without saying anything.

The bag of words (:class:`BagOfWords`) is one artifact: a gensim ``Dictionary``, a sparse
document-term matrix (``bow.npz``), the document ids and the settings that made them.
Streaming: the token table is read by record batches, so memory holds one batch, the phrase
model, the dictionary and the sparse matrix being built — not the documents.

Examples
--------
>>> from toolkit.vocabulary import VocabularyConfig, TokenStream, build_bow
>>> stream = TokenStream("runs/demo/corpus", VocabularyConfig())   # doctest: +SKIP
>>> doc_id, tokens = next(iter(stream))                             # doctest: +SKIP
>>> bow = build_bow("runs/demo/corpus", VocabularyConfig())         # doctest: +SKIP
>>> bow.matrix.shape                                                # doctest: +SKIP
(157, 412)
"""

from __future__ import annotations

import dataclasses
import json
import logging
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from toolkit.errors import ConfigError, InputError, ModelError, StageMissingError

log = logging.getLogger(__name__)

TOKENS_FILE = "tokens.parquet"
UNITS = ("lemma", "norm", "form")
#: Parts of speech never kept (punctuation, symbols).
ALWAYS_DROPPED_POS = frozenset({"PUNCT", "SYM"})
#: French connector words allowed inside phrases (never at their start or end).
CONNECTOR_WORDS = frozenset("de du des d' d’ la le les l' l’ en à au aux pour sur".split())
# the two words of a contraction (du = de + le) rejoined inside phrases
_CONTRACTIONS = (("_de_le_", "_du_"), ("_de_les_", "_des_"), ("_à_le_", "_au_"), ("_à_les_", "_aux_"))
_NUMBER = re.compile(r"^[\d.,\s  /%:+\-–]+$")
_HAS_LETTER = re.compile(r"[^\W\d_]")
_DIGIT = re.compile(r"\d")
# ordinals and numbers with a unit suffix: 75e, 1er, XXe siècle is kept (letters), 3e, 10ème, 2nd
_ORDINAL = re.compile(r"^\d+(?:e|er|re|ère|ème|eme|es|nd|nde|è)s?$")

#: Columns of the token table this module reads.
_COLUMNS = ["doc_id", "sent", "form", "norm", "lemma", "upos", "ent_id"]


# --------------------------------------------------------------------------- stop lists


def _read_list(text: str) -> list[str]:
    out = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip().lower()
        if line:
            out.append(line)
    return out


def _data_text(name: str) -> str:
    return resources.files("toolkit").joinpath("data", name).read_text(encoding="utf-8")


@lru_cache(maxsize=4)
def default_stopwords() -> frozenset[str]:
    """The reviewed French stop list (``toolkit/data/stopwords_fr.txt``), both apostrophes.

    Returns
    -------
    frozenset of str
        Lowercase lemmas and forms.

    Examples
    --------
    >>> sw = default_stopwords()
    >>> "le" in sw, "l'" in sw, "l’" in sw, "état" in sw, "été" in sw
    (True, True, True, False, True)

    ``été`` is in the list as the participle of *être*; the noun *été* (summer) survives
    because stop words are matched on the lemma (``été``) only when the form is not a
    noun — see :func:`is_stopword`.
    """
    words = set(_read_list(_data_text("stopwords_fr.txt")))
    return frozenset(words | {w.replace("'", "’") for w in words} | {w.replace("’", "'") for w in words})


@lru_cache(maxsize=4)
def default_boilerplate() -> tuple[frozenset[str], tuple[tuple[str, ...], ...]]:
    """The news boilerplate list (``toolkit/data/news_boilerplate_fr.txt``).

    Returns
    -------
    (frozenset of str, tuple of tuple of str)
        Single words, and multi-word sequences (lowercased word forms).
    """
    return _split_boilerplate(_read_list(_data_text("news_boilerplate_fr.txt")))


def _split_boilerplate(entries: Iterable[str]) -> tuple[frozenset[str], tuple[tuple[str, ...], ...]]:
    singles, multi = set(), set()
    for e in entries:
        e = e.replace("’", "'")
        parts = tuple(re.findall(r"[^\s']+'?", e))
        if len(parts) == 1:
            singles.add(parts[0])
        elif parts:
            multi.add(parts)
    singles |= {w.replace("'", "’") for w in singles}
    return frozenset(singles), tuple(sorted(multi, key=len, reverse=True))


# stop words whose lemma is also a content noun: drop them only when not tagged as a noun
_NOUN_HOMOGRAPHS = frozenset({"été", "fait", "pu", "dit", "avoir", "être", "devoir", "pouvoir", "savoir"})


# --------------------------------------------------------------------------- config


@dataclass(frozen=True)
class VocabularyConfig:
    """Settings that turn the token table into tokens and a bag of words.

    Parameters
    ----------
    unit : {"lemma", "norm", "form"}
        Which column gives the token text.
    pos : tuple of str or None
        UD parts of speech to keep (default nouns, proper nouns, adjectives; add ``"VERB"`` if
        you want verbs). None keeps every part of speech except punctuation and symbols
        (what embeddings want).
    lowercase : bool
        Lowercase tokens.
    stopwords : "default", None, or sequence of str
        The stop list: the reviewed French list, none, or your own words.
    extra_stopwords : sequence of str
        Words added to the stop list (e.g. the name of your outlet).
    boilerplate : "default", None, or sequence of str
        News boilerplate (single words and multi-word sequences) removed before anything else.
    merge_entities : bool
        Join multi-word entity spans (or PROPN runs when there are no entities) with ``_``.
    phrases : bool
        Learn and apply multi-word phrases (gensim ``Phrases``, French connector words).
    phrase_min_count : int
        Minimum count of a phrase.
    phrase_threshold : float
        NPMI score threshold in (-1, 1] (``scoring="npmi"``); higher means fewer phrases.
    min_length : int
        Minimum number of characters of a token.
    keep_numbers : bool
        Keep numbers (``NUM`` words and digit strings).
    no_below : int
        ``filter_extremes``: drop terms in fewer than ``no_below`` documents (default 5, the
        gensim default; on corpora under 1,000 documents it is lowered to 2 — see
        :meth:`effective_no_below`).
    no_above : float
        ``filter_extremes``: drop terms in more than this share of documents (default 0.25:
        in news, a word found in over a quarter of all articles — *pays*, *président*,
        *France* in French national press — is not topical; it repeats across topics and
        lowers their diversity; measured in BENCHMARKS.md).
    keep_n : int or None
        ``filter_extremes``: keep at most this many most frequent terms (default 100,000).
    """

    unit: str = "lemma"
    pos: tuple[str, ...] | None = ("NOUN", "PROPN", "ADJ")
    lowercase: bool = True
    stopwords: Any = "default"
    extra_stopwords: tuple[str, ...] = ()
    boilerplate: Any = "default"
    merge_entities: bool = True
    phrases: bool = True
    phrase_min_count: int = 5
    phrase_threshold: float = 0.5
    min_length: int = 2
    keep_numbers: bool = False
    no_below: int = 5
    no_above: float = 0.25
    keep_n: int | None = 100_000

    def __post_init__(self) -> None:
        if self.unit not in UNITS:
            raise ConfigError(f"vocabulary unit must be one of {', '.join(UNITS)}, not {self.unit!r}")
        if self.pos is not None:
            object.__setattr__(self, "pos", tuple(str(p).upper() for p in self.pos))
            if not self.pos:
                raise ConfigError("vocabulary pos is empty: give parts of speech or None for all")
        for name in ("stopwords", "boilerplate"):
            v = getattr(self, name)
            if v is not None and v != "default" and isinstance(v, str):
                raise ConfigError(f"vocabulary {name} must be 'default', none or a list of words, not {v!r}")
            if isinstance(v, list):
                object.__setattr__(self, name, tuple(v))
        object.__setattr__(self, "extra_stopwords", tuple(self.extra_stopwords))
        if not -1 < float(self.phrase_threshold) <= 1:
            raise ConfigError("phrase_threshold is an NPMI score: choose a value in (-1, 1], e.g. 0.5")
        if self.phrase_min_count < 1 or self.min_length < 1:
            raise ConfigError("phrase_min_count and min_length must be at least 1")
        if self.no_below < 1:
            raise ConfigError("no_below must be at least 1 (documents)")
        if not 0 < self.no_above <= 1:
            raise ConfigError("no_above is a share of documents: choose a value in (0, 1]")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> VocabularyConfig:
        """Build from a config table; unknown keys are an error."""
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - names)
        if unknown:
            raise ConfigError(
                f"unknown vocabulary setting(s): {', '.join(unknown)}; known: {', '.join(sorted(names))}"
            )
        data = dict(data)
        if data.get("pos") is not None and not isinstance(data["pos"], str):
            data["pos"] = tuple(data["pos"])
        elif isinstance(data.get("pos"), str):
            data["pos"] = None if data["pos"].lower() in ("all", "none", "") else (data["pos"],)
        for key in ("stopwords", "boilerplate"):
            if isinstance(data.get(key), str) and data[key].lower() in ("none", "off", ""):
                data[key] = None
        return cls(**data)

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        for k, v in d.items():
            if isinstance(v, tuple):
                d[k] = list(v)
        return d

    def effective_no_below(self, n_documents: int) -> int:
        """``no_below`` adapted to small corpora: ``min(no_below, max(2, n_documents // 200))``
        when there are fewer than 1,000 documents, else ``no_below``."""
        if n_documents < 1000:
            return max(1, min(self.no_below, max(2, n_documents // 200)))
        return self.no_below

    def stop_set(self) -> frozenset[str]:
        if self.stopwords is None:
            words: set[str] = set()
        elif self.stopwords == "default":
            words = set(default_stopwords())
        else:
            words = {str(w).lower() for w in self.stopwords}
        words |= {str(w).lower() for w in self.extra_stopwords}
        return frozenset(words | {w.replace("'", "’") for w in words} | {w.replace("’", "'") for w in words})

    def boilerplate_lists(self) -> tuple[frozenset[str], tuple[tuple[str, ...], ...]]:
        if self.boilerplate is None:
            return frozenset(), ()
        if self.boilerplate == "default":
            return default_boilerplate()
        return _split_boilerplate(str(w).lower() for w in self.boilerplate)

    def phrase_settings(self) -> dict[str, Any]:
        """The settings the phrase model depends on (its cache key)."""
        keys = ("unit", "pos", "lowercase", "stopwords", "extra_stopwords", "boilerplate",
                "merge_entities", "phrase_min_count", "phrase_threshold", "min_length",
                "keep_numbers")  # fmt: skip
        d = self.to_dict()
        return {k: d[k] for k in keys}


# --------------------------------------------------------------------------- processing steps


@dataclass
class _Word:
    text: str  # unit text
    form: str  # lowercased form
    upos: str
    keep: bool = True
    connector: bool = False


@dataclass
class _Processor:
    """The named steps applied to one document's rows (see :func:`explain`)."""

    cfg: VocabularyConfig
    entities_available: bool = True
    stops: frozenset[str] = field(init=False)
    bp_single: frozenset[str] = field(init=False)
    bp_multi: tuple[tuple[str, ...], ...] = field(init=False)

    def __post_init__(self) -> None:
        self.stops = self.cfg.stop_set()
        self.bp_single, self.bp_multi = self.cfg.boilerplate_lists()
        self.pos = frozenset(self.cfg.pos) if self.cfg.pos is not None else None
        self._edge_words = CONNECTOR_WORDS | self.stops
        self._cache: dict[tuple[str, str, str], int] = {}
        self._bp_first: dict[str, list[tuple[str, ...]]] = {}
        for seq in self.bp_multi:
            self._bp_first.setdefault(seq[0], []).append(seq)

    # step 1
    def select(self, forms, norms, lemmas, upos) -> list[_Word]:
        unit = self.cfg.unit
        src = lemmas if unit == "lemma" else norms if unit == "norm" else forms
        out = []
        for i in range(len(forms)):
            t = src[i] or norms[i] or forms[i] or ""
            if unit == "lemma" and (upos[i] == "PROPN"):
                t = norms[i] or forms[i] or t  # names: keep the written form, not a guessed lemma
            t = unicodedata.normalize("NFC", t.replace("’", "'"))
            f = (norms[i] or forms[i] or "").replace("’", "'").lower()
            out.append(_Word(t.lower() if self.cfg.lowercase else t, f, upos[i] or "X"))
        return out

    # step 2
    def merge_entities(self, words: list[_Word], ent_ids, sents) -> tuple[list[_Word], list[int]]:
        if not self.cfg.merge_entities:
            return words, list(sents)
        out: list[_Word] = []
        out_sents: list[int] = []
        i, n = 0, len(words)
        while i < n:
            j = i + 1
            if self.entities_available:
                e = ent_ids[i]
                if e is not None and e >= 0:
                    while j < n and ent_ids[j] == e and sents[j] == sents[i]:
                        j += 1
            elif words[i].upos == "PROPN":
                while j < n and words[j].upos == "PROPN" and sents[j] == sents[i]:
                    j += 1
            if j - i > 1:
                span = words[i:j]
                # trim leading/trailing function words (« la France » -> france)
                while len(span) > 1 and span[0].form in self._edge_words:
                    span = span[1:]
                while len(span) > 1 and span[-1].form in self._edge_words:
                    span = span[:-1]
                parts = [w.form for w in span if _HAS_LETTER.search(w.form)]
                if len(parts) > 1:
                    text = "_".join(p.strip("'") if k == len(parts) - 1 else p for k, p in enumerate(parts))
                    text = re.sub(r"'_", "'", text)
                    out.append(_Word(text if self.cfg.lowercase else text, text, "PROPN"))
                    out_sents.append(sents[i])
                    i = j
                    continue
                if parts:
                    w = span[0] if len(span) == 1 else next(w for w in span if _HAS_LETTER.search(w.form))
                    out.append(_Word(w.text, w.form, "PROPN" if w.upos not in ("DET", "ADP") else w.upos))
                    out_sents.append(sents[i])
                    i = j
                    continue
            out.extend(words[i:j])
            out_sents.extend(sents[i:j])
            i = j
        return out, out_sents

    # step 3a
    def boilerplate(self, words: list[_Word]) -> list[_Word]:
        if self.bp_multi:
            forms = [w.form for w in words]
            n = len(forms)
            first = self._bp_first
            for i in range(n):
                for seq in first.get(forms[i], ()):
                    if tuple(forms[i : i + len(seq)]) == seq:
                        for k in range(i, i + len(seq)):
                            words[k].keep = False
        for w in words:
            if w.form in self.bp_single or w.text in self.bp_single:
                w.keep = False
        return words

    # step 3b
    def _decide(self, t: str, form: str, upos: str) -> int:
        """0 = drop, 1 = keep, 2 = connector (kept inside phrases only)."""
        cfg = self.cfg
        if upos in ALWAYS_DROPPED_POS or not _HAS_LETTER.search(t):
            if not (cfg.keep_numbers and (upos == "NUM" or _NUMBER.match(t))):
                return 0
        if not cfg.keep_numbers and (
            upos == "NUM" or (_DIGIT.search(t) and (_NUMBER.match(t) or _ORDINAL.match(t)))
        ):
            return 0
        if form in CONNECTOR_WORDS or t in CONNECTOR_WORDS:
            return 2
        stop = t in self.stops or (form in self.stops and upos not in ("NOUN", "PROPN"))
        if stop and t in _NOUN_HOMOGRAPHS and upos == "NOUN":
            stop = False
        if stop or len(t) < cfg.min_length:
            return 0
        if self.pos is not None and upos not in self.pos:
            return 0
        return 1

    def filter(self, words: list[_Word]) -> list[_Word]:
        cache = self._cache
        for w in words:
            if not w.keep:
                continue
            key = (w.text, w.form, w.upos)
            d = cache.get(key)
            if d is None:
                d = self._decide(w.text.lower(), w.form, w.upos)
                if len(cache) < 2_000_000:
                    cache[key] = d
            if d != 1:
                w.keep = False
                w.connector = d == 2
        return words

    # step 3c
    @staticmethod
    def segments(words: list[_Word], sents: Sequence[int]) -> list[list[str]]:
        """Runs of kept words (with connectors inside), cut at dropped words and sentences."""
        segs: list[list[str]] = []
        cur: list[str] = []
        prev_sent = None
        for w, s in zip(words, sents, strict=True):
            if s != prev_sent and cur:
                segs.append(cur)
                cur = []
            prev_sent = s
            if w.keep:
                cur.append(w.text)
            elif w.connector and cur:
                cur.append(w.form if w.form in CONNECTOR_WORDS else w.text)
            elif cur:
                segs.append(cur)
                cur = []
        if cur:
            segs.append(cur)
        # connectors at the end of a segment are useless
        out = []
        for seg in segs:
            while seg and seg[-1] in CONNECTOR_WORDS:
                seg.pop()
            if seg:
                out.append(seg)
        return out

    def document_segments(self, rows: dict[str, list]) -> list[list[str]]:
        words = self.select(rows["form"], rows["norm"], rows["lemma"], rows["upos"])
        words, sents = self.merge_entities(words, rows["ent_id"], rows["sent"])
        words = self.boilerplate(words)
        words = self.filter(words)
        return self.segments(words, sents)


def _tidy(token: str) -> str:
    if "_" not in token:
        return token
    token = token.replace("'_", "'")
    for a, b in _CONTRACTIONS:
        token = token.replace(a, b)
    return token


def _final_tokens(segment: Sequence[str]) -> list[str]:
    """Step 5: drop connectors left alone after phrasing; ``milliard_d'_euro`` ->
    ``milliard_d'euro``, ``conseil_de_les_ministre`` -> ``conseil_des_ministre``."""
    return [_tidy(t) for t in segment if t not in CONNECTOR_WORDS]


# --------------------------------------------------------------------------- token table


def tokens_path(corpus_dir: str | Path) -> Path:
    p = Path(corpus_dir)
    return p if p.suffix == ".parquet" else p / TOKENS_FILE


def require_tokens(corpus_dir: str | Path) -> Path:
    """The token table path, or a :class:`StageMissingError` saying how to make it."""
    p = tokens_path(corpus_dir)
    if not p.is_file():
        raise StageMissingError(
            f"{p.parent} has no token table ({TOKENS_FILE}); annotate it first: fnt annotate {p.parent}"
        )
    return p


def _entities_available(path: Path) -> bool:
    """True when any row of the token table belongs to an entity (row-group statistics)."""
    import pyarrow.parquet as pq

    pf = pq.ParquetFile(path)
    names = pf.schema_arrow.names
    if "ent_id" not in names:
        return False
    idx = names.index("ent_id")
    for rg in range(pf.metadata.num_row_groups):
        col = pf.metadata.row_group(rg).column(idx)
        st = col.statistics
        if st is None or not st.has_min_max:
            # no statistics: read the column of this row group
            import pyarrow.compute as pc

            arr = pf.read_row_group(rg, columns=["ent_id"]).column(0)
            if len(arr) and pc.max(arr).as_py() is not None and pc.max(arr).as_py() >= 0:
                return True
        elif st.max is not None and st.max >= 0:
            return True
    return False


def iter_document_rows(path: Path, batch_size: int = 65_536) -> Iterator[tuple[str, dict[str, list]]]:
    """Stream the token table one document at a time: ``(doc_id, {column: list})``.

    Rows of one document are contiguous (the annotation writes documents in order); a
    document may span record batches.
    """
    import pyarrow.parquet as pq

    pf = pq.ParquetFile(path)
    names = pf.schema_arrow.names
    missing = [c for c in ("doc_id", "sent", "form", "lemma", "upos") if c not in names]
    if missing:
        raise InputError(f"token table lacks column(s) {', '.join(missing)}; re-run fnt annotate", path=str(path))
    cols = [c for c in _COLUMNS if c in names]
    pending_id: str | None = None
    pending: dict[str, list] = {c: [] for c in _COLUMNS}
    seen: set[str] = set()
    for batch in pf.iter_batches(batch_size=batch_size, columns=cols):
        data = {c: batch.column(c).to_pylist() for c in cols}
        n = batch.num_rows
        if "norm" not in data:
            data["norm"] = data["form"]
        if "ent_id" not in data:
            data["ent_id"] = [-1] * n
        ids = data["doc_id"]
        start = 0
        for i in range(1, n + 1):
            if i == n or ids[i] != ids[start]:
                did = ids[start]
                if did != pending_id:
                    if pending_id is not None:
                        yield pending_id, pending
                        seen.add(pending_id)
                    if did in seen:
                        raise InputError(
                            "token table rows of a document are not contiguous; re-run fnt annotate",
                            path=str(path), doc_id=did,
                        )  # fmt: skip
                    pending_id = did
                    pending = {c: data[c][start:i] for c in _COLUMNS}
                else:
                    for c in _COLUMNS:
                        pending[c].extend(data[c][start:i])
                start = i
    if pending_id is not None:
        yield pending_id, pending


# --------------------------------------------------------------------------- fast (batch) path


def _iter_tables(path: Path, batch_size: int = 262_144):
    """Yield pyarrow tables holding whole documents (a document never spans two tables)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    pf = pq.ParquetFile(path)
    names = pf.schema_arrow.names
    missing = [c for c in ("doc_id", "sent", "form", "lemma", "upos") if c not in names]
    if missing:
        raise InputError(f"token table lacks column(s) {', '.join(missing)}; re-run fnt annotate", path=str(path))
    cols = [c for c in _COLUMNS if c in names]
    carry = None
    for batch in pf.iter_batches(batch_size=batch_size, columns=cols):
        table = pa.Table.from_batches([batch])
        if carry is not None:
            table = pa.concat_tables([carry, table])
        n = table.num_rows
        if n == 0:
            continue
        ids = table.column("doc_id")
        last = ids[n - 1]
        # rows of the last document may continue in the next batch
        import pyarrow.compute as pc

        is_last = pc.equal(ids, last)
        first_last = n - int(pc.sum(is_last).as_py())
        if first_last == 0:
            carry = table
            continue
        carry = table.slice(first_last)
        yield table.slice(0, first_last)
    if carry is not None and carry.num_rows:
        yield carry


class _BatchProcessor:
    """The steps of :class:`_Processor`, vectorised over a table of many documents.

    Decisions are made once per distinct (token, form, part of speech) and broadcast with
    numpy, so the Python work is proportional to the number of distinct words and of kept
    tokens, not of rows. :func:`explain` runs the reference per-word implementation; a test
    checks that both agree.
    """

    def __init__(self, proc: _Processor) -> None:
        self.proc = proc
        self.cfg = proc.cfg

    def _texts(self, table):
        import numpy as np
        import pyarrow as pa
        import pyarrow.compute as pc

        def col(name):
            if name in table.column_names:
                return pc.fill_null(table.column(name), "")
            return pa.chunked_array([pa.array([""] * table.num_rows)])

        form = col("form")
        norm = col("norm") if "norm" in table.column_names else form
        norm = pc.if_else(pc.equal(norm, ""), form, norm)
        lemma = col("lemma")
        upos = pc.if_else(pc.equal(col("upos"), ""), "X", col("upos"))
        unit = self.cfg.unit
        src = lemma if unit == "lemma" else norm if unit == "norm" else form
        src = pc.if_else(pc.equal(src, ""), norm, src)
        if unit == "lemma":
            src = pc.if_else(pc.equal(upos, "PROPN"), norm, src)
        text = pc.utf8_normalize(pc.replace_substring(src, "’", "'"), form="NFC")
        if self.cfg.lowercase:
            text = pc.utf8_lower(text)
        flow = pc.utf8_lower(pc.replace_substring(norm, "’", "'"))
        as_np = lambda a: np.asarray(a.to_numpy(zero_copy_only=False), dtype=object)  # noqa: E731
        return as_np(text), as_np(flow), as_np(upos)

    def process(self, table, with_sentences: bool = False):
        """``[(doc_id, segments)]`` (or ``[(doc_id, [(sent, segments)])]``) for a table."""
        import numpy as np
        import pandas as pd

        proc = self.proc
        n = table.num_rows
        text, form, upos = self._texts(table)
        doc = np.asarray(table.column("doc_id").to_numpy(zero_copy_only=False), dtype=object)
        sent = table.column("sent").to_numpy().astype(np.int64)
        if "ent_id" in table.column_names:
            ent = np.asarray(table.column("ent_id").fill_null(-1).to_numpy(), dtype=np.int64)
        else:
            ent = np.full(n, -1, dtype=np.int64)
        alive = np.ones(n, dtype=bool)  # False: absorbed into a merged entity
        # ---- step 2: entity merging (python only on multi-word spans)
        if self.cfg.merge_entities and n:
            same_doc = np.r_[False, doc[1:] == doc[:-1]]
            same_sent = same_doc & np.r_[False, sent[1:] == sent[:-1]]
            if proc.entities_available:
                inside = ent >= 0
                cont = same_sent & inside & np.r_[False, ent[1:] == ent[:-1]]
            else:
                inside = upos == "PROPN"
                cont = same_sent & inside & np.r_[False, inside[:-1]]
            starts = np.flatnonzero(inside & ~cont)
            not_cont = np.r_[np.flatnonzero(~cont), n]
            ends = not_cont[np.searchsorted(not_cont, starts, side="right")]
            multi = ends - starts >= 2
            for s, nxt in zip(starts[multi].tolist(), ends[multi].tolist(), strict=True):
                span = [_Word(text[i], form[i], upos[i]) for i in range(s, nxt)]
                while len(span) > 1 and span[0].form in proc._edge_words:
                    span = span[1:]
                while len(span) > 1 and span[-1].form in proc._edge_words:
                    span = span[:-1]
                parts = [w.form for w in span if _HAS_LETTER.search(w.form)]
                if not parts:
                    continue
                alive[s + 1 : nxt] = False
                if len(parts) > 1:
                    t = "_".join(p.strip("'") if k == len(parts) - 1 else p for k, p in enumerate(parts))
                    t = re.sub(r"'_", "'", t)
                    text[s], form[s], upos[s] = t, t, "PROPN"
                else:
                    w = span[0] if len(span) == 1 else next(w for w in span if _HAS_LETTER.search(w.form))
                    text[s], form[s] = w.text, w.form
                    upos[s] = "PROPN" if w.upos not in ("DET", "ADP") else w.upos
        # integer codes: every later step compares integers, not strings
        tc, tu = pd.factorize(text)
        fc, fu = pd.factorize(form)
        uc, uu = pd.factorize(upos)
        dc, _ = pd.factorize(doc)
        tu, fu, uu = list(tu), list(fu), list(uu)
        # ---- step 3a: boilerplate
        bp_drop = np.zeros(n, dtype=bool)
        if proc.bp_multi and n:
            fidx = {f: i for i, f in enumerate(fu)}
            for seq in proc.bp_multi:
                L = len(seq)
                ids = [fidx.get(w, -1) for w in seq]
                if n < L or -1 in ids:
                    continue
                m = fc[: n - L + 1] == ids[0]
                for j in range(1, L):
                    if not m.any():
                        break
                    m &= fc[j : n - L + 1 + j] == ids[j]
                for i in np.flatnonzero(m):
                    bp_drop[i : i + L] = True
        if proc.bp_single and n:
            single = proc.bp_single
            f_in = np.fromiter((f in single for f in fu), dtype=bool, count=len(fu))
            t_in = np.fromiter((t in single for t in tu), dtype=bool, count=len(tu))
            bp_drop |= f_in[fc] | t_in[tc]
        # ---- step 3b: decisions per distinct (text, form, upos)
        nf, nu = max(len(fu), 1), max(len(uu), 1)
        combo = (tc.astype(np.int64) * nf + fc) * nu + uc
        cc, cu = pd.factorize(combo)
        cache = proc._cache
        decide = proc._decide
        table_codes = np.empty(len(cu), dtype=np.int8)
        for u, value in enumerate(cu.tolist()):
            t, rest = divmod(value, nf * nu)
            f, pos = divmod(rest, nu)
            key = (tu[t], fu[f], uu[pos])
            d = cache.get(key)
            if d is None:
                d = decide(key[0].lower(), key[1], key[2])
                if len(cache) < 2_000_000:
                    cache[key] = d
            table_codes[u] = d
        code = table_codes[cc] if n else np.zeros(0, dtype=np.int8)
        code[bp_drop] = 0
        code[~alive] = -1  # absorbed into a merged entity: neither kept nor a break
        # ---- step 3c: segments = runs of kept words (connectors inside), cut at dropped words
        rows = np.flatnonzero(code != -1)
        code_r, doc_r, sent_r = code[rows], dc[rows], sent[rows]
        m = len(rows)
        new_sent = np.ones(m, dtype=bool)
        if m > 1:
            new_sent[1:] = (doc_r[1:] != doc_r[:-1]) | (sent_r[1:] != sent_r[:-1])
        seg_all = np.cumsum(new_sent | (code_r == 0))
        P = np.flatnonzero(code_r > 0)
        segP = seg_all[P]
        kept = code_r[P] == 1
        sel = kept.copy()
        if len(P):
            def _seen(flags, segs):
                start = np.r_[True, segs[1:] != segs[:-1]]
                cs = np.cumsum(flags)
                starts = np.flatnonzero(start)
                base = np.repeat(cs[starts] - flags[starts], np.diff(np.r_[starts, len(flags)]))
                return (cs - base) > 0

            before = _seen(kept, segP)
            after = _seen(kept[::-1], segP[::-1])[::-1]
            sel |= before & after
        idx = rows[P[sel]]
        conn = code[idx] == 2
        tokens = np.where(conn, form[idx], text[idx]).tolist()
        seg_sel = segP[sel]
        out_segs: dict[Any, list] = {}
        if len(idx):
            bounds = np.flatnonzero(seg_sel[1:] != seg_sel[:-1]) + 1
            starts = np.r_[0, bounds].tolist()
            ends = np.r_[bounds, len(idx)].tolist()
            seg_docs = doc[idx[starts]].tolist()
            seg_sents = sent[idx[starts]].tolist()
            for d, s, a, b in zip(seg_docs, seg_sents, starts, ends, strict=True):
                item = (s, tokens[a:b]) if with_sentences else tokens[a:b]
                lst = out_segs.get(d)
                if lst is None:
                    out_segs[d] = [item]
                else:
                    lst.append(item)
        return [(d, out_segs.get(d, [])) for d in dict.fromkeys(doc.tolist())]


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

    def _raw_segments(self, with_sentences: bool = False) -> Iterator[tuple[str, list]]:
        batch = _BatchProcessor(self._processor)
        for table in _iter_tables(self.path):
            yield from batch.process(table, with_sentences=with_sentences)

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
    """

    dictionary: Any
    matrix: Any
    doc_ids: list[str]
    config: VocabularyConfig
    stats: dict[str, Any] = field(default_factory=dict)

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
                j = token2id.get(t)
                if j is not None:
                    counts[j] = counts.get(j, 0) + 1
            empty += not counts
            r = len(ids)
            ids.append(doc_id)
            rows.extend([r] * len(counts))
            cols.extend(counts)
            vals.extend(counts.values())
        m = sp.csr_matrix((np.asarray(vals, dtype=np.int32), (rows, cols)), shape=(len(ids), len(token2id)))
        return BagOfWords(self.dictionary, m, ids, self.config, {"documents": len(ids), "empty": empty})

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
        write_json(d / "vocabulary.json", {"config": self.config.to_dict(), "stats": self.stats,
                                           "n_documents": self.n_documents, "n_terms": self.n_terms})  # fmt: skip
        return d

    @classmethod
    def load(cls, directory: str | Path) -> BagOfWords:
        import scipy.sparse as sp
        from gensim.corpora import Dictionary

        from toolkit.runtime import read_json

        d = Path(directory)
        if not (d / "bow.npz").is_file():
            raise StageMissingError(f"{d} holds no bag of words (bow.npz)")
        info = read_json(d / "vocabulary.json")
        return cls(
            dictionary=Dictionary.load(str(d / "dictionary.gensim")),
            matrix=sp.load_npz(d / "bow.npz").tocsr(),
            doc_ids=list(read_json(d / "bow_docs.json")),
            config=VocabularyConfig.from_dict(info["config"]),
            stats=info.get("stats", {}),
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
    docs: Iterable[tuple[str, list[str]]], config: VocabularyConfig | None = None, *, progress: bool = False
) -> BagOfWords:
    """Build a :class:`BagOfWords` from ``(doc_id, tokens)`` pairs (e.g. a :class:`TokenStream`).

    One pass: a growing dictionary and sparse triplets; then ``filter_extremes`` and a column
    remap. Documents left empty are dropped and counted in ``stats``.

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
    for doc_id, tokens in docs:
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
    n_terms_before = len(dictionary)
    no_below = cfg.effective_no_below(len(doc_ids))
    old_token2id = dict(dictionary.token2id)
    dictionary.filter_extremes(no_below=no_below, no_above=cfg.no_above, keep_n=cfg.keep_n)
    if len(dictionary) == 0:
        raise ModelError(
            f"the vocabulary is empty after filter_extremes(no_below={no_below}, no_above={cfg.no_above}) "
            f"on {len(doc_ids)} documents: lower no_below, raise no_above, or use a larger corpus"
        )
    remap = np.full(n_terms_before, -1, dtype=np.int64)
    for tok, new_id in dictionary.token2id.items():
        remap[old_token2id[tok]] = new_id
    rows = np.concatenate(rows_i)
    cols = remap[np.concatenate(cols_i)]
    vals = np.concatenate(vals_i)
    keep = cols >= 0
    m = sp.csr_matrix((vals[keep], (rows[keep], cols[keep])), shape=(len(doc_ids), len(dictionary)), dtype=np.int32)
    # documents emptied by filter_extremes
    nnz = np.diff(m.indptr)
    if (nnz == 0).any():
        emptied = [d for d, k in zip(doc_ids, nnz, strict=True) if k == 0]
        empty.extend(emptied)
        m = m[nnz > 0]
        doc_ids = [d for d, k in zip(doc_ids, nnz, strict=True) if k > 0]
    if empty:
        log.warning("%d document(s) have no term left after filtering and were dropped", len(empty))
    stats = {
        "documents_read": n_read,
        "documents": len(doc_ids),
        "dropped_empty": len(empty),
        "dropped_examples": empty[:20],
        "terms_before_filter": n_terms_before,
        "terms": len(dictionary),
        "no_below_used": no_below,
        "tokens": int(m.sum()),
    }
    return BagOfWords(dictionary, m, doc_ids, cfg, stats)


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
    return bow_from_token_lists(TokenStream(corpus_dir, cfg, progress=progress), cfg, progress=progress)
