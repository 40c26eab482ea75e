"""Browser tests: real Chromium (Playwright) against a real Daphne serving the test database.

pytest-django's `live_server` speaks no websockets, so the session starts Daphne as a child process. The
child cannot see the test's transactions, so every e2e test runs with a transactional database (the
autouse fixture below; `@pytest.mark.django_db(transaction=True)` on the test says the same): what the
test writes is committed and visible to Daphne, and the tables are flushed after the test.

Fixtures:
    daphne_server               base URL "http://127.0.0.1:<port>" (session)
    short_grace_server          base URL of a second Daphne with PRESENCE_GRACE_SECONDS=2, for one test;
                                pages for it: new_page(base_url=short_grace_server)
    browser                     Playwright Chromium browser (session)
    new_page(locale="en-US", **context_options) -> Page
                                a page in a fresh browser context: its own cookies, so its own person;
                                an element whose websocket has pushed once carries data-e2e-live
    login(page, username, password="demo") -> Page
                                logs in through /accounts/login/ and waits for the workspace at "/"
    demo_team                   create_demo_data(): .channel, .alice, .bob, .carol, .maria, .users, .managers
    outside_browser_loop        context manager for test-process code that uses async_to_sync (see below)

Playwright's sync API leaves its event loop marked as running in the test thread between calls. Django
ORM calls work anyway (DJANGO_ALLOW_ASYNC_UNSAFE, set in tests/conftest.py), but `async_to_sync` refuses
to run there: wrap test-process code that pushes live updates (services with `push_on_commit`) in
`with outside_browser_loop(): ...`. For the same reason tests/conftest.py runs the e2e tests last, after
every async test.
"""

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 10_000
SERVER_START_SECONDS = 20
SHORT_GRACE_SECONDS = 2
RESULTS_DIR = Path(settings.BASE_DIR) / "test-results"
# Marks an element with a websocket (ws-connect) once its first push has arrived. A chat panel rendered over
# HTTP is re-sent by its socket as soon as that connects; a click landing during that swap is lost, so
# flows wait for this mark (flows.expect_chat_open) before acting on a chat that has just opened.
MARK_LIVE = """
document.addEventListener("htmx:wsAfterMessage", function (event) {
  event.target.setAttribute("data-e2e-live", "");
});
"""

_daphne_logs: list[Path] = []  # one per Daphne started, for the failure report


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _test_database_url() -> str:
    """The URL of the database the test session set up, for the Daphne child's DATABASE_URL."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        path = Path(db["NAME"])
        if str(db["NAME"]).startswith(":memory:") or "mode=memory" in str(db["NAME"]):
            pytest.fail("The e2e tests need a file test database that a Daphne process can open.")
        return f"sqlite:///{path.resolve()}"  # an absolute path gives sqlite:////abs/path
    if db["ENGINE"] == "django.db.backends.postgresql":
        auth = quote(db["USER"] or "", safe="")
        if db["PASSWORD"]:
            auth += ":" + quote(db["PASSWORD"], safe="")
        host = db["HOST"] or "localhost"
        port = f":{db['PORT']}" if db["PORT"] else ""
        return f"postgres://{auth}@{host}{port}/{quote(db['NAME'], safe='')}"
    pytest.fail(f"The e2e harness does not know how to hand {db['ENGINE']} to Daphne.")


def _log_tail(log: Path, lines: int = 60) -> str:
    if not log.exists():
        return ""
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


@contextlib.contextmanager
def _daphne(tmp_path_factory, **extra_env):
    """A Daphne child process serving the test database, with `extra_env` on top of the usual environment;
    its base URL."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    for name in ("DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"):
        env.pop(name, None)
    env.update(
        DJANGO_SETTINGS_MODULE=settings.SETTINGS_MODULE,
        DATABASE_URL=_test_database_url(),
        ALLOWED_HOSTS="localhost,127.0.0.1",
        PYTHONUNBUFFERED="1",
        MEDIA_ROOT=str(tmp_path_factory.mktemp("media")),  # files sent in chats stay out of the checkout
        **extra_env,
    )  # REDIS_URL and CHANNEL_LAYER_PREFIX pass through unchanged.
    log = tempfile.NamedTemporaryFile(prefix=f"daphne-{port}-", suffix=".log", delete=False)
    log_path = Path(log.name)
    _daphne_logs.append(log_path)
    process = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "helpdesk.asgi:application"],
        cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + SERVER_START_SECONDS
        while True:
            if process.poll() is not None:
                pytest.fail(f"Daphne exited with code {process.returncode}; its output:\n{_log_tail(log_path, 200)}")
            try:
                with urllib.request.urlopen(f"{base_url}/accounts/login/", timeout=2) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(
                    f"Daphne did not answer {base_url}/accounts/login/ within {SERVER_START_SECONDS} s; "
                    f"its output:\n{_log_tail(log_path, 200)}"
                )
            time.sleep(0.2)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture(scope="session")
