"""Person ids that stay the same across linkage runs, and officers' decisions that override the model.

A linkage run only says which records belong together; the ids it gives clusters change every run. Services
need ids that last, so ``assign_stable_ids`` carries the previous run's ids forward: each new cluster
keeps the id of the previous person it overlaps most, new people get new ids, and merges and splits are
reported as events for a person to check. ``apply_officer_decisions`` first bends the clustering to what
officers have decided: records they said are the same person are joined, those they said are not are kept
apart.

Everything here is pure: plain mappings in, new values out.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

RecordKey = str
PersonId = str


# --- officer decisions -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OfficerDecision:
    """An officer's ruling on two records. Later decisions on the same pair replace earlier ones."""

    record_a: RecordKey
    record_b: RecordKey
    same_person: bool


class ConflictingDecisionsError(ValueError):
    """Officers' decisions contradict each other, e.g. A=B and B=C but A≠C; the message names the records."""


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, item: str) -> str:
        self.parent.setdefault(item, item)
        root = item
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[item] != root:  # path compression keeps later finds short
            self.parent[item], item = root, self.parent[item]
        return root

    def union(self, a: str, b: str) -> None:
        root_a, root_b = self.find(a), self.find(b)
        if root_a != root_b:
            # the smaller key becomes the root so results do not depend on input order
            low, high = sorted((root_a, root_b))
            self.parent[high] = low


def _latest_decisions(
    decisions: Sequence[OfficerDecision], known: Mapping[RecordKey, str]
) -> dict[tuple[str, str], bool]:
    latest: dict[tuple[str, str], bool] = {}
    for decision in decisions:
        if decision.record_a in known and decision.record_b in known and decision.record_a != decision.record_b:
            low, high = sorted((decision.record_a, decision.record_b))
            latest[(low, high)] = decision.same_person
    return latest


def apply_officer_decisions(
    clusters: Mapping[RecordKey, str],
    edges: Iterable[tuple[RecordKey, RecordKey, float]],
    decisions: Sequence[OfficerDecision],
) -> dict[RecordKey, str]:
    """The clustering (record -> cluster) changed to honour officers' decisions.

    ``edges`` are the model's matched pairs (record, record, match probability) that formed ``clusters``.
    "Same person" joins the two records' clusters. "Not the same person" splits a cluster that holds both:
    its edges are re-added strongest first, skipping any that would join records an officer kept apart.
    Decisions about records not in ``clusters`` are ignored (those records are no longer in any extract).
    Cluster ids in the result are the smallest record key of each cluster.
    """
    latest = _latest_decisions(decisions, clusters)
    if not latest:  # nothing to honour: only the labels change (the union-find costs seconds at a million)
        return _label_by_smallest_record(clusters)
    must = [pair for pair, same in latest.items() if same]
    cannot = [pair for pair, same in latest.items() if not same]
    groups = _UnionFind()
    for record, cluster in clusters.items():
        groups.union(f"c:{cluster}", f"r:{record}")
    for a, b in must:
        groups.union(f"r:{a}", f"r:{b}")
    group_of = {record: groups.find(f"r:{record}") for record in clusters}
    troubled = {group_of[a] for a, b in cannot if group_of[a] == group_of[b]}
    result = {record: group for record, group in group_of.items()}
    if troubled:
        result.update(_recluster_apart(group_of, troubled, edges, must, cannot))
    return _label_by_smallest_record(result)


def _recluster_apart(
    group_of: Mapping[RecordKey, str],
    troubled: set[str],
    edges: Iterable[tuple[RecordKey, RecordKey, float]],
    must: list[tuple[str, str]],
    cannot: list[tuple[str, str]],
) -> dict[RecordKey, str]:
    """Greedy constrained clustering of the groups that hold a cannot-link pair."""
    kept_apart: dict[str, set[str]] = defaultdict(set)
    for a, b in cannot:
        kept_apart[a].add(b)
        kept_apart[b].add(a)
    inside = [(a, b, p) for a, b, p in edges if group_of.get(a) in troubled and group_of.get(a) == group_of.get(b)]
    # officers' joins first (they must hold), then the model's edges strongest first
    ordered = [(a, b, float("inf")) for a, b in must if group_of[a] in troubled]
    ordered += sorted(inside, key=lambda edge: (-edge[2], edge[0], edge[1]))
    components = _UnionFind()
    records = [record for record, group in group_of.items() if group in troubled]
    members: dict[str, set[str]] = {record: {record} for record in records}  # root -> its component
    for a, b, strength in ordered:
        root_a, root_b = components.find(a), components.find(b)
        if root_a == root_b:
            continue
        if any(kept_apart[record] & members[root_b] for record in members[root_a]):
            if strength == float("inf"):
                raise ConflictingDecisionsError(
                    f"records {a} and {b} were decided the same person, but that joins "
                    "records another decision keeps apart"
                )
            continue
        components.union(a, b)
        root = components.find(a)
        members[root] = members.pop(root_a if root != root_a else root_b) | members[root]
    return {record: f"split:{components.find(record)}" for record in records}


def _label_by_smallest_record(assignment: Mapping[RecordKey, str]) -> dict[RecordKey, str]:
    if all(group <= record and assignment.get(group) == group for record, group in assignment.items()):
        # already so labelled (Splink names each cluster after its smallest record): one check costs a third of
        # labelling again at a million records
        return dict(assignment)
    smallest = _smallest_record_of(assignment)
    return {record: smallest[group] for record, group in assignment.items()}


