"""French News Toolkit: corpora, French annotation, topic models and embeddings for news.

Public names are re-exported here lazily, so ``import toolkit`` stays cheap and has no side
effects.
"""

from __future__ import annotations

from toolkit._lazy import lazy_exports

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS: dict[str, str] = {
    "Document": "toolkit.documents",
    "Corpus": "toolkit.documents",
    "read_documents": "toolkit.documents",
    "ingest": "toolkit.ingest",
    "corpus_info": "toolkit.ingest",
    "Cleaner": "toolkit.sources.clean",
    "Deduplicator": "toolkit.sources.dedup",
    "collect_feeds": "toolkit.sources.collect",
    "load_config": "toolkit.experiment",
    "run_experiment": "toolkit.experiment",
    "build_report": "toolkit.report",
    "kwic": "toolkit.explore",
    "get_tagger": "toolkit.taggers",
    "WordAnnotation": "toolkit.taggers",
    "normalize": "toolkit.french",
    "explain": "toolkit.french",
    "tokenize": "toolkit.french",
    "sentences": "toolkit.french",
    "annotate_text": "toolkit.annotate",
    "annotate_corpus": "toolkit.annotate",
    "read_conllu": "toolkit.conllu",
    "evaluate_annotation": "toolkit.evaluate_annotation",
    "VocabularyConfig": "toolkit.vocabulary",
    "TokenStream": "toolkit.vocabulary",
    "BagOfWords": "toolkit.vocabulary",
    "build_bow": "toolkit.vocabulary",
    "default_stopwords": "toolkit.vocabulary",
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
    "ReferenceCorpus": "toolkit.evaluate",
    "npmi_coherence": "toolkit.evaluate",
    "topic_diversity": "toolkit.evaluate",
    "Word2VecModel": "toolkit.embeddings",
    "FastTextModel": "toolkit.embeddings",
    "Doc2VecModel": "toolkit.embeddings",
    "PeriodEmbeddings": "toolkit.embeddings",
    "embedding_coherence": "toolkit.embeddings",
    "nearest_topic_terms": "toolkit.embeddings",
}


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())


__all__ = sorted(_EXPORTS)
