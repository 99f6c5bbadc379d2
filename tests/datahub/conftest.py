from datetime import date

import numpy as np
import pandas as pd
import pytest

from townhall.datahub.contracts import load_contracts, standardise_extract
from townhall.datahub.extracts import generate_extracts
from townhall.datahub.people import make_people


@pytest.fixture(scope="session")
def linked_inputs() -> tuple[pd.DataFrame, pd.Series]:
    """Standardised records from all six synthetic sources, and each record's true person id."""
    result = generate_extracts(make_people(4000, seed=11), np.random.default_rng(12))
    contracts = load_contracts()
    cleaned = [standardise_extract(contracts[s], raw, today=date(2025, 4, 1))[0] for s, raw in result.extracts.items()]
    records = pd.concat(cleaned, ignore_index=True)
    truth = result.truth.assign(unique_id=result.truth["source"] + ":" + result.truth["source_record_id"])
    return records, truth.set_index("unique_id")["person_id"].loc[records["unique_id"]]
