"""Browser tests: the app served on a free loopback port, driven by Debian's Chromium through Playwright.

Playwright never downloads a browser here; where /usr/bin/chromium is missing these tests are skipped (or fail
when TOWNHALL_TEST_BROWSER=required, as in CI).
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from townhall.assistant.engine_store import product_engine
from townhall.config import Settings
from townhall.datahub.linkage import LinkageConfig
from townhall.datahub.service import record_sources, run_linkage, source_registry, usable_contracts
from townhall.db import make_engine, make_session_factory, session_scope
from townhall.identity.service import create_user
from townhall.migrate import upgrade
from townhall.synthetic.council import CouncilSpec, build_council
from townhall.web.app import create_app

CHROMIUM = Path("/usr/bin/chromium")
OFFICER_EMAIL = "officer@e2e.townhall.example"
OFFICER_PASSWORD = "officer-e2e-password"
CONTACT_CENTRE_EMAIL = "contact-centre@e2e.townhall.example"
EARLY_HELP_EMAIL = "early-help@e2e.townhall.example"
IG_OFFICER_EMAIL = "ig-officer@e2e.townhall.example"
# (email, role, display name); all sign in with OFFICER_PASSWORD
STAFF = (
    (OFFICER_EMAIL, "officer", "Olu"),
    (CONTACT_CENTRE_EMAIL, "contact_centre", "Cara Jones"),
    (EARLY_HELP_EMAIL, "early_help", "Priya Shah"),
    (IG_OFFICER_EMAIL, "ig_officer", "Gwen Evans"),
)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def served_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The database the browser tests' council is served from: a small synthetic council, its data hub linked,
    and the staff members the staff pages sign in as."""
    settings = Settings(database_url=f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'e2e.db'}", environment="test")
    upgrade(settings)
    engine = make_engine(settings)
    with engine.begin() as connection:
        build_council(connection, CouncilSpec(size=400, seed=11, as_of=date(2026, 11, 1)))
    with session_scope(make_session_factory(engine)) as session:
        for email, role, name in STAFF:
            create_user(session, email=email, password=OFFICER_PASSWORD, roles=[role], display_name=name)
        contracts = usable_contracts(source_registry(), record_sources(session))
        run_linkage(session, contracts=contracts, config=LinkageConfig(u_max_pairs=2e5))  # the single view's data
    engine.dispose()
    return settings


@pytest.fixture(scope="session")
def served_council(served_settings: Settings) -> Iterator[str]:
    """The council served by uvicorn in a thread; yields the base URL."""
    # The assistant's engine is trained before serving (as the app's warm-up does outside tests), so no browser
    # click waits for it: on a busy machine the training alone can outlast a click's 30 s.
    product_engine(served_settings.assistant_method)
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(served_settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        reason = "Debian's chromium is not installed (apt-get install chromium)"
        if os.environ.get("TOWNHALL_TEST_BROWSER") == "required":
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(java_script_enabled=False)  # every page must work without JavaScript
    yield context.new_page()
    context.close()


WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def assert_accessible(page: Any) -> None:
    """No WCAG 2.2 A or AA violations that axe-core (shipped inside axe-playwright-python) can find.

    The page under test runs without JavaScript, but axe is JavaScript: it checks a copy of the rendered page
    in a second, script-enabled tab at the same address (so the stylesheet and colours are the same).
    """
    from axe_playwright_python.sync_playwright import Axe

    html = page.content()
    checker = page.context.browser.new_context(java_script_enabled=True).new_page()
    try:
        checker.goto(page.url.split("?")[0] if page.url.startswith("http") else "about:blank")
        checker.set_content(html)
        results = Axe().run(checker, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
        too_wide = _wider_than_a_small_screen(checker)
    finally:
        checker.context.close()
    violations = results.response["violations"]
    assert violations == [], [(v["id"], v["help"], [n["target"] for n in v["nodes"]]) for v in violations]
    assert not too_wide, f"at 320 CSS pixels wide the page scrolls sideways (WCAG 1.4.10 Reflow): {too_wide}"


# The widest elements when the page is wider than the window, by tag, class and width (none when it fits)
_OVERFLOWING = """() => {
    const limit = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth <= limit) return [];
    return [...document.querySelectorAll("body *")]
        .filter((e) => e.getBoundingClientRect().right > limit + 1)
        .slice(-5)
        .map((e) => `${e.tagName.toLowerCase()}.${e.className} ${Math.round(e.getBoundingClientRect().right)}px`);
}"""


def _wider_than_a_small_screen(page: Any) -> list[str]:
    """What sticks out of a 320 CSS pixel window (a 1280 pixel screen at 400% zoom), for the Reflow criterion."""
    page.set_viewport_size({"width": 320, "height": 640})
    overflowing: list[str] = page.evaluate(_OVERFLOWING)
    return overflowing
