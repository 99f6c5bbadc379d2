"""Static sentence embeddings: the mean of word-piece vectors distilled from all-MiniLM-L6-v2.

The vectors ship in `data/static_model/` (how they were made, and their checksum, in its README). A message's
embedding is the mean of its word pieces' vectors, unit length: the same arithmetic as model2vec's `encode`
(a test checks that they agree), with nothing but numpy, tokenizers and safetensors, so no torch and about
0.1 ms a message.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from townhall.platform.cache import ComputedOnce

STATIC_MODEL_DIR = Path(__file__).parent / "data" / "static_model"
VECTORS_FILE = "model.safetensors"
TOKENIZER_FILE = "tokenizer.json"
MAX_TOKENS = 512  # model2vec's default truncation; residents' messages are far shorter
# model2vec cuts a text at MAX_TOKENS times the median word-piece length before tokenising; MiniLM's is 6.
MAX_CHARACTERS = MAX_TOKENS * 6
_WORD = re.compile(r"[^\W\d_]+")  # runs of letters, in any alphabet


@dataclass(frozen=True, slots=True)
class StaticModel:
    vectors: NDArray[np.float32]
    tokenizer: Any  # tokenizers.Tokenizer
    unknown_id: int | None
    sha256: str


def vectors_sha256(directory: Path = STATIC_MODEL_DIR) -> str:
    return hashlib.sha256((directory / VECTORS_FILE).read_bytes()).hexdigest()


def load_static_model(directory: Path = STATIC_MODEL_DIR) -> StaticModel:
    """The model in `directory`, read once per process (a few MB; the vectors kept as float32 for speed)."""
    return _models.get(directory)


def _read(directory: Path) -> StaticModel:
    from safetensors.numpy import load_file
    from tokenizers import Tokenizer

    if not (directory / VECTORS_FILE).exists():
        raise FileNotFoundError(f"no static model at {directory}: see scripts/distill_static_model.py")
    vectors = np.asarray(load_file(str(directory / VECTORS_FILE))["embeddings"], dtype=np.float32)
    tokenizer = Tokenizer.from_file(str(directory / TOKENIZER_FILE))
    tokenizer.no_padding()
    tokenizer.enable_truncation(MAX_TOKENS)
    unknown = getattr(tokenizer.model, "unk_token", None)
    unknown_id = tokenizer.token_to_id(unknown) if unknown is not None else None
    return StaticModel(vectors, tokenizer, unknown_id, vectors_sha256(directory))


def encode(model: StaticModel, texts: Sequence[str]) -> NDArray[np.float32]:
    """Unit-length mean word-piece vectors, one row per text (a zero row for a text with no known piece)."""
    encodings = model.tokenizer.encode_batch_fast([text[:MAX_CHARACTERS] for text in texts], add_special_tokens=False)
    out = np.zeros((len(texts), model.vectors.shape[1]), dtype=np.float32)
    for row, encoding in enumerate(encodings):
        ids = [i for i in encoding.ids if i != model.unknown_id]
        if ids:
            out[row] = model.vectors[ids].mean(axis=0)
    norms = np.linalg.norm(out, axis=1, keepdims=True) + np.float32(1e-32)
    unit: NDArray[np.float32] = out / norms
    return unit


class StaticEmbeddingFeaturizer:
    """Static embeddings scaled by `weight`, which sets how much they count beside the TF-IDF block.

    The vectors are pretrained; fitting only records the words of the training messages. A message with no word
    that is either one of those or a whole word in the tokenizer's vocabulary gets no embedding (a zero row), so
    the classifier judges it on its TF-IDF block alone. Without that, keyboard mashing ("qwxz plorf") is a mean of
    short word pieces, which lies close to the short greetings of the training data, and nonsense was greeted
    instead of not being understood (docs/assistant-engine.md, "Gibberish").

    A stored engine keeps the weight, the training words and the vectors' checksum, not the vectors: they are read
    from the package, and a changed file is refused rather than used with a classifier trained on other vectors.
    """

    name = "static"

    def __init__(self, weight: float = 1.0, directory: Path = STATIC_MODEL_DIR) -> None:
        self.weight = weight
        self._directory = directory
        self._sha256 = load_static_model(directory).sha256
        # None (engines stored before the rule): every message is embedded
        self._training_words: frozenset[str] | None = None

    def fit(self, texts: Sequence[str]) -> None:
        self._training_words = frozenset(word for text in texts for word in words_of(text))

    def transform(self, texts: Sequence[str]) -> NDArray[np.float32]:
        model = load_static_model(self._directory)
        if model.sha256 != self._sha256:
            raise ValueError(
                "the installed static model is not the one this engine was trained with; train a new version"
            )
        embedded = encode(model, texts) * np.float32(self.weight)
        if self._training_words is not None:
            for row, text in enumerate(texts):
                if not self.has_known_word(model, text):
                    embedded[row] = 0.0
        return embedded

    def has_known_word(self, model: StaticModel, text: str) -> bool:
        """Whether any word of `text` was in the training messages or is a whole word the tokenizer knows."""
        known = self._training_words or frozenset()
        return any(word in known or model.tokenizer.token_to_id(word) is not None for word in words_of(text))

    def __getstate__(self) -> dict[str, Any]:
        words = None if self._training_words is None else sorted(self._training_words)
        return {"weight": self.weight, "sha256": self._sha256, "training_words": words}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.weight = state["weight"]
        self._sha256 = state["sha256"]
        words = state.get("training_words")
        self._training_words = None if words is None else frozenset(words)
        self._directory = STATIC_MODEL_DIR


def words_of(text: str) -> list[str]:
    """The lower-case words of a message, as the uncased tokenizer's vocabulary spells whole words."""
    decomposed = unicodedata.normalize("NFKD", text[:MAX_CHARACTERS].lower())
    return _WORD.findall("".join(character for character in decomposed if not unicodedata.combining(character)))


_models: ComputedOnce[Path, StaticModel] = ComputedOnce(_read)
