"""Config -> trained topic model -> run directory (what ``fnt topics train`` does)."""

from __future__ import annotations

import dataclasses
import logging
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.errors import ConfigError, ModelError
from toolkit.vocabulary.config import VocabularyConfig

log = logging.getLogger(__name__)


@dataclass
class TopicsConfig:
    """Settings of a topic-model run (the ``[topics]`` table of a config file).

    Parameters
    ----------
    model : str
        Backend: ``lda`` (default: tomotopy Gibbs LDA with an NMF-informed prior, switching to a
        pseudo-document model for short texts; repeatable), ``gensim-lda`` (the previous
        default), ``lda-multicore`` (not repeatable), ``sklearn-lda``, ``nmf``.
    k : int
        Number of topics.
    seed : int
        Random state of every random step.
    themes : None, "default", path or table
        Seeded themes (``lda`` and ``gensim-lda``): each reserves one topic.
    params : dict
        Backend parameters (e.g. ``iterations``, ``nmf_prior``, ``term_weight`` for ``lda``;
        unknown names are an error that lists the valid ones).
    relevance_lambda : float
        λ ranking the terms written to ``topics.json``: 1.0 (default) ranks them by
        probability, the ranking of every quality figure; below 1, pyLDAvis relevance (0.6 is
        the usual reading value).
    vocabulary : VocabularyConfig
        The ``[vocabulary]`` table.
    """

    model: str = "lda"
    k: int = 20
    seed: int = 0
    themes: Any = None
    params: dict[str, Any] = field(default_factory=dict)
    relevance_lambda: float = 1.0
    vocabulary: VocabularyConfig = field(default_factory=VocabularyConfig)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TopicsConfig:
        """From a parsed config: top-level ``[topics]`` and ``[vocabulary]`` tables."""
        data = dict(data)
        vocab = VocabularyConfig.from_dict(data.pop("vocabulary", {}) or {})
        topics = dict(data.pop("topics", {}) or {})
        if data:
            raise ConfigError(f"unknown config table(s): {', '.join(sorted(data))}; expected [topics] and [vocabulary]")
        names = {f.name for f in dataclasses.fields(cls)} - {"vocabulary"}
        unknown = sorted(set(topics) - names)
        if unknown:
            raise ConfigError(f"unknown [topics] setting(s): {', '.join(unknown)}; known: {', '.join(sorted(names))}")
        cfg = cls(vocabulary=vocab, **topics)
        cfg.validate()
        return cfg

    @classmethod
    def from_file(cls, path: str | Path) -> TopicsConfig:
        p = Path(path)
        if not p.is_file():
            raise ConfigError(f"config file not found: {p}")
        try:
            return cls.from_dict(tomllib.loads(p.read_text(encoding="utf-8")))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{p}: invalid TOML ({exc})") from exc

    def validate(self) -> None:
        from toolkit.topics.models import make_model

        if not isinstance(self.k, int) or self.k < 1:
            raise ConfigError(f"k must be a positive integer, not {self.k!r}")
        if not isinstance(self.relevance_lambda, int | float) or not 0 <= self.relevance_lambda <= 1:
            raise ConfigError(f"relevance_lambda must be a number in [0, 1] (0.6 is usual), not {self.relevance_lambda!r}")
        if self.themes is not None and self.model not in ("lda", "tomotopy", "tomotopy-lda", "gensim", "gensim-lda"):
            raise ConfigError("seeded themes need an LDA backend (model = 'lda' or 'gensim-lda')")
        params = dict(self.params)
        if self.themes is not None:
            params["themes"] = self.themes
        make_model(self.model, self.k, self.seed, **params)

    def to_dict(self) -> dict[str, Any]:
        return {"topics": {"model": self.model, "k": self.k, "seed": self.seed, "themes": self.themes,
                           "params": dict(self.params), "relevance_lambda": self.relevance_lambda},
                "vocabulary": self.vocabulary.to_dict()}  # fmt: skip

    def estimator(self):
        from toolkit.topics.models import make_model

        params = dict(self.params)
        if self.themes is not None:
            params["themes"] = self.themes
        return make_model(self.model, self.k, self.seed, **params)


