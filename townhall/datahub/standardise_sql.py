"""``standardise``'s rules for names, addresses and postcodes as DuckDB SQL, over whole columns.

An extract of a million rows holds hundreds of thousands of distinct names, addresses and postcodes; worked
out one by one in Python they were most of an ingest's time. The SQL here does the same in DuckDB's
vectorised engine. ``standardise.py`` stays the specification: SQL takes only text of printable ASCII
characters (where upper-casing, trimming and splitting on spaces mean the same in both), and every other value
(accents, tabs, other Unicode, non-text cells) goes through the scalar Python rule. A parity test runs
representative and awkward values through both and requires the same output and the same reasons.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from townhall.places.postcodes import POSTCODE_FORMAT

if TYPE_CHECKING:
    import pandas as pd


def _quoted(words: Sequence[str]) -> str:
    return ", ".join("'" + word.replace("'", "''") + "'" for word in words)


def _blank(empty_words: Sequence[str]) -> str:
    """SQL for ``standardise._is_blank`` on printable ASCII text (``strip`` there trims spaces only)."""
    return f"(v IS NULL OR upper(trim(v)) IN ({_quoted(sorted(empty_words))}))"


def name_sql(empty_words: Sequence[str], noise_words: Sequence[str]) -> str:
    """``standardise_name``: upper case, apostrophes gone, anything else not a letter a space, titles dropped."""
    letters = "regexp_replace(regexp_replace(upper(v), '[''`]', '', 'g'), '[^A-Z ]+', ' ', 'g')"
    words = (
        f"list_filter(string_split({letters}, ' '), lambda w: w <> '' AND w NOT IN ({_quoted(sorted(noise_words))}))"
    )
    return f"CASE WHEN {_blank(empty_words)} THEN NULL ELSE nullif(array_to_string({words}, ' '), '') END"


def address_sql(empty_words: Sequence[str], abbreviations: dict[str, str]) -> str:
    """``standardise._address_line``: upper case, punctuation to spaces, abbreviations expanded, a leading
    ST read as SAINT. An address of punctuation only gives '' as there, not NULL."""
    words = "list_filter(string_split(regexp_replace(upper(v), '[^A-Z0-9 ]+', ' ', 'g'), ' '), lambda w: w <> '')"
    table = "MAP {" + ", ".join(f"'{short}': '{long}'" for short, long in sorted(abbreviations.items())) + "}"
    expanded = f"list_transform({words}, lambda w, i: CASE WHEN i = 1 AND w = 'ST' THEN 'SAINT' ELSE coalesce({table}[w], w) END)"
    return f"CASE WHEN {_blank(empty_words)} THEN NULL ELSE array_to_string({expanded}, ' ') END"


def postcode_sql(empty_words: Sequence[str]) -> tuple[str, str]:
    """``standardise_postcode`` as (canonical postcode, reason), with ``places.postcodes``' messages."""
    compact = "upper(replace(v, ' ', ''))"
    well_formed = f"regexp_full_match({compact}, '{POSTCODE_FORMAT}')"
    length_ok = f"length({compact}) BETWEEN 5 AND 7"
    postcode = (
        f"CASE WHEN {_blank(empty_words)} THEN NULL WHEN {compact} = 'GIR0AA' THEN 'GIR 0AA' "
        f"WHEN {length_ok} AND {well_formed} THEN left({compact}, -3) || ' ' || right({compact}, 3) END"
    )
    reason = (
        f"CASE WHEN {_blank(empty_words)} OR {compact} = 'GIR0AA' THEN NULL "
        f"WHEN NOT {length_ok} THEN '''' || trim(v) || ''' is not a full UK postcode: it should be 5 to 7 "
        "letters and numbers' "
        f"WHEN NOT {well_formed} THEN '''' || trim(v) || ''' is not in the format of a UK postcode, like AB1 2CD' END"
    )
    return postcode, reason


# Text DuckDB may take: printable ASCII only
_PLAIN = "regexp_full_match(v, '[ -~]*')"


def columns_by_sql(
    values: pd.Series, expressions: Sequence[str], scalar: Callable[[Any], tuple[Any, ...]]
) -> list[pd.Series]:
    """One Series per SQL expression (over the text ``v``), the same index as ``values``.

    Values SQL may not take get ``scalar(value)`` (one result per expression); so do missing values.
    """
    import duckdb
    import numpy as np
    import pandas as pd

    # Most values repeat (surnames, streets, postcodes): each distinct value is worked out once
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    distinct = pd.Series(uniques, dtype=object)
    if pd.api.types.infer_dtype(distinct, skipna=False) in ("string", "empty"):
        is_text = np.ones(len(distinct), dtype=bool)  # nearly always: a CSV read as text
    else:  # e.g. numbers in a Parquet extract: those go to the Python rule
        is_text = distinct.map(lambda value: isinstance(value, str)).to_numpy(dtype=bool)
    frame = pd.DataFrame({"v": distinct.where(is_text, None).to_numpy(dtype=object)})
    outputs = ", ".join(f"CASE WHEN {_PLAIN} THEN {sql} END AS o{i}" for i, sql in enumerate(expressions))
    with duckdb.connect() as database:
        database.register("distinct_values", frame)
        result = database.execute(
            f"SELECT {outputs}, v IS NOT NULL AND NOT {_PLAIN} AS by_python FROM distinct_values"  # noqa: S608 - our SQL
        ).df()
    by_python = result["by_python"].to_numpy(dtype=bool) | ~is_text
    missing = scalar(None)  # what a missing value gives (code -1 takes the last slot)
    by_rule = [scalar(value) for value in distinct[by_python]]
    columns = []
    for i in range(len(expressions)):
        slots = np.empty(len(distinct) + 1, dtype=object)
        slots[:-1] = result[f"o{i}"].to_numpy(dtype=object)
        slots[:-1][by_python] = [outcome[i] for outcome in by_rule]
        slots[-1] = missing[i]
        slots[pd.isna(slots)] = None
        columns.append(pd.Series(slots[codes], index=values.index, dtype=object))
    return columns
