"""Experiments: one TOML config → a run directory with models, tables, a report and a manifest.

An experiment file (see ``experiments/demo.toml``) names every setting of the pipeline

``ingest → annotate → vocabulary → topic model (+ k selection) → evaluation → embeddings → report``

in one section per stage. Loading it (:func:`load_config`) fills in every default, rejects
unknown keys with their name and the list of known keys (:class:`~toolkit.errors.ConfigError`),
and resolves paths relative to the config file's directory. Sections reuse the stages' own
configuration objects rather than repeating their fields: ``[vocabulary]`` *is*
:class:`toolkit.vocabulary.VocabularyConfig`; ``[topics]`` and ``[embeddings]`` take the
constructor parameters of the chosen estimator.

:func:`run` executes the stages. Each stage writes one directory in a **stage cache**,
named after the content hash of its inputs and settings (``stages/annotation-3f2a…``): a stage
whose inputs and settings did not change is reused, so changing only the number of topics does
not re-annotate; ``force=True`` recomputes everything. A stage directory is built in a
temporary directory and renamed into place when complete (with its ``stage.json`` inside), so a
run killed at any point (even ``kill -9``) leaves no stage output that looks complete, and the
next run finishes the job. One seed (``[experiment] seed``) is passed to every random step.

The run directory holds::

    manifest.json          corpus hash, seed, versions, git commit, times, stage timings, memory
    config.json            the resolved config (every default written out)
    config.toml            the config file as given
    topics.json            [{"id", "label", "terms": [25 terms]}] (as ``fnt topics train``)
    document_topics.csv    doc_id, topic_0 … topic_{k-1}
    model/                 the topic model output (``toolkit.topics.load_output``)
    selection/             the k-selection table and plot (when ``[selection] k`` is set)
    evaluation.json        coherence, diversity… of the model
    report/index.html      the self-contained HTML report (``fnt report``)

``manifest.json`` is written last: a run directory without it is incomplete.

Examples
--------
>>> from toolkit.experiment import run
>>> result = run("experiments/demo.toml", out="runs/demo")     # doctest: +SKIP
>>> result.report                                               # doctest: +SKIP
PosixPath('runs/demo/report/index.html')
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import inspect
import json
import logging
import os
import shutil
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.errors import ConfigError, StageMissingError

log = logging.getLogger(__name__)

#: Name of the marker every complete stage directory holds.
STAGE_FILE = "stage.json"
#: Bump when a change in this module changes what a stage writes (invalidates caches).
STAGE_FORMAT = 1
SEED_DOCUMENT = "seed-000-4aed66ba79373d17"


# --------------------------------------------------------------------------- schema

_ANY = object()


@dataclass(frozen=True)
class Section:
    """One config section: its keys with their defaults, and a validator.

    Parameters
    ----------
    defaults : dict
        Every key with its default (None means "not set"; any type accepted).
    validate : callable, optional
        ``validate(values) -> values`` raising ConfigError on bad values.
    open_keys : callable, optional
        ``open_keys(values) -> dict`` of additional keys allowed given the values (e.g. the
        chosen estimator's parameters), with their defaults.
    """

    defaults: dict[str, Any]
    validate: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    open_keys: Callable[[dict[str, Any]], dict[str, Any]] | None = None


def _vocabulary_defaults() -> dict[str, Any]:
    from toolkit.vocabulary import VocabularyConfig

    return VocabularyConfig().to_dict()


def _vocabulary_validate(values: dict[str, Any]) -> dict[str, Any]:
    from toolkit.vocabulary import VocabularyConfig

    return VocabularyConfig.from_dict(values).to_dict()


def _estimator_params(cls: type, exclude: tuple[str, ...]) -> dict[str, Any]:
    params = {}
    for name, p in inspect.signature(cls.__init__).parameters.items():
        if name == "self" or name in exclude or p.kind in (p.VAR_KEYWORD, p.VAR_POSITIONAL):
            continue
        params[name] = None if p.default is inspect.Parameter.empty else p.default
    return params


_EMBED_RESERVED = ("random_state", "progress", "cache_dir")
#: Estimator parameters set by the experiment itself (from [topics] k/themes and the seed).
_TOPIC_RESERVED = ("n_topics", "random_state", "themes", "multicore")


def _topics_defaults() -> dict[str, Any]:
    from toolkit.topics import TopicsConfig

    fields = {f.name: f for f in dataclasses.fields(TopicsConfig)}
    out = {}
    for name in ("model", "k", "themes", "params"):
        f = fields[name]
        out[name] = f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default
    return out


def _topics_validate(values: dict[str, Any]) -> dict[str, Any]:
    from toolkit.topics import TopicsConfig
    from toolkit.topics.models import make_model

    k = values["k"]
    if not isinstance(k, int) or isinstance(k, bool) or k < 2:
        raise ConfigError(f"topics.k must be an integer >= 2, got {k!r}")
    if isinstance(values["themes"], str) and values["themes"].lower() in ("none", "off", ""):
        values["themes"] = None
    if not isinstance(values["params"], Mapping):
        raise ConfigError("topics.params must be a table of model parameters ([topics.params])")
    cfg = TopicsConfig(model=values["model"], k=k, seed=0, themes=values["themes"], params=dict(values["params"]))
    cfg.validate()  # unknown model or parameter names → ConfigError
    # write out every parameter of the chosen estimator, defaults included
    est = make_model(values["model"], k, 0, **dict(values["params"]))
    full = {n: v for n, v in est.get_params().items() if n not in _TOPIC_RESERVED}
    values["params"] = {**full, **dict(values["params"])}
    return values


def _selection_validate(values: dict[str, Any]) -> dict[str, Any]:
    ks = values["k"]
    if not isinstance(ks, list) or not all(isinstance(k, int) and k >= 2 for k in ks):
        raise ConfigError(f"selection.k must be a list of integers >= 2 (or []), got {ks!r}")
    values["k"] = sorted(set(ks))
    return values


_EMBEDDING_KINDS = ("none", "word2vec", "fasttext", "doc2vec")


def _embedding_class(kind: str) -> type | None:
    if kind == "none":
        return None
    from toolkit import embeddings

    return {"word2vec": embeddings.Word2VecModel, "fasttext": embeddings.FastTextModel,
            "doc2vec": embeddings.Doc2VecModel}[kind]  # fmt: skip


def _embeddings_open(values: dict[str, Any]) -> dict[str, Any]:
    kind = str(values.get("model", "none")).lower()
    if kind not in _EMBEDDING_KINDS:
        return {}
    cls = _embedding_class(kind)
    return _estimator_params(cls, _EMBED_RESERVED) if cls is not None else {}


def _embeddings_validate(values: dict[str, Any]) -> dict[str, Any]:
    kind = str(values["model"]).lower()
    if kind not in _EMBEDDING_KINDS:
        raise ConfigError(f"embeddings.model must be one of {', '.join(_EMBEDDING_KINDS)}, not {kind!r}")
    values["model"] = kind
    return values


_COHERENCE = {"npmi": "npmi", "c_npmi": "npmi", "umass": "umass", "u_mass": "umass", "c_v": "c_v", "cv": "c_v"}


def _evaluation_validate(values: dict[str, Any]) -> dict[str, Any]:
    bad = [m for m in values["coherence"] if m not in _COHERENCE]
    if bad:
        raise ConfigError(f"evaluation.coherence: unknown measure {bad[0]!r}; choose from npmi, umass, c_v")
    if not isinstance(values["stability_seeds"], int) or values["stability_seeds"] < 0:
        raise ConfigError("evaluation.stability_seeds must be 0 (off) or the number of extra seeds")
    return values


def _annotation_validate(values: dict[str, Any]) -> dict[str, Any]:
    if values["mode"] not in ("fast", "accurate"):
        raise ConfigError(f"annotation.mode must be 'fast' or 'accurate', not {values['mode']!r}")
    return values


def _corpus_validate(values: dict[str, Any]) -> dict[str, Any]:
    if not values["sources"]:
        raise ConfigError("corpus.sources is empty: list the files or folders to ingest")
    if values["dedup"] not in ("none", "exact", "near"):
        raise ConfigError(f"corpus.dedup must be 'none', 'exact' or 'near', not {values['dedup']!r}")
    return values


def _report_validate(values: dict[str, Any]) -> dict[str, Any]:
    if not 0 <= float(values["relevance_lambda"]) <= 1:
        raise ConfigError("report.relevance_lambda must be in [0, 1] (pyLDAvis λ; 0.6 is usual)")
    if values["period"] not in ("week", "month", "quarter", "year"):
        raise ConfigError(f"report.period must be week, month, quarter or year, not {values['period']!r}")
    return values


def schema() -> dict[str, Section]:
    """The experiment schema: section name → :class:`Section` (defaults and validation)."""
    return {
        "experiment": Section({"name": "experiment", "description": "", "seed": 42, "out": None}),
        "corpus": Section({"sources": [], "skip_bad": False, "dedup": "none"}, _corpus_validate),
        "annotation": Section({"mode": "fast", "n_process": None, "batch_size": 64}, _annotation_validate),
        "vocabulary": Section(_vocabulary_defaults(), _vocabulary_validate),
        "topics": Section(_topics_defaults(), _topics_validate),
        "selection": Section({"k": []}, _selection_validate),
        "evaluation": Section({"coherence": ["npmi", "umass"], "topn": 10, "stability_seeds": 0},
                              _evaluation_validate),
        "embeddings": Section({"model": "none"}, _embeddings_validate, _embeddings_open),
        "report": Section(
            {"n_terms": 25, "n_documents": 5, "relevance_lambda": 0.6, "period": "month",
             "seed_document": SEED_DOCUMENT, "ldavis": True},
            _report_validate,
        ),  # fmt: skip
    }


#: Keys that change how a stage runs but not what it produces (left out of cache keys).
_EXECUTION_ONLY = {"annotation": ("n_process", "batch_size"), "embeddings": ("workers",)}


def _type_ok(default: Any, value: Any) -> bool:
    if default is None or value is None:
        return True
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(default, int | float):
        return isinstance(value, int | float) and not isinstance(value, bool)
    if isinstance(default, str):
        return isinstance(value, str)
    if isinstance(default, list | tuple):
        return isinstance(value, list | tuple | str | type(None))
    return True


# --------------------------------------------------------------------------- config


@dataclass
class ExperimentConfig:
    """A resolved experiment config.

    Attributes
    ----------
    data : dict
        section → key → value, every key present (defaults filled in), paths as given.
    path : Path or None
        The config file (paths in the config are relative to its directory).
    source_text : str
        The config file's text as given.
    """

    data: dict[str, dict[str, Any]]
    path: Path | None = None
    source_text: str = ""

    @property
    def base_dir(self) -> Path:
        return self.path.parent if self.path is not None else Path.cwd()

    @property
    def seed(self) -> int:
        return int(self.data["experiment"]["seed"])

    @property
    def name(self) -> str:
        return str(self.data["experiment"]["name"])

    def section(self, name: str) -> dict[str, Any]:
        return self.data[name]

    def resolve(self, p: str | Path) -> Path:
        """A path from the config, relative to the config file's directory."""
        p = Path(os.path.expanduser(str(p)))
        return p if p.is_absolute() else (self.base_dir / p)

    def default_out(self) -> Path:
        out = self.data["experiment"]["out"]
        return self.resolve(out) if out else self.resolve(Path("runs") / self.name)

    def to_dict(self) -> dict[str, dict[str, Any]]:
        return copy.deepcopy(self.data)

    def vocabulary_config(self):
        from toolkit.vocabulary import VocabularyConfig

        return VocabularyConfig.from_dict(self.data["vocabulary"])


def _where(path: Path | None) -> str:
    if path is None:
        return ""
    try:
        shown = path.relative_to(Path.cwd())
    except ValueError:
        shown = path
    return f" in {shown}"


def resolve_config(raw: Mapping[str, Any], path: Path | None = None, source_text: str = "") -> ExperimentConfig:
    """Validate a config mapping and fill in every default.

    Raises
    ------
    ConfigError
        On an unknown section or key (naming it and listing the known ones), or a bad value.
    """
    sch = schema()
    unknown_sections = sorted(set(raw) - set(sch))
    if unknown_sections:
        raise ConfigError(
            f"unknown section [{unknown_sections[0]}]{_where(path)}; known sections: {', '.join(sch)}"
        )
    data: dict[str, dict[str, Any]] = {}
    for name, section in sch.items():
        given = raw.get(name, {})
        if not isinstance(given, Mapping):
            raise ConfigError(f"[{name}]{_where(path)} must be a table of settings, not {given!r}")
        values = copy.deepcopy(section.defaults)
        # the open keys depend on values already known (e.g. the chosen model)
        probe = {**values, **{k: v for k, v in given.items() if k in values}}
        extra = section.open_keys(probe) if section.open_keys else {}
        known = {**values, **{k: v for k, v in extra.items() if k not in values}}
        for key, value in given.items():
            if key not in known:
                raise ConfigError(
                    f"unknown key '{name}.{key}'{_where(path)}; known keys: "
                    + ", ".join(f"{name}.{k}" for k in known)
                )
            if not _type_ok(known[key], value):
                raise ConfigError(
                    f"'{name}.{key}'{_where(path)} should be like {known[key]!r}, not {value!r}"
                )
        values = {**known, **copy.deepcopy(dict(given))}
        if section.validate:
            try:
                values = section.validate(values)
            except ConfigError as exc:
                raise ConfigError(f"{exc}{_where(path)}") from None
        data[name] = values
    seed = data["experiment"]["seed"]
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise ConfigError(f"experiment.seed must be an integer, not {seed!r}{_where(path)}")
    return ExperimentConfig(data, path, source_text)


def load_config(path: str | Path, overrides: Mapping[str, Any] | None = None) -> ExperimentConfig:
    """Read an experiment TOML file and resolve it (see :func:`resolve_config`).

    Parameters
    ----------
    path : path
        The ``.toml`` file.
    overrides : mapping, optional
        ``{"section.key": value}`` applied over the file (e.g. ``{"topics.k": 8}``).
    """
    import tomllib

    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"experiment config {path} not found")
    text = path.read_text(encoding="utf-8")
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    for dotted, value in (overrides or {}).items():
        sec, _, key = dotted.partition(".")
        if not key:
            raise ConfigError(f"override {dotted!r}: expected section.key=value")
        raw.setdefault(sec, {})[key] = value
    return resolve_config(raw, path.resolve(), text)


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
        from toolkit.topics import load_output

        return load_output(self.run_dir / "model")

    def stage(self, name: str) -> Path:
        if name not in self.stages:
            raise StageMissingError(f"stage {name!r} did not run in {self.run_dir}")
        return self.stages[name]


