"""French News Toolkit: corpora, French annotation, topic models and embeddings for news.

Public names are re-exported here lazily, so ``import toolkit`` stays cheap and has no side
effects.
"""

from __future__ import annotations

from toolkit._lazy import lazy_exports

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS: dict[str, str] = {
    "Document": "toolkit.corpus.documents",
    "Corpus": "toolkit.corpus.documents",
    "read_documents": "toolkit.corpus.readers",
    "ingest": "toolkit.corpus.ingest",
    "corpus_info": "toolkit.corpus.ingest",
    "Cleaner": "toolkit.corpus.clean",
    "Deduplicator": "toolkit.corpus.dedup",
    "collect_feeds": "toolkit.corpus.sources.collect",
    "load_config": "toolkit.experiment.config",
    "run_experiment": "toolkit.experiment.runner",
    "build_report": "toolkit.report",
    "kwic": "toolkit.annotation.explore",
    "get_tagger": "toolkit.annotation.taggers",
    "WordAnnotation": "toolkit.annotation.taggers",
    "normalize": "toolkit.annotation.normalise",
    "explain": "toolkit.annotation.normalise",
    "tokenize": "toolkit.annotation.tokenise",
    "sentences": "toolkit.annotation.tokenise",
    "annotate_text": "toolkit.annotation.annotate",
    "annotate_corpus": "toolkit.annotation.annotate",
    "read_conllu": "toolkit.annotation.conllu",
    "evaluate_annotation": "toolkit.annotation.evaluation",
    "VocabularyConfig": "toolkit.vocabulary.config",
    "TokenStream": "toolkit.vocabulary.stream",
    "BagOfWords": "toolkit.vocabulary.bow",
    "build_bow": "toolkit.vocabulary.bow",
    "default_stopwords": "toolkit.vocabulary.config",
    "TopicModelOutput": "toolkit.topics.base",
    "GensimLDA": "toolkit.topics.gensim_lda",
    "SklearnLDA": "toolkit.topics.sklearn_models",
    "NMFModel": "toolkit.topics.sklearn_models",
    "TopicsConfig": "toolkit.topics.pipeline",
    "train_topics": "toolkit.topics.pipeline",
    "load_output": "toolkit.topics.io",
    "theme_shares": "toolkit.topics.themes",
    "topic_prevalence": "toolkit.topics.prevalence",
    "select_k": "toolkit.topics.select",
    "ReferenceCorpus": "toolkit.topics.evaluation",
    "npmi_coherence": "toolkit.topics.evaluation",
    "topic_diversity": "toolkit.topics.evaluation",
    "Word2VecModel": "toolkit.embeddings.models",
    "FastTextModel": "toolkit.embeddings.models",
    "Doc2VecModel": "toolkit.embeddings.models",
    "PeriodEmbeddings": "toolkit.embeddings.periods",
    "embedding_coherence": "toolkit.embeddings.coherence",
    "nearest_topic_terms": "toolkit.embeddings.coherence",
}


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())


__all__ = sorted(_EXPORTS)
