"""Setting up the product's side of a step over its public HTTP surface: logged-in agents, chats started
as the widget does and taken by the agents, and the socket plans the generator processes open.

Only the URLs and markup a browser uses: the login form, POST /widget/support/start/ (the chat's token
is in the widget's data-token), POST /chats/next/ (the panel's data-session-id), End chat.
"""

import asyncio
import json
import math
import re
import secrets
import time
from dataclasses import dataclass

import scale_servers
from scale_clients import http
from scale_report import REFERENCE, SOCKETS_PER_WORKSPACE

UID_RE = re.compile(r"bq[0-9a-f]{12}z")


async def bounded_gather(limit, coroutines):
    """Run coroutines with at most `limit` at a time, keeping their order."""
    gate = asyncio.Semaphore(limit)

    async def one(coroutine):
        async with gate:
            return await coroutine

    return await asyncio.gather(*(one(c) for c in coroutines))


# --- agents -------------------------------------------------------------------------------------------


@dataclass
class Agent:
    username: str
    cookies: dict

    @property
    def cookie_header(self):
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    @property
    def post_headers(self):
        """What htmx sends with an agent's POST: the session and CSRF cookies and the CSRF header."""
        return {"Cookie": self.cookie_header, "X-CSRFToken": self.cookies["csrftoken"], "HX-Request": "true"}


async def log_in(port, username):
    """The login form, as a browser fills it in: GET for the CSRF cookie, POST, keep the session cookie."""
    form = await http("GET", port, "/accounts/login/")
    csrf = form.cookies["csrftoken"]
    done = await http("POST", port, "/accounts/login/", {"username": username, "password": "demo",
                                                         "csrfmiddlewaretoken": csrf},
                      {"Cookie": f"csrftoken={csrf}", "X-CSRFToken": csrf})
    cookies = {"csrftoken": csrf, **done.cookies}
    if done.status != 302 or "sessionid" not in cookies:
        raise RuntimeError(f"login of {username} failed with HTTP {done.status}")
    return Agent(username, {"sessionid": cookies["sessionid"], "csrftoken": cookies["csrftoken"]})


async def still_logged_in(port, agent):
    try:
        return (await http("GET", port, "/", headers={"Cookie": agent.cookie_header})).status == 200
    except (OSError, TimeoutError):
        return False


async def agents_logged_in(ports, count, cache_file, cache_key, concurrency):
    """`count` logged-in agents. Sessions are kept in a file between runs (a login costs ~0.3 s of server
    CPU for the password hash); a cached session is checked with GET / and replaced when it is not valid."""
    try:
        cached = json.loads(cache_file.read_text())
        cached = cached["sessions"] if cached.get("key") == cache_key else {}
    except (OSError, ValueError, KeyError):
        cached = {}

    async def one(i):
        username = scale_servers.BENCH_AGENT.format(i)
        port = ports[i % len(ports)]
        if username in cached:
            agent = Agent(username, cached[username])
            if await still_logged_in(port, agent):
                return agent
        return await log_in(port, username)

    agents = await bounded_gather(concurrency, [one(i) for i in range(count)])
    cached.update({agent.username: agent.cookies for agent in agents})
    cache_file.write_text(json.dumps({"key": cache_key, "sessions": cached}))
    cache_file.chmod(0o600)
    return agents


# --- product chats ------------------------------------------------------------------------------------------


@dataclass
class ProductChat:
    token: str
    session_id: int
    agent: Agent


def new_uid():
    return f"bq{secrets.token_hex(6)}z"


async def start_chat(port, name, uid):
    """The widget's Start chat; returns the chat's token (None when the widget got the offline form)."""
    page = await http("POST", port, "/widget/support/start/", {"name": name, "question": f"Hello {uid}"},
                      {"HX-Request": "true"})
    found = re.search(r'data-token="([^"]+)"', page.body)
    return found.group(1) if page.status == 200 and found else None


async def take_next(port, agent, attempts=5):
    """Get next in queue; returns (session id, panel HTML) or (None, reason). A 409 (nobody waiting)
    can happen when a colleague's take holds the only waiting chat locked; it is retried a few times."""
    for _ in range(attempts):
        panel = await http("POST", port, "/chats/next/", {}, agent.post_headers)
        found = re.search(r'data-session-id="(\d+)"', panel.body)
        if panel.status == 200 and found:
            return int(found.group(1)), panel.body
        if panel.status != 409:
            return None, f"HTTP {panel.status}"
        await asyncio.sleep(0.2)
    return None, "nobody waiting"


