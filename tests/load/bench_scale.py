"""Benchmark: how the live updates scale with the number of open chats, beside a minimal Channels app.

    /work/main/.venv/bin/python tests/load/bench_scale.py                  # steps 10,100,250,500,1000
    /work/main/.venv/bin/python tests/load/bench_scale.py --quick          # smoke run, under a minute
    /work/main/.venv/bin/python tests/load/bench_scale.py --steps 10,100 --duration 30
    /work/main/.venv/bin/python tests/load/bench_scale.py --steps 100 --embedded   # product-1 as `make run`

Run it from the repository root (or anywhere: it finds the root itself) with the project's virtualenv.
It needs PostgreSQL and Redis on loopback (--database-url, --redis-url; defaults
postgres://postgres@127.0.0.1:5432/helpdesk_bench and redis://127.0.0.1:6379/0). It uses its own
databases, helpdesk_bench_1 and helpdesk_bench_2 (the --database-url name plus _1 / _2; created if
missing, migrated, filled with helpdesk.demo.create_demo_data() plus agents bench000...) and its own
channel-layer key prefixes (hdbench-p1, hdbench-p2, hdbench-ref), so it never touches other data.
It prints figures and asserts nothing; it is not a pytest test.

Three systems run side by side for the whole run, and are measured in turn, interleaved (A B C, then
B C A ...), because the machine is shared and noisy:
- product-1: the helpdesk on ONE Daphne process;
- product-2: the helpdesk on TWO Daphne processes (every socket and POST goes to one of the two ports at
  random, so about half the pushes cross processes through Redis);
- reference: tests/load/channels_reference, the Channels tutorial's chat room (a POST view does
  group_send to the room; the consumer joins the room and relays), on the same Daphne + channels-redis
  with the same layer settings, no database, no helpdesk code.
product-1 and product-2 each have their own database, chats and channel-layer prefix, so one's idle
sockets and data never weigh on the other's turn. With --embedded, product-1 is the embedded default
instead (`make run`'s set-up: a SQLite file in the temporary directory, the in-memory channel layer and a
local-memory cache, no DATABASE_URL or REDIS_URL), still beside product-2 and the reference; its PG
figures are then other people's load only.

A step of N chats:
- product: N chats started as the widget does (POST /widget/support/start/) and taken by the agents
  (POST /chats/next/, "Get next in queue"), --chats-per-agent each, every agent logged in with its own
  cookie session; per chat a widget socket (/ws/widget/<token>/) and the owner's chat panel socket
  (/ws/chats/<id>/), plus one workspace socket (/ws/workspace/) per 5 chats: about 2.2 sockets per chat.
  Sockets connect in batches (--batch per generator process), each waiting for its first frame.
- reference: N rooms with 2 room sockets each, plus one lobby socket per 5 rooms.
Then, per step:
1. steady: every chat sends a message every ~--interval s (uniform 0.5x-1.5x, so ~N/interval msg/s),
   alternating visitor->agent (POST /widget/support/chat/<token>/messages/) and agent->visitor
   (POST /chats/<id>/messages/ with the CSRF cookie and header), open loop, --duration s per system in
   --slices interleaved slices.
2. one action: with N chats open and the system quiet, one new chat, one answer (the chat's row found
   in Incoming chats on GET /, unmeasured, then POST /chats/<id>/answer/) and one end (End chat); for
   the reference one broadcast to every socket (the floor under a team-wide push). Repeated --repeats
   times (fewer once a system's actions took --action-budget s in the step), median printed.
3. flat out: --posters closed-loop posters (post, wait until the text arrives, post again) for --burst s.
After each system's turn the benchmark waits (at most --drain-timeout s) until that system's Daphnes
and database are quiet again, so a saturated product does not steal the next system's CPU. Afterwards
the sockets close (in paced batches) and the chats are ended over HTTP.

The figures:
- latency p50/p95/p99 (ms): from just before the POST until the message's text appears in a frame on
  the receiving socket (the panel for visitor->agent, the widget for agent->visitor). "x ref" is the
  product's p99 divided by the reference's p99 in the same step.
- errors hs/http/lost/dup/drop: handshakes that failed at the first attempt (Daphne drops a connection
  its application has not accepted within 5 s, its --websocket_connect_timeout) or brought no first
  frame within --deadline s; failed handshakes are retried twice, as the browser reconnects, so the
  phases run with every socket. http: POSTs (setup and single actions included) that failed or did not
  answer 2xx; lost: messages not received within --deadline s; dup: a message text shown twice on one
  socket; drop: sockets the server closed. late = POSTs that started > 1 s behind schedule because the
  generator was behind (its own bottleneck, or every one of its --max-in-flight POST slots waiting on the
  server). After a step, group memberships still in Redis with every socket closed are printed too
  (a disconnect whose group_discard failed; they would feed dead channels for a day).
- daphne CPU s (% of one core) and RSS MB: utime + stime and VmRSS of the system's Daphne processes from
  /proc (summed over both for product-2), over its steady turns including the wait until its Daphnes
  are quiet again (the work its messages queued); RSS at the end of its turn.
- PG CPU: the whole PostgreSQL cluster from /proc (postmaster + every backend it reaped + live children),
  because the product opens a connection per request and per consumer database call, so most backends
  live for milliseconds and a sum over live backends would miss them. Cluster-wide, so other users of
  the server count too: the cluster's rate in the second before each turn or action is subtracted.
  PG active / conns: pg_stat_database of the system's own database only (time executing statements;
  sessions opened, i.e. connections), which nobody else touches.
- redis CPU s: redis-server from /proc (cluster-wide, baseline subtracted likewise).
- gen CPU s (busiest): the generator's own processes (parent + workers), and the busiest one's share of
  a core: near 100% means the client, not the server, is the bottleneck.
- KB/msg: websocket bytes received by all the system's sockets per message sent (push volume).
- flat out msg/s: messages delivered per second; daphne ms/msg: Daphne CPU per delivered message.
- one action: Daphne and PG CPU (ms; minus Daphne's idle rate with all sockets open and PG's baseline)
  from just before the POST until the Daphne processes are quiet again, PG active ms and connections,
  frames pushed to the system's sockets, the POST's response time, and the time until quiet ("settle",
  capped at --action-timeout s).

At the end, exceptions in the Daphne logs are counted per process (errors no client sees, such as a
failed group_discard); the logs are kept, in a temporary directory, only when there are some.

Only loopback traffic; every loop is bounded in count and time; every child process (Daphne, generator
workers) is stopped at the end, on Ctrl-C and on errors, and dies with the benchmark if it is killed.
"""

