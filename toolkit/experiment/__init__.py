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

Modules: :mod:`~toolkit.experiment.config` (the TOML schema, :func:`load_config`),
:mod:`~toolkit.experiment.stages` (the stage cache and each stage),
:mod:`~toolkit.experiment.runner` (:func:`run`, :func:`cached_run`, :func:`describe_run`).

Examples
--------
>>> from toolkit.experiment import run
>>> result = run("experiments/demo.toml", out="runs/demo")     # doctest: +SKIP
>>> result.report                                               # doctest: +SKIP
PosixPath('runs/demo/report/index.html')
"""

from __future__ import annotations

from toolkit._lazy import lazy_exports

_EXPORTS = {
    "ExperimentConfig": "toolkit.experiment.config",
    "load_config": "toolkit.experiment.config",
    "resolve_config": "toolkit.experiment.config",
    "schema": "toolkit.experiment.config",
    "StageCache": "toolkit.experiment.stages",
    "RunResult": "toolkit.experiment.stages",
    "evaluate_run": "toolkit.experiment.stages",
    "run": "toolkit.experiment.runner",
    "run_experiment": "toolkit.experiment.runner",
    "cached_run": "toolkit.experiment.runner",
    "describe_run": "toolkit.experiment.runner",
    "RUN_OUTPUTS": "toolkit.experiment.runner",
}

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())

__all__ = sorted(_EXPORTS)
