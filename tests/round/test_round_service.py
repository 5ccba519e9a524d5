"""The round's core on the seed: open, assign, drafts, submissions, conflicts, reviews,
closing into the warehouse, and the audit trail — on SQLite and on PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.ask.answer import Answerer
from bot.models import Grade
from bot.round.models import EvaluationKey, EvaluationStatus, RawEntry, Role
from bot.round.service import (
    Closed,
    CloseRefused,
    Conflicted,
    Refused,
    RoundError,
    RoundService,
    Submitted,
)
from bot.round.store import RoundStore
from tests.round.conftest import ADMIN, DEADLINE, Clock, make_service

RESULT = "講演会を年2回開催し、延べ120人が参加した。"


def answer(rounds: RoundService, item: int, department: str, grade: str, by: str) -> None:
    rnd = rounds.current()
    outcome = rounds.submit(
        rnd,
        rounds.key(rnd, item, department),
        RawEntry(result_text=f"{RESULT}（事業{item}）", grade=grade, next_plan_text="継続する"),
        by,
    )
    assert isinstance(outcome, Submitted), outcome


def test_a_round_asks_last_years_items_with_their_next_year_plans(
    rounds: RoundService, seed_report
) -> None:
    rnd = rounds.open(2020, DEADLINE, ADMIN)
    evals = rounds.store.evaluations(rnd.id)
    assert (
        (rnd.source_fiscal_year, len(evals)) == (2019, len(seed_report.evaluations)) == (2019, 41)
    )
    assert sorted(e.department for e in evals if e.item_no == 39) == sorted(
        e.department for e in seed_report.evaluations if e.item_number == 39
    )
    assert len([e for e in evals if e.item_no == 39]) == 2
    last_year = {(e.item_number, e.department): e.next_plan_text for e in seed_report.evaluations}
    for ev in evals:
        assert ev.entry.plan_text == ev.prefill_plan_text == last_year[(ev.item_no, ev.department)]
        assert ev.status is EvaluationStatus.EMPTY
    progress = rounds.progress()
    assert (progress.fiscal_year, progress.total, progress.submitted, progress.open) == (
        2020,
        41,
        0,
        41,
    )
    assert sum(d.total for d in progress.departments) == 41
    with pytest.raises(RoundError, match="already opened"):
        rounds.open(2020, DEADLINE, ADMIN)


def test_no_round_without_last_years_report(rounds: RoundService) -> None:
    with pytest.raises(RoundError, match="ingest last year"):
        rounds.open(2019, DEADLINE, ADMIN)


def test_assignees_by_loose_department_names_and_from_departments_toml(
    rounds: RoundService, warehouse: Path
) -> None:
    (warehouse / "departments.toml").write_text(
        '[departments."高齢者支援課"]\nassignees = ["UKOREI"]\nreviewers = ["UREV"]\n',
        encoding="utf-8",
    )
    rnd = rounds.open(2020, DEADLINE, ADMIN)
    department, added = rounds.assign("子供政策", ["UA", "UB"], ADMIN)
    assert department == "子ども政策課" and [m.user_id for m in added] == ["UA", "UB"]
    assert rounds.assign("子ども政策課", ["UA"], ADMIN)[1] == []  # already there
    assert rounds.assignees(rnd, "高齢者支援課") == ["UKOREI"]
    assert rounds.may_review(rnd, "UREV", "高齢者支援課")
    assert not rounds.may_review(rnd, "UREV", "子ども政策課")
    assert {e.department for e in rounds.assignments("UA")} == {"子ども政策課"}
    with pytest.raises(RoundError, match="not a department"):
        rounds.assign("総務課", ["UA"], ADMIN)


def test_an_invalid_answer_is_refused_field_by_field_and_stores_nothing(
    rounds: RoundService,
) -> None:
    rnd = rounds.open(2020, DEADLINE, ADMIN)
    key = rounds.key(rnd, 16, "子ども政策課")
    outcome = rounds.submit(rnd, key, RawEntry(result_text="  ", grade="E"), "UA")
    assert isinstance(outcome, Refused)
    problems = {p.field: p for p in outcome.problems}
    assert set(problems) == {"grade", "result_text"}
    assert "E" in problems["grade"].ja and "概ね順調" in problems["grade"].ja
    assert rounds.evaluation(rnd, key).status is EvaluationStatus.EMPTY
    # The legend's words and full-width letters are grades too.
    ok = rounds.submit(rnd, key, RawEntry(result_text=RESULT, grade="概ね順調"), "UA")
    assert isinstance(ok, Submitted) and ok.evaluation.entry.grade is Grade.B
    ok = rounds.submit(rnd, key, RawEntry(result_text=RESULT, grade="ｃ"), "UA")
    assert isinstance(ok, Submitted) and ok.evaluation.entry.grade is Grade.C


def test_a_draft_keeps_what_was_typed(rounds: RoundService, clock: Clock) -> None:
    rnd = rounds.open(2020, DEADLINE, ADMIN)
    key = rounds.key(rnd, 18, "子ども政策課")
    ev = rounds.save_draft(rnd, key, RawEntry(result_text="途中まで", grade=""), "UA", 0)
    assert ev.status is EvaluationStatus.DRAFT
    _, entry, draft = rounds.form(rnd, key, "UA")
    assert entry.result_text == "途中まで" and draft is not None
    # Someone else opening the item sees the answer, not another person's draft.
    assert rounds.form(rnd, key, "UB")[2] is None
    clock.advance(minutes=5)
    outcome = rounds.submit(rnd, key, RawEntry(result_text="全部", grade="A"), "UA", base_version=0)
    assert isinstance(outcome, Submitted)
    assert rounds.form(rnd, key, "UA")[2] is None  # the draft went with the submission


def test_a_conflicting_submission_keeps_both_versions(rounds: RoundService, clock: Clock) -> None:
    rnd = rounds.open(2020, DEADLINE, ADMIN)
    key = rounds.key(rnd, 29, "子ども政策課")
    first = rounds.submit(
        rnd, key, RawEntry(result_text="Aさんの実績", grade="B"), "UA", base_version=0
    )
    assert isinstance(first, Submitted)
    clock.advance(minutes=1)
    second = rounds.submit(
        rnd, key, RawEntry(result_text="Bさんの実績", grade="C"), "UB", base_version=0
    )
    assert isinstance(second, Conflicted)
    assert (
        second.conflict.changed_by == "UA"
        and second.conflict.changed_at == first.evaluation.updated_at
    )
    assert rounds.evaluation(rnd, key).entry.result_text == "Aさんの実績"
    kept = rounds.store.draft(rnd.id, key, "UB")
    assert (
        kept is not None and kept.entry.result_text == "Bさんの実績" and kept.conflict is not None
    )
    # Having seen the newer answer, B submits again from it: no conflict now.
    again = rounds.submit(
        rnd,
        key,
        RawEntry(result_text="Bさんの実績", grade="C"),
        "UB",
        base_version=second.current.version,
    )
    assert isinstance(again, Submitted) and again.evaluation.entry.result_text == "Bさんの実績"


def test_return_needs_a_comment_and_goes_back_to_the_department(rounds: RoundService) -> None:
    rnd = rounds.open(2020, DEADLINE, ADMIN)
    key = EvaluationKey(item_no=16, department="子ども政策課")
    with pytest.raises(RoundError, match="not been submitted"):
        rounds.review(rnd, key, approve=True, comment="", by=ADMIN)
    answer(rounds, 16, "子ども政策課", "D", "UA")
    with pytest.raises(RoundError, match="comment"):
        rounds.review(rnd, key, approve=False, comment=" ", by=ADMIN)
    returned = rounds.review(rnd, key, approve=False, comment="実施回数を書いてください", by=ADMIN)
    assert returned.status is EvaluationStatus.RETURNED
    assert returned.review_comment == "実施回数を書いてください"
    assert rounds.progress().departments[0].returned == 1
    answer(rounds, 16, "子ども政策課", "C", "UA")
    approved = rounds.review(rnd, key, approve=True, comment="", by=ADMIN)
    assert approved.status is EvaluationStatus.APPROVED
    assert rounds.progress().approved == 1


def test_closing_refuses_open_items_then_writes_the_year(
    rounds: RoundService, warehouse: Path
) -> None:
    rnd = rounds.open(2020, DEADLINE, ADMIN)
    evals = rounds.store.evaluations(rnd.id)
    for i, ev in enumerate(evals[:-2]):
        answer(rounds, ev.item_no, ev.department, "ABCD"[i % 4], "UA")
    refused = rounds.close(ADMIN)
    assert isinstance(refused, CloseRefused)
    assert [(e.item_no, e.department) for e in refused.open] == [
        (e.item_no, e.department) for e in evals[-2:]
    ]
    for ev in evals[-2:]:
        answer(rounds, ev.item_no, ev.department, "C", "UB")
    closed = rounds.close(ADMIN)
    assert isinstance(closed, Closed) and closed.missing == []
    assert closed.ingest.fiscal_years == [2019, 2020]
    answerer = Answerer(rounds.warehouse)
    c_items = answerer.answer("令和2年度のC評価")
    assert c_items.fiscal_year == 2020
    expected = {
        (e.item_no, e.department)
        for i, e in enumerate(evals)
        if "ABCD"[i % 4] == "C" or i >= len(evals) - 2
    }
    assert {(i.item_no, i.department) for i in c_items.items} == expected
    assert all(i.source.file.startswith("Slack入力 U") for i in c_items.items)
    trend = answerer.answer("事業16の評価の推移")
    assert [i.fiscal_year for i in trend.items] == [2019, 2020]
    assert rounds.current().status.value == "closed"


def test_an_edit_after_closing_reopens_and_closing_again_replaces_the_year(
    rounds: RoundService,
) -> None:
    rnd = rounds.open(2020, DEADLINE, ADMIN)
    for ev in rounds.store.evaluations(rnd.id):
        answer(rounds, ev.item_no, ev.department, "B", "UA")
    assert isinstance(rounds.close(ADMIN), Closed)
    edited = rounds.submit(
        rounds.current(),
        EvaluationKey(item_no=16, department="子ども政策課"),
        RawEntry(result_text="訂正", grade="D"),
        "UA",
    )
    assert isinstance(edited, Submitted) and edited.reopened
    assert rounds.current().status.value == "open"
    again = rounds.close(ADMIN)
    assert isinstance(again, Closed)
    d_items = Answerer(rounds.warehouse).answer("2020年度のD評価")
    assert [(i.item_no, i.result_text) for i in d_items.items] == [(16, "訂正")]
    assert d_items.count == 1


def test_force_closes_and_says_what_is_missing(rounds: RoundService) -> None:
    rnd = rounds.open(2020, DEADLINE, ADMIN)
    answer(rounds, 16, "子ども政策課", "A", "UA")
    closed = rounds.close(ADMIN, force=True)
    assert isinstance(closed, Closed) and len(closed.missing) == 40
    assert len(closed.report.evaluations) == 1 and closed.report.sheets == ("子ども政策課",)
    assert rounds.store.round(rnd.id).closed_by == ADMIN  # type: ignore[union-attr]


def test_every_change_is_an_audit_row_with_before_and_after(rounds: RoundService) -> None:
    rnd = rounds.open(2020, DEADLINE, ADMIN)
    key = rounds.key(rnd, 16, "子ども政策課")
    rounds.assign("子ども政策課", ["UA"], ADMIN)
    rounds.save_draft(rnd, key, RawEntry(result_text="下書き"), "UA", 0)
    rounds.submit(rnd, key, RawEntry(result_text="提出", grade="B"), "UA", base_version=0)
    rounds.submit(rnd, key, RawEntry(result_text="別の人", grade="C"), "UB", base_version=0)
    rounds.review(rnd, key, approve=False, comment="理由を", by=ADMIN)
    answer(rounds, 18, "子ども政策課", "A", "UA")
    rounds.review(rnd, rounds.key(rnd, 18, "子ども政策課"), approve=True, comment="", by=ADMIN)
    rounds.close(ADMIN, force=True)
    rows = rounds.store.audit(rnd.id)
    assert [r.action for r in rows] == [
        "open",
        "assign",
        "draft",
        "submit",
        "conflict",
        "return",
        "submit",
        "approve",
        "close",
    ]
    submit = rows[3]
    assert submit.actor == "UA" and submit.before and submit.after
    assert submit.before["status"] == "draft" and submit.after["entry"]["result_text"] == "提出"
    assert rows[4].after == {"entry": {**rows[4].after["entry"]}, "kept_as": "draft"}  # type: ignore[index]


def test_the_same_round_runs_unchanged_on_postgresql(
    pg_url: str, warehouse: Path, clock: Clock
) -> None:
    store = RoundStore.from_url(pg_url)
    rounds = make_service(warehouse, store, clock)
    try:
        rnd = rounds.open(2020, DEADLINE, ADMIN)
        rounds.assign("子ども政策課", ["UA"], ADMIN, role=Role.ASSIGNEE)
        key = rounds.key(rnd, 16, "子ども政策課")
        rounds.save_draft(rnd, key, RawEntry(result_text="下書き"), "UA", 0)
        rounds.save_draft(rnd, key, RawEntry(result_text="下書き2"), "UA", 0)  # upsert
        assert isinstance(
            rounds.submit(rnd, key, RawEntry(result_text="A", grade="B"), "UA", base_version=0),
            Submitted,
        )
        assert isinstance(
            rounds.submit(rnd, key, RawEntry(result_text="B", grade="C"), "UB", base_version=0),
            Conflicted,
        )
        with pytest.raises(RoundError, match="already opened"):
            rounds.open(2020, DEADLINE, ADMIN)
        closed = rounds.close(ADMIN, force=True)
        assert isinstance(closed, Closed) and len(closed.report.evaluations) == 1
        assert [r.action for r in store.audit(rnd.id)][-1] == "close"
    finally:
        rounds.warehouse.close()
        store.close()