import argparse
import asyncio
import concurrent.futures
import fcntl
import hashlib
import math
import multiprocessing
import os
import random
import re
import resource
import shutil
import signal
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

import redis

sys.path.insert(0, str(Path(__file__).resolve().parent))

import scale_clients
import scale_report
import scale_servers
from scale_clients import DIRECTIONS, http
from scale_report import (
    PRODUCT_1,
    PRODUCT_2,
    REFERENCE,
    SYSTEMS,
    SystemStep,
    sockets_per_system,
)
from scale_setup import (
    Agent,
    agents_logged_in,
    end_chats,
    new_uid,
    socket_plans,
    start_and_take_chats,
    start_chat,
    take_next,
)

LAYER_PREFIXES = {PRODUCT_1: "hdbench-p1", PRODUCT_2: "hdbench-p2", REFERENCE: "hdbench-ref"}
SECRET_KEY = "bench-scale-loopback-only-not-a-secret"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", default="10,100,250,500,1000", help="numbers of concurrent chats, comma-separated")
    parser.add_argument("--quick", action="store_true", help="smoke run: N=10, short phases (under a minute)")
    parser.add_argument("--duration", type=float, default=30, help="steady seconds per system per step")
    parser.add_argument("--slices", type=int, default=2, help="interleaved slices the steady phase is cut into")
    parser.add_argument("--interval", type=float, default=15, help="mean seconds between a chat's messages")
    parser.add_argument("--deadline", type=float, default=30, help="seconds after which a message counts as lost")
    parser.add_argument("--burst", type=float, default=10, help="flat-out seconds per system per step")
    parser.add_argument("--posters", type=int, default=16, help="concurrent closed-loop posters when flat out")
    parser.add_argument("--repeats", type=int, default=3, help="repeats of each single action (median printed)")
    parser.add_argument("--action-timeout", type=float, default=120, help="cap on the wait for quiet after an action")
    parser.add_argument("--action-budget", type=float, default=90,
                        help="no further repeats for a system once its single actions took this many seconds in a step")
    parser.add_argument("--drain-timeout", type=float, default=120,
                        help="cap on the wait for a system's Daphnes to go quiet after its turn, before the next one")
    parser.add_argument("--workers", type=int, default=2, help="load-generator processes")
    parser.add_argument("--batch", type=int, default=10, help="websocket handshakes in flight per generator process")
    parser.add_argument("--chats-per-agent", type=int, default=5, help="chats each benchmark agent takes")
    parser.add_argument("--setup-concurrency", type=int, default=6, help="concurrent HTTP requests while setting up")
    parser.add_argument("--max-in-flight", type=int, default=64, help="POSTs in flight per generator process")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/helpdesk_bench")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--embedded", action="store_true",
                        help="product-1 runs the embedded default, as `make run` does: a SQLite file and the "
                             "in-memory channel layer (no DATABASE_URL, no REDIS_URL) on its one Daphne")
    args = parser.parse_args()
    args.idle_window, args.baseline_window, args.settle_window = 3.0, 1.0, 1.0
    if args.quick:
        args.steps, args.duration, args.slices, args.interval = "10", 3, 2, 1.5
        args.burst, args.repeats, args.action_timeout, args.deadline, args.drain_timeout = 2, 1, 8, 10, 6
        args.idle_window, args.baseline_window, args.settle_window = 0.5, 0.3, 0.4
    args.steps = [int(n) for n in str(args.steps).split(",") if n.strip()]
    for url in (args.database_url, args.redis_url):
        if urllib.parse.urlsplit(url).hostname not in ("127.0.0.1", "localhost", "::1"):
            parser.error(f"{url}: only loopback servers are allowed")
    return args

