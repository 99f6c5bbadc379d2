"""Council tax use cases: charges by band and year, a property's charge, an account's summary, and the check
identity uses before linking a resident to an account. The rules live in `charges`, `billing`, `instalments`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from townhall.counciltax.billing import ExemptionClass, FinancialYear
from townhall.counciltax.charges import Band, BandCharge, BodyKind, Precept, charge_for_band, format_pounds
from townhall.counciltax.instalments import Instalment, Payment, account_position
from townhall.counciltax.models import Account, Bill, BillInstalment, Discount, Exemption, LiablePerson, Parish
from townhall.counciltax.models import Payment as PaymentRow
from townhall.counciltax.models import Precept as PreceptRow
from townhall.counciltax.payments import PaymentKind, kind_of, payment_words
from townhall.counciltax.schemas import (
    AccountSummary,
    BandChargeOut,
    ChargePart,
    ChargesOut,
    InstalmentOut,
    PaymentOut,
    PropertyCharge,
)
from townhall.identity.linking import links_of
from townhall.identity.models import User
from townhall.identity.roles import is_staff, require_role
from townhall.identity.service import actor_for
from townhall.places.models import Property
from townhall.places.postcodes import InvalidPostcode, normalise_postcode
from townhall.platform import clock
from townhall.platform.audit import record_access
from townhall.platform.errors import InvalidInput, NotFound

_KIND_ORDER = {kind: index for index, kind in enumerate(BodyKind)}


# Staff who deal with council tax accounts: the contact centre answers residents' questions, officers work cases.
ACCOUNT_VIEWER_ROLES = ("officer", "contact_centre")


def charge_years(session: Session) -> list[int]:
    return list(session.scalars(select(PreceptRow.financial_year).distinct().order_by(PreceptRow.financial_year)))


def check_year(session: Session, year: int) -> FinancialYear:
    """The financial year starting 1 April `year`; InvalidInput naming the years there are, if it has no charges."""
    years = charge_years(session)
    if year not in years:
        known = ", ".join(FinancialYear(y).label for y in years) or "none yet"
        raise InvalidInput(f"year: there are no council tax charges for {year}; the years with charges are {known}")
    return FinancialYear(year)


def check_band(band: str) -> Band:
    try:
        return Band(band.upper())
    except ValueError:
        raise InvalidInput(f"band: '{band[:10]}' is not a council tax band; bands are A to H") from None


def precepts_for(session: Session, *, year: int, parish: str | None = None) -> list[Precept]:
    """Every body precepting in `year` on a property (in `parish`, when given); InvalidInput when unknown."""
    check_year(session, year)
    if parish is not None and session.get(Parish, parish) is None:
        names = ", ".join(session.scalars(select(Parish.name).order_by(Parish.name))) or "none"
        raise InvalidInput(f"parish: there is no parish called '{parish[:100]}'; the parishes are {names}")
    rows = session.scalars(
        select(PreceptRow).where(
            PreceptRow.financial_year == year,
            (PreceptRow.parish_name.is_(None)) | (PreceptRow.parish_name == parish),
        )
    )
    precepts = [Precept(row.body, BodyKind(row.kind), row.band_d_pence) for row in rows]
    return sorted(precepts, key=lambda p: (_KIND_ORDER[p.kind], p.body))


def band_charge_out(charge: BandCharge) -> BandChargeOut:
    parts = [
        ChargePart(body=line.body, kind=line.kind.value, pence=line.pence, amount=format_pounds(line.pence))
        for line in charge.lines
    ]
    return BandChargeOut(
        band=charge.band.value, total_pence=charge.total_pence, total=format_pounds(charge.total_pence), parts=parts
    )


def charges_by_band(session: Session, *, year: int, parish: str | None = None, band: str | None = None) -> ChargesOut:
    """Each band's annual charge in `year` and its parts (one per precepting body); one band when asked."""
    precepts = precepts_for(session, year=year, parish=parish)
    bands = [check_band(band)] if band is not None else list(Band)
    return ChargesOut(
        year=year,
        label=FinancialYear(year).label,
        parish=parish,
        bands=[band_charge_out(charge_for_band(precepts, b)) for b in bands],
    )


@dataclass(frozen=True, slots=True)
class ParishBandD:
    parish: str
    precept_pence: int  # the parish's own Band D
    total_pence: int  # Band D in the parish: every body's, with the parish's


