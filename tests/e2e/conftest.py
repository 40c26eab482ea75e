"""Browser tests: real Chromium (Playwright) against a real Daphne serving the test database.

pytest-django's `live_server` speaks no websockets, so the session starts Daphne as a child process. The
child cannot see the test's transactions, so every e2e test runs with a transactional database (the
autouse fixture below; `@pytest.mark.django_db(transaction=True)` on the test says the same): what the
test writes is committed and visible to Daphne, and the tables are flushed after the test.

Fixtures:
    daphne_server               base URL "http://127.0.0.1:<port>" (session)
    start_daphnes(*names, **env) -> [DaphneProcess]
                                one more Daphne on the test database per name, each with these variables
                                added (say the REDIS_URL of a Redis the test started): .url, .kill() (-9)
                                and .start() again on the same port, .paused(); stopped after the test
    redis_server                a redis-server of the test's own (.url, .port, .kill(), .start()), for Daphnes
                                that share pushes across processes; it comes back empty, as Redis does
    short_grace_server          base URL of a Daphne whose PRESENCE_GRACE_SECONDS is 2
    browser                     Playwright Chromium browser (session)
    new_page(locale="en-US", base_url=None, **context_options) -> Page
                                a page in a fresh browser context: its own cookies, so its own person; on
                                the suite's Daphne unless base_url names another; an element whose
                                websocket has pushed once carries data-e2e-live
    login(page, username, password="demo") -> Page
                                logs in through /accounts/login/ and waits for the workspace at "/" and its
                                socket's first push (an agent counts as Present from then on)
    demo_team                   create_demo_data(): .channel, .alice, .bob, .carol, .maria, .users, .managers
    alice_at_work               demo_team.alice with her workspace open elsewhere: the widget shows the
                                chat form (nobody counts as Present without an open workspace)
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
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote, urljoin

import pytest
import redis
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
RESULTS_DIR = Path(settings.BASE_DIR) / "test-results"
# Marks an element with a websocket (ws-connect) once its first push has arrived. A chat panel rendered over
# HTTP is re-sent by its socket as soon as that connects; a click landing during that swap is lost, so
# flows wait for this mark (flows.expect_chat_open) before acting on a chat that has just opened.
MARK_LIVE = """
document.addEventListener("htmx:wsAfterMessage", function (event) {
  event.target.setAttribute("data-e2e-live", "");
});
"""

# Every Daphne started, for a failing test's report: the suite's, then any a test started itself.
_daphnes: list["DaphneProcess"] = []


def free_port() -> int:
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


def _daphne_env(media_root: Path, **extra: str) -> dict[str, str]:
    """The test process's environment for a Daphne child, on the test database; REDIS_URL and
    CHANNEL_LAYER_PREFIX pass through unchanged unless `extra` names them."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    for name in ("DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"):
        env.pop(name, None)
    env.update(
        # Not settings.SETTINGS_MODULE: inside a test's overridden settings (tests/conftest.py) that is None.
        DJANGO_SETTINGS_MODULE=os.environ.get("DJANGO_SETTINGS_MODULE", "helpdesk.settings"),
        DATABASE_URL=_test_database_url(),
        ALLOWED_HOSTS="localhost,127.0.0.1",
        PYTHONUNBUFFERED="1",
        MEDIA_ROOT=str(media_root),  # files sent in chats stay out of the checkout
    )
    env.update(extra)
    return env


