import numpy as np
import pandas as pd

from townhall.datahub.extracts import SOURCES, ErrorRates, generate_extracts
from townhall.datahub.people import REFERENCE_DATE, make_people

PEOPLE_COLUMNS = [
    "person_id",
    "first_name",
    "middle_name",
    "last_name",
    "sex",
    "date_of_birth",
    "uprn",
    "address",
    "postcode",
    "previous_uprn",
    "previous_address",
    "previous_postcode",
]


def test_make_people_has_the_documented_columns_and_is_deterministic():
    first, again = make_people(500, seed=3), make_people(500, seed=3)
    assert list(first.columns) == PEOPLE_COLUMNS
    pd.testing.assert_frame_equal(first, again)
    assert first["person_id"].is_unique
    assert 0.05 < first["previous_uprn"].notna().mean() < 0.2


def test_generate_extracts_is_deterministic_and_has_six_sources():
    people = make_people(2000, seed=1)
    one = generate_extracts(people, np.random.default_rng(9))
    two = generate_extracts(people, np.random.default_rng(9))
    assert set(one.extracts) == set(SOURCES)
    for source in SOURCES:
        pd.testing.assert_frame_equal(one.extracts[source], two.extracts[source])
    assert len(one.truth) == sum(len(frame) for frame in one.extracts.values())


def test_sources_use_their_own_column_names():
    extracts = generate_extracts(make_people(2000, seed=1), np.random.default_rng(2)).extracts
    assert {"FORENAME", "SURNAME", "DOB"} <= set(extracts["council_tax"].columns)
    assert {"full_name", "birth_date"} <= set(extracts["housing_tenancies"].columns)
    assert extracts["council_tax_reduction"]["dob"].str.fullmatch(r"\d{1,2} [A-Z][a-z]{2} \d{4}").all()
    assert "uprn" not in {c.lower() for c in extracts["school_attendance"].columns}


def test_school_attendance_holds_only_children_aged_4_to_16():
    people = make_people(3000, seed=4)
    result = generate_extracts(people, np.random.default_rng(5), ErrorRates(dob_typo=0, dob_transposed=0))
    truth = result.truth[result.truth["source"] == "school_attendance"]
    born = pd.to_datetime(people.set_index("person_id").loc[truth["person_id"], "date_of_birth"])
    ages = (pd.Timestamp(REFERENCE_DATE) - born).dt.days // 365.25
    assert ages.between(4, 16).all()


def test_error_rates_show_up_in_the_extracts():
    people = make_people(5000, seed=7)
    clean = generate_extracts(
        people, np.random.default_rng(8), ErrorRates(nickname=0, first_name_typo=0, names_swapped=0)
    )
    noisy = generate_extracts(
        people, np.random.default_rng(8), ErrorRates(nickname=0.5, first_name_typo=0, names_swapped=0)
    )
    true_first = people.set_index("person_id")["first_name"].str.upper()

    def agreement(result):
        frame = result.extracts["council_tax"].assign(
            person_id=result.truth.loc[result.truth.source == "council_tax", "person_id"].to_numpy()
        )
        return (frame["FORENAME"] == frame["person_id"].map(true_first)).mean()

    assert agreement(clean) == 1.0
    assert agreement(noisy) < 0.9
