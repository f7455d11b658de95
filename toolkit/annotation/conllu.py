"""CoNLL-U reading and writing, raw-text reconstruction and IRaMuTeQ export.

CoNLL-U written by the toolkit
------------------------------
* ``# newdoc id = ...`` before the first sentence of each document (corpus export),
  ``# sent_id = <doc>-<n>`` and ``# text = ...`` (the sentence's original characters, line
  breaks and tabs shown as spaces) on every sentence.
* FORM holds the original characters of the token exactly (so the FORMs, ignoring whitespace,
  are the input's non-whitespace characters). Contractions are UD multiword tokens: a range
  line ``4-5  du`` then the word lines ``4 de`` and ``5 le``.
* MISC: ``SpaceAfter=No`` when no whitespace follows; ``Norm=l'`` when the normalised form
  differs from FORM; ``NE=B-PER`` / ``NE=I-PER`` for words inside a named entity (BIO form, so
  adjacent entities stay distinct); ``TokenRange=start:end`` character offsets in the
  document. On a multiword token, ``SpaceAfter``, ``Norm`` and ``TokenRange`` go on the range
  line, entities on the word lines.
* HEAD and DEPREL are ``_`` (no parser).

IRaMuTeQ
--------
One header line per document, ``**** *source_x *date_y *section_z`` (variable values reduced
to ``[A-Za-z0-9_]``), then the document's text on the following lines.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from toolkit.errors import InputError

__all__ = [
    "ConlluToken",
    "ConlluSentence",
    "read_conllu",
    "parse_conllu",
    "reconstruct_text",
    "format_misc",
    "sanitize_variable",
    "iramuteq_header",
]


@dataclass(slots=True)
class ConlluToken:
    """One surface token of a CoNLL-U sentence with its syntactic words.

    ``words`` holds the 10-column rows of its words (one row for an ordinary token).
    ``misc`` is the MISC column of the token line (the range line for a multiword token).
    """

    form: str
    misc: str
    words: list[list[str]]
    multiword: bool = False

    @property
    def space_after(self) -> bool:
        return "SpaceAfter=No" not in self.misc.split("|")


@dataclass(slots=True)
class ConlluSentence:
    """A CoNLL-U sentence: comments (``key -> value``), tokens and flags."""

    comments: dict[str, str] = field(default_factory=dict)
    tokens: list[ConlluToken] = field(default_factory=list)
    newdoc: bool = False
    newpar: bool = False

    def words(self) -> list[list[str]]:
        """The 10-column rows of the sentence's syntactic words (multiword ranges expanded)."""
        return [row for token in self.tokens for row in token.words]

    @property
    def text(self) -> str:
        """The ``# text`` comment, or the text rebuilt from FORMs and SpaceAfter."""
        if "text" in self.comments:
            return self.comments["text"]
        return "".join(t.form + (" " if t.space_after else "") for t in self.tokens).rstrip()


def parse_conllu(lines: Iterable[str], path: str | None = None) -> Iterator[ConlluSentence]:
    """Parse CoNLL-U lines into sentences (streaming).

    Parameters
    ----------
    lines : iterable of str
    path : str, optional
        Only used in error messages.

    Yields
    ------
    ConlluSentence
    """
    sent = ConlluSentence()
    pending_range: tuple[int, int] | None = None
    mwt: ConlluToken | None = None
    lineno = 0
    for lineno, raw in enumerate(lines, 1):  # noqa: B007
        line = raw.rstrip("\r\n")
        if not line.strip():
            if sent.tokens:
                yield sent
            elif sent.comments or sent.newdoc or sent.newpar:
                pass  # comments without tokens: keep them for the next sentence
            else:
                continue
            if sent.tokens:
                sent = ConlluSentence()
            pending_range, mwt = None, None
            continue
        if line.startswith("#"):
            body = line[1:].strip()
            if body.startswith("newdoc"):
                sent.newdoc = True
            if body.startswith("newpar"):
                sent.newpar = True
            if "=" in body:
                key, value = body.split("=", 1)
                key = key.strip()
                value = value[1:] if value.startswith(" ") else value
                sent.comments[key] = value if key == "text" else value.strip()
            continue
        cols = line.split("\t")
        if len(cols) != 10:
            raise InputError(
                f"expected 10 tab-separated columns, found {len(cols)}", path=path, line=lineno
            )
        tid = cols[0]
        if "." in tid:
            continue  # empty node
        if "-" in tid:
            try:
                a, b = (int(x) for x in tid.split("-"))
            except ValueError:
                raise InputError(f"bad multiword token id {tid!r}", path=path, line=lineno) from None
            mwt = ConlluToken(cols[1], cols[9], [], True)
            sent.tokens.append(mwt)
            pending_range = (a, b)
            continue
        try:
            wid = int(tid)
        except ValueError:
            raise InputError(f"bad word id {tid!r}", path=path, line=lineno) from None
        if pending_range is not None and pending_range[0] <= wid <= pending_range[1]:
            assert mwt is not None
            mwt.words.append(cols)
            if wid == pending_range[1]:
                pending_range, mwt = None, None
            continue
        sent.tokens.append(ConlluToken(cols[1], cols[9], [cols]))
    if sent.tokens:
        yield sent


