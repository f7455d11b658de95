"""Cleaning steps for real-world text: encoding repair, HTML removal, Unicode and whitespace
normalisation, language filter, minimum length.

Each step is a small named function ``str -> str`` (or a filter ``Document -> reason | None``);
a :class:`Cleaner` applies the chosen steps to a stream of records and counts, per step, how
many documents it changed or dropped, for the corpus manifest. :func:`explain` shows the output
of each step on one text, which makes bug reports easy.

Examples
--------
>>> from toolkit.corpus.clean import explain
>>> explain("Le gouvernement a dÃ©cidÃ©\\u200b  de rÃ©agir.", ["fix_encoding", "normalize"])[-1]
('normalize', 'Le gouvernement a décidé de réagir.')
"""

from __future__ import annotations

import dataclasses
import html
import logging
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from toolkit.corpus.documents import BadRecord, Document, Record
from toolkit.errors import ConfigError

log = logging.getLogger(__name__)

# Zero-width characters and bidirectional controls: invisible, they split words and break
# token matching (U+00AD soft hyphen included; U+00A0 no-break space is kept, it is French
# typography, and turned into a plain space only by ``normalize``'s whitespace rule).
_INVISIBLE = re.compile(
    "[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ufff9-\ufffb]"
)
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# runs of ordinary spaces and tabs; no-break and thin spaces (U+00A0, U+202F, U+2009) are French
# typography (« oui », 1 250 000, 10 %) that the tokenizer relies on, and are kept
_SPACES = re.compile(r"[ \t\f\v\u3000]{2,}|[\t\f\v\u3000]")
_MANY_NEWLINES = re.compile(r"\n{3,}")
_TAG = re.compile(r"<(script|style|noscript|iframe|template)\b.*?</\1\s*>|<!--.*?-->|<[^>]{0,2000}>", re.I | re.S)
_LOOKS_HTML = re.compile(r"<(?:p|br|div|span|a|b|i|em|strong|script|style|iframe|ul|li|h\d)\b[^>]*>", re.I)
_BLOCK_END = re.compile(r"</?(?:p|div|br|li|h\d|tr|blockquote|section|article)\b[^>]*>", re.I)

#: Lines that are navigation or boilerplate in French news pages and feeds, not content.
BOILERPLATE_LINE = re.compile(
    r"^\s*(?:lire aussi|lire également|à lire aussi|voir aussi|à voir aussi|"
    r"newsletter|abonnez-vous|inscrivez-vous|partager|partagez|"
    r"article réservé aux abonnés|réservé à nos abonnés|"
    r"nous utilisons des cookies|ce site utilise des cookies|accepter (?:et fermer|les cookies)|"
    r"publicité|continuer sans accepter|s'abonner|suivez-nous)\b.*$",
    re.IGNORECASE | re.MULTILINE,
)


# A UTF-8 lead byte read as cp1252/latin-1 (Ã, Â, â, Å, Ð…) followed by a continuation byte
# read the same way: the signature of mojibake. Texts without it skip ftfy (which is slow).
_CP1252_ONLY = ("\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014"
                "\u2018\u2019\u201a\u201c\u201d\u201e\u2020-\u2022\u2026\u2030\u2039\u203a"
                "\u20ac\u2122")  # fmt: skip
_MOJIBAKE_HINT = re.compile(
    f"[\u00c2\u00c3][\u0080-\u00bf{_CP1252_ONLY}]"
    f"|[\u00c4-\u00f4][\u0080-\u009f\u00a1-\u00bf{_CP1252_ONLY}]|[\u0080-\u009f]"
)


def fix_encoding(text: str) -> str:
    """Repair mojibake (``Ã©`` → ``é``, ``â€™`` → ``’``) with ftfy, keeping curly quotes.

    Examples
    --------
    >>> fix_encoding("Ã©tÃ© â€™")
    'été ’'
    """
    if not _MOJIBAKE_HINT.search(text):
        return text
    import ftfy

    cfg = ftfy.TextFixerConfig(uncurl_quotes=False, fix_character_width=False, explain=False,
                               normalization=None, max_decode_length=1_000_000)  # fmt: skip
    return ftfy.fix_text(text, config=cfg)


def strip_html(text: str) -> str:
    """Remove HTML tags, scripts, styles and iframes; unescape entities; keep paragraphs.

    Text without markup is returned unchanged (entities in plain text are left alone).

    Examples
    --------
    >>> strip_html("<p>Un <b>test</b>&nbsp;!</p><script>x()</script><p>Deux</p>")
    'Un test\\xa0!\\n\\nDeux'
    """
    if "<" not in text or not _LOOKS_HTML.search(text):
        return text
    text = _BLOCK_END.sub("\n\n", text)
    text = _TAG.sub("", text)
    text = html.unescape(text)
    return _MANY_NEWLINES.sub("\n\n", "\n".join(line.strip() for line in text.split("\n"))).strip()


def remove_boilerplate(text: str) -> str:
    """Drop whole lines that are navigation or boilerplate (« Lire aussi … », cookie banners).

    Examples
    --------
    >>> remove_boilerplate("Premier paragraphe.\\nLire aussi : un autre article\\nSuite.")
    'Premier paragraphe.\\nSuite.'
    """
    out = BOILERPLATE_LINE.sub("\x00", text)
    if "\x00" not in out:
        return text
    return "\n".join(line for line in out.split("\n") if line != "\x00").strip()


