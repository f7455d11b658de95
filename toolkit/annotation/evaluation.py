"""Score the toolkit's annotation against UD gold, as the CoNLL 2018 shared task does.

The gold file's raw text is rebuilt (``# text`` / FORM + ``SpaceAfter``; sentences joined by
a space, a blank line at ``# newdoc`` / ``# newpar``), annotated by the toolkit exactly as
``fnt annotate --format conllu`` would, and compared with the gold:

* Tokens, Sentences: F1 of exact character spans (over the non-whitespace characters;
  characters of Unicode category Zs inside FORMs are ignored, as in the official script).
* Words: syntactic words aligned by span; inside a region touched by a multiword token on
  either side, words are aligned by the longest common subsequence of their lower-cased
  forms (the algorithm of ``conll18_ud_eval.py``, reimplemented here).
* UPOS, LEMMA: aligned words whose tag/lemma agree, as F1 over gold and system word counts
  (a gold lemma ``_`` matches anything).

F1 values are percentages (0–100).
"""

from __future__ import annotations

import time
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from toolkit.annotation.conllu import ConlluSentence, parse_conllu, read_conllu, reconstruct_text
from toolkit.errors import InputError

__all__ = ["Score", "UDDocument", "load_ud", "score_conllu", "evaluate_annotation"]


@dataclass(frozen=True, slots=True)
class Score:
    """Counts and F1 of one metric."""

    gold: int
    system: int
    correct: int

    @property
    def precision(self) -> float:
        return 100.0 * self.correct / self.system if self.system else 0.0

    @property
    def recall(self) -> float:
        return 100.0 * self.correct / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        total = self.gold + self.system
        return 100.0 * 2 * self.correct / total if total else 0.0


@dataclass(slots=True)
class _Word:
    start: int  # span of the word's token (the whole multiword token for its words)
    end: int
    form: str
    lemma: str
    upos: str
    multiword: bool


@dataclass(slots=True)
class UDDocument:
    """Characters, token spans, words and sentence spans of a CoNLL-U document."""

    characters: str
    tokens: list[tuple[int, int]]
    words: list[_Word]
    sentences: list[tuple[int, int]]


def _strip_zs(form: str) -> str:
    if form.isascii():
        return form.replace(" ", "")
    return "".join(c for c in form if unicodedata.category(c) != "Zs")


def load_ud(sentences: Sequence[ConlluSentence]) -> UDDocument:
    """Index a parsed CoNLL-U document by character spans (whitespace-free characters)."""
    chars: list[str] = []
    tokens: list[tuple[int, int]] = []
    words: list[_Word] = []
    sents: list[tuple[int, int]] = []
    index = 0
    for sent in sentences:
        s_start = index
        for tok in sent.tokens:
            form = _strip_zs(tok.form)
            if not form:
                raise InputError(f"empty FORM in sentence {sent.comments.get('sent_id', '?')}")
            chars.append(form)
            span = (index, index + len(form))
            tokens.append(span)
            index += len(form)
            for cols in tok.words:
                words.append(_Word(span[0], span[1], cols[1], cols[2], cols[3], tok.multiword))
        sents.append((s_start, index))
    return UDDocument("".join(chars), tokens, words, sents)


def _spans_score(gold: list[tuple[int, int]], system: list[tuple[int, int]]) -> Score:
    correct = gi = si = 0
    while gi < len(gold) and si < len(system):
        if system[si][0] < gold[gi][0]:
            si += 1
        elif gold[gi][0] < system[si][0]:
            gi += 1
        else:
            correct += gold[gi][1] == system[si][1]
            gi += 1
            si += 1
    return Score(len(gold), len(system), correct)


def _beyond_end(words: list[_Word], i: int, end: int) -> bool:
    if i >= len(words):
        return True
    w = words[i]
    return w.start >= end if w.multiword else w.end > end


def _extend(word: _Word, end: int) -> int:
    return word.end if word.multiword and word.end > end else end


def _multiword_region(gold: list[_Word], system: list[_Word], gi: int, si: int):
    """The smallest region of words starting at (gi, si) that covers whole multiword tokens."""
    if gold[gi].multiword:
        end = gold[gi].end
        if not system[si].multiword and system[si].start < gold[gi].start:
            si += 1
    else:
        end = system[si].end
        if not gold[gi].multiword and gold[gi].start < system[si].start:
            gi += 1
    gs, ss = gi, si
    while not _beyond_end(gold, gi, end) or not _beyond_end(system, si, end):
        if gi < len(gold) and (si >= len(system) or gold[gi].start <= system[si].start):
            end = _extend(gold[gi], end)
            gi += 1
        else:
            end = _extend(system[si], end)
            si += 1
    return gs, ss, gi, si


def _align_lcs(g_forms: list[str], s_forms: list[str]) -> list[tuple[int, int]]:
    """Pairs of positions aligned by the longest common subsequence (same tie-breaking as the
    official script: prefer matching, then skipping a gold word when that keeps the LCS)."""
    n, m = len(g_forms), len(s_forms)
    lcs = [[0] * (m + 1) for _ in range(n + 1)]
    for g in range(n - 1, -1, -1):
        for s in range(m - 1, -1, -1):
            best = lcs[g + 1][s + 1] + 1 if g_forms[g] == s_forms[s] else 0
            lcs[g][s] = max(best, lcs[g + 1][s], lcs[g][s + 1])
    pairs = []
    g = s = 0
    while g < n and s < m:
        if g_forms[g] == s_forms[s]:
            pairs.append((g, s))
            g += 1
            s += 1
        elif lcs[g][s] == lcs[g + 1][s]:
            g += 1
        else:
            s += 1
    return pairs


