"""Browser tests: Playwright driving Debian's Chromium against the live test server.

They need /usr/bin/chromium (Debian package ``chromium``; .ci/run installs it).
Outside CI they are skipped, with the reason printed, when it is missing.
"""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("NEWSROOM_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing in CI; .ci/run should have installed Debian's chromium")
        pytest.skip(f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; the ORM calls
    # the tests make between browser steps are still plain synchronous ones.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def screenshot(page, tmp_path):
    """Save a full-page screenshot (to NEWSROOM_SCREENSHOTS if set) and return its path."""
    folder = Path(os.environ.get("NEWSROOM_SCREENSHOTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)

    def take(name):
        path = folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture(autouse=True)
def unhashed_static_urls(settings):
    """The live test server serves static files by their source names (through the finders),
    so pages must link to those rather than to collectstatic's hashed copies."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def seed_entities(db):
    """The seed people, organisations and structure, as the migrations write them: a transactional test
    before this one may have emptied the tables."""
    import importlib

    from django.apps import apps

    from articles.models import Organization

    if not Organization.objects.filter(slug="big-taobao").exists():
        entities = importlib.import_module("articles.migrations.0002_corpus_entities")
        entities.load_entities(apps, entities.ENTITIES)
        importlib.import_module("articles.migrations.0013_seed_structure").forwards(apps, None)