def normalize(text: str) -> str:
    """Unicode NFC, invisible and control characters removed, spaces collapsed, paragraphs kept.

    Runs of spaces and tabs become one space; no-break and thin spaces are kept (French
    typography); runs of blank lines become one blank line. Idempotent:
    ``normalize(normalize(t)) == normalize(t)``.

    Examples
    --------
    >>> normalize("  Le\\u00a0chat\\u200b  dort.\\r\\n\\r\\n\\r\\nFin  ")
    'Le\\xa0chat dort.\\n\\nFin'
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = unicodedata.normalize("NFC", text)
    text = _INVISIBLE.sub("", text)
    text = _CONTROL.sub(" ", text.replace("\t", " "))
    text = _SPACES.sub(" ", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    return _MANY_NEWLINES.sub("\n\n", text).strip()


def detect_language(text: str, sample: int = 2000) -> tuple[str, float]:
    """Language code and probability of ``text`` (py3langid, offline), from its first chars."""
    global _IDENTIFIER
    if _IDENTIFIER is None:
        from py3langid.langid import MODEL_FILE, LanguageIdentifier

        _IDENTIFIER = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    lang, prob = _IDENTIFIER.classify(text[:sample])
    return lang, float(prob)


_IDENTIFIER: Any = None

#: Text steps, by name, in the order they run.
TEXT_STEPS: dict[str, Callable[[str], str]] = {
    "fix_encoding": fix_encoding,
    "strip_html": strip_html,
    "boilerplate": remove_boilerplate,
    "normalize": normalize,
}
#: Steps run by default by ``fnt ingest`` (each changes only text that needs it).
DEFAULT_STEPS = ("fix_encoding", "strip_html", "normalize")


def explain(text: str, steps: Iterable[str] = tuple(TEXT_STEPS)) -> list[tuple[str, str]]:
    """The text after each step, as ``[(step, text), ...]`` (for bug reports and notebooks)."""
    out = []
    for name in steps:
        if name not in TEXT_STEPS:
            raise ConfigError(f"unknown cleaning step {name!r}; choose from {', '.join(TEXT_STEPS)}")
        text = TEXT_STEPS[name](text)
        out.append((name, text))
    return out


class Cleaner:
    """Apply cleaning steps and filters to a stream of records, counting what each one did.

    Parameters
    ----------
    steps : sequence of str
        Text steps from :data:`TEXT_STEPS`, applied to title and text in this order.
    language : str or None
        Keep only documents identified as this language (``"fr"``); others are dropped with
        reason ``wrong_language``. Texts shorter than 50 characters are not judged.
    min_language_prob : float
        Minimum probability for the language decision; below it the document is kept.
    min_length : int
        Drop documents whose cleaned text has fewer characters (reason ``too_short``).

    Attributes
    ----------
    changed_ : Counter
        Documents changed by each step.
    dropped_ : Counter
        Documents dropped, by reason.
    languages_ : Counter
        Detected languages (when ``language`` is set).
    """

    #: Reasons a cleaner drops a document; they are filters, not errors.
    REASONS = ("wrong_language", "too_short", "empty_after_cleaning")

    def __init__(
        self,
        steps: Iterable[str] = DEFAULT_STEPS,
        language: str | None = None,
        min_language_prob: float = 0.5,
        min_length: int = 0,
    ) -> None:
        self.steps = tuple(steps)
        self.language = language
        self.min_language_prob = min_language_prob
        self.min_length = min_length
        unknown = [s for s in self.steps if s not in TEXT_STEPS]
        if unknown:
            raise ConfigError(
                f"unknown cleaning step(s) {unknown}; choose from {', '.join(TEXT_STEPS)}"
            )
        self.changed_: Counter[str] = Counter()
        self.dropped_: Counter[str] = Counter()
        self.languages_: Counter[str] = Counter()
        self.seen_ = 0

    def clean_document(self, doc: Document) -> Document | str:
        """The cleaned document, or the reason it is dropped."""
        text, title = doc.text, doc.title
        for name in self.steps:
            step = TEXT_STEPS[name]
            new_text = step(text)
            new_title = step(title) if title else title
            if new_text != text or new_title != title:
                self.changed_[name] += 1
            text, title = new_text, new_title
        if not text.strip():
            return "empty_after_cleaning"
        if len(text) < self.min_length:
            return "too_short"
        meta = doc.meta
        if self.language:
            if len(text) >= 50:
                lang, prob = detect_language(text)
                self.languages_[lang] += 1
                if lang != self.language and prob >= self.min_language_prob:
                    return "wrong_language"
        if text is doc.text and title is doc.title:
            return doc
        return dataclasses.replace(doc, text=text, title=title or None, meta=meta)

    def filter(self, records: Iterable[Record]) -> Iterator[Record]:
        """Yield cleaned records; dropped documents become BadRecords with a filter reason."""
        for rec in records:
            if rec.document is None:
                yield rec
                continue
            self.seen_ += 1
            out = self.clean_document(rec.document)
            if isinstance(out, str):
                self.dropped_[out] += 1
                problem = {
                    "wrong_language": f"not in the requested language ({self.language})",
                    "too_short": f"shorter than {self.min_length} characters after cleaning",
                    "empty_after_cleaning": "empty after cleaning",
                }[out]
                yield Record(
                    bad=BadRecord(rec.path, rec.line, out, problem, rec.document.id),
                    path=rec.path,
                    line=rec.line,
                )
            else:
                yield Record(document=out, path=rec.path, line=rec.line)

    def report(self) -> dict[str, Any]:
        """Settings and counts for the manifest."""
        return {
            "steps": list(self.steps),
            "language": self.language,
            "min_length": self.min_length,
            "documents_seen": self.seen_,
            "changed": {s: self.changed_.get(s, 0) for s in self.steps},
            "dropped": dict(self.dropped_),
            "languages": dict(self.languages_.most_common(20)),
        }
