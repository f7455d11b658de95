"""Score named entities against token-per-line IOB gold (CoNLL style), on rebuilt text.

The gold is pre-tokenised: one ``token tag`` pair a line (``I-PER``, ``B-LOC``, ``O``…),
blank lines between sentences when there are any. Scoring follows CoNLL: a span is right when
its first token, last token and type all match the gold (exact span + type), and
precision/recall/F1 are computed per type and over all types.

How a system is scored:

1. the gold is cut into documents of about ``doc_tokens`` tokens at sentence ends
   (:func:`read_iob`); each document's text is its tokens joined by single spaces
   (:func:`rebuild_text`), so every gold token has character offsets;
2. a system (toolkit mode, spaCy…) annotates that text with its own tokeniser and returns
   entity spans as character offsets;
3. each system span is projected onto the gold tokens it overlaps (:func:`project`), giving a
   per-token type sequence that is compared span by span with the gold's.

Tag schemes: ``B-`` and ``I-`` are read alike and a span is a maximal run of tokens of one type.
That is exact for IOB1 files that never use ``B-`` (the Europeana Newspapers corpora, where two
adjacent entities of one type cannot be told apart); projected system spans are merged the
same way when adjacent with the same type (:func:`spans_of`), so both sides follow one
convention. Types: ``PER``, ``LOC``, ``ORG`` are scored; the gold's other types and the
system's ``MISC`` (or any other label) are not in the typed scores (a ``MISC`` prediction is
neither right nor wrong against a gold without ``MISC``); they are counted, and the *untyped*
score (span boundaries only, every label) includes them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.errors import InputError

__all__ = [
    "GoldDocument",
    "read_iob",
    "rebuild_text",
    "project",
    "spans_of",
    "score_entities",
    "split_of",
    "SCORED_TYPES",
]

#: entity types scored against the gold
SCORED_TYPES = ("PER", "LOC", "ORG")
_SENTENCE_END = frozenset({".", "!", "?", "...", "…"})


@dataclass(slots=True)
class GoldDocument:
    """A piece of the gold: tokens and one entity type per token (``""`` outside)."""

    doc_id: str
    tokens: list[str] = field(default_factory=list)
    types: list[str] = field(default_factory=list)
    line: int = 0  # line of the first token in the gold file

    @property
    def spans(self) -> set[tuple[int, int, str]]:
        """Gold spans ``(first_token, last_token, type)``."""
        return spans_of(self.types)


def split_of(index: int, block: int = 4) -> str:
    """Deterministic split of document ``index``: blocks of ``block`` consecutive documents
    go round ``train, train, train, dev, test`` (60/20/20), so that a held-out document is
    never the neighbour of a training one on the same page more often than a block boundary
    allows."""
    return ("train", "train", "train", "dev", "test")[(index // block) % 5]


def read_iob(path: str | Path, doc_tokens: int = 500, prefix: str = "") -> list[GoldDocument]:
    """Read a token-per-line IOB file into documents of about ``doc_tokens`` tokens.

    A document ends at the first sentence end (blank line, or a token ``.``, ``!``, ``?``)
    after ``doc_tokens`` tokens, or at ``2 * doc_tokens`` tokens in any case.

    Raises
    ------
    InputError
        A line that is not ``token tag`` or a tag that is not ``O`` / ``B-X`` / ``I-X``
        (names the file and line).
    """
    path = Path(path)
    docs: list[GoldDocument] = []
    cur = GoldDocument(f"{prefix}0", line=1)
    with open(path, encoding="utf-8") as fh:
        for lineno, raw in enumerate(fh, 1):
            line = raw.rstrip("\n").rstrip("\r")
            if not line.strip():
                if len(cur.tokens) >= doc_tokens:
                    docs.append(cur)
                    cur = GoldDocument(f"{prefix}{len(docs)}", line=lineno + 1)
                continue
            parts = line.split()
            if len(parts) < 2:
                raise InputError(f"{path}, line {lineno}: expected 'token tag', got {line!r}")
            token, tag = " ".join(parts[:-1]), parts[-1]
            if tag == "O":
                etype = ""
            elif tag[:2] in ("B-", "I-") and len(tag) > 2:
                etype = tag[2:]
            else:
                raise InputError(f"{path}, line {lineno}: unknown tag {tag!r} (expected O, "
                                 "B-TYPE or I-TYPE)")
            if not cur.tokens:
                cur.line = lineno
            cur.tokens.append(token)
            cur.types.append(etype)
            n = len(cur.tokens)
            if (n >= doc_tokens and token in _SENTENCE_END) or n >= 2 * doc_tokens:
                docs.append(cur)
                cur = GoldDocument(f"{prefix}{len(docs)}")
    if cur.tokens:
        docs.append(cur)
    return docs


def rebuild_text(tokens: Sequence[str]) -> tuple[str, list[tuple[int, int]]]:
    """The tokens joined by single spaces, and each token's ``(start, end)`` offsets."""
    offsets = []
    pos = 0
    for t in tokens:
        offsets.append((pos, pos + len(t)))
        pos += len(t) + 1
    return " ".join(tokens), offsets


