"""`townhall counciltax accounts import FOLDER`: the example snapshot loads into a synthetic council and a
resident's linked account answers from it; refunds and returned payments (negative, named by their method) count
against what was paid; the synthetic council's own accounts go round; every bad line is named; a wrong folder
changes nothing; residents' links survive for accounts still there at the same property."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from tests.conftest import small_council_file, use_council_file
from tests.counciltax.snapshot import EXAMPLES, example_texts, snapshot_texts
from tests.identity.factories import make_user
from townhall.cli import app
from townhall.counciltax import service
from townhall.counciltax.accounts_fast import converters, rows_if_all_good
from townhall.counciltax.accounts_files import COLUMNS, FILES, read_snapshot
from townhall.counciltax.accounts_import import AUDIT_ACTION, import_accounts
from townhall.identity.models import AccountLink
from townhall.platform import clock
from townhall.platform.audit.models import AuditEntry
from townhall.platform.csv_files import FileProblems

runner = CliRunner()
TODAY = datetime(2026, 11, 29, 12, 0, tzinfo=clock.LONDON)
EXAMPLE_UPRNS = {100090000001, 100090000002, 100090000003, 100090000004}
NAMES = ("Alex Example", "Sam Sample", "Jo Sample", "Kit Placeholder", "Ray Specimen")


def with_line(name: str, line: str) -> dict[str, str]:
    return example_texts(**{name: (EXAMPLES / f"{name}.csv").read_text(encoding="utf-8") + line + "\n"})


def problems_of(texts: dict[str, str]) -> list[str]:
    with pytest.raises(FileProblems) as caught:
        read_snapshot(texts, uprns=EXAMPLE_UPRNS)
    return caught.value.problems


@pytest.fixture(scope="module")
def council_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return small_council_file(tmp_path_factory.mktemp("ct-accounts-import"))


@pytest.fixture
def council(command_database: str, council_file: Path) -> Iterator[str]:
    """The synthetic council as the database `townhall` commands use, today fixed at Sunday 29 November 2026."""
    use_council_file(council_file, command_database)
    with clock.frozen_at(TODAY):
        yield command_database


def accounts_import(folder: Path) -> tuple[int, str]:
    result = runner.invoke(app, ["counciltax", "accounts", "import", str(folder)])
    assert "Traceback" not in result.output
    assert not result.exception or isinstance(result.exception, SystemExit), repr(result.exception)
    return result.exit_code, " ".join(result.output.split())


def table_counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    tables = ("ct_accounts", "ct_liable_people", "ct_discounts", "ct_exemptions", "ct_bills", "ct_instalments",
              "ct_payments")  # fmt: skip
    with engine.connect() as connection:
        counts = {table: connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() for table in tables}
    engine.dispose()
    return counts


# --- good snapshots ---------------------------------------------------------------------------------------------


def test_the_example_snapshot_loads_with_counts_only_and_one_audit_entry(council: str) -> None:
    before = table_counts(council)["ct_accounts"]
    code, output = accounts_import(EXAMPLES)
    assert code == 0, output
    assert ("Loaded the snapshot: 4 accounts, 5 liable people, 2 discounts, 1 exemptions, 7 bills, 52 instalments, "
            f"24 payments. It replaced {before:,} accounts.") in output  # fmt: skip
    assert "0 kept, 0 removed" in output
    assert not any(name in output for name in NAMES)
    assert table_counts(council) == {"ct_accounts": 4, "ct_liable_people": 5, "ct_discounts": 2, "ct_exemptions": 1,
                                     "ct_bills": 7, "ct_instalments": 52, "ct_payments": 24}  # fmt: skip
    engine = create_engine(council)
    with Session(engine) as session:
        entries = session.scalars(select(AuditEntry).where(AuditEntry.action == AUDIT_ACTION)).all()
        summary = service.account_summary(session, reference="51000001", on=TODAY.date())
    engine.dispose()
    assert len(entries) == 1 and entries[0].actor_type == "system"
    assert entries[0].purpose is not None and "4 accounts, 5 liable people" in entries[0].purpose
    assert not any(name in entries[0].purpose for name in NAMES)
    assert summary.liable_people == ["Alex Example"]
    assert (summary.charge_pence, summary.paid_pence, summary.balance_pence) == (112_500, 78_750, 33_750)
    assert summary.overdue_pence == 11_250 and summary.discounts[0].startswith("Single person discount")


def test_a_linked_resident_sees_the_loaded_account_and_links_survive_as_documented(session: Session) -> None:
    import_accounts(session, texts=example_texts())
    owners = {reference: make_user(session) for reference in ("51000001", "51000002", "51000003")}
    session.add_all(AccountLink(user_id=user.id, account_reference=reference, linked_at=TODAY)
                    for reference, user in owners.items())  # fmt: skip
    session.flush()
    # the next night: 51000003 has gone from the extract, and 51000002 is at another property
    accounts = (EXAMPLES / "accounts.csv").read_text(encoding="utf-8")
    moved = accounts.replace("51000002,100090000002", "51000002,100090000005")
    kept = [line for line in moved.splitlines() if not line.startswith("51000003")]
    texts = {name: "\n".join(line for line in content.splitlines() if not line.startswith("51000003")) + "\n"
             for name, content in example_texts(accounts="\n".join(kept) + "\n").items()}  # fmt: skip
    report = import_accounts(session, texts=texts)
    assert (report.links_kept, report.links_removed, report.replaced_accounts) == (1, 2, 4)
    left = session.scalars(select(AccountLink.account_reference)).all()
    assert left == ["51000001"]
    with clock.frozen_at(TODAY):
        summary = service.account_for_caller(
            session, reference="51000001", user=owners["51000001"], purpose=None, client=None
        )
    assert summary.balance_pence == 33_750 and summary.next_instalment is not None
    revised = service.account_summary(session, reference="51000002", on=TODAY.date())
    assert (revised.charge_pence, revised.paid_pence, revised.balance_pence) == (120_000, 94_288, 25_712)


def test_refunds_and_returned_payments_load_and_count_against_what_was_paid(session: Session) -> None:
    import_accounts(session, texts=example_texts())
    closed = service.account_summary(session, reference="51000003", on=TODAY.date())
    assert (closed.paid_pence, closed.refunded_pence, closed.returned_pence) == (46_795, 9_205, 0)
    assert closed.balance_pence == 0 and closed.charge_pence == 46_795
    refund = closed.payments[-1]
    assert (refund.pence, refund.amount, refund.method, refund.kind) == (-9_205, "-£92.05", "refund", "refund")
    assert refund.description == "Refund to you"
    bounced = service.account_summary(session, reference="51000001", on=TODAY.date())
    assert (bounced.paid_pence, bounced.refunded_pence, bounced.returned_pence) == (78_750, 0, 11_250)
    assert [(p.description, p.pence) for p in bounced.payments[5:8]] == [
        ("Direct debit", 11_250), ("Direct debit returned", -11_250), ("Card", 11_250)
    ]  # fmt: skip
    assert bounced.overdue_pence == 11_250  # November's instalment, not September's: that was paid again by card


def test_a_returned_direct_debit_not_yet_paid_again_leaves_its_instalment_overdue(session: Session) -> None:
    payments = (
        (EXAMPLES / "payments.csv").read_text(encoding="utf-8").replace("51000001,2026,2026-09-18,11250,card\n", "")
    )
    import_accounts(session, texts=example_texts(payments=payments))
    summary = service.account_summary(session, reference="51000001", on=TODAY.date())
    assert (summary.paid_pence, summary.returned_pence, summary.overdue_pence) == (67_500, 11_250, 22_500)


def test_money_going_back_is_stored_in_one_spelling_on_both_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    from townhall.counciltax import accounts_files

    texts = with_line("payments", "51000004,2026,2026-06-20,-13041, Refund ")
    texts = {**texts, "payments.csv": texts["payments.csv"].replace("direct debit return", "Direct Debit Return")}
    quick = read_snapshot(texts, uprns=EXAMPLE_UPRNS)
    monkeypatch.setattr(accounts_files, "converters", lambda *_: None)
    careful = read_snapshot(texts, uprns=EXAMPLE_UPRNS)
    assert quick == careful
    back = [(row[0], row[3], row[4]) for row in quick.payments if row[3] < 0]
    assert back == [("51000001", -11_250, "direct debit return"), ("51000003", -9_205, "refund"),
                    ("51000004", -13_041, "refund")]  # fmt: skip


def test_a_direct_debit_returned_on_the_day_it_was_taken_is_accepted_whichever_line_comes_first() -> None:
    payments = (EXAMPLES / "payments.csv").read_text(encoding="utf-8")
    first = payments.replace("51000004,2026,2026-05-01,14000,direct debit\n",
                             "51000004,2026,2026-05-01,-14000,direct debit return\n"
                             "51000004,2026,2026-05-01,14000,direct debit\n")  # fmt: skip
    snapshot = read_snapshot(example_texts(payments=first), uprns=EXAMPLE_UPRNS)
    assert sum(row[3] for row in snapshot.payments if row[0] == "51000004") == 14_000


def test_the_synthetic_councils_own_accounts_go_round_unchanged(session: Session) -> None:
    texts = snapshot_texts(session.connection())
    references = session.scalars(text("SELECT reference FROM ct_accounts ORDER BY reference LIMIT 5")).all()
    before = [service.account_summary(session, reference=r, on=TODAY.date()) for r in references]
    rows = {name: texts[name].count("\n") - 1 for name in FILES}
    report = import_accounts(session, texts=texts)
    assert list(report.loaded.values()) == [rows[name] for name in FILES]
    assert report.replaced_accounts == rows["accounts.csv"]
    assert [service.account_summary(session, reference=r, on=TODAY.date()) for r in references] == before


# --- bad snapshots ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("file", "line", "problem"),
    [
        (
            "accounts",
            "4100005,100090000001,2020-01-01,,10,1",
            "line 6: The reference '4100005' is not 8 digits beginning with 5",
        ),
        ("accounts", "51000005,100090009999,2020-01-01,,10,1", "line 6: There is no property with UPRN 100090009999"),
        ("accounts", "51000005,100090000001,2020-02-30,,10,1", "line 6: The start date '2020-02-30' is not a date"),
        (
            "accounts",
            "51000005,100090000001,2020-02-01,2020-01-31,10,1",
            "line 6: The end date, 2020-01-31, is before the start date, 2020-02-01",
        ),
        ("accounts", "51000005,100090000001,2020-02-01,,11,1", "The instalment_months '11' is not 10 or 12"),
        ("accounts", "51000005,100090000001,2020-02-01,,10,29", "The instalment_day '29' is not a whole number from"),
        (
            "accounts",
            "51000001,100090000001,2020-02-01,,10,1",
            "line 6: The same account of account 51000001 is already on line 2",
        ),
        (
            "liable_people",
            "51000009,Someone,2020-01-01,",
            "liable_people.csv, line 7: There is no account 51000009 in accounts.csv",
        ),
        ("liable_people", "51000001,,2019-06-15,", "line 7: The full_name is empty"),
        ("discounts", "51000001,single_person,3,0,2020-01-01,", "3 adults are counted, which gives no discount"),
        ("discounts", "51000001,empty,1,0,2020-01-01,", "The kind 'empty' is not single_person or disregard"),
        ("exemptions", "51000001,Z,2020-01-01,", "The class 'Z' is not an exemption class"),
        ("bills", "51000001,2025,1,2025-03-10,-5,annual bill", "The charge_pence '-5' is not whole pence"),
        ("bills", "51000001,2025,1,2025-03-10,1250.50,annual bill", "The charge_pence '1250.50' is not whole pence"),
        (
            "bills",
            "51000001,2026,1,2026-03-10,112500,again",
            "The same bill of that year and version of account 51000001 is already on line 2",
        ),
        (
            "instalments",
            "51000001,2026,1,11,2027-02-01,100,false",
            "bills.csv, line 2: Account 51000001's bill "
            "for 2026, version 1, is 112500 pence, but its 11 instalments add up to 112600 pence",
        ),
        (
            "instalments",
            "51000001,2026,1,12,2027-02-01,0,false",
            "has instalments numbered 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, not 1 to 11",
        ),
        ("instalments", "51000001,2026,1,5,2026-08-01,11250,false", "the same instalment of that bill and number"),
        (
            "instalments",
            "51000001,2025,1,1,2025-04-01,100,false",
            "instalments.csv: Account 51000001 has instalments of a bill for 2025, version 1, that is not in bills.csv",
        ),
        ("instalments", "51000001,2026,1,11,2027-02-01,0,maybe", "Settled 'maybe' is not true or false"),
        (
            "payments",
            "51000001,2026,2026-11-01,-11250,direct debit",
            "payments.csv, line 26: The pence '-11250' is negative, but the method 'direct debit' is a payment in: "
            "only money going back to the resident may be negative, with the method refund, direct debit return, "
            "card chargeback or returned payment",
        ),
        ("payments", "51000001,2026,2026-11-01,-0,refund", "its pence is negative (-1234), not '-0'"),
        (
            "payments",
            "51000001,2026,2026-11-01,5000,Refund",
            "line 26: A refund is money going back to the resident, so its pence is negative (-5000), not '5000'",
        ),
        ("payments", "51000001,2026,2026-11-01,-£50.00,refund", "The pence '-£50.00' is not whole pence"),
        ("payments", "51000001,2026,2026-11-01,−5000,refund", "The pence '−5000' is not whole pence"),
        (
            "payments",
            "51000004,2026,2026-06-20,-30000,refund",
            "payments.csv, line 26: Account 51000004's refund of 30000 pence on 2026-06-20 is more than was paid "
            "towards 2026/27 by then (28000 pence): money going back must have been paid towards the same year first",
        ),
        (
            "payments",
            "51000004,2026,2026-03-31,-14000,direct debit return",
            "line 26: Account 51000004's direct debit return of 14000 pence on 2026-03-31 is more than was paid "
            "towards 2026/27 by then (0 pence)",
        ),
        (
            "payments",
            "51000004,2025,2026-05-05,-14000,card chargeback",
            "Account 51000004's card chargeback of 14000 pence on 2026-05-05 is more than was paid towards 2025/26",
        ),
        (
            "payments",
            "51000001,1990,1990-11-01,100,card",
            "The financial_year '1990' is not a whole number from 1993 to 2099",
        ),
    ],
)
def test_each_bad_line_is_named_by_file_and_line(file: str, line: str, problem: str) -> None:
    found = problems_of(with_line(file, line))
    assert any(problem.lower() in found_problem.lower() for found_problem in found), found


def test_a_bill_twice_as_1_and_01_is_named_on_the_quick_path_too() -> None:
    found = problems_of(with_line("bills", "51000001,2026,01,2026-03-10,112500,again"))
    assert any("line 9: The same bill of that year and version of account 51000001 is already on line 2" in problem
               for problem in found), found  # fmt: skip


def test_a_wrong_header_a_missing_file_and_an_empty_accounts_file_are_each_named() -> None:
    wrong = problems_of(example_texts(bills="reference,year,version,issued_on,charge_pence,reason\n"))
    assert wrong == ["bills.csv: The file needs the columns reference, financial_year, version, issued_on, "
                     "charge_pence, reason; it has no financial_year (its columns are: reference, year, version, "
                     "issued_on, charge_pence, reason)"]  # fmt: skip
    texts = example_texts()
    del texts["payments.csv"]
    assert problems_of(texts)[0].startswith("The folder has no payments.csv")
    header_only = {name: content.splitlines()[0] + "\n" for name, content in example_texts().items()}
    assert problems_of(header_only)[0].startswith("accounts.csv has no accounts in it, only its header")


def test_problems_never_quote_a_liable_persons_name() -> None:
    long_name = "Alex Example " * 20
    found = problems_of(with_line("liable_people", f"51000001,{long_name},2019-06-15,"))
    found += problems_of(with_line("liable_people", "51000009,Alex Example,2019-06-15,"))
    assert found and not any("Alex" in problem for problem in found), found


def test_a_bad_folder_changes_nothing_and_says_each_problem(council: str, tmp_path: Path) -> None:
    assert accounts_import(EXAMPLES)[0] == 0
    before = table_counts(council)
    folder = tmp_path / "snapshot"
    shutil.copytree(EXAMPLES, folder)
    with (folder / "payments.csv").open("a", encoding="utf-8") as payments:
        payments.write("51000001,2026,2026-11-01,112.50,card\n51000007,2026,2026-11-01,100,card\n")
    (folder / "exemptions.csv").write_text("reference,class,starts\n", encoding="utf-8")
    code, output = accounts_import(folder)
    assert code == 1
    assert "was not loaded; nothing changed. Fix these (3):" in output
    assert "payments.csv, line 26: The pence '112.50' is not whole pence" in output
    assert "payments.csv, line 27: There is no account 51000007 in accounts.csv" in output
    assert "exemptions.csv: The file needs the columns reference, class, starts, ends; it has no ends" in output
    assert table_counts(council) == before
    (folder / "exemptions.csv").unlink()
    code, output = accounts_import(folder)
    assert code == 1 and "The folder has no exemptions.csv" in output
    assert accounts_import(tmp_path / "nowhere")[0] != 0


def test_the_quick_path_reads_a_whole_council_exactly_as_the_careful_one(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    from townhall.counciltax import accounts_files

    texts = snapshot_texts(session.connection())
    uprns = set(session.scalars(text("SELECT uprn FROM properties")))
    quick = read_snapshot(texts, uprns=uprns)
    accounts = {row[0] for row in quick.accounts}
    for name in ("accounts.csv", "liable_people.csv", "bills.csv", "instalments.csv", "payments.csv"):
        convert = converters(name, accounts, uprns)
        assert convert is not None and rows_if_all_good(name, texts[name], COLUMNS[name], convert) is not None, name
    monkeypatch.setattr(accounts_files, "converters", lambda *_: None)
    assert read_snapshot(texts, uprns=uprns) == quick
    assert len(quick.instalments) > 1000 and all(isinstance(row[4], str) for row in quick.instalments)
    assert {row[4] for row in quick.payments if row[3] < 0} == {"refund", "direct debit return"}


def test_a_negative_ordinary_payment_and_a_refund_of_money_never_paid_are_refused_by_the_command(
    council: str, tmp_path: Path
) -> None:
    before = table_counts(council)
    folder = tmp_path / "snapshot"
    shutil.copytree(EXAMPLES, folder)
    with (folder / "payments.csv").open("a", encoding="utf-8") as payments:
        payments.write("51000002,2026,2026-11-20,-6428,card\n")
    code, output = accounts_import(folder)
    assert code == 1 and "was not loaded; nothing changed. Fix these (1):" in output
    assert "payments.csv, line 26: The pence '-6428' is negative, but the method 'card' is a payment in" in output
    (folder / "payments.csv").write_text(
        (EXAMPLES / "payments.csv").read_text(encoding="utf-8") + "51000002,2025,2026-11-20,-6428,refund\n",
        encoding="utf-8",
    )
    code, output = accounts_import(folder)
    assert code == 1
    assert ("payments.csv, line 26: Account 51000002's refund of 6428 pence on 2026-11-20 is more than was paid "
            "towards 2025/26 by then (0 pence)") in output  # fmt: skip
    assert table_counts(council) == before


def test_a_refund_dated_before_the_payments_it_gives_back_is_named_as_the_docs_say() -> None:
    payments = example_texts()["payments.csv"].replace("2026-08-29,-9205,refund", "2026-03-29,-9205,refund")
    assert problems_of(example_texts(payments=payments)) == [
        "payments.csv, line 23: Account 51000003's refund of 9205 pence on 2026-03-29 is more than was paid towards "
        "2026/27 by then (0 pence): money going back must have been paid towards the same year first. Is its "
        "financial_year, date or amount wrong?"
    ]
