"""The experiment file: one TOML section per stage, every default written out, unknown keys an
error (:func:`load_config`)."""

from __future__ import annotations

import copy
import dataclasses
import inspect
import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from toolkit.errors import ConfigError

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
    from toolkit.vocabulary.config import VocabularyConfig

    return VocabularyConfig().to_dict()


def _vocabulary_validate(values: dict[str, Any]) -> dict[str, Any]:
    from toolkit.vocabulary.config import VocabularyConfig

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
    from toolkit.topics.pipeline import TopicsConfig

    fields = {f.name: f for f in dataclasses.fields(TopicsConfig)}
    out = {}
    for name in ("model", "k", "themes", "params"):
        f = fields[name]
        out[name] = f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default
    return out


def _topics_validate(values: dict[str, Any]) -> dict[str, Any]:
    from toolkit.topics.models import make_model
    from toolkit.topics.pipeline import TopicsConfig

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
    from toolkit.embeddings import models as embeddings

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
    if values["entities"] not in ("auto", "fast", "accurate"):
        raise ConfigError("annotation.entities must be 'auto', 'fast' or 'accurate', not "
                          f"{values['entities']!r}")
    if values["mode"] == "accurate" and values["entities"] == "fast":
        raise ConfigError("annotation.entities = 'fast' needs annotation.mode = 'fast'")
    return values


def _corpus_validate(values: dict[str, Any]) -> dict[str, Any]:
    if not values["sources"]:
        raise ConfigError("corpus.sources is empty: list the files or folders to ingest")
    if values["dedup"] not in ("none", "exact", "near"):
        raise ConfigError(f"corpus.dedup must be 'none', 'exact' or 'near', not {values['dedup']!r}")
    return values


def _report_validate(values: dict[str, Any]) -> dict[str, Any]:
    if not 0 <= float(values["relevance_lambda"]) <= 1:
        raise ConfigError("report.relevance_lambda must be in [0, 1] (1 = by probability, the default; 0.6 = pyLDAvis relevance)")
    if values["period"] not in ("week", "month", "quarter", "year"):
        raise ConfigError(f"report.period must be week, month, quarter or year, not {values['period']!r}")
    eff = values["effects"]
    if isinstance(eff, str):
        eff = [] if eff.strip().lower() in ("", "none", "off") else [eff]
    if not all(isinstance(c, str) and c.strip() for c in eff):
        raise ConfigError("report.effects must be a list of covariates (e.g. [\"date:month\", \"source\", \"section\"]), "
                          "[\"auto\"] (time and source, the default) or [] (no effects section)")  # fmt: skip
    values["effects"] = [c.strip() for c in eff]
    draws = values["effects_draws"]
    if not isinstance(draws, int) or isinstance(draws, bool) or draws < 1:
        raise ConfigError(f"report.effects_draws must be a positive integer (posterior draws), not {draws!r}")
    return values


def _cluster_validate(values: dict[str, Any]) -> dict[str, Any]:
    addr = values["address"]
    if not isinstance(addr, str):
        raise ConfigError("cluster.address must be a string: \"\" (this process), \"local:N\", "
                          "\"tcp://HOST:PORT\" or the path of a Dask scheduler file")  # fmt: skip
    for key in ("partition_documents", "partitioned_outputs"):
        v = values[key]
        if not isinstance(v, int) or isinstance(v, bool) or v < 0 or (key == "partition_documents" and v < 1):
            raise ConfigError(f"cluster.{key} must be a positive integer (documents), not {v!r}")
    return values


def schema() -> dict[str, Section]:
    """The experiment schema: section name → :class:`Section` (defaults and validation)."""
    return {
        "experiment": Section({"name": "experiment", "description": "", "seed": 42, "out": None}),
        "corpus": Section({"sources": [], "skip_bad": False, "dedup": "none"}, _corpus_validate),
        "annotation": Section({"mode": "fast", "n_process": None, "batch_size": 64, "entities": "auto"},
                              _annotation_validate),
        "vocabulary": Section(_vocabulary_defaults(), _vocabulary_validate),
        "topics": Section(_topics_defaults(), _topics_validate),
        "selection": Section({"k": []}, _selection_validate),
        "evaluation": Section({"coherence": ["npmi", "umass"], "topn": 10, "stability_seeds": 0},
                              _evaluation_validate),
        "embeddings": Section({"model": "none"}, _embeddings_validate, _embeddings_open),
        "cluster": Section({"address": "", "partition_documents": 2000, "partitioned_outputs": 100_000},
                           _cluster_validate),
        "report": Section(
            {"n_terms": 25, "n_documents": 5, "relevance_lambda": 1.0, "period": "month",
             "seed_document": SEED_DOCUMENT, "ldavis": True, "effects": ["auto"], "effects_draws": 25},
            _report_validate,
        ),  # fmt: skip
    }


#: Keys that change how a stage runs but not what it produces (left out of cache keys).
_EXECUTION_ONLY = {"annotation": ("n_process", "batch_size"), "embeddings": ("workers",),
                   "cluster": ("address", "partition_documents", "partitioned_outputs")}


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
        from toolkit.vocabulary.config import VocabularyConfig

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


