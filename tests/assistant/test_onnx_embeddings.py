"""The shipped ONNX MiniLM: its checksum, its embeddings against MiniLM's own in torch, and an engine that uses it."""

import numpy as np
import pytest

from tests.assistant.shipped_models import SAMPLE_MESSAGES, checksum_named_in_readme
from tests.assistant.test_engine import assert_embedding_engine_trains_predicts_and_round_trips
from townhall.assistant.onnx_embeddings import (
    ONNX_MODEL_DIR,
    OnnxSentenceEmbeddingFeaturizer,
    encode,
    load_encoder,
    model_sha256,
)


def test_the_shipped_model_is_the_one_the_readme_names() -> None:
    assert model_sha256() == checksum_named_in_readme(ONNX_MODEL_DIR, "model.onnx")


def test_the_shipped_model_is_small() -> None:
    assert (ONNX_MODEL_DIR / "model.onnx").stat().st_size < 25_000_000


def test_embeddings_are_unit_length_rows_in_the_order_given() -> None:
    together = encode(load_encoder(), SAMPLE_MESSAGES)
    assert together.shape == (len(SAMPLE_MESSAGES), 384)
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-4)
    alone = np.vstack([encode(load_encoder(), [text]) for text in SAMPLE_MESSAGES])
    np.testing.assert_allclose(together, alone, atol=1e-6)  # each message is encoded alone, as in service


def test_embeddings_agree_with_minilm_in_torch() -> None:
    """int8 weights move the embeddings a little; they must stay close to the float model's own."""
    pytest.importorskip("sentence_transformers")
    from townhall.assistant.embeddings import SentenceEmbeddingFeaturizer

    texts = SAMPLE_MESSAGES[:6]
    cosines = (encode(load_encoder(), texts) * SentenceEmbeddingFeaturizer().transform(texts)).sum(axis=1)
    assert cosines.min() > 0.93 and np.median(cosines) > 0.98, cosines


def test_different_meanings_are_further_apart_than_rephrasings() -> None:
    bins, rephrased, unrelated = encode(
        load_encoder(), ["when is my bin collected", "what day do the bins get emptied", "my passport expired"]
    )
    assert bins @ rephrased > bins @ unrelated + 0.2


def test_an_engine_with_onnx_features_trains_predicts_and_round_trips() -> None:
    assert_embedding_engine_trains_predicts_and_round_trips("tfidf+minilm-onnx")


def test_an_engine_refuses_a_model_it_was_not_trained_with() -> None:
    featurizer = OnnxSentenceEmbeddingFeaturizer()
    featurizer.__setstate__({"sha256": "0" * 64})  # as if the file had changed since the engine was stored
    with pytest.raises(ValueError, match="not the one this engine was trained with"):
        featurizer.transform(["bin day"])