class DaphneProcess:
    """A Daphne child serving the test database on a port it keeps: a test can kill it as a crash would
    and start it again where the browsers' pages reconnect. Its output goes to a log that a failing
    test's report shows the end of."""

    def __init__(self, name: str, env: dict[str, str]):
        self.name = name
        self.env = env
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        handle, path = tempfile.mkstemp(prefix=f"daphne-{name}-{self.port}-", suffix=".log")
        os.close(handle)
        self.log_path = Path(path)
        self.process: subprocess.Popen | None = None

    def launch(self) -> None:
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "helpdesk.serve", "-b", "127.0.0.1", "-p", str(self.port), "helpdesk.asgi:application"],
                cwd=settings.BASE_DIR, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            )

    def wait_until_serving(self) -> None:
        deadline = time.monotonic() + SERVER_START_SECONDS
        while True:
            if self.process.poll() is not None:
                pytest.fail(f"Daphne {self.name} exited with code {self.process.returncode}; "
                            f"its output:\n{self.log_tail(200)}")
            try:
                with urllib.request.urlopen(f"{self.url}/accounts/login/", timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(
                    f"Daphne {self.name} did not answer {self.url}/accounts/login/ within "
                    f"{SERVER_START_SECONDS} s; its output:\n{self.log_tail(200)}"
                )
            time.sleep(0.1)

    def start(self) -> None:
        self.launch()
        self.wait_until_serving()

    def kill(self) -> None:
        """kill -9: no shutdown, so none of its consumers' disconnect() runs and its sockets just drop."""
        self.process.kill()
        self.process.wait()

    @contextlib.contextmanager
    def paused(self):
        """SIGSTOP for the block, then SIGCONT: the process learns what happened meanwhile only when it
        runs again, all at once, as a process too busy to notice at the time would."""
        self.process.send_signal(signal.SIGSTOP)
        try:
            yield
        finally:
            self.process.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def log_tail(self, lines: int = 60) -> str:
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


def forget_throttle_counts() -> None:
    """With REDIS_URL the Daphnes count throttled requests in Redis, under this installation's prefix, and a
    fresh test database numbers its channels from 1 again: a run started within the hour after another would
    find that run's counts. Only this installation's throttle keys go, never anyone else's."""
    cache = settings.CACHES["default"]
    if not cache["BACKEND"].endswith("RedisCache"):
        return  # the Daphne's own memory, which starts empty
    client = redis.Redis.from_url(cache["LOCATION"])
    try:
        pattern = f"{cache.get('KEY_PREFIX', '')}:*:throttle:*"
        for key in client.scan_iter(match=pattern, count=1000):
            client.delete(key)
    finally:
        client.close()


@pytest.fixture(scope="session")
def daphne_server(django_db_setup, tmp_path_factory):
    forget_throttle_counts()
    daphne = DaphneProcess("suite", _daphne_env(tmp_path_factory.mktemp("media")))
    _daphnes.append(daphne)
    try:
        daphne.start()
        yield daphne.url
    finally:
        daphne.stop()


@pytest.fixture
def start_daphnes(django_db_setup, tmp_path_factory):
    """start_daphnes(*names, **env): one more Daphne per name, started side by side, each with `env` added
    to its environment. Stopped after the test, before the tables are flushed, even when it fails."""
    started = []

    def start(*names: str, **env: str) -> list[DaphneProcess]:
        daphnes = [DaphneProcess(name, _daphne_env(tmp_path_factory.mktemp("media"), **env)) for name in names]
        for daphne in daphnes:
            started.append(daphne)
            _daphnes.append(daphne)
            daphne.launch()
        for daphne in daphnes:
            daphne.wait_until_serving()
        return daphnes

    try:
        yield start
    finally:
        for daphne in started:
            daphne.stop()
            _daphnes.remove(daphne)


REDIS_START_SECONDS = 10


class RedisServer:
    """A redis-server of the test's own on a port it keeps, so it can be killed and started again there.
    It saves nothing: it comes back empty, as a restarted Redis does, with every group membership gone."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        if shutil.which("redis-server") is None:
            pytest.fail("redis-server is missing: run `make test`, which installs Debian's redis-server package.")
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.directory), "--logfile", str(self.directory / "redis.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + REDIS_START_SECONDS
        while not self.answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"redis-server did not answer on port {self.port}; see {self.directory}/redis.log")
            time.sleep(0.05)

    def answers(self) -> bool:
        client = redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=1)
        try:
            return client.ping()
        except redis.ConnectionError:
            return False
        finally:
            client.close()

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.kill()


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path)
    try:
        server.start()
        yield server
    finally:
        server.stop()


SHORT_GRACE_SECONDS = 2


@pytest.fixture
def short_grace_server(start_daphnes):
    """The base URL of a Daphne whose PRESENCE_GRACE_SECONDS is 2, for what happens when the grace period
    runs out. One per test that asks for it, stopped after it: its sweeper would otherwise count the
    visitors of later tests as left after two seconds. Ask for it before new_page, so its pages close first."""
    (daphne,) = start_daphnes("short-grace", PRESENCE_GRACE_SECONDS=str(SHORT_GRACE_SECONDS))
    return daphne.url


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
        for daphne in _daphnes:
            tail = daphne.log_tail()
            if tail:
                report.sections.append((f"Daphne {daphne.name} output (last lines)", tail))


@pytest.fixture
def new_page(request, browser, daphne_server):
    contexts = []
    # What the pages' Content-Security-Policy blocked (an inline handler, an eval, a style): a test whose
    # pages worked only in part still fails.
    blocked: list[str] = []

    def make(locale: str = "en-US", base_url: str | None = None, **context_options):
        context = browser.new_context(base_url=base_url or daphne_server, locale=locale, **context_options)
        context.set_default_timeout(TIMEOUT_MS)
        context.add_init_script(MARK_LIVE)
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda message: blocked.append(message.text) if "Content Security Policy" in message.text else None)
        return page

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
    assert not blocked, "the Content-Security-Policy blocked:\n" + "\n".join(blocked)


@pytest.fixture
def login():
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
    from playwright.sync_api import expect

    def log_in(page, username: str, password: str = "demo"):
        page.goto("/accounts/login/")
        # By field name, not label, so a page in Dutch or Swedish logs in the same way.
        page.locator("input[name=username]").fill(username)
        page.locator("input[name=password]").fill(password)
        page.locator("form[action$='/accounts/login/'] button[type=submit]").click()
        try:
            page.wait_for_url(urljoin(page.url, "/"))  # the workspace of the Daphne this page is on
        except PlaywrightTimeoutError:
            raise AssertionError(f"Logging in as {username!r} did not lead to the workspace; at {page.url}")
        # An agent counts as Present once their workspace's socket is open: wait for its first push, or a
        # visitor arriving next would be shown the offline form.
        workspace = page.locator("main.workspace[ws-connect]")
        if workspace.count():
            expect(workspace).to_have_attribute("data-e2e-live", "")
        return page

    return log_in


@pytest.fixture
def demo_team(transactional_db):
    from helpdesk.demo import create_demo_data

    return create_demo_data()


@pytest.fixture
def alice_at_work(demo_team):
    """alice with her workspace open somewhere, for tests that drive the visitor only: without an open
    workspace nobody counts as Present, and the widget shows the offline form."""
    from django.utils import timezone

    from helpdesk.models import AgentProfile

    AgentProfile.objects.filter(user=demo_team.alice).update(workspace_seen_at=timezone.now(), shown_online=True)
    return demo_team.alice


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
