"""How good is a clustering? Pairwise and B-cubed precision, recall and F1 against ground truth, and
masked explanations of the pairs the model got wrong, for a person to read.

Pair counts come from the sizes of groups (a cluster of n records holds n(n-1)/2 pairs), so a million
records are scored in seconds without listing a single pair.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    f1: float

    def __str__(self) -> str:
        return f"precision {self.precision:.4f}  recall {self.recall:.4f}  F1 {self.f1:.4f}"


def _f1(precision: float, recall: float) -> float:
    return 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)


def _pairs(sizes: np.ndarray) -> int:
    return int((sizes.astype("int64") * (sizes.astype("int64") - 1) // 2).sum())


def _aligned(predicted: pd.Series, truth: pd.Series) -> pd.DataFrame:
    """Both labelings on the records they share, by index (record key)."""
    import pandas as pd

    frame = pd.DataFrame({"predicted": predicted, "truth": truth}).dropna()
    if len(frame) != len(predicted) or len(frame) != len(truth):
        raise ValueError("predicted clusters and ground truth must label exactly the same records")
    return frame


def pairwise_scores(predicted: pd.Series, truth: pd.Series) -> Scores:
    """Precision and recall over record pairs: a pair is predicted if its two records share a cluster.

    ``predicted`` and ``truth`` are Series of cluster ids and true person ids indexed by the same record keys.
    With no predicted (or no true) pairs, precision (or recall) is 1: there was nothing to get wrong.
    """
    frame = _aligned(predicted, truth)
    both = _pairs(frame.groupby(["predicted", "truth"]).size().to_numpy())
    predicted_pairs = _pairs(frame.groupby("predicted").size().to_numpy())
    true_pairs = _pairs(frame.groupby("truth").size().to_numpy())
    precision = both / predicted_pairs if predicted_pairs else 1.0
    recall = both / true_pairs if true_pairs else 1.0
    return Scores(precision, recall, _f1(precision, recall))


def bcubed_scores(predicted: pd.Series, truth: pd.Series) -> Scores:
    """B-cubed precision and recall: the average, over records, of how much of a record's predicted cluster
    is truly the same person (precision), and how much of its true person is in its cluster (recall)."""
    frame = _aligned(predicted, truth)
    overlap = frame.groupby(["predicted", "truth"]).size().rename("overlap").reset_index()
    overlap["cluster_size"] = overlap["predicted"].map(frame.groupby("predicted").size())
    overlap["person_size"] = overlap["truth"].map(frame.groupby("truth").size())
    # Each of the `overlap` records in a cell scores overlap/cluster_size and overlap/person_size
    n = len(frame)
    precision = float((overlap["overlap"] ** 2 / overlap["cluster_size"]).sum() / n)
    recall = float((overlap["overlap"] ** 2 / overlap["person_size"]).sum() / n)
    return Scores(precision, recall, _f1(precision, recall))


# --- explaining mistakes -----------------------------------------------------------------------------------


def sample_error_pairs(
    predicted: pd.Series, truth: pd.Series, *, edges: pd.DataFrame, n: int = 5, seed: int = 0
) -> pd.DataFrame:
    """Up to ``n`` missed pairs (same person, different clusters) and ``n`` wrong pairs (different people,
    an edge joined them), as rows of ``unique_id_l, unique_id_r, kind``.

    Missed pairs are drawn from people split across clusters, so nothing is enumerated beyond them.
    """
    import pandas as pd

    frame = _aligned(predicted, truth)
    rows: list[dict[str, str]] = []
    split = frame.groupby("truth")["predicted"].nunique()
    for person in split[split > 1].sample(frac=1.0, random_state=seed).index[:n]:
        members = frame[frame["truth"] == person]
        first = members.iloc[0]
        other = members[members["predicted"] != first["predicted"]].iloc[0]
        rows.append({"unique_id_l": str(members.index[0]), "unique_id_r": str(other.name), "kind": "missed"})
    truth_l = edges["unique_id_l"].map(frame["truth"])
    truth_r = edges["unique_id_r"].map(frame["truth"])
    wrong = edges[truth_l != truth_r]
    for _, edge in wrong.sample(n=min(n, len(wrong)), random_state=seed).iterrows():
        rows.append(
            {
                "unique_id_l": str(edge["unique_id_l"]),
                "unique_id_r": str(edge["unique_id_r"]),
                "kind": "wrong",
            }
        )
    return pd.DataFrame(rows, columns=["unique_id_l", "unique_id_r", "kind"])


def mask_value(value: object) -> str:
    """Enough of a value to see why a model scored it, not enough to identify anyone: "SMITH" -> "S***H"."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value == "None":
        return "∅"
    text = str(value)
    if len(text) <= 2:
        return "*" * len(text)
    return text[0] + "*" * (len(text) - 2) + text[-1]


def explain_pairs(linker: Any, records: pd.DataFrame, pairs: pd.DataFrame) -> str:
    """A text match-weight (waterfall) explanation of each pair, from Splink's own waterfall data, with the
    compared values masked. ``records`` are the model's input rows (``linkage.model_input``)."""
    from splink.internals.waterfall_chart import records_to_waterfall_data

    by_id = records.set_index("unique_id", drop=False)
    blocks: list[str] = []
    for pair in pairs.itertuples(index=False):
        left = _record_dict(by_id.loc[pair.unique_id_l])
        right = _record_dict(by_id.loc[pair.unique_id_r])
        scored = linker.inference.score_pair(left, right).as_record_list()[0]
        steps = records_to_waterfall_data([scored], linker._settings_obj, hide_details=False)  # type: ignore[no-untyped-call]
        title = pair_title(getattr(pair, "kind", "pair"), pair.unique_id_l, pair.unique_id_r)
        blocks.append(_render_waterfall(title, steps))
    return "\n\n".join(blocks)


def pair_title(kind: str, left: str, right: str) -> str:
    """A pair's heading with each record's reference in its service masked, as its values are: the two keys in
    full would say which council tax account is which social care case, for anyone reading the output."""
    return f"{kind}: {masked_key(left)} vs {masked_key(right)}"


def masked_key(record_key: str) -> str:
    """A record key, its source kept and its reference masked: "council_tax:CT0000056" -> "council_tax:C*******6"."""
    source, _, reference = record_key.partition(":")
    return f"{source}:{mask_value(reference)}"


def _record_dict(row: pd.Series) -> dict[str, Any]:
    return {key: (None if value is None or value != value else value) for key, value in row.items()}


def _render_waterfall(title: str, steps: list[dict[str, Any]]) -> str:
    lines = [title, f"  {'comparison':<16}{'level':<58}{'weight':>8}   values (masked)"]
    for step in steps:
        values = ""
        if step.get("value_l") not in (None, ""):
            values = f"{mask_value(step['value_l'])} | {mask_value(step['value_r'])}"
        weight = step.get("log2_bayes_factor")
        weight_text = f"{weight:+8.2f}" if weight is not None else " " * 8
        label = str(step.get("label_for_charts", ""))[:56]
        lines.append(f"  {step['column_name']!s:<16}{label:<58}{weight_text}   {values}")
    return "\n".join(lines)
