"""The intent engine: which of a fixed set of intents a resident's message expresses, and how sure we are.

A linear classifier over features of the text (TF-IDF beside MiniLM sentence embeddings by default; see
docs/assistant-engine.md for the measurements that chose it), trained with an out-of-scope class, plus a
confidence threshold tuned on held-out data: a message whose best intent is below the threshold is treated as out
of scope. Intents named as priorities (safeguarding concerns) win at a lower bar, because missing one costs far
more than a false alarm.
"""

from __future__ import annotations

import hashlib
import io
import pickle
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import sklearn
from numpy.typing import NDArray
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

from townhall.assistant.calibration import TemperatureScaledClassifier, fit_temperature, softmax
from townhall.assistant.features import Featurizer, make_featurizer
from townhall.assistant.thresholds import ThresholdChoice, best_threshold, priority_bar, threshold_within_budget

FORMAT_MAGIC = b"townhall-intent-engine/1\n"
IN_SCOPE_BUDGET = 0.005  # the static engine's threshold rule: see docs/assistant-engine.md
DEFAULT_C_GRID = (0.3, 1.0, 3.0)  # for the SVM; logistic regression wants larger values (3, 10, 30)


@dataclass(frozen=True, slots=True)
class Method:
    """A product engine configuration: what it reads, how it classifies and how its threshold is chosen."""

    features: str
    classifier: str
    c_grid: tuple[float, ...] = DEFAULT_C_GRID
    in_scope_budget: float | None = None  # None: the balanced threshold; see thresholds.threshold_within_budget


METHODS = {
    "tfidf+svm": Method("tfidf", "svm"),
    # Logistic regression, not the SVM: its probabilities rank out-of-scope messages better (CLINC150, see
    # docs/assistant-engine.md). One C because each fit costs seconds: 30, the best of 3/10/30 for TF-IDF alone in
    # an earlier scratch run, not searched again for these features.
    "tfidf+static+logreg": Method("tfidf+static", "logreg", c_grid=(30.0,), in_scope_budget=IN_SCOPE_BUDGET),
    "tfidf+minilm+svm": Method("tfidf+minilm", "svm"),
    # The same model run by ONNX Runtime with int8 weights: no torch, and about a fifth of the time a message
    "tfidf+minilm-onnx+svm": Method("tfidf+minilm-onnx", "svm"),
}
DEFAULT_METHOD = "tfidf+minilm-onnx+svm"  # the measurements: docs/assistant-engine.md
ALTERNATIVES = 3


@dataclass(frozen=True, slots=True)
class Prediction:
    intent: str
    confidence: float  # probability of `intent` (for out of scope, of the model's own out-of-scope class)
    alternatives: tuple[tuple[str, float], ...] = ()  # the next most likely intents, best first


@dataclass(frozen=True, slots=True)
class HeldOut:
    """What one value of C scored on data the model did not train on."""

    c_value: float
    temperature: float
    truth: list[str]
    labels: list[str]
    probabilities: NDArray[np.float64]
    choice: ThresholdChoice


class EngineNotTrainedError(RuntimeError):
    """predict or to_bytes was called before fit."""


