"""Reports of a run: one self-contained HTML file, a Markdown summary and tables (CSV/Parquet).

``fnt report RUN_DIR`` (or :func:`build_report`) reads a run directory written by ``fnt run``
and writes::

    RUN_DIR/report/index.html      self-contained HTML (opens offline; pyLDAvis inlined)
    RUN_DIR/report/summary.md      Markdown summary
    RUN_DIR/report/tables/         CSV + Parquet tables and a README.md describing their columns

Examples
--------
>>> from toolkit.report import build_report
>>> build_report("runs/demo")                     # doctest: +SKIP
PosixPath('runs/demo/report/index.html')
"""

from __future__ import annotations

from pathlib import Path

from toolkit._lazy import lazy_exports

_EXPORTS = {
    "ReportData": "toolkit.report.data",
    "render_html": "toolkit.report.html",
    "render_markdown": "toolkit.report.markdown",
    "write_tables": "toolkit.report.tables",
}


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())


def build_report(run_dir: str | Path, out: str | Path | None = None, manifest: dict | None = None) -> Path:
    """Write the HTML report, Markdown summary and tables of a run directory.

    Parameters
    ----------
    run_dir : path
        A run directory written by ``fnt run`` (holds ``manifest.json`` and ``model/``).
    out : path, optional
        Report directory (default ``run_dir/report``).
    manifest : dict, optional
        The run's manifest (default: ``run_dir/manifest.json``).

    Returns
    -------
    Path
        The HTML file.
    """
    from toolkit.report.collect import collect
    from toolkit.report.html import write_html
    from toolkit.report.markdown import write_markdown
    from toolkit.report.tables import write_tables
    from toolkit.runtime import atomic_directory

    run_dir = Path(run_dir)
    target = Path(out) if out is not None else run_dir / "report"
    data = collect(run_dir, manifest=manifest)
    with atomic_directory(target, overwrite=True) as tmp:
        write_tables(data.tables, tmp / "tables")
        write_markdown(data, tmp / "summary.md")
        write_html(data, tmp / "index.html")
    return target / "index.html"


__all__ = ["build_report", *sorted(_EXPORTS)]
