"""Stage 3, annotation: French normalisation, tokenisation, lemmas, parts of speech, entities.

Takes a corpus directory (or a string, or a file); gives the token table
(``tokens.parquet``, one row per syntactic word, :mod:`~toolkit.annotation.table`) and
``annotation.json``, or CoNLL-U.

Modules:

* :mod:`~toolkit.annotation.normalise` — typographic normalisation in named steps (:func:`explain`);
* :mod:`~toolkit.annotation.tokenise` — tokens, syntactic words, sentences (UD French conventions);
* :mod:`~toolkit.annotation.taggers` — the ``fast`` and ``accurate`` backends (:func:`get_tagger`),
  with :mod:`~toolkit.annotation.features` (the fast model's features),
  :mod:`~toolkit.annotation.lemmas` (lemma rules) and :mod:`~toolkit.annotation.corrections`
  (UPOS fixes, entity typing);
* :mod:`~toolkit.annotation.annotate` — texts and corpora → token table or CoNLL-U;
* :mod:`~toolkit.annotation.conllu` — reading CoNLL-U;
* :mod:`~toolkit.annotation.evaluation` — scores against UD gold (CoNLL 2018 measures);
* :mod:`~toolkit.annotation.entity_eval` — entity F1 against token-per-line IOB gold;
* :mod:`~toolkit.annotation.explore` — concordances (KWIC), entities and counts for notebooks.
"""

from __future__ import annotations

from toolkit._lazy import lazy_exports

_EXPORTS = {
    "normalize": "toolkit.annotation.normalise",
    "explain": "toolkit.annotation.normalise",
    "tokenize": "toolkit.annotation.tokenise",
    "sentences": "toolkit.annotation.tokenise",
    "get_tagger": "toolkit.annotation.taggers",
    "WordAnnotation": "toolkit.annotation.taggers",
    "annotate_text": "toolkit.annotation.annotate",
    "annotate_corpus": "toolkit.annotation.annotate",
    "read_conllu": "toolkit.annotation.conllu",
    "evaluate_annotation": "toolkit.annotation.evaluation",
    "kwic": "toolkit.annotation.explore",
}

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())

__all__ = sorted(_EXPORTS)
