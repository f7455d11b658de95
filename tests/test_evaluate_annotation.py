"""CoNLL 2018 scoring (toolkit.annotation.evaluation) on hand-made pairs and on UD dev sets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from toolkit.annotation.conllu import parse_conllu
from toolkit.annotation.evaluation import evaluate_annotation, score_conllu
from toolkit.errors import InputError


def conllu(*sentences: list[tuple]) -> list:
    """Build parsed CoNLL-U from rows ``(id, form, lemma, upos[, misc])``."""
    lines = []
    for rows in sentences:
        for row in rows:
            tid, form, lemma, upos, *misc = row
            lines.append("\t".join([tid, form, lemma, upos, "_", "_", "_", "_", "_",
                                    misc[0] if misc else "_"]))  # fmt: skip
        lines.append("")
    return list(parse_conllu(lines))


GOLD = conllu(
    [("1", "Il", "il", "PRON"), ("2", "parle", "parler", "VERB"),
     ("3-4", "du", "_", "_"), ("3", "de", "de", "ADP"), ("4", "le", "le", "DET"),
     ("5", "pain", "pain", "NOUN", "SpaceAfter=No"), ("6", ".", ".", "PUNCT")],
    [("1", "Oui", "oui", "INTJ"), ("2", ".", ".", "PUNCT")],
)  # fmt: skip


def f1(gold: int, system: int, correct: int) -> float:
    return 100 * 2 * correct / (gold + system)


def test_identical_files_score_100() -> None:
    scores = score_conllu(GOLD, GOLD)
    assert {k: round(v.f1, 6) for k, v in scores.items()} == {
        "tokens": 100, "sentences": 100, "words": 100, "upos": 100, "lemma": 100,
    }  # fmt: skip
    assert scores["tokens"].gold == 7 and scores["words"].gold == 8


def test_contraction_not_split_by_system() -> None:
    system = conllu(
        [("1", "Il", "il", "PRON"), ("2", "parle", "parler", "VERB"), ("3", "du", "du", "DET"),
         ("4", "pain", "pain", "NOUN", "SpaceAfter=No"), ("5", ".", ".", "PUNCT")],
        [("1", "Oui", "oui", "INTJ"), ("2", ".", ".", "PUNCT")],
    )  # fmt: skip
    s = score_conllu(GOLD, system)
    assert s["tokens"].correct == 7 and s["tokens"].f1 == 100
    # gold de + le vs system du: the LCS of (de, le) and (du) is empty
    assert (s["words"].gold, s["words"].system, s["words"].correct) == (8, 7, 6)
    assert s["words"].f1 == pytest.approx(f1(8, 7, 6))
    assert s["upos"].correct == 6


def test_contraction_split_differently_aligns_by_lcs() -> None:
    # system splits du into "de" + "les": only "de" matches the gold words by form
    system = conllu(
        [("1", "Il", "il", "PRON"), ("2", "parle", "parler", "VERB"),
         ("3-4", "du", "_", "_"), ("3", "de", "de", "ADP"), ("4", "les", "le", "PRON"),
         ("5", "pain", "pain", "NOUN", "SpaceAfter=No"), ("6", ".", ".", "PUNCT")],
        [("1", "Oui", "oui", "INTJ"), ("2", ".", ".", "PUNCT")],
    )  # fmt: skip
    s = score_conllu(GOLD, system)
    assert (s["words"].gold, s["words"].system, s["words"].correct) == (8, 8, 7)
    assert s["upos"].correct == 7  # "de" aligned (and right), "les" not aligned


def test_token_and_sentence_errors() -> None:
    # system glues "pain." into one token and does not split the sentences
    system = conllu(
        [("1", "Il", "il", "PRON"), ("2", "parle", "parler", "VERB"),
         ("3-4", "du", "_", "_"), ("3", "de", "de", "ADP"), ("4", "le", "le", "DET"),
         ("5", "pain.", "pain", "NOUN"), ("6", "Oui", "oui", "INTJ", "SpaceAfter=No"),
         ("7", ".", ".", "PUNCT")],
    )  # fmt: skip
    s = score_conllu(GOLD, system)
    assert (s["tokens"].gold, s["tokens"].system, s["tokens"].correct) == (7, 6, 5)
    assert (s["sentences"].gold, s["sentences"].system, s["sentences"].correct) == (2, 1, 0)
    assert s["words"].correct == 6
    assert s["lemma"].correct == 6


def test_lemma_and_upos_errors_and_gold_underscore() -> None:
    system = conllu(
        [("1", "Il", "lui", "PRON"), ("2", "parle", "parler", "NOUN"),
         ("3-4", "du", "_", "_"), ("3", "de", "de", "ADP"), ("4", "le", "le", "DET"),
         ("5", "pain", "pain", "NOUN", "SpaceAfter=No"), ("6", ".", ".", "PUNCT")],
        [("1", "Oui", "oui", "INTJ"), ("2", ".", ".", "PUNCT")],
    )  # fmt: skip
    s = score_conllu(GOLD, system)
    assert s["upos"].correct == 7 and s["lemma"].correct == 7
    gold_blank = conllu([("1", "Oui", "_", "INTJ")])
    sys_any = conllu([("1", "Oui", "quoi", "INTJ")])
    assert score_conllu(gold_blank, sys_any)["lemma"].f1 == 100


def test_spaces_inside_forms_are_ignored() -> None:
    gold = conllu([("1", "1 250", "1 250", "NUM")])
    system = conllu([("1", "1\u00a0250", "1 250", "NUM")])
    assert score_conllu(gold, system)["tokens"].f1 == 100


def test_different_texts_are_an_error() -> None:
    with pytest.raises(InputError, match="differ at character 0"):
        score_conllu(conllu([("1", "Oui", "oui", "INTJ")]), conllu([("1", "Non", "non", "INTJ")]))


class LowerTagger:
    """Test stand-in: lemma = lower-cased form, UPOS X."""

    name = "lower"
    version = "0"

    def tag(self, sentences):
        from toolkit.annotation.taggers import WordAnnotation

        return [[WordAnnotation(w.lower(), "X", "_", "", "O") for w in s] for s in sentences]


def test_evaluate_annotation_on_small_gold(tmp_path: Path) -> None:
    gold = tmp_path / "gold.conllu"
    gold.write_text(
        "# text = L’État parle du pain.\n"
        "1\tL’\tle\tDET\t_\t_\t_\t_\t_\tSpaceAfter=No\n"
        "2\tÉtat\tétat\tNOUN\t_\t_\t_\t_\t_\t_\n"
        "3\tparle\tparler\tVERB\t_\t_\t_\t_\t_\t_\n"
        "4-5\tdu\t_\t_\t_\t_\t_\t_\t_\t_\n"
        "4\tde\tde\tADP\t_\t_\t_\t_\t_\t_\n"
        "5\tle\tle\tDET\t_\t_\t_\t_\t_\t_\n"
        "6\tpain\tpain\tNOUN\t_\t_\t_\t_\t_\tSpaceAfter=No\n"
        "7\t.\t.\tPUNCT\t_\t_\t_\t_\t_\t_\n\n",
        encoding="utf-8",
    )
    r = evaluate_annotation(gold, tagger=LowerTagger())
    assert r["tokens_f1"] == r["words_f1"] == r["sentences_f1"] == 100
    assert r["upos_f1"] == 0
    assert r["lemma_f1"] == pytest.approx(f1(7, 7, 5), abs=0.01)  # État, L’ differ
    assert r["tokens_per_second"] > 0


def test_cli_json(tmp_path: Path, capsys, monkeypatch) -> None:
    from toolkit.cli import main

    gold = tmp_path / "g.conllu"
    gold.write_text("1\tOui\toui\tINTJ\t_\t_\t_\t_\t_\tSpaceAfter=No\n2\t.\t.\tPUNCT\t_\t_\t_\t_\t_\t_\n\n",
                    encoding="utf-8")  # fmt: skip
    assert main(["evaluate", "annotation", str(gold), "--tokenize-only", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"tokens_f1", "words_f1", "sentences_f1", "upos_f1", "lemma_f1",
                        "tokens_per_second"}  # fmt: skip
    assert out["tokens_f1"] == 100
    assert main(["evaluate", "annotation", str(tmp_path / "missing.conllu")]) == 2


# ------------------------------------------------------------------------ real UD dev sets

UD_FILES = {
    "sequoia": "UD_French-Sequoia/fr_sequoia-ud-dev.conllu",
    "gsd": "UD_French-GSD/fr_gsd-ud-dev.conllu",
}


def _gold(shared_data: Path, name: str, curly: bool, tmp_path: Path) -> Path:
    path = shared_data / "ud" / UD_FILES[name]
    if not path.is_file():
        pytest.skip(f"real-data test: {path} not found")
    if curly:  # the same file with every ' turned into ’
        copy = tmp_path / f"{name}-curly.conllu"
        copy.write_text(path.read_text(encoding="utf-8").replace("'", "\u2019"), encoding="utf-8")
        return copy
    return path


@pytest.mark.slow
@pytest.mark.shared_data
@pytest.mark.parametrize("name", ["sequoia", "gsd"])
def test_ud_dev_fast_mode(shared_data: Path, tmp_path: Path, name: str) -> None:
    r = evaluate_annotation(_gold(shared_data, name, False, tmp_path), "fast")
    assert r["tokens_f1"] >= 99.5
    assert r["words_f1"] >= 99.0
    assert r["sentences_f1"] >= (75.0 if name == "sequoia" else 93.0)
    assert r["upos_f1"] > 90 and r["lemma_f1"] > 94


@pytest.mark.slow
@pytest.mark.shared_data
@pytest.mark.parametrize("name", ["sequoia", "gsd"])
def test_ud_dev_curly_apostrophes(shared_data: Path, tmp_path: Path, name: str) -> None:
    # tokenisation is shared by both modes (taggers never change tokens): scored once here
    r = evaluate_annotation(_gold(shared_data, name, True, tmp_path), tokenize_only=True)
    assert r["tokens_f1"] >= 99.5
    assert r["words_f1"] >= 99.0


@pytest.mark.slow
@pytest.mark.shared_data
def test_ud_dev_accurate_mode_sample(shared_data: Path, tmp_path: Path) -> None:
    # the full accurate-mode run takes minutes on a loaded CI machine; its tokens and words are
    # those of fast mode by construction, which this sample checks, plus tagging quality
    path = _gold(shared_data, "sequoia", True, tmp_path)
    blocks = path.read_text(encoding="utf-8").split("\n\n")[:40]
    sample = tmp_path / "sample.conllu"
    sample.write_text("\n\n".join(blocks) + "\n\n", encoding="utf-8")
    acc = evaluate_annotation(sample, "accurate")
    tok = evaluate_annotation(sample, tokenize_only=True)
    assert acc["counts"]["tokens"] == tok["counts"]["tokens"]
    assert acc["counts"]["words"] == tok["counts"]["words"]
    assert (acc["tokens_f1"], acc["words_f1"]) == (tok["tokens_f1"], tok["words_f1"])
    assert acc["upos_f1"] > 90
