"""Recording the council's changes to collections: checks, duplicates, removal, all rounds, files of changes."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.audit_support import chain_intact, entries_after, last_entry_id
from townhall.bins import changes, service
from townhall.bins.models import BinScheduleChange, PropertyBinRound
from townhall.bins.schedule import ChangeReason, Round, scheduled_dates
from townhall.platform.audit import PURPOSE_LENGTH, SYSTEM, Actor
from townhall.platform.errors import Conflict, NotFound

# A week with no bank holiday and no change in the synthetic council (its changes are at Christmas).
QUIET_MONDAY = date(2027, 2, 1)


def a_round(session: Session, *, frequency_weeks: int = 2) -> Round:
    rounds = service.load_network(session).rounds.values()
    return min((r for r in rounds if r.frequency_weeks == frequency_weeks), key=lambda r: r.id)


def next_collection(round_: Round, start: date = QUIET_MONDAY) -> date:
    return scheduled_dates(round_, start, start + timedelta(weeks=4))[0]


def a_property_on(session: Session, round_: Round) -> int:
    query = select(PropertyBinRound.uprn).where(PropertyBinRound.round_id == round_.id).order_by(PropertyBinRound.uprn)
    return int(session.scalars(query.limit(1)).one())


def fields_of(error: changes.ChangeProblems) -> list[str]:
    return [field for field, _message in error.problems]


def test_a_moved_collection_is_recorded_and_the_property_schedule_follows_it(session: Session) -> None:
    round_ = a_round(session)
    usual = next_collection(round_)
    recorded = changes.add_change(session, round_id=round_.id, original_date=usual, new_date=usual + timedelta(days=1),
                                  reason=ChangeReason.BAD_WEATHER, actor=SYSTEM)  # fmt: skip
    assert (recorded.round_id, recorded.stream_name, recorded.weekday) == (
        round_.id,
        round_.stream.name,
        usual.weekday(),
    )
    schedule = service.collections_for_property(session, uprn=a_property_on(session, round_), start=usual, days=7)
    moved = [c for c in schedule.collections if c.original_date == usual and c.stream == round_.stream]
    assert moved[0].date == usual + timedelta(days=1) and moved[0].reason is ChangeReason.BAD_WEATHER


def test_a_cancelled_collection_is_recorded_without_a_new_date(session: Session) -> None:
    round_ = a_round(session)
    usual = next_collection(round_)
    recorded = changes.add_change(session, actor=SYSTEM, round_id=round_.id, original_date=usual, new_date=None,
                                  reason=ChangeReason.STRIKE)  # fmt: skip
    assert recorded.is_cancelled
    listed = changes.list_changes(session, start=usual)
    assert [c.id for c in listed if c.round_id == round_.id] == [recorded.id]


def test_an_unknown_round_is_refused(session: Session) -> None:
    with pytest.raises(changes.ChangeProblems) as refused:
        changes.add_change(session, actor=SYSTEM, round_id="no-such-round", original_date=QUIET_MONDAY, new_date=None,
                           reason=ChangeReason.STRIKE)  # fmt: skip
    assert fields_of(refused.value) == ["round"] and "There is no round 'no-such-round'" in refused.value.message


def test_a_day_the_round_does_not_collect_on_is_refused_naming_its_nearest_collections(session: Session) -> None:
    round_ = a_round(session)
    usual = next_collection(round_)
    for wrong in (usual + timedelta(days=1), usual + timedelta(weeks=1)):  # another weekday; the off week
        with pytest.raises(changes.ChangeProblems) as refused:
            changes.add_change(session, actor=SYSTEM, round_id=round_.id, original_date=wrong, new_date=None,
                               reason=ChangeReason.STRIKE)  # fmt: skip
        assert fields_of(refused.value) == ["original_date"]
        assert "does not collect on" in refused.value.message and changes.long_date(usual) in refused.value.message


def test_all_rounds_needs_a_day_at_least_one_round_collects_on(session: Session) -> None:
    sunday = QUIET_MONDAY + timedelta(days=6)
    with pytest.raises(changes.ChangeProblems) as refused:
        changes.add_change(
            session, actor=SYSTEM, round_id=None, original_date=sunday, new_date=None, reason=ChangeReason.STRIKE
        )
    assert refused.value.message == f"No round collects on {changes.long_date(sunday)}"
    moved_to = QUIET_MONDAY + timedelta(days=1)
    recorded = changes.add_change(session, actor=SYSTEM, round_id=None, original_date=QUIET_MONDAY, new_date=moved_to,
                                  reason=ChangeReason.BAD_WEATHER)  # fmt: skip
    assert (recorded.round_id, recorded.stream_name, recorded.weekday) == (None, None, None)


def test_a_round_change_and_an_all_rounds_change_on_the_same_day_are_not_duplicates(session: Session) -> None:
    round_ = a_round(session)
    usual = next_collection(round_)
    changes.add_change(
        session, actor=SYSTEM, round_id=None, original_date=usual, new_date=None, reason=ChangeReason.STRIKE
    )
    changes.add_change(session, round_id=round_.id, original_date=usual, new_date=usual + timedelta(days=2),
                       reason=ChangeReason.STRIKE, actor=SYSTEM)  # fmt: skip
    listed = [c.round_id for c in changes.list_changes(session, start=usual) if c.original_date == usual]
    assert listed == [None, round_.id]  # all rounds first


@pytest.mark.parametrize(
    ("shift", "expected"),
    [(0, "is the original date"), (15, "within 14 days of the original date, not 15 days after"),
     (-15, "not 15 days before")],
)  # fmt: skip
def test_the_new_date_must_differ_and_be_within_fourteen_days(session: Session, shift: int, expected: str) -> None:
    round_ = a_round(session)
    usual = next_collection(round_)
    with pytest.raises(changes.ChangeProblems) as refused:
        changes.add_change(session, round_id=round_.id, original_date=usual, new_date=usual + timedelta(days=shift),
                           reason=ChangeReason.STRIKE, actor=SYSTEM)  # fmt: skip
    assert fields_of(refused.value) == ["new_date"] and expected in refused.value.message


def test_fourteen_days_either_way_is_allowed(session: Session) -> None:
    round_ = a_round(session)
    usual = next_collection(round_)
    changes.add_change(session, round_id=round_.id, original_date=usual, new_date=usual - timedelta(days=14),
                       reason=ChangeReason.STRIKE, actor=SYSTEM)  # fmt: skip
    later = next_collection(round_, usual + timedelta(days=1))
    changes.add_change(session, round_id=round_.id, original_date=later, new_date=later + timedelta(days=14),
                       reason=ChangeReason.STRIKE, actor=SYSTEM)  # fmt: skip


@pytest.mark.parametrize(("original", "new", "field"), [
    (date(1999, 12, 27), None, "original_date"), (date(2100, 1, 4), None, "original_date"),
    (date(2099, 12, 28), date(2100, 1, 2), "new_date"),
])  # fmt: skip
def test_dates_outside_2000_to_2099_are_refused(session: Session, original: date, new: date | None, field: str) -> None:
    with pytest.raises(changes.ChangeProblems) as refused:
        changes.add_change(
            session, actor=SYSTEM, round_id=None, original_date=original, new_date=new, reason=ChangeReason.STRIKE
        )
    assert fields_of(refused.value) == [field] and "from 2000 to 2099" in refused.value.message


def test_a_second_change_for_the_same_round_and_day_is_a_conflict(session: Session) -> None:
    round_ = a_round(session)
    usual = next_collection(round_)
    changes.add_change(
        session, actor=SYSTEM, round_id=round_.id, original_date=usual, new_date=None, reason=ChangeReason.STRIKE
    )
    with pytest.raises(Conflict) as refused:
        changes.add_change(session, round_id=round_.id, original_date=usual, new_date=usual + timedelta(days=1),
                           reason=ChangeReason.BAD_WEATHER, actor=SYSTEM)  # fmt: skip
    assert refused.value.status_code == 409
    assert f"already a change for round {round_.id}" in refused.value.message and "(cancelled)" in refused.value.message


def test_a_second_all_rounds_change_for_the_same_day_is_a_conflict(session: Session) -> None:
    # The synthetic council already has its Christmas arrangements for all rounds.
    existing = session.scalars(select(BinScheduleChange).where(BinScheduleChange.round_id.is_(None)).limit(1)).one()
    with pytest.raises(Conflict, match="already a change for all rounds"):
        changes.add_change(session, actor=SYSTEM, round_id=None, original_date=existing.original_date, new_date=None,
                           reason=ChangeReason.STRIKE)  # fmt: skip


def test_removing_a_change_restores_the_usual_day(session: Session) -> None:
    round_ = a_round(session)
    usual = next_collection(round_)
    recorded = changes.add_change(session, actor=SYSTEM, round_id=round_.id, original_date=usual, new_date=None,
                                  reason=ChangeReason.STRIKE)  # fmt: skip
    removed = changes.remove_change(session, change_id=recorded.id, actor=SYSTEM)
    assert removed == recorded
    assert session.get(BinScheduleChange, recorded.id) is None
    schedule = service.collections_for_property(session, uprn=a_property_on(session, round_), start=usual, days=1)
    assert [c.date for c in schedule.collections if c.stream == round_.stream] == [usual]
    with pytest.raises(NotFound, match=f"no change {recorded.id}"):
        changes.remove_change(session, change_id=recorded.id, actor=SYSTEM)


def test_the_list_starts_from_the_day_given(session: Session) -> None:
    listed = changes.list_changes(session, start=date(2026, 12, 1))
    assert listed and all(c.original_date >= date(2026, 12, 1) or (c.new_date or date.min) >= date(2026, 12, 1)
                          for c in listed)  # fmt: skip
    assert [c.original_date for c in listed] == sorted(c.original_date for c in listed)
    assert changes.list_changes(session, start=date(2030, 1, 1)) == []


@pytest.mark.parametrize("typed", ["bad weather", "bad_weather", "Bad Weather", "BAD-WEATHER"])
def test_a_reason_is_read_from_its_words_or_its_name(typed: str) -> None:
    assert changes.reason_from(typed) is ChangeReason.BAD_WEATHER


def test_an_unknown_reason_lists_the_choices() -> None:
    with pytest.raises(changes.ChangeProblems, match="christmas_and_new_year, bad_weather, strike"):
        changes.reason_from("holiday")


@pytest.mark.parametrize(
    ("typed", "expected"), [("2026-12-25", date(2026, 12, 25)), ("25/12/2026", date(2026, 12, 25))]
)
def test_a_date_is_read_as_iso_or_day_month_year(typed: str, expected: date) -> None:
    assert changes.day_from_text(typed, field="original_date", label="original date") == expected


def test_a_file_of_changes_is_loaded_together(session: Session) -> None:
    round_ = a_round(session)
    usual = next_collection(round_)
    text = (
        "round,original_date,new_date,reason\n"
        f"{round_.id},{usual},,christmas_and_new_year\n"
        f",{QUIET_MONDAY + timedelta(weeks=4)},{QUIET_MONDAY + timedelta(weeks=4, days=1)},Bad weather\n"
    )
    added = changes.add_changes(session, changes=changes.changes_from_csv(text), file_name="changes.csv", actor=SYSTEM)
    assert [(c.round_id, c.is_cancelled) for c in added] == [(round_.id, True), (None, False)]


def test_a_file_with_bad_lines_is_refused_naming_each_and_nothing_is_loaded(session: Session) -> None:
    round_ = a_round(session)
    usual = next_collection(round_)
    before = len(changes.list_changes(session, start=date(2000, 1, 1)))
    text = (
        "round,original_date,new_date,reason\n"
        f"{round_.id},{usual},,strike\n"
        f"{round_.id},{usual},{usual + timedelta(days=1)},strike\n"  # the same round and day again
        f"{round_.id},{usual + timedelta(days=1)},,strike\n"  # not a collection day
        f"nope,{usual},,strike\n"
    )
    with pytest.raises(changes.ChangeProblems) as refused:
        changes.add_changes(session, changes=changes.changes_from_csv(text), file_name="changes.csv", actor=SYSTEM)
    lines = fields_of(refused.value)
    assert lines == ["line 3", "line 4", "line 5"]
    assert "repeats line 2" in refused.value.problems[0][1]
    assert len(changes.list_changes(session, start=date(2000, 1, 1))) == before


def test_unreadable_lines_are_named_before_anything_is_checked() -> None:
    text = "round,original_date,new_date,reason\nA,2027-02-30,,strike\nB,2027-02-01,soon,weather\n"
    with pytest.raises(changes.ChangeProblems) as refused:
        changes.changes_from_csv(text)
    assert fields_of(refused.value) == ["line 2", "line 3", "line 3"]
    assert "Line 3: The new date 'soon' is not a date" in refused.value.message


def test_a_file_without_the_columns_says_which_are_missing() -> None:
    with pytest.raises(changes.ChangeProblems, match="it has no new_date, reason"):
        changes.changes_from_csv("round,original_date\nA,2027-02-01\n")


# --- the audit log --------------------------------------------------------------------------------------------------

OFFICER = Actor("user", 4242, is_staff=True)


def test_adding_a_change_writes_one_audit_entry_saying_who_which_round_which_days_and_why(session: Session) -> None:
    round_ = a_round(session)
    usual = next_collection(round_)
    before = last_entry_id(session)
    recorded = changes.add_change(session, round_id=round_.id, original_date=usual, new_date=usual + timedelta(days=1),
                                  reason=ChangeReason.BAD_WEATHER, actor=OFFICER, client="10.0.0.9")  # fmt: skip
    details = (f"round {round_.id} ({round_.stream.name}): {usual.isoformat()} moved to "
               f"{(usual + timedelta(days=1)).isoformat()}; reason: bad weather")  # fmt: skip
    assert entries_after(session, before) == [
        ("user", 4242, "bins_change_add", "bin_schedule_change", str(recorded.id), details, "10.0.0.9")
    ]
    assert chain_intact(session)


def test_removing_a_change_writes_one_audit_entry_with_what_the_change_said(session: Session) -> None:
    recorded = changes.add_change(session, round_id=None, original_date=QUIET_MONDAY, new_date=None,
                                  reason=ChangeReason.STRIKE, actor=SYSTEM)  # fmt: skip
    before = last_entry_id(session)
    changes.remove_change(session, change_id=recorded.id, actor=OFFICER, client="10.0.0.9")
    details = f"all rounds: {QUIET_MONDAY.isoformat()} cancelled; reason: strike"
    assert entries_after(session, before) == [
        ("user", 4242, "bins_change_remove", "bin_schedule_change", str(recorded.id), details, "10.0.0.9")
    ]
    assert chain_intact(session)


def test_a_refused_change_or_removal_writes_no_audit_entry(session: Session) -> None:
    round_ = a_round(session)
    usual = next_collection(round_)
    changes.add_change(session, round_id=round_.id, original_date=usual, new_date=None, reason=ChangeReason.STRIKE,
                       actor=OFFICER)  # fmt: skip
    before = last_entry_id(session)
    with pytest.raises(changes.ChangeProblems):
        changes.add_change(session, round_id=round_.id, original_date=usual + timedelta(days=1), new_date=None,
                           reason=ChangeReason.STRIKE, actor=OFFICER)  # fmt: skip
    with pytest.raises(Conflict):
        changes.add_change(session, round_id=round_.id, original_date=usual, new_date=None,
                           reason=ChangeReason.STRIKE, actor=OFFICER)  # fmt: skip
    with pytest.raises(NotFound):
        changes.remove_change(session, change_id=2**31 - 1, actor=OFFICER)
    assert entries_after(session, before) == []


def test_a_file_of_changes_writes_one_audit_entry_with_its_counts_span_and_name(session: Session) -> None:
    round_ = a_round(session)
    usual = next_collection(round_)
    later = QUIET_MONDAY + timedelta(weeks=4)
    text = (
        "round,original_date,new_date,reason\n"
        f"{round_.id},{usual},,christmas_and_new_year\n"
        f",{later},{later + timedelta(days=1)},Bad weather\n"
    )
    before = last_entry_id(session)
    changes.add_changes(session, changes=changes.changes_from_csv(text), file_name="winter.csv", actor=SYSTEM)
    details = (f"changes: 2 (all rounds 1, single rounds 1), usual days {usual.isoformat()} to {later.isoformat()}; "
               "reasons: Christmas and New Year arrangements, bad weather; file winter.csv")  # fmt: skip
    assert entries_after(session, before) == [("system", None, "bins_changes_import", None, None, details, None)]
    assert chain_intact(session)


def test_a_refused_file_of_changes_writes_no_audit_entry(session: Session) -> None:
    text = "round,original_date,new_date,reason\nnope,2027-02-01,,strike\n"
    before = last_entry_id(session)
    with pytest.raises(changes.ChangeProblems):
        changes.add_changes(session, changes=changes.changes_from_csv(text), file_name="bad.csv", actor=SYSTEM)
    with pytest.raises(changes.ChangeProblems, match="no changes in it"):
        changes.add_changes(session, changes=[], file_name="empty.csv", actor=SYSTEM)
    assert entries_after(session, before) == []


def test_a_long_file_name_is_cut_to_fit_the_audit_entry_not_refused(session: Session) -> None:
    text = f"round,original_date,new_date,reason\n,{QUIET_MONDAY},,strike\n"
    long_name = "christmas " + "x" * 240 + ".csv"  # a file name may be 255 characters; the purpose holds 300
    before = last_entry_id(session)
    changes.add_changes(session, changes=changes.changes_from_csv(text), file_name=long_name, actor=SYSTEM)
    purpose = entries_after(session, before)[0][5]
    assert purpose is not None and len(purpose) == PURPOSE_LENGTH and purpose.endswith("xxx...")
    assert purpose.startswith("changes: 1 (all rounds 1, single rounds 0)") and chain_intact(session)
