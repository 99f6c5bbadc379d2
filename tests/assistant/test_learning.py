"""The learning loop's service layer on both databases: train, promote (or refuse), roll back, serve the live one."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.assistant.learning_factories import make_conversation
from townhall.assistant import learning
from townhall.assistant.engine import IntentEngine
from townhall.assistant.engine_store import forget_live_engines, live_engine
from townhall.assistant.evaluation import DATA_DIR, load_examples
from townhall.assistant.labels import label_message, training_examples
from townhall.assistant.versions import CANDIDATE, LIVE, RETIRED, ModelVersion
from townhall.config import Settings
from townhall.platform.errors import Conflict, InvalidInput, NotFound

FIGURES = {"in_scope_accuracy": 0.95, "oos_recall": 0.90, "safeguarding_recall": 1.0}


@pytest.fixture(autouse=True)
def _no_cached_versions() -> Iterator[None]:
    """Versions made in a rolled-back test must not stay cached for the next test."""
    forget_live_engines()
    yield
    forget_live_engines()


def test_the_rule_allows_a_point_less_but_never_a_missed_safeguarding_concern() -> None:
    same = learning.compare(FIGURES, dict(FIGURES))
    assert all(c.passed for c in same)
    slightly = learning.compare(FIGURES, {**FIGURES, "in_scope_accuracy": 0.941, "oos_recall": 0.891})
    assert all(c.passed for c in slightly)
    worse = learning.compare(FIGURES, {**FIGURES, "oos_recall": 0.885})
    assert [c.metric for c in worse if not c.passed] == ["oos_recall"]
    one_missed = learning.compare(FIGURES, {**FIGURES, "safeguarding_recall": 0.995})
    assert [c.metric for c in one_missed if not c.passed] == ["safeguarding_recall"]
    below_perfect = learning.compare({**FIGURES, "safeguarding_recall": 0.9}, {**FIGURES, "safeguarding_recall": 0.89})
    assert all(c.passed for c in below_perfect)


def _label_safeguarding_as_greetings(session: Session) -> int:
    """Deliberately wrong labels: half the training set's safeguarding sentences, twice each, called greetings."""
    texts = [row["text"] for row in load_examples(DATA_DIR / "train.jsonl") if row["intent"] == "safeguarding.concern"]
    labelled = 0
    for text in texts[::2] * 2:
        _, messages = make_conversation(session, [("resident", text, "safeguarding.concern", 0.9)])
        label_message(session, message_id=messages[0].id, intent="greeting", labelled_by=None)
        labelled += 1
    return labelled


def test_train_on_poor_labels_is_refused_a_good_one_promoted_then_rolled_back(
    session: Session, product_engine: IntentEngine
) -> None:
    labelled = _label_safeguarding_as_greetings(session)
    poor = learning.train_candidate(session, method="tfidf+svm", baseline=lambda: product_engine)
    baseline = learning.live_version(session)
    assert baseline is not None and baseline.id != poor.id and baseline.reason == learning.BASELINE_REASON
    repository_examples = len(load_examples(DATA_DIR / "train.jsonl"))
    assert poor.status == CANDIDATE and (poor.base_examples, poor.labelled_examples) == (repository_examples, labelled)
    assert set(poor.metrics) >= {"n", "in_scope_accuracy", "oos_recall", "safeguarding_recall", "per_intent"}
    assert poor.metrics["n"] == len(load_examples(DATA_DIR / "eval.jsonl"))

    with pytest.raises(learning.PromotionRefused) as refused:
        learning.promote(session, version_id=None, by="test")
    failed = {c.metric for c in refused.value.comparisons if not c.passed}
    assert "safeguarding_recall" in failed and "safeguarding recall" in refused.value.message
    assert learning.live_version(session) is baseline and poor.status == CANDIDATE

    good = learning.store_version(
        session, product_engine, base_examples=repository_examples, labelled_examples=0, status=CANDIDATE
    )
    promoted = learning.promote(session, version_id=good.id, by="test", reason="same data, new build")
    assert promoted.previous is baseline and all(c.passed for c in promoted.comparisons)
    assert (good.status, baseline.status, good.reason) == (LIVE, RETIRED, "same data, new build")
    assert session.scalars(select(ModelVersion.id).where(ModelVersion.status == LIVE)).all() == [good.id]

    rolled_back, now_live = learning.rollback(session, by="test")
    assert (rolled_back, now_live) == (good, baseline)
    assert good.status == RETIRED and good.rolled_back_at is not None and baseline.status == LIVE
    with pytest.raises(Conflict, match="nothing to roll back to"):
        learning.rollback(session, by="test")


def test_promote_and_rollback_say_why_when_there_is_nothing_to_do(session: Session) -> None:
    with pytest.raises(Conflict, match="no candidate"):
        learning.promote(session, version_id=None, by="test")
    with pytest.raises(NotFound, match="no model version 999999"):
        learning.promote(session, version_id=999_999, by="test")
    with pytest.raises(Conflict, match="nothing to roll back"):
        learning.rollback(session, by="test")


def test_labels_are_one_per_message_and_relabelling_replaces(session: Session) -> None:
    _, messages = make_conversation(session, [("resident", "my wheelie bin was nicked", "out_of_scope", 0.6),
                                              ("assistant", "I cannot help with that here.", None, None)])  # fmt: skip
    label_message(session, message_id=messages[0].id, intent="bins.missed", labelled_by=None)
    label_message(session, message_id=messages[0].id, intent="bins.new_container", labelled_by=None)
    assert {"text": "my wheelie bin was nicked", "intent": "bins.new_container"} in training_examples(session)
    assert sum(row["text"] == "my wheelie bin was nicked" for row in training_examples(session)) == 1
    with pytest.raises(InvalidInput, match="not one of the assistant's intents"):
        label_message(session, message_id=messages[0].id, intent="bins.stolen", labelled_by=None)
    with pytest.raises(NotFound):
        label_message(session, message_id=messages[1].id, intent="greeting", labelled_by=None)


def test_the_live_engine_is_the_promoted_version_and_a_promotion_is_noticed(
    session: Session, product_engine: IntentEngine
) -> None:
    settings = Settings(environment="test", assistant_model_check_seconds=0)
    assert live_engine(session, settings=settings) is product_engine  # no version yet: the repository's engine
    learning.ensure_baseline(session, engine=product_engine)
    first = live_engine(session, settings=settings)
    assert first is not product_engine and first.metadata == product_engine.metadata
    assert live_engine(session, settings=settings) is first  # same version: not loaded again
    candidate = learning.store_version(session, product_engine, base_examples=1, labelled_examples=0, status=CANDIDATE)
    learning.promote(session, version_id=candidate.id, by="test")
    assert live_engine(session, settings=settings) is not first
    cached = Settings(environment="test", assistant_model_check_seconds=60)
    noticed = live_engine(session, settings=cached)
    learning.rollback(session, by="test")
    assert live_engine(session, settings=cached) is noticed  # not asked again within the minute
