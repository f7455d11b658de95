"""The stages of a run and the stage cache: each stage's directory is named by the content hash
of its inputs and settings, built in a temporary directory and renamed into place when complete."""

from __future__ import annotations

import contextlib
import inspect
import logging
import os
import shutil
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.errors import ConfigError, StageMissingError
from toolkit.experiment.config import (
    _COHERENCE,
    _EXECUTION_ONLY,
    STAGE_FILE,
    STAGE_FORMAT,
    ExperimentConfig,
    _embedding_class,
)

log = logging.getLogger(__name__)

# --------------------------------------------------------------------------- stage cache


class StageCache:
    """Stage directories named by the content hash of their inputs and settings.

    Parameters
    ----------
    root : path
        Directory holding the stage directories (``<stage>-<hash16>/``).

    Notes
    -----
    A stage directory is complete when it exists: it is built under a temporary name and
    renamed into place, with its ``stage.json`` inside. Leftover temporary directories of a
    killed run are removed by :meth:`clean`. Two runs must not share a cache at the same
    time; :meth:`lock` enforces it.
    """

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def path(self, stage: str, key: str) -> Path:
        return self.root / f"{stage}-{key.split(':')[-1][:16]}"

    def get(self, stage: str, key: str) -> Path | None:
        p = self.path(stage, key)
        return p if (p / STAGE_FILE).is_file() else None

    def clean(self) -> list[Path]:
        """Remove temporary directories left by interrupted runs; return them."""
        removed = []
        if self.root.is_dir():
            for p in self.root.iterdir():
                if p.name.startswith(".") and (p.name.endswith(".tmp") or ".old-" in p.name):
                    shutil.rmtree(p, ignore_errors=True) if p.is_dir() else p.unlink(missing_ok=True)
                    removed.append(p)
        return removed

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold an exclusive lock on the cache for the duration (released even on kill -9)."""
        import fcntl

        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".lock", "w") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise ConfigError(
                    f"another run is using the stage cache {self.root}; wait for it or use --cache"
                ) from None
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    @contextlib.contextmanager
    def build(self, stage: str, key: str, settings: Mapping[str, Any]) -> Iterator[Path]:
        """Yield a temporary directory; on success it becomes the stage directory."""
        from toolkit.runtime import atomic_directory, now_iso, write_json

        t0 = time.perf_counter()
        with atomic_directory(self.path(stage, key), overwrite=True) as tmp:
            yield tmp
            write_json(tmp / STAGE_FILE, {"stage": stage, "key": key, "settings": dict(settings),
                                          "finished": now_iso(),
                                          "seconds": round(time.perf_counter() - t0, 3)})  # fmt: skip


# --------------------------------------------------------------------------- run


@dataclass
class StageRecord:
    name: str
    key: str
    path: Path
    cached: bool
    seconds: float
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self, base: Path) -> dict[str, Any]:
        try:
            where = os.path.relpath(self.path, base)
        except ValueError:
            where = str(self.path)
        return {"stage": self.name, "key": self.key, "path": where, "cached": self.cached,
                "seconds": round(self.seconds, 3), **self.extra}  # fmt: skip


@dataclass
class RunResult:
    """What :func:`run` made.

    Attributes
    ----------
    run_dir : Path
    manifest : dict
    stages : dict of str to Path
        Stage name → its directory in the cache.
    report : Path or None
        ``run_dir/report/index.html``.
    """

    run_dir: Path
    manifest: dict[str, Any]
    stages: dict[str, Path]
    report: Path | None

    @property
    def corpus_dir(self) -> Path:
        """The annotated corpus directory (documents.parquet + tokens.parquet)."""
        return self.stage("annotation") / "corpus"

    def output(self):
        """The topic model output (:class:`toolkit.topics.TopicModelOutput`)."""
        from toolkit.topics.io import load_output

        return load_output(self.run_dir / "model")

    def stage(self, name: str) -> Path:
        if name not in self.stages:
            raise StageMissingError(f"stage {name!r} did not run in {self.run_dir}")
        return self.stages[name]


class _Runner:
    def __init__(self, cfg: ExperimentConfig, run_dir: Path, cache: StageCache, force: bool,
                 progress: bool, executor: Any = None) -> None:  # fmt: skip
        from toolkit.distributed.executor import LocalExecutor

        self.cfg = cfg
        self.run_dir = run_dir
        self.cache = cache
        self.force = force
        self.progress = progress
        self.executor = executor if executor is not None else LocalExecutor()
        self.records: list[StageRecord] = []
        self.paths: dict[str, Path] = {}
        #: Where each stage ran and why (``stage -> "workers" | "client: <reason>"``).
        self.placement: dict[str, str] = {}

    @property
    def partition_documents(self) -> int:
        return int(self.cfg.section("cluster")["partition_documents"])

    def place(self, stage: str, where: str) -> None:
        self.placement[stage] = where

    def settings(self, section: str) -> dict[str, Any]:
        drop = _EXECUTION_ONLY.get(section, ())
        return {k: v for k, v in self.cfg.section(section).items() if k not in drop}

    def stage(self, name: str, settings: Mapping[str, Any], build: Callable[[Path], dict | None]) -> Path:
        from toolkit import __version__
        from toolkit.runtime import read_json, release_memory, stable_hash

        key = stable_hash({"stage": name, "format": STAGE_FORMAT, "toolkit": __version__,
                           "settings": settings})  # fmt: skip
        t0 = time.perf_counter()
        found = None if self.force else self.cache.get(name, key)
        if found is not None:
            log.info("stage %s: cached (%s)", name, found.name)
            info = read_json(found / STAGE_FILE)
            rec = StageRecord(name, key, found, True, time.perf_counter() - t0,
                              {"built_seconds": info.get("seconds")})  # fmt: skip
        else:
            log.info("stage %s: running", name)
            with self.cache.build(name, key, settings) as tmp:
                extra = build(tmp) or {}
            found = self.cache.path(name, key)
            rec = StageRecord(name, key, found, False, time.perf_counter() - t0, extra)
            release_memory()
        self.records.append(rec)
        self.paths[name] = found
        return found


def _source_files(cfg: ExperimentConfig) -> list[dict[str, str]]:
    from toolkit.corpus.readers import iter_input_files
    from toolkit.errors import InputError
    from toolkit.runtime import sha256_file

    sources = [cfg.resolve(s) for s in cfg.section("corpus")["sources"]]
    for s in sources:
        if not s.exists():
            raise InputError("corpus source not found (paths are relative to the config file)", path=str(s))
    return [{"name": p.name, "sha256": sha256_file(p)} for p in iter_input_files(sources)]


def _link_or_copy(src: Path, dst: Path) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _stage_corpus(r: _Runner) -> Path:
    from toolkit.corpus.ingest import ingest

    cfg = r.cfg
    settings = {**r.settings("corpus"), "sources": _source_files(cfg)}

    def build(tmp: Path) -> dict:
        sec = cfg.section("corpus")
        out = tmp / "corpus"
        m = ingest([cfg.resolve(s) for s in sec["sources"]], out, skip_bad=sec["skip_bad"],
                   dedup=sec["dedup"], progress=r.progress)  # fmt: skip
        return {"documents": m.get("documents")}

    return r.stage("corpus", settings, build) / "corpus"


def _corpus_hash(corpus_dir: Path) -> str:
    from toolkit.corpus.ingest import corpus_info

    return corpus_info(corpus_dir)["content_hash"]


def _stage_annotation(r: _Runner, corpus_dir: Path) -> Path:
    from toolkit.annotation.annotate import annotate_corpus

    sec = r.cfg.section("annotation")
    settings = {**r.settings("annotation"), "corpus": _corpus_hash(corpus_dir)}

    def build(tmp: Path) -> dict:
        out = tmp / "corpus"
        out.mkdir()
        for f in corpus_dir.iterdir():
            if f.is_file():
                _link_or_copy(f, out / f.name)
        if r.executor.distributed:
            from toolkit.distributed.annotation import annotate_corpus_partitioned

            m = annotate_corpus_partitioned(out, r.executor, sec["mode"], partition_documents=r.partition_documents,
                                            batch_size=sec["batch_size"], progress=r.progress,
                                            entities=sec["entities"])  # fmt: skip
        else:
            m = annotate_corpus(out, mode=sec["mode"], n_process=sec["n_process"],
                                batch_size=sec["batch_size"], progress=r.progress,
                                entities=sec["entities"])  # fmt: skip
        return {"counts": m.get("counts")}

    r.place("annotation", "workers (one task per partition; tagger loaded once per worker)"
            if r.executor.distributed else "client")  # fmt: skip
    return r.stage("annotation", settings, build) / "corpus"


def _stage_vocabulary(r: _Runner, annotated: Path, annotation_key: str) -> Path:
    from toolkit.distributed.vocabulary import build_bow_partitioned

    vcfg = r.cfg.vocabulary_config()
    # partitioned bag of words (bow/parts/): the same dictionary and rows as one pass over a
    # TokenStream, built partition by partition (here or on the workers)
    settings = {"vocabulary": vcfg.to_dict(), "annotation": annotation_key, "layout": "partitioned"}

    def build(tmp: Path) -> dict:
        stats = build_bow_partitioned(annotated, vcfg, tmp / "bow", r.executor,
                                      partition_documents=r.partition_documents, progress=r.progress)  # fmt: skip
        return {"documents": stats["documents"], "terms": stats["terms"]}

    r.place("vocabulary", "workers (phrase counts, document frequencies and bag of words per partition; "
            "dictionary on the client)" if r.executor.distributed else "client")  # fmt: skip

    return r.stage("vocabulary", settings, build) / "bow"


def _stage_topics(r: _Runner, bow_dir: Path, vocab_key: str) -> Path:
    from toolkit.distributed.bow import load_bag
    from toolkit.errors import ModelError
    from toolkit.topics.io import write_output
    from toolkit.topics.pipeline import TopicsConfig

    sec = r.cfg.section("topics")
    lam = float(r.cfg.section("report")["relevance_lambda"])
    r.place("topics", _topics_placement(sec["model"], r.executor.distributed))
    settings = {**sec, "seed": r.cfg.seed, "vocabulary": vocab_key, "relevance_lambda": lam}

    def build(tmp: Path) -> dict:
        bow = load_bag(bow_dir)
        if sec["k"] > bow.n_documents:
            raise ModelError(
                f"topics.k = {sec['k']} is more than the {bow.n_documents} documents left after "
                f"filtering: choose k <= {max(2, bow.n_documents // 5)}"
            )
        tcfg = TopicsConfig(model=sec["model"], k=sec["k"], seed=r.cfg.seed, themes=sec["themes"],
                            params=dict(sec["params"]), vocabulary=r.cfg.vocabulary_config())  # fmt: skip
        t0 = time.perf_counter()
        from toolkit.topics.pipeline import fit_model

        corpus = r.paths["annotation"] / "corpus" if "annotation" in r.paths else None
        est = fit_model(tcfg.estimator(), bow, corpus, executor=r.executor)
        seconds = time.perf_counter() - t0
        output = est.output()
        write_output(tmp, output, lam)
        est.save(tmp / "model")
        return {"train_seconds": round(seconds, 3), "n_topics": output.n_topics,
                "themes": {str(k): v for k, v in output.themes.items()}}  # fmt: skip

    return r.stage("topics", settings, build)


def _topics_placement(model: str, distributed: bool) -> str:
    """Where a topic model trains on this run, and why (for the manifest)."""
    from toolkit.topics.models import ALIASES, MODELS

    cls = MODELS.get(ALIASES.get(model, model))
    if getattr(cls, "distributable", False):
        return "workers (E-step per chunk; sufficient statistics summed and M-step on the client)" \
            if distributed else "client"  # fmt: skip
    if not distributed:
        return "client"
    why = {
        "gensim-lda": "gensim's online LDA updates the topics after every chunk, so it is sequential; "
                      "model = \"batch-lda\" runs its E-step on the workers",
        "tomotopy-lda": "tomotopy's Gibbs sampler holds the whole corpus in one process",
    }.get(ALIASES.get(model, model), "this backend trains in one process")  # fmt: skip
    return f"client (not distributable: {why})"


def _call(func: Callable, *args: Any, **kwargs: Any) -> Any:
    """Call ``func`` with the keyword arguments it accepts (adapter across module versions)."""
    params = inspect.signature(func).parameters
    if not any(p.kind is p.VAR_KEYWORD for p in params.values()):
        kwargs = {k: v for k, v in kwargs.items() if k in params}
    return func(*args, **kwargs)


def _stage_selection(r: _Runner, bow_dir: Path, vocab_key: str) -> Path | None:
    sel = r.cfg.section("selection")
    if not sel["k"]:
        return None
    from toolkit.topics.select import select_k

    sec = r.cfg.section("topics")
    settings = {"k": sel["k"], "model": sec["model"], "params": sec["params"], "seed": r.cfg.seed,
                "vocabulary": vocab_key}  # fmt: skip

    def build(tmp: Path) -> dict:
        from toolkit.runtime import atomic_path, write_json
        from toolkit.topics.select import plot_selection, recommend
        from toolkit.vocabulary.bow import BagOfWords

        bow = BagOfWords.load(bow_dir)  # k selection trains several models: in memory
        ks = [k for k in sel["k"] if k <= bow.n_documents]
        table = select_k(bow, ks, seed=r.cfg.seed, model=sec["model"], params=dict(sec["params"]),
                         progress=r.progress)  # fmt: skip
        k, reason = recommend(table)
        with atomic_path(tmp / "k_selection.csv", suffix=".csv") as t:
            table.to_csv(t, index=False, float_format="%.6g")
        plot_selection(table, tmp / "k_selection.png", recommended=k)
        write_json(tmp / "recommendation.json", {"k": k, "reason": reason})
        return {"recommended_k": k}

    return r.stage("selection", settings, build)


def _stage_evaluation(r: _Runner, topics_dir: Path, bow_dir: Path, topics_key: str) -> Path:
    sec = r.cfg.section("evaluation")
    settings = {**sec, "topics": topics_key, "seed": r.cfg.seed}

    def build(tmp: Path) -> dict:
        from toolkit.distributed.bow import load_bag
        from toolkit.runtime import write_json
        from toolkit.topics.io import load_output

        scores = evaluate_run(load_output(topics_dir), load_bag(bow_dir), sec, r.cfg)
        write_json(tmp / "evaluation.json", scores)
        return {k: v for k, v in scores.items() if isinstance(v, float | int)}

    return r.stage("evaluation", settings, build)


def evaluate_run(output: Any, bow: Any, sec: Mapping[str, Any], cfg: ExperimentConfig) -> dict[str, Any]:
    """Coherence (intrinsic, over the training bag of words), diversity and optional stability.

    Returns
    -------
    dict
        ``npmi``/``umass``/``c_v`` means, ``diversity``, ``stability`` (when
        ``stability_seeds > 0``), ``per_topic`` (measure → list of n_topics floats).
    """
    from toolkit.topics import evaluation as ev

    topn = int(sec["topn"])
    if hasattr(bow, "matrix_of"):  # partitioned: only the columns of the topics' terms
        terms = sorted({t for topic in output.all_top_terms(topn) for t in topic})
        ref = ev.ReferenceCorpus(bow.matrix_of(terms), bow.vocabulary)
    else:
        ref = ev.ReferenceCorpus.from_bow(bow)
    scores: dict[str, Any] = {"n_topics": output.n_topics, "top_n": topn, "reference": "training bag of words"}
    per_topic: dict[str, list[float]] = {}
    for m in dict.fromkeys(_COHERENCE[x] for x in sec["coherence"]):
        if m == "npmi":
            res = ev.npmi_coherence(output, ref, topn)
        elif m == "umass":
            res = ev.umass_coherence(output, ref, topn)
        else:
            res = ev.cv_coherence(output, list(bow.texts()), topn)
        scores[m] = res["mean"]
        per_topic[m] = list(res["per_topic"])
    scores["diversity"] = ev.topic_diversity(output, 25)
    n_seeds = int(sec["stability_seeds"])
    if n_seeds:
        from toolkit.topics.pipeline import TopicsConfig

        t = cfg.section("topics")
        runs = [output]
        for extra in range(1, n_seeds + 1):
            tc = TopicsConfig(model=t["model"], k=t["k"], seed=cfg.seed + extra, themes=t["themes"],
                              params=dict(t["params"]))  # fmt: skip
            runs.append(tc.estimator().fit(bow).output())
        scores["stability"] = ev.stability(runs, topn)
        scores["stability_seeds"] = [cfg.seed + i for i in range(n_seeds + 1)]
    scores["per_topic"] = per_topic
    return scores


def _stage_embeddings(r: _Runner, annotated: Path, annotation_key: str) -> Path | None:
    sec = r.cfg.section("embeddings")
    if sec["model"] == "none":
        return None
    settings = {**r.settings("embeddings"), "seed": r.cfg.seed, "annotation": annotation_key}

    def build(tmp: Path) -> dict:
        cls = _embedding_class(sec["model"])
        params = {k: v for k, v in sec.items() if k != "model"}
        model = cls(**params, random_state=r.cfg.seed, progress=r.progress,
                    cache_dir=tmp / "token-cache").fit(annotated)  # fmt: skip
        model.save(tmp / "model")
        shutil.rmtree(tmp / "token-cache", ignore_errors=True)
        return {}

    return r.stage("embeddings", settings, build)


def _stage_partitioned(r: _Runner, annotated: Path, topics_dir: Path, topics_key: str,
                       annotation_key: str) -> Path | None:  # fmt: skip
    """Large corpora (``[cluster] partitioned_outputs`` documents or more): the token table and
    the document–topic table as Parquet partitioned by month (``partitioned/tokens/``,
    ``partitioned/document_topics/``; see :mod:`toolkit.distributed.outputs`)."""
    from toolkit.corpus.documents import Corpus

    threshold = int(r.cfg.section("cluster")["partitioned_outputs"])
    if not threshold or len(Corpus(annotated)) < threshold:
        return None
    settings = {"topics": topics_key, "annotation": annotation_key, "by": "month"}

    def build(tmp: Path) -> dict:
        from toolkit.distributed.outputs import (
            document_months,
            write_document_topics_by_month,
            write_tokens_by_month,
        )
        from toolkit.topics.io import load_output

        months = document_months(annotated / "documents.parquet")
        rows = write_tokens_by_month(annotated / "tokens.parquet", months, tmp / "tokens")
        docs = write_document_topics_by_month(load_output(topics_dir), months, tmp / "document_topics")
        return {"token_rows": rows, "documents": docs, "months": len(set(months.values()))}

    return r.stage("partitioned", settings, build)


def _replace_tree(src: Path, dst: Path) -> None:
    """Make ``dst`` a copy of ``src`` (hard links where possible), atomically."""
    from toolkit.runtime import atomic_directory

    with atomic_directory(dst, overwrite=True) as tmp:
        shutil.copytree(src, tmp, copy_function=_link_or_copy, dirs_exist_ok=True)
        (tmp / STAGE_FILE).unlink(missing_ok=True)


def _model_stages(r: _Runner, annotated: Path, bow_dir: Path) -> dict[str, Any]:
    from toolkit.runtime import atomic_path

    vocab_key = r.records[-1].key
    ann_key = next(rec.key for rec in r.records if rec.name == "annotation")
    _stage_selection(r, bow_dir, vocab_key)
    topics_dir = _stage_topics(r, bow_dir, vocab_key)
    topics_key = r.records[-1].key
    eval_dir = _stage_evaluation(r, topics_dir, bow_dir, topics_key)
    _stage_embeddings(r, annotated, ann_key)
    _stage_partitioned(r, annotated, topics_dir, topics_key, ann_key)
    run_dir = r.run_dir
    outputs: dict[str, Any] = {}
    for name in ("topics.json", "document_topics.csv", "topic_terms.csv"):
        if (topics_dir / name).is_file():
            with atomic_path(run_dir / name) as tmp:
                shutil.copyfile(topics_dir / name, tmp)
            outputs[name.split(".")[0]] = name
    _replace_tree(topics_dir, run_dir / "model")
    outputs["model"] = "model"
    for stage in ("selection", "embeddings", "partitioned"):
        if stage in r.paths:
            _replace_tree(r.paths[stage], run_dir / stage)
            outputs[stage] = stage
    with atomic_path(run_dir / "evaluation.json") as tmp:
        shutil.copyfile(eval_dir / "evaluation.json", tmp)
    outputs["evaluation"] = "evaluation.json"
    return outputs

