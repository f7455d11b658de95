"""CoNLL-U reading, raw-text reconstruction and IRaMuTeQ helpers (toolkit.annotation.conllu)."""

from __future__ import annotations

from pathlib import Path

import pytest

from toolkit.annotation.conllu import (
    iramuteq_header,
    parse_conllu,
    read_conllu,
    reconstruct_text,
    sanitize_variable,
)
from toolkit.errors import InputError

SAMPLE = """# newdoc id = d1
# sent_id = d1-1
# text = L’État parle du pain.
1\tL’\tle\tDET\t_\t_\t_\t_\t_\tSpaceAfter=No
2\tÉtat\tétat\tNOUN\t_\t_\t_\t_\t_\t_
3\tparle\tparler\tVERB\t_\t_\t_\t_\t_\t_
4-5\tdu\t_\t_\t_\t_\t_\t_\t_\t_
4\tde\tde\tADP\t_\t_\t_\t_\t_\t_
5\tle\tle\tDET\t_\t_\t_\t_\t_\t_
6\tpain\tpain\tNOUN\t_\t_\t_\t_\t_\tSpaceAfter=No
7\t.\t.\tPUNCT\t_\t_\t_\t_\t_\t_

# sent_id = d1-2
1\tOui\toui\tINTJ\t_\t_\t_\t_\t_\tSpaceAfter=No
2\t!\t!\tPUNCT\t_\t_\t_\t_\t_\t_

# newdoc id = d2
# sent_id = d2-1
1\tFin\tfin\tNOUN\t_\t_\t_\t_\t_\t_

"""


def test_parse_tokens_words_and_comments() -> None:
    sents = list(parse_conllu(SAMPLE.splitlines()))
    assert len(sents) == 3
    s = sents[0]
    assert s.newdoc and s.comments["sent_id"] == "d1-1"
    assert s.text == "L’État parle du pain."
    assert [t.form for t in s.tokens] == ["L’", "État", "parle", "du", "pain", "."]
    du = s.tokens[3]
    assert du.multiword and [w[1] for w in du.words] == ["de", "le"]
    assert [t.space_after for t in s.tokens] == [False, True, True, True, False, True]
    assert sents[1].text == "Oui!"  # rebuilt from FORM + SpaceAfter (no # text)
    assert sents[2].newdoc and not sents[1].newdoc


def test_reconstruct_text_like_the_shared_task() -> None:
    sents = list(parse_conllu(SAMPLE.splitlines()))
    assert reconstruct_text(sents) == "L’État parle du pain. Oui!\n\nFin"


def test_read_conllu_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="file not found"):
        read_conllu(tmp_path / "none.conllu")
    bad = tmp_path / "bad.conllu"
    bad.write_text("1\tOui\toui\n\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad.conllu:1: expected 10 tab-separated columns"):
        read_conllu(bad)
    latin = tmp_path / "latin.conllu"
    latin.write_bytes("1\tÉté\t_\t_\t_\t_\t_\t_\t_\t_\n\n".encode("latin-1"))
    with pytest.raises(InputError, match="not valid UTF-8 at byte 2"):
        read_conllu(latin)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Le Monde", "Le_Monde"),
        ("Économie / Société", "Economie_Societe"),
        ("2022-01-03", "2022_01_03"),
        (None, "NA"),
        ("***", "NA"),
        ("été 2022!", "ete_2022"),
    ],
)
def test_sanitize_variable(value, expected) -> None:
    assert sanitize_variable(value) == expected


def test_iramuteq_header() -> None:
    header = iramuteq_header({"source": "Le Monde", "date": "2022-01-03", "section": "économie"})
    assert header == "**** *source_Le_Monde *date_2022_01_03 *section_economie"
