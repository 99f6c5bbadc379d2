"""Turning messages into numbers: the featurisers the intent engine can be trained with.

`tfidf` needs only scikit-learn. `static` (mean word-piece vectors distilled from all-MiniLM-L6-v2, shipped in
the package) needs numpy, tokenizers and safetensors; `tfidf+static` joins them. `minilm-onnx` (all-MiniLM-L6-v2
exported to ONNX with int8 weights, shipped in the package) needs onnxruntime and tokenizers; `tfidf+minilm-onnx`
joins it to TF-IDF. `minilm` (the packaged all-MiniLM-L6-v2 model itself, in torch) needs the optional
`assistant-embeddings` extra; `tfidf+minilm` joins it to TF-IDF.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

FEATURE_SETS = ("tfidf", "static", "tfidf+static", "minilm", "tfidf+minilm", "minilm-onnx", "tfidf+minilm-onnx")
# How much the static embedding block counts beside TF-IDF (whose two blocks are each of unit length).
STATIC_WEIGHT = 2.0  # measured: 1, 2, 3 (docs/assistant-engine.md)


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
    if name in ("static", "tfidf+static"):
        from townhall.assistant.static_embeddings import StaticEmbeddingFeaturizer

        static = StaticEmbeddingFeaturizer(weight=STATIC_WEIGHT)
        return static if name == "static" else CombinedFeaturizer([TfidfFeaturizer(), static])
    if name in ("minilm-onnx", "tfidf+minilm-onnx"):
        from townhall.assistant.onnx_embeddings import OnnxSentenceEmbeddingFeaturizer

        onnx = OnnxSentenceEmbeddingFeaturizer()
        return onnx if name == "minilm-onnx" else CombinedFeaturizer([TfidfFeaturizer(), onnx])
    if name == "minilm":
        from townhall.assistant.embeddings import SentenceEmbeddingFeaturizer

        return SentenceEmbeddingFeaturizer()
    if name == "tfidf+minilm":
        from townhall.assistant.embeddings import SentenceEmbeddingFeaturizer

        return CombinedFeaturizer([TfidfFeaturizer(), SentenceEmbeddingFeaturizer()])
    raise ValueError(f"unknown feature set {name!r}; choose one of {', '.join(FEATURE_SETS)}")
