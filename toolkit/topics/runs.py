"""Find the pieces of a topic-model run: output, backend model files, bag of words, corpus.

Two kinds of directory hold a topic model:

* a **topics run** written by ``fnt topics train --out DIR``: ``DIR/output.npz``,
  ``DIR/model/`` (backend files), ``DIR/bow/``, ``DIR/manifest.json`` (``corpus.directory``);
* an **experiment run** written by ``fnt run``: ``DIR/model/output.npz``,
  ``DIR/model/model/`` (backend files), ``DIR/manifest.json`` whose stages point to the
  annotated corpus and the vocabulary stage (``bow/``).

:func:`resolve_run` accepts either (or the ``model/`` directory of an experiment run) and
returns a :class:`RunPaths`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from toolkit.errors import StageMissingError


@dataclass
class RunPaths:
    """Where the parts of a topic-model run are (None when absent).

    Attributes
    ----------
    run_dir : Path
        The directory the user named (curation.toml and validation answers live here).
    output_dir : Path
        Holds ``output.npz`` / ``output.json`` (:func:`toolkit.topics.load_output`).
    model_dir : Path or None
        The backend's own files (``lda.gensim``, ``model.pkl``, ``lda.tomotopy``…).
    bow_dir : Path or None
        The bag of words the model was trained on.
    corpus_dir : Path or None
        The corpus directory (``documents.parquet``) with the documents' metadata.
    manifest : dict
    """

    run_dir: Path
    output_dir: Path
    model_dir: Path | None
    bow_dir: Path | None
    corpus_dir: Path | None
    manifest: dict[str, Any]


def _read(p: Path) -> dict[str, Any]:
    try:
        return json.loads(p.read_text(encoding="utf-8")) if p.is_file() else {}
    except (OSError, json.JSONDecodeError):
        return {}


def _has_bow(d: Path) -> bool:
    """A saved bag of words: one matrix (``bow.npz``) or partitions (``vocabulary.json`` + ``parts/``)."""
    return (d / "bow.npz").is_file() or ((d / "vocabulary.json").is_file() and (d / "parts").is_dir())


def _stage_path(run_dir: Path, manifest: dict[str, Any], name: str) -> Path | None:
    for st in manifest.get("stages", []):
        if st.get("stage") == name and st.get("path"):
            p = Path(st["path"])
            return p if p.is_absolute() else (run_dir / p)
    return None


def resolve_run(path: str | Path, corpus: str | Path | None = None) -> RunPaths:
    """The parts of a topic-model run directory (topics run or experiment run).

    Parameters
    ----------
    path : path
        ``fnt topics train`` output, ``fnt run`` output, or the latter's ``model/``.
    corpus : path, optional
        Corpus directory to use instead of the one recorded in the manifest.

    Raises
    ------
    StageMissingError
        When ``path`` holds no topic model output.
    """
    p = Path(path)
    if (p / "model" / "output.npz").is_file():  # experiment run
        run_dir, output_dir = p, p / "model"
    elif (p / "output.npz").is_file():
        if p.name == "model" and (p.parent / "manifest.json").is_file() and not (p / "manifest.json").is_file():
            run_dir, output_dir = p.parent, p  # the model/ of an experiment run
        else:
            run_dir, output_dir = p, p
    else:
        raise StageMissingError(
            f"{p} holds no topic model (no output.npz or model/output.npz); train one with "
            f"'fnt topics train CORPUS_DIR --out {p}' or 'fnt run EXPERIMENT.toml --out {p}'"
        )
    manifest = _read(run_dir / "manifest.json")
    model_dir = output_dir / "model" if (output_dir / "model").is_dir() else None
    bow_dir = None
    if _has_bow(output_dir / "bow"):
        bow_dir = output_dir / "bow"
    else:
        vocab = _stage_path(run_dir, manifest, "vocabulary")
        if vocab is not None and _has_bow(vocab / "bow"):
            bow_dir = vocab / "bow"
    corpus_dir: Path | None = Path(corpus) if corpus is not None else None
    if corpus_dir is None:
        cand = manifest.get("corpus", {}).get("directory") if isinstance(manifest.get("corpus"), dict) else None
        if cand and (Path(cand) / "documents.parquet").is_file():
            corpus_dir = Path(cand)
        else:
            for name in ("annotation", "corpus"):
                st = _stage_path(run_dir, manifest, name)
                if st is not None and (st / "corpus" / "documents.parquet").is_file():
                    corpus_dir = st / "corpus"
                    break
    if corpus_dir is not None and not (corpus_dir / "documents.parquet").is_file():
        raise StageMissingError(f"{corpus_dir} is not a corpus directory (no documents.parquet)")
    return RunPaths(run_dir, output_dir, model_dir, bow_dir, corpus_dir, manifest)


def document_metadata(corpus: Any):
    """Every metadata field of a corpus's documents, one row per document (no text).

    The fixed fields (``date``, ``source``, ``section``, ``title``, ``url``) plus every key of
    the free-form ``meta`` record (a key that clashes with a fixed field is kept as
    ``meta.KEY``). The id column is ``doc_id``.

    Parameters
    ----------
    corpus : corpus directory or DataFrame (``id``/``doc_id`` column)
    """
    import pandas as pd

    if isinstance(corpus, pd.DataFrame):
        meta = corpus.copy()
        if "doc_id" not in meta.columns and "id" in meta.columns:
            meta = meta.rename(columns={"id": "doc_id"})
        return meta
    import pyarrow.parquet as pq

    path = Path(corpus) / "documents.parquet"
    if not path.is_file():
        raise StageMissingError(f"{corpus} is not a corpus directory (no documents.parquet)")
    names = pq.read_schema(path).names
    cols = [c for c in ("id", "title", "date", "source", "section", "url", "meta") if c in names]
    frame = pq.read_table(path, columns=cols).to_pandas().rename(columns={"id": "doc_id"})
    if "meta" in frame.columns:
        extra = [json.loads(m) if isinstance(m, str) and m else {} for m in frame.pop("meta")]
        keys = sorted({k for e in extra if isinstance(e, dict) for k in e})
        for k in keys:
            name = k if k not in frame.columns else f"meta.{k}"
            frame[name] = [e.get(k) if isinstance(e, dict) else None for e in extra]
    return frame
