import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from townhall.cli import app
from townhall.config import get_settings
from townhall.datahub.extracts import SOURCES
from townhall.datahub.models import DatahubRecord, IngestBatch
from townhall.datahub.synthetic import GROUND_TRUTH_FILE, extracts_folder_for, people_frame
from townhall.synthetic.council import CouncilSpec, World, part_rng
from townhall.synthetic.geography import GEOGRAPHY
from townhall.synthetic.population import POPULATION
from townhall.web.cli import link_data_hub_once


class _NoWrites:
    """A writer that writes nothing: the parts' in-memory results are all this test needs."""

    def __init__(self) -> None:
        self.rows_written: dict[str, int] = {}

    def insert(self, *args, **kwargs) -> int:
        return 0

    def report(self, *args) -> None:
        pass


def test_people_come_from_the_real_population_with_current_and_previous_addresses() -> None:
    world = World(CouncilSpec(size=300, seed=3, as_of=date(2026, 11, 1)))
    for part in (GEOGRAPHY, POPULATION):
        part.build(world, _NoWrites(), part_rng(3, part.name))  # type: ignore[arg-type]
    population, geography = world.need("population"), world.need("geography")
    people = people_frame(population, geography)
    living = {index for _, members in population.current.values() for index in members}
    assert set(people["person_id"].astype(int)) == {population.person_id(i) for i in living}
    assert set(people["uprn"].dropna().astype(int)) <= set(int(u) for u in geography.uprn)
    moved = people[people["previous_uprn"].notna()]
    assert len(moved) > 0 and (moved["previous_uprn"] != moved["uprn"]).all()
    assert moved["previous_postcode"].notna().all()


def test_the_test_council_has_every_silo_ingested_and_a_ground_truth_file(session: Session, council_database) -> None:
    batches = {b.source: b for b in session.scalars(select(IngestBatch))}
    assert set(batches) == set(SOURCES)
    assert all(batch.rows_loaded > 0 for batch in batches.values())
    assert session.scalar(select(func.count()).select_from(DatahubRecord)) == sum(
        b.rows_loaded for b in batches.values()
    )
    folder = extracts_folder_for(council_database.engine.url.render_as_string(hide_password=False))
    truth = pd.read_csv(Path(folder) / GROUND_TRUTH_FILE, dtype=str)
    assert len(truth) == sum(b.rows_read for b in batches.values())
    school = pd.read_csv(Path(folder) / "school_attendance.csv", dtype=str)
    born = pd.to_datetime(school["DateOfBirth"], format="%d-%m-%Y", errors="coerce").dropna()
    ages = (pd.Timestamp("2026-11-01") - born).dt.days / 365.25
    assert ages.between(3.9, 17.5).mean() > 0.95  # children of school age on as_of (a few typed dates go wrong)


def test_synth_then_link_then_evaluate_needs_no_other_step(monkeypatch, tmp_path: Path) -> None:
    get_settings.cache_clear()
    monkeypatch.setenv("TOWNHALL_DATABASE_URL", f"sqlite:///{tmp_path / 'c.db'}")
    monkeypatch.setenv("COLUMNS", "300")  # the sources table on one line per row
    runner = CliRunner()
    try:
        assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
        built = runner.invoke(app, ["synth", "--size", "300", "--seed", "5", "--as-of", "2026-11-01"])
        assert built.exit_code == 0, built.output
        assert (tmp_path / "extracts" / "council_tax.csv").is_file()
        link_data_hub_once()  # what `townhall demo` does after building a council: the first run, once
        link_data_hub_once()
        linked = runner.invoke(app, ["datahub", "link"])
        assert linked.exit_code == 0, linked.output
        assert "Run 2:" in linked.output and "people in" in linked.output
        scored = runner.invoke(app, ["datahub", "evaluate", "--json", "--explain", "0"])
        assert scored.exit_code == 0, scored.output
        assert '"f1"' in scored.output
        bad = tmp_path / "bad.csv"
        bad.write_text("claim_no,first_name\nC1,Ann\n")
        refused = runner.invoke(app, ["datahub", "ingest", "council_tax_reduction", str(bad)])
        assert refused.exit_code == 1 and "missing columns" in refused.output and "Traceback" not in refused.output
        listed = runner.invoke(app, ["datahub", "sources"])
        assert listed.exit_code == 0 and "Revenues and Benefits" in listed.output
        assert "council_tax.csv" in listed.output and "quarantined" in listed.output  # the latest extracts
        assert "out of date" not in listed.output
        _age_extract(tmp_path / "c.db", "council_tax", days=8)  # its contract expects one every 7 days
        listed = runner.invoke(app, ["datahub", "sources"])
        assert "out of date: a new extract is due every 7 days" in listed.output
        exported = runner.invoke(app, ["datahub", "quarantine", "--purpose", "Fix the extracts"])
        assert exported.exit_code == 0 and exported.output.startswith("source,batch_id,row_number,reason")
    finally:
        get_settings.cache_clear()


