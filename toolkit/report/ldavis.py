"""pyLDAvis adapter: the topic model output → an offline, self-contained LDAvis view.

pyLDAvis normally loads d3 and its own script from a CDN and renumbers topics by size. Here
both scripts and the style sheet are inlined from the installed package (its ``js/``
directory), so the view works without a network, and topics keep the model's order
(``sort_topics=False``). pyLDAvis numbers topics from 1: LDAvis topic *n* is the report's
topic ``n - 1`` (``topic_{n-1}`` in the tables); the report says so next to the view.

A topic with no mass (all-zero row in the document–topic matrix, or a zero/NaN row in the
topic–term matrix) makes pyLDAvis produce NaN coordinates; :func:`prepare` adds a tiny floor
and renormalises first.

Examples
--------
>>> from toolkit.report.ldavis import prepare, to_html
>>> vis = prepare(topic_term, doc_topic, doc_lengths, vocab, term_frequency)  # doctest: +SKIP
>>> html = to_html(vis, visid="ldavis")                                          # doctest: +SKIP
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from toolkit.errors import ModelError, NotInstalledError

#: Floor added to every probability before renormalising (keeps empty topics drawable).
FLOOR = 1e-12


def _js_dir() -> Path:
    try:
        import pyLDAvis
    except ImportError:  # pragma: no cover - pyLDAvis is a dependency
        raise NotInstalledError("pyLDAvis is not installed: pip install pyLDAvis") from None
    return Path(pyLDAvis.__path__[0]) / "js"


def assets() -> dict[str, str]:
    """The d3 script, the LDAvis script and style sheet shipped with pyLDAvis (text)."""
    from pyLDAvis import urls

    return {
        "d3": Path(urls.D3_LOCAL).read_text(encoding="utf-8"),
        "ldavis": Path(urls.LDAVIS_LOCAL).read_text(encoding="utf-8"),
        "css": Path(urls.LDAVIS_CSS_LOCAL).read_text(encoding="utf-8"),
    }


def _normalise_rows(m):
    import numpy as np

    m = np.nan_to_num(np.asarray(m, dtype=np.float64), nan=0.0, posinf=0.0, neginf=0.0)
    m = np.clip(m, 0.0, None) + FLOOR
    return m / m.sum(axis=1, keepdims=True)


def prepare(
    topic_term: Any,
    doc_topic: Any,
    doc_lengths: Sequence[int],
    vocabulary: Sequence[str],
    term_frequency: Sequence[float],
    *,
    n_terms: int = 30,
    lambda_step: float = 0.05,
):
    """Run ``pyLDAvis.prepare`` with the model's topic order and safe inputs.

    Parameters
    ----------
    topic_term : array, shape (n_topics, n_terms)
    doc_topic : array, shape (n_documents, n_topics)
    doc_lengths : sequence of int, length n_documents
    vocabulary : sequence of str, length n_terms
    term_frequency : sequence of float, length n_terms
    n_terms : int
        Terms shown per topic (pyLDAvis ``R``).

    Returns
    -------
    pyLDAvis.PreparedData
    """
    import numpy as np
    import pyLDAvis

    tt = _normalise_rows(topic_term)
    dt = _normalise_rows(doc_topic)
    lengths = np.asarray(doc_lengths, dtype=np.float64)
    tf = np.asarray(term_frequency, dtype=np.float64)
    if tt.shape[1] != len(vocabulary) or tf.shape[0] != len(vocabulary):
        raise ModelError(
            f"topic–term matrix has {tt.shape[1]} terms, vocabulary {len(vocabulary)}, "
            f"term frequencies {tf.shape[0]}: the model output is inconsistent"
        )
    if dt.shape[0] != lengths.shape[0] or dt.shape[1] != tt.shape[0]:
        raise ModelError(
            f"document–topic matrix {dt.shape} does not match {lengths.shape[0]} document lengths "
            f"and {tt.shape[0]} topics"
        )
    lengths = np.maximum(lengths, 1.0)  # pyLDAvis divides by the corpus size
    tf = np.maximum(tf, FLOOR)
    return pyLDAvis.prepare(
        topic_term_dists=tt,
        doc_topic_dists=dt,
        doc_lengths=lengths,
        vocab=[str(v) for v in vocabulary],
        term_frequency=tf,
        R=min(n_terms, len(vocabulary)),
        lambda_step=lambda_step,
        sort_topics=False,
        n_jobs=1,
        start_index=1,
    )


def _script_safe(text: str) -> str:
    """Make text safe inside a ``<script>`` element (no ``</script>`` or ``<!--``)."""
    return re.sub(r"</(script)", r"<\\/\1", text, flags=re.IGNORECASE).replace("<!--", "<\\!--")


def json_for_script(obj: Any) -> str:
    """JSON with ``<``, ``>``, ``&`` and line separators escaped, safe inside ``<script>``."""
    s = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (s.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))  # fmt: skip


def vis_data(prepared) -> dict[str, Any]:
    """The PreparedData as the plain dict LDAvis reads (NaN replaced by 0)."""
    data = json.loads(prepared.to_json().replace("NaN", "0"))
    return data


def to_html(prepared, visid: str = "ldavis", include_libraries: bool = True) -> str:
    """An HTML fragment drawing the view offline: inlined d3, LDAvis script and style.

    Parameters
    ----------
    prepared : pyLDAvis.PreparedData
    visid : str
        Id of the container ``<div>`` (letters, digits, ``-`` and ``_``).
    include_libraries : bool
        Inline d3 and LDAvis (set False when the page already includes them).
    """
    if not re.fullmatch(r"[A-Za-z][\w-]*", visid):
        raise ValueError(f"visid must be letters, digits, '-' or '_', not {visid!r}")
    a = assets()
    parts = [f"<style>{_script_safe(a['css'])}</style>"]
    if include_libraries:
        parts.append(f"<script>{_script_safe(a['d3'])}</script>")
        parts.append(f"<script>{_script_safe(a['ldavis'])}</script>")
    parts.append(f'<div id="{visid}" class="ldavis-container" style="background-color:white;"></div>')
    parts.append(
        "<script>(function(){var data=" + json_for_script(vis_data(prepared)) + ";"
        f'new LDAvis("#{visid}", data);}})();</script>'
    )
    return "\n".join(parts)


def from_output(output: Any, n_terms: int = 30):
    """:func:`prepare` from a topic model output (see :mod:`toolkit.report.data`)."""
    from toolkit.report.data import output_arrays

    a = output_arrays(output)
    vocab = a["vocabulary"]
    shown = list(getattr(output, "display", None) or [])
    if len(shown) == len(vocab):  # display forms, the key where two terms would look alike
        seen: set[str] = set()
        vocab = [d if d not in seen and not seen.add(d) else v for d, v in zip(shown, vocab, strict=True)]
    return prepare(a["topic_term"], a["doc_topic"], a["doc_lengths"], vocab,
                   a["term_frequency"], n_terms=n_terms)  # fmt: skip


def display(output: Any, n_terms: int = 30):
    """Show the LDAvis view inline in Jupyter, offline (scripts inlined)."""
    import uuid

    from IPython.display import HTML

    return HTML(to_html(from_output(output, n_terms), visid=f"ldavis-{uuid.uuid4().hex[:8]}"))