def parish_band_d(session: Session, *, year: int) -> list[ParishBandD]:
    """Each parish precepting in `year`, by name, with its Band D and the Band D total there."""
    rows = session.execute(
        select(PreceptRow.parish_name, PreceptRow.band_d_pence)
        .where(PreceptRow.financial_year == year, PreceptRow.parish_name.is_not(None))
        .order_by(PreceptRow.parish_name)
    ).all()
    return [
        ParishBandD(
            str(name), pence, charge_for_band(precepts_for(session, year=year, parish=name), Band.D).total_pence
        )
        for name, pence in rows
    ]


def parish_of(session: Session, *, ward_code: str) -> str | None:
    return session.scalar(select(Parish.name).where(Parish.ward_code == ward_code))


def property_charge(session: Session, *, uprn: int, year: int) -> PropertyCharge:
    """A property's band and its charge for `year` (before any discount), with the parts."""
    found = session.get(Property, uprn)
    if found is None:
        raise NotFound(f"There is no property with UPRN {uprn} in the gazetteer")
    parish = parish_of(session, ward_code=found.ward_code)
    precepts = precepts_for(session, year=year, parish=parish)
    band = found.council_tax_band
    charge = band_charge_out(charge_for_band(precepts, Band(band))) if band else None
    label = FinancialYear(year).label
    return PropertyCharge(
        uprn=uprn, address=found.address, postcode=found.postcode, band=band, year=year, label=label, parish=parish,
        charge=charge,
    )  # fmt: skip


def verify_account_link(session: Session, *, reference: str, postcode: str) -> bool:
    """True when account `reference` exists and its property's postcode is `postcode` (any spacing or case)."""
    try:
        wanted = normalise_postcode(postcode)
    except InvalidPostcode:
        return False
    actual = session.scalar(
        select(Property.postcode)
        .join(Account, Account.uprn == Property.uprn)
        .where(Account.reference == reference.strip())
    )
    return actual == wanted


def _latest_bill(session: Session, reference: str, on: date) -> Bill | None:
    """The newest version of the bill for the year containing `on`, or else for the latest year billed."""
    year = FinancialYear.containing(on).starts
    latest = (
        select(Bill)
        .where(Bill.account_reference == reference)
        .order_by(Bill.financial_year.desc(), Bill.version.desc())
    )
    current = session.scalars(latest.where(Bill.financial_year == year)).first()
    return current or session.scalars(latest.where(Bill.financial_year <= year)).first()


def _earlier_balance(session: Session, reference: str, year: int) -> int:
    latest_versions = (
        select(Bill.financial_year, func.max(Bill.version).label("version"))
        .where(Bill.account_reference == reference, Bill.financial_year < year)
        .group_by(Bill.financial_year)
        .subquery()
    )
    charged = session.scalar(
        select(func.coalesce(func.sum(Bill.charge_pence), 0))
        .join(
            latest_versions,
            (Bill.financial_year == latest_versions.c.financial_year) & (Bill.version == latest_versions.c.version),
        )
        .where(Bill.account_reference == reference)
    )
    paid = session.scalar(
        select(func.coalesce(func.sum(PaymentRow.pence), 0)).where(
            PaymentRow.account_reference == reference, PaymentRow.financial_year < year
        )
    )
    return int(charged or 0) - int(paid or 0)


def _dates(starts: date, ends: date | None) -> str:
    return f"from {starts:%-d %B %Y}" + (f" to {ends:%-d %B %Y}" if ends else "")


def _reductions(session: Session, reference: str, year: FinancialYear) -> tuple[list[str], list[str]]:
    def in_year(starts: date, ends: date | None) -> bool:
        return starts <= year.last_day and (ends is None or ends >= year.first_day)

    discounts = []
    for row in session.scalars(
        select(Discount).where(Discount.account_reference == reference).order_by(Discount.starts)
    ):
        if not in_year(row.starts, row.ends):
            continue
        counted = row.adults - row.disregarded
        what = "Single person discount (25%)" if counted == 1 else "Discount (50%): every adult is disregarded"
        if row.disregarded:
            what += f", {row.disregarded} of {row.adults} adults disregarded"
        discounts.append(f"{what}, {_dates(row.starts, row.ends)}")
    exemptions = [
        f"Exempt, Class {row.exemption_class} ({ExemptionClass(row.exemption_class).description}), "
        f"{_dates(row.starts, row.ends)}"
        for row in session.scalars(
            select(Exemption).where(Exemption.account_reference == reference).order_by(Exemption.starts)
        )
        if in_year(row.starts, row.ends)
    ]
    return discounts, exemptions


