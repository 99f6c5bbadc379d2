"""The learning loop: build a new model version from the repository's data plus officers' labels, promote it only
when it is not worse than the live one, roll back.

"Not worse" (docs/assistant-engine.md, "The promotion rule"): both engines are evaluated on the repository's
eval.jsonl at the moment of promotion; the candidate's in-scope accuracy, out-of-scope recall and safeguarding
recall must each be at least the live version's minus `TOLERANCE`, and if the live version found every
safeguarding concern the candidate must too. Service functions: no commit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from townhall.assistant.engine import IntentEngine, default_engine, training_data_hash
from townhall.assistant.evaluation import DATA_DIR, evaluate, load_examples
from townhall.assistant.intents import SAFEGUARDING
from townhall.assistant.labels import training_examples
from townhall.assistant.versions import CANDIDATE, LIVE, RETIRED, ModelVersion
from townhall.platform import clock
from townhall.platform.errors import Conflict, NotFound

TOLERANCE = 0.01  # one percentage point: less than one message in a hundred
GUARDED_METRICS = {
    "in_scope_accuracy": "in-scope accuracy",
    "oos_recall": "out-of-scope recall",
    "safeguarding_recall": "safeguarding recall",
}
BASELINE_REASON = "the model built from the repository's training data (a fresh installation's first model)"


@dataclass(frozen=True, slots=True)
class Comparison:
    """One guarded figure of the live version and the candidate, and the least the candidate may score."""

    metric: str
    live: float
    candidate: float
    minimum: float

    @property
    def passed(self) -> bool:
        return self.candidate >= self.minimum - 1e-12

    @property
    def label(self) -> str:
        return GUARDED_METRICS[self.metric]


class PromotionRefused(Conflict):
    """The candidate is worse than the live version; `comparisons` says where."""

    def __init__(self, version_id: int, live_id: int, comparisons: list[Comparison]) -> None:
        failed = "; ".join(
            f"{c.label} {c.candidate:.1%} is below the {c.minimum:.1%} allowed (live {c.live:.1%})"
            for c in comparisons
            if not c.passed
        )
        super().__init__(f"Version {version_id} was not promoted: it is worse than live version {live_id}: {failed}")
        self.version_id, self.live_id, self.comparisons = version_id, live_id, comparisons


@dataclass(frozen=True, slots=True)
class Promotion:
    version: ModelVersion
    previous: ModelVersion | None
    comparisons: list[Comparison]


def eval_metrics(engine: IntentEngine) -> dict[str, Any]:
    """The engine's figures on the repository's eval.jsonl, with safeguarding recall picked out."""
    metrics = evaluate(engine, load_examples(DATA_DIR / "eval.jsonl"))
    metrics["safeguarding_recall"] = metrics["per_intent"].get(SAFEGUARDING, {}).get("recall", 0.0)
    return metrics


def compare(live: dict[str, Any], candidate: dict[str, Any]) -> list[Comparison]:
    """The promotion rule applied to two sets of figures."""
    comparisons = []
    for metric in GUARDED_METRICS:
        minimum = live[metric] - TOLERANCE
        if metric == "safeguarding_recall" and live[metric] >= 1.0:
            minimum = 1.0  # never miss a concern the live model would have caught
        comparisons.append(Comparison(metric, float(live[metric]), float(candidate[metric]), max(minimum, 0.0)))
    return comparisons


def live_version(session: Session) -> ModelVersion | None:
    return session.scalar(select(ModelVersion).where(ModelVersion.status == LIVE))


def live_version_id(session: Session) -> int | None:
    """The live version's id alone: the cheap query a worker makes to notice a promotion."""
    return session.scalar(select(ModelVersion.id).where(ModelVersion.status == LIVE))


def list_versions(session: Session) -> list[ModelVersion]:
    """Every version, newest first (without their model bytes)."""
    return list(session.scalars(select(ModelVersion).order_by(ModelVersion.id.desc())))


def engine_of(version: ModelVersion) -> IntentEngine:
    return IntentEngine.from_bytes(version.model)


def store_version(
    session: Session, engine: IntentEngine, *, base_examples: int, labelled_examples: int, status: str
) -> ModelVersion:
    version = ModelVersion(
        created_at=clock.now(), method=str(engine.metadata.get("method", "")), base_examples=base_examples,
        labelled_examples=labelled_examples, data_sha256=str(engine.metadata.get("data_sha256", "")),
        metrics=eval_metrics(engine), model=engine.to_bytes(), status=status,
    )  # fmt: skip
    session.add(version)
    session.flush()
    return version