class IntentEngine:
    """Trainable on any list of (text, intent) pairs that includes an out-of-scope class."""

    def __init__(
        self,
        *,
        features: str = "tfidf",
        classifier: str = "svm",
        c_grid: Sequence[float] = DEFAULT_C_GRID,
        priority_intents: Sequence[str] = (),
        folds: int = 5,
        seed: int = 0,
        in_scope_budget: float | None = None,
    ) -> None:
        self.features = features
        self.classifier = classifier
        self.c_grid = tuple(c_grid)
        self.priority_intents = tuple(priority_intents)
        self.folds = folds
        self.seed = seed
        # None: the threshold with the best balanced score; a number: the highest threshold that costs at most
        # this much held-out in-scope accuracy (thresholds.threshold_within_budget)
        self.in_scope_budget = in_scope_budget
        self.oos_label = "out_of_scope"
        self.threshold = 0.0
        self.priority_bars: dict[str, float] = {}
        self.metadata: dict[str, Any] = {}
        self._featurizer: Featurizer | None = None
        self._model: Any = None
        self._labels: list[str] = []

    # training -------------------------------------------------------------------------------------------

    def fit(
        self,
        texts: Sequence[str],
        intents: Sequence[str],
        *,
        oos_label: str = "out_of_scope",
        validation: tuple[Sequence[str], Sequence[str]] | None = None,
    ) -> IntentEngine:
        """Train, choosing C and the threshold on `validation` if given, else by cross-validation."""
        if len(texts) != len(intents):
            raise ValueError("texts and intents must be the same length")
        if oos_label not in intents:
            raise ValueError(f"the training data has no {oos_label!r} examples to learn out of scope from")
        self.oos_label = oos_label
        featurizer = make_featurizer(self.features)
        featurizer.fit(texts)
        matrix = featurizer.transform(texts)
        # One BLAS thread: L-BFGS (logistic regression) makes hundreds of small BLAS calls, and OpenBLAS's thread
        # hand-offs cost more than they save; on 2 shared cores they made the static engine's fit 3-4x slower.
        with threadpool_limits(limits=1, user_api="blas"):
            held_out = [self._held_out(matrix, intents, featurizer, validation, c) for c in self.c_grid]
            best = max(held_out, key=lambda candidate: candidate.choice.score)  # first (smallest C) wins ties
            fitted = self._make_classifier(best.c_value).fit(matrix, list(intents))
        self.threshold = best.choice.threshold
        self.priority_bars = {
            intent: priority_bar(best.probabilities, best.labels, best.truth, intent, ceiling=self.threshold)
            for intent in self.priority_intents
            if intent in best.labels
        }
        self._model = self._probabilistic(fitted, best)
        self._featurizer = featurizer
        self._labels = [str(label) for label in self._model.classes_]
        self.metadata = self._describe(texts, intents, best, validation is not None)
        return self

    def _held_out(
        self,
        matrix: Any,
        intents: Sequence[str],
        featurizer: Featurizer,
        validation: tuple[Sequence[str], Sequence[str]] | None,
        c_value: float,
    ) -> HeldOut:
        """Probabilities for data the model did not train on, with the temperature that calibrates them."""
        if validation is not None:
            model = self._make_classifier(c_value).fit(matrix, list(intents))
            truth = list(validation[1])
            labels = [str(label) for label in model.classes_]
            scores = self._scores(model, featurizer.transform(validation[0]))
        else:
            truth, labels = list(intents), sorted(set(intents))  # cross_val_predict orders columns like classes_
            scores = self._cross_validated(matrix, intents, c_value)
        temperature = fit_temperature(scores, labels, truth) if self.classifier == "svm" else 1.0
        probabilities = softmax(scores, temperature) if self.classifier == "svm" else scores
        if self.in_scope_budget is None:
            choice = best_threshold(probabilities, labels, truth, self.oos_label)
        else:
            choice = threshold_within_budget(probabilities, labels, truth, self.oos_label, self.in_scope_budget)
        return HeldOut(c_value, temperature, truth, labels, probabilities, choice)

    def _cross_validated(self, matrix: Any, intents: Sequence[str], c_value: float) -> NDArray[np.float64]:
        # The featuriser was fitted on all the data once; refitting TF-IDF per fold changes only idf weights
        # and would mean encoding every message again for the embedding featurisers.
        from sklearn.model_selection import StratifiedKFold, cross_val_predict

        folds = StratifiedKFold(n_splits=self.folds, shuffle=True, random_state=self.seed)
        method = "decision_function" if self.classifier == "svm" else "predict_proba"
        model = self._make_classifier(c_value)
        return _as_columns(cross_val_predict(model, matrix, list(intents), cv=folds, method=method))

    def _scores(self, model: Any, matrix: Any) -> NDArray[np.float64]:
        if self.classifier == "svm":
            return _as_columns(model.decision_function(matrix))
        return np.asarray(model.predict_proba(matrix), dtype=np.float64)

    def _probabilistic(self, model: Any, held_out: HeldOut) -> Any:
        return TemperatureScaledClassifier(model, held_out.temperature) if self.classifier == "svm" else model

    def _make_classifier(self, c_value: float) -> Any:
        if self.classifier == "logreg":
            from sklearn.linear_model import LogisticRegression

            return LogisticRegression(C=c_value, max_iter=3000)
        if self.classifier == "svm":
            from sklearn.svm import LinearSVC

            return LinearSVC(C=c_value, random_state=self.seed)  # the same data trains the same model
        raise ValueError(f"unknown classifier {self.classifier!r}; choose logreg or svm")

    def _describe(self, texts: Sequence[str], intents: Sequence[str], best: HeldOut, validated: bool) -> dict[str, Any]:
        import sklearn

        return {
            "method": f"{self.features} + {self.classifier}",
            "c": best.c_value,
            "temperature": round(best.temperature, 4),
            "threshold": self.threshold,
            "threshold_rule": "balanced"
            if self.in_scope_budget is None
            else f"in-scope budget {self.in_scope_budget:g}",
            "priority_bars": dict(self.priority_bars),
            "tuned_on": "validation set" if validated else f"{self.folds}-fold cross-validation",
            "tuning_balanced_score": round(best.choice.score, 4),
            "training_size": len(texts),
            "intents": len(set(intents)),
            "data_sha256": training_data_hash(texts, intents),
            "scikit_learn": sklearn.__version__,
        }

    # prediction -----------------------------------------------------------------------------------------

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        """One prediction per message, with the threshold and priority bars applied."""
        probabilities = self.predict_proba(texts)
        return [self._decide(row) for row in probabilities]

    def predict_proba(self, texts: Sequence[str]) -> NDArray[np.float64]:
        """Raw class probabilities, columns in the order of `labels`."""
        if self._model is None or self._featurizer is None:
            raise EngineNotTrainedError("train the engine with fit() first")
        # The matrix comes from our own featurizer, so scikit-learn's per-call input and parameter checks can only
        # cost time (they are most of a one-message predict).
        with sklearn.config_context(assume_finite=True, skip_parameter_validation=True):
            matrix = self._featurizer.transform(texts)
            return np.asarray(self._model.predict_proba(matrix), dtype=np.float64)

    @property
    def labels(self) -> list[str]:
        return list(self._labels)

    def _decide(self, row: NDArray[np.float64]) -> Prediction:
        order = np.argsort(row)[::-1]
        ranked = [(self._labels[index], float(row[index])) for index in order]
        intent, confidence = ranked[0]
        for priority, bar in self.priority_bars.items():
            chance = float(row[self._labels.index(priority)])
            if chance >= bar and intent != priority:
                intent, confidence = priority, chance
                break
        if intent != self.oos_label and confidence < self.threshold and intent not in self.priority_bars:
            intent = self.oos_label
            confidence = float(row[self._labels.index(self.oos_label)])
        alternatives = tuple((label, p) for label, p in ranked if label != intent)[:ALTERNATIVES]
        return Prediction(intent, confidence, alternatives)

    # storage --------------------------------------------------------------------------------------------

    def to_bytes(self) -> bytes:
        """The trained engine as bytes, to keep a version in the database.

        Pickle, so loading runs code: from_bytes must only ever be given bytes this project produced and
        stored itself (the model registry table), never anything uploaded or fetched.
        """
        if self._model is None:
            raise EngineNotTrainedError("train the engine with fit() before storing it")
        buffer = io.BytesIO()
        buffer.write(FORMAT_MAGIC)
        pickle.dump(self, buffer, protocol=pickle.HIGHEST_PROTOCOL)
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> IntentEngine:
        """An engine stored with to_bytes. Trusted input only: see to_bytes."""
        if not data.startswith(FORMAT_MAGIC):
            raise ValueError("these bytes are not a stored Townhall intent engine")
        engine = pickle.loads(data[len(FORMAT_MAGIC) :])  # noqa: S301 - our own artefacts only
        if not isinstance(engine, cls):
            raise ValueError("the stored object is not an intent engine")
        return engine


