"""Curation: relabel, merge and flag topics of a trained model, without retraining.

A run directory may hold a ``curation.toml``::

    # topics 7 and 9 say nothing: reports list them last and effects skip them
    junk = [7, 9]

    [labels]            # topic id (as trained) = label
    0 = "Commerce avec la Chine"
    4 = "Énergie nucléaire"

    [[merge]]           # one table per merged topic
    topics = [2, 5]
    label = "Diplomatie"

Every output read through :func:`load_curated` (tables, report, effects, themes, validation)
then sees the curated model:

* a merged topic's document shares are the **sum** of its members' shares (rows still sum to
  1); its word distribution is the members' distributions weighted by their share of the
  corpus's tokens (so it is the word distribution of the tokens the members account for);
* topics are renumbered in order of their first member (the merged topic takes the place of
  its lowest id); ``output.info["curation"]`` keeps the map ``groups`` (new topic -> trained
  topics) and the ``junk`` topics (new ids);
* junk topics stay in the model (shares still sum to 1) but are marked ``[junk]`` in their
  label, listed last by reports and left out of effect estimates.

A file that names a topic the model does not have, merges a topic twice, puts a junk topic in
a merge, or has a key this module does not know is an error (:class:`CurationError`), raised
before anything is written. :func:`toolkit.report.curate.curate_run` rewrites a run's tables (``topics.json``,
``document_topics.csv``, ``topic_terms.csv``), its report when it has one, and records the
curation in ``manifest.json``; run again after deleting ``curation.toml`` it gives back the
original files byte for byte (the trained ``output.npz`` is never modified).
"""

from __future__ import annotations

import hashlib
import logging
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from toolkit.errors import ConfigError

log = logging.getLogger(__name__)

CURATION_FILE = "curation.toml"
JUNK_PREFIX = "[junk] "


class CurationError(ConfigError):
    """A curation file is invalid (unknown topic, topic merged twice, unknown key)."""


@dataclass
class Curation:
    """A validated curation of a model with ``n_topics`` trained topics.

    Attributes
    ----------
    groups : list of list of int
        New topic i is the sum of trained topics ``groups[i]`` (singletons when not merged).
    labels : dict of int to str
        New topic id -> label given by the curator.
    junk : list of int
        New ids of the topics marked as junk.
    source : str
        Where the curation came from (file path or "dict").
    sha256 : str
        Hash of the file's bytes (``sha256:…``), "" for a dict.
    """

    n_topics: int
    groups: list[list[int]]
    labels: dict[int, str] = field(default_factory=dict)
    junk: list[int] = field(default_factory=list)
    source: str = "dict"
    sha256: str = ""

    @property
    def is_identity(self) -> bool:
        return all(len(g) == 1 for g in self.groups) and not self.labels and not self.junk

    def collapse(self, matrix: np.ndarray) -> np.ndarray:
        """Sum the columns of an (n, n_topics) matrix into (n, n_curated) by group."""
        m = np.asarray(matrix, dtype=np.float64)
        if m.shape[-1] != self.n_topics:
            raise CurationError(f"curation is for {self.n_topics} topics, the matrix has {m.shape[-1]}")
        return np.stack([m[..., g].sum(axis=-1) for g in self.groups], axis=-1)

    def to_dict(self) -> dict[str, Any]:
        return {"file": Path(self.source).name, "sha256": self.sha256, "trained_topics": self.n_topics,
                "groups": [list(g) for g in self.groups], "labels": {str(k): v for k, v in self.labels.items()},
                "junk": list(self.junk)}  # fmt: skip


