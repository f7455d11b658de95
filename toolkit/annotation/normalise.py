"""French normalisation for news text: small named steps you can inspect.

Typographic variants become the forms the tokeniser, stop lists and taggers expect: ’ ‘ ʼ → ``'``,
“ ” → ``"``, no-break and narrow no-break spaces → space, hyphen and dash variants, ``…``;
ignorable characters (controls, zero-width characters, soft hyphen) are removed.
:data:`NORMALIZATION_STEPS` is the list of steps; :func:`explain` shows each one's output.

Examples
--------
>>> normalize("l’État\u00a0: 3,5\u202f%")
"l'État : 3,5 %"
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

__all__ = ["NORMALIZATION_STEPS", "normalize", "explain"]

# --------------------------------------------------------------------------------------------
# Normalisation: small named steps
# --------------------------------------------------------------------------------------------

#: Characters removed before anything else (C0/C1 controls except tab/newline/CR, zero-width
#: characters, word joiner, BOM, soft hyphen).
IGNORABLE_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u00ad\u200b-\u200d\u2060\ufeff]")

_APOSTROPHES = "\u2019\u2018\u02bc\u2032\u0060\u00b4"  # ’ ‘ ʼ ′ ` ´
_DOUBLE_QUOTES = "\u201c\u201d\u201e\u201f\u2033"  # “ ” „ ‟ ″
_SPACES = "\u00a0\u202f\u2007\u2009\u200a\u2002\u2003\u2004\u2005\u2006\u2008\u205f\u3000"
_HYPHENS = "\u2010\u2011\u2212\ufe63\uff0d"  # ‐ ‑ − ﹣ －
_DASHES = "\u2012\u2013\u2014\u2015"  # ‒ – — ―

_APOSTROPHE_TABLE = str.maketrans({c: "'" for c in _APOSTROPHES})
_QUOTE_TABLE = str.maketrans({c: '"' for c in _DOUBLE_QUOTES})
_SPACE_TABLE = str.maketrans({c: " " for c in _SPACES})
_DASH_TABLE = str.maketrans({**{c: "-" for c in _HYPHENS}, **{c: "\u2013" for c in _DASHES}})

#: One-to-one character map used to build the tokeniser's working copy (same length).
_WORKING_MAP = {
    **{c: "'" for c in _APOSTROPHES},
    **{c: '"' for c in _DOUBLE_QUOTES},
    **{c: " " for c in _SPACES},
    **{c: "-" for c in _HYPHENS},
    **{c: "\u2013" for c in _DASHES if c != "\u2013"},
}
_WORKING_TABLE = str.maketrans(_WORKING_MAP)
_WORKING_CHARS_RE = re.compile("[" + "".join(_WORKING_MAP) + "]")


def _working_copy(text: str) -> str:
    """Same-length copy of ``text`` with apostrophes, quotes, spaces, hyphens and dashes
    normalised one character to one character (offsets are unchanged)."""
    found = set(_WORKING_CHARS_RE.findall(text))
    for ch in found:  # str.replace is much faster than str.translate on long texts
        text = text.replace(ch, _WORKING_MAP[ch])
    return text


def remove_ignorable(text: str) -> str:
    """Drop control, zero-width and soft-hyphen characters (keeps tab, newline, CR)."""
    return IGNORABLE_RE.sub("", text)


def nfc(text: str) -> str:
    """Unicode NFC composition (``e`` + combining acute → ``é``); keeps œ, æ and accents."""
    return unicodedata.normalize("NFC", text)


def apostrophes(text: str) -> str:
    """Typographic apostrophes ’ ‘ ʼ ′ ` ´ → ASCII ``'``."""
    return text.translate(_APOSTROPHE_TABLE)


def quotes(text: str) -> str:
    """Curly double quotes “ ” „ ‟ → ``"``; French guillemets « » are kept."""
    return text.translate(_QUOTE_TABLE)


def spaces(text: str) -> str:
    """No-break (U+00A0), narrow no-break (U+202F) and other fixed-width spaces → space."""
    return text.translate(_SPACE_TABLE)


def dashes(text: str) -> str:
    """Hyphen variants and minus sign → ``-``; figure/en/em dashes and bar → en dash ``–``."""
    return text.translate(_DASH_TABLE)


def ellipsis(text: str) -> str:
    """Ellipsis character … → ``...``."""
    return text.replace("\u2026", "...")


#: The normalisation pipeline, in order: ``(name, function)`` pairs. Each step is idempotent.
NORMALIZATION_STEPS: list[tuple[str, Callable[[str], str]]] = [
    ("remove_ignorable", remove_ignorable),
    ("nfc", nfc),
    ("apostrophes", apostrophes),
    ("quotes", quotes),
    ("spaces", spaces),
    ("dashes", dashes),
    ("ellipsis", ellipsis),
]


def normalize(text: str) -> str:
    """Apply every step of :data:`NORMALIZATION_STEPS` to ``text``.

    Parameters
    ----------
    text : str

    Returns
    -------
    str
        The normalised text (idempotent: ``normalize(normalize(t)) == normalize(t)``).
    """
    for _, step in NORMALIZATION_STEPS:
        text = step(text)
    return text


def explain(text: str) -> list[tuple[str, str]]:
    """Show what each normalisation step does to ``text``.

    Returns
    -------
    list of (str, str)
        ``[("input", text), (step_name, output_after_step), ...]``.

    Examples
    --------
    >>> explain("l’État")[3]
    ('apostrophes', "l'État")
    """
    out = [("input", text)]
    for name, step in NORMALIZATION_STEPS:
        text = step(text)
        out.append((name, text))
    return out
