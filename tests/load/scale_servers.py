"""The servers bench_scale.py measures, and the probes that read their CPU and memory.

- The product's database (PostgreSQL, its own database) is created if missing, migrated and filled with
  the demo team plus the benchmark's agents by `manage.py`, i.e. by the product's own code.
- Daphne processes are started with the environment the product documents (DATABASE_URL, REDIS_URL,
  CHANNEL_LAYER_PREFIX, SECRET_KEY, ALLOWED_HOSTS, DEBUG unset) from the repository root, and die with
  the benchmark (PR_SET_PDEATHSIG) even if it is killed.
- CPU and RSS come from /proc: utime + stime of each process, in seconds.
"""

import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import scale_clients

ROOT = Path(__file__).resolve().parents[2]
LOAD_DIR = Path(__file__).resolve().parent
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
BENCH_AGENT = "bench{:03d}"


# --- /proc ------------------------------------------------------------------------------------------


def proc_stat(pid) -> list[str] | None:
    """The fields of /proc/<pid>/stat after the command name (which may contain spaces), or None."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def cpu_seconds(pid, with_reaped_children=False) -> float:
    """utime + stime of a process; with its waited-for children's (cutime + cstime) when asked."""
    fields = proc_stat(pid)
    if fields is None:
        return 0.0
    ticks = int(fields[11]) + int(fields[12])
    if with_reaped_children:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / CLOCK_TICKS


def rss_mb(pid) -> float:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def all_processes() -> list[tuple[int, int, str]]:
    """(pid, parent pid, command name) of every process."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    text = stat.read()
            except OSError:
                continue
            name = text[text.index("(") + 1:text.rindex(")")]
            found.append((int(entry), int(text.rsplit(")", 1)[1].split()[1]), name))
    return found


class ClusterCPU:
    """CPU of a whole local server cluster (postgres, redis-server), however short its children lived.

    The product opens a new PostgreSQL connection per request and per consumer database call
    (CONN_MAX_AGE 0), so most backends live for milliseconds: summing live backends would miss them.
    The postmaster's cutime + cstime holds every backend it has reaped, so postmaster (self + reaped
    children) + live children counts them all. It is cluster-wide: other users of the same server count
    too, which is why bench_scale subtracts the idle rate and also prints the per-database pg_stat figures.
    """

    def __init__(self, command_name):
        processes = all_processes()
        names = {pid: name for pid, _, name in processes}
        self.root = next((pid for pid, parent, name in processes
                          if name == command_name and names.get(parent) != command_name), None)

    def seconds(self) -> float | None:
        if self.root is None:
            return None
        children = [pid for pid, parent, _ in all_processes() if parent == self.root]
        return cpu_seconds(self.root, with_reaped_children=True) + sum(cpu_seconds(pid) for pid in children)


# --- PostgreSQL ----------------------------------------------------------------------------------------


def admin_connection(database_url):
    """Autocommit connection to the cluster's "postgres" database: every statement sees fresh statistics,
    and it opens no session in the benchmark's own database."""
    import dj_database_url
    import psycopg

    db = dj_database_url.parse(database_url)
    return psycopg.connect(host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], password=db["PASSWORD"],
                           dbname="postgres", autocommit=True), db["NAME"]


def ensure_database(database_url):
    conn, name = admin_connection(database_url)
    with conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


class DatabaseStats:
    """pg_stat_database for the benchmark's database only: time spent executing statements (active_time,
    ms of wall time, close to CPU on loopback), sessions opened (connections) and transactions."""

    def __init__(self, database_url):
        self.conn, self.name = admin_connection(database_url)

    def now(self) -> dict:
        row = self.conn.execute(
            "SELECT active_time, sessions, xact_commit + xact_rollback FROM pg_stat_database WHERE datname = %s",
            [self.name],
        ).fetchone()
        return {"pg_active_s": (row[0] or 0) / 1000, "pg_sessions": row[1] or 0, "pg_xacts": row[2] or 0}

    def close(self):
        self.conn.close()


