"""Source contracts: what each service silo sends, why we may hold it, and how its columns map to a person.

A contract is a TOML file in ``townhall/datahub/sources/`` (read with the standard library's ``tomllib``).
Loading validates it: a source without a lawful basis or a purpose does not load. ``standardise_extract``
then turns a raw extract into the common person record the linkage model reads, and puts rows it cannot
trust into a quarantine frame with a reason, instead of guessing or dropping them.
"""

from __future__ import annotations

import codecs
import tomllib
from collections.abc import Callable
from datetime import date
from functools import partial
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from townhall.datahub import standardise

if TYPE_CHECKING:
    import pandas as pd

Article6Basis = Literal[
    "consent", "contract", "legal_obligation", "vital_interests", "public_task", "legitimate_interests"
]

# The longest text each field may hold, as the records table stores it: longer values are quarantined with a
# reason (PostgreSQL would refuse the whole extract; SQLite would store them, unlike PostgreSQL)
FIELD_LENGTHS = {"source_record_id": 80, "first_name": 80, "middle_name": 120, "last_name": 80, "address": 300}
_FIELD_NAMES = {"source_record_id": "record identifier", "first_name": "first name", "middle_name": "middle name",
                "last_name": "last name", "address": "address"}  # fmt: skip

PERSON_COLUMNS = (
    "unique_id", "source", "source_record_id", "first_name", "middle_name", "last_name",
    "first_name_canonical", "date_of_birth", "sex", "address", "postcode", "uprn", "address_is_home",
)  # fmt: skip


class ContractError(ValueError):
    """A source contract is missing or invalid; the message names the file and the problem."""


class ExtractError(ValueError):
    """An extract cannot be processed at all (empty, or columns that do not match its contract)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LawfulBasis(_Strict):
    """UK GDPR Article 6 basis, and the Article 9 condition (or Article 10 authority) where needed."""

    article_6: Article6Basis
    article_6_detail: str = Field(min_length=10)
    article_9_condition: str | None = None
    article_10_authority: str | None = None


def _same_letters() -> dict[str, Literal["F", "M", ""]]:
    return {"F": "F", "M": "M"}


class ColumnMapping(_Strict):
    """Which of the source's columns hold each field of the common person record."""

    source_id: str
    first_name: str | None = None
    last_name: str | None = None
    full_name: str | None = None
    full_name_order: Literal["first_last", "last_comma_first"] = "first_last"
    date_of_birth: str | None = None
    # A strptime pattern, or several tried in order (an export that changed format, old rows and new)
    date_of_birth_format: str | list[str] | None = None
    sex: str | None = None
    # The source's values -> F or M, or "" for a value meaning "not known" (blank, Unknown and N/A always do)
    sex_values: dict[str, Literal["F", "M", ""]] = Field(default_factory=_same_letters)
    address: str | None = None
    postcode: str | None = None
    uprn: str | None = None
    service_facts: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _names_are_mapped(self) -> ColumnMapping:
        if self.full_name is None and (self.first_name is None or self.last_name is None):
            raise ValueError("map either full_name, or both first_name and last_name")
        if self.date_of_birth is not None and not self.date_of_birth_format:
            raise ValueError("date_of_birth needs date_of_birth_format, e.g. '%d/%m/%Y' or ['%d/%m/%Y', '%Y-%m-%d']")
        return self

    def source_columns(self) -> list[str]:
        """Every column of the source that the contract names, in a stable order."""
        named = [self.source_id, self.first_name, self.last_name, self.full_name, self.date_of_birth,
                 self.sex, self.address, self.postcode, self.uprn, *self.service_facts.values()]  # fmt: skip
        return list(dict.fromkeys(column for column in named if column is not None))


