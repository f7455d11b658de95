"""Topic prevalence effects: planted-effect coverage, covariates, bad input, CLI."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from toolkit.errors import ConfigError
from toolkit.topics.base import TopicModelOutput
from toolkit.topics.effects import Covariate, estimate_effects
from toolkit.topics.posterior import TopicPosterior

K = 4
PLANTED = 0.10  # outlet B raises topic 0's expected share by this much


def simulate(seed: int, n: int = 240, length: int = 60):
    """A synthetic corpus whose answer is known.

    Documents get true shares theta_d ~ Dirichlet(8 * m_d), with m_d uniform over the K topics
    except that outlet B moves PLANTED of mass from the other topics to topic 0; ``section`` is
    assigned at random (no effect). Each document's ``length`` tokens are drawn from theta_d and
    the 'model' posterior is Dirichlet(1/K + topic counts), as a Gibbs sampler would give.
    """
    rng = np.random.default_rng(seed)
    outlet = np.where(np.arange(n) % 2 == 0, "A", "B")
    section = rng.choice(["x", "y"], size=n)
    base = np.full(K, 1.0 / K)
    planted = base.copy()
    planted[0] += PLANTED
    planted[1:] -= PLANTED / (K - 1)
    means = np.where((outlet == "B")[:, None], planted, base)
    theta = np.vstack([rng.dirichlet(8 * m) for m in means])
    counts = np.vstack([rng.multinomial(length, t) for t in theta])
    post = TopicPosterior(1.0 / K + counts, "gibbs")
    ids = [f"d{i}" for i in range(n)]
    out = TopicModelOutput(
        topic_term=np.full((K, 5), 0.2), doc_topic=post.mean, vocabulary=list("abcde"),
        term_frequency=np.ones(5), doc_lengths=np.full(n, float(length)), doc_ids=ids,
    )  # fmt: skip
    meta = pd.DataFrame({"doc_id": ids, "outlet": outlet, "section": section})
    return out, post, meta


def test_planted_effect_is_covered_and_null_covariate_covers_zero():
    """>= 90 % of 95 % intervals cover the planted difference, and zero for the null covariate."""
    reps = 60
    hit_planted = hit_null = 0
    widths = []
    for rep in range(reps):
        out, post, meta = simulate(rep)
        res = estimate_effects(None, ["outlet", "section"], output=out, posterior=post, corpus=meta,
                               contrasts=["outlet:B:A", "section:y:x"], topics=[0], n_draws=20,
                               n_sims=25, seed=rep)  # fmt: skip
        c = res.contrasts.set_index("covariate")
        lo, hi = c.loc["outlet", ["ci_low", "ci_high"]]
        hit_planted += lo <= PLANTED <= hi
        widths.append(hi - lo)
        lo, hi = c.loc["section", ["ci_low", "ci_high"]]
        hit_null += lo <= 0 <= hi
    assert hit_planted / reps >= 0.90, hit_planted
    assert hit_null / reps >= 0.90, hit_null
    # intervals that cover because they are huge would say nothing: they must exclude zero
    assert np.median(widths) < PLANTED


def test_posterior_uncertainty_widens_intervals():
    """Short documents (uncertain topics) give wider intervals than the same point estimates
    treated as known, which is what the method of composition is for."""
    out, post, meta = simulate(1, length=8)
    certain = TopicPosterior(post.mean * 1e6, "variational")
    wide = estimate_effects(None, ["outlet"], output=out, posterior=post, corpus=meta, topics=[0], seed=1)
    narrow = estimate_effects(None, ["outlet"], output=out, posterior=certain, corpus=meta, topics=[0], seed=1)
    w = (wide.estimates.ci_high - wide.estimates.ci_low).mean()
    n = (narrow.estimates.ci_high - narrow.estimates.ci_low).mean()
    assert w > 1.1 * n


def test_same_seed_same_numbers():
    out, post, meta = simulate(3)
    a = estimate_effects(None, ["outlet"], output=out, posterior=post, corpus=meta, seed=5)
    b = estimate_effects(None, ["outlet"], output=out, posterior=post, corpus=meta, seed=5)
    pd.testing.assert_frame_equal(a.estimates, b.estimates)


def test_levels_estimates_are_group_means_when_certain():
    out, post, meta = simulate(4)
    certain = TopicPosterior(post.mean * 1e7, "variational")
    res = estimate_effects(None, ["outlet"], output=out, posterior=certain, corpus=meta, seed=0)
    est = res.estimates.set_index(["topic", "level"])["estimate"]
    for level in ("A", "B"):
        rows = (meta["outlet"] == level).to_numpy()
        np.testing.assert_allclose(est.loc[(0, level)], out.doc_topic[rows, 0].mean(), atol=2e-3)


def test_bad_input():
    out, post, meta = simulate(5, n=60)
    with pytest.raises(ConfigError, match="available fields: outlet, section"):
        estimate_effects(None, ["colour"], output=out, posterior=post, corpus=meta)
    with pytest.raises(ConfigError, match="not understood"):
        Covariate.parse("date:fortnight")
    with pytest.raises(ConfigError, match="no level 'C'"):
        estimate_effects(None, ["outlet"], output=out, posterior=post, corpus=meta, contrasts=["outlet:C:A"])
    # missing values are dropped and counted; rare levels dropped with a note
    meta = meta.copy()
    meta.loc[:4, "outlet"] = None
    meta.loc[10:12, "section"] = "rare"
    res = estimate_effects(None, ["outlet", "section"], output=out, posterior=post, corpus=meta, n_draws=3)
    assert res.info["documents_without_value"]["outlet"] == 5
    assert res.info["documents_used"] == 60 - 5 - 3
    assert any("rare (3)" in n for n in res.info["notes"])
    assert "rare" not in set(res.estimates["level"])


def test_time_covariates(tmp_path):
    out, post, meta = simulate(6, n=120)
    meta["date"] = pd.date_range("2024-01-01", periods=120, freq="D").strftime("%Y-%m-%d")
    res = estimate_effects(None, ["date:month", "outlet"], output=out, posterior=post, corpus=meta, n_draws=4)
    months = res.estimates[res.estimates.covariate == "date:month"]
    assert sorted(set(months["level"])) == ["2024-01", "2024-02", "2024-03", "2024-04"]
    spline = estimate_effects(None, ["date:spline:3"], output=out, posterior=post, corpus=meta, n_draws=4)
    assert len(spline.estimates) == K * 4
    from toolkit.topics.effects import plot_levels, plot_time

    fig = plot_time(res)
    fig.savefig(tmp_path / "t.png")
    plot_levels(res, "outlet").savefig(tmp_path / "l.png")
    assert (tmp_path / "t.png").stat().st_size > 1000
    rows = res.rows()
    assert {"topic", "covariate", "level", "estimate", "ci_low", "ci_high"} <= set(rows[0])
    json.dumps(rows, ensure_ascii=False)


# --------------------------------------------------------------------------- bundled corpus


@pytest.fixture(scope="module")
def bundled_run(bundled_corpus_dir, tmp_path_factory):
    """The default topic model on the bundled corpus (annotated on the fly), as fnt topics train writes it."""
    import shutil

    from toolkit.cli import main

    corpus = tmp_path_factory.mktemp("effects") / "corpus"
    shutil.copytree(bundled_corpus_dir, corpus)
    out = corpus.parent / "lda"
    assert main(["-q", "topics", "train", str(corpus), "--k", "6", "--seed", "3", "--out", str(out), "--no-progress"]) == 0
    return out


@pytest.mark.slow
def test_bundled_corpus_effects_by_month_and_source(bundled_run, capsys):
    from toolkit.cli import main

    args = ["topics", "effects", str(bundled_run), "--covariate", "date:month", "--covariate", "source",
            "--contrast", "source:L’Hebdo démo:Agence démo", "--draws", "10", "--json"]  # fmt: skip
    assert main(args) == 0
    rows = json.loads(capsys.readouterr().out)
    levels = [r for r in rows if "contrast" not in r]
    assert {r["level"] for r in levels if r["covariate"] == "date:month"} == {"2024-09", "2024-10", "2024-11", "2024-12"}
    assert {r["level"] for r in levels if r["covariate"] == "source"} == {"Agence démo", "Le Quotidien démo", "L’Hebdo démo"}
    assert len(levels) == 6 * 7 and all(r["ci_low"] <= r["estimate"] <= r["ci_high"] for r in rows)
    assert len([r for r in rows if "contrast" in r]) == 6
    again = main(args)
    assert again == 0 and json.loads(capsys.readouterr().out) == rows  # seeded (the run's seed)
    # the model's own posterior is used, not the approximation: Gibbs counts for the default
    # (tomotopy) model, the variational Dirichlet for gensim's
    res = estimate_effects(bundled_run, ["source"], n_draws=2, n_sims=2)
    assert res.info["posterior"] == "gibbs"
    assert res.info["documents_without_value"]["source"] == 1  # the seed article has no outlet
    gensim_run = bundled_run.parent / "gensim-lda"
    assert main(["-q", "topics", "train", str(bundled_run.parent / "corpus"), "--model", "gensim-lda", "--k", "6",
                 "--seed", "3", "--out", str(gensim_run), "--no-progress"]) == 0  # fmt: skip
    res = estimate_effects(gensim_run, ["source"], n_draws=2, n_sims=2)
    assert res.info["posterior"] == "variational"


@pytest.mark.slow
def test_bundled_corpus_report_renders_effects(bundled_run):
    from toolkit.report import build_report

    html = build_report(bundled_run, out=bundled_run.parent / "report").read_text(encoding="utf-8")
    for anchor in ("effects", "effects-table", "contrasts-table", "correlations", "correlation-plot"):
        assert f'id="{anchor}"' in html
    assert html.count('class="effects-plot"') == 3  # months with bands, sources, differences
    assert "2024-11" in html and "L’Hebdo démo" in html
    tables = bundled_run.parent / "report" / "tables"
    eff = pd.read_csv(tables / "effects.csv")
    assert set(eff["covariate"]) == {"date:month", "source"}


def test_cli_errors_name_the_fields(bundled_corpus_dir, tmp_path, capsys):
    from toolkit.cli import main
    from toolkit.topics.io import write_output

    out, _, _ = simulate(0, n=20)
    import pyarrow.parquet as pq

    ids = pq.read_table(bundled_corpus_dir / "documents.parquet", columns=["id"]).column("id").to_pylist()[:20]
    out.doc_ids = ids
    write_output(tmp_path / "run", out)
    code = main(["topics", "effects", str(tmp_path / "run"), "--corpus", str(bundled_corpus_dir), "--covariate", "outlet"])
    err = capsys.readouterr().err
    assert code == 2 and "available fields: date, source, section" in err and "Traceback" not in err


@pytest.mark.parametrize("cov_type", ["HC3", "HC1", "HC0", "HC2", "nonrobust"])
def test_batch_ols_matches_statsmodels(cov_type):
    import statsmodels.api as sm

    from toolkit.topics.effects import _BatchOLS

    rng = np.random.default_rng(0)
    X = np.column_stack([np.ones(80), rng.integers(0, 2, 80), rng.normal(size=80)])
    Y = rng.dirichlet(np.ones(3), size=80)
    params, covs = _BatchOLS(X, cov_type).fit(Y)
    for k in range(3):
        fit = sm.OLS(Y[:, k], X).fit(cov_type=cov_type)
        np.testing.assert_allclose(params[:, k], fit.params, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(covs[k], fit.cov_params(), rtol=1e-9, atol=1e-14)


def test_engines_agree():
    out, post, meta = simulate(9, n=80)
    a = estimate_effects(None, ["outlet"], output=out, posterior=post, corpus=meta, seed=2, n_draws=3)
    b = estimate_effects(None, ["outlet"], output=out, posterior=post, corpus=meta, seed=2, n_draws=3,
                         engine="statsmodels")  # fmt: skip
    pd.testing.assert_frame_equal(a.estimates, b.estimates, rtol=1e-6)
