"""tomotopy DMR backend: metadata-dependent prior, same interface and output type, repeatable."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("tomotopy")

from tests.test_topics import planted  # noqa: E402
from toolkit.errors import ModelError  # noqa: E402
from toolkit.topics import TomotopyDMR, TopicModelOutput, make_model  # noqa: E402


def test_dmr_learns_a_prior_per_level(tmp_path):
    X, truth = planted(n_topics=3, block=3, docs_per_block=6)
    y = ["a"] * 6 + ["b"] * 6 + ["c"] * 6  # each level owns one block (topic)
    est = make_model("dmr", 3, 0, iterations=300, covariate="section")
    assert isinstance(est, TomotopyDMR)
    est.fit(X, y)
    found = [set(np.argsort(-row)[:3].tolist()) for row in est.components_]
    assert sorted(map(sorted, found)) == sorted(map(sorted, truth))
    out = est.output()
    assert isinstance(out, TopicModelOutput) and out.doc_topic.shape == (18, 3)
    alpha = np.asarray(out.info["dmr"]["alpha"])
    levels = out.info["dmr"]["levels"]
    main = est.doc_topic_.argmax(axis=1)
    for lv in "abc":
        topic = int(np.bincount(main[[i for i, v in enumerate(y) if v == lv]]).argmax())
        assert alpha[levels.index(lv)].argmax() == topic  # the level's prior favours its topic
    again = TomotopyDMR(3, iterations=300).fit(X, y)
    np.testing.assert_array_equal(again.components_, est.components_)  # same seed, same topics
    est.save(tmp_path / "m")
    loaded = TomotopyDMR.load_model(tmp_path / "m", est.get_params(), est.vocabulary_)
    np.testing.assert_allclose(loaded.components_, est.components_)
    theta = loaded.transform(X[:3], ["a", "a", "a"])
    assert theta.shape == (3, 3) and np.allclose(theta.sum(axis=1), 1)
    with pytest.raises(ModelError, match="not seen in training"):
        loaded.transform(X[:1], ["z"])
    with pytest.raises(ModelError, match="needs the covariate"):
        TomotopyDMR(3).fit(X)
