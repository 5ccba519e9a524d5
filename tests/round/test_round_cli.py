"""`planbot round …` as the office uses it: open on the seed, enter answers that came by
mail, watch progress as JSON, and close."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main
from bot.ingest.files import parse_report_files


def run(capsys: pytest.CaptureFixture[str], data_dir: Path, *args: str) -> tuple[int, str, str]:
    code = main(["round", args[0], "--data-dir", str(data_dir), "--by", "UOFFICE", *args[1:]])
    out, err = capsys.readouterr()
    return code, out, err


def test_round_from_the_command_line(
    warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setenv("PLANBOT_STATE_DIR", str(tmp_path / "state"))
    code, out, _ = run(
        capsys, warehouse, "open", "--fiscal-year", "2020", "--deadline", "2021-05-31"
    )
    assert code == 0 and "41 evaluations" in out

    code, _, err = run(
        capsys,
        warehouse,
        "submit",
        "--item",
        "16",
        "--department",
        "子ども政策課",
        "--grade",
        "Ｅ",
        "--result",
        "講演会を実施",
    )
    assert code == 1
    assert "--grade: there is no grade E" in err and "nothing was stored" in err

    code, out, _ = run(
        capsys,
        warehouse,
        "submit",
        "--item",
        "16",
        "--department",
        "子供政策課",
        "--grade",
        "c",
        "--result",
        "講演会を1回実施",
        "--next-plan",
        "回数を増やす",
    )
    assert code == 0 and "grade C" in out

    code, out, _ = run(capsys, warehouse, "status", "--json")
    status = json.loads(out)
    assert (status["fiscal_year"], status["total"], status["submitted"], status["approved"]) == (
        2020,
        41,
        1,
        0,
    )
    kodomo = next(d for d in status["departments"] if d["department"] == "子ども政策課")
    assert (kodomo["submitted"], kodomo["open"]) == (1, kodomo["total"] - 1)

    code, _, err = run(capsys, warehouse, "close")
    assert code == 1 and "40 evaluation(s) are still open" in err
    assert "item 18 子ども政策課: not started" in err

    out_file = tmp_path / "fy2020.xlsx"
    code, out, _ = run(capsys, warehouse, "close", "--force", "--out", str(out_file))
    assert code == 0 and "missing (not in the report)" in out
    (report,), problems = parse_report_files([out_file])
    assert problems == [] and [(e.item_number, e.grade.value) for e in report.evaluations] == [
        (16, "C")
    ]
    assert main(["ask", "--data-dir", str(warehouse), "--json", "令和2年度のC評価"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert [(i["item_no"], i["fiscal_year"], i["grade"]) for i in answer["items"]] == [
        (16, 2020, "C")
    ]
    assert answer["items"][0]["next_plan_text"] == "回数を増やす"