class _Runner:
    def __init__(self, cfg: ExperimentConfig, run_dir: Path, cache: StageCache, force: bool,
                 progress: bool) -> None:  # fmt: skip
        self.cfg = cfg
        self.run_dir = run_dir
        self.cache = cache
        self.force = force
        self.progress = progress
        self.records: list[StageRecord] = []
        self.paths: dict[str, Path] = {}

    def settings(self, section: str) -> dict[str, Any]:
        drop = _EXECUTION_ONLY.get(section, ())
        return {k: v for k, v in self.cfg.section(section).items() if k not in drop}

    def stage(self, name: str, settings: Mapping[str, Any], build: Callable[[Path], dict | None]) -> Path:
        from toolkit import __version__
        from toolkit.runtime import read_json, stable_hash

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
        self.records.append(rec)
        self.paths[name] = found
        return found


def _source_files(cfg: ExperimentConfig) -> list[dict[str, str]]:
    from toolkit.documents import iter_input_files
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
    from toolkit.ingest import ingest

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
    from toolkit.ingest import corpus_info

    return corpus_info(corpus_dir)["content_hash"]


def _stage_annotation(r: _Runner, corpus_dir: Path) -> Path:
    from toolkit.annotate import annotate_corpus

    sec = r.cfg.section("annotation")
    settings = {**r.settings("annotation"), "corpus": _corpus_hash(corpus_dir)}

    def build(tmp: Path) -> dict:
        out = tmp / "corpus"
        out.mkdir()
        for f in corpus_dir.iterdir():
            if f.is_file():
                _link_or_copy(f, out / f.name)
        m = annotate_corpus(out, mode=sec["mode"], n_process=sec["n_process"],
                            batch_size=sec["batch_size"], progress=r.progress)  # fmt: skip
        return {"counts": m.get("counts")}

    return r.stage("annotation", settings, build) / "corpus"