class SourceContract(_Strict):
    # At most 59 characters, so "<name>:<record id>" fits the 140-character record key
    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=59)
    owning_service: str
    description: str = ""
    lawful_basis: LawfulBasis
    special_category: bool = False
    criminal_offence_data: bool = False
    purposes: list[str] = Field(min_length=1)
    retention: str = Field(min_length=3)
    contact: str = Field(pattern=r"^[^@\s]+@[^@\s]+$")
    columns: ColumnMapping
    # The service fact that says since when the person has been involved with the service (a date), if any
    involved_since: str | None = None
    # False where the address is not where the person lives (an incident's location): it then says nothing
    # about their household
    address_is_home: bool = True
    # How often, in days, the service sends a new extract. The hub knows only what the latest extract said, so when
    # that extract is older than this, the views mark the service's information out of date. None: no expectation
    extract_every_days: int | None = Field(default=None, ge=1, le=366)
    # The hub's own retention of the source's records: when the latest extract is older than this many days (the
    # service stopped sending them, the agreement lapsed), `townhall datahub expire` deletes them. ``retention``
    # above is the source system's own rule, in its owner's words; this is how long the hub's copy may outlive
    # its last refresh. None: no limit, which `townhall datahub sources` and `expire` point out
    delete_after_days: int | None = Field(default=None, ge=1, le=3660)
    # How the source's CSV files are encoded: "utf-8" (a byte-order mark is allowed), or e.g. "cp1252" for a system
    # that exports Windows-1252, as Excel's "CSV" does
    encoding: str = "utf-8"

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, value: str) -> str:
        try:
            return codecs.lookup(value).name
        except LookupError:
            raise ValueError(f"'{value}' is not a text encoding Python knows, e.g. 'utf-8' or 'cp1252'") from None

    @model_validator(mode="after")
    def _conditions_for_sensitive_data(self) -> SourceContract:
        every, limit = self.extract_every_days, self.delete_after_days
        if every is not None and limit is not None and limit <= every:
            raise ValueError(
                f"delete_after_days ({limit}) must be longer than extract_every_days ({every}), or each extract "
                "would be deleted before the next one is due"
            )
        if self.involved_since is not None and self.involved_since not in self.columns.service_facts:
            raise ValueError(f"involved_since names '{self.involved_since}', which is not a service fact")
        if self.special_category and not self.lawful_basis.article_9_condition:
            raise ValueError("special category data needs lawful_basis.article_9_condition")
        if self.criminal_offence_data and not self.lawful_basis.article_10_authority:
            raise ValueError("criminal offence data needs lawful_basis.article_10_authority")
        return self


def parse_contract(text: str, *, origin: str = "contract") -> SourceContract:
    """Validate a contract's TOML text; raise ContractError naming ``origin`` and each problem."""
    try:
        return SourceContract.model_validate(tomllib.loads(text))
    except tomllib.TOMLDecodeError as error:
        raise ContractError(f"{origin} is not valid TOML: {error}") from error
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in problem['loc']) or 'contract'}: {problem['msg']}"
            for problem in error.errors()
        )
        raise ContractError(f"{origin} is not a valid source contract: {problems}") from error


def load_contract(path: Path) -> SourceContract:
    return parse_contract(path.read_text(encoding="utf-8"), origin=path.name)


def load_contracts(directory: Path | None = None) -> dict[str, SourceContract]:
    """Every ``*.toml`` contract in ``directory`` (the bundled sources by default), by source name."""
    if directory is None:
        folder = resources.files("townhall.datahub").joinpath("sources")
        files = sorted(
            (item.name, item.read_text(encoding="utf-8")) for item in folder.iterdir() if item.name.endswith(".toml")
        )
    else:
        files = sorted((path.name, path.read_text(encoding="utf-8")) for path in directory.glob("*.toml"))
    contracts = [parse_contract(text, origin=name) for name, text in files]
    return {contract.name: contract for contract in contracts}


# --- standardising an extract ------------------------------------------------------------------------------


def check_extract_columns(contract: SourceContract, raw: pd.DataFrame) -> None:
    """Raise ExtractError if the extract is empty or its columns differ from the contract's."""
    expected = contract.columns.source_columns()
    missing = [column for column in expected if column not in raw.columns]
    unexpected = [str(column) for column in raw.columns if column not in expected]
    if missing and len(missing) == len(expected):
        # The "column names" are then most likely a resident's record (a file saved without its header row):
        # not repeated in an error that ends up in job logs
        raise ExtractError(
            f"{contract.name} extract's first row is not its header: none of the contract's columns "
            f"({', '.join(expected)}) is there. Was the file exported without its header row? (The first row is "
            "not shown here: it may be a resident's record.)"
        )
    if missing or unexpected:
        shown = [name for name in unexpected if _looks_like_a_column_name(name)]
        hidden = len(unexpected) - len(shown)
        unexpected_text = str(shown) if shown else "none"
        if hidden:
            unexpected_text = f"{unexpected_text if shown else ''} and {hidden} more not shown (long, or not one line)"
        raise ExtractError(
            f"{contract.name} extract does not match its contract: "
            f"missing columns {missing or 'none'}, unexpected columns {unexpected_text.strip()}"
        )
    if raw.empty:
        raise ExtractError(f"{contract.name} extract has no rows: refusing to treat that as everyone leaving")


