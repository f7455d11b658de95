"""Vocabulary: stop lists, entity merging, phrases, bag of words — on synthetic token tables."""

from __future__ import annotations

from pathlib import Path

import pytest

from toolkit.errors import ConfigError, ModelError, StageMissingError
from toolkit.vocabulary import (
    BagOfWords,
    TokenStream,
    VocabularyConfig,
    build_bow,
    default_stopwords,
    explain,
)

# --------------------------------------------------------------------------- helpers

# (form, lemma, upos, entity) ; entity is a label string that groups consecutive words
Word = tuple


def write_token_table(directory: Path, docs: dict[str, list[list[Word]]], row_group_size: int = 7) -> Path:
    """Write a token table following the annotation contract (small row groups on purpose)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    cols: dict[str, list] = {k: [] for k in (
        "doc_id", "sent", "word", "token", "start", "end", "form", "norm", "lemma", "upos",
        "feats", "ent_type", "ent_id", "space_after")}  # fmt: skip
    for doc_id, sents in docs.items():
        w = 0
        offset = 0
        ent_index = -1
        prev_ent = None
        for s, sent in enumerate(sents):
            for item in sent:
                form, lemma, upos = item[:3]
                ent = item[3] if len(item) > 3 else None
                if ent and ent != prev_ent:
                    ent_index += 1
                prev_ent = ent
                cols["doc_id"].append(doc_id)
                cols["sent"].append(s)
                cols["word"].append(w)
                cols["token"].append(w)
                cols["start"].append(offset)
                cols["end"].append(offset + len(form))
                cols["form"].append(form)
                cols["norm"].append(form.replace("’", "'"))
                cols["lemma"].append(lemma)
                cols["upos"].append(upos)
                cols["feats"].append("_")
                cols["ent_type"].append("PER" if ent else "")
                cols["ent_id"].append(ent_index if ent else -1)
                cols["space_after"].append(True)
                w += 1
                offset += len(form) + 1
    types = {"sent": pa.int32(), "word": pa.int32(), "token": pa.int32(), "start": pa.int32(),
             "end": pa.int32(), "ent_id": pa.int32(), "space_after": pa.bool_()}  # fmt: skip
    table = pa.table({k: pa.array(v, type=types.get(k, pa.string())) for k, v in cols.items()})
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "tokens.parquet"
    pq.write_table(table, path, row_group_size=row_group_size)
    return path


def _s(text: str) -> list[Word]:
    """'form/lemma/UPOS[/E]' items separated by spaces -> words."""
    out = []
    for item in text.split():
        parts = item.split("/")
        out.append((parts[0].replace("_", " "), parts[1], parts[2], parts[3] if len(parts) > 3 else None))
    return out


TRADE = _s("Les/le/DET droits/droit/NOUN de/de/ADP douane/douane/NOUN frappent/frapper/VERB "
           "les/le/DET exportations/exportation/NOUN européennes/européen/ADJ ./././PUNCT")
DIPLO = _s("Xi/Xi/PROPN/A Jinping/Jinping/PROPN/A a/avoir/AUX reçu/recevoir/VERB "
           "l'/le/DET ambassadeur/ambassadeur/NOUN lundi/lundi/NOUN ./././PUNCT")
SUMMER = _s("L’/le/DET été/été/NOUN a/avoir/AUX été/être/AUX chaud/chaud/ADJ "
            "pour/pour/ADP l’/le/DET État/État/NOUN à/à/ADP la/le/DET fois/fois/NOUN ./././PUNCT")
BOILER = _s("Lire/lire/VERB aussi/aussi/ADV Article/article/NOUN réservé/réserver/VERB "
            "aux/à/ADP abonnés/abonné/NOUN 2024/2024/NUM 12,5/12,5/NUM gaz/gaz/NOUN")


@pytest.fixture()
def small_dir(tmp_path: Path) -> Path:
    docs = {f"d{i}": [TRADE, DIPLO] if i % 2 else [TRADE, SUMMER] for i in range(12)}
    docs["boiler"] = [BOILER]
    docs["empty"] = [_s("Le/le/DET ./././PUNCT")]
    write_token_table(tmp_path / "c", docs)
    return tmp_path / "c"


# --------------------------------------------------------------------------- tests


@pytest.mark.parametrize(
    ("word", "expected"),
    [("le", True), ("l'", True), ("l’", True), ("qu’", True), ("être", True), ("fois", True),
     ("état", False), ("pays", False), ("guerre", False), ("gouvernement", False)],
)  # fmt: skip
def test_default_stopwords(word, expected):
    assert (word in default_stopwords()) is expected


def test_stream_filters_merges_and_phrases(small_dir):
    cfg = VocabularyConfig(phrase_min_count=3)
    docs = dict(TokenStream(small_dir, cfg))
    # phrases span connectors (droits de douane); entities are merged; verbs, articles dropped
    assert docs["d1"][0] == "droit_de_douane"
    assert docs["d1"][-2:] == ["xi_jinping", "ambassadeur"]
    assert "lundi" not in docs["d1"] and "recevoir" not in docs["d1"]
    # été (noun, summer) and État kept; été (participle), fois, articles dropped
    plain = dict(TokenStream(small_dir, VocabularyConfig(phrases=False)))
    assert plain["d0"][-3:] == ["été", "chaud", "état"]
    # boilerplate (lire aussi, article réservé aux abonnés) and numbers removed
    assert docs["boiler"] == ["gaz"]
    assert docs["empty"] == []


def test_stream_is_reiterable_and_cached(small_dir):
    stream = TokenStream(small_dir, VocabularyConfig(phrase_min_count=3))
    first = list(stream)
    assert list(stream) == first
    assert list(small_dir.glob("phrases-*.pkl"))
    again = list(TokenStream(small_dir, VocabularyConfig(phrase_min_count=3)))
    assert again == first


def test_sentences_and_all_pos(small_dir):
    cfg = VocabularyConfig(pos=None, stopwords=None, phrases=False)
    sents = list(TokenStream(small_dir, cfg).sentences())
    assert ["xi_jinping", "reçu" if False else "recevoir", "ambassadeur"] in [s[:3] for s in sents] or any(
        s[0] == "xi_jinping" and "recevoir" in s for s in sents
    )
    assert all(isinstance(t, str) and t for s in sents for t in s)


def test_propn_runs_when_no_entities(tmp_path):
    sent = [(w[0], w[1], w[2], None) for w in DIPLO]
    write_token_table(tmp_path / "c", {"a": [sent], "b": [sent]})
    docs = dict(TokenStream(tmp_path / "c", VocabularyConfig(phrases=False)))
    assert docs["a"][0] == "xi_jinping"


def test_bow_artifact_roundtrip(small_dir, tmp_path):
    bow = build_bow(small_dir, VocabularyConfig(phrase_min_count=3, no_below=2, no_above=1.0))
    assert bow.stats["dropped_empty"] >= 1 and "empty" in bow.stats["dropped_examples"]
    assert bow.matrix.shape == (len(bow.doc_ids), len(bow.vocabulary))
    assert "droit_de_douane" in bow.vocabulary
    bow.save(tmp_path / "bow")
    again = BagOfWords.load(tmp_path / "bow")
    assert again.vocabulary == bow.vocabulary and again.doc_ids == bow.doc_ids
    assert (again.matrix != bow.matrix).nnz == 0
    assert again.config == bow.config
    assert [sorted(d) for d in bow.gensim_corpus()][0]


def test_overstrict_filters_give_clear_error(small_dir):
    with pytest.raises(ModelError, match="vocabulary is empty|no document"):
        build_bow(small_dir, VocabularyConfig(pos=("INTJ",), phrases=False))


def test_bad_config_and_missing_table(tmp_path):
    with pytest.raises(ConfigError):
        VocabularyConfig(unit="stem")
    with pytest.raises(ConfigError, match="unknown"):
        VocabularyConfig.from_dict({"units": "lemma"})
    with pytest.raises(StageMissingError, match="fnt annotate"):
        TokenStream(tmp_path, VocabularyConfig())


def test_explain_shows_each_step():
    rows = {"form": [w[0] for w in TRADE], "lemma": [w[1] for w in TRADE], "upos": [w[2] for w in TRADE]}
    steps = dict(explain(rows))
    assert steps["select"][1] == "droit"
    assert steps["segments"] == [["droit", "de", "douane"], ["exportation", "européen"]]
