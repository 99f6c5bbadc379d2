"""Synthetic extracts from six council service silos, with the errors real extracts carry.

``generate_extracts(people, rng)`` takes the true people (see ``townhall.datahub.people``) and returns one
DataFrame per source, each in that system's own column names and formats, plus a ground-truth DataFrame
(source, source_record_id, person_id) that the linkage pipeline never reads.

Who appears where:

| source | who | formats |
|---|---|---|
| council_tax | 80% of adults; movers often keep a closed account | FORENAME/SURNAME, DOB dd/mm/yyyy, UPRN |
| housing_tenancies | adults in 20% of homes | full_name, birth_date ISO, gender, uprn |
| council_tax_reduction | 18% of adults | first_name/last_name, dob "3 Mar 1984" |
| school_attendance | 97% of children aged 4-16 | LegalForename/LegalSurname, dd-mm-yyyy |
| antisocial_behaviour | 4% of people 12+, 1-3 incidents | subject_name "SURNAME, Forename", dd.mm.yyyy |
| childrens_social_care | 5% of children, adults at home | Forename/Surname, DOB dd/mm/yyyy, Role |

Errors, applied per record at the rates in ``ErrorRates`` (documented there).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import TYPE_CHECKING

import numpy as np

from townhall.datahub.people import REFERENCE_DATE
from townhall.datahub.standardise import nickname_table

if TYPE_CHECKING:
    import pandas as pd

SOURCES = (
    "council_tax",
    "housing_tenancies",
    "council_tax_reduction",
    "school_attendance",
    "antisocial_behaviour",
    "childrens_social_care",
)
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_ABBREVIATIONS = {"Road": "Rd", "Street": "St", "Avenue": "Ave", "Lane": "Ln", "Close": "Cl", "Drive": "Dr"}
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True)
class ErrorRates:
    """Probability of each error, per record. Defaults are the documented rates the benchmark uses."""

    nickname: float = 0.08  # "Robert" recorded as "Bob" (only where the name has a known nickname)
    first_name_typo: float = 0.03  # one letter substituted, dropped, added or two letters swapped
    last_name_typo: float = 0.03
    names_swapped: float = 0.01  # first name in the surname field and vice versa
    surname_changed: float = 0.03  # women aged 18-60: maiden or married surname
    dob_transposed: float = 0.01  # day and month swapped (only where both are 12 or less)
    dob_typo: float = 0.01  # one day or year digit wrong
    postcode_missing: float = 0.03
    postcode_malformed: float = 0.003  # a digit lost: the record goes to quarantine
    address_abbreviated: float = 0.3  # "Road" -> "Rd" (formatting noise, not an error to the model)
    stale_address: float = 0.4  # a person who moved is still recorded at the previous address
    dob_missing: dict[str, float] = field(
        default_factory=lambda: {
            "council_tax": 0.05,
            "housing_tenancies": 0.01,
            "council_tax_reduction": 0.0,
            "school_attendance": 0.0,
            "antisocial_behaviour": 0.10,
            "childrens_social_care": 0.02,
        }
    )


@dataclass(frozen=True)
class SiloExtracts:
    extracts: dict[str, pd.DataFrame]
    truth: pd.DataFrame  # source, source_record_id, person_id


def generate_extracts(
    people: pd.DataFrame,
    rng: np.random.Generator,
    rates: ErrorRates | None = None,
    *,
    as_of: date = REFERENCE_DATE,
) -> SiloExtracts:
    """One DataFrame per source in ``SOURCES`` plus the ground truth; identical for the same rng state.
    Ages (who is a child, an adult, of school age) are taken on ``as_of``."""
    import pandas as pd

    rates = rates or ErrorRates()
    ages = _ages(people, as_of)
    chosen = {
        "council_tax": _council_tax_people(people, ages, rng),
        "housing_tenancies": _housing_people(people, ages, rng),
        "council_tax_reduction": _with_stale_addresses(
            people[(ages >= 18) & (rng.random(len(people)) < 0.18)], rng, 0.3
        ),
        "school_attendance": _with_stale_addresses(
            people[(ages >= 4) & (ages <= 16) & (rng.random(len(people)) < 0.97)], rng, 0.2
        ),
        "antisocial_behaviour": _asb_people(people, ages, rng),
        "childrens_social_care": _social_care_people(people, ages, rng),
    }
    extracts: dict[str, pd.DataFrame] = {}
    truths = []
    for source, records in chosen.items():
        records = records.sample(frac=1.0, random_state=rng).reset_index(drop=True)
        records = _add_errors(records, source, rates, rng, as_of)
        extract = _FORMATTERS[source](records, rng)
        extracts[source] = extract
        truths.append(
            pd.DataFrame(
                {
                    "source": source,
                    "source_record_id": extract.iloc[:, 0].astype(str),
                    "person_id": records["person_id"].to_numpy(),
                }
            )
        )
    return SiloExtracts(extracts, pd.concat(truths, ignore_index=True))


# --- who appears in each source ----------------------------------------------------------------------------


def _ages(people: pd.DataFrame, as_of: date) -> np.ndarray:
    import pandas as pd

    born = pd.to_datetime(people["date_of_birth"])
    return np.asarray((pd.Timestamp(as_of) - born).dt.days // 365.25, dtype=int)


def _at_previous_address(records: pd.DataFrame) -> pd.DataFrame:
    moved = records.copy()
    moved["uprn"] = moved["previous_uprn"]
    moved["address"] = moved["previous_address"]
    moved["postcode"] = moved["previous_postcode"]
    return moved


def _with_stale_addresses(records: pd.DataFrame, rng: np.random.Generator, share: float) -> pd.DataFrame:
    """Records of people who moved show the previous address with probability ``share``."""
    records = records.copy()
    stale = records["previous_uprn"].notna().to_numpy() & (rng.random(len(records)) < share)
    previous = _at_previous_address(records)
    for column in ("uprn", "address", "postcode"):
        records[column] = records[column].astype(object).where(~stale, previous[column].astype(object))
    return records


def _council_tax_people(people: pd.DataFrame, ages: np.ndarray, rng: np.random.Generator) -> pd.DataFrame:
    import pandas as pd

    liable = people[(ages >= 18) & (rng.random(len(people)) < 0.8)]
    closed = liable[liable["previous_uprn"].notna().to_numpy() & (rng.random(len(liable)) < 0.6)]
    return pd.concat([liable, _at_previous_address(closed)], ignore_index=True)


def _housing_people(people: pd.DataFrame, ages: np.ndarray, rng: np.random.Generator) -> pd.DataFrame:
    homes = people["uprn"].unique()
    social = set(homes[rng.random(len(homes)) < 0.2])
    tenants = people[(ages >= 18) & people["uprn"].isin(social).to_numpy()]
    return _with_stale_addresses(tenants, rng, 0.3)


def _asb_people(people: pd.DataFrame, ages: np.ndarray, rng: np.random.Generator) -> pd.DataFrame:
    subjects = people[(ages >= 12) & (rng.random(len(people)) < 0.04)]
    incidents = subjects.loc[subjects.index.repeat(rng.integers(1, 4, len(subjects)))].reset_index(drop=True)
    # The address is where the incident happened: often home, otherwise somewhere else in the district
    elsewhere = people.iloc[rng.integers(0, len(people), len(incidents))].reset_index(drop=True)
    away = rng.random(len(incidents)) < 0.4
    for column in ("address", "postcode"):
        incidents[column] = incidents[column].astype(object).where(~away, elsewhere[column].astype(object))
    incidents["uprn"] = None
    return incidents


def _social_care_people(people: pd.DataFrame, ages: np.ndarray, rng: np.random.Generator) -> pd.DataFrame:
    import pandas as pd

    children = people[(ages < 18) & (rng.random(len(people)) < 0.05)].assign(role="Child")
    homes = set(children["uprn"])
    parents = people[(ages >= 18) & people["uprn"].isin(homes).to_numpy()].assign(role="Parent")
    return _with_stale_addresses(pd.concat([children, parents], ignore_index=True), rng, 0.3)


# --- errors ------------------------------------------------------------------------------------------------


@cache
def _nicknames_by_formal() -> dict[str, tuple[str, ...]]:
    by_formal: dict[str, list[str]] = {}
    for nickname, choices in nickname_table().items():
        for choice in choices:
            by_formal.setdefault(choice.formal, []).append(nickname)
    return {formal: tuple(sorted(names)) for formal, names in by_formal.items()}


def _typo(word: str, rng: np.random.Generator) -> str:
    if len(word) < 3:
        return word
    i = int(rng.integers(1, len(word) - 1))
    kind = int(rng.integers(0, 4))
    letter = _LETTERS[int(rng.integers(0, 26))]
    letter = letter.upper() if word[i].isupper() else letter
    if kind == 0:
        return word[:i] + letter + word[i + 1 :]
    if kind == 1:
        return word[:i] + word[i + 1 :]
    if kind == 2:
        return word[:i] + letter + word[i:]
    return word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]


def _where(rng: np.random.Generator, n: int, rate: float) -> np.ndarray:
    return np.flatnonzero(rng.random(n) < rate)


def _add_errors(
    records: pd.DataFrame, source: str, rates: ErrorRates, rng: np.random.Generator, as_of: date
) -> pd.DataFrame:
    records = records.copy()
    n = len(records)
    first = records["first_name"].astype(object).to_numpy().copy()
    last = records["last_name"].astype(object).to_numpy().copy()
    nicknames = _nicknames_by_formal()
    for i in _where(rng, n, rates.nickname):
        options = nicknames.get(str(first[i]).upper())
        if options:
            first[i] = options[int(rng.integers(0, len(options)))].title()
    for i in _where(rng, n, rates.first_name_typo):
        first[i] = _typo(str(first[i]), rng)
    for i in _where(rng, n, rates.last_name_typo):
        last[i] = _typo(str(last[i]), rng)
    ages = _ages(records, as_of)
    women = np.flatnonzero((records["sex"].to_numpy() == "F") & (ages >= 18) & (ages <= 60))
    changed = women[rng.random(len(women)) < rates.surname_changed]
    if len(changed):
        last[changed] = records["last_name"].to_numpy()[rng.integers(0, n, len(changed))]
    swapped = _where(rng, n, rates.names_swapped)
    first[swapped], last[swapped] = last[swapped], first[swapped].copy()
    records["first_name"], records["last_name"] = first, last
    records["date_of_birth"] = _dob_errors(records["date_of_birth"].to_numpy(), source, rates, rng)
    records["address"] = _abbreviate(records["address"].astype(object).to_numpy(), rates, rng)
    records["postcode"] = _postcode_errors(records["postcode"].astype(object).to_numpy(), rates, rng)
    return records


def _dob_errors(dobs: np.ndarray, source: str, rates: ErrorRates, rng: np.random.Generator) -> np.ndarray:
    dobs = dobs.copy()
    for i in _where(rng, len(dobs), rates.dob_transposed):
        born: date = dobs[i]
        if born.day <= 12 and born.day != born.month:
            dobs[i] = date(born.year, born.day, born.month)
    for i in _where(rng, len(dobs), rates.dob_typo):
        born = dobs[i]
        if rng.random() < 0.5:
            dobs[i] = date(born.year + int(rng.choice([-1, 1])), born.month, min(born.day, 28))
        else:
            dobs[i] = date(born.year, born.month, min(max(born.day + int(rng.choice([-1, 1])), 1), 28))
    dobs[_where(rng, len(dobs), rates.dob_missing.get(source, 0.0))] = None
    return dobs


def _abbreviate(addresses: np.ndarray, rates: ErrorRates, rng: np.random.Generator) -> np.ndarray:
    addresses = addresses.copy()
    for i in _where(rng, len(addresses), rates.address_abbreviated):
        for word, short in _ABBREVIATIONS.items():
            addresses[i] = str(addresses[i]).replace(f" {word}", f" {short}")
    return addresses


def _postcode_errors(postcodes: np.ndarray, rates: ErrorRates, rng: np.random.Generator) -> np.ndarray:
    postcodes = postcodes.copy()
    postcodes[_where(rng, len(postcodes), rates.postcode_missing)] = None
    for i in _where(rng, len(postcodes), rates.postcode_malformed):
        if postcodes[i]:
            postcodes[i] = str(postcodes[i])[:-1]
    return postcodes


# --- each system's own format ------------------------------------------------------------------------------


def _ids(prefix: str, n: int, width: int = 7) -> list[str]:
    return [f"{prefix}{i:0{width}d}" for i in range(1, n + 1)]


def _dates(values: pd.Series, style: str) -> pd.Series:
    """Render dates in one of the sources' styles; missing dates stay missing."""
    import pandas as pd

    as_dates = pd.to_datetime(values)
    if style == "day month-name year":
        months = np.array(_MONTHS)[(as_dates.dt.month.fillna(1).astype(int) - 1).to_numpy()]
        text = (
            as_dates.dt.day.astype("Int64").astype(str)
            + " "
            + months
            + " "
            + as_dates.dt.year.astype("Int64").astype(str)
        )
        return text.where(as_dates.notna(), None)
    return as_dates.dt.strftime(style).where(as_dates.notna(), None)