_LONGEST_COLUMN_NAME = 60


def _looks_like_a_column_name(name: str) -> bool:
    """Short and on one line: a header with an unclosed quote swallows whole records into one "name"."""
    return len(name) <= _LONGEST_COLUMN_NAME and name.isprintable()


def standardise_extract(
    contract: SourceContract, raw: pd.DataFrame, *, today: date
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(clean person records, quarantined raw rows with ``row_number`` and ``reason``) for one source's extract.

    Clean rows have the columns in ``PERSON_COLUMNS`` plus ``fact_<name>`` for each service fact. A row is
    quarantined, not cleaned, when its date of birth or postcode cannot be read, its date of birth is
    impossible, it has no identifier or no name, its UPRN is not a UPRN, its sex is a value the contract does
    not list, its ``involved_since`` fact is given but is not a date, or a field is longer than the records
    table holds (``FIELD_LENGTHS``). Raises ExtractError before
    any work if the extract is empty or its columns do not match the contract.
    """
    import pandas as pd

    check_extract_columns(contract, raw)
    mapping = contract.columns
    if not raw.index.equals(pd.RangeIndex(len(raw))):  # copying a million rows only when the index needs it
        raw = raw.reset_index(drop=True)
    clean = pd.DataFrame(index=raw.index)
    clean["source"] = contract.name
    clean["source_record_id"] = record_ids(raw[mapping.source_id])
    clean["unique_id"] = contract.name + ":" + clean["source_record_id"].fillna("")
    _names(mapping, raw, clean)
    reasons: list[pd.Series | None] = [
        clean["source_record_id"].isna().map({True: "no record identifier", False: None}),
        _repeated_ids(clean["source_record_id"]),
        (clean["first_name"].isna() & clean["last_name"].isna()).map({True: "no name", False: None}),
        *(_too_long(clean[field], field) for field in ("source_record_id", "first_name", "middle_name", "last_name")),
        _checked(
            clean, "sex", _column(raw, mapping.sex), partial(standardise.sex_column, sex_values=mapping.sex_values)
        ),
        _dates_of_birth(mapping, raw, clean, today),
        _checked(clean, "postcode", _column(raw, mapping.postcode), standardise.postcode_column),
        _checked(clean, "uprn", _column(raw, mapping.uprn), standardise.uprn_column),
    ]
    clean["first_name_canonical"] = standardise.canonical_first_name_column(clean["first_name"], clean["sex"])
    clean["address"] = standardise.address_column(raw[mapping.address]) if mapping.address else None
    reasons.append(_too_long(clean["address"], "address"))
    if contract.involved_since is not None:  # the household view says since when from this date
        facts_column = raw[mapping.service_facts[contract.involved_since]]
        reasons.append(standardise.date_fact_problems(facts_column, contract.involved_since.replace("_", " ")))
    # "N" where the source's address is not where the person lives (an incident's location)
    clean["address_is_home"] = "Y" if contract.address_is_home else "N"
    for fact, column in mapping.service_facts.items():
        clean[f"fact_{fact}"] = raw[column]
    reason = _join_reasons(reasons)
    bad = reason.notna().to_numpy()
    quarantine = raw[bad].assign(reason=reason[bad])
    columns = [*PERSON_COLUMNS, *(f"fact_{fact}" for fact in mapping.service_facts)]
    quarantine.insert(0, "row_number", quarantine.index + 1)  # 1 = the file's first data row
    return _rows_kept(clean, columns, ~bad), quarantine.reset_index(drop=True)


def record_ids(values: pd.Series) -> pd.Series:
    """A source's record identifiers as text, the same however the file carried them: surrounding spaces
    removed (a fixed-width export pads them), and a whole number read as a decimal (a Parquet column of
    floats, "1.0") written as the whole number. Blank is missing. A record keeps its key, and the officers'
    decisions and person id that hang on it, across extracts only if its identifier reads the same."""
    import numpy as np
    import pandas as pd

    present = values.notna().to_numpy()
    given = values[present]
    text = given.astype(str).str.strip()
    if pd.api.types.is_float_dtype(given):
        whole = (given % 1 == 0).to_numpy()
        text[whole] = given[whole].astype("int64").astype(str)
    ids = np.full(len(values), None, dtype=object)
    ids[present] = text.where(text != "", None).to_numpy(dtype=object)
    return pd.Series(ids, index=values.index, dtype=object)


def _repeated_ids(ids: pd.Series) -> pd.Series | None:
    """A reason for every row whose identifier another row also has: no copy can be trusted to be the record."""
    repeated = ids.notna() & ids.duplicated(keep=False)
    if not repeated.any():
        return None
    return ids.where(repeated, None).map(
        lambda value: None if value is None else f"record identifier '{value}' appears more than once"
    )


def _rows_kept(clean: pd.DataFrame, columns: list[str], keep: Any) -> pd.DataFrame:
    """``clean``'s ``columns`` at the ``keep`` rows, numbered from 0. Built column by column: the frame was
    built a column at a time, and ``.loc`` then ``reset_index`` first merged every column into one block and
    copied it twice (0.7 s of the 4.6 s a million rows take to standardise)."""
    import pandas as pd

    return pd.DataFrame({column: clean[column].to_numpy()[keep] for column in columns})


def _names(mapping: ColumnMapping, raw: pd.DataFrame, clean: pd.DataFrame) -> None:
    if mapping.full_name is None:
        clean["first_name"] = standardise.name_column(raw[mapping.first_name])
        clean["last_name"] = standardise.name_column(raw[mapping.last_name])
        clean["middle_name"] = None
        return
    parts = standardise.full_name_columns(raw[mapping.full_name], mapping.full_name_order)
    clean["first_name"], clean["middle_name"], clean["last_name"] = parts


def _dates_of_birth(mapping: ColumnMapping, raw: pd.DataFrame, clean: pd.DataFrame, today: date) -> pd.Series:
    if mapping.date_of_birth is None:
        clean["date_of_birth"] = None
        return clean["source"].map(lambda _: None)
    # Splink compares dates of birth as ISO text, which also lets it count single-character typos
    clean["date_of_birth"], reasons = standardise.date_of_birth_column(
        raw[mapping.date_of_birth], mapping.date_of_birth_format, today=today
    )
    return reasons


def _column(raw: pd.DataFrame, name: str | None) -> pd.Series | None:
    return raw[name] if name else None


def _checked(
    clean: pd.DataFrame,
    field: str,
    values: pd.Series | None,
    read: Callable[[pd.Series], tuple[pd.Series, pd.Series]],
) -> pd.Series | None:
    """Put ``read(values)``'s values in ``clean[field]`` and return its reasons; a field the source does not have
    (``values`` None) is missing throughout, with no reason."""
    if values is None:
        clean[field] = None
        return None
    clean[field], reasons = read(values)
    return reasons


def _too_long(values: pd.Series, field: str) -> pd.Series | None:
    """A reason for each value longer than the records table holds for ``field``; None when no value is (nearly
    always: then there is no column of reasons to join)."""
    import numpy as np
    import pandas as pd

    limit = FIELD_LENGTHS[field]
    lengths = np.array([len(value) if isinstance(value, str) else 0 for value in values.to_numpy()], dtype=np.int64)
    long = lengths > limit
    if not long.any():
        return None
    reasons = np.full(len(values), None, dtype=object)
    reasons[long] = [f"{_FIELD_NAMES[field]} is longer than {limit} characters ({n:,})" for n in lengths[long]]
    return pd.Series(reasons, index=values.index, dtype=object)


def _join_reasons(reasons: list[pd.Series | None]) -> pd.Series:
    """Each row's reasons joined with "; ", None for a row with none. Checks that found nothing are left out
    first: most find nothing in most extracts, and each column joined costs a pass over a million rows."""
    import pandas as pd

    index = next(reason.index for reason in reasons if reason is not None)
    found = [reason.rename(i) for i, reason in enumerate(reasons) if reason is not None and reason.notna().any()]
    joined = pd.Series(None, index=index, dtype=object)
    if not found:
        return joined
    frame = pd.concat(found, axis=1)
    has_reason = frame.notna().any(axis=1)
    # Only the few bad rows are joined row by row; a million clean rows skip it
    joined[has_reason] = frame[has_reason].apply(
        lambda row: "; ".join(str(value) for value in row if isinstance(value, str)), axis=1
    )
    return joined


def out_of_date(contract: SourceContract, extracted_on: date, today: date) -> bool:
    """Whether the source's latest extract, ingested on ``extracted_on``, is older than its contract expects."""
    every = contract.extract_every_days
    return every is not None and (today - extracted_on).days > every
