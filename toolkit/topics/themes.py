"""Seeded themes: named lexicons that become topics, and theme shares of documents.

A theme is a name and a list of seed words in the vocabulary's unit (lowercase lemmas,
phrases and entities joined with ``_``). The defaults (``toolkit/data/themes/default.toml``)
are *commerce*, *énergie* and *diplomatie*; user themes come from an experiment config
(``[topics.themes.NAME] seeds = [...]``) or a TOML file of the same shape.

For gensim LDA each theme reserves one topic and becomes an ``eta`` prior
(:func:`build_eta`): the theme's seeds get a large pseudo-count (``seed_weight``) in its
topic and a tiny one in the other topics, so that the theme exists as a topic and keeps its
seed words at the top.

Examples
--------
>>> themes = load_themes("default")
>>> sorted(themes)
['commerce', 'diplomatie', 'énergie']
"""

from __future__ import annotations

import logging
import tomllib
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from toolkit.errors import ConfigError, ModelError

log = logging.getLogger(__name__)

#: Pseudo-count of a seed word in topics other than its theme's.
OFF_THEME_ETA = 1e-4


def _from_table(table: Mapping[str, Any], origin: str) -> dict[str, list[str]]:
    if "themes" in table and isinstance(table["themes"], Mapping):
        table = table["themes"]
    out: dict[str, list[str]] = {}
    for name, spec in table.items():
        if isinstance(spec, Mapping):
            unknown = set(spec) - {"label", "seeds"}
            if unknown:
                raise ConfigError(f"theme {name!r} in {origin}: unknown key(s) {', '.join(sorted(unknown))}")
            seeds = spec.get("seeds")
            label = str(spec.get("label", name))
        else:
            seeds, label = spec, str(name)
        if not isinstance(seeds, list | tuple) or not seeds:
            raise ConfigError(f"theme {name!r} in {origin} needs a non-empty list of seed words")
        words = [str(s).strip().lower().replace("’", "'").replace(" ", "_") for s in seeds]
        out[label] = list(dict.fromkeys(w for w in words if w))
    if not out:
        raise ConfigError(f"no theme defined in {origin}")
    return out


def load_themes(spec: Any) -> dict[str, list[str]]:
    """Themes as ``{name: [seed, ...]}``.

    Parameters
    ----------
    spec : "default", path to a TOML file, or dict
        ``"default"`` gives the shipped lexicons; a dict maps names to seed lists or to
        ``{"label": ..., "seeds": [...]}``; ``"default+PATH"`` adds a file's themes to the
        defaults.
    """
    if spec is None:
        return {}
    if isinstance(spec, Mapping):
        return _from_table(spec, "the configuration")
    if isinstance(spec, str | Path):
        text = str(spec)
        if text.startswith("default+"):
            return {**load_themes("default"), **load_themes(text[len("default+"):])}
        if text == "default":
            data = resources.files("toolkit").joinpath("data", "themes", "default.toml").read_text(encoding="utf-8")
            return _from_table(tomllib.loads(data), "the default themes")
        p = Path(text)
        if not p.is_file():
            raise ConfigError(f"themes file not found: {p} (use 'default' or a TOML file with [themes.NAME] seeds = [...])")
        try:
            return _from_table(tomllib.loads(p.read_text(encoding="utf-8")), str(p))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{p}: invalid TOML ({exc})") from exc
    raise ConfigError(f"themes must be 'default', a TOML path or a table, not {type(spec).__name__}")


def build_eta(
    themes: Mapping[str, list[str]],
    vocabulary: list[str],
    n_topics: int,
    base: float,
    seed_weight: float,
) -> tuple[np.ndarray, dict[int, str], dict[str, dict[str, list[str]]]]:
    """The (n_topics, n_terms) ``eta`` prior reserving topic i for the i-th theme.

    Returns
    -------
    eta : ndarray, shape (n_topics, n_terms)
    topic_themes : dict of int to str
    report : dict
        For each theme, the seeds ``found`` in the vocabulary and those ``missing``.

    Raises
    ------
    ModelError
        When there are more themes than topics, or a theme has no seed in the vocabulary.
    """
    if len(themes) > n_topics:
        raise ModelError(f"{len(themes)} seeded themes need at least as many topics: raise k (now {n_topics})")
    index = {w: i for i, w in enumerate(vocabulary)}
    eta = np.full((n_topics, len(vocabulary)), base, dtype=np.float64)
    topic_themes: dict[int, str] = {}
    report: dict[str, dict[str, list[str]]] = {}
    for t, (name, seeds) in enumerate(themes.items()):
        found = [s for s in seeds if s in index]
        missing = [s for s in seeds if s not in index]
        report[name] = {"found": found, "missing": missing}
        if not found:
            raise ModelError(
                f"theme {name!r}: none of its seed words is in the vocabulary; check the seeds "
                "(lowercase lemmas, '_' for phrases) or loosen the vocabulary filters"
            )
        if missing:
            log.info("theme %s: %d seed(s) not in the vocabulary: %s", name, len(missing), ", ".join(missing[:10]))
        ids = [index[s] for s in found]
        eta[:, ids] = OFF_THEME_ETA
        eta[t, ids] = seed_weight
        topic_themes[t] = name
    return eta, topic_themes, report


def theme_shares(output, themes: Any = "default"):
    """Theme shares of every document, as a DataFrame (``doc_id`` + one column per theme).

    With a seeded model the share of a theme is the share of its reserved topic. Otherwise it
    is the probability that a word drawn from the document's topic mixture is one of the
    theme's seeds, ``sum_t theta[d, t] * sum_{w in seeds} phi[t, w]``, rescaled so that the
    themes of a document sum to at most 1 — comparable across documents, not across models.

    Parameters
    ----------
    output : TopicModelOutput
    themes : theme spec (see :func:`load_themes`); ignored for a seeded model

    Returns
    -------
    pandas.DataFrame, shape (n_documents, 1 + n_themes)
    """
    import pandas as pd

    if output.themes:
        cols = {name: output.doc_topic[:, t] for t, name in sorted(output.themes.items())}
    else:
        lex = load_themes(themes)
        index = {w: i for i, w in enumerate(output.vocabulary)}
        scores = {}
        for name, seeds in lex.items():
            ids = [index[s] for s in seeds if s in index]
            mass = output.topic_term[:, ids].sum(axis=1) if ids else np.zeros(output.n_topics)
            scores[name] = output.doc_topic @ mass
        total = np.sum(list(scores.values()), axis=0)
        scale = np.where(total > 1, total, 1.0)
        cols = {name: v / scale for name, v in scores.items()}
    df = pd.DataFrame(cols)
    df.insert(0, "doc_id", output.doc_ids)
    return df


def seed_retention(output, themes: Any = None, top_n: int = 20) -> dict[str, float]:
    """Share of each seeded theme's (in-vocabulary) seeds found in its topic's top ``top_n`` words."""
    if not output.themes:
        raise ModelError("this model has no seeded themes")
    lex = load_themes(themes) if themes is not None else None
    out = {}
    vocab = set(output.vocabulary)
    for t, name in output.themes.items():
        top = set(output.top_terms(t, top_n))
        seeds = (lex or {}).get(name) or output.info.get("seeds", {}).get(name, [])
        seeds = [s for s in seeds if s in vocab]
        k = min(len(seeds), top_n)
        out[name] = round(len(top & set(seeds)) / k, 4) if k else float("nan")
    return out
