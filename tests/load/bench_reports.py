"""Benchmark: the Reports page and its CSV over 100,000 chats, on SQLite and on PostgreSQL.

    /work/main/.venv/bin/python tests/load/bench_reports.py                      # both databases
    /work/main/.venv/bin/python tests/load/bench_reports.py --only sqlite --chats 20000

Each database runs in a child process of its own (the settings read DATABASE_URL once): SQLite in a file
under the system's temporary folder, PostgreSQL in the database named by --database-url with "_bench"
added (default postgres://postgres@127.0.0.1:5432/helpdesk_reports, so helpdesk_reports_bench; created if
missing, dropped afterwards unless --keep). The data is made with bulk_create: --chats chats spread over
the last 30 days on 3 channels and 20 agents, about 80 % answered (each with an agent's line and a
visitor's), a transfer for every tenth chat, a take-over for every fiftieth, 5,000 offline messages and
1,000 listen-ins. Then a manager of every channel opens /reports/ (last 30 days: every chat) and the CSV,
--repeats times after a warm-up, and the median, best and worst times are printed with the query count.
It prints figures and asserts nothing; it is not a pytest test. Target: under 500 ms on PostgreSQL.

Latest figures (2026-12-04, 100,000 chats, the final tree on a quiet machine, load average under 1;
PostgreSQL three runs of --repeats 9, SQLite one of 5; 15 queries each):
    PostgreSQL  30 days median 272-274 ms (page/reference 22), 7 days 101-102 ms, one channel 121-123 ms,
                CSV 257-258 ms
    SQLite      30 days 1950 ms (page/reference 13), 7 days 433 ms, one channel 673 ms, CSV 1942 ms
The target is met. Before the stored first response, the hashed GROUPING SETS and JIT off, the 30-day page
took 1210 ms on PostgreSQL under load (page/reference 46), 2033 ms with JIT: compiling the chat statement
cost 1.1 s (EXPLAIN ANALYZE). Of the page now, most is build_report, the chat statement its largest part
(a profile of 2026-12-03: about 370 of 440 ms); rendering the 54 KB page with its tables is the rest.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/helpdesk_reports"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--chats", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    parser.add_argument("--database-url", default=DEFAULT_PG, help="PostgreSQL server and base name")
    parser.add_argument("--keep", action="store_true", help="keep the filled databases for the next run")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


# --- The child: one database ----------------------------------------------------------------------------


def _fill(chats_wanted):
    import random
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from chat.models import Channel, ChannelMember, ChatSession, Listener, Message
    from helpdesk.models import Request
    from transfers.models import Transfer

    if ChatSession.objects.count() >= chats_wanted:
        return False
    random.seed(13)
    dated = [(ChatSession, "created_at"), (Message, "created_at"), (Transfer, "created_at"),
             (Request, "created_at"), (Listener, "started_at")]
    for model, name in dated:  # bulk_create would stamp "now" over the dates spread below
        model._meta.get_field(name).auto_now_add = False

    User = get_user_model()
    channels = [Channel.objects.get_or_create(slug=f"bench-{n}", defaults={"name": f"Bench {n}"})[0] for n in range(3)]
    agents = [User.objects.get_or_create(username=f"benchagent{n:02d}", defaults={"first_name": f"Agent {n}"})[0]
              for n in range(20)]
    manager, _ = User.objects.get_or_create(username="benchmanager")
    for channel in channels:
        ChannelMember.objects.get_or_create(channel=channel, user=manager, defaults={"is_manager": True})
        for agent in agents:
            ChannelMember.objects.get_or_create(channel=channel, user=agent)

    now = timezone.now()
    reasons = ChatSession.EndReason
    sessions = []
    for n in range(chats_wanted):
        start = now - timedelta(seconds=random.randint(60, 29 * 86400))
        answered = random.random() < 0.8
        owner = random.choice(agents) if answered else None
        answered_at = start + timedelta(seconds=random.randint(2, 300)) if answered else None
        if answered:
            reason = random.choice([reasons.AGENT, reasons.VISITOR, reasons.VISITOR, reasons.INACTIVITY, reasons.SPAM])
            ended_at = answered_at + timedelta(seconds=random.randint(60, 3600))
        else:
            reason, ended_at = reasons.ABANDONED, start + timedelta(seconds=random.randint(10, 600))
        rating = random.choice([None, None, 1, 2, 3, 4, 5]) if answered else None
        first_response_at = answered_at + timedelta(seconds=random.randint(1, 60)) if answered else None
        sessions.append(ChatSession(
            channel=channels[n % 3], token=f"bench{n:08d}", visitor_name=f"Visitor {n}", status="ended", owner=owner,
            created_at=start, answered_at=answered_at, first_response_at=first_response_at, ended_at=ended_at,
            end_reason=reason, visitor_seen_at=start, rating=rating,
            rating_comment="Thanks!" if rating and n % 5 == 0 else "",
        ))
    ChatSession.objects.bulk_create(sessions, batch_size=5000)
    sessions = list(ChatSession.objects.filter(token__startswith="bench").order_by("id"))

    lines, transfers, listens = [], [], []
    for n, session in enumerate(sessions):
        lines.append(Message(session=session, kind="visitor", body="Hello", created_at=session.created_at))
        if session.answered_at:
            lines.append(Message(session=session, kind="agent", author_id=session.owner_id, body="Hi",
                                 created_at=session.first_response_at))
            others = [agent for agent in agents if agent.pk != session.owner_id]
            if n % 10 == 0:
                status = random.choice(["accepted", "accepted", "rejected", "cancelled", "expired"])
                offered = session.answered_at + timedelta(seconds=30)
                transfers.append(Transfer(
                    session=session, from_agent_id=session.owner_id, to_agent=random.choice(others),
                    requested_by_id=session.owner_id, status=status, created_at=offered,
                    decided_at=offered + timedelta(seconds=random.randint(2, 90)),
                ))
            elif n % 50 == 1:
                transfers.append(Transfer(
                    session=session, kind="take_over", from_agent_id=session.owner_id, to_agent=manager,
                    requested_by=manager, status="accepted", created_at=session.answered_at,
                    decided_at=session.answered_at,
                ))
            if n % 80 == 3:
                listens.append(Listener(session=session, agent=manager, reason="supervisor",
                                        started_at=session.answered_at))
    Message.objects.bulk_create(lines, batch_size=5000)
    Transfer.objects.bulk_create(transfers, batch_size=5000)
    Listener.objects.bulk_create(listens, batch_size=5000)
    Request.objects.bulk_create([
        Request(source="offline_form", channel=channels[n % 3], title="Offline", name="Vera", body="Call me",
                created_at=now - timedelta(seconds=random.randint(60, 29 * 86400)))
        for n in range(5000)
    ], batch_size=5000)
    return True


REFERENCE_SQL = (  # the same work whatever the Reports' code: a yardstick for the machine's speed right now
    "SELECT channel_id, owner_id, COUNT(*), MAX(created_at), SUM(LENGTH(visitor_name)) FROM chat_chatsession "
    "GROUP BY channel_id, owner_id ORDER BY channel_id, owner_id"
)


def _timed(work):
    began = time.perf_counter()
    result = work()
    return (time.perf_counter() - began) * 1000, result


def _reference():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(REFERENCE_SQL)
        cursor.fetchall()


def _measure(repeats):
    """Each page's times, each one right after a run of the reference statement: on a shared machine the
    ratio of the two says more than either alone."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from chat.models import Channel

    client = Client()
    client.force_login(get_user_model().objects.get(username="benchmanager"))
    one_channel = Channel.objects.get(slug="bench-0").pk
    for name, url in [("page, last 30 days", "/reports/?period=30d&tz=Europe/Amsterdam"),
                      ("page, last 7 days", "/reports/?period=7d&tz=Europe/Amsterdam"),
                      ("page, one channel", f"/reports/?period=30d&tz=Europe/Amsterdam&channel={one_channel}"),
                      ("CSV, last 30 days", "/reports/csv/?period=30d&tz=Europe/Amsterdam")]:
        client.get(url)  # warm-up: connection, templates, caches
        _reference()
        times, references = [], []
        for _ in range(repeats):
            references.append(_timed(_reference)[0])
            with CaptureQueriesContext(connection) as queries:
                took, response = _timed(lambda: client.get(url))
            times.append(took)
            assert response.status_code == 200, response.status_code
        ratio = statistics.median(page / reference for page, reference in zip(times, references))
        print(f"  {name:<22} median {statistics.median(times):7.1f} ms   best {min(times):7.1f}   "
              f"worst {max(times):7.1f}   queries {len(queries)}   reference {statistics.median(references):6.1f} ms"
              f"   page/reference {ratio:5.1f}", flush=True)


