"""Registry of topic-model backends (name -> estimator class)."""

from __future__ import annotations

from typing import Any

from toolkit.errors import ConfigError
from toolkit.topics.batch_lda import BatchLDA
from toolkit.topics.gensim_lda import GensimLDA
from toolkit.topics.sklearn_models import NMFModel, SklearnLDA
from toolkit.topics.tomotopy_dmr import TomotopyDMR
from toolkit.topics.tomotopy_lda import TomotopyLDA

#: Backends by name. ``lda`` (tomotopy collapsed Gibbs LDA with an NMF-informed prior and a
#: short-text variant, :class:`~toolkit.topics.tomotopy_lda.TomotopyLDA`) is the default and
#: repeatable; ``gensim-lda`` is the previous default (online variational Bayes, repeatable);
#: ``lda-multicore`` is gensim's faster multi-core variant, not repeatable across runs;
#: ``batch-lda`` (batch variational LDA) runs its E-step on the workers of a cluster.
MODELS: dict[str, type] = {
    "gensim-lda": GensimLDA,
    "batch-lda": BatchLDA,
    "sklearn-lda": SklearnLDA,
    "nmf": NMFModel,
    "tomotopy-lda": TomotopyLDA,
    "tomotopy-dmr": TomotopyDMR,
}
ALIASES = {
    "lda": "tomotopy-lda", "lda-multicore": "gensim-lda", "tomotopy": "tomotopy-lda",
    "gensim": "gensim-lda", "dmr": "tomotopy-dmr",
}


def make_model(name: str, n_topics: int, random_state: int, **params: Any):
    """An unfitted estimator by backend name (``lda``, ``lda-multicore``, ``batch-lda``,
    ``sklearn-lda``, ``nmf``, ``tomotopy``, ``dmr``) with ``params`` (unknown parameters are an error)."""
    key = ALIASES.get(name, name)
    if key not in MODELS:
        raise ConfigError(f"unknown topic model {name!r}; choose one of {', '.join(sorted(set(MODELS) | set(ALIASES)))}")
    cls = MODELS[key]
    if name == "lda-multicore":
        params = {**params, "multicore": True}
    valid = set(cls._param_names())
    unknown = sorted(set(params) - valid)
    if unknown:
        raise ConfigError(f"unknown parameter(s) for {name}: {', '.join(unknown)}; valid: {', '.join(sorted(valid))}")
    return cls(n_topics=n_topics, random_state=random_state, **params)
