"""Replacing every council tax account with a council's nightly snapshot from its revenues system.

The snapshot is checked whole first (`accounts_files`, against the gazetteer's UPRNs, read with one query); if
anything is wrong, FileProblems names it and nothing is written. Then the caller's one transaction deletes the
accounts with their liable people, discounts, exemptions, bills, instalments and payments, bulk-loads the
snapshot's, settles the residents' account links and writes one audit entry. Does not commit.

Residents' links (identity's `council_tax_account_links`) are kept for every account still in the snapshot at
the same property. A link is deleted when its account is gone from the snapshot, or is now at another property:
the postcode that confirmed it no longer does, and a reference that came back later could be someone else's
account. The resident sees the account gone from their page and can link it again with the reference and postcode.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from townhall.counciltax.accounts_files import Snapshot, read_snapshot
from townhall.counciltax.models import Account, Bill, BillInstalment, Discount, Exemption, LiablePerson, Payment
from townhall.db import Base
from townhall.identity.models import AccountLink
from townhall.places.models import Property
from townhall.platform.audit import SYSTEM, record_access
from townhall.platform.bulk import bulk_insert, collector_paused

AUDIT_ACTION = "counciltax_accounts_import"
_CHILDREN_FIRST = (Payment, BillInstalment, Bill, Exemption, Discount, LiablePerson, Account)  # foreign keys
_COLUMNS = {
    Account: ("reference", "uprn", "starts", "ends", "instalment_months", "instalment_day"),
    LiablePerson: ("account_reference", "full_name", "starts", "ends"),
    Discount: ("account_reference", "kind", "adults", "disregarded", "starts", "ends"),
    Exemption: ("account_reference", "exemption_class", "starts", "ends"),
    Bill: ("account_reference", "financial_year", "version", "issued_on", "charge_pence", "reason"),
    BillInstalment: ("account_reference", "financial_year", "bill_version", "number", "due", "pence", "settled"),
    Payment: ("account_reference", "financial_year", "received", "pence", "method"),
}


@dataclass(frozen=True, slots=True)
class AccountsReport:
    """Counts only: what was loaded, what it replaced, and the residents' links kept and removed."""

    loaded: dict[str, int]  # table's plain name ("accounts", "liable people"...) -> rows loaded
    replaced_accounts: int  # accounts there were before
    links_kept: int
    links_removed: int


def import_accounts(session: Session, *, texts: Mapping[str, str]) -> AccountsReport:
    """Replace every council tax account with the snapshot in `texts` (file name -> its text, `FILES`);
    FileProblems naming every problem, and nothing written, if any file is wrong."""
    uprns = set(session.scalars(select(Property.uprn)))
    with collector_paused():  # millions of tuples and no cycles: the collector would walk them again and again
        snapshot = read_snapshot(texts, uprns=uprns)
    new_uprns = {reference: uprn for reference, uprn, *_ in snapshot.accounts}
    old_uprns = dict(session.execute(select(Account.reference, Account.uprn)).all())
    links = session.execute(select(AccountLink.id, AccountLink.account_reference)).all()
    dropped = [
        link_id
        for link_id, reference in links
        if reference not in new_uprns or old_uprns.get(reference, new_uprns[reference]) != new_uprns[reference]
    ]
    for start in range(0, len(dropped), 1000):
        session.execute(delete(AccountLink).where(AccountLink.id.in_(dropped[start : start + 1000])))
    for model in _CHILDREN_FIRST:
        session.execute(delete(model))
    with collector_paused():
        loaded = _write(session, snapshot)
    report = AccountsReport(loaded, len(old_uprns), len(links) - len(dropped), len(dropped))
    counts = ", ".join(f"{count} {name}" for name, count in loaded.items())
    record_access(session, actor=SYSTEM, action=AUDIT_ACTION, subject_type=None,
                  purpose=f"nightly snapshot from the revenues system: {counts}; replaced {report.replaced_accounts} "
                          f"accounts; links kept {report.links_kept}, removed {report.links_removed}")  # fmt: skip
    session.flush()
    return report


def _write(session: Session, snapshot: Snapshot) -> dict[str, int]:
    connection = session.connection()
    rows: dict[type[Base], Sequence[Sequence[object]]] = {
        Account: snapshot.accounts, LiablePerson: snapshot.liable_people, Discount: snapshot.discounts,
        Exemption: snapshot.exemptions, Bill: snapshot.bills, BillInstalment: snapshot.instalments,
        Payment: snapshot.payments,
    }  # fmt: skip
    loaded = {}
    for model in reversed(_CHILDREN_FIRST):
        name = model.__tablename__.removeprefix("ct_").replace("_", " ")
        loaded[name] = (
            bulk_insert(connection, model, _COLUMNS[model], rows[model], dates_as_text=True) if rows[model] else 0
        )
    return loaded