def align_words(gold: list[_Word], system: list[_Word]) -> list[tuple[int, int]]:
    """Indices ``(gold_word, system_word)`` of aligned words."""
    pairs: list[tuple[int, int]] = []
    gi = si = 0
    while gi < len(gold) and si < len(system):
        if gold[gi].multiword or system[si].multiword:
            gs, ss, gi, si = _multiword_region(gold, system, gi, si)
            if gi > gs and si > ss:
                g_forms = [w.form.lower() for w in gold[gs:gi]]
                s_forms = [w.form.lower() for w in system[ss:si]]
                pairs.extend((gs + a, ss + b) for a, b in _align_lcs(g_forms, s_forms))
        else:
            g, s = gold[gi], system[si]
            if (g.start, g.end) == (s.start, s.end):
                pairs.append((gi, si))
                gi += 1
                si += 1
            elif g.start <= s.start:
                gi += 1
            else:
                si += 1
    return pairs


def score_conllu(
    gold: Sequence[ConlluSentence], system: Sequence[ConlluSentence]
) -> dict[str, Score]:
    """Compare two parsed CoNLL-U documents over the same characters.

    Returns
    -------
    dict
        ``{"tokens", "sentences", "words", "upos", "lemma"}`` → :class:`Score`.

    Raises
    ------
    InputError
        When the two documents' non-whitespace characters differ.
    """
    g, s = load_ud(gold), load_ud(system)
    if g.characters != s.characters:
        i = 0
        while i < min(len(g.characters), len(s.characters)) and g.characters[i] == s.characters[i]:
            i += 1
        raise InputError(
            "gold and system texts differ at character "
            f"{i}: gold {g.characters[i:i + 20]!r}, system {s.characters[i:i + 20]!r}"
        )
    pairs = align_words(g.words, s.words)
    n_g, n_s = len(g.words), len(s.words)
    upos = sum(g.words[a].upos == s.words[b].upos for a, b in pairs)
    lemma = sum(
        g.words[a].lemma == "_" or g.words[a].lemma == s.words[b].lemma for a, b in pairs
    )
    return {
        "tokens": _spans_score(g.tokens, s.tokens),
        "sentences": _spans_score(g.sentences, s.sentences),
        "words": Score(n_g, n_s, len(pairs)),
        "upos": Score(n_g, n_s, upos),
        "lemma": Score(n_g, n_s, lemma),
    }


class _Untagged:
    """Scores tokenisation only: every word gets ``_`` (used by ``--tokenize-only``)."""

    name = "none"
    version = "none"

    def tag(self, sentences):
        from toolkit.annotation.taggers import WordAnnotation

        blank = WordAnnotation("_", "_", "_", "", "O")
        return [[blank] * len(s) for s in sentences]


def evaluate_annotation(
    gold_path: str | Path,
    mode: str = "fast",
    *,
    tagger: Any = None,
    tokenize_only: bool = False,
) -> dict[str, Any]:
    """Annotate the raw text of a UD gold file and score it (CoNLL 2018 metrics).

    Parameters
    ----------
    gold_path : path
        Gold CoNLL-U file.
    mode : {"fast", "accurate"}
    tagger : optional
        Tagger object to use instead of ``get_tagger(mode)``.
    tokenize_only : bool
        Do not tag; UPOS and LEMMA scores are then None.

    Returns
    -------
    dict
        ``tokens_f1, words_f1, sentences_f1, upos_f1, lemma_f1`` (percentages),
        ``tokens_per_second`` (tokenisation + tagging + CoNLL-U writing), plus counts.
    """
    from toolkit.annotation.annotate import annotate_text, to_conllu_lines

    gold = read_conllu(gold_path)
    if not gold:
        raise InputError("no sentences in the gold file", path=str(gold_path))
    text = reconstruct_text(gold)
    from toolkit.annotation.annotate import resolve_tagger

    tagger = _Untagged() if tokenize_only else resolve_tagger(mode, tagger)
    tagger.tag([["Bonjour", "."]])  # load lazily-initialised models before timing
    t0 = time.perf_counter()
    doc = annotate_text(text, mode, tagger=tagger, doc_id=Path(gold_path).stem)
    lines = list(to_conllu_lines(doc))
    seconds = time.perf_counter() - t0
    system = list(parse_conllu(lines))
    scores = score_conllu(gold, system)
    out: dict[str, Any] = {
        f"{k}_f1": round(v.f1, 2) for k, v in scores.items()
    }
    if tokenize_only:
        out["upos_f1"] = out["lemma_f1"] = None
    n_tokens = scores["tokens"].system
    out["tokens_per_second"] = round(n_tokens / seconds, 1) if seconds else None
    out["counts"] = {
        k: {"gold": v.gold, "system": v.system, "correct": v.correct} for k, v in scores.items()
    }
    out["mode"] = mode
    out["gold"] = str(gold_path)
    return out


def format_table(result: dict[str, Any]) -> str:
    """A plain-text table of an :func:`evaluate_annotation` result."""
    rows = [("Metric", "F1", "gold", "system", "correct")]
    counts = result.get("counts", {})
    for key, label in (("tokens", "Tokens"), ("words", "Words"), ("sentences", "Sentences"),
                       ("upos", "UPOS"), ("lemma", "LEMMA")):  # fmt: skip
        f1 = result.get(f"{key}_f1")
        c = counts.get(key, {})
        rows.append((label, "-" if f1 is None else f"{f1:.2f}", str(c.get("gold", "")),
                     str(c.get("system", "")), str(c.get("correct", ""))))  # fmt: skip
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    lines = [
        "  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(r, widths, strict=True)))
        for r in rows
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines.append(f"\n{result['gold']} (mode {result['mode']}): "
                 f"{result['tokens_per_second']:,.0f} tokens/s")  # fmt: skip
    return "\n".join(lines)