# --- small helpers ---------------------------------------------------------------------------------------

def rotated(items, by):
    by %= len(items)
    return list(items[by:]) + list(items[:by])


def free_ports(count):
    import socket

    holders, ports = [], []
    for _ in range(count):
        holder = socket.socket()
        holder.bind(("127.0.0.1", 0))
        holders.append(holder)
        ports.append(holder.getsockname()[1])
    for holder in holders:
        holder.close()
    return ports


# --- generator pool ---------------------------------------------------------------------------------------


class GeneratorPool:
    """The worker processes, one pipe each; a command goes to all of them and waits for every answer."""

    def __init__(self, count, seed):
        context = multiprocessing.get_context("spawn")
        self.pipes, self.processes = [], []
        for w in range(count):
            parent_end, child_end = context.Pipe()
            process = context.Process(target=scale_clients.worker_main, args=(child_end, seed * 1000 + w), daemon=True)
            process.start()
            self.pipes.append(parent_end)
            self.processes.append(process)

    async def ask(self, command, per_worker_kwargs, timeout):
        for pipe, kwargs in zip(self.pipes, per_worker_kwargs):
            pipe.send((command, kwargs))
        return [await asyncio.to_thread(self.answer, pipe, command, timeout) for pipe in self.pipes]

    async def ask_same(self, command, kwargs, timeout):
        return await self.ask(command, [kwargs] * len(self.pipes), timeout)

    @staticmethod
    def answer(pipe, command, timeout):
        if not pipe.poll(timeout):
            raise RuntimeError(f"a generator process did not finish {command!r} within {timeout:.0f} s")
        return pipe.recv()

    async def totals(self):
        """Frames, bytes, duplicates and dropped sockets per system, summed over the workers."""
        summed = {}
        for answer in await self.ask_same("totals", {}, 60):
            for system, counts in answer.items():
                mine = summed.setdefault(system, {"frames": 0, "bytes": 0, "duplicates": 0, "dropped": 0,
                                                  "close_codes": {}})
                for key in ("frames", "bytes", "duplicates", "dropped"):
                    mine[key] += counts[key]
                for code, times in counts["close_codes"].items():
                    mine["close_codes"][code] = mine["close_codes"].get(code, 0) + times
        return summed

    def cpu_seconds_each(self):
        """CPU seconds of the parent and of each worker: one near 100% of a core is a generator bottleneck."""
        own = resource.getrusage(resource.RUSAGE_SELF)
        return [own.ru_utime + own.ru_stime] + [scale_servers.cpu_seconds(p.pid) for p in self.processes]

    def stop(self):
        for pipe in self.pipes:
            try:
                pipe.send(("quit", {}))
            except (OSError, ValueError):
                pass
        for process in self.processes:
            process.join(timeout=10)
            if process.is_alive():
                process.terminate()
                process.join(timeout=5)
            if process.is_alive():
                process.kill()


# --- probes -------------------------------------------------------------------------------------------


def totals_delta(before, after, system):
    zero = {"frames": 0, "bytes": 0, "duplicates": 0, "dropped": 0, "close_codes": {}}
    old, new = before.get(system, zero), after.get(system, zero)
    codes = {code: times - old["close_codes"].get(code, 0) for code, times in new["close_codes"].items()
             if times - old["close_codes"].get(code, 0)}
    return {key: new[key] - old[key] for key in ("frames", "bytes", "duplicates", "dropped")} | {"close_codes": codes}