def child(args):
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = ["*"]
    settings.DEBUG = False
    call_command("migrate", verbosity=0)
    from chat.models import ChatSession

    began = time.perf_counter()
    filled = _fill(args.chats)
    if filled:
        from django.db import connection

        with connection.cursor() as cursor:  # fresh statistics, as autovacuum would give a real database
            cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    vendor = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    print(f"{vendor}: {ChatSession.objects.count():,} chats "
          f"({'filled in %.0f s' % (time.perf_counter() - began) if filled else 'already there'})", flush=True)
    _measure(args.repeats)


# --- The parent: one child per database ---------------------------------------------------------------


def _pg_admin(base_url, sql):
    import psycopg

    server = base_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(sql)


def main():
    args = parse_args()
    if args.child:
        return child(args)
    passed = [f"--chats={args.chats}", f"--repeats={args.repeats}"]
    runs = []
    if args.only in (None, "sqlite"):
        runs.append(("sqlite", f"sqlite:///{Path(tempfile.gettempdir()) / 'helpdesk_reports_bench.sqlite3'}"))
    if args.only in (None, "postgres"):
        runs.append(("postgres", f"{args.database_url}_bench"))
    for name, url in runs:
        if name == "postgres":
            bench_db = url.rsplit("/", 1)[1]
            try:
                _pg_admin(args.database_url, f'CREATE DATABASE "{bench_db}"')
            except Exception as error:  # it exists already (kept by --keep), or no server
                if "already exists" not in str(error):
                    print(f"postgres: skipped ({error})")
                    continue
        env = {**os.environ, "DATABASE_URL": url, "DJANGO_ALLOW_ASYNC_UNSAFE": "true"}
        env.pop("REDIS_URL", None)
        subprocess.run([sys.executable, __file__, "--child", name, *passed], env=env, cwd=ROOT, check=False)
        if not args.keep:
            if name == "postgres":
                _pg_admin(args.database_url, f'DROP DATABASE IF EXISTS "{bench_db}"')
            else:
                Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)


if __name__ == "__main__":
    main()
