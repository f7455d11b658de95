"""Word and document embeddings over the corpus: Word2Vec, FastText and Doc2Vec (gensim).

Three estimators wrap gensim so nothing trains in a constructor:

* :class:`Word2VecModel` — skip-gram (``architecture="skipgram"``) or CBOW;
* :class:`FastTextModel` — Word2Vec with character n-gram (subword) vectors, so an inflected
  French form never seen in training (*sanctionnerions*) still gets a vector;
* :class:`Doc2VecModel` — paragraph vectors, PV-DBOW (``mode="dbow"``) or PV-DM
  (``mode="dm"``); the document tags are the corpus document ids.

``fit`` accepts a corpus directory (tokens come from :class:`toolkit.vocabulary.TokenStream`
with the model's ``tokens`` settings: lemmas or forms, phrases and merged entities such as
``xi_jinping`` as single tokens, stop words) or any *re-iterable* of token lists, of
``(doc_id, tokens)`` pairs or of gensim ``TaggedDocument``. The corpus is never held in
memory: one pass writes the selected tokens to a plain-text cache in gensim's
``LineSentence`` format (one document a line, tokens separated by spaces; for Doc2Vec the
document id first, then a tab), and gensim trains from that file. Reading the cache costs
next to nothing, so training runs at the speed of gensim on an in-memory list; with
``workers > 1`` gensim's ``corpus_file`` mode reads it with one thread per worker.

Repeatability: with the same ``random_state`` and ``workers=1`` (the default) training gives
the same vectors, run after run. gensim's documentation adds that reproducibility between
interpreter launches also requires fixing ``PYTHONHASHSEED``; in gensim 4 vector
initialisation no longer uses Python's string hash, and the toolkit's tests check that two
launches with different ``PYTHONHASHSEED`` give identical vectors, but set it if you need a
guarantee across gensim versions. With ``workers > 1`` the order in which threads update the
vectors depends on the OS scheduler, so results vary slightly from run to run.

Exploration (for notebooks) returns pandas DataFrames: :meth:`~EmbeddingModel.neighbours`
(with each neighbour's corpus frequency, to spot noise from rare words),
:meth:`~EmbeddingModel.analogy`, :meth:`~EmbeddingModel.similarity`,
:meth:`~EmbeddingModel.similar_documents`, :meth:`~EmbeddingModel.word_map` and
:meth:`~EmbeddingModel.document_map` (PCA or t-SNE), plus :class:`PeriodEmbeddings` for a
word's neighbours month by month, and :func:`embedding_coherence` /
:func:`nearest_topic_terms` to check topic labels against the vector space.

Examples
--------
>>> from toolkit.embeddings import Word2VecModel
>>> model = Word2VecModel(random_state=1).fit("runs/demo/corpus")     # doctest: +SKIP
>>> model.neighbours("gaz", topn=3)                                    # doctest: +SKIP
       term  similarity  count
0   pétrole       0.83     41
1   gazier        0.79     12
2  énergie        0.77     57
>>> model.save("runs/demo/w2v")                                        # doctest: +SKIP
"""

from __future__ import annotations

from toolkit._lazy import lazy_exports

_EXPORTS = {
    "EmbeddingModel": "toolkit.embeddings.models",
    "Word2VecModel": "toolkit.embeddings.models",
    "FastTextModel": "toolkit.embeddings.models",
    "Doc2VecModel": "toolkit.embeddings.models",
    "make_model": "toolkit.embeddings.models",
    "load_model": "toolkit.embeddings.models",
    "MODEL_KINDS": "toolkit.embeddings.base",
    "TokenCache": "toolkit.embeddings.cache",
    "token_stream": "toolkit.embeddings.cache",
    "DEFAULT_TOKENS": "toolkit.embeddings.cache",
    "PeriodEmbeddings": "toolkit.embeddings.periods",
    "project_2d": "toolkit.embeddings.base",
    "embedding_coherence": "toolkit.embeddings.coherence",
    "nearest_topic_terms": "toolkit.embeddings.coherence",
}

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())

__all__ = sorted(_EXPORTS)