class Probes:
    """Snapshots of every CPU counter the report uses; usage() is the difference of two."""

    def __init__(self, servers, pool, database_urls):
        self.servers = servers
        self.pool = pool
        self.postgres = scale_servers.ClusterCPU("postgres")
        self.redis = scale_servers.ClusterCPU("redis-server")
        self.databases = {system: scale_servers.DatabaseStats(url) for system, url in database_urls.items()}

    def pids(self, system):
        return [server.pid for server in self.servers[system]]

    def snapshot(self):
        return {
            "at": time.monotonic(),
            "daphne": {system: self.daphne_cpu(system) for system in SYSTEMS},
            "pg_cpu_s": self.postgres.seconds(), "redis_cpu_s": self.redis.seconds(),
            "gen_each": self.pool.cpu_seconds_each(),
            "db": {system: database.now() for system, database in self.databases.items()},
        }

    def daphne_cpu(self, system):
        return sum(scale_servers.cpu_seconds(pid) for pid in self.pids(system))

    def rss_mb(self, system):
        return sum(scale_servers.rss_mb(pid) for pid in self.pids(system))

    @staticmethod
    def usage(before, after, system, idle=None):
        """CPU used between two snapshots; with `idle` rates (CPU s per s), minus what idling would have used."""
        elapsed = after["at"] - before["at"]
        used = {"elapsed": elapsed, "daphne_s": after["daphne"][system] - before["daphne"][system]}
        for key in ("pg_cpu_s", "redis_cpu_s"):
            used[key] = None if after[key] is None or before[key] is None else after[key] - before[key]
        each = [new - old for old, new in zip(before["gen_each"], after["gen_each"])]
        used["gen_cpu_s"], used["gen_busiest_s"] = sum(each), max(each)
        for key in ("pg_active_s", "pg_sessions", "pg_xacts"):  # the reference has no database
            used[key] = after["db"][system][key] - before["db"][system][key] if system in after["db"] else 0
        if idle:
            for key in ("daphne_s", "pg_cpu_s", "redis_cpu_s"):
                if used[key] is not None and idle.get(key) is not None:
                    used[key] = max(0.0, used[key] - idle[key] * elapsed)
        return used


# --- the benchmark -----------------------------------------------------------------------------------------

