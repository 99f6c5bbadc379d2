"""The shipped static model: its checksum, our encoding against model2vec's, and an engine that uses it."""

import numpy as np
import pytest

from tests.assistant.shipped_models import SAMPLE_MESSAGES, checksum_named_in_readme
from tests.assistant.test_engine import assert_embedding_engine_trains_predicts_and_round_trips, make_data
from townhall.assistant.engine import IntentEngine
from townhall.assistant.static_embeddings import (
    STATIC_MODEL_DIR,
    StaticEmbeddingFeaturizer,
    encode,
    load_static_model,
    vectors_sha256,
)

SAMPLE = [*SAMPLE_MESSAGES, "x" * 5000]  # one over-long word: the unknown piece, dropped


def test_the_shipped_vectors_are_the_ones_the_readme_names() -> None:
    assert vectors_sha256() == checksum_named_in_readme(STATIC_MODEL_DIR, "model.safetensors")


def test_the_shipped_model_is_small() -> None:
    assert (STATIC_MODEL_DIR / "model.safetensors").stat().st_size < 10_000_000


def test_embeddings_are_model2vecs_mean_of_word_pieces() -> None:
    model2vec = pytest.importorskip("model2vec")
    theirs = model2vec.StaticModel.from_pretrained(str(STATIC_MODEL_DIR))
    theirs.embedding = theirs.embedding.astype(np.float32)  # compare the arithmetic, not float16 rounding
    mine = encode(load_static_model(), SAMPLE)
    expected = theirs.encode(SAMPLE, use_multiprocessing=False)
    assert mine.shape == expected.shape
    np.testing.assert_allclose(mine, expected, atol=1e-5)
    assert np.allclose(np.linalg.norm(mine[:6], axis=1), 1.0)


def test_different_meanings_are_further_apart_than_rephrasings() -> None:
    bins, rephrased, unrelated = encode(
        load_static_model(), ["when is my bin collected", "what day do the bins get emptied", "my passport expired"]
    )
    assert bins @ rephrased > bins @ unrelated


def test_the_weight_scales_the_block() -> None:
    featurizer = StaticEmbeddingFeaturizer(weight=2.0)
    assert np.allclose(np.linalg.norm(featurizer.transform(["report a pothole"]), axis=1), 2.0)


def test_an_engine_with_static_features_trains_predicts_and_round_trips() -> None:
    assert_embedding_engine_trains_predicts_and_round_trips("tfidf+static")


def test_an_engine_refuses_vectors_it_was_not_trained_with() -> None:
    texts, intents = make_data()
    engine = IntentEngine(features="tfidf+static", c_grid=(1.0,), folds=3).fit(texts, intents, oos_label="oos")
    loaded = IntentEngine.from_bytes(engine.to_bytes())
    loaded._featurizer._parts[1]._sha256 = "0" * 64  # type: ignore[union-attr]  # as if the file had changed
    with pytest.raises(ValueError, match="not the one this engine was trained with"):
        loaded.predict(["bin day"])


def test_a_message_with_no_known_word_gets_no_embedding() -> None:
    featurizer = StaticEmbeddingFeaturizer(weight=2.0)
    featurizer.fit(["hii there", "thx m8"])
    rows = featurizer.transform(["qwxz plorf", "asdf jkl", "hii", "thx", "hello", "Café", "ZX1 0BL"])
    embedded = [bool(np.abs(row).sum()) for row in rows]
    # keyboard mashing and a bare postcode: no word known; training words, vocabulary words and accents: known
    assert embedded == [False, False, True, True, True, True, False]


def test_an_engine_stored_before_the_known_word_rule_embeds_every_message() -> None:
    featurizer = StaticEmbeddingFeaturizer()
    state = featurizer.__getstate__()
    del state["training_words"]  # how engines stored before the rule were pickled
    featurizer.__setstate__(state)
    assert np.abs(featurizer.transform(["qwxz plorf"])).sum() > 0
