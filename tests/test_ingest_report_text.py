"""The text-export parser: a golden test on the real seed, the variations real files
bring, and refusals that name every bad line."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.ingest.problems import ReportRejected
from bot.ingest.report_text import parse_report_bytes, parse_report_text
from bot.models import Grade, Report
from tests import reports


def _evals(report: Report, item_no: int) -> list:
    return [e for e in report.evaluations if e.item_number == item_no]


def _item(report: Report, item_no: int):
    return next(i for i in report.items if i.number == item_no)


def test_seed_report_header(seed_report: Report) -> None:
    assert seed_report.municipality == "武蔵野市"
    assert seed_report.plan == "第四次男女平等推進計画"
    assert seed_report.fiscal_year == 2019
    assert seed_report.next_fiscal_year == 2020
    assert seed_report.sheets == (
        "高齢者支援課",
        "子ども政策課",
        "子ども育成課",
        "子ども家庭支援センター",
    )
    assert seed_report.source_file == reports.SEED.name
    assert len(seed_report.checksum) == 64


def test_seed_counts(seed_report: Report) -> None:
    assert len(seed_report.items) == 40
    assert len(seed_report.evaluations) == 41
    assert Counter(e.grade for e in seed_report.evaluations) == {
        Grade.A: 28,
        Grade.B: 12,
        Grade.D: 1,
    }
    for item in seed_report.items:
        expected_goal = 3 if 51 <= item.number <= 86 else 2
        assert item.goal.number == expected_goal, item.number


def test_seed_goals_carry_their_heading_counts(seed_report: Report) -> None:
    goal2, goal3 = seed_report.goals
    assert (goal2.number, goal2.numeral) == (2, "II")
    assert goal2.title == "生活と仕事が両立でき、個性と能力を発揮できるまち"
    assert goal2.category_counts == {"新規": 0, "継続": 24, "充実": 10, "見直し": 1}
    assert (goal3.number, goal3.numeral) == (3, "III")
    assert goal3.category_counts == {"新規": 1, "継続": 39, "充実": 2, "見直し": 1}


def test_item_16_field_by_field(seed_report: Report) -> None:
    item = _item(seed_report, 16)
    assert item.name == "ワーク・ライフ・バランスの推進に向けた講演会や情報提供の実施"
    assert (
        item.summary
        == "ワーク・ライフ・バランス実現に向けた理解を深めるため、講演会や情報提供などを実施する。"
    )
    assert item.category == "継続"
    assert item.target_groups == ("市民",)
    assert item.relisted_from is None
    assert (item.goal.number, item.policy.number, item.measure.number) == (2, 1, 1)
    assert item.policy.title == "ワーク・ライフ・バランスの普及・啓発"
    assert item.measure.title == "ワーク・ライフ・バランスの推進に向けた普及・啓発"
    assert item.measure.priority is True
    (ev,) = _evals(seed_report, 16)
    assert ev.grade is Grade.D
    assert ev.department == "子ども政策課"
    assert ev.sheet_department == "子ども政策課"
    assert ev.fiscal_year == 2019
    assert ev.plan_text == "引き続き、事業の充実を図る。現在実施内容については未定。"
    assert ev.result_text.startswith("3月に講演会「ハタラクカイギ2020」の実施を予定していたが")
    assert ev.next_plan_text.startswith("令和元年度実施予定だった「ハタラクカイギ2020」について")
    assert (ev.source.file, ev.source.sheet, ev.source.line) == (
        reports.SEED.name,
        "子ども政策課",
        86,
    )


def test_item_39_has_two_departments(seed_report: Report) -> None:
    evs = _evals(seed_report, 39)
    assert [(e.department, e.grade, e.source.line) for e in evs] == [
        ("地域支援課", Grade.B, 23),
        ("高齢者支援課", Grade.B, 24),
    ]
    assert all(e.sheet_department == "高齢者支援課" for e in evs)
    assert evs[1].result_text == "地域支援課に同じ。"
    item = _item(seed_report, 39)
    assert item.category == "充実"
    assert item.target_groups == ("事業者等",)
    assert (item.goal.number, item.policy.number, item.measure.number) == (2, 3, 2)


def test_relisting_and_hierarchy_carried_across_pages(seed_report: Report) -> None:
    item43 = _item(seed_report, 43)
    assert item43.relisted_from == 19
    assert item43.name == "家族介護支援事業の拡充(事業19再掲)"
    # Items 40-43 sit on a page with no headings: the hierarchy carries over.
    assert (item43.goal.number, item43.policy.number, item43.measure.number) == (2, 3, 2)
    assert item43.measure.title == "介護支援施策の充実"
    item31 = _item(seed_report, 31)
    assert (item31.policy.number, item31.measure.number, item31.measure.priority) == (3, 1, True)


def test_html_cells_become_plain_text(seed_report: Report) -> None:
    (ev,) = _evals(seed_report, 31)
    assert "<p>" not in ev.result_text and "</p>" not in ev.result_text
    assert ev.result_text.startswith("当事者ボランティアを含む子育て支援者の発掘・育成のための講座")
    assert "\n" in ev.result_text  # paragraphs are kept as line breaks


def test_eleven_cell_page_and_multi_target(seed_report: Report) -> None:
    (ev,) = _evals(seed_report, 57)
    assert ev.next_plan_text == "様々な言語を用いて柔軟に対応できるように翻訳機を購入する。"
    assert _item(seed_report, 84).target_groups == ("市民", "事業者等")
    assert _item(seed_report, 65).target_groups == ("市", "市民")
    assert _item(seed_report, 82).category == "新規"
    item74 = _item(seed_report, 74)
    assert (item74.goal.number, item74.policy.number, item74.measure.number) == (3, 2, 1)
    assert item74.measure.priority is False


# --- variations real files bring ------------------------------------------------------
def _parse(tmp_path: Path, text: str, *, encoding: str = "utf-8") -> Report:
    return parse_report_text(reports.write(tmp_path, "r.txt", text, encoding=encoding))


def _signature(report: Report) -> list[tuple[int, str, str]]:
    return [(e.item_number, e.department, e.grade.value) for e in report.evaluations]


def test_windows_line_endings_and_bom(tmp_path: Path, seed_report: Report) -> None:
    text = "\ufeff" + reports.seed_text().replace("\n", "\r\n")
    report = _parse(tmp_path, text)
    assert _signature(report) == _signature(seed_report)
    assert report.evaluations[0].source.line == seed_report.evaluations[0].source.line


def test_shift_jis_export(tmp_path: Path, seed_report: Report) -> None:
    text = reports.seed_text().replace("～", "~")  # cp932 has no U+FF5E mapping
    report = _parse(tmp_path, text, encoding="cp932")
    assert _signature(report) == _signature(seed_report)


def test_excel_unicode_text_export_is_utf16(tmp_path: Path, seed_report: Report) -> None:
    report = _parse(tmp_path, reports.seed_text().replace("\n", "\r\n"), encoding="utf-16")
    assert _signature(report) == _signature(seed_report)


def test_excel_quoted_cells_with_line_breaks(tmp_path: Path, seed_report: Report) -> None:
    # Excel's tab-delimited export quotes a cell holding a line break; "" is one quote.
    text = reports.replace_cell(
        reports.seed_text(), 16, 7, '"講演会を中止した。\n""ハタラクカイギ""は延期。"'
    )
    report = _parse(tmp_path, text)
    assert _signature(report) == _signature(seed_report)
    (ev,) = _evals(report, 16)
    assert ev.result_text == '講演会を中止した。\n"ハタラクカイギ"は延期。'
    assert ev.source.line == 86
    # Rows after the two-line cell keep their own line numbers.
    (ev18,) = _evals(report, 18)
    assert ev18.source.line == 89


def test_a_stray_quote_is_text(tmp_path: Path, seed_report: Report) -> None:
    text = reports.replace_cell(reports.seed_text(), 16, 7, '"ハタラクカイギ2020 は中止')
    report = _parse(tmp_path, text)
    assert _signature(report) == _signature(seed_report)
    (ev,) = _evals(report, 16)
    assert ev.result_text == '"ハタラクカイギ2020 は中止'


def test_full_width_letters_and_digits(tmp_path: Path) -> None:
    text = reports.replace_cell(reports.seed_text(), 16, 8, "Ｄ")
    text = text.replace("\n16\t", "\n１６\t")
    report = _parse(tmp_path, text)
    (ev,) = _evals(report, 16)
    assert ev.grade is Grade.D


def test_extra_and_missing_trailing_cells(tmp_path: Path, seed_report: Report) -> None:
    lines = []
    for line in reports.seed_text().split("\n"):
        cells = line.split("\t")
        if cells[0] in ("基本目標", "基本施策", "施策"):
            line = cells[0]  # heading labels without their trailing empty cells
        elif cells[0] == "21":
            line += "\t\t"  # extra empty cells
        lines.append(line)
    report = _parse(tmp_path, "\n".join(lines))
    assert _signature(report) == _signature(seed_report)


def test_other_reiwa_year(tmp_path: Path) -> None:
    report = _parse(tmp_path, reports.second_year_text())
    assert (report.fiscal_year, report.next_fiscal_year) == (2020, 2021)
    assert {e.fiscal_year for e in report.evaluations} == {2020}
    (ev,) = _evals(report, 16)
    assert ev.grade is Grade.B


# --- refusals ------------------------------------------------------------------------
def _problems(tmp_path: Path, data: bytes | str) -> list[str]:
    path = tmp_path / "bad.txt"
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    with pytest.raises(ReportRejected) as info:
        parse_report_text(path)
    return [str(p) for p in info.value.problems]


def test_grade_outside_a_to_d(tmp_path: Path) -> None:
    text = reports.replace_cell(reports.seed_text(), 16, 8, "E")
    line = reports.line_of(text, r"^16\t")
    assert _problems(tmp_path, text) == [
        f"{tmp_path / 'bad.txt'}:{line}: item 16: grade 'E' is not one of A–D"
    ]


def test_every_problem_is_listed(tmp_path: Path) -> None:
    text = reports.replace_cell(reports.seed_text(), 16, 8, "E")
    text = reports.replace_cell(text, 42, 0, "4x2")
    text = reports.replace_cell(text, 61, 8, "")
    problems = _problems(tmp_path, text)
    assert len(problems) == 3
    lines = [int(p.split(":")[1]) for p in problems]
    assert lines == sorted(
        [
            reports.line_of(text, r"^16\t"),
            reports.line_of(text, r"^4x2\t"),
            reports.line_of(text, r"^61\t"),
        ]
    )
    assert "garbled item number '4x2'" in problems[0]
    assert "grade 'E' is not one of A–D" in problems[1]
    assert "missing grade" in problems[2]


def test_missing_item_number(tmp_path: Path) -> None:
    text = reports.replace_cell(reports.seed_text(), 21, 0, "")
    (problem,) = _problems(tmp_path, text)
    assert "missing item number" in problem


def test_row_with_too_few_cells(tmp_path: Path) -> None:
    lines = reports.seed_text().split("\n")
    i = reports.line_of("\n".join(lines), r"^35\t") - 1
    lines[i] = "\t".join(lines[i].split("\t")[:4])
    (problem,) = _problems(tmp_path, "\n".join(lines))
    assert problem.endswith(f":{i + 1}: row has 4 cells, needs at least 9 (number through grade)")


def test_empty_and_binary_files(tmp_path: Path) -> None:
    assert _problems(tmp_path, b"") == [f"{tmp_path / 'bad.txt'}:1: empty file: no report text"]
    assert "not a text file" in _problems(tmp_path, b"PK\x03\x04\x00\x00binary")[0]
    assert "not a text file" in _problems(tmp_path, bytes(range(128, 256)) * 4)[0]


def test_report_without_fiscal_year_header(tmp_path: Path) -> None:
    text = "\n".join(line for line in reports.seed_text().split("\n") if "事業実績" not in line)
    (problem,) = _problems(tmp_path, text)
    assert "no fiscal-year header" in problem


def test_text_that_is_not_a_report(tmp_path: Path) -> None:
    problems = _problems(tmp_path, "hello\nworld\n")
    assert any("no fiscal-year header" in p for p in problems)
    assert any("no report header" in p for p in problems)


def test_bytes_api_names_the_file(seed_report: Report) -> None:
    report = parse_report_bytes(reports.SEED.read_bytes(), file="upload.txt")
    assert report.source_file == "upload.txt"
    assert report.checksum == seed_report.checksum


def test_a_problem_is_one_line_even_quoting_a_multiline_cell(tmp_path: Path) -> None:
    text = reports.replace_cell(reports.seed_text(), 16, 8, '"E\nF"')
    (problem,) = _problems(tmp_path, text)
    assert "\n" not in problem and problem.endswith("grade 'E F' is not one of A–D")


def test_repeated_notes_between_headings_leave_the_hierarchy_alone(
    tmp_path: Path, seed_report: Report
) -> None:
    # The same lone note under many measures: headings are remembered per page, notes
    # must not be taken for one and must not bring back an earlier measure.
    lines = reports.seed_text().split("\n")
    noted: list[str] = []
    for line in lines:
        noted.append(line)
        if re.match(r"^[(（]\s*[0-9０-９]+\s*[)）]", line):
            noted.append("※ 再掲事業を含む")
    report = _parse(tmp_path, "\n".join(noted))
    assert report.items == seed_report.items
    assert len(noted) > len(lines) + 5


def test_an_item_text_quoting_a_sheet_header_stays_an_item(
    tmp_path: Path, seed_report: Report
) -> None:
    # 【対象課 …】 marks a page header only outside item rows: a plan text may quote it.
    text = reports.replace_cell(
        reports.seed_text(), 16, 6, "【対象課：秘書広報課】と連携して実施する。"
    )
    report = _parse(tmp_path, text)
    assert _signature(report) == _signature(seed_report)
    (ev,) = _evals(report, 16)
    assert ev.plan_text == "【対象課：秘書広報課】と連携して実施する。"
    assert ev.sheet_department == _evals(seed_report, 16)[0].sheet_department
    assert "秘書広報課" not in report.sheets


def test_page_numbers_are_furniture_and_repeated_rows_keep_their_lines(
    tmp_path: Path, seed_report: Report
) -> None:
    # A lone number (a printed page number) is not an item; rows repeated word for word
    # are each read in place, so a repeated bad row is reported at every line it is on.
    lines = reports.seed_text().split("\n")
    numbered: list[str] = []
    for n, line in enumerate(lines):
        numbered.append(line)
        if "【対象課" in line:
            numbered.append(str(n % 7 + 1) + "\t" * 9)
    report = _parse(tmp_path, "\n".join(numbered))
    assert report.items == seed_report.items
    assert _signature(report) == _signature(seed_report)

    bad = "4x2\t" + "\t".join(["x"] * 9)
    broken = "\n".join([*lines[:40], bad, *lines[40:80], bad, *lines[80:]])
    problems = _problems(tmp_path, broken)
    assert [int(p.split(":")[1]) for p in problems] == [41, 82]
    assert all("garbled item number '4x2'" in p for p in problems)


def test_a_labelled_number_column_that_is_not_the_first(
    tmp_path: Path, seed_report: Report
) -> None:
    # An export with a running row count first and the item number labelled 番号 after it.
    lines: list[str] = []
    count = 0
    for line in reports.seed_text().split("\n"):
        cells = line.split("\t")
        if cells[0] == "事業名":
            line = "連番\t番号\t" + line
        elif re.fullmatch(r"\d+", cells[0]):
            count += 1
            line = f"{count}\t{line}"
        elif not cells[0] and len(cells) > 5:
            line = "\t" + line  # a continuation row: no count, no number
        lines.append(line)
    report = _parse(tmp_path, "\n".join(lines))
    assert _signature(report) == _signature(seed_report)

    # A counted row without an item number is refused, not a crash.
    third = next(i for i, line in enumerate(lines) if line.startswith("3\t"))
    cells = lines[third].split("\t")
    broken = "\n".join([*lines[:third], "\t".join([cells[0], "", *cells[2:]]), *lines[third + 1 :]])
    problems = _problems(tmp_path, broken)
    assert problems[0].endswith(f":{third + 1}: garbled item number '': expected digits")


@pytest.mark.parametrize(
    ("title", "municipality", "plan"),
    [
        ("国立市男女平等推進計画", "国立市", "男女平等推進計画"),
        ("四日市市男女共同参画プラン", "四日市市", "男女共同参画プラン"),
        ("小金井市男女共同参画行動計画（第6次）", "小金井市", "男女共同参画行動計画(第6次)"),
        ("東京都港区第3次男女平等参画行動計画", "東京都港区", "第3次男女平等参画行動計画"),
        # A 村 inside the city's name is not its end; the city before 市民… or 都市… is.
        ("東村山市男女共同参画推進計画", "東村山市", "男女共同参画推進計画"),
        ("武蔵村山市男女共同参画プラン", "武蔵村山市", "男女共同参画プラン"),
        ("東京都国分寺市男女共同参画推進計画", "東京都国分寺市", "男女共同参画推進計画"),
        ("国分寺市市民協働推進計画", "国分寺市", "市民協働推進計画"),
        ("武蔵野市男女共同参画都市宣言推進計画", "武蔵野市", "男女共同参画都市宣言推進計画"),
        ("国分寺市地区男女共同参画計画", "国分寺市", "地区男女共同参画計画"),
        ("武蔵野市市街地男女平等計画", "武蔵野市", "市街地男女平等計画"),
        # A space between the city and its plan.
        ("国分寺市　男女共同参画推進計画", "国分寺市", "男女共同参画推進計画"),
        ("三鷹市 第3次男女平等行動計画", "三鷹市", "第3次男女平等行動計画"),
    ],
)
def test_plans_named_without_a_leading_number(
    tmp_path: Path, seed_report: Report, title: str, municipality: str, plan: str
) -> None:
    text = reports.seed_text().replace("武蔵野市第四次男女平等推進計画", title)
    report = _parse(tmp_path, text)
    assert (report.municipality, report.plan) == (municipality, plan)
    assert _signature(report) == _signature(seed_report)


def test_other_wordings_of_the_column_labels(tmp_path: Path, seed_report: Report) -> None:
    # Other sheets of the same survey word some labels differently.
    text = reports.seed_text()
    for old, new in (
        ("\t事業概要\t", "\t事業内容\t"),
        ("\t主管課\t", "\t担当課\t"),
        ("\t評価\t", "\t自己評価\t"),
        ("\t令和2年度事業予定", "\t令和2年度計画"),
    ):
        assert old in text
        text = text.replace(old, new)
    report = _parse(tmp_path, text)
    assert _signature(report) == _signature(seed_report)
    assert report.next_fiscal_year == 2020
    assert report.items == seed_report.items
    assert [e.next_plan_text for e in report.evaluations] == [
        e.next_plan_text for e in seed_report.evaluations
    ]


def test_a_grade_written_with_its_legend(tmp_path: Path) -> None:
    text = reports.replace_cell(reports.seed_text(), 16, 8, "Ｄ（極めて不十分）")
    text = reports.replace_cell(text, 18, 8, "B: 概ね順調")
    report = _parse(tmp_path, text)
    assert [e.grade for e in _evals(report, 16)] == [Grade.D]
    assert [e.grade for e in _evals(report, 18)] == [Grade.B]
    # Two letters are not a grade.
    (problem,) = _problems(tmp_path, reports.replace_cell(reports.seed_text(), 16, 8, "A(B)"))
    assert problem.endswith("item 16: grade 'A(B)' is not one of A–D")


def _with_labels(text: str, change: Callable[[list[str]], list[str]]) -> str:
    """The seed with every column-label row changed, and its item rows to match."""
    out = []
    for line in text.split("\n"):
        cells = line.split("\t")
        if cells[0] == "事業名" or (cells[0].isdigit() or (not cells[0] and len(cells) > 8)):
            cells = change(cells)
        out.append("\t".join(cells))
    return "\n".join(out)


def test_another_grade_column_beside_this_years(tmp_path: Path, seed_report: Report) -> None:
    # 前年度評価 (or 推進会議評価) after 評価 was read as the grade: every grade became C.
    for label in ("前年度評価", "推進会議評価"):

        def add(cells: list[str], label: str = label) -> list[str]:
            at = 8 if cells[0] == "事業名" else 9
            return [*cells[:at], label if cells[0] == "事業名" else "C", *cells[at:]]

        report = _parse(tmp_path, _with_labels(reports.seed_text(), add))
        assert _signature(report) == _signature(seed_report), label


def test_column_labels_with_notes_and_other_words(tmp_path: Path, seed_report: Report) -> None:
    text = reports.seed_text()
    for old, new in (
        ("\t令和2年度事業予定", "\t令和2年度事業予定(案)"),
        ("\t令和元年度事業予定", "\t令和元年度事業予定※"),
        ("\t令和元年度事業実績", "\t令和元(2019)年度事業実績"),
    ):
        text = text.replace(old, new)
    report = _parse(tmp_path, text)
    assert (report.fiscal_year, report.next_fiscal_year) == (2019, 2020)
    assert [(e.plan_text, e.next_plan_text) for e in report.evaluations] == [
        (e.plan_text, e.next_plan_text) for e in seed_report.evaluations
    ]
    ahead = _parse(tmp_path, reports.seed_text().replace("\t令和2年度事業予定", "\t今後の方向性"))
    assert [e.next_plan_text for e in ahead.evaluations] == [
        e.next_plan_text for e in seed_report.evaluations
    ]
    noted = reports.seed_text().replace("\t令和元年度事業実績", "\t事業実績(令和元年度)")
    noted = noted.replace("\t令和2年度事業予定", "\t事業予定(令和2年度)")
    noted_report = _parse(tmp_path, noted)
    assert (noted_report.fiscal_year, noted_report.next_fiscal_year) == (2019, 2020)
    as_of = _parse(
        tmp_path,
        reports.seed_text().replace(
            "\t令和元年度事業実績", "\t令和元年度事業実績(令和2年3月末現在)"
        ),
    )
    assert _signature(as_of) == _signature(seed_report)


def test_measure_headings_written_otherwise(tmp_path: Path, seed_report: Report) -> None:
    line = reports.line_of(reports.seed_text(), r"^\(2\)男性の子育て")
    for heading in (
        "②男性の子育て、介護、地域活動等への参画促進",
        "施策(2)男性の子育て",
        "(二)男性",
    ):
        lines = reports.seed_text().split("\n")
        lines[line - 1] = heading + lines[line - 1][lines[line - 1].index("\t") :]
        item18 = _item(_parse(tmp_path, "\n".join(lines)), 18)
        assert (item18.measure.number, item18.measure.priority) == (2, False), heading
    # Numbered in a way that cannot be placed: refused, never passed over.
    lines = reports.seed_text().split("\n")
    lines[line - 1] = "2. 男性の子育て" + lines[line - 1][lines[line - 1].index("\t") :]
    # Before the first item such a line is a cover page's section title: read past.
    cover = reports.seed_text().split("\n")
    cover.insert(1, "1. 計画の概要\t\t\t")
    assert _signature(_parse(tmp_path, "\n".join(cover))) == _signature(seed_report)
    # Nor is a numbered footnote that no item follows.
    footnote = [*reports.seed_text().rstrip("\n").split("\n"), "1) 数値は令和2年3月末現在\t\t\t"]
    assert _signature(_parse(tmp_path, "\n".join(footnote))) == _signature(seed_report)
    problems = _problems(tmp_path, "\n".join(lines))
    assert problems[0].endswith(
        f":{line}: heading '2. 男性の子育て' is numbered in a way that "
        "cannot be placed (expected 基本目標…, 基本施策N…, (N)…)"
    )


def test_a_number_typed_twice_is_refused_not_merged(tmp_path: Path) -> None:
    # Item 18 typed as 29: the real 29 (same department and grade) would have been lost.
    text = reports.seed_text()
    line18 = reports.line_of(text, r"^18\t")
    line29 = reports.line_of(text, r"^29\t")
    text = reports.replace_cell(text, 18, 0, "29")
    (problem,) = _problems(tmp_path, text)
    assert f":{line29}: item 29 is named '子育て支援施設の整備' here but" in problem
    assert f"at line {line18}: is the number mistyped?" in problem


def test_a_stray_opening_quote_does_not_swallow_the_next_rows(
    tmp_path: Path, seed_report: Report
) -> None:
    text = reports.seed_text()
    text = reports.replace_cell(text, 16, 7, '"ハタラクカイギ2020 は中止となった。')
    lines = text.split("\n")
    at = reports.line_of(text, r"^18\t") - 1
    cells = lines[at].split("\t")
    cells[7] = '"' + cells[7] + '"'  # a properly quoted cell two rows further down
    lines[at] = "\t".join(cells)
    report = _parse(tmp_path, "\n".join(lines))
    assert _signature(report) == _signature(seed_report)
    (ev16,) = _evals(report, 16)
    assert ev16.result_text.startswith('"ハタラクカイギ')


def test_markup_in_a_grade_cell_and_a_separator_after_a_goal_number(tmp_path: Path) -> None:
    text = reports.replace_cell(reports.seed_text(), 16, 8, "<p>D</p>")
    text = text.replace("基本目標Ⅱ", "基本目標Ⅱ：", 1)
    report = _parse(tmp_path, text)
    assert [e.grade for e in _evals(report, 16)] == [Grade.D]
    assert not report.goals[0].title.startswith(":")


def test_a_damaged_utf8_file_says_where(tmp_path: Path) -> None:
    data = reports.seed_text().encode("utf-8")
    cut = data.index("ワーク".encode()) + 1  # inside a character
    (problem,) = _problems(tmp_path, data[:cut] + data[cut + 2 :])
    line = data[:cut].count(b"\n") + 1
    assert f":{line}: broken UTF-8 text at byte" in problem


def _relabel(line_start: str, labels: list[str], text: str | None = None) -> str:
    """The seed with its label rows replaced (item rows unchanged)."""
    return "\n".join(
        "\t".join(labels) if line.startswith(line_start) else line
        for line in (text or reports.seed_text()).split("\n")
    )


SEED_LABELS = ["事業名", "事業概要", "区分", "事業の対象者", "主管課", "令和元年度事業予定",
               "令和元年度事業実績", "評価", "令和2年度事業予定", ""]  # fmt: skip


def test_plan_and_result_columns_are_told_apart_by_their_words_and_years(
    tmp_path: Path, seed_report: Report
) -> None:
    def add(cells: list[str], labels: tuple[str, ...], values: tuple[str, ...]) -> list[str]:
        extra = labels if cells[0] == "事業名" else values
        return [*cells[:-1], *extra, cells[-1]] if cells[0] == "事業名" else [*cells, *extra]

    expected = [(e.plan_text, e.result_text, e.next_plan_text) for e in seed_report.evaluations]
    # An indicator's 令和元年度実績 and a 関連計画 after the real columns: the real ones win.
    for labels, values in (
        (("指標", "令和元年度目標", "令和元年度実績"), ("相談件数", "100人", "85人")),
        (("関連計画",), ("第五次子どもプラン",)),
    ):
        text = _with_labels(reports.seed_text(), lambda c, ls=labels, vs=values: add(c, ls, vs))
        report = _parse(tmp_path, text)
        texts = [(e.plan_text, e.result_text, e.next_plan_text) for e in report.evaluations]
        assert texts == expected, labels
    # Another plan named in a column is no next-year plan, even where there is none.
    related = _parse(tmp_path, reports.seed_text().replace("\t令和2年度事業予定", "\t関連計画"))
    assert (related.next_fiscal_year, {e.next_plan_text for e in related.evaluations}) == (
        None,
        {""},
    )
    # Results before the plan: the years say which plan is this year's.
    swapped = [*SEED_LABELS]
    swapped[5], swapped[6] = swapped[6], swapped[5]

    def swap(cells: list[str]) -> list[str]:
        if cells[0] != "事業名" and len(cells) > 7:
            cells[6], cells[7] = cells[7], cells[6]
        return cells

    report = _parse(
        tmp_path, _relabel("事業名\t", swapped, _with_labels(reports.seed_text(), swap))
    )
    texts = [(e.plan_text, e.result_text, e.next_plan_text) for e in report.evaluations]
    assert texts == expected


def _item_39_shared(departments: str) -> tuple[list[str], int]:
    """The seed's lines with item 39's department cell naming several, and its line."""
    text = reports.seed_text()
    line = reports.line_of(text, r"^39\t")
    lines = text.split("\n")
    cells = lines[line - 1].split("\t")
    cells[5] = departments
    lines[line - 1] = "\t".join(cells)
    return lines, line


def test_a_row_two_departments_answer_for_is_one_evaluation_each(tmp_path: Path) -> None:
    lines, line = _item_39_shared("高齢者支援課・地域支援課")
    lines[line] = ""  # the continuation row for 地域支援課, now in the cell above
    report = _parse(tmp_path, "\n".join(lines))
    assert sorted(e.department for e in _evals(report, 39)) == ["地域支援課", "高齢者支援課"]


def test_label_rows_read_otherwise_and_one_problem_for_a_broken_one(
    tmp_path: Path, seed_report: Report
) -> None:
    # The number labelled 整理番号, or its label cell left empty: labels over their data.
    for first in ("整理番号", ""):
        text = _relabel("事業名\t", [first, *SEED_LABELS[:-1]])
        assert _signature(_parse(tmp_path, text)) == _signature(seed_report), first
    # A label row without 主管課: that is the problem, not every row under it.
    broken = _relabel("事業名\t", [label.replace("主管課", "備考") for label in SEED_LABELS])
    problems = _problems(tmp_path, broken)
    label_rows = reports.seed_text().count("\n事業名\t")
    assert len(problems) == label_rows  # one for each label row, none for the rows under it
    assert all(p.endswith("column labels lack department") for p in problems)


def test_what_a_real_export_also_holds_is_read_as_before(
    tmp_path: Path, seed_report: Report
) -> None:
    seed = reports.seed_text()
    # A quoted cell whose inner lines are numbered, and not the row's last cell.
    quoted = reports.replace_cell(seed, 16, 7, '"実績:\n(1) 講演会を延期\n(2) 情報提供を実施"')
    (ev16,) = _evals(_parse(tmp_path, quoted), 16)
    assert ev16.result_text == "実績:\n(1) 講演会を延期\n(2) 情報提供を実施"
    # Notes at the foot of a page or the head of the next: furniture, not headings.
    for note in ("1) 数値は令和2年3月末現在", "(1) 数値は令和2年3月末現在のものです。"):
        lines = seed.split("\n")
        lines.insert(reports.line_of(seed, "【対象課 子ども政策課】") - 1, note + "\t\t\t")
        assert _signature(_parse(tmp_path, "\n".join(lines))) == _signature(seed_report), note
    # One unit written with its section or division: not two departments.
    for cell in ("健康福祉部・高齢者支援課", "高齢者支援課・介護保険係"):
        report = _parse(tmp_path, reports.replace_cell(seed, 19, 5, cell))
        assert [e.department for e in _evals(report, 19)] == [cell]
    # Last year's results beside this year's: this year's are the results.
    prior = [*SEED_LABELS[:6], "平成30年度事業実績", *SEED_LABELS[6:]]

    def add_prior(cells: list[str]) -> list[str]:
        return [*cells[:7], "前年度の実績", *cells[7:]] if cells[0] != "事業名" else cells

    text = _relabel("事業名\t", prior[:-1], _with_labels(seed, add_prior))
    report = _parse(tmp_path, text)
    assert (report.fiscal_year, _signature(report)) == (2019, _signature(seed_report))
    assert [e.result_text for e in report.evaluations] == [
        e.result_text for e in seed_report.evaluations
    ]


def test_a_departments_own_row_outranks_a_row_it_shares(tmp_path: Path) -> None:
    # Item 39: 地域支援課 and 高齢者支援課 share line 23's row, and 高齢者支援課 has its own.
    lines, line = _item_39_shared("地域支援課・高齢者支援課")
    own = lines[line].split("\t")
    own[5], own[8] = "高齢者支援課", "A"
    lines[line] = "\t".join(own)
    by_dept = {e.department: e for e in _evals(_parse(tmp_path, "\n".join(lines)), 39)}
    assert (by_dept["地域支援課"].source.line, by_dept["高齢者支援課"].source.line) == (
        line,
        line + 1,
    )
    assert by_dept["高齢者支援課"].grade is Grade.A


def test_notes_cells_and_units_seen_in_real_exports(tmp_path: Path, seed_report: Report) -> None:
    seed = reports.seed_text()
    # Notes say what headings do not, with or without 。: furniture wherever they stand.
    for note in (
        "①数値は令和2年3月末現在",
        "1. 評価は主管課の自己評価",
        "(2) 高齢者支援課の回答による",
    ):
        lines = seed.split("\n")
        lines.insert(reports.line_of(seed, r"^18\t") - 1, note + "\t\t\t")
        assert _signature(_parse(tmp_path, "\n".join(lines))) == _signature(seed_report), note
    # A quoted cell holding tabbed lines of its own ("(1)交流会\t12回") is one cell.
    cell = '"実績:\n(1)交流会\t12回\n(2)講演会\t1回"'
    (ev16,) = _evals(_parse(tmp_path, reports.replace_cell(seed, 16, 7, cell)), 16)
    assert ev16.result_text == "実績:\n(1)交流会\t12回\n(2)講演会\t1回"
    # A center and its own section are one unit.
    report = _parse(tmp_path, reports.replace_cell(seed, 72, 5, "子ども家庭支援センター・相談室"))
    assert [e.department for e in _evals(report, 72)] == ["子ども家庭支援センター・相談室"]
    # The same item with a bracketed note on another sheet is the same item.
    name = _item(seed_report, 39).name
    line = reports.line_of(seed, r"^39\t")
    lines = seed.split("\n")
    cells = lines[line].split("\t")  # the continuation row for 高齢者支援課
    cells[0], cells[1] = "39", "【再掲】" + name
    lines[line] = "\t".join(cells)
    assert _signature(_parse(tmp_path, "\n".join(lines))) == _signature(seed_report)
