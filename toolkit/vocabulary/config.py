"""Vocabulary settings and the reviewed French stop and boilerplate lists.

Design choices (see also ``toolkit/data/stopwords_fr.txt`` and
``toolkit/data/news_boilerplate_fr.txt``): the default stop list is small and reviewed by hand
for news; *État*, *été* (summer), *pays*, *temps*, *guerre* are kept; *fois*, *nouveau*,
*grand*, *premier*… are dropped because they top every topic without saying anything.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from toolkit.errors import ConfigError

log = logging.getLogger(__name__)

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