def _smallest_record_of(assignment: Mapping[RecordKey, str]) -> dict[str, RecordKey]:
    """Each group's smallest record key (one dictionary look-up per record: this runs over a million)."""
    smallest: dict[str, RecordKey] = {}
    for record, group in assignment.items():
        current = smallest.get(group)
        if current is None or record < current:
            smallest[group] = record
    return smallest


# --- stable ids --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Merge:
    """Records of several previous people are now one person, who keeps ``person_id``."""

    person_id: PersonId
    merged_from: tuple[PersonId, ...]


@dataclass(frozen=True)
class Split:
    """Records of one previous person are now in several people (``into``; may include the old id)."""

    person_id: PersonId
    into: tuple[PersonId, ...]


@dataclass(frozen=True)
class StableIds:
    person_ids: dict[RecordKey, PersonId]
    events: list[Merge | Split]
    issued_up_to: int  # the highest id number ever issued; pass it to the next run so ids are never reused


def format_person_id(number: int, prefix: str = "TH") -> PersonId:
    return f"{prefix}{number:08d}"


def _number_of(person_id: PersonId, prefix: str) -> int:
    digits = person_id.removeprefix(prefix)
    return int(digits) if person_id.startswith(prefix) and digits.isdigit() else 0


def assign_stable_ids(
    previous: Mapping[RecordKey, PersonId],
    clusters: Mapping[RecordKey, str],
    *,
    issued_up_to: int | None = None,
    prefix: str = "TH",
) -> StableIds:
    """Give each cluster a lasting person id, reusing ``previous`` ids (record -> person id) where possible.

    A cluster keeps the previous id it shares most records with; on a tie the smallest (oldest) id wins,
    and an id goes to at most one cluster (the one holding most of its records, then the one with the
    smallest record key). Other clusters get new ids numbered after ``issued_up_to`` (by default the largest
    previous id). Merges and splits come back as events, in a deterministic order.
    """
    overlap = _Overlap(
        Counter((cluster, previous[record]) for record, cluster in clusters.items() if record in previous)
    )
    first_record = _smallest_record_of(clusters)
    chosen = overlap.kept_ids(first_record)
    counter = (
        issued_up_to if issued_up_to is not None else max((_number_of(p, prefix) for p in previous.values()), default=0)
    )
    for cluster in sorted(first_record.keys() - chosen.keys(), key=first_record.__getitem__):
        counter += 1
        chosen[cluster] = format_person_id(counter, prefix)
    person_ids = {record: chosen[cluster] for record, cluster in clusters.items()}
    return StableIds(person_ids, overlap.events(chosen), counter)


class _Overlap:
    """How many records each (new cluster, previous id) pair shares, and which pairs compete.

    A cluster that shares records with one previous id only, which shares records with no other cluster, simply
    keeps that id: nothing competes for either. Re-linking a million records leaves a few thousand pairs that do
    compete, so only those are sorted and walked in Python, and only they can be merges or splits.
    """

    def __init__(self, shared: Counter[tuple[str, PersonId]]) -> None:
        self.shared = shared
        self.ids_of_cluster = Counter(cluster for cluster, _ in shared)
        self.clusters_of_id = Counter(old_id for _, old_id in shared)
        self.contested = [
            pair for pair in shared if self.ids_of_cluster[pair[0]] > 1 or self.clusters_of_id[pair[1]] > 1
        ]

    def kept_ids(self, first_record: Mapping[str, RecordKey]) -> dict[str, PersonId]:
        """Cluster -> the previous id it keeps: greedily, most shared records first, then the smallest id, then
        the cluster with the smallest record; each previous id to one cluster at most."""
        chosen = {cluster: old_id for cluster, old_id in self.shared if self.ids_of_cluster[cluster] == 1}
        for cluster, _ in self.contested:  # a contested cluster is chosen below, not here
            chosen.pop(cluster, None)
        taken: set[PersonId] = set()
        for cluster, old_id in sorted(
            self.contested, key=lambda pair: (-self.shared[pair], pair[1], first_record[pair[0]])
        ):
            if cluster not in chosen and old_id not in taken:
                chosen[cluster] = old_id
                taken.add(old_id)
        return chosen

    def events(self, chosen: Mapping[str, PersonId]) -> list[Merge | Split]:
        """A merge where a cluster holds records of several previous ids; a split where a previous id's records
        are now in several clusters (each cluster has its own id, so several ids)."""
        old_ids_of_new: dict[PersonId, set[PersonId]] = defaultdict(set)
        new_ids_of_old: dict[PersonId, set[PersonId]] = defaultdict(set)
        for cluster, old_id in self.contested:
            if self.ids_of_cluster[cluster] > 1:
                old_ids_of_new[chosen[cluster]].add(old_id)
            if self.clusters_of_id[old_id] > 1:
                new_ids_of_old[old_id].add(chosen[cluster])
        events: list[Merge | Split] = [
            Merge(new_id, tuple(sorted(olds))) for new_id, olds in sorted(old_ids_of_new.items())
        ]
        events += [Split(old_id, tuple(sorted(news))) for old_id, news in sorted(new_ids_of_old.items())]
        return events
