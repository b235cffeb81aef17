"""Browser tests: Playwright's Python package driving Debian's chromium against live_server.
Never downloads a browser: without /usr/bin/chromium the tests skip with the reason."""

import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
PASSWORD = "pw-Correct-horse-1"


@pytest.fixture(scope="module")
def browser():
    """One chromium for the module. Playwright's sync API keeps an event loop running in this
    thread while it is started, and Django's ORM refuses to run next to one, so the module
    allows it (DJANGO_ALLOW_ASYNC_UNSAFE) and puts the environment back afterwards, when the
    loop is gone — the rest of the suite keeps Django's async-safety check."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"e2e needs Debian's chromium at {CHROMIUM} (apt-get install -y chromium); "
                    "no browser is downloaded")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("e2e needs the playwright Python package")
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        # launch() gives chromium a fresh temporary user-data dir of its own (and deletes it after);
        # each test context below is a fresh incognito-like profile on top of it.
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def new_page(browser):
    contexts = []

    def make():
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def site(live_server, settings):
    settings.SITE_URL = live_server.url
    settings.CSRF_TRUSTED_ORIGINS = [live_server.url]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return live_server.url


def login(page, base, username, password=PASSWORD):
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit], button[type=submit]")


def shot(page, name):
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
