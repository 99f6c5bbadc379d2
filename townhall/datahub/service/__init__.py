"""The data hub's use cases: plain functions over a session that never commit (see each module)."""

from townhall.datahub.service.decisions import ContradictingDecision, DecisionRefused, record_officer_decision
from townhall.datahub.service.evaluate import Evaluation, evaluate_latest_run, read_ground_truth
from townhall.datahub.service.ingest import IngestReport, ingest_extract, latest_batches, read_extract
from townhall.datahub.service.link import (
    LinkageReport,
    load_records,
    needs_first_linkage,
    record_sources,
    run_linkage,
)
from townhall.datahub.service.quarantine import quarantine_csv, quarantine_page, quarantine_summary, quarantined_rows
from townhall.datahub.service.sources import RegisteredSource, source_registry, usable_contract, usable_contracts
from townhall.datahub.service.views import allowed_contracts, household_view, person_view, usable_purposes

__all__ = [
    "ContradictingDecision",
    "DecisionRefused",
    "Evaluation",
    "IngestReport",
    "LinkageReport",
    "RegisteredSource",
    "allowed_contracts",
    "evaluate_latest_run",
    "household_view",
    "ingest_extract",
    "latest_batches",
    "load_records",
    "needs_first_linkage",
    "person_view",
    "quarantine_csv",
    "quarantine_page",
    "quarantine_summary",
    "quarantined_rows",
    "read_extract",
    "read_ground_truth",
    "record_officer_decision",
    "record_sources",
    "run_linkage",
    "source_registry",
    "usable_contract",
    "usable_contracts",
    "usable_purposes",
]