def daphne_server(django_db_setup, tmp_path_factory):
    with _daphne(tmp_path_factory) as base_url:
        yield base_url


@pytest.fixture
def short_grace_server(django_db_setup, tmp_path_factory):
    """A second Daphne whose PRESENCE_GRACE_SECONDS is 2, for what happens when the grace period runs out.
    One per test that asks for it, stopped after it: its sweeper would otherwise count the visitors of
    later tests as left after two seconds. Ask for it before new_page, so its pages close first."""
    with _daphne(tmp_path_factory, PRESENCE_GRACE_SECONDS=str(SHORT_GRACE_SECONDS)) as base_url:
        yield base_url


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: run `make test`, which installs Debian's chromium package.")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
    finally:
        playwright.stop()


@pytest.fixture(autouse=True)
def _e2e_transactional_db(transactional_db):
    """Committed data, so the Daphne process sees what the test made."""


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)
    if report.failed:
        for log in _daphne_logs:
            tail = _log_tail(log)
            if tail:
                report.sections.append((f"Daphne output (last lines of {log.name})", tail))


@pytest.fixture
def new_page(request, browser, daphne_server):
    contexts = []

    def make(locale: str = "en-US", **context_options):
        context_options.setdefault("base_url", daphne_server)
        context = browser.new_context(locale=locale, **context_options)
        context.set_default_timeout(TIMEOUT_MS)
        context.add_init_script(MARK_LIVE)
        contexts.append(context)
        return context.new_page()

    yield make

    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    for n, context in enumerate(contexts):
        if failed:  # keep what each person saw, for the failure report
            RESULTS_DIR.mkdir(exist_ok=True)
            name = request.node.nodeid.replace("/", "_").replace("::", "-")
            for m, page in enumerate(context.pages):
                with contextlib.suppress(Exception):
                    page.screenshot(path=RESULTS_DIR / f"{name}-{n}-{m}.png", full_page=True)
        context.close()


@pytest.fixture
def login():
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    def log_in(page, username: str, password: str = "demo"):
        page.goto("/accounts/login/")
        server = page.url.removesuffix("/accounts/login/")
        # By field name, not label, so a page in Dutch or Swedish logs in the same way.
        page.locator("input[name=username]").fill(username)
        page.locator("input[name=password]").fill(password)
        page.locator("form[action$='/accounts/login/'] button[type=submit]").click()
        try:
            page.wait_for_url(f"{server}/")
        except PlaywrightTimeoutError:
            raise AssertionError(f"Logging in as {username!r} did not lead to the workspace; at {page.url}")
        return page

    return log_in


@pytest.fixture
def demo_team(transactional_db):
    from helpdesk.demo import create_demo_data

    return create_demo_data()


@pytest.fixture
def outside_browser_loop():
    @contextlib.contextmanager
    def outside():
        loop = asyncio._get_running_loop()
        asyncio._set_running_loop(None)
        try:
            yield
        finally:
            asyncio._set_running_loop(loop)

    return outside