def read_conllu(path: str | Path) -> list[ConlluSentence]:
    """Read a CoNLL-U file.

    Raises
    ------
    InputError
        If the file is missing, not UTF-8 or malformed.
    """
    path = Path(path)
    if not path.exists():
        raise InputError("file not found", path=str(path))
    try:
        with open(path, encoding="utf-8") as fh:
            return list(parse_conllu(fh, path=str(path)))
    except UnicodeDecodeError as exc:
        raise InputError(
            f"not valid UTF-8 at byte {exc.start}", path=str(path)
        ) from None


def reconstruct_text(sentences: list[ConlluSentence]) -> str:
    """Rebuild the raw text of a treebank as the CoNLL 2018 shared task did.

    Sentences are joined with a space inside a paragraph; a new paragraph (``# newpar``) or
    document (``# newdoc``) starts after a blank line. Within a sentence, tokens are joined
    by a space unless ``SpaceAfter=No``.

    Returns
    -------
    str
    """
    parts: list[str] = []
    for i, sent in enumerate(sentences):
        if i:
            parts.append("\n\n" if (sent.newdoc or sent.newpar) else " ")
        pieces = []
        for j, tok in enumerate(sent.tokens):
            pieces.append(tok.form)
            if j < len(sent.tokens) - 1 and tok.space_after:
                pieces.append(" ")
        parts.append("".join(pieces))
    return "".join(parts)


_MISC_ESCAPE = str.maketrans({"|": "\\p", "\t": " ", "\n": " ", "\r": " "})


def format_misc(items: list[str]) -> str:
    """Join MISC attributes (``"_"`` when empty)."""
    return "|".join(items) if items else "_"


def misc_value(value: str) -> str:
    """Make a value safe for the MISC column (no ``|``, tab or newline)."""
    return value.translate(_MISC_ESCAPE)


def form_value(value: str) -> str:
    """Make a FORM safe for CoNLL-U (no tab or newline; keeps every other character)."""
    return value.replace("\t", " ").replace("\n", " ").replace("\r", " ")


_VAR_RE = re.compile(r"[^A-Za-z0-9_]+")


def sanitize_variable(value: object) -> str:
    """Reduce a metadata value to ``[A-Za-z0-9_]`` for an IRaMuTeQ star variable.

    Accents are stripped (``Économie`` → ``Economie``), other characters become ``_``.

    Examples
    --------
    >>> sanitize_variable("Le Monde / Économie")
    'Le_Monde_Economie'
    """
    if value is None:
        return "NA"
    text = unicodedata.normalize("NFKD", str(value))
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = _VAR_RE.sub("_", text).strip("_")
    return text or "NA"


def iramuteq_header(variables: dict[str, object]) -> str:
    """The ``**** *name_value ...`` line introducing a document in IRaMuTeQ format."""
    stars = " ".join(f"*{sanitize_variable(k)}_{sanitize_variable(v)}" for k, v in variables.items())
    return f"**** {stars}"


def write_lines(lines: Iterable[str], out: IO[str]) -> None:
    """Write CoNLL-U lines to ``out``."""
    for line in lines:
        out.write(line)
        out.write("\n")
