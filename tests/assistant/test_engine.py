import numpy as np
import pytest

from townhall.assistant.engine import EngineNotTrainedError, IntentEngine, Prediction, training_data_hash

BINS = ["when is my bin day", "what day are bins collected", "bin collection day", "which bin this week"]
TAX = [
    "what council tax band am i",
    "council tax band lookup",
    "my council tax band",
    "which band is my house",
]
OTHER = [
    "renew my passport",
    "what is the weather",
    "tell me a joke",
    "capital of france",
    "car tax",
    "tv licence",
]


def make_data(repeat: int = 3) -> tuple[list[str], list[str]]:
    texts, intents = [], []
    for _ in range(repeat):
        for group, label in ((BINS, "bins"), (TAX, "tax"), (OTHER, "oos")):
            texts += group
            intents += [label] * len(group)
    return texts, intents


def assert_embedding_engine_trains_predicts_and_round_trips(features: str) -> None:
    """An engine with embedding features learns the toy intents, and a stored copy stays small and agrees."""
    texts, intents = make_data()
    engine = IntentEngine(features=features, c_grid=(1.0,), folds=3).fit(texts, intents, oos_label="oos")
    assert [p.intent for p in engine.predict(["when will the bin men come", "council tax band for my house"])] == [
        "bins",
        "tax",
    ]
    stored = engine.to_bytes()
    assert len(stored) < 1_000_000  # the model stays in the package, not in every stored version
    loaded = IntentEngine.from_bytes(stored)
    np.testing.assert_allclose(loaded.predict_proba(["bin day"]), engine.predict_proba(["bin day"]))


def trained_engine() -> IntentEngine:
    texts, intents = make_data()
    return IntentEngine(c_grid=(10.0,), folds=3).fit(texts, intents, oos_label="oos")


def test_predicts_the_intent_of_a_new_phrasing() -> None:
    engine = trained_engine()
    [bins, tax] = engine.predict(["when is bin collection", "council tax band for my house"])
    assert bins.intent == "bins"
    assert tax.intent == "tax"
    assert 0.0 <= bins.confidence <= 1.0


def test_alternatives_are_other_intents_best_first() -> None:
    [prediction] = trained_engine().predict(["when is my bin day"])
    assert prediction.intent not in [label for label, _ in prediction.alternatives]
    chances = [chance for _, chance in prediction.alternatives]
    assert chances == sorted(chances, reverse=True)


def test_a_message_below_the_threshold_is_out_of_scope() -> None:
    engine = trained_engine()
    engine.threshold = 1.01  # nothing can be that sure
    [prediction] = engine.predict(["when is my bin day"])
    assert prediction.intent == "oos"


def test_a_priority_intent_wins_above_its_bar_even_when_not_top() -> None:
    engine = trained_engine()
    engine.priority_bars = {"tax": 0.0}
    assert [p.intent for p in engine.predict(["tell me a joke", "when is my bin day"])] == ["tax", "tax"]


def test_round_trip_through_bytes_gives_the_same_predictions() -> None:
    engine = trained_engine()
    copy = IntentEngine.from_bytes(engine.to_bytes())
    messages = ["bin day?", "band for my house", "weather"]
    assert copy.predict(messages) == engine.predict(messages)
    assert copy.metadata == engine.metadata


def test_from_bytes_refuses_anything_else() -> None:
    with pytest.raises(ValueError, match="not a stored"):
        IntentEngine.from_bytes(b"\x80\x05anything")


def test_metadata_describes_the_version() -> None:
    texts, intents = make_data()
    engine = IntentEngine(c_grid=(10.0,), folds=3).fit(texts, intents, oos_label="oos")
    assert engine.metadata["training_size"] == len(texts)
    assert engine.metadata["threshold"] == engine.threshold
    assert engine.metadata["data_sha256"] == training_data_hash(texts, intents)
    assert engine.metadata["method"] == "tfidf + svm"


def test_data_hash_ignores_order_but_not_labels() -> None:
    assert training_data_hash(["a", "b"], ["x", "y"]) == training_data_hash(["b", "a"], ["y", "x"])
    assert training_data_hash(["a", "b"], ["x", "y"]) != training_data_hash(["a", "b"], ["y", "x"])


def test_validation_data_tunes_instead_of_cross_validation() -> None:
    texts, intents = make_data()
    engine = IntentEngine(c_grid=(1.0, 10.0)).fit(
        texts, intents, oos_label="oos", validation=(["bin day", "my band", "joke"], ["bins", "tax", "oos"])
    )
    assert engine.metadata["tuned_on"] == "validation set"
    assert engine.metadata["c"] in (1.0, 10.0)


def test_logistic_regression_is_available_too() -> None:
    texts, intents = make_data()
    engine = IntentEngine(classifier="logreg", c_grid=(10.0,), folds=3).fit(texts, intents, oos_label="oos")
    assert isinstance(engine.predict(["bin day"])[0], Prediction)


def test_training_needs_out_of_scope_examples() -> None:
    with pytest.raises(ValueError, match="out of scope"):
        IntentEngine().fit(BINS + TAX, ["bins"] * 4 + ["tax"] * 4)


def test_prediction_before_training_is_an_error() -> None:
    with pytest.raises(EngineNotTrainedError):
        IntentEngine().predict(["hello"])


def test_default_engine_follows_the_method_setting() -> None:
    from townhall.assistant.engine import default_engine
    from townhall.config import Settings

    assert default_engine(Settings().assistant_method).features == "tfidf+minilm-onnx"
    assert default_engine("tfidf+svm").features == "tfidf"
    assert default_engine("tfidf+minilm+svm").features == "tfidf+minilm"
    static = default_engine("tfidf+static+logreg")
    assert (static.features, static.classifier, static.c_grid) == ("tfidf+static", "logreg", (30.0,))
    assert static.in_scope_budget == 0.005 and static.priority_intents == ("safeguarding.concern",)
    with pytest.raises(ValueError, match="unknown assistant method"):
        default_engine("bert")


def test_calibrated_scores_are_the_svms_decision_function() -> None:
    from townhall.assistant.calibration import TemperatureScaledClassifier

    engine = trained_engine()
    calibrated = engine._model
    assert isinstance(calibrated, TemperatureScaledClassifier)
    matrix = engine._featurizer.transform(["bin day", "what band is my house", "passport", ""])  # type: ignore[union-attr]
    np.testing.assert_allclose(calibrated.scores(matrix), calibrated.model.decision_function(matrix), atol=1e-12)
