"""Stages 5–6, models and evaluation: topic models with one estimator interface, one output type.

Takes the bag of words (:class:`toolkit.vocabulary.BagOfWords`); gives a
:class:`TopicModelOutput` (topic–term, document–topic, vocabulary, term frequencies, document
lengths), saved as ``model/`` with ``topics.json`` and ``document_topics.csv``. Evaluation
(:mod:`toolkit.topics.evaluation`: coherence, diversity, stability, agreement with labels), k
selection, seeded themes, labels and prevalence read only that output.

Backends (:mod:`toolkit.topics.models`): gensim LDA (default, repeatable), gensim LdaMulticore
(opt-in, not repeatable), scikit-learn LDA and NMF, tomotopy LDA (optional). Every fitted model
gives a :class:`TopicModelOutput`; evaluation, pyLDAvis and reports read only that.

Public names are imported lazily (no heavy import when ``toolkit.topics`` is imported).
"""

from __future__ import annotations

from toolkit._lazy import lazy_exports

_EXPORTS = {
    "TopicModelOutput": "toolkit.topics.base",
    "TopicModel": "toolkit.topics.base",
    "GensimLDA": "toolkit.topics.gensim_lda",
    "SklearnLDA": "toolkit.topics.sklearn_models",
    "NMFModel": "toolkit.topics.sklearn_models",
    "TomotopyLDA": "toolkit.topics.tomotopy_lda",
    "make_model": "toolkit.topics.models",
    "MODELS": "toolkit.topics.models",
    "load_output": "toolkit.topics.io",
    "load_model": "toolkit.topics.io",
    "load_bow": "toolkit.topics.io",
    "write_output": "toolkit.topics.io",
    "TopicsConfig": "toolkit.topics.pipeline",
    "train_topics": "toolkit.topics.pipeline",
    "load_themes": "toolkit.topics.themes",
    "theme_shares": "toolkit.topics.themes",
    "seed_retention": "toolkit.topics.themes",
    "relevant_terms": "toolkit.topics.describe",
    "auto_labels": "toolkit.topics.describe",
    "describe_topics": "toolkit.topics.describe",
    "representative_documents": "toolkit.topics.describe",
    "topic_prevalence": "toolkit.topics.prevalence",
    "select_k": "toolkit.topics.select",
}


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())


__all__ = sorted(_EXPORTS)