def _stage_vocabulary(r: _Runner, annotated: Path, annotation_key: str) -> Path:
    from toolkit.vocabulary import TokenStream, bow_from_token_lists

    vcfg = r.cfg.vocabulary_config()
    settings = {"vocabulary": vcfg.to_dict(), "annotation": annotation_key}

    def build(tmp: Path) -> dict:
        stream = TokenStream(annotated, vcfg, cache=False, progress=r.progress)
        bow = bow_from_token_lists(stream, vcfg, progress=r.progress)
        bow.save(tmp / "bow")
        return {"documents": bow.n_documents, "terms": bow.n_terms}

    return r.stage("vocabulary", settings, build) / "bow"


def _stage_topics(r: _Runner, bow_dir: Path, vocab_key: str) -> Path:
    from toolkit.errors import ModelError
    from toolkit.topics import TopicsConfig
    from toolkit.topics.io import write_output
    from toolkit.vocabulary import BagOfWords

    sec = r.cfg.section("topics")
    lam = float(r.cfg.section("report")["relevance_lambda"])
    settings = {**sec, "seed": r.cfg.seed, "vocabulary": vocab_key, "relevance_lambda": lam}

    def build(tmp: Path) -> dict:
        bow = BagOfWords.load(bow_dir)
        if sec["k"] > bow.n_documents:
            raise ModelError(
                f"topics.k = {sec['k']} is more than the {bow.n_documents} documents left after "
                f"filtering: choose k <= {max(2, bow.n_documents // 5)}"
            )
        tcfg = TopicsConfig(model=sec["model"], k=sec["k"], seed=r.cfg.seed, themes=sec["themes"],
                            params=dict(sec["params"]), vocabulary=r.cfg.vocabulary_config())  # fmt: skip
        t0 = time.perf_counter()
        est = tcfg.estimator().fit(bow)
        seconds = time.perf_counter() - t0
        output = est.output()
        write_output(tmp, output, lam)
        est.save(tmp / "model")
        return {"train_seconds": round(seconds, 3), "n_topics": output.n_topics,
                "themes": {str(k): v for k, v in output.themes.items()}}  # fmt: skip

    return r.stage("topics", settings, build)


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
    from toolkit.topics import select_k

    sec = r.cfg.section("topics")
    settings = {"k": sel["k"], "model": sec["model"], "params": sec["params"], "seed": r.cfg.seed,
                "vocabulary": vocab_key}  # fmt: skip

    def build(tmp: Path) -> dict:
        from toolkit.runtime import atomic_path, write_json
        from toolkit.topics.select import plot_selection, recommend
        from toolkit.vocabulary import BagOfWords

        bow = BagOfWords.load(bow_dir)
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
        from toolkit.runtime import write_json
        from toolkit.topics import load_output
        from toolkit.vocabulary import BagOfWords

        scores = evaluate_run(load_output(topics_dir), BagOfWords.load(bow_dir), sec, r.cfg)
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
    from toolkit import evaluate as ev

    topn = int(sec["topn"])
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
        from toolkit.topics import TopicsConfig

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
    run_dir = r.run_dir
    outputs: dict[str, Any] = {}
    for name in ("topics.json", "document_topics.csv", "topic_terms.csv"):
        if (topics_dir / name).is_file():
            with atomic_path(run_dir / name) as tmp:
                shutil.copyfile(topics_dir / name, tmp)
            outputs[name.split(".")[0]] = name
    _replace_tree(topics_dir, run_dir / "model")
    outputs["model"] = "model"
    for stage in ("selection", "embeddings"):
        if stage in r.paths:
            _replace_tree(r.paths[stage], run_dir / stage)
            outputs[stage] = stage
    with atomic_path(run_dir / "evaluation.json") as tmp:
        shutil.copyfile(eval_dir / "evaluation.json", tmp)
    outputs["evaluation"] = "evaluation.json"
    return outputs