def _spark_missing() -> str | None:
    import importlib.util
    import shutil

    if shutil.which("java") is None:
        return "Java is not installed, so Spark cannot start"
    if importlib.util.find_spec("pyspark") is None:
        return "pyspark is not installed (pip install 'townhall[spark]')"
    return None


@pytest.mark.slow
@pytest.mark.skipif(_spark_missing() is not None, reason=_spark_missing() or "")
def test_link_on_spark_gives_the_same_people_as_duckdb(monkeypatch, tmp_path: Path) -> None:
    from sqlalchemy import create_engine

    get_settings.cache_clear()
    database = tmp_path / "small.db"
    monkeypatch.setenv("TOWNHALL_DATABASE_URL", f"sqlite:///{database}")
    # Spark's own settings file: for a few hundred records, compiling each query to Java costs more than
    # running it, and adaptive re-planning adds stages; neither changes any result
    (tmp_path / "spark-defaults.conf").write_text(
        "spark.sql.codegen.wholeStage false\nspark.sql.adaptive.enabled false\nspark.ui.showConsoleProgress false\n"
    )
    monkeypatch.setenv("SPARK_CONF_DIR", str(tmp_path))
    runner = CliRunner()
    try:
        assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
        assert runner.invoke(app, ["synth", "--size", "100", "--seed", "9", "--as-of", "2026-11-01"]).exit_code == 0
        assert runner.invoke(app, ["datahub", "link"]).exit_code == 0
        engine = create_engine(f"sqlite:///{database}")
        query = "SELECT record_key, person_id FROM datahub_person_records ORDER BY record_key"
        with engine.connect() as connection:
            on_duckdb = connection.exec_driver_sql(query).all()
        on_spark = runner.invoke(app, ["datahub", "link", "--engine", "spark", "--reuse-model"])
        assert on_spark.exit_code == 0, on_spark.output
        with engine.connect() as connection:
            assert connection.exec_driver_sql(query).all() == on_duckdb
            runs = connection.exec_driver_sql("SELECT engine, metrics FROM datahub_linkage_runs ORDER BY id").all()
        assert [run[0] for run in runs] == ["duckdb", "spark"]
        duckdb_metrics, spark_metrics = (json.loads(run[1]) for run in runs)
        assert spark_metrics["merges"] == spark_metrics["splits"] == 0
        assert spark_metrics["matched_pairs"] == duckdb_metrics["matched_pairs"] > 0
        engine.dispose()
    finally:
        get_settings.cache_clear()


def test_a_contracts_own_words_are_listed_as_written(monkeypatch, tmp_path: Path) -> None:
    shipped = Path(__file__).parents[2] / "townhall" / "datahub" / "sources" / "council_tax.toml"
    (tmp_path / "sources").mkdir()
    text = shipped.read_text(encoding="utf-8").replace('retention = "', 'retention = "[bold]Six[/bold] years: ', 1)
    (tmp_path / "sources" / "council_tax.toml").write_text(text, encoding="utf-8")
    get_settings.cache_clear()
    monkeypatch.setenv("TOWNHALL_DATABASE_URL", f"sqlite:///{tmp_path / 'new.db'}")
    monkeypatch.setenv("TOWNHALL_DATAHUB_SOURCES", str(tmp_path / "sources"))
    monkeypatch.setenv("COLUMNS", "300")
    try:
        listed = CliRunner().invoke(app, ["datahub", "sources"])
        assert listed.exit_code == 0, listed.output
        assert "[bold]Six[/bold] years" in listed.output  # not taken as styling, nor dropped
    finally:
        get_settings.cache_clear()


def test_sources_are_listed_before_the_database_is_set_up(monkeypatch, tmp_path: Path) -> None:
    get_settings.cache_clear()
    monkeypatch.setenv("TOWNHALL_DATABASE_URL", f"sqlite:///{tmp_path / 'new.db'}")
    monkeypatch.setenv("COLUMNS", "300")
    try:
        listed = CliRunner().invoke(app, ["datahub", "sources"])
        assert listed.exit_code == 0, listed.output
        assert "Revenues and Benefits" in listed.output
        assert "No extracts are shown" in listed.output and "townhall db upgrade" in listed.output
    finally:
        get_settings.cache_clear()


def _age_extract(database: Path, source: str, *, days: int) -> None:
    """Make the source's extracts look ``days`` older than now."""
    from datetime import timedelta

    from sqlalchemy import create_engine, update

    from townhall.datahub.models import IngestBatch
    from townhall.platform import clock

    engine = create_engine(f"sqlite:///{database}")
    with engine.begin() as connection:
        connection.execute(
            update(IngestBatch)
            .where(IngestBatch.source == source)
            .values(ingested_at=clock.now() - timedelta(days=days))
        )
    engine.dispose()
