"""Features of the fast tagger's averaged perceptron.

Also imported by ``tools/build_fast_tagger.py``, which learns the weights: keep them stable, or
rebuild the artifact. Every static feature depends on one word type at one offset, so scores
can be cached per type.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

log = logging.getLogger(__name__)

#: The 17 UD part-of-speech tags, in the order used by the fast model.
FAST_TAGSET: tuple[str, ...] = (
    "ADJ", "ADP", "ADV", "AUX", "CCONJ", "DET", "INTJ", "NOUN", "NUM", "PART", "PRON",
    "PROPN", "PUNCT", "SCONJ", "SYM", "VERB", "X",
)  # fmt: skip

# ---------------------------------------------------------------------------------------------
# features of the fast tagger (also imported by tools/build_fast_tagger.py: keep them stable)
# ---------------------------------------------------------------------------------------------
#: format of the fast artifact (``tools/build_fast_tagger.py`` writes it, the tagger checks it)
ARTIFACT_VERSION = "2"
OFFSETS = (-2, -1, 0, 1, 2)
BOS = "<S>"
EOS = "</S>"
_PADS_BEFORE = [BOS, BOS]
_PADS_AFTER = [EOS, EOS]
_DIGIT = re.compile(r"\d")


def _shape(word: str) -> str:
    out = []
    for ch in word[:6]:
        if ch.isupper():
            c = "X"
        elif ch.islower():
            c = "x"
        elif ch.isdigit():
            c = "d"
        else:
            c = ch
        if not out or out[-1] != c:
            out.append(c)
    return "".join(out)


def type_features(word: str, offset: int, amb: str = "none") -> list[str]:
    """Features of one word type seen at relative ``offset`` (-2..2) from the tagged word.

    ``amb`` is the word's ambiguity class in the French lexicon
    (:meth:`toolkit.lexicon.Lexicon.tags`, e.g. ``"ADJ|NOUN"``; ``"none"`` when unknown).
    """
    if word in (BOS, EOS):
        return [f"{offset}w={word}"]
    low = word.lower()
    if offset == 0:
        feats = [
            "bias",
            f"0w={low}",
            f"0s1={low[-1:]}",
            f"0s2={low[-2:]}",
            f"0s3={low[-3:]}",
            f"0s4={low[-4:]}",
            f"0s5={low[-5:]}",
            f"0p2={low[:2]}",
            f"0p3={low[:3]}",
            f"0sh={_shape(word)}",
            f"0amb={amb}",
        ]
        if amb != "none":
            feats.extend(f"0lex={t}" for t in amb.split("|"))
        if word[:1].isupper():
            feats.append("0cap")
            if word.isupper() and len(word) > 1:
                feats.append("0allcap")
        if "-" in word[1:]:
            feats.append("0hyph")
        if _DIGIT.search(word):
            feats.append("0digit")
        if word.endswith("'"):
            feats.append("0elided")
        if len(word) <= 3:
            feats.append(f"0len={len(word)}")
        return feats
    if offset in (-1, 1):
        return [
            f"{offset}w={low}",
            f"{offset}s3={low[-3:]}",
            f"{offset}s2={low[-2:]}",
            f"{offset}sh={_shape(word)}",
            f"{offset}amb={amb}",
        ]
    return [f"{offset}w={low}", f"{offset}s2={low[-2:]}"]


def offset_features(word: str, amb: str = "none") -> list[list[str]]:
    """``[type_features(word, o, amb) for o in OFFSETS]``, computing shared parts once."""
    if word in (BOS, EOS):
        return [[f"{o}w={word}"] for o in OFFSETS]
    low = word.lower()
    s2, s3 = low[-2:], low[-3:]
    shape = _shape(word)
    zero = [
        "bias", f"0w={low}", f"0s1={low[-1:]}", f"0s2={s2}", f"0s3={s3}", f"0s4={low[-4:]}",
        f"0s5={low[-5:]}", f"0p2={low[:2]}", f"0p3={low[:3]}", f"0sh={shape}", f"0amb={amb}",
    ]  # fmt: skip
    if amb != "none":
        zero.extend(f"0lex={t}" for t in amb.split("|"))
    if word[:1].isupper():
        zero.append("0cap")
        if word.isupper() and len(word) > 1:
            zero.append("0allcap")
    if "-" in word[1:]:
        zero.append("0hyph")
    if _DIGIT.search(word):
        zero.append("0digit")
    if word.endswith("'"):
        zero.append("0elided")
    if len(word) <= 3:
        zero.append(f"0len={len(word)}")
    return [
        [f"-2w={low}", f"-2s2={s2}"],
        [f"-1w={low}", f"-1s3={s3}", f"-1s2={s2}", f"-1sh={shape}", f"-1amb={amb}"],
        zero,
        [f"1w={low}", f"1s3={s3}", f"1s2={s2}", f"1sh={shape}", f"1amb={amb}"],
        [f"2w={low}", f"2s2={s2}"],
    ]


def static_features(words: Sequence[str], i: int, ambs: Sequence[str] | None = None) -> list[str]:
    """All static features of word ``i`` of a sentence (union over offsets).

    ``ambs`` holds the lexicon ambiguity class of each word (``"none"`` for all if omitted).
    """
    feats: list[str] = []
    n = len(words)
    for off in OFFSETS:
        j = i + off
        w = BOS if j < 0 else EOS if j >= n else words[j]
        amb = ambs[j] if ambs is not None and 0 <= j < n else "none"
        feats.extend(type_features(w, off, amb))
    return feats


def dynamic_features(prev2: str, prev: str) -> list[str]:
    """Features from the two previously predicted tags (``<S>`` at sentence start)."""
    return [f"t1={prev}", f"t2={prev2}|{prev}"]




# ---------------------------------------------------------------------------------------------
# features of the fast entity tagger (tools/build_fast_entities.py learns the weights)
# ---------------------------------------------------------------------------------------------
#: entity tags of the fast model: IO scheme (a span is a run of one type)
ENTITY_TAGSET: tuple[str, ...] = ("O", "PER", "LOC", "ORG")
ENTITY_ARTIFACT_VERSION = "1"
#: offsets whose UPOS (from the fast tagger) is a feature of the entity model
UPOS_OFFSETS = (-1, 0, 1)


def _cap_class(word: str) -> str:
    if word.isupper() and len(word) > 1:
        return "A"  # all capitals (OCR'd headlines, acronyms)
    if word[:1].isupper():
        return "C"
    if word[:1].isdigit():
        return "d"
    if word[:1].isalpha():
        return "x"
    return "p"


def entity_offset_features(word: str, amb: str = "none", gaz: str = "") -> list[list[str]]:
    """Static entity features of one word type at each offset of :data:`OFFSETS`.

    ``amb`` is the word's ambiguity class in the French lexicon, ``gaz`` its gazetteer label
    (``"PER-title"``, ``"ORG-head"``, ``"LOC"``…, ``""`` when none). Like the UPOS features,
    each depends on one word type at one offset, so scores are cached per type.
    """
    if word in (BOS, EOS):
        return [[f"{o}w={word}"] for o in OFFSETS]
    low = word.lower()
    cap = _cap_class(word)
    known = "k" if amb != "none" else "u"
    zero = [
        "bias", f"0w={low}", f"0s3={low[-3:]}", f"0sh={_shape(word)}", f"0amb={amb}",
        f"0ck={cap}{known}",
    ]  # fmt: skip
    if gaz:
        zero.append(f"0gaz={gaz}")
    if "-" in word[1:]:
        zero.append(f"0hyph{cap}")
    if word.endswith("'"):
        zero.append("0elided")
    if word.endswith(".") and len(word) > 1:
        zero.append("0abbr")
    side = []
    for o in (-1, 1):
        feats = [f"{o}w={low}", f"{o}ck={cap}{known}"]
        if gaz:
            feats.append(f"{o}gaz={gaz}")
        side.append(feats)
    return [
        [f"-2w={low}", f"-2ck={cap}{known}"],
        side[0],
        zero,
        side[1],
        [f"2w={low}", f"2ck={cap}{known}"],
    ]
