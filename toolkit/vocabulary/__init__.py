"""Vocabulary and bag of words from the token table.

The token table (``DIR/tokens.parquet``, written by :func:`toolkit.annotation.annotate.annotate_corpus`)
holds one row per syntactic word. This module turns it into what topic models and embeddings
read, in small named steps that :func:`explain` shows one by one:

1. ``select``: keep the chosen unit (``lemma``, ``norm`` or ``form``), lowercased;
2. ``merge_entities``: join multi-word entity spans (``ent_id``) into one token
   (``Xi Jinping`` -> ``xi_jinping``); when the annotation has no entities at all, runs of
   consecutive ``PROPN`` words are joined instead;
3. ``filter``: drop punctuation/symbols, numbers (``keep_numbers=False``), words shorter than
   ``min_length``, stop words (matched on the unit *and* the lowercased form), news boilerplate
   (single words and multi-word sequences such as « lire aussi ») and, when ``pos`` is given,
   other parts of speech. Dropped words cut the sentence into *segments*, except French
   connector words (de, du, des, la, le, l', d', en, à, au, aux, pour, sur…), which are kept
   inside segments so that phrases can span them;
4. ``phrases``: gensim :class:`~gensim.models.phrases.Phrases` learned on those segments in one
   streamed pass (``droits de douane`` -> ``droit_de_douane`` with lemmas), cached next to the
   token table with the settings that made it (``phrases-<hash>.pkl``);
5. connector words left alone after phrasing are dropped.

Modules: :mod:`~toolkit.vocabulary.config` (settings, stop lists),
:mod:`~toolkit.vocabulary.steps` (the steps), :mod:`~toolkit.vocabulary.stream`
(:class:`TokenStream`, :func:`explain`), :mod:`~toolkit.vocabulary.bow` (:class:`BagOfWords`,
:func:`build_bow`). Stop-list design: :mod:`toolkit.vocabulary.config`.

The bag of words (:class:`BagOfWords`) is one artifact: a gensim ``Dictionary``, a sparse
document-term matrix (``bow.npz``), the document ids and the settings that made them.
Streaming: the token table is read by record batches, so memory holds one batch, the phrase
model, the dictionary and the sparse matrix being built — not the documents.

Examples
--------
>>> from toolkit.vocabulary import VocabularyConfig, TokenStream, build_bow
>>> stream = TokenStream("runs/demo/corpus", VocabularyConfig())   # doctest: +SKIP
>>> doc_id, tokens = next(iter(stream))                             # doctest: +SKIP
>>> bow = build_bow("runs/demo/corpus", VocabularyConfig())         # doctest: +SKIP
>>> bow.matrix.shape                                                # doctest: +SKIP
(157, 412)
"""

from __future__ import annotations

from toolkit._lazy import lazy_exports

_EXPORTS = {
    "VocabularyConfig": "toolkit.vocabulary.config",
    "default_stopwords": "toolkit.vocabulary.config",
    "default_boilerplate": "toolkit.vocabulary.config",
    "UNITS": "toolkit.vocabulary.config",
    "TokenStream": "toolkit.vocabulary.stream",
    "explain": "toolkit.vocabulary.stream",
    "iter_document_rows": "toolkit.vocabulary.steps",
    "BagOfWords": "toolkit.vocabulary.bow",
    "GensimBow": "toolkit.vocabulary.bow",
    "build_bow": "toolkit.vocabulary.bow",
    "bow_from_token_lists": "toolkit.vocabulary.bow",
    "tokens_path": "toolkit.annotation.table",
    "require_tokens": "toolkit.annotation.table",
}

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())

__all__ = sorted(_EXPORTS)