def run(
    config: str | Path | ExperimentConfig,
    out: str | Path | None = None,
    *,
    cache_dir: str | Path | None = None,
    force: bool = False,
    progress: bool = True,
    report: bool = True,
    overrides: Mapping[str, Any] | None = None,
) -> RunResult:
    """Run an experiment: every stage (cached), then the run directory and its report.

    Parameters
    ----------
    config : path or ExperimentConfig
        The experiment TOML file (or a loaded config).
    out : path, optional
        The run directory (default ``[experiment] out``, else ``runs/<name>`` beside the config).
    cache_dir : path, optional
        The stage cache (default ``<run directory>/stages``); give the same directory to several
        runs (one at a time) to share their stages.
    force : bool
        Recompute every stage even when cached.
    progress : bool
        Show progress bars.
    report : bool
        Render the report (``run_dir/report/``).
    overrides : mapping, optional
        ``{"section.key": value}`` applied over the file.

    Returns
    -------
    RunResult
    """
    from toolkit.runtime import base_manifest, now_iso, peak_memory_mb, write_json

    cfg = config if isinstance(config, ExperimentConfig) else load_config(config, overrides)
    run_dir = Path(out) if out is not None else cfg.default_out()
    run_dir.mkdir(parents=True, exist_ok=True)
    cache = StageCache(cache_dir if cache_dir is not None else run_dir / "stages")
    started = now_iso()
    t_start = time.perf_counter()
    r = _Runner(cfg, run_dir, cache, force, progress)
    with cache.lock():
        cache.clean()
        # a run directory without manifest.json is incomplete: remove the previous run's
        # outputs first (manifest first), so a run killed now leaves nothing that looks complete
        _clear_outputs(run_dir)
        write_json(run_dir / "config.json", cfg.to_dict())
        if cfg.source_text:
            from toolkit.runtime import atomic_write_text

            atomic_write_text(run_dir / "config.toml", cfg.source_text)
        corpus_dir = _stage_corpus(r)
        annotated = _stage_annotation(r, corpus_dir)
        ann_key = r.records[-1].key
        bow_dir = _stage_vocabulary(r, annotated, ann_key)
        outputs = _model_stages(r, annotated, bow_dir)
    t_report = time.perf_counter()
    report_path = None
    manifest = base_manifest(
        "experiment",
        name=cfg.name,
        config=str(cfg.path) if cfg.path else None,
        config_hash=_config_hash(cfg),
        seed=cfg.seed,
        corpus={"content_hash": _corpus_hash(corpus_dir), "documents": len(_ids(corpus_dir))},
        started=started,
        stages=[rec.to_dict(run_dir) for rec in r.records],
        outputs=outputs,
    )  # fmt: skip
    if report:
        from toolkit.report import build_report

        # the report shows the manifest; manifest.json itself is written last
        snapshot = {**manifest, "finished": now_iso(), "seconds": round(time.perf_counter() - t_start, 3),
                    "peak_memory_mb": peak_memory_mb()}  # fmt: skip
        report_path = build_report(run_dir, manifest=snapshot)
        manifest["stages"].append({"stage": "report", "cached": False,
                                   "seconds": round(time.perf_counter() - t_report, 3)})  # fmt: skip
    manifest.update(finished=now_iso(), seconds=round(time.perf_counter() - t_start, 3),
                    peak_memory_mb=peak_memory_mb())  # fmt: skip
    write_json(run_dir / "manifest.json", manifest)
    return RunResult(run_dir, manifest, dict(r.paths), report_path)


