"""Match free-text addresses to the gazetteer's UPRNs, for sources that do not record them.

First an exact match of the standardised address and postcode; then, within the same postcode only, the
gazetteer address most like it (Jaro-Winkler), if it is close enough, has the same house and flat numbers
and no other address there is as close. Each record says how its UPRN was found: ``source`` (the extract
had it), ``exact``, ``fuzzy`` or ``none``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from townhall.datahub.standardise import address_column
from townhall.places.models import Property

if TYPE_CHECKING:
    import pandas as pd

FUZZY_THRESHOLD = 0.9  # Jaro-Winkler similarity of whole address lines, within one postcode
MATCH_METHODS = ("source", "exact", "fuzzy", "none")


def gazetteer_addresses(session: Session) -> pd.DataFrame:
    """Every property's UPRN, postcode and standardised address line."""
    import pandas as pd

    rows = session.execute(select(Property.uprn, Property.postcode, Property.address)).all()
    frame = pd.DataFrame(rows, columns=["uprn", "postcode", "address"])
    frame["address"] = address_column(frame["address"])
    return frame


def match_uprns(records: pd.DataFrame, gazetteer: pd.DataFrame) -> pd.DataFrame:
    """``records`` (standardised ``address``, ``postcode``, ``uprn``) with ``uprn`` filled where the gazetteer
    allows and ``uprn_match`` saying how; a UPRN the source gave is kept as it is."""
    import duckdb
    import numpy as np
    import pandas as pd

    records = records.copy(deep=False)  # columns are replaced below, never changed in place
    given = records["uprn"].notna().to_numpy()
    records["uprn_match"] = np.where(given, "source", "none")
    wanted = ~given & records["address"].notna().to_numpy() & records["postcode"].notna().to_numpy()
    if not wanted.any() or gazetteer.empty:
        return records
    rows = np.flatnonzero(wanted)
    # Each distinct (address, postcode) is looked up once and the answers joined back to the rows, all in
    # DuckDB: a pandas drop_duplicates and merge on two text columns cost seconds at a million records
    lookups = pd.DataFrame(
        {"row": rows, "address": records["address"].to_numpy()[rows], "postcode": records["postcode"].to_numpy()[rows]}
    )
    with duckdb.connect() as database:
        database.register("wanted", lookups)
        database.register("gazetteer", gazetteer[["uprn", "postcode", "address"]])
        found = database.execute(_MATCH_SQL, [FUZZY_THRESHOLD]).df()
    positions = found["row"].to_numpy()
    uprns, methods = records["uprn"].to_numpy(dtype=object).copy(), records["uprn_match"].to_numpy(dtype=object)
    uprns[positions] = found["uprn"].astype(str).to_numpy()
    methods[positions] = found["method"].to_numpy()
    records["uprn"], records["uprn_match"] = uprns, methods
    return records


# For each wanted row whose distinct (address, postcode) matched: exact when the line is identical, otherwise the
# single most similar line in the postcode whose numbers (house, flat) are the same, if similar enough.
_MATCH_SQL = """
WITH lookups AS (
    SELECT address, postcode, list_sort(regexp_extract_all(address, '[0-9]+[A-Z]?')) AS numbers
    FROM (SELECT DISTINCT address, postcode FROM wanted)
),
homes AS (  -- each line's numbers worked out once, not once per pair compared
    SELECT uprn, postcode, address, list_sort(regexp_extract_all(address, '[0-9]+[A-Z]?')) AS numbers
    FROM gazetteer
),
candidates AS (
    SELECT l.address, l.postcode, g.uprn,
           CASE WHEN l.address = g.address THEN 1.0 ELSE jaro_winkler_similarity(l.address, g.address) END AS score
    FROM lookups l JOIN homes g ON l.postcode = g.postcode
    WHERE l.address = g.address OR l.numbers = g.numbers
),
ranked AS (
    SELECT *, rank() OVER (PARTITION BY address, postcode ORDER BY score DESC) AS place,
           count(*) OVER (PARTITION BY address, postcode, score) AS tied
    FROM candidates
),
found AS (
    SELECT address, postcode, uprn, CASE WHEN score = 1.0 THEN 'exact' ELSE 'fuzzy' END AS method
    FROM ranked
    WHERE place = 1 AND tied = 1 AND score >= ?
)
SELECT w.row, f.uprn, f.method FROM wanted w JOIN found f ON w.address = f.address AND w.postcode = f.postcode
"""
