"""Turning messages into numbers: the featurisers the intent engine can be trained with.

`tfidf` needs only scikit-learn and is the product default. `minilm` (sentence embeddings from the packaged
all-MiniLM-L6-v2 model) needs the optional `assistant-embeddings` extra with torch; `tfidf+minilm` joins both.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

FEATURE_SETS = ("tfidf", "minilm", "tfidf+minilm")


class Featurizer(Protocol):
    name: str

    def fit(self, texts: Sequence[str]) -> None: ...

    def transform(self, texts: Sequence[str]) -> Any: ...


class TfidfFeaturizer:
    """Word uni- and bigrams plus character 2-5-grams within words.

    Character n-grams carry the typos and text-speak residents write ("recyling", "wen is bin day"), and words
    carry the phrases; sublinear term frequency stops a long rambling message from drowning its key words.
    """

    name = "tfidf"

    def __init__(self) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        words = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1, strip_accents="unicode")
        chars = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=1, strip_accents="unicode"
        )
        # Two vectorisers side by side rather than a FeatureUnion: its parallel machinery costs more than the
        # transform itself when a resident's single message is scored.
        self._parts = (words, chars)

    def fit(self, texts: Sequence[str]) -> None:
        for part in self._parts:
            part.fit(list(texts))

    def transform(self, texts: Sequence[str]) -> Any:
        from scipy import sparse  # type: ignore[import-untyped]

        return sparse.hstack([part.transform(list(texts)) for part in self._parts], format="csr")


class CombinedFeaturizer:
    """TF-IDF and sentence embeddings side by side; the embeddings are dense, so the result is made sparse."""

    def __init__(self, parts: Sequence[Featurizer]) -> None:
        self._parts = list(parts)
        self.name = "+".join(part.name for part in self._parts)

    def fit(self, texts: Sequence[str]) -> None:
        for part in self._parts:
            part.fit(texts)

    def transform(self, texts: Sequence[str]) -> Any:
        from scipy import sparse

        return sparse.hstack([sparse.csr_matrix(part.transform(texts)) for part in self._parts]).tocsr()


def make_featurizer(name: str) -> Featurizer:
    """The featuriser called `name` (one of FEATURE_SETS); embedding ones import torch only when used."""
    if name == "tfidf":
        return TfidfFeaturizer()
    if name == "minilm":
        from townhall.assistant.embeddings import SentenceEmbeddingFeaturizer

        return SentenceEmbeddingFeaturizer()
    if name == "tfidf+minilm":
        from townhall.assistant.embeddings import SentenceEmbeddingFeaturizer

        return CombinedFeaturizer([TfidfFeaturizer(), SentenceEmbeddingFeaturizer()])
    raise ValueError(f"unknown feature set {name!r}; choose one of {', '.join(FEATURE_SETS)}")