def training_data_hash(texts: Sequence[str], intents: Sequence[str]) -> str:
    """A fingerprint of the training data that ignores its order, to tell which data trained a version."""
    lines = sorted(f"{text}\t{intent}" for text, intent in zip(texts, intents, strict=True))
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def _as_columns(scores: Any) -> NDArray[np.float64]:
    """Scores with one column per class, also for two classes where scikit-learn gives a single column."""
    array = np.asarray(scores, dtype=np.float64)
    return np.column_stack([-array, array]) if array.ndim == 1 else array


def make_engine(method: str, priority_intents: Sequence[str] = ()) -> IntentEngine:
    """An untrained engine configured as `method` (one of METHODS), for any data set (CLINC150's too)."""
    if method not in METHODS:
        raise ValueError(f"unknown assistant method {method!r}; choose one of {', '.join(METHODS)}")
    spec = METHODS[method]
    return IntentEngine(
        features=spec.features,
        classifier=spec.classifier,
        c_grid=spec.c_grid,
        priority_intents=priority_intents,
        in_scope_budget=spec.in_scope_budget,
    )


def default_engine(method: str = DEFAULT_METHOD) -> IntentEngine:
    """The engine the product uses, safeguarding as a priority intent.

    None needs torch except `tfidf+minilm+svm`: `tfidf+minilm-onnx+svm` (the default) runs MiniLM with ONNX Runtime
    from the model shipped in the package, and `tfidf+static+logreg` reads static vectors shipped there too;
    `tfidf+minilm+svm` runs MiniLM in torch and needs the optional `assistant-embeddings` extra.
    """
    from townhall.assistant.intents import SAFEGUARDING

    return make_engine(method, (SAFEGUARDING,))