def project(
    char_spans: Iterable[tuple[int, int, str]], offsets: Sequence[tuple[int, int]]
) -> list[str]:
    """Project system spans (character offsets) onto gold tokens.

    A span covers every gold token it overlaps by at least one character. Returns the
    per-token types (``""`` outside; where two spans would share a token, the first one
    wins and the second is dropped).
    """
    import bisect

    starts = [s for s, _ in offsets]
    types = [""] * len(offsets)
    for s, e, label in sorted(char_spans):
        if e <= s:
            continue
        first = max(bisect.bisect_right(starts, s) - 1, 0)
        if offsets[first][1] <= s:
            first += 1
        last = bisect.bisect_left(starts, e) - 1
        if first > last or first >= len(offsets):
            continue
        if any(types[k] for k in range(first, last + 1)):
            continue
        for k in range(first, last + 1):
            types[k] = label
    return types


def spans_of(types: Sequence[str]) -> set[tuple[int, int, str]]:
    """Spans ``(first, last, type)``: the maximal runs of one type in a per-token sequence."""
    out = set()
    start = None
    for k, t in enumerate([*types, ""]):
        if start is not None and t != types[start]:
            out.add((start, k - 1, types[start]))
            start = None
        if t and start is None:
            start = k
    return out


def _prf(tp: int, n_sys: int, n_gold: int) -> dict[str, float]:
    p = tp / n_sys if n_sys else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(100 * p, 2), "recall": round(100 * r, 2), "f1": round(100 * f, 2),
            "gold": n_gold, "system": n_sys, "correct": tp}


def score_entities(
    gold: Sequence[set[tuple[int, int, str]]], system: Sequence[set[tuple[int, int, str]]]
) -> dict[str, dict]:
    """Exact span + type scores per type, overall (:data:`SCORED_TYPES`) and untyped.

    Parameters
    ----------
    gold, system : sequence of set of (first_token, last_token, type)
        One set per document, in the same order.

    Returns
    -------
    dict
        ``{"overall": {...}, "PER": {...}, "LOC": {...}, "ORG": {...}, "untyped": {...},
        "unscored_system_spans": {label: count}}``; each score has precision, recall, f1
        (percentages) and the counts.
    """
    if len(gold) != len(system):
        raise ValueError(f"{len(gold)} gold documents but {len(system)} system documents")
    tp = dict.fromkeys(SCORED_TYPES, 0)
    ns = dict.fromkeys(SCORED_TYPES, 0)
    ng = dict.fromkeys(SCORED_TYPES, 0)
    untyped = [0, 0, 0]
    unscored: dict[str, int] = {}
    for g, s in zip(gold, system, strict=True):
        for x in g:
            if x[2] in ng:
                ng[x[2]] += 1
        for x in s:
            if x[2] in ns:
                ns[x[2]] += 1
                tp[x[2]] += x in g
            else:
                unscored[x[2]] = unscored.get(x[2], 0) + 1
        gb = {x[:2] for x in g}
        sb = {x[:2] for x in s}
        untyped[0] += len(gb & sb)
        untyped[1] += len(sb)
        untyped[2] += len(gb)
    out = {"overall": _prf(sum(tp.values()), sum(ns.values()), sum(ng.values()))}
    for t in SCORED_TYPES:
        out[t] = _prf(tp[t], ns[t], ng[t])
    out["untyped"] = _prf(*untyped)
    out["unscored_system_spans"] = dict(sorted(unscored.items()))
    return out
