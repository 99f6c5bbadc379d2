import pytest
from hypothesis import given
from hypothesis import strategies as st

from townhall.datahub.stable_ids import (
    ConflictingDecisionsError,
    Merge,
    OfficerDecision,
    Split,
    apply_officer_decisions,
    assign_stable_ids,
)


def test_first_run_issues_new_ids_in_record_order():
    result = assign_stable_ids({}, {"a": "c1", "b": "c1", "c": "c2"})
    assert result.person_ids == {"a": "TH00000001", "b": "TH00000001", "c": "TH00000002"}
    assert result.events == [] and result.issued_up_to == 2


def test_clusters_keep_their_ids_when_a_record_joins():
    first = assign_stable_ids({}, {"a": "x", "b": "x", "c": "y"})
    second = assign_stable_ids(first.person_ids, {"a": "1", "b": "1", "c": "2", "d": "2"})
    assert second.person_ids == {"a": "TH00000001", "b": "TH00000001", "c": "TH00000002", "d": "TH00000002"}
    assert second.events == []


def test_a_merge_keeps_the_id_with_most_records_and_reports_the_merge():
    previous = {"a": "TH00000001", "b": "TH00000002", "c": "TH00000002"}
    result = assign_stable_ids(previous, {"a": "k", "b": "k", "c": "k"})
    assert set(result.person_ids.values()) == {"TH00000002"}
    assert result.events == [Merge("TH00000002", ("TH00000001", "TH00000002"))]


def test_a_tied_merge_keeps_the_oldest_id():
    previous = {"a": "TH00000007", "b": "TH00000003"}
    result = assign_stable_ids(previous, {"a": "k", "b": "k"})
    assert set(result.person_ids.values()) == {"TH00000003"}


def test_a_split_keeps_the_id_on_the_larger_part_and_issues_a_new_one():
    previous = {"a": "TH00000001", "b": "TH00000001", "c": "TH00000001"}
    result = assign_stable_ids(previous, {"a": "1", "b": "1", "c": "2"})
    assert result.person_ids == {"a": "TH00000001", "b": "TH00000001", "c": "TH00000002"}
    assert result.events == [Split("TH00000001", ("TH00000001", "TH00000002"))]


def test_retired_ids_are_never_reissued():
    previous = {"a": "TH00000001", "b": "TH00000005"}
    result = assign_stable_ids(previous, {"a": "k", "b": "k", "z": "new"}, issued_up_to=9)
    assert result.person_ids["z"] == "TH00000010"


partitions = st.dictionaries(st.sampled_from([f"r{i:02d}" for i in range(30)]), st.integers(0, 6), min_size=1).map(
    lambda d: {k: f"c{v}" for k, v in d.items()}
)


@given(partitions, partitions)
def test_records_share_an_id_exactly_when_they_share_a_cluster(first, second):
    before = assign_stable_ids({}, first)
    after = assign_stable_ids(before.person_ids, second)
    for a in second:
        for b in second:
            assert (after.person_ids[a] == after.person_ids[b]) == (second[a] == second[b])


@given(partitions)
def test_relinking_the_same_clusters_changes_nothing(clusters):
    first = assign_stable_ids({}, clusters)
    relabelled = {record: "again-" + cluster for record, cluster in clusters.items()}
    second = assign_stable_ids(first.person_ids, relabelled)
    assert second.person_ids == first.person_ids
    assert second.events == []


@given(partitions, partitions)
def test_ids_never_collide_with_ids_issued_before(first, second):
    before = assign_stable_ids({}, first)
    after = assign_stable_ids(before.person_ids, second)
    reused_or_new = set(after.person_ids.values())
    new_ids = reused_or_new - set(before.person_ids.values())
    assert all(int(p[2:]) > before.issued_up_to for p in new_ids)


EDGES = [("a", "b", 0.99), ("b", "c", 0.97), ("c", "d", 0.999)]
CLUSTERS = {"a": "a", "b": "a", "c": "a", "d": "a", "e": "e"}


def test_without_decisions_clusters_are_unchanged():
    assert apply_officer_decisions(CLUSTERS, EDGES, []) == CLUSTERS


def test_cannot_link_splits_at_the_weakest_edge_between_them():
    result = apply_officer_decisions(CLUSTERS, EDGES, [OfficerDecision("a", "d", same_person=False)])
    assert result == {"a": "a", "b": "a", "c": "c", "d": "c", "e": "e"}


