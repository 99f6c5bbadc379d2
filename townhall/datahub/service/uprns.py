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

    records = records.copy()
    given = records["uprn"].notna().to_numpy()
    records["uprn_match"] = np.where(given, "source", "none")
    wanted = records.loc[~given & records["address"].notna().to_numpy() & records["postcode"].notna().to_numpy()]
    if wanted.empty or gazetteer.empty:
        return records
    lookups = wanted[["address", "postcode"]].drop_duplicates()
    with duckdb.connect() as database:
        database.register("lookups", lookups)
        database.register("gazetteer", gazetteer[["uprn", "postcode", "address"]])
        found = database.execute(_MATCH_SQL, [FUZZY_THRESHOLD]).df()
    matched = wanted[["address", "postcode"]].reset_index().merge(found, on=["address", "postcode"])
    records.loc[matched["index"], "uprn"] = matched["uprn"].astype(str).to_numpy()
    records.loc[matched["index"], "uprn_match"] = matched["method"].to_numpy()
    return records


# One row per distinct (address, postcode) that matched: exact when the line is identical, otherwise the
# single most similar line in the postcode whose numbers (house, flat) are the same, if similar enough.
_MATCH_SQL = """
WITH candidates AS (
    SELECT l.address, l.postcode, g.uprn,
           CASE WHEN l.address = g.address THEN 1.0 ELSE jaro_winkler_similarity(l.address, g.address) END AS score
    FROM lookups l JOIN gazetteer g ON l.postcode = g.postcode
    WHERE l.address = g.address
       OR list_sort(regexp_extract_all(l.address, '[0-9]+[A-Z]?'))
          = list_sort(regexp_extract_all(g.address, '[0-9]+[A-Z]?'))
),
ranked AS (
    SELECT *, rank() OVER (PARTITION BY address, postcode ORDER BY score DESC) AS place,
           count(*) OVER (PARTITION BY address, postcode, score) AS tied
    FROM candidates
)
SELECT address, postcode, uprn, CASE WHEN score = 1.0 THEN 'exact' ELSE 'fuzzy' END AS method
FROM ranked
WHERE place = 1 AND tied = 1 AND score >= ?
"""
