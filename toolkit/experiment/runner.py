"""Running an experiment: config → stages → run directory with outputs, report and manifest."""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import shutil
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from toolkit.errors import StageMissingError
from toolkit.experiment.config import ExperimentConfig, load_config
from toolkit.experiment.stages import (
    RunResult,
    StageCache,
    _corpus_hash,
    _model_stages,
    _Runner,
    _stage_annotation,
    _stage_corpus,
    _stage_vocabulary,
)

log = logging.getLogger(__name__)


def run(
    config: str | Path | ExperimentConfig,
    out: str | Path | None = None,
    *,
    cache_dir: str | Path | None = None,
    force: bool = False,
    progress: bool = True,
    report: bool = True,
    overrides: Mapping[str, Any] | None = None,
    cluster: str | None = None,
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
    cluster : str, optional
        Where the partitioned stages run, overriding ``[cluster] address``: ``local:N`` (a Dask
        ``LocalCluster`` of N worker processes), ``tcp://HOST:PORT`` (a running scheduler) or
        the path of a Dask scheduler file; ``""``/None: this process. The results are the same
        (see :mod:`toolkit.distributed`); the manifest's ``cluster`` block says where each
        stage ran and which worker ran which tasks.

    Returns
    -------
    RunResult
    """
    from toolkit.distributed.executor import connect
    from toolkit.runtime import base_manifest, now_iso, peak_memory_mb, write_json

    cfg = config if isinstance(config, ExperimentConfig) else load_config(config, overrides)
    run_dir = Path(out) if out is not None else cfg.default_out()
    run_dir.mkdir(parents=True, exist_ok=True)
    cache = StageCache(cache_dir if cache_dir is not None else run_dir / "stages")
    started = now_iso()
    t_start = time.perf_counter()
    spec = cluster if cluster is not None else cfg.section("cluster")["address"]
    with cache.lock(), connect(spec, base_dir=cfg.base_dir) as executor:
        r = _Runner(cfg, run_dir, cache, force, progress, executor)
        outputs, corpus_dir = _run_stages(r, cfg, run_dir, cache)
        cluster_info = {**executor.describe(), "stages": {"corpus": "client (sources are read in order, once)",
                                                          **r.placement}}  # fmt: skip
        from toolkit.report.curate import curate_tables

        curation = curate_tables(run_dir)  # RUN_DIR/curation.toml, when present, applies to the tables
    t_report = time.perf_counter()
    report_path = None
    manifest = base_manifest(
        "experiment",
        name=cfg.name,
        config=str(cfg.path) if cfg.path else None,
        config_hash=_config_hash(cfg),
        seed=cfg.seed,
        corpus={"content_hash": _corpus_hash(corpus_dir), "documents": _n_documents(corpus_dir)},
        started=started,
        stages=[rec.to_dict(run_dir) for rec in r.records],
        outputs=outputs,
        cluster=cluster_info,
    )  # fmt: skip
    if curation is not None:
        manifest["curation"] = curation
    if report:
        from toolkit.report import build_report

        # the report shows the manifest; manifest.json itself is written last
        snapshot = {**manifest, "finished": now_iso(), "seconds": round(time.perf_counter() - t_start, 3),
                    "peak_memory_mb": peak_memory_mb()}  # fmt: skip
        report_path = build_report(run_dir, manifest=snapshot)
        manifest["stages"].append({"stage": "report", "cached": False,
                                   "seconds": round(time.perf_counter() - t_report, 3)})  # fmt: skip
    manifest.update(finished=now_iso(), seconds=round(time.perf_counter() - t_start, 3),
                    peak_memory_mb=peak_memory_mb(), client_peak_memory_mb=_own_peak_mb())  # fmt: skip
    write_json(run_dir / "manifest.json", manifest)
    return RunResult(run_dir, manifest, dict(r.paths), report_path)


def _run_stages(r: _Runner, cfg: ExperimentConfig, run_dir: Path, cache: StageCache) -> tuple[dict[str, Any], Path]:
    from toolkit.runtime import write_json

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
    return outputs, corpus_dir


#: What a run writes at the top of its run directory (removed when a new run starts).
RUN_OUTPUTS = ("manifest.json", "topics.json", "document_topics.csv", "topic_terms.csv",
               "evaluation.json", "report", "model", "selection", "embeddings", "partitioned")  # fmt: skip


def _clear_outputs(run_dir: Path) -> None:
    for name in RUN_OUTPUTS:
        p = run_dir / name
        if p.is_dir():
            shutil.rmtree(p)
        else:
            p.unlink(missing_ok=True)


def _own_peak_mb() -> float:
    """Peak resident memory of this process alone (MiB), without its children."""
    import resource
    import sys

    scale = 1 if sys.platform == "darwin" else 1024
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 2**20, 1)


def _n_documents(corpus_dir: Path) -> int:
    from toolkit.corpus.documents import Corpus

    return len(Corpus(corpus_dir))


def _ids(corpus_dir: Path) -> list[str]:
    from toolkit.corpus.documents import Corpus

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
    from toolkit.runtime import project_root

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
