"""Exact and near-duplicate grouping: which document is kept and why."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.corpus.dedup import Deduplicator, MinHasher, lsh_params, modify_text, similarity
from toolkit.corpus.documents import Document, Record
from toolkit.errors import ConfigError, InputError

BASE = (
    "Le conseil municipal a voté jeudi soir la rénovation complète de la piscine intercommunale, "
    "fermée depuis deux ans pour des raisons de sécurité. Les travaux devraient commencer au "
    "printemps et durer dix-huit mois, pour un coût estimé à 12 millions d’euros.\n"
    "L’opposition a dénoncé un projet trop coûteux et demandé un audit indépendant des finances "
    "de la commune, estimant que d’autres équipements sportifs étaient eux aussi en mauvais état.\n"
    "Le maire a répondu que la piscine accueillait chaque année plus de quarante mille nageurs, "
    "dont de nombreux élèves des écoles primaires, et qu’elle restait une priorité du mandat.\n"
    "Une réunion publique sera organisée le mois prochain pour présenter les plans aux habitants."
)
OTHER = (
    "La récolte de pommes a été particulièrement abondante cette année dans la vallée, grâce à "
    "un printemps doux et à des pluies régulières pendant l’été. Les producteurs s’inquiètent "
    "pourtant de la baisse des prix payés par la grande distribution, qui ne couvre plus leurs "
    "coûts de production, et réclament une meilleure répartition des marges."
)


def recs(items):
    return [Record(document=Document(id=i, text=t, date=d), path="mem", line=n)
            for n, (i, t, d) in enumerate(items, start=1)]  # fmt: skip


def run(dedup, items):
    if dedup.keep != "first":
        dedup.fit(recs(items))
    return [(r.document.id if r.ok else f"dup:{r.bad.doc_id}") for r in dedup.filter(recs(items))]


def test_exact_ignores_case_punctuation_and_spacing():
    items = [("a", "Le Chat dort.", None), ("b", "le chat  dort", None), ("c", "Le chien dort.", None)]
    assert run(Deduplicator("exact"), items) == ["a", "dup:b", "c"]


@pytest.mark.parametrize("kind", ["truncated", "retitled", "reordered", "agency", "agency_truncated"])
def test_near_finds_planted_modifications(kind):
    rng = np.random.default_rng(1)
    text, _ = modify_text(BASE, "Titre", kind, rng)
    assert text != BASE
    out = run(Deduplicator("near", keep="first"), [("orig", BASE, None), ("copy", text, None), ("other", OTHER, None)])
    assert out == ["orig", "dup:copy", "other"]


def test_exact_does_not_catch_near_duplicates():
    text, _ = modify_text(BASE, None, "agency", np.random.default_rng(0))
    assert run(Deduplicator("exact"), [("orig", BASE, None), ("copy", text, None)]) == ["orig", "copy"]


def test_keep_earliest_and_longest_with_report_and_table(tmp_path):
    short = BASE.rsplit("\n", 1)[0]
    items = [("late-long", BASE, "2024-10-03"), ("early-short", short, "2024-10-01"), ("other", OTHER, "2024-10-02")]
    d = Deduplicator("near", keep="earliest")
    assert run(d, items) == ["dup:late-long", "early-short", "other"]
    d = Deduplicator("near", keep="longest")
    assert run(d, items) == ["late-long", "dup:early-short", "other"]
    rep = d.report()
    assert rep["groups"] == 1 and rep["documents_removed"] == 1 and rep["keep"] == "longest"
    assert rep["groups_listed"][0]["reason"] == "longest"
    g = rep["groups_listed"][0]
    assert g["kept"] == "late-long" and g["duplicates"] == ["early-short"] and g["similarity"][0] >= 0.8
    path = d.write_table(tmp_path / "duplicates.csv")
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("group,doc_id,kept,kept_id,reason,similarity")
    assert lines[1].startswith("0,late-long,True,late-long,longest") and lines[2].startswith("0,early-short,False,late-long,longest")


def test_undated_documents_are_not_preferred_by_earliest():
    items = [("undated", BASE, None), ("dated", BASE, "2024-01-01")]
    d = Deduplicator("exact", keep="earliest")
    assert run(d, items) == ["dup:undated", "dated"]
    assert d.groups_[0]["reason"] == "dated"


@pytest.mark.parametrize(
    "keep, items, reason",
    [("earliest", [("a", BASE, "2024-01-02"), ("b", BASE, "2024-01-01")], "earliest"),
     ("earliest", [("a", BASE, "2024-01-01"), ("b", BASE + " Fin.", "2024-01-01")], "longest"),
     ("earliest", [("a", BASE, "2024-01-01"), ("b", BASE, "2024-01-01")], "first read"),
     ("longest", [("a", BASE, "2024-01-01"), ("b", BASE + " Fin.", "2024-01-02")], "longest")],
)  # fmt: skip
def test_the_table_says_why_a_document_was_kept(keep, items, reason):
    d = Deduplicator("near", keep=keep)
    run(d, items)
    assert d.groups_[0]["reason"] == reason and d.table_rows()[0]["reason"] == reason


def test_two_pass_detects_changed_inputs():
    d = Deduplicator("exact", keep="earliest").fit(recs([("a", BASE, None)]))
    with pytest.raises(InputError, match="changed"):
        list(d.filter(recs([("b", BASE, None)])))


def test_filter_needs_fit_for_two_pass_rules():
    with pytest.raises(ConfigError, match="fit"):
        list(Deduplicator("exact", keep="earliest").filter(recs([("a", BASE, None)])))


@pytest.mark.parametrize("kwargs", [{"method": "fuzzy"}, {"keep": "best"}, {"threshold": 0}])
def test_bad_settings(kwargs):
    with pytest.raises(ConfigError):
        Deduplicator(**kwargs)


@pytest.mark.parametrize("threshold, expected", [(0.25, (42, 3)), (0.4, (32, 4)), (0.8, (9, 13))])
def test_lsh_params_match_datasketch(threshold, expected):
    # the values datasketch's MinHashLSH(threshold, num_perm=128) chooses (datasketch 2.0)
    assert lsh_params(threshold, 128) == expected


def test_signatures_are_reproducible_and_seeded():
    a, n = MinHasher(random_state=3).signature(BASE)
    b, _ = MinHasher(random_state=3).signature(BASE)
    c, _ = MinHasher(random_state=4).signature(BASE)
    assert a.dtype == np.uint32 and a.shape == (128,) and n > 50
    assert (a == b).all() and not (a == c).all()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from("le la un une chat chien dort mange vite lentement et ou".split()),
                min_size=1, max_size=80))  # fmt: skip
def test_similarity_of_a_text_with_itself_is_one(words):
    h = MinHasher(num_perm=32)
    text = " ".join(words)
    sig, n = h.signature(text)
    j, c = similarity(sig, n, *h.signature(text.upper() + " !"))
    assert j == 1.0 and c == 1.0


@pytest.mark.slow
@pytest.mark.shared_data
def test_near_duplicates_planted_in_le_monde(lemonde_path):
    """F1 >= 0.95 on 300 planted copies among 3,000 real articles (text stays out of the repo)."""
    import gzip
    import json

    from toolkit.corpus.dedup import plant_duplicates

    docs = []
    with gzip.open(lemonde_path, "rt", encoding="utf-8") as f:
        for line in f:
            docs.append(json.loads(line))
            if len(docs) == 3000:
                break
    planted = plant_duplicates(docs, 300, random_state=0)
    items = [(d["id"], d["text"], d.get("date")) for d in docs + planted]
    d = Deduplicator("near", keep="earliest")
    d.fit(recs(items))
    removed = {r.bad.doc_id for r in d.filter(recs(items)) if not r.ok}
    group = {x: g["group"] for g in d.groups_ for x in (g["kept"], *g["duplicates"])}
    found = sum(1 for p in planted if p["id"] in group and group[p["id"]] == group.get(p["meta"]["planted_from"]))
    wrong = sum(1 for a, b, _ in d.edges_ if (a.startswith("planted-") or b.startswith("planted-"))
                and not any(x.startswith("planted-") and x.endswith(y) for x, y in ((a, b), (b, a))))  # fmt: skip
    precision = (len(d.edges_) - wrong) / len(d.edges_)
    recall = found / len(planted)
    assert 2 * precision * recall / (precision + recall) >= 0.95
    assert all(p["id"] in removed for p in planted if p["id"] in group)  # copies are later: never kept
