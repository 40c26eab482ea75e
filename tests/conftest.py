"""Suite-wide hooks, and the usual team: channel "support" with alice and bob (agents), carol (Can listen
in) and maria (manager by her channel rights). A test module that needs another channel overrides
`support`; the people follow it.

HELPDESK_FORBID_SKIPS=1 (set by .ci/run) turns any skipped test into a failed session: in CI a skip
usually means a missing browser or service, and silently passing without it would hide that.
"""

import os
import time
import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest

from live import events
from tests.factories import ChannelFactory, make_agent

# Playwright's sync API runs an event loop in the test thread; Django would otherwise refuse ORM calls
# made from that thread (fixtures and assertions in browser tests).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

E2E_DIR = Path(__file__).parent / "e2e"


@pytest.fixture(autouse=True)
def _own_throttle_counts(settings):
    """Each test counts its requests against the throttles (chat/throttles.py) from nothing, under a key
    prefix of its own: every test client comes from the same address, and with REDIS_URL the counts would
    otherwise carry over from earlier tests and runs. A prefix, not cache.clear(): on Redis that would
    empty the whole database, other installations' keys with it."""
    settings.RATELIMIT_CACHE_PREFIX = f"throttle:{uuid.uuid4().hex}:"


@pytest.fixture(autouse=True)
def _one_throttle_window(monkeypatch):
    """The throttles count in fixed windows (django-ratelimit): a test posting 121 times on a slow machine,
    or 4 times across a minute's end, would see its count start again. Their clock stands still in every
    test; one that waits out a window moves it itself. (Browser tests' Daphne keeps its own clock.)"""
    now = time.time()
    monkeypatch.setattr("django_ratelimit.core.time", SimpleNamespace(time=lambda: now))


@pytest.fixture
def support():
    return ChannelFactory(slug="support", name="Support")


@pytest.fixture
def alice(support):
    return make_agent("alice", channel=support)


@pytest.fixture
def bob(support):
    return make_agent("bob", channel=support)


@pytest.fixture
def carol(support):
    return make_agent("carol", channel=support, can_listen_in=True)


@pytest.fixture
def maria(support):
    return make_agent("maria", channel=support, is_manager=True)


@pytest.fixture
def sent(monkeypatch):
    """Every batch of live events handed to the channel layer, as (group, event type) pairs."""
    batches = []
    monkeypatch.setattr(events, "send_now", lambda messages: batches.append([(g, e["type"]) for g, e in messages]))
    return batches


def forbid_skips() -> bool:
    return os.environ.get("HELPDESK_FORBID_SKIPS", "") == "1"


def pytest_collection_modifyitems(config, items):
    """Mark everything under tests/e2e as `e2e` and run it last.

    While Playwright's browser is open its event loop counts as running in the test thread, which breaks
    async tests (pytest-asyncio) and async_to_sync; so the browser tests come after all the others.
    """
    e2e = [item for item in items if E2E_DIR in Path(str(item.path)).parents]
    for item in e2e:
        item.add_marker(pytest.mark.e2e)
    if e2e:
        ids = {id(item) for item in e2e}
        items[:] = [item for item in items if id(item) not in ids] + e2e


_skipped: list[str] = []


def _note_skip(report):
    if report.skipped and not hasattr(report, "wasxfail"):  # an xfail is reported as a skip too
        _skipped.append(report.nodeid or str(report.fspath))


def pytest_runtest_logreport(report):
    _note_skip(report)


def pytest_collectreport(report):
    _note_skip(report)  # a whole module skipped at import (pytest.importorskip, allow_module_level)


def pytest_sessionfinish(session, exitstatus):
    if forbid_skips() and _skipped and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if forbid_skips() and _skipped:
        terminalreporter.section("HELPDESK_FORBID_SKIPS=1: skipped tests fail the run", red=True, bold=True)
        for nodeid in _skipped:
            terminalreporter.line(f"SKIPPED (counts as a failure): {nodeid}", red=True)
