"""How good was the latest linkage run? Compared with a ground-truth file (synthetic councils have one).

The ground truth (source, source_record_id, person_id) is read only here: the pipeline never sees it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from townhall.datahub.evaluation import Scores, bcubed_scores, explain_pairs, pairwise_scores, sample_error_pairs
from townhall.datahub.linkage import linker_for, model_input
from townhall.datahub.models import LinkageRun, MatchEvidence, PersonRecord
from townhall.datahub.service.link import linkage_input, load_records
from townhall.platform.errors import InvalidInput, NotFound

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class Evaluation:
    run_id: int
    records: int
    pairwise: Scores
    bcubed: Scores
    explanations: str  # masked match-weight breakdowns of a sample of missed and wrong pairs

    def as_dict(self) -> dict[str, object]:
        def scores(value: Scores) -> dict[str, float]:
            return {"precision": value.precision, "recall": value.recall, "f1": value.f1}

        return {
            "run_id": self.run_id,
            "records": self.records,
            "pairwise": scores(self.pairwise),
            "bcubed": scores(self.bcubed),
            "explanations": self.explanations,
        }


def read_ground_truth(path: Path) -> pd.Series:
    """True person id by record key (``source:source_record_id``) from a ground-truth CSV."""
    import pandas as pd

    if not path.is_file():
        raise NotFound(f"There is no ground-truth file at {path}: build a synthetic council with `townhall synth`.")
    try:
        truth = pd.read_csv(path, dtype=str, keep_default_na=False)
    except pd.errors.EmptyDataError:
        raise InvalidInput(f"{path.name} is empty: it has no header and no rows.") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as error:
        raise InvalidInput(f"{path.name} could not be read as UTF-8 CSV ({str(error).splitlines()[0]}).") from None
    missing = {"source", "source_record_id", "person_id"} - set(truth.columns)
    if missing:
        raise InvalidInput(f"{path.name} lacks the columns {', '.join(sorted(missing))}.")
    return pd.Series(truth["person_id"].to_numpy(), index=truth["source"] + ":" + truth["source_record_id"])


def evaluate_latest_run(session: Session, *, truth: pd.Series, explain: int = 3) -> Evaluation:
    """Pairwise and B-cubed scores of the latest run on the records it linked that the truth labels, and
    masked explanations of up to ``explain`` missed and ``explain`` wrong pairs."""
    import pandas as pd

    run = session.scalar(select(LinkageRun).order_by(LinkageRun.id.desc()).limit(1))
    if run is None:
        raise NotFound("There is no linkage run yet: run `townhall datahub link` first.")
    assigned = pd.DataFrame(
        session.execute(select(PersonRecord.record_key, PersonRecord.person_id)).all(),
        columns=["record_key", "person_id"],
    ).set_index("record_key")["person_id"]
    shared = assigned.index.intersection(truth.index)
    if shared.empty:
        raise InvalidInput("The ground truth labels none of the linked records: is it from another council?")
    predicted, true_ids = assigned.loc[shared], truth.loc[shared]
    explanations = ""
    if explain:
        explanations = _explain(session, run, predicted, true_ids, explain)
    return Evaluation(
        run.id, len(shared), pairwise_scores(predicted, true_ids), bcubed_scores(predicted, true_ids), explanations
    )


def _explain(session: Session, run: LinkageRun, predicted: pd.Series, truth: pd.Series, n: int) -> str:
    import pandas as pd

    edges = pd.DataFrame(
        session.execute(select(MatchEvidence.record_l, MatchEvidence.record_r)).all(),
        columns=["unique_id_l", "unique_id_r"],
    )
    edges = edges[edges["unique_id_l"].isin(predicted.index) & edges["unique_id_r"].isin(predicted.index)]
    pairs = sample_error_pairs(predicted, truth, edges=edges, n=n)
    if pairs.empty:
        return "No missed or wrong pairs to explain."
    records = model_input(
        linkage_input(load_records(session), inferred_uprns=run.parameters.get("inferred_uprns", True))
    )
    # The whole table, not just the pairs: term-frequency adjustments depend on it
    linker = linker_for(records, run.model)
    return explain_pairs(linker, records, pairs)