#: What a run writes at the top of its run directory (removed when a new run starts).
RUN_OUTPUTS = ("manifest.json", "topics.json", "document_topics.csv", "topic_terms.csv",
               "evaluation.json", "report", "model", "selection", "embeddings")  # fmt: skip


def _clear_outputs(run_dir: Path) -> None:
    for name in RUN_OUTPUTS:
        p = run_dir / name
        if p.is_dir():
            shutil.rmtree(p)
        else:
            p.unlink(missing_ok=True)


def _ids(corpus_dir: Path) -> list[str]:
    from toolkit.documents import Corpus

    return Corpus(corpus_dir).ids()


def _config_hash(cfg: ExperimentConfig) -> str:
    from toolkit.runtime import stable_hash

    return stable_hash(cfg.to_dict())


def cached_run(config: str | Path, cache_dir: str | Path | None = None, **kwargs: Any) -> RunResult:
    """Run (or reuse) an experiment in a shared cache directory, for notebooks.

    The run directory is ``cache_dir/<experiment name>`` and its stage cache
    ``cache_dir/stages``; a second call with the same config only re-renders the tables.
    ``cache_dir`` defaults to ``$FNT_CACHE`` or ``<project root>/runs/.notebook-cache``.
    """
    from toolkit.explore import project_root

    cfg = load_config(config)
    if cache_dir is None:
        cache_dir = os.environ.get("FNT_CACHE") or project_root() / "runs" / ".notebook-cache"
    cache_dir = Path(cache_dir)
    kwargs.setdefault("progress", False)
    return run(cfg, cache_dir / cfg.name, cache_dir=cache_dir / "stages", **kwargs)


def dataclass_fields(obj: Any) -> list[str]:
    """Field names of a config dataclass (for docs and error messages)."""
    return [f.name for f in dataclasses.fields(obj)]


def describe_run(run_dir: str | Path) -> dict[str, Any]:
    """The manifest of a finished run directory.

    Raises
    ------
    StageMissingError
        When ``run_dir`` has no ``manifest.json`` (not a run directory, or an interrupted run).
    """
    p = Path(run_dir) / "manifest.json"
    if not p.is_file():
        raise StageMissingError(
            f"{run_dir} is not a finished run directory (no manifest.json); run: fnt run EXPERIMENT.toml --out {run_dir}"
        )
    return json.loads(p.read_text(encoding="utf-8"))


#: Alias re-exported as ``toolkit.run_experiment``.
run_experiment = run