def prepare_product_database(env, agents):
    """Migrate, create the demo team and `agents` more demo-like agents (Present, can respond on
    "support", password "demo"), and end chats an interrupted run left open."""
    if env["DATABASE_URL"].startswith("postgres"):
        ensure_database(env["DATABASE_URL"])
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    script = f"""
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
import datetime
from django.utils import timezone
from chat.models import Channel, ChannelMember, ChatSession
from helpdesk.demo import DEMO_PASSWORD, create_demo_data
from helpdesk.models import AgentProfile

demo = create_demo_data()
# Every chat of the benchmark starts from one address: lift the throttles and the queue cap meant for that.
Channel.objects.filter(pk=demo.channel.pk).update(
    chats_per_minute=0, messages_per_minute=0, typing_reports_per_minute=0, max_queued_chats=0)
password = make_password(DEMO_PASSWORD)  # hashed once, shared: hashing per agent would take minutes
for i in range({agents}):
    user, _ = get_user_model().objects.get_or_create(
        username="{BENCH_AGENT}".format(i),
        defaults={{"first_name": "Bench", "last_name": f"Agent {{i}}", "password": password}})
    AgentProfile.objects.update_or_create(user=user, defaults={{"status": AgentProfile.Status.PRESENT}})
    ChannelMember.objects.update_or_create(channel=demo.channel, user=user, defaults={{"can_respond": True}})
# An agent counts as Present only with a live workspace; the socket plan opens the agents' workspaces
# after their chats are taken, so until their first heartbeat they count as at work from here.
AgentProfile.objects.filter(user__username__in=[
    "{BENCH_AGENT}".format(i) for i in range({agents})
]).update(workspace_seen_at=timezone.now() + datetime.timedelta(days=1), shown_online=True)
ChatSession.objects.exclude(status=ChatSession.Status.ENDED).update(
    status=ChatSession.Status.ENDED, ended_at=timezone.now())
"""
    subprocess.run([sys.executable, "manage.py", "shell", "-v0", "-c", script], cwd=ROOT, env=env, check=True)


# --- Redis -------------------------------------------------------------------------------------------


def forget_layer_keys(redis_url, prefixes) -> dict[str, int]:
    """Delete the channel-layer keys under the benchmark's own prefixes, and say how many group
    memberships each prefix still held. With no socket open that number should be 0; memberships left
    (by a killed run, or a disconnect whose group_discard failed) make every group_send also feed dead
    channels for a day (group_expiry)."""
    import redis

    client = redis.Redis.from_url(redis_url)
    left = {}
    try:
        for prefix in prefixes:
            left[prefix] = sum(client.zcard(key) for key in client.scan_iter(match=f"{prefix}:group:*", count=1000))
            keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
            for first in range(0, len(keys), 500):
                client.delete(*keys[first:first + 500])
    finally:
        client.close()
    return left


# --- Daphne ------------------------------------------------------------------------------------------


@dataclass
class Server:
    system: str
    port: int
    process: subprocess.Popen

    @property
    def pid(self):
        return self.process.pid


def start_daphne(system, port, env, application, log_dir):
    """Called before the benchmark starts any thread, so preexec_fn (which only calls prctl) is safe."""
    with open(log_dir / f"daphne-{system}-{port}.log", "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), application],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            preexec_fn=scale_clients.die_with_parent,  # noqa: PLW1509
        )
    return Server(system, port, process)


async def wait_until_serving(servers, timeout=60.0):
    """Wait until each Daphne answers an HTTP request (any status)."""
    import asyncio

    async def answers(server):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if server.process.poll() is not None:
                raise RuntimeError(f"Daphne for {server.system} on port {server.port} exited "
                                   f"with {server.process.returncode}; see its log")
            try:
                await scale_clients.http("GET", server.port, "/accounts/login/", timeout=2)
                return
            except (OSError, TimeoutError, ValueError, IndexError):
                await asyncio.sleep(0.2)
        raise RuntimeError(f"Daphne for {server.system} on port {server.port} did not answer in {timeout:.0f} s")

    await asyncio.gather(*(answers(s) for s in servers))


EXCEPTION_LINE = re.compile(r"^([A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt)): ?(.*)$")


def server_errors(log_dir) -> dict[str, dict[str, int]]:
    """Per Daphne log: how often each exception ended a traceback ("redis...MaxConnectionsError: Too many
    connections": 12), so errors a client never sees (a failed group_discard) still reach the report."""
    found = {}
    for log in sorted(Path(log_dir).glob("daphne-*.log")):
        counts = {}
        for line in log.read_text(errors="replace").splitlines():
            match = EXCEPTION_LINE.match(line)
            if match:
                key = f"{match.group(1)}: {match.group(2)}"[:140]
                counts[key] = counts.get(key, 0) + 1
        if counts:
            found[log.stem.removeprefix("daphne-")] = counts
    return found


def stop(processes, timeout=10.0):
    """SIGTERM, wait, then SIGKILL what is left: every child goes, whatever state the run ended in."""
    for process in processes:
        if process.poll() is None:
            process.terminate()
    end = time.monotonic() + timeout
    for process in processes:
        try:
            process.wait(timeout=max(0.1, end - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
