"""Loading a year's charges from a checked charges file (`charges_file`): the new year's precepts, set each March.

Everything is checked before anything is written: the file (`charges_file`), then its parishes and wards against
the database, then whether the year already has charges. The caller's one transaction then holds the whole year,
or none of it. Service functions read the charges from the database on every request (nothing caches them), so
a committed year is what the API, the pages and the assistant show from their next request.

A load writes one audit entry in the same transaction (actor `system`, as the commands' do): the year, how many
bodies' charges, whether the year's charges were replaced, and the file's name. A refused file writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from townhall.counciltax.billing import FinancialYear
from townhall.counciltax.charges import Band, BandCharge, BodyKind, charge_for_band
from townhall.counciltax.charges_file import SINGLE_KINDS, ChargesFile, ParishEntry, where_body
from townhall.counciltax.models import Parish
from townhall.counciltax.models import Precept as PreceptRow
from townhall.counciltax.service import precepts_for
from townhall.places.models import Ward
from townhall.platform.audit import SYSTEM, fitted_purpose, record_access
from townhall.platform.errors import Conflict, InvalidInput

AUDIT_ACTION = "counciltax_charges_import"


@dataclass(frozen=True)
class LoadedCharges:
    """What a charges import wrote, and the Band D it gives, without a parish and with each one."""

    year: FinancialYear
    replaced: int  # precepts of the year deleted first (with --replace)
    parishes_added: list[str]
    band_d_without_parish: BandCharge
    band_d_by_parish: dict[str, BandCharge]  # parish name -> Band D with its precept
    kinds_missing: list[BodyKind]  # county, police or fire not in the file: a note, not an error
    parishes_without_precept: list[str]  # known parishes the file sets nothing for


def load_charges(session: Session, *, charges: ChargesFile, file_name: str, replace: bool = False) -> LoadedCharges:
    """Write the year's precepts from the file `file_name` (and any parishes it declares), after checking the
    parishes, their wards and that the year is new (or `replace`, which deletes the year's precepts first), and
    audit it. InvalidInput listing every problem, or Conflict for a year that has charges already; nothing is
    written then. Does not commit."""
    year = FinancialYear(charges.financial_year)
    parishes, added = _parish_names(session, charges)
    existing = (
        session.scalar(select(func.count()).select_from(PreceptRow).where(PreceptRow.financial_year == year.starts))
        or 0
    )
    if existing and not replace:
        raise Conflict(
            f"{year.label} already has charges ({existing} precepting bodies). Nothing was changed: to load the "
            "file instead of them, run the import again with --replace."
        )
    session.add_all(Parish(name=p.name, ward_code=p.ward_code) for p in added)
    if existing:
        session.execute(delete(PreceptRow).where(PreceptRow.financial_year == year.starts))
    session.add_all(
        PreceptRow(financial_year=year.starts, body=body.name, kind=body.kind.value,
                   parish_name=parishes[body.parish] if body.parish else None, band_d_pence=body.band_d_pence)
        for body in charges.body
    )  # fmt: skip
    session.flush()
    with_precept = {parishes[body.parish] for body in charges.body if body.parish}
    loaded = LoadedCharges(
        year=year,
        replaced=existing,
        parishes_added=[p.name for p in added],
        band_d_without_parish=charge_for_band(precepts_for(session, year=year.starts), Band.D),
        band_d_by_parish={
            name: charge_for_band(precepts_for(session, year=year.starts, parish=name), Band.D)
            for name in sorted(with_precept)
        },
        kinds_missing=[kind for kind in SINGLE_KINDS if all(body.kind is not kind for body in charges.body)],
        parishes_without_precept=sorted(set(session.scalars(select(Parish.name))) - with_precept),
    )
    _audit(session, loaded, bodies=len(charges.body), file_name=file_name)
    return loaded


def _audit(session: Session, loaded: LoadedCharges, *, bodies: int, file_name: str) -> None:
    """The year, counts and the file's name (last, see `fitted_purpose`); the amounts are in `ct_precepts`."""
    replaced = loaded.replaced or "none (a new year)"
    details = (f"{loaded.year.label}: precepting bodies {bodies}, new parishes {len(loaded.parishes_added)}; the "
               f"year's earlier precepts replaced: {replaced}; file {file_name}")  # fmt: skip
    record_access(session, actor=SYSTEM, action=AUDIT_ACTION, purpose=fitted_purpose(details))


def _parish_names(session: Session, charges: ChargesFile) -> tuple[dict[str, str], list[ParishEntry]]:
    """Each parish the file names, as the file spells it -> its name in ct_parishes (or as declared), and the
    declared parishes that are new; InvalidInput listing every unknown parish, unknown ward, or declaration at odds
    with the parishes there are."""
    known = {parish.name: parish.ward_code for parish in session.scalars(select(Parish))}
    known_folded = {name.casefold(): name for name in known}
    wards = set(session.scalars(select(Ward.code)))
    ward_parish = {ward: name for name, ward in known.items()}
    problems: list[str] = []
    names: dict[str, str] = {}
    added: list[ParishEntry] = []
    for position, declared in enumerate(charges.parish, start=1):
        where = f'parish {position} ("{declared.name}")'
        same = known_folded.get(declared.name.casefold())
        if declared.ward_code not in wards:
            problems.append(f"{where}, ward_code: there is no ward {declared.ward_code} in the gazetteer")
        elif same is not None and known[same] != declared.ward_code:
            problems.append(f"{where}, ward_code: {same} covers ward {known[same]}; an import does not move a parish")
        elif same is None and declared.ward_code in ward_parish:
            other = ward_parish[declared.ward_code]
            problems.append(f"{where}, ward_code: ward {declared.ward_code} is already covered by {other}")
        names[declared.name.casefold()] = same or declared.name
        if same is None:
            added.append(declared)
    for position, body in enumerate(charges.body, start=1):
        if body.parish is None:
            continue
        found = names.get(body.parish.casefold()) or known_folded.get(body.parish.casefold())
        if found is None:
            listed = ", ".join(sorted(known)[:20]) or "none yet"
            problems.append(
                f'{where_body(position, body.name)}, parish: there is no parish "{body.parish}"; declare it in a '
                f"[[parish]] table with its ward_code, or use a known one ({listed})"
            )
        else:
            names[body.parish.casefold()] = found
    if problems:
        raise InvalidInput("\n".join(problems) if len(problems) == 1 else _numbered(problems))
    return {body.parish: names[body.parish.casefold()] for body in charges.body if body.parish}, added


def _numbered(problems: list[str]) -> str:
    return f"{len(problems)} problems:\n" + "\n".join(f"- {problem}" for problem in problems)
