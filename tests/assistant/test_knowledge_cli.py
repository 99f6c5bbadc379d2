"""`townhall assistant knowledge import [DIR]` and `list`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from townhall.assistant.knowledge import forget_knowledge
from townhall.cli import app

runner = CliRunner()


@pytest.fixture
def database(command_database: str) -> Iterator[str]:
    yield command_database
    forget_knowledge()  # the articles this process cached came from that database


def test_import_the_shipped_articles_then_a_folder(database: str, tmp_path: Path) -> None:
    first = runner.invoke(app, ["assistant", "knowledge", "import"])
    assert first.exit_code == 0 and "Added 11 articles and updated 0" in first.output, first.output
    again = runner.invoke(app, ["assistant", "knowledge", "import"])
    assert "Added 0 articles and updated 11" in again.output
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "parking-permits.md").write_text("---\ntitle: Permits\nintents: [parking.permit]\n---\nNew.\n")
    assert "updated 1" in runner.invoke(app, ["assistant", "knowledge", "import", str(folder)]).output
    assert "Permits" in runner.invoke(app, ["assistant", "knowledge", "list"]).output


def test_a_wrong_article_is_refused_with_its_file_named(database: str, tmp_path: Path) -> None:
    (tmp_path / "clash.md").write_text("---\ntitle: X\nintents: [parking.permit, bins.new_container]\n---\nX\n")
    runner.invoke(app, ["assistant", "knowledge", "import"])
    refused = runner.invoke(app, ["assistant", "knowledge", "import", str(tmp_path)])
    assert refused.exit_code == 1 and "clash.md: 'parking.permit' is already answered" in refused.output


def test_a_folder_without_articles_is_refused_rather_than_importing_nothing(database: str, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not an article")
    refused = runner.invoke(app, ["assistant", "knowledge", "import", str(tmp_path)])
    assert refused.exit_code == 1 and "no articles (*.md)" in " ".join(refused.output.split())


def test_an_article_that_is_not_utf8_text_is_refused_with_its_file_named(database: str, tmp_path: Path) -> None:
    (tmp_path / "cafe.md").write_bytes(b"---\ntitle: Caf\xe9\nintents: [parking.permit]\n---\nHello\n")
    refused = runner.invoke(app, ["assistant", "knowledge", "import", str(tmp_path)])
    assert refused.exit_code == 1 and "cafe.md is not UTF-8 text" in " ".join(refused.output.split())
    assert "Traceback" not in refused.output