def _format_council_tax(records: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(
        {
            "ACCOUNT_REF": _ids("CT", len(records)),
            "FORENAME": records["first_name"].str.upper(),
            "SURNAME": records["last_name"].str.upper(),
            "DOB": _dates(records["date_of_birth"], "%d/%m/%Y"),
            "PROPERTY_UPRN": records["uprn"].astype("Int64"),
            "ADDRESS_LINE": records["address"].str.upper(),
            "POSTCODE": records["postcode"],
            "BAND": rng.choice(list("ABCDEFGH"), len(records), p=[0.25, 0.2, 0.2, 0.15, 0.1, 0.05, 0.04, 0.01]),
            "LIABILITY_START": _dates(
                pd.Series(
                    pd.to_datetime("2010-04-01") + pd.to_timedelta(rng.integers(0, 5400, len(records)), unit="D")
                ),
                "%d/%m/%Y",
            ),
        }
    )


def _format_housing(records: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    import pandas as pd

    with_middle = records["middle_name"].notna().to_numpy() & (rng.random(len(records)) < 0.5)
    middle = records["middle_name"].where(with_middle, "").fillna("")
    full = (records["first_name"] + " " + middle + " " + records["last_name"]).str.replace("  ", " ")
    return pd.DataFrame(
        {
            "tenancy_id": _ids("HT", len(records)),
            "full_name": full,
            "birth_date": _dates(records["date_of_birth"], "%Y-%m-%d"),
            "gender": records["sex"].map({"F": "Female", "M": "Male"}),
            "uprn": records["uprn"].astype("Int64"),
            "address": records["address"],
            "postcode": records["postcode"],
            "tenancy_start": _dates(
                pd.Series(
                    pd.to_datetime("2005-01-01") + pd.to_timedelta(rng.integers(0, 7000, len(records)), unit="D")
                ),
                "%Y-%m-%d",
            ),
            "tenure": rng.choice(["secure", "introductory", "flexible"], len(records), p=[0.8, 0.1, 0.1]),
        }
    )


def _format_ctr(records: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    import pandas as pd

    lower = rng.random(len(records)) < 0.3
    postcode = records["postcode"].astype(object)
    postcode = postcode.where(~lower, postcode.str.lower().str.replace(" ", "", regex=False))
    return pd.DataFrame(
        {
            "claim_no": _ids("CTR", len(records), 6),
            "first_name": records["first_name"],
            "last_name": records["last_name"],
            "dob": _dates(records["date_of_birth"], "day month-name year"),
            "sex": records["sex"],
            "addr": records["address"],
            "post_code": postcode,
            "weekly_award": np.round(rng.uniform(2, 40, len(records)), 2),
        }
    )


def _format_school(records: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    import pandas as pd

    schools = np.array(
        [f"{name} Primary School" for name in ("Oakfield", "St Mary's", "Riverside", "Hillcrest")]
        + ["Northgate Academy", "Castle High School"]
    )
    return pd.DataFrame(
        {
            "UPN": _ids("A8230", len(records), 8),
            "LegalForename": records["first_name"],
            "LegalSurname": records["last_name"],
            "DateOfBirth": _dates(records["date_of_birth"], "%d-%m-%Y"),
            "Gender": records["sex"],
            "AddressLine1": records["address"],
            "Postcode": records["postcode"],
            "SchoolName": rng.choice(schools, len(records)),
            "AttendancePct": np.round(np.clip(rng.normal(93, 6, len(records)), 40, 100), 1),
        }
    )


def _format_asb(records: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(
        {
            "incident_ref": _ids("ASB-", len(records), 6),
            "subject_name": records["last_name"].str.upper() + ", " + records["first_name"],
            "subject_dob": _dates(records["date_of_birth"], "%d.%m.%Y"),
            "location_address": records["address"],
            "location_postcode": records["postcode"],
            "incident_date": _dates(
                pd.Series(
                    pd.to_datetime("2022-01-01") + pd.to_timedelta(rng.integers(0, 1100, len(records)), unit="D")
                ),
                "%Y-%m-%d",
            ),
            "category": rng.choice(
                ["noise", "vandalism", "harassment", "street drinking", "nuisance vehicle"], len(records)
            ),
        }
    )


def _format_social_care(records: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    import pandas as pd

    sex = records["sex"].map({"F": "Female", "M": "Male"}).where(rng.random(len(records)) > 0.02, "Unknown")
    return pd.DataFrame(
        {
            "PersonID": _ids("LL", len(records), 7),
            "Forename": records["first_name"],
            "Surname": records["last_name"],
            "DOB": _dates(records["date_of_birth"], "%d/%m/%Y"),
            "Sex": sex,
            "Role": records["role"],
            "Address": records["address"],
            "Postcode": records["postcode"],
            "ReferralDate": _dates(
                pd.Series(
                    pd.to_datetime("2020-01-01") + pd.to_timedelta(rng.integers(0, 1900, len(records)), unit="D")
                ),
                "%d/%m/%Y",
            ),
        }
    )


_FORMATTERS = {
    "council_tax": _format_council_tax,
    "housing_tenancies": _format_housing,
    "council_tax_reduction": _format_ctr,
    "school_attendance": _format_school,
    "antisocial_behaviour": _format_asb,
    "childrens_social_care": _format_social_care,
}