def ensure_tokens(corpus_dir: str | Path, progress: bool = False) -> Path:
    """Annotate the corpus (default fast mode) when it has no token table yet."""
    from toolkit.annotation.table import tokens_path
    from toolkit.corpus.documents import Corpus

    corpus = Corpus(corpus_dir)
    path = tokens_path(corpus.directory)
    if not path.is_file():
        from toolkit.annotation.annotate import annotate_corpus

        log.info("%s has no token table: annotating it (fast mode) first", corpus.directory)
        annotate_corpus(corpus.directory, mode="fast", progress=progress)
    return path


def fit_model(est, bow, corpus_dir: str | Path | None = None, executor: Any = None):
    """Fit ``est`` on ``bow``; a covariate-aware model (``covariate`` parameter, e.g. DMR) gets
    each document's value of that metadata field from the corpus as ``y``. A distributable
    model (``batch-lda``) runs its E-step on ``executor``'s workers when one is given; other
    backends train in this process."""
    field = getattr(est, "covariate", None)
    if field is None:
        if executor is not None and getattr(est, "distributable", False):
            return est.fit(bow, executor=executor)
        return est.fit(bow)
    if corpus_dir is None:
        raise ConfigError(f"{est.name} needs the corpus metadata ({field!r}) but no corpus directory was given")
    from toolkit.topics.runs import document_metadata

    meta = document_metadata(corpus_dir)
    if field not in meta.columns or field == "doc_id":
        from toolkit.topics.effects import available_fields

        raise ConfigError(f"unknown covariate field {field!r} for {est.name}; available fields: "
                          + ", ".join(available_fields(meta)))  # fmt: skip
    values = dict(zip(meta["doc_id"], meta[field], strict=True))
    return est.fit(bow, [values.get(d) for d in bow.doc_ids])


def train_topics(
    corpus_dir: str | Path,
    config: TopicsConfig,
    out: str | Path,
    *,
    force: bool = False,
    progress: bool = False,
):
    """Train the configured model on a corpus directory and write a run directory.

    Returns
    -------
    (estimator, TopicModelOutput, manifest dict)
    """
    from toolkit.runtime import (
        atomic_directory,
        peak_memory_mb,
        sha256_file,
        stable_hash,
        write_json,
    )
    from toolkit.topics.io import manifest_fields, write_output
    from toolkit.vocabulary.bow import build_bow

    t0 = time.perf_counter()
    tokens = ensure_tokens(corpus_dir, progress=progress)
    t1 = time.perf_counter()
    bow = build_bow(corpus_dir, config.vocabulary, progress=progress)
    t2 = time.perf_counter()
    if config.k > bow.n_documents:
        raise ModelError(
            f"k={config.k} topics is more than the {bow.n_documents} documents left after filtering: "
            f"choose --k {max(2, bow.n_documents // 5)} or fewer"
        )
    est = fit_model(config.estimator(), bow, corpus_dir)
    t3 = time.perf_counter()
    output = est.output()
    manifest = manifest_fields(
        config=config.to_dict(), seed=config.seed, model=output.info,
        corpus={"directory": str(Path(corpus_dir).resolve()),
                "documents_sha256": sha256_file(Path(tokens).parent / "documents.parquet"),
                "tokens_sha256": sha256_file(tokens)},
        config_hash=stable_hash(config.to_dict()),
        vocabulary=bow.stats, themes=getattr(est, "seed_report_", {}) or {},
        timings={"annotate_s": round(t1 - t0, 2), "bow_s": round(t2 - t1, 2), "train_s": round(t3 - t2, 2)},
    )  # fmt: skip
    with atomic_directory(out, overwrite=force) as tmp:
        write_output(tmp, output, config.relevance_lambda)
        bow.save(tmp / "bow")
        est.save(tmp / "model")
        manifest["timings"]["total_s"] = round(time.perf_counter() - t0, 2)
        manifest["peak_memory_mb"] = peak_memory_mb()
        write_json(tmp / "manifest.json", manifest)
    return est, output, manifest
