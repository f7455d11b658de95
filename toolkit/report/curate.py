"""Apply a run's ``curation.toml`` to its tables and report, or undo it (``fnt topics curate``).

See :mod:`toolkit.topics.curation` for the file format and what curation does.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from toolkit.topics.curation import load_curated

log = logging.getLogger(__name__)


def curate_run(run_dir: str | Path) -> dict[str, Any]:
    """Apply ``RUN_DIR/curation.toml`` (or undo a curation when the file is gone).

    Rewrites ``topics.json``, ``document_topics.csv``, ``topic_terms.csv`` at the top of the
    run directory (when the run has them), the report (when the run has one) and the
    ``curation`` entry of ``manifest.json``. The curation is validated first: a bad file
    raises :class:`CurationError` and nothing is written.

    Returns
    -------
    dict
        ``curation`` (its record, or None), ``written`` (paths).
    """
    import json

    from toolkit.runtime import write_json
    from toolkit.topics.runs import resolve_run

    paths = resolve_run(run_dir)
    output = load_curated(paths.run_dir)  # validates: raises before anything is written
    record = output.info.get("curation")
    manifest_path = paths.run_dir / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8")) if manifest_path.is_file() else None
    cfg = manifest.get("config", {}) if manifest else {}
    if isinstance(cfg, dict) and "topics" in cfg:
        lam = float(cfg["topics"].get("relevance_lambda", 0.6))
    else:
        conf = paths.run_dir / "config.json"
        rep = json.loads(conf.read_text(encoding="utf-8")).get("report", {}) if conf.is_file() else {}
        lam = float(rep.get("relevance_lambda", 0.6))
    written = _write_tables(paths, output, lam)
    if manifest is not None:
        if record is None:
            manifest.pop("curation", None)
        else:
            manifest["curation"] = record
        write_json(manifest_path, manifest)
        written.append(manifest_path)
    if (paths.run_dir / "report" / "index.html").is_file():
        from toolkit.report import build_report

        build_report(paths.run_dir)
        written.append(paths.run_dir / "report")
    log.debug("curation %s: %d files rewritten", "applied" if record else "removed", len(written))
    return {"curation": record, "written": [str(p) for p in written]}


def _write_tables(paths: Any, output: Any, lam: float) -> list[Path]:
    import shutil
    import tempfile

    from toolkit.runtime import atomic_path
    from toolkit.topics.io import write_output

    written = []
    with tempfile.TemporaryDirectory(dir=paths.run_dir, prefix=".curation-") as tmp:
        write_output(tmp, output, lam)
        for name in ("topics.json", "document_topics.csv", "topic_terms.csv"):
            target = paths.run_dir / name
            if target.is_file() or paths.run_dir == paths.output_dir:
                with atomic_path(target) as t:
                    shutil.copyfile(Path(tmp) / name, t)
                written.append(target)
    return written


def curate_tables(run_dir: str | Path) -> dict[str, Any] | None:
    """For ``fnt run``: rewrite an experiment run's tables with its ``curation.toml`` when it has
    one (the report reads the curation itself); return the curation record or None."""
    import json

    from toolkit.topics.curation import CURATION_FILE
    from toolkit.topics.runs import resolve_run

    run_dir = Path(run_dir)
    if not (run_dir / CURATION_FILE).is_file():
        return None
    paths = resolve_run(run_dir)
    output = load_curated(run_dir)
    conf = run_dir / "config.json"
    rep = json.loads(conf.read_text(encoding="utf-8")).get("report", {}) if conf.is_file() else {}
    _write_tables(paths, output, float(rep.get("relevance_lambda", 0.6)))
    return output.info["curation"]
