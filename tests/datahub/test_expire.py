from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from townhall.datahub.contracts import ContractError, parse_contract
from townhall.datahub.models import DatahubRecord, IngestBatch, QuarantinedRow
from townhall.datahub.service import source_registry
from townhall.datahub.service.expire import expire
from townhall.platform import clock
from townhall.platform.audit.models import AuditEntry

pytestmark = pytest.mark.slow
SHIPPED = Path(__file__).parents[2] / "townhall" / "datahub" / "sources"
KEEP_QUARANTINE = 30


def _records(session: Session, source: str) -> int:
    return session.scalar(select(func.count()).where(DatahubRecord.source == source)) or 0


def _quarantined(session: Session, source: str) -> int:
    return session.scalar(select(func.count()).where(QuarantinedRow.source == source)) or 0


def _ingested_days_ago(session: Session, source: str, days: int) -> None:
    when = clock.now() - timedelta(days=days)
    session.execute(update(IngestBatch).where(IngestBatch.source == source).values(ingested_at=when))


def test_a_limit_no_longer_than_the_extract_cycle_is_refused() -> None:
    text = (SHIPPED / "council_tax.toml").read_text().replace("delete_after_days = 35", "delete_after_days = 7")
    with pytest.raises(ContractError, match=r"delete_after_days \(7\) must be longer than extract_every_days \(7\)"):
        parse_contract(text)
    assert all(source.contract and source.contract.delete_after_days == 35 for source in source_registry().values())


def test_expire_deletes_sources_past_their_limit_and_old_quarantine_and_audits_it(session: Session) -> None:
    _ingested_days_ago(session, "council_tax_reduction", 40)  # past the contract's 35 days: withdrawn
    _ingested_days_ago(session, "school_attendance", 31)  # within 35 days, but its quarantine is past 30
    before = {source: (_records(session, source), _quarantined(session, source)) for source in source_registry()}
    assert before["council_tax_reduction"][0] > 0 and before["school_attendance"][1] > 0

    planned = expire(session, source_registry(), now=clock.now(), quarantine_days=KEEP_QUARANTINE, dry_run=True)
    assert [stale.source for stale in planned.stale] == ["council_tax_reduction"] and not planned.withdrawn
    assert planned.quarantine == {source: before[source][1] for source in ("council_tax_reduction", "school_attendance")
                                  if before[source][1]}  # fmt: skip
    assert {s: (_records(session, s), _quarantined(session, s)) for s in before} == before  # a dry run deletes nothing

    done = expire(session, source_registry(), now=clock.now(), quarantine_days=KEEP_QUARANTINE)
    assert [w.source for w in done.withdrawn] == ["council_tax_reduction"] and done.without_limit == []
    assert (_records(session, "council_tax_reduction"), _quarantined(session, "council_tax_reduction")) == (0, 0)
    assert _records(session, "school_attendance") == before["school_attendance"][0]
    assert _quarantined(session, "school_attendance") == 0
    for source in ("council_tax", "housing_tenancies"):
        assert (_records(session, source), _quarantined(session, source)) == before[source]
    actions = dict(session.execute(select(AuditEntry.subject_id, AuditEntry.action)
                                   .where(AuditEntry.action.like("datahub_%"))).all())  # fmt: skip
    assert actions["council_tax_reduction"] == "datahub_withdraw_source"
    assert actions["school_attendance"] == "datahub_expire_quarantine"
    again = expire(session, source_registry(), now=clock.now(), quarantine_days=KEEP_QUARANTINE)
    assert (again.stale, again.quarantine) == ([], {})  # a withdrawn source's batches stay, holding nothing


def test_a_source_without_a_limit_is_kept_and_named(session: Session, tmp_path: Path) -> None:
    for contract in SHIPPED.glob("*.toml"):
        (tmp_path / contract.name).write_text(contract.read_text())
    council_tax = tmp_path / "council_tax.toml"
    council_tax.write_text(council_tax.read_text().replace("delete_after_days = 35", ""))
    _ingested_days_ago(session, "council_tax", 400)
    done = expire(session, source_registry(tmp_path), now=clock.now(), quarantine_days=1000, dry_run=True)
    assert done.without_limit == ["council_tax"] and done.stale == []