def test_must_link_joins_clusters():
    result = apply_officer_decisions(CLUSTERS, EDGES, [OfficerDecision("e", "b", same_person=True)])
    assert set(result.values()) == {"a"}


def test_the_latest_decision_on_a_pair_wins():
    decisions = [OfficerDecision("a", "d", same_person=False), OfficerDecision("d", "a", same_person=True)]
    assert apply_officer_decisions(CLUSTERS, EDGES, decisions) == CLUSTERS


def test_contradictory_decisions_are_an_error():
    decisions = [
        OfficerDecision("a", "e", same_person=True),
        OfficerDecision("e", "d", same_person=True),
        OfficerDecision("a", "d", same_person=False),
    ]
    with pytest.raises(ConflictingDecisionsError):
        apply_officer_decisions(CLUSTERS, EDGES, decisions)


def test_decisions_about_records_no_longer_present_are_ignored():
    assert apply_officer_decisions(CLUSTERS, EDGES, [OfficerDecision("a", "gone", same_person=False)]) == CLUSTERS


@given(st.lists(st.tuples(st.sampled_from("abcdefgh"), st.sampled_from("abcdefgh"), st.booleans()), max_size=6))
def test_honoured_decisions_hold_in_the_result(raw_decisions):
    clusters = {r: "a" if r in "abcd" else "e" for r in "abcdefgh"}
    edges = [
        ("a", "b", 0.9),
        ("b", "c", 0.95),
        ("c", "d", 0.99),
        ("e", "f", 0.9),
        ("f", "g", 0.96),
        ("g", "h", 0.97),
    ]
    decisions = [OfficerDecision(a, b, same) for a, b, same in raw_decisions]
    try:
        result = apply_officer_decisions(clusters, edges, decisions)
    except ConflictingDecisionsError:
        return
    latest = {}
    for d in decisions:
        if d.record_a != d.record_b:
            latest[frozenset((d.record_a, d.record_b))] = d.same_person
    for pair, same in latest.items():
        a, b = sorted(pair)
        assert (result[a] == result[b]) == same


def test_without_decisions_clusters_are_labelled_by_their_smallest_record():
    # Splink may name a cluster after any of its records; the result always uses the smallest
    assert apply_officer_decisions({"b": "c", "c": "c", "a": "a"}, [], []) == {"b": "b", "c": "b", "a": "a"}
    decided = apply_officer_decisions({"b": "c", "c": "c", "a": "a"}, [], [OfficerDecision("x", "y", True)])
    assert decided == {"b": "b", "c": "b", "a": "a"}  # decisions about records no longer held change nothing


def _greedy_oracle(previous, clusters, issued_up_to):
    """The rule as first written: every (cluster, previous id) pair sorted and walked, events from every record."""
    from collections import Counter, defaultdict

    overlap = Counter((cluster, previous[record]) for record, cluster in clusters.items() if record in previous)
    first = {}
    for record, cluster in clusters.items():
        first[cluster] = min(first.get(cluster, record), record)
    chosen, taken = {}, set()
    for (cluster, old_id), _ in sorted(overlap.items(), key=lambda item: (-item[1], item[0][1], first[item[0][0]])):
        if cluster not in chosen and old_id not in taken:
            chosen[cluster], _ = old_id, taken.add(old_id)
    counter = issued_up_to
    for cluster in sorted(first.keys() - chosen.keys(), key=first.__getitem__):
        counter += 1
        chosen[cluster] = f"TH{counter:08d}"
    person_ids = {record: chosen[cluster] for record, cluster in clusters.items()}
    olds, news = defaultdict(set), defaultdict(set)
    for record, new_id in person_ids.items():
        if record in previous:
            olds[new_id].add(previous[record])
            news[previous[record]].add(new_id)
    events = [Merge(n, tuple(sorted(o))) for n, o in sorted(olds.items()) if len(o) > 1]
    events += [Split(o, tuple(sorted(n))) for o, n in sorted(news.items()) if len(n) > 1]
    return person_ids, events


previous_ids = st.dictionaries(
    st.sampled_from([f"r{i:02d}" for i in range(30)]), st.integers(1, 12).map(lambda n: f"TH{n:08d}")
)


@given(previous_ids, partitions)
def test_only_contested_pairs_are_walked_yet_the_result_is_the_greedy_rule(previous, clusters):
    """Previous ids drawn at random, so neither their order nor their sizes follow the records' order."""
    result = assign_stable_ids(previous, clusters, issued_up_to=20)
    assert (result.person_ids, result.events) == _greedy_oracle(previous, clusters, 20)
