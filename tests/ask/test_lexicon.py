"""Department names against topics: rules that must hold for departments not in the seed."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.ask.lexicon import Lexicon
from bot.ask.parser import parse_question
from bot.text import search_key

ALIASES = Path(__file__).resolve().parents[2] / "data" / "aliases.toml"
LEXICON = Lexicon.build(["子育て支援課", "高齢者支援課", "市民活動推進課"], ALIASES)


@pytest.mark.parametrize(
    ("question", "departments", "keywords"),
    [
        ("子育てに関する事業", (), ["子育て"]),
        ("子育て支援施設の整備", (), ["子育て支援施設", "整備"]),
        ("子育て支援の事業", ("子育て支援課",), []),
        ("子育て支援課のD評価", ("子育て支援課",), []),
        ("高齢者支援化の事業", ("高齢者支援課",), []),
        ("市民活動推進の事業", ("市民活動推進課",), []),
    ],
)
def test_department_or_topic(
    question: str, departments: tuple[str, ...], keywords: list[str]
) -> None:
    spec = parse_question(question, LEXICON, years=[2019])
    assert spec.departments == departments
    assert [k.word for k in spec.keywords] == keywords


def test_fragments_name_only_departments_the_reports_have() -> None:
    # 男女平等推進室 is in the alias file but in no report: 男女平等 is then a topic.
    # Its full name still reads as the department (and the answer says it has no items).
    lex = Lexicon.build(["高齢者支援課"], ALIASES)
    assert "男女平等推進室" in lex.departments
    assert lex.match_partial("男女平等") == []
    assert [m.name for m in lex.match_exact(search_key("男女平等推進室の事業"))] == [
        "男女平等推進室"
    ]
    assert lex.match_partial("高齢者支援") == ["高齢者支援課"]
    with_office = Lexicon.build(["高齢者支援課", "男女平等推進室"], ALIASES)
    assert with_office.match_partial("男女平等") == ["男女平等推進室"]
