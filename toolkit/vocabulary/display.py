"""Readable forms of vocabulary keys, and one key per entity whatever its case or accents.

The vocabulary's keys are machine keys: lowercase lemmas (*étranger*), phrases of lemmas
(*affaire_étranger*, *hausse_des_taxe*) and merged entities (*états-unis*). A reader wants the
words as the corpus writes them. While the bag of words is built, every key's surface strings
are counted (the words of the text, case kept, joined with spaces); its **display form** is
the most frequent one (:func:`display_form`): *affaires étrangères*, *hausse des taxes*,
*États-Unis*, *Union européenne*.

French capitals often lose their accents (*Etats-Unis*, *ETATS-UNIS*, *Egypte*), and an
entity the tagger missed comes out as a phrase of lemmas (*union_européen*) beside the merged
entity (*union_européenne*). :func:`merge_targets` makes such keys one: entity and phrase keys
whose display forms are the same string once case is ignored and accents are dropped **from
capital letters only** are merged into the most frequent key (*pêche* and *péché*, both
lower-case, stay apart).

Examples
--------
>>> surface_signature("États-Unis") == surface_signature("ETATS-UNIS") == surface_signature("Etats-Unis")
True
>>> surface_signature("pêche") == surface_signature("péché")
False
>>> display_form({"Union européenne": 40, "union européenne": 3, "Union Européenne": 1})
'Union européenne'
>>> display_form({"Taux": 4, "taux": 90})
'taux'
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

# the two words of a contraction, as the token table holds them (du = de + le)
_SURFACE_CONTRACTIONS = (
    (re.compile(r"\bde le\b", re.I), "du"), (re.compile(r"\bde les\b", re.I), "des"),
    (re.compile(r"\bà le\b", re.I), "au"), (re.compile(r"\bà les\b", re.I), "aux"),
)  # fmt: skip


def join_surface(parts: Sequence[str]) -> str:
    """Surface string of consecutive words: spaces between them, none after an elision
    (``d'`` + ``euros``), contractions rejoined (``de le`` -> ``du``).

    >>> join_surface(["milliards", "d'", "euros"])
    "milliards d'euros"
    >>> join_surface(["Conseil", "de", "les", "ministres"])
    'Conseil des ministres'
    """
    out = ""
    for p in parts:
        if not p:
            continue
        if out and not out.endswith(("'", "’")):
            out += " "
        out += p
    if " le" in out or " les" in out:
        for pat, repl in _SURFACE_CONTRACTIONS:
            out = pat.sub(repl, out)
    return out


def _strip_capital_accents(text: str) -> str:
    out = []
    for ch in text:
        if ch.isupper():
            ch = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
        out.append(ch)
    return "".join(out)


def surface_signature(surface: str) -> str:
    """What two spellings of one name share: accents dropped from capitals, then lowercased
    (apostrophes unified, spaces collapsed)."""
    s = unicodedata.normalize("NFC", surface.replace("’", "'"))
    return " ".join(_strip_capital_accents(s).lower().split())


def display_form(counts: Mapping[str, int]) -> str:
    """The most frequent surface string: first the most frequent spelling ignoring case,
    then its most frequent casing (so a sentence-initial capital does not win)."""
    if not counts:
        return ""
    groups: dict[str, int] = {}
    for s, n in counts.items():
        groups[s.lower()] = groups.get(s.lower(), 0) + n
    best = max(groups.items(), key=lambda kv: (kv[1], kv[0]))[0]
    return max(((s, n) for s, n in counts.items() if s.lower() == best), key=lambda kv: (kv[1], kv[0]))[0]


class SurfaceCounter:
    """Counts, for every key, the surface strings it was made from.

    Examples
    --------
    >>> c = SurfaceCounter()
    >>> c.update(["affaire_étranger", "taux"], ["affaires étrangères", "taux"])
    >>> c.update(["affaire_étranger"], ["Affaires étrangères"])
    >>> c.display()["affaire_étranger"]
    'affaires étrangères'
    """

    def __init__(self) -> None:
        self.counts: dict[str, Counter] = {}

    def update(self, keys: Sequence[str], surfaces: Sequence[str]) -> None:
        counts = self.counts
        for k, s in zip(keys, surfaces, strict=True):
            c = counts.get(k)
            if c is None:
                c = counts[k] = Counter()
            c[s] += 1

    def display(self, keys: Iterable[str] | None = None) -> dict[str, str]:
        """``{key: display form}`` (for ``keys`` only when given)."""
        items = self.counts if keys is None else {k: self.counts.get(k, Counter()) for k in keys}
        return {k: (display_form(c) or k.replace("_", " ")) for k, c in items.items()}


def _is_name_like(key: str, surface: str) -> bool:
    return "_" in key or "-" in key or surface[:1].isupper()


def merge_targets(counter: SurfaceCounter, frequency: Mapping[str, int]) -> dict[str, str]:
    """``{key: key it is merged into}`` for entity/phrase keys that are spellings of one name.

    Parameters
    ----------
    counter : SurfaceCounter
        Surface strings of every key.
    frequency : mapping key -> corpus count
        The most frequent key of a group keeps its name.

    Returns
    -------
    dict
        Only the keys that change (a key never maps to itself).
    """
    groups: dict[str, list[str]] = {}
    for key, c in counter.counts.items():
        shown = display_form(c)
        if not shown or not _is_name_like(key, shown):
            continue
        groups.setdefault(surface_signature(shown), []).append(key)
    out: dict[str, str] = {}
    for keys in groups.values():
        if len(keys) < 2:
            continue
        keys.sort(key=lambda k: (-int(frequency.get(k, 0)), k))
        for k in keys[1:]:
            out[k] = keys[0]
    return out


def merged_counter(counter: SurfaceCounter, targets: Mapping[str, str]) -> SurfaceCounter:
    """A counter where merged keys' surfaces count for their target key."""
    out = SurfaceCounter()
    for key, c in counter.counts.items():
        t = targets.get(key, key)
        if t in out.counts:
            out.counts[t].update(c)
        else:
            out.counts[t] = Counter(c)
    return out


def align_phrases(phraser: Any, tokens: Sequence[str], surfaces: Sequence[str]) -> Iterator[tuple[str, str]]:
    """Apply a gensim phrase model to ``tokens`` and carry ``surfaces`` along:
    yields ``(token or phrase, its surface string)``.

    A phrase is its parts joined by ``_``; parts may hold ``_`` themselves (merged entities),
    so the parts a phrase consumed are found by joining until the phrase is matched.
    """
    i = 0
    n = len(tokens)
    for item, score in phraser.analyze_sentence(list(tokens)):
        if score is None or i >= n:
            yield item, surfaces[i] if i < n else item
            i += 1
            continue
        j = i + 1
        acc = tokens[i]
        while acc != item and j < n:
            acc += "_" + tokens[j]
            j += 1
        if acc != item:  # not found (should not happen): fall back to the key
            yield item, item.replace("_", " ")
            i += 1
            continue
        yield item, join_surface(surfaces[i:j])
        i = j