def _instalment_out(instalment: Instalment) -> InstalmentOut:
    return InstalmentOut(
        due=instalment.due, pence=instalment.pence, amount=format_pounds(instalment.pence), settled=instalment.settled
    )


def _payment_out(row: PaymentRow) -> PaymentOut:
    return PaymentOut(
        received=row.received, pence=row.pence, amount=format_pounds(row.pence), method=row.method,
        kind=kind_of(row.method), description=payment_words(row.method),
    )  # fmt: skip


def _given_back(rows: Sequence[PaymentRow], kind: PaymentKind) -> int:
    """What went back to the resident as `kind` ("refund" or "returned"), as a positive amount."""
    return -sum(row.pence for row in rows if kind_of(row.method) == kind)


def account_summary(session: Session, *, reference: str, on: date | None = None) -> AccountSummary:
    """Account `reference` on day `on` (default today): this year's charge, discounts, instalments, payments (with
    refunds and returned payments, which count against what was paid), balance and next instalment. NotFound for
    an unknown reference. For the resident's "your council tax" page and the officers' API.
    """
    on = on or clock.today()
    account = session.get(Account, reference.strip())
    if account is None:
        raise NotFound(f"There is no council tax account with reference {reference.strip()[:12]}")
    home = session.get(Property, account.uprn)
    assert home is not None  # a foreign key
    bill = _latest_bill(session, account.reference, on)
    if bill is None:
        raise NotFound(f"Account {account.reference} has no bill yet")
    year = FinancialYear(bill.financial_year)
    plan = [
        Instalment(row.due, row.pence, row.settled)
        for row in session.scalars(
            select(BillInstalment)
            .where(BillInstalment.account_reference == account.reference, BillInstalment.financial_year == year.starts,
                   BillInstalment.bill_version == bill.version)
            .order_by(BillInstalment.number)
        )
    ]  # fmt: skip
    payment_rows = session.scalars(
        select(PaymentRow)
        .where(PaymentRow.account_reference == account.reference, PaymentRow.financial_year == year.starts)
        .order_by(PaymentRow.received, PaymentRow.pence < 0, PaymentRow.id)  # money in first on the same day
    ).all()
    payments = [Payment(row.received, row.pence) for row in payment_rows]
    position = account_position(bill.charge_pence, plan, payments, today=on)
    discounts, exemptions = _reductions(session, account.reference, year)
    annual = property_charge(session, uprn=account.uprn, year=year.starts).charge
    people = session.scalars(
        select(LiablePerson.full_name)
        .where(LiablePerson.account_reference == account.reference)
        .order_by(LiablePerson.id)
    ).all()
    return AccountSummary(
        reference=account.reference, uprn=account.uprn, address=home.address, band=home.council_tax_band,
        liable_people=list(people), starts=account.starts, ends=account.ends, year=year.starts, label=year.label,
        annual_charge_pence=annual.total_pence if annual else 0, charge_pence=bill.charge_pence,
        bill_issued_on=bill.issued_on, discounts=discounts, exemptions=exemptions,
        instalments=[_instalment_out(i) for i in plan],
        payments=[_payment_out(row) for row in payment_rows], paid_pence=position.paid_pence,
        refunded_pence=_given_back(payment_rows, "refund"), returned_pence=_given_back(payment_rows, "returned"),
        balance_pence=position.balance_pence, overdue_pence=position.overdue_pence,
        next_instalment=_instalment_out(position.next_instalment) if position.next_instalment else None,
        earlier_years_balance_pence=_earlier_balance(session, account.reference, year.starts),
    )  # fmt: skip


def account_for_caller(
    session: Session, *, reference: str, user: User, purpose: str | None, client: str | None
) -> AccountSummary:
    """An account as its holder or an officer may see it.

    A resident sees only an account linked to them (any other reference is "not found", so references cannot be
    probed); staff with council tax duties must give a purpose, and their access is written to the audit log in
    the same transaction.
    """
    cleaned = reference.strip()
    if is_staff(user):
        require_role(user, *ACCOUNT_VIEWER_ROLES)
        record_access(
            session,
            actor=actor_for(user),
            action="view_council_tax_account",
            subject_type="council_tax_account",
            subject_id=cleaned,
            purpose=purpose,
            client=client,
        )
    elif cleaned not in {link.account_reference for link in links_of(session, user=user)}:
        raise NotFound("There is no council tax account with that reference on your account")
    return account_summary(session, reference=cleaned)