def ensure_baseline(session: Session, *, engine: IntentEngine) -> ModelVersion:
    """The live version; on a database with no versions at all, `engine` (the repository-trained one) stored live."""
    live = live_version(session)
    if live is not None:
        return live
    if session.scalar(select(ModelVersion.id).limit(1)) is not None:
        raise Conflict("No model version is live; make one live with: townhall assistant promote --version N")
    base = len(load_examples(DATA_DIR / "train.jsonl"))
    version = store_version(session, engine, base_examples=base, labelled_examples=0, status=LIVE)
    version.promoted_at, version.promoted_by, version.reason = version.created_at, "townhall", BASELINE_REASON
    session.flush()
    return version


def train_candidate(session: Session, *, method: str, baseline: Callable[[], IntentEngine]) -> ModelVersion:
    """A new candidate trained on train.jsonl plus every labelled example, with its figures on eval.jsonl.

    On a database with no version yet, `baseline()` (the repository-trained engine) is stored as the first live
    version, so that the candidate has something to be compared with and rolled back to.
    """
    if live_version(session) is None:
        ensure_baseline(session, engine=baseline())
    base = load_examples(DATA_DIR / "train.jsonl")
    labelled = training_examples(session)
    rows = base + labelled
    texts, intents = [row["text"] for row in rows], [row["intent"] for row in rows]
    engine = default_engine(method).fit(texts, intents)
    assert engine.metadata["data_sha256"] == training_data_hash(texts, intents)
    return store_version(session, engine, base_examples=len(base), labelled_examples=len(labelled), status=CANDIDATE)


def _candidate(session: Session, version_id: int | None) -> ModelVersion:
    if version_id is None:
        newest = session.scalar(
            select(ModelVersion).where(ModelVersion.status == CANDIDATE).order_by(ModelVersion.id.desc()).limit(1)
        )
        if newest is None:
            raise Conflict("There is no candidate to promote; build one with: townhall assistant train")
        return newest
    chosen = session.get(ModelVersion, version_id)
    if chosen is None:
        raise NotFound(f"There is no model version {version_id}")
    if chosen.status == LIVE:
        raise Conflict(f"Version {version_id} is already live")
    return chosen


def promote(
    session: Session, *, version_id: int | None, by: str, reason: str | None = None, now: datetime | None = None
) -> Promotion:
    """Make a candidate (the newest, or `version_id`) live if it is not worse than the live version.

    Raises PromotionRefused, carrying the comparison, when it is worse.
    """
    candidate = _candidate(session, version_id)
    live = live_version(session)
    comparisons: list[Comparison] = []
    if live is not None:
        comparisons = compare(eval_metrics(engine_of(live)), eval_metrics(engine_of(candidate)))
        if not all(comparison.passed for comparison in comparisons):
            raise PromotionRefused(candidate.id, live.id, comparisons)
        live.status = RETIRED
        session.flush()  # one live version at a time, even for a moment
    candidate.status, candidate.promoted_at, candidate.promoted_by = LIVE, now or clock.now(), by
    candidate.rolled_back_at = None
    candidate.reason = reason or (f"not worse than version {live.id} on eval.jsonl" if live else "first version")
    session.flush()
    return Promotion(candidate, live, comparisons)


def rollback(session: Session, *, by: str, now: datetime | None = None) -> tuple[ModelVersion, ModelVersion]:
    """Take the live version out of service and make the version that was live before it live again.

    Returns (the version rolled back, the version now live).
    """
    live = live_version(session)
    if live is None or live.promoted_at is None:
        raise Conflict("No model version is live, so there is nothing to roll back")
    previous = session.scalar(
        select(ModelVersion)
        .where(
            ModelVersion.status == RETIRED, ModelVersion.promoted_at.is_not(None),
            ModelVersion.promoted_at < live.promoted_at, ModelVersion.rolled_back_at.is_(None),
        )
        .order_by(ModelVersion.promoted_at.desc(), ModelVersion.id.desc())
        .limit(1)
    )  # fmt: skip
    if previous is None:
        raise Conflict(f"Version {live.id} is the first version that was live: there is nothing to roll back to")
    moment = now or clock.now()
    live.status, live.rolled_back_at = RETIRED, moment
    session.flush()
    previous.status = LIVE
    previous.reason = f"live again: {by} rolled back version {live.id} on {moment:%d %B %Y at %H:%M} UTC"
    session.flush()
    return live, previous