async def start_and_take_chats(n, agents, chats_per_agent, ports, concurrency):
    """N chats, each started by a visitor and taken by agent i // chats_per_agent. Takes run concurrently,
    so an agent may get another visitor's chat; the question's unique text in the panel says which."""
    tokens, taken, failures = {}, {}, []

    async def one(i):
        port = ports[i % len(ports)]
        uid = new_uid()
        token = await start_chat(port, f"Visitor {i}", uid)
        if token is None:
            failures.append("start: no chat token in the answer (offline form: no Present agent?)")
            return
        tokens[uid] = token
        agent = agents[i // chats_per_agent]
        session_id, panel = await take_next(ports[(i + 1) % len(ports)], agent)
        if session_id is None:
            failures.append(f"take: {panel}")
            return
        shown = UID_RE.search(panel)
        if shown is None:
            failures.append(f"take: the panel of chat {session_id} does not show the visitor's question")
            return
        taken[shown.group(0)] = (session_id, agent)

    started = time.monotonic()
    await bounded_gather(concurrency, [one(i) for i in range(n)])
    chats = [ProductChat(tokens[uid], session_id, agent) for uid, (session_id, agent) in taken.items() if uid in tokens]
    return chats, failures, time.monotonic() - started


async def end_chats(chats, ports, concurrency):
    """End chat, by each owner: the next step starts from no open chats."""

    async def one(i, chat):
        try:
            return (await http("POST", ports[i % len(ports)], f"/chats/{chat.session_id}/end/", {},
                               chat.agent.post_headers)).status
        except (OSError, TimeoutError):
            return None

    statuses = await bounded_gather(concurrency, [one(i, chat) for i, chat in enumerate(chats)])
    return sum(1 for status in statuses if status != 204)


# --- socket plans (what each generator process opens) --------------------------------------------------------


def product_chat_spec(chat, ports, rng):
    agent_cookie = {"Cookie": chat.agent.cookie_header}
    return {
        "post_ports": ports,
        "visitor_socket_port": rng.choice(ports),
        "visitor_socket_path": f"/ws/widget/{chat.token}/?shown=active",
        "visitor_socket_headers": {},
        "agent_socket_port": rng.choice(ports),
        "agent_socket_path": f"/ws/chats/{chat.session_id}/",
        "agent_socket_headers": agent_cookie,
        "visitor_post_path": f"/widget/support/chat/{chat.token}/messages/",
        "visitor_post_headers": {"HX-Request": "true"},
        "agent_post_path": f"/chats/{chat.session_id}/messages/",
        "agent_post_headers": chat.agent.post_headers,
    }


def reference_room_spec(room, port):
    path = f"/ws/rooms/{room}/"
    return {
        "post_ports": [port],
        "visitor_socket_port": port, "visitor_socket_path": path, "visitor_socket_headers": {},
        "agent_socket_port": port, "agent_socket_path": path, "agent_socket_headers": {},
        "visitor_post_path": f"/rooms/{room}/messages/", "visitor_post_headers": {},
        "agent_post_path": f"/rooms/{room}/messages/", "agent_post_headers": {},
    }


def socket_plans(system, n, chats, ports, workers, step, rng):
    """Per generator process: its chats (whole, both sides) and its extra sockets (workspace / lobby)."""
    extras_count = math.ceil(n / SOCKETS_PER_WORKSPACE)
    if system == REFERENCE:
        specs = [reference_room_spec(f"s{step}r{i}", ports[0]) for i in range(n)]
        extras = [(ports[0], "/ws/lobby/", {}) for _ in range(extras_count)]
    else:
        specs = [product_chat_spec(chat, ports, rng) for chat in chats]
        owners = list({chat.agent.username: chat.agent for chat in chats}.values())
        extras = [(rng.choice(ports), "/ws/workspace/", {"Cookie": owners[j % len(owners)].cookie_header})
                  for j in range(extras_count)] if owners else []
    return [{"chats": specs[w::workers], "extras": extras[w::workers]} for w in range(workers)]