def _topic(value: Any, n_topics: int, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise CurationError(f"{where}: {value!r} is not a topic id (an integer 0..{n_topics - 1})")
    try:
        t = int(value)
    except ValueError:
        raise CurationError(f"{where}: {value!r} is not a topic id (an integer 0..{n_topics - 1})") from None
    if not 0 <= t < n_topics:
        raise CurationError(f"{where}: topic {t} does not exist (the model has topics 0..{n_topics - 1})")
    return t


def parse_curation(data: dict[str, Any], n_topics: int, source: str = "dict", sha256: str = "") -> Curation:
    """Validate a parsed curation table against a model with ``n_topics`` topics.

    Raises
    ------
    CurationError
        Unknown key, unknown topic, topic merged twice, junk topic merged, empty merge.
    """
    where = source
    unknown = sorted(set(data) - {"labels", "merge", "junk"})
    if unknown:
        raise CurationError(f"{where}: unknown key(s) {', '.join(unknown)}; known: labels, merge, junk")
    labels_in = data.get("labels", {}) or {}
    if not isinstance(labels_in, dict):
        raise CurationError(f"{where}: [labels] must be a table of topic id = \"label\"")
    merges = data.get("merge", []) or []
    if not isinstance(merges, list):
        raise CurationError(f"{where}: merges are [[merge]] tables with topics = [..] and an optional label")
    junk_in = data.get("junk", []) or []
    if not isinstance(junk_in, list):
        raise CurationError(f"{where}: junk must be a list of topic ids, e.g. junk = [3, 7]")
    owner: dict[int, int] = {}
    merge_groups: list[tuple[list[int], str | None]] = []
    for i, m in enumerate(merges, start=1):
        w = f"{where}: [[merge]] #{i}"
        if not isinstance(m, dict):
            raise CurationError(f"{w} must be a table with topics = [..]")
        bad = sorted(set(m) - {"topics", "label"})
        if bad:
            raise CurationError(f"{w}: unknown key(s) {', '.join(bad)}; known: topics, label")
        ts = m.get("topics")
        if not isinstance(ts, list) or len(ts) < 2:
            raise CurationError(f"{w}: topics must list at least two topic ids")
        ids = [_topic(t, n_topics, w) for t in ts]
        for t in ids:
            if t in owner:
                other = "the same [[merge]]" if owner[t] == i else f"[[merge]] #{owner[t]}"
                raise CurationError(f"{w}: topic {t} is merged twice (it is already in {other})")
            owner[t] = i
        label = m.get("label")
        if label is not None and not isinstance(label, str):
            raise CurationError(f"{w}: label must be a string")
        merge_groups.append((sorted(ids), label))
    junk_trained = []
    for t in junk_in:
        t = _topic(t, n_topics, f"{where}: junk")
        if t in owner:
            raise CurationError(f"{where}: junk topic {t} is also in [[merge]] #{owner[t]}; mark the merged topic's "
                                "members as junk by not merging them, or drop it from junk")  # fmt: skip
        if t in junk_trained:
            raise CurationError(f"{where}: junk lists topic {t} twice")
        junk_trained.append(t)
    labels_trained: dict[int, str] = {}
    for key, label in labels_in.items():
        t = _topic(key, n_topics, f"{where}: [labels]")
        if not isinstance(label, str) or not label.strip():
            raise CurationError(f"{where}: [labels] {key} must be a non-empty string")
        if t in owner:
            raise CurationError(f"{where}: [labels] names topic {t}, which is merged: give the merged topic's "
                                f"label in its [[merge]] table (label = \"...\")")  # fmt: skip
        labels_trained[t] = label.strip()
    # new order: by first member
    first = {g[0]: (g, lab) for g, lab in merge_groups}
    groups: list[list[int]] = []
    labels: dict[int, str] = {}
    junk: list[int] = []
    for t in range(n_topics):
        if t in first:
            g, lab = first[t]
            if lab:
                labels[len(groups)] = lab.strip()
            groups.append(g)
        elif t not in owner:
            if t in labels_trained:
                labels[len(groups)] = labels_trained[t]
            if t in junk_trained:
                junk.append(len(groups))
            groups.append([t])
    return Curation(n_topics, groups, labels, junk, source, sha256)


def read_curation(path: str | Path, n_topics: int) -> Curation:
    """Read and validate a ``curation.toml`` for a model with ``n_topics`` topics."""
    p = Path(path)
    raw = p.read_bytes()
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CurationError(f"{p}: not valid TOML ({exc})") from None
    return parse_curation(data, n_topics, str(p), "sha256:" + hashlib.sha256(raw).hexdigest())


def apply_curation(output, curation: Curation):
    """The curated :class:`~toolkit.topics.base.TopicModelOutput` (a new object).

    Merged topics: document shares summed; word distribution = members' distributions
    weighted by their token mass ``sum_d len_d * theta[d, k]``. Labels: the curator's, else
    the trained label for single topics, else an automatic label of the merged topic.
    """
    from toolkit.topics.base import TopicModelOutput
    from toolkit.topics.describe import auto_labels

    if curation.n_topics != output.n_topics:
        raise CurationError(f"{curation.source}: written for {curation.n_topics} topics, the model has {output.n_topics}")
    mass = (output.doc_lengths[:, None] * output.doc_topic).sum(axis=0)
    rows = []
    for g in curation.groups:
        w = mass[g]
        w = w / w.sum() if w.sum() > 0 else np.full(len(g), 1.0 / len(g))
        rows.append((output.topic_term[g] * w[:, None]).sum(axis=0))
    themes = {}
    for t, name in output.themes.items():
        new = next(i for i, g in enumerate(curation.groups) if t in g)
        themes[new] = name if new not in themes else f"{themes[new]} + {name}"
    info = dict(output.info)
    info["curation"] = curation.to_dict()
    curated = TopicModelOutput(
        topic_term=np.vstack(rows), doc_topic=curation.collapse(output.doc_topic),
        vocabulary=list(output.vocabulary), term_frequency=output.term_frequency,
        doc_lengths=output.doc_lengths, doc_ids=list(output.doc_ids), themes=themes, info=info,
        display=list(output.display),
    )  # fmt: skip
    auto = auto_labels(curated)
    labels = []
    for i, g in enumerate(curation.groups):
        label = curation.labels.get(i) or (output.labels[g[0]] if len(g) == 1 else auto[i])
        labels.append(JUNK_PREFIX + label if i in curation.junk else label)
    curated.labels = labels
    return curated


def junk_topics(output) -> list[int]:
    """Topics of a (curated) output marked as junk (empty when not curated)."""
    return list(output.info.get("curation", {}).get("junk", []))


def load_curated(path: str | Path, curation: str | Path | None | bool = True):
    """Load a run's topic model output with its ``curation.toml`` applied (when present).

    Parameters
    ----------
    path : path
        A topics run, an experiment run, or an experiment run's ``model/``.
    curation : True, False or path
        True: ``RUN_DIR/curation.toml`` when it exists; False: none; a path: that file.
    """
    from toolkit.topics.io import load_output
    from toolkit.topics.runs import resolve_run

    paths = resolve_run(path)
    output = load_output(paths.output_dir)
    if curation is False or curation is None:
        return output
    file = paths.run_dir / CURATION_FILE if curation is True else Path(curation)
    if not file.is_file():
        if curation is not True:
            raise CurationError(f"curation file not found: {file}")
        return output
    return apply_curation(output, read_curation(file, output.n_topics))
