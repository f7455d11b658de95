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


def type_features(word: str, offset: int) -> list[str]:
    """Features of one word type seen at relative ``offset`` (-2..2) from the tagged word."""
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
            f"0p2={low[:2]}",
            f"0sh={_shape(word)}",
        ]
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
        ]
    return [f"{offset}w={low}", f"{offset}s2={low[-2:]}"]


def offset_features(word: str) -> list[list[str]]:
    """``[type_features(word, o) for o in OFFSETS]``, computing shared parts once."""
    if word in (BOS, EOS):
        return [[f"{o}w={word}"] for o in OFFSETS]
    low = word.lower()
    s2, s3 = low[-2:], low[-3:]
    shape = _shape(word)
    zero = [
        "bias", f"0w={low}", f"0s1={low[-1:]}", f"0s2={s2}", f"0s3={s3}", f"0s4={low[-4:]}",
        f"0p2={low[:2]}", f"0sh={shape}",
    ]  # fmt: skip
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
        [f"-1w={low}", f"-1s3={s3}", f"-1s2={s2}", f"-1sh={shape}"],
        zero,
        [f"1w={low}", f"1s3={s3}", f"1s2={s2}", f"1sh={shape}"],
        [f"2w={low}", f"2s2={s2}"],
    ]


def static_features(words: Sequence[str], i: int) -> list[str]:
    """All static features of word ``i`` of a sentence (union over offsets)."""
    feats: list[str] = []
    n = len(words)
    for off in OFFSETS:
        j = i + off
        w = BOS if j < 0 else EOS if j >= n else words[j]
        feats.extend(type_features(w, off))
    return feats


def dynamic_features(prev2: str, prev: str) -> list[str]:
    """Features from the two previously predicted tags (``<S>`` at sentence start)."""
    return [f"t1={prev}", f"t2={prev2}|{prev}"]


