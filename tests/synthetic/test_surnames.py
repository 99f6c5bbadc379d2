import numpy as np
from faker.providers.person.en_GB import Provider as British

from townhall.datahub.people import make_people, name_collisions
from townhall.synthetic.names import NameDrawer
from townhall.synthetic.surnames import _key, surname_pool, tail_exponent


def test_the_commonest_surnames_keep_their_published_shares_and_the_rest_go_to_a_long_tail() -> None:
    names, shares = surname_pool()
    published = dict(British.last_names)
    assert names[:3] == ("Smith", "Jones", "Williams")
    assert abs(shares[0] - published["Smith"] / 100) < 1e-12  # one person in 87, not one in 35
    assert abs(shares[:500].sum() - sum(published.values()) / 100) < 1e-9
    assert abs(shares.sum() - 1.0) < 1e-9
    assert len(names) > 15_000
    assert np.all(np.diff(shares[500:]) <= 0)  # the tail falls with rank...
    assert shares[500] <= shares[499]  # ...starting below the head's last name
    assert 0.5 < tail_exponent() < 1.5  # a Zipf-like power law


def test_every_surname_is_distinct_once_standardised_and_looks_like_a_name() -> None:
    names, _ = surname_pool()
    keys = [_key(name) for name in names]
    assert len(set(keys)) == len(keys)
    assert all(name[0].isalpha() and len(key) >= 3 for name, key in zip(names, keys, strict=True))
    assert not any("lll" in name or "eee" in name for name in names)


def test_the_pool_is_fixed_and_draws_depend_only_on_the_seed() -> None:
    surname_pool.cache_clear()
    first = surname_pool()
    surname_pool.cache_clear()
    assert surname_pool()[0] == first[0]
    draw = [NameDrawer(np.random.default_rng(4)).surname() for _ in range(3)]
    again = [NameDrawer(np.random.default_rng(4)).surname() for _ in range(3)]
    assert draw == again
    assert make_people(300, seed=8).equals(make_people(300, seed=8))
    assert not make_people(300, seed=8)["last_name"].equals(make_people(300, seed=9)["last_name"])


def test_a_large_population_has_few_namesakes_compared_with_the_500_name_list() -> None:
    people = make_people(60_000, seed=1)
    realistic = name_collisions(people)
    rng = np.random.default_rng(1)
    top_500 = list(British.last_names)
    weights = np.array(list(British.last_names.values()))
    homogeneous = name_collisions(
        people.assign(last_name=rng.choice(top_500, size=len(people), p=weights / weights.sum()))
    )
    assert realistic["distinct_surnames"] > 3 * homogeneous["distinct_surnames"]
    assert realistic["share_with_a_namesake"] < homogeneous["share_with_a_namesake"] - 0.1
    assert realistic["commonest_surname_share"] < 0.02
