from datetime import date

import pandas as pd
import pytest
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from townhall.datahub.linkage import LinkageConfig
from townhall.datahub.models import DatahubRecord, LinkedPerson, MatchEvidence, PersonRecord, QuarantinedRow
from townhall.datahub.service import ingest_extract, run_linkage, source_registry
from townhall.datahub.service.withdraw import withdraw_source
from townhall.platform.audit.models import AuditEntry
from townhall.platform.errors import InvalidInput, NotFound

pytestmark = pytest.mark.slow
REASON = "Data-sharing agreement with Revenues ended on 30 November 2026"


def _count(session: Session, statement) -> int:
    return session.scalar(select(func.count()).select_from(statement.subquery())) or 0


def test_withdrawing_a_source_removes_its_records_links_and_quarantine_and_audits_it(session: Session) -> None:
    contracts = {name: source.contract for name, source in source_registry().items()}
    run_linkage(session, contracts=contracts, config=LinkageConfig(u_max_pairs=2e5))
    source = "council_tax_reduction"
    keys = set(session.scalars(select(DatahubRecord.record_key).where(DatahubRecord.source == source)))
    quarantined = _count(session, select(QuarantinedRow.id).where(QuarantinedRow.source == source))
    others = _count(session, select(DatahubRecord.record_key).where(DatahubRecord.source != source))

    done = withdraw_source(session, source=source, reason=REASON)

    assert (done.records, done.quarantined) == (len(keys), quarantined) and done.records > 0
    assert _count(session, select(DatahubRecord.record_key).where(DatahubRecord.source == source)) == 0
    assert _count(session, select(DatahubRecord.record_key)) == others
    assert _count(session, select(QuarantinedRow.id).where(QuarantinedRow.source == source)) == 0
    assert not keys & set(session.scalars(select(PersonRecord.record_key)))
    linked_to_it = or_(MatchEvidence.record_l.like(f"{source}:%"), MatchEvidence.record_r.like(f"{source}:%"))
    assert _count(session, select(MatchEvidence.record_l).where(linked_to_it)) == 0
    counts = dict(session.execute(select(PersonRecord.person_id, func.count()).group_by(PersonRecord.person_id)).all())
    people = dict(session.execute(select(LinkedPerson.person_id, LinkedPerson.records)).all())
    assert people == counts  # nobody left without records, every count right
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "datahub_withdraw_source")).one()
    assert (entry.subject_type, entry.subject_id, entry.purpose) == ("datahub_source", source, REASON)

    with pytest.raises(NotFound, match="holds nothing"):
        withdraw_source(session, source=source, reason=REASON)
    with pytest.raises(InvalidInput, match="Say why"):
        withdraw_source(session, source="council_tax", reason="  ended ")


def test_withdrawing_removes_links_to_records_an_earlier_extract_held(session: Session) -> None:
    contracts = {name: source.contract for name, source in source_registry().items()}
    run_linkage(session, contracts=contracts, config=LinkageConfig(u_max_pairs=2e5))
    source = "council_tax_reduction"
    contract = contracts[source]
    assert contract is not None
    columns = contract.columns.source_columns()
    one_row = pd.DataFrame([dict.fromkeys(columns, "")], columns=columns)
    values = {"claim_no": "ONLY1", "first_name": "Ann", "last_name": "Lee", "dob": "3 Mar 1984", "post_code": ""}
    for column, value in values.items():
        one_row[column] = value
    # the new, much smaller extract replaces the records; the last run's links still name the old ones
    ingest_extract(session, contract=contract, raw=one_row, file_name="t.csv", today=date(2026, 11, 1), force=True)
    of_source = PersonRecord.record_key.like(f"{source}:%")
    assert _count(session, select(PersonRecord.record_key).where(of_source)) > 1

    withdraw_source(session, source=source, reason=REASON)

    assert _count(session, select(PersonRecord.record_key).where(of_source)) == 0
    linked_to_it = or_(MatchEvidence.record_l.like(f"{source}:%"), MatchEvidence.record_r.like(f"{source}:%"))
    assert _count(session, select(MatchEvidence.record_l).where(linked_to_it)) == 0
    counts = dict(session.execute(select(PersonRecord.person_id, func.count()).group_by(PersonRecord.person_id)).all())
    assert dict(session.execute(select(LinkedPerson.person_id, LinkedPerson.records)).all()) == counts
