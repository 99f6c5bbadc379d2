"""`townhall assistant knowledge ...`: load knowledge articles from Markdown files, list them."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from townhall.cli_support import migrated_session_factory

knowledge_app = typer.Typer(no_args_is_help=True, help="The assistant's knowledge articles (Markdown).")
console = Console(stderr=True)


@knowledge_app.command("import")
def import_command(
    folder: Path | None = typer.Argument(
        None, file_okay=False, help="A folder of *.md articles; default: the articles shipped with Townhall."
    ),
) -> None:
    """Add articles, and replace those with the same file name; nothing changes if any article is wrong."""
    from townhall.assistant.knowledge import SHIPPED_ARTICLES, import_articles
    from townhall.cli_support import friendly_errors
    from townhall.db import session_scope

    @friendly_errors
    def run() -> None:
        with session_scope(migrated_session_factory()) as session:
            added, updated = import_articles(session, folder=folder or SHIPPED_ARTICLES)
        console.print(f"Added {added} articles and updated {updated}.")

    run()


@knowledge_app.command("list")
def list_command() -> None:
    """Each article's file name, title and the intents it answers."""
    from townhall.assistant.knowledge import list_articles
    from townhall.cli_support import friendly_errors
    from townhall.db import session_scope

    @friendly_errors
    def run() -> None:
        with session_scope(migrated_session_factory()) as session:
            for article in list_articles(session):
                print(f"{article.slug:<24} {article.title:<44} {', '.join(article.intents)}")

    run()