class Bench:
    def __init__(self, args):
        self.args = args
        self.rng = random.Random(args.seed)
        self.log_dir = Path(tempfile.mkdtemp(prefix="bench_scale-"))
        self.servers: dict[str, list[scale_servers.Server]] = {}
        self.pool = None
        self.probes = None
        self.agents: dict[str, list[Agent]] = {}
        self.results: dict[int, dict[str, SystemStep]] = {}
        self.step_started = time.monotonic()

    # --- environment and processes ---

    def base_env(self):
        drop = {"DEBUG", "DJANGO_SETTINGS_MODULE", "DATABASE_URL", "REDIS_URL", "CHANNEL_LAYER_PREFIX", "PYTHONPATH"}
        env = {key: value for key, value in os.environ.items() if key not in drop}
        return env | {"SECRET_KEY": os.environ.get("SECRET_KEY", SECRET_KEY), "ALLOWED_HOSTS": "127.0.0.1,localhost",
                      "REDIS_URL": self.args.redis_url}

    def embedded(self, system):
        return self.args.embedded and system == PRODUCT_1

    def database_url(self, system):
        """--database-url with _1 or _2 after the database name: each product system has its own. With
        --embedded, product-1's is a SQLite file of its own."""
        base, _, name = self.args.database_url.rpartition("/")
        if self.embedded(system):
            return f"sqlite:///{Path(tempfile.gettempdir()) / f'bench_scale-{name}_embedded.sqlite3'}"
        return f"{base}/{name}_{system[-1]}"

    def product_env(self, system):
        env = self.base_env() | {"DATABASE_URL": self.database_url(system),
                                 "CHANNEL_LAYER_PREFIX": LAYER_PREFIXES[system]}
        if self.embedded(system):
            del env["REDIS_URL"]  # the in-memory channel layer and a local-memory cache
        return env

    def reference_env(self):
        return self.base_env() | {"CHANNEL_LAYER_PREFIX": LAYER_PREFIXES[REFERENCE],
                                  "DJANGO_SETTINGS_MODULE": "channels_reference.settings",
                                  "PYTHONPATH": str(scale_servers.LOAD_DIR)}

    def agents_needed(self):
        return max(math.ceil(n / self.args.chats_per_agent) for n in self.args.steps) or 1

    def hold_run_lock(self):
        """One run at a time per database: a second run would end the first one's chats and delete its
        Redis keys while it measures."""
        name = self.args.database_url.rpartition("/")[2]
        self.lock_file = open(Path(tempfile.gettempdir()) / f"bench_scale-{name}.lock", "w")  # noqa: SIM115
        try:
            fcntl.flock(self.lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            sys.exit(f"another bench_scale.py run uses {name}_1 and {name}_2; wait for it or pass --database-url")

    def start(self):
        """Database, Redis keys, Daphne processes and generator processes (all from the main thread:
        PR_SET_PDEATHSIG follows the thread that started a child)."""
        self.hold_run_lock()
        urls = ", ".join(self.database_url(system) for system in (PRODUCT_1, PRODUCT_2))
        print(f"preparing databases {urls} ({self.agents_needed()} benchmark agents each) ...", flush=True)
        with concurrent.futures.ThreadPoolExecutor(2) as both:  # done before any child that must die with us
            for done in [both.submit(scale_servers.prepare_product_database, self.product_env(system),
                                     self.agents_needed()) for system in (PRODUCT_1, PRODUCT_2)]:
                done.result()
        scale_servers.forget_layer_keys(self.args.redis_url, LAYER_PREFIXES.values())
        port_1, port_2a, port_2b, port_ref = free_ports(4)
        product_app, reference_app = "helpdesk.asgi:application", "channels_reference.asgi:application"
        def daphne(system, port, env, application):
            return scale_servers.start_daphne(system, port, env, application, self.log_dir)

        self.servers = {
            PRODUCT_1: [daphne(PRODUCT_1, port_1, self.product_env(PRODUCT_1), product_app)],
            PRODUCT_2: [daphne(PRODUCT_2, port, self.product_env(PRODUCT_2), product_app) for port in (port_2a, port_2b)],
            REFERENCE: [daphne(REFERENCE, port_ref, self.reference_env(), reference_app)],
        }
        self.pool = GeneratorPool(self.args.workers, self.args.seed)
        self.probes = Probes(self.servers, self.pool, {s: self.database_url(s) for s in (PRODUCT_1, PRODUCT_2)
                                                       if not self.embedded(s)})

    def stop(self):
        if self.pool:
            self.pool.stop()
        scale_servers.stop([server.process for servers in self.servers.values() for server in servers])
        self.report_server_errors()
        if self.probes:
            for database in self.probes.databases.values():
                database.close()
        try:
            scale_servers.forget_layer_keys(self.args.redis_url, LAYER_PREFIXES.values())
        except (OSError, redis.exceptions.RedisError) as error:  # Redis gone: nothing more to clean
            print(f"could not delete the benchmark's Redis keys: {error}")

    def report_server_errors(self):
        """Exceptions in the Daphne logs; the logs are kept only when there are some."""
        errors = scale_servers.server_errors(self.log_dir)
        if not errors:
            shutil.rmtree(self.log_dir, ignore_errors=True)
            return
        print(f"\nserver-side exceptions (tracebacks in the Daphne logs, kept in {self.log_dir}):")
        for server, counts in errors.items():
            for exception, times in sorted(counts.items(), key=lambda item: -item[1]):
                print(f"  {server:<22} {times:>6} x {exception}")

    def ports(self, system):
        return [server.port for server in self.servers[system]]

    # --- the run ---

    def progress(self, text):
        print(f"   [{time.monotonic() - self.step_started:5.0f} s] {text}", flush=True)

    async def run(self):
        await asyncio.gather(*(scale_servers.wait_until_serving(servers) for servers in self.servers.values()))
        started = time.monotonic()
        for system in (PRODUCT_1, PRODUCT_2):
            url = self.database_url(system)
            cache_key = hashlib.sha256(f"{url} {self.base_env()['SECRET_KEY']}".encode()).hexdigest()
            cache_file = Path(tempfile.gettempdir()) / f"bench_scale-sessions-{url.rpartition('/')[2]}.json"
            self.agents[system] = await agents_logged_in(self.ports(system), self.agents_needed(), cache_file,
                                                         cache_key, self.args.setup_concurrency)
        print(f"{self.agents_needed()} agents logged in per product system ({time.monotonic() - started:.1f} s)")
        scale_report.print_setup(self)
        for index, n in enumerate(self.args.steps):
            step_started = time.monotonic()
            self.results[n] = await self.run_step(n, index)
            scale_report.print_step(n, self.results[n], time.monotonic() - step_started)
        scale_report.print_summary(self.results)

    async def run_step(self, n, index):
        order = rotated(SYSTEMS, index)
        results = {system: SystemStep() for system in SYSTEMS}
        self.step_started = time.monotonic()
        print(f"\n== N = {n} ==", flush=True)
        chats = {REFERENCE: []}
        for system in (PRODUCT_1, PRODUCT_2):
            chats[system], failures, seconds = await start_and_take_chats(
                n, self.agents[system], self.args.chats_per_agent, self.ports(system), self.args.setup_concurrency)
            self.progress(f"{system}: {len(chats[system])} chats started and taken in {seconds:.1f} s"
                          + (f"; {len(failures)} failed, e.g. {failures[0]}" if failures else ""))
            results[system].errors["http"] += len(failures)
        totals_before = await self.pool.totals()
        interrupted = False
        try:
            for system in order:
                await self.open_sockets(system, n, chats[system], index, results[system])
            idle = await self.idle_rates()
            await self.steady_phase(order, results, idle)
            await self.action_phase(order, results, idle)
            await self.flat_out_phase(order, results, idle)
        except (asyncio.CancelledError, KeyboardInterrupt):
            interrupted = True  # stop now: the next run's preparation ends the chats left open
            raise
        finally:
            if not interrupted:
                await self.close_step(chats, results, totals_before)
        return results

    async def close_step(self, chats, results, totals_before):
        """Count what the step's sockets saw, close them, end the chats and check Redis is clean."""
        totals_after = await self.pool.totals()
        for system in SYSTEMS:
            change = totals_delta(totals_before, totals_after, system)
            results[system].errors["dup"] += change["duplicates"]
            results[system].errors["drop"] += change["dropped"]
            results[system].close_codes = change["close_codes"]
        for system in SYSTEMS:
            batches = results[system].sockets / max(1, self.args.batch * self.args.workers)
            await self.pool.ask_same("close", {"system": system, "batch_size": self.args.batch}, 60 + 6 * batches)
        for system in (PRODUCT_1, PRODUCT_2):
            not_ended = await end_chats(chats[system], self.ports(system), self.args.setup_concurrency)
            if not_ended:
                self.progress(f"{system}: {not_ended} chats could not be ended over HTTP")
        await self.forget_memberships(results)

    async def forget_memberships(self, results):
        """With every socket closed, no group should have members: report any that are left (a failed
        group_discard) as errors, and delete them so they cannot slow the next step."""
        for system in SYSTEMS:
            await self.wait_until_quiet(system, 0.05, self.args.settle_window, self.args.drain_timeout)
        left = await asyncio.to_thread(scale_servers.forget_layer_keys, self.args.redis_url, LAYER_PREFIXES.values())
        for system in SYSTEMS:
            results[system].left_memberships = left[LAYER_PREFIXES[system]]

    async def open_sockets(self, system, n, chats, index, result):
        plans = socket_plans(system, n, chats, self.ports(system), self.args.workers, index, self.rng)
        timeout = self.args.deadline
        answers = await self.pool.ask("open", [
            {"system": system, "chats": plan["chats"], "extras": plan["extras"], "batch_size": self.args.batch,
             "want_initial_frame": system != REFERENCE, "timeout": timeout} for plan in plans],
            timeout=60 + timeout * (1 + sockets_per_system(n) / max(1, self.args.batch)))
        result.sockets = sum(a["sockets"] for a in answers)
        never = sum(a["never_connected"] for a in answers)
        result.open_s = max(a["seconds"] for a in answers)
        result.errors["hs"] += sum(a["handshake"] + a["no_initial_frame"] for a in answers)
        result.examples += [e for a in answers for e in a["examples"]][:3]
        self.progress(f"{system}: {result.sockets} sockets open in {result.open_s:.1f} s"
                      + (f"; {result.errors['hs']} failed at first, e.g. {result.examples[0]}"
                         if result.errors["hs"] else "")
                      + (f"; {never} never connected after retries" if never else ""))

    async def shared_server_rates(self):
        """PostgreSQL's and Redis's CPU per second just before a turn. Those figures cover the whole
        servers, which other people's test runs use too, in bursts; this rate is subtracted from the turn."""
        before = self.probes.snapshot()
        await asyncio.sleep(self.args.baseline_window)
        used = Probes.usage(before, self.probes.snapshot(), PRODUCT_1)
        return {key: None if used[key] is None else used[key] / used["elapsed"] for key in ("pg_cpu_s", "redis_cpu_s")}

    async def idle_rates(self):
        """CPU per second of each system's Daphne processes with every socket open and nothing happening
        (Daphne pings every socket every 20 s): the level "quiet" means, and what one action's figure
        leaves out."""
        for system in SYSTEMS:  # connecting queues work (first renders, read marks): let it finish
            await self.wait_until_quiet(system, 0.05, self.args.settle_window, self.args.drain_timeout)
        before = self.probes.snapshot()
        await asyncio.sleep(self.args.idle_window)
        after = self.probes.snapshot()
        rates = {}
        for system in SYSTEMS:
            used = Probes.usage(before, after, system)
            rates[system] = {"daphne_s": used["daphne_s"] / used["elapsed"]}
        return rates

    async def drain(self, system, idle):
        """Let a system finish the work its turn queued (a saturated product renders for minutes after
        its last POST) before the next system's turn, which would otherwise share the CPU with it. That
        work is counted in the turn's CPU."""
        waited = await self.wait_until_quiet(system, idle["daphne_s"], self.args.settle_window, self.args.drain_timeout)
        await asyncio.sleep(0.5)  # let the last backends exit and report their statistics
        if waited > 5:
            capped = " (cap reached)" if waited >= self.args.drain_timeout else ""
            self.progress(f"{system} needed {waited:.0f} s to go quiet after its turn{capped}")

    async def steady_phase(self, order, results, idle):
        slice_s = self.args.duration / self.args.slices
        for number in range(self.args.slices):
            for system in rotated(order, number):
                shared = await self.shared_server_rates()
                before, totals_before = self.probes.snapshot(), await self.pool.totals()
                answers = await self.pool.ask_same("steady", {
                    "system": system, "duration": slice_s, "mean_interval": self.args.interval,
                    "deadline": self.args.deadline, "max_in_flight": self.args.max_in_flight,
                }, timeout=slice_s + 4 * self.args.deadline + 60)
                result = results[system]
                result.rss_mb = max(result.rss_mb, self.probes.rss_mb(system))
                await self.drain(system, idle[system])
                after, totals_after = self.probes.snapshot(), await self.pool.totals()
                self.add_steady(result, answers, Probes.usage(before, after, system, shared),
                                totals_delta(totals_before, totals_after, system))
            self.progress(f"steady slice {number + 1}/{self.args.slices} done")

    @staticmethod
    def add_steady(result, answers, used, change):
        for answer in answers:
            for direction in DIRECTIONS:
                result.latencies[direction] += answer["latencies"][direction]
            result.errors["http"] += answer["http_errors"]
            result.examples += answer["http_examples"][:max(0, 3 - len(result.examples))]
            result.errors["lost"] += answer["lost"]
            result.errors["late"] += answer["late_starts"]
            result.messages += answer["posts"]
        result.bytes += change["bytes"]
        for key, value in used.items():
            if value is not None:
                result.steady[key] = result.steady.get(key, 0) + value

    # --- one action ---

    async def wait_until_quiet(self, system, idle_rate, window, cap):
        """Wait (at most cap s) until, over the last `window` s, the system's Daphne processes used no more
        than their idle rate plus 2% of a core AND its database saw no new connection or transaction.
        CPU alone is not enough: a product whose one database thread waits on PostgreSQL (a connection per
        render) can be busy for seconds at a few % of CPU. Returns the time waited."""
        started = time.monotonic()
        history = [(started, *self.activity(system))]
        allowance = (idle_rate or 0) * window + 0.02 * window + 1 / scale_servers.CLOCK_TICKS
        while time.monotonic() - started < cap:
            await asyncio.sleep(0.2)
            now = (time.monotonic(), *self.activity(system))
            history.append(now)
            older = [sample for sample in history if sample[0] <= now[0] - window]
            if older and now[1] - older[-1][1] <= allowance and now[2] == older[-1][2]:
                return now[0] - started
        return time.monotonic() - started

    def activity(self, system):
        """(Daphne CPU s, connections + transactions seen by the system's database) right now."""
        database = self.probes.databases.get(system)
        counts = database.now() if database else {"pg_sessions": 0, "pg_xacts": 0}
        return self.probes.daphne_cpu(system), counts["pg_sessions"] + counts["pg_xacts"]

    async def measure_action(self, system, idle, action):
        """CPU and frames of one action: from just before its POST until the system is quiet again."""
        await self.wait_until_quiet(system, idle["daphne_s"], self.args.settle_window, self.args.action_timeout)
        shared = await self.shared_server_rates()
        before, totals_before = self.probes.snapshot(), await self.pool.totals()
        started = time.monotonic()
        problem = await action()
        response_s = time.monotonic() - started
        quiet_after = await self.wait_until_quiet(
            system, idle["daphne_s"], self.args.settle_window, self.args.action_timeout)
        after, totals_after = self.probes.snapshot(), await self.pool.totals()
        used = Probes.usage(before, after, system, {"daphne_s": idle["daphne_s"]} | shared)
        return used | {"ok": problem is None, "problem": problem, "response_s": response_s,
                       "settle_s": response_s + quiet_after, "capped": quiet_after >= self.args.action_timeout,
                       "frames": totals_delta(totals_before, totals_after, system)["frames"]}

    def product_actions(self, system):
        """New chat, answer and End chat by the first agent, on this system's ports. Each is (name, an
        unmeasured preparation or None, the measured action)."""
        ports, agent, state = self.ports(system), self.agents[system][0], {"uid": new_uid()}

        async def new_chat():
            if await start_chat(self.rng.choice(ports), "Probe visitor", state["uid"]) is None:
                return "new chat: no chat token in the answer"

        async def find_in_incoming_list():
            """What the agent double-clicks: the new chat's row of Incoming chats on the workspace page."""
            page = await http("GET", self.rng.choice(ports), "/", headers={"Cookie": agent.cookie_header}, timeout=120)
            rows = re.findall(r'<tr[^>]*data-session-id="(\d+)"[^>]*>(.*?)</tr>', page.body, re.DOTALL)
            state["answer_id"] = next((int(sid) for sid, row in rows if state["uid"] in row), None)

        async def answer():
            """Answer the chat found in Incoming chats; Get next in queue when the page did not show it."""
            if not state.get("answer_id"):
                state["session_id"], reason = await take_next(self.rng.choice(ports), agent)
                return f"answer: not in Incoming chats on GET /, took it with Get next in queue ({reason})"
            panel = await http("POST", self.rng.choice(ports), f"/chats/{state['answer_id']}/answer/", {},
                               agent.post_headers)
            state["session_id"] = state["answer_id"] if panel.status == 200 else None
            return None if panel.status == 200 else f"answer: HTTP {panel.status}"

        async def end():
            if state.get("session_id") is None:
                return "end: no chat to end"
            ended = await http("POST", self.rng.choice(ports), f"/chats/{state['session_id']}/end/", {},
                               agent.post_headers)
            return None if ended.status == 204 else f"end: HTTP {ended.status}"

        return [("new chat", None, new_chat), ("answer", find_in_incoming_list, answer), ("end", None, end)]

    def reference_actions(self):
        async def broadcast():
            status = (await http("POST", self.ports(REFERENCE)[0], "/broadcast/", {"body": "hello everyone"})).status
            return None if status == 204 else f"broadcast: HTTP {status}"

        return [("broadcast", None, broadcast)]

    async def action_phase(self, order, results, idle):
        """The single actions, systems interleaved; a system whose actions already took --action-budget s
        in this step (at large N one new chat keeps Daphne busy for a minute) is not repeated."""
        spent = {system: 0.0 for system in SYSTEMS}
        for repeat in range(self.args.repeats):
            for system in rotated(order, repeat):
                if repeat and spent[system] > self.args.action_budget:
                    continue
                started = time.monotonic()
                actions = self.reference_actions() if system == REFERENCE else self.product_actions(system)
                for name, prepare, action in actions:
                    if prepare:
                        await prepare()
                    measured = await self.measure_action(system, idle[system], action)
                    results[system].actions.setdefault(name, []).append(measured)
                    if not measured["ok"]:
                        results[system].errors["http"] += 1
                        results[system].examples.append(measured["problem"])
                spent[system] += time.monotonic() - started
            self.progress(f"single actions {repeat + 1}/{self.args.repeats} done")

    async def flat_out_phase(self, order, results, idle):
        per_worker = max(1, self.args.posters // self.args.workers)
        for system in order:
            shared = await self.shared_server_rates()
            before = self.probes.snapshot()
            answers = await self.pool.ask_same("burst", {
                "system": system, "duration": self.args.burst, "posters": per_worker, "deadline": self.args.deadline,
            }, timeout=self.args.burst + 2 * self.args.deadline + 60)
            await self.drain(system, idle[system])
            after = self.probes.snapshot()
            latencies = sorted(x for a in answers for d in DIRECTIONS for x in a["latencies"][d])
            elapsed = max(a["elapsed"] for a in answers) or 1e-9
            used = Probes.usage(before, after, system, shared)
            results[system].flat = {
                "delivered": len(latencies), "per_s": len(latencies) / elapsed, "latencies": latencies,
                "posters": per_worker * self.args.workers, "used": used,
                "lost": sum(a["lost"] for a in answers), "http": sum(a["http_errors"] for a in answers),
            }
        self.progress("flat out done")


def main():
    args = parse_args()
    print(f"file descriptors per process: {scale_clients.raise_fd_limit()}")

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)
    bench = Bench(args)
    try:
        bench.start()
        asyncio.run(bench.run())
    except KeyboardInterrupt:
        print("\ninterrupted; stopping every child process")
    finally:
        bench.stop()


if __name__ == "__main__":
    main()
