"""Benchmark: how fast the live loop feels, on this machine, through a real Daphne.

    .venv/bin/python tests/load/bench_live.py [--visitors 40] [--messages 5] [--chats 1000]

Starts its own Daphne on a scratch SQLite database (or on DATABASE_URL / REDIS_URL when set, whose
database it migrates and fills), then prints figures:
- start chat: time for a visitor's "Start chat" POST;
- agent -> visitor: from the agent's Send POST until the visitor's websocket shows the text;
- visitor -> agent: from the visitor's Send POST until the agent's chat panel socket shows it;
- dashboard / chats page with --chats chats in the database.
Only loopback traffic; every loop is bounded. Prints figures, asserts nothing.
"""

import argparse
import asyncio
import http.cookiejar
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

import websockets

ROOT = Path(__file__).resolve().parents[2]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ensure_postgres_database(url):
    """Create the benchmark's PostgreSQL database when it does not exist yet."""
    import dj_database_url
    import psycopg

    db = dj_database_url.parse(url)
    with psycopg.connect(host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], password=db["PASSWORD"],
                         dbname="postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]).fetchone():
            conn.execute(f'CREATE DATABASE "{db["NAME"]}"')


def prepare_database(env, chats):
    if env["DATABASE_URL"].startswith(("postgres://", "postgresql://")):
        ensure_postgres_database(env["DATABASE_URL"])
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    script = f"""
from helpdesk.demo import create_demo_data
from chat.models import Channel, ChatSession, Message
demo = create_demo_data()
# Every visitor of the benchmark comes from one address: lift the throttles and the queue cap meant for that.
Channel.objects.filter(pk=demo.channel.pk).update(
    chats_per_minute=0, messages_per_minute=0, typing_reports_per_minute=0, max_queued_chats=0)
sessions = ChatSession.objects.bulk_create(
    ChatSession(channel=demo.channel, visitor_name=f"Old {{i}}", status="ended") for i in range({chats}))
Message.objects.bulk_create(Message(session=s, kind="visitor", body="hello") for s in sessions)
"""
    subprocess.run([sys.executable, "manage.py", "shell", "-v0", "-c", script], cwd=ROOT, env=env, check=True)


class Agent:
    def __init__(self, base, username):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.opener.open(f"{base}/accounts/login/").read()
        self.post("/accounts/login/", {"username": username, "password": "demo"})

    def cookie(self, name):
        return next(c.value for c in self.jar if c.name == name)

    def post(self, path, data):
        request = urllib.request.Request(
            self.base + path, data=urllib.parse.urlencode(data).encode(),
            headers={"X-CSRFToken": self.cookie("csrftoken"), "Referer": self.base + "/"},
        )
        return self.opener.open(request).read().decode()

    def get(self, path):
        return self.opener.open(self.base + path).read().decode()


def post_form(base, path, data):
    request = urllib.request.Request(base + path, data=urllib.parse.urlencode(data).encode())
    return urllib.request.urlopen(request).read().decode()


async def wait_for_text(socket_, text, deadline=10.0):
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        frame = await asyncio.wait_for(socket_.recv(), timeout=max(0.01, end - time.monotonic()))
        if text in frame:
            return True
    return False


def figures(name, samples):
    if not samples:
        return print(f"{name:<32} no samples")
    ms = sorted(s * 1000 for s in samples)
    p95 = ms[min(len(ms) - 1, int(len(ms) * 0.95))]
    print(f"{name:<32} n={len(ms):<4} p50={statistics.median(ms):7.1f} ms  p95={p95:7.1f} ms  max={ms[-1]:7.1f} ms")


async def run(base, ws_base, visitors, messages):
    alice = Agent(base, "alice")
    cookie_header = "; ".join(f"{c.name}={c.value}" for c in alice.jar)
    headers = {"Cookie": cookie_header, "Origin": base}
    started, to_visitor, to_agent = [], [], []
    # alice counts as Present only while a workspace of hers is open: keep one open throughout.
    workspace = await websockets.connect(f"{ws_base}/ws/workspace/", additional_headers=headers)
    await workspace.recv()
    for n in range(visitors):
        t0 = time.monotonic()
        html = post_form(base, "/widget/support/start/", {"name": f"Visitor {n}", "question": "Hi"})
        started.append(time.monotonic() - t0)
        token = re.search(r'data-token="([^"]+)"', html).group(1)
        panel = alice.post("/chats/next/", {})
        session_id = re.search(r'data-session-id="(\d+)"', panel).group(1)
        async with websockets.connect(f"{ws_base}/ws/widget/{token}/", origin=base) as visitor_socket, \
                websockets.connect(f"{ws_base}/ws/chats/{session_id}/", additional_headers=headers) as agent_socket:
            await visitor_socket.recv()
            await agent_socket.recv()
            for m in range(messages):
                text = f"agent says {n}.{m}"
                t0 = time.monotonic()
                await asyncio.to_thread(alice.post, f"/chats/{session_id}/messages/", {"body": text})
                if await wait_for_text(visitor_socket, text):
                    to_visitor.append(time.monotonic() - t0)
                text = f"visitor says {n}.{m}"
                t0 = time.monotonic()
                await asyncio.to_thread(post_form, base, f"/widget/support/chat/{token}/messages/", {"body": text})
                if await wait_for_text(agent_socket, text):
                    to_agent.append(time.monotonic() - t0)
        alice.post(f"/chats/{session_id}/end/", {})
    await workspace.close()
    pages = {"dashboard + chats page (GET /)": [], "chat panel (GET /chats/<id>/)": []}
    for _ in range(20):
        t0 = time.monotonic()
        alice.get("/")
        pages["dashboard + chats page (GET /)"].append(time.monotonic() - t0)
        t0 = time.monotonic()
        alice.get(f"/chats/{session_id}/transcript/")
        pages["chat panel (GET /chats/<id>/)"].append(time.monotonic() - t0)
    figures("start chat (POST)", started)
    figures("agent -> visitor (live)", to_visitor)
    figures("visitor -> agent (live)", to_agent)
    for name, samples in pages.items():
        figures(name, samples)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visitors", type=int, default=40)
    parser.add_argument("--messages", type=int, default=5)
    parser.add_argument("--chats", type=int, default=1000, help="ended chats in the database for the page timings")
    args = parser.parse_args()
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="helpdesk.settings", DEBUG="1")
    scratch = None
    if "DATABASE_URL" not in env:
        scratch = tempfile.NamedTemporaryFile(suffix=".sqlite3", delete=False)
        env["DATABASE_URL"] = f"sqlite:///{scratch.name}"
    env.pop("DEBUG")
    prepare_database(dict(env, DEBUG="1"), args.chats)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "helpdesk.asgi:application"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/accounts/login/", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        print(f"database: {env['DATABASE_URL'].split(':')[0]}, channel layer: {'redis' if env.get('REDIS_URL') else 'in-memory'}, "
              f"visitors={args.visitors}, messages each way={args.messages}, chats in db={args.chats}")
        asyncio.run(run(base, f"ws://127.0.0.1:{port}", args.visitors, args.messages))
    finally:
        server.terminate()
        server.wait(timeout=10)
        if scratch:
            os.unlink(scratch.name)


if __name__ == "__main__":
    main()
