"""The load generator of bench_scale.py: a tiny HTTP client and the worker processes that hold the sockets.

One Python process cannot hold thousands of websockets and keep time while it parses their frames, so the
clients are spread over a few worker processes (multiprocessing). Each worker owns whole chats: the
visitor's socket, the agent's socket and the POSTs of both sides, so a message's send time and its
arrival are taken by one clock in one process. The parent sends a worker a command (open, steady, burst,
totals, close, quit) over a pipe and gets one dict back; workers never talk to each other.

Only loopback: every URL is http://127.0.0.1:<port> or ws://127.0.0.1:<port>.
"""

import asyncio
import contextlib
import ctypes
import random
import re
import resource
import secrets
import signal
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode

import websockets

HOST = "127.0.0.1"
TO_AGENT = "visitor->agent"
TO_VISITOR = "agent->visitor"
DIRECTIONS = (TO_AGENT, TO_VISITOR)
# A message's text: unique, only [a-z0-9] so no template escapes it, easy to find in any frame.
TOKEN_RE = re.compile(r"bx[0-9a-f]{12}z")


def new_token() -> str:
    return f"bx{secrets.token_hex(6)}z"


def die_with_parent():
    """Ask Linux to SIGTERM this process when the benchmark dies, even by SIGKILL: no orphan keeps a port."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def raise_fd_limit():
    """Thousands of sockets per process need more descriptors than a shell's default soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


# --- HTTP -------------------------------------------------------------------------------------------


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]]
    body: str

    @property
    def cookies(self) -> dict[str, str]:
        jar = SimpleCookie()
        for name, value in self.headers:
            if name.lower() == "set-cookie":
                jar.load(value)
        return {name: morsel.value for name, morsel in jar.items()}


async def http(method, port, path, fields=None, headers=None, timeout=30.0) -> Response:
    """One HTTP/1.1 request on a fresh loopback connection (Connection: close), read to the end.

    Small on purpose: no client library's pool or retries between the clock and the server. Raises
    OSError or TimeoutError when the server does not answer in time."""
    body = urlencode(fields or {}).encode()
    lines = [f"{method} {path} HTTP/1.1", f"Host: {HOST}:{port}", "Connection: close",
             f"Content-Length: {len(body)}"]
    if method == "POST":
        lines.append("Content-Type: application/x-www-form-urlencoded")
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    async with asyncio.timeout(timeout):
        reader, writer = await asyncio.open_connection(HOST, port)
        try:
            writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
            raw = await reader.read()
        finally:
            writer.close()
    head, _, payload = raw.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    parsed = [tuple(part.strip() for part in line.split(":", 1)) for line in header_lines if ":" in line]
    return Response(int(status_line.split()[1]), parsed, payload.decode("utf-8", "replace"))


# --- Worker state -----------------------------------------------------------------------------------


@dataclass
class Counters:
    """Cumulative per system; the parent takes differences around a phase."""

    frames: int = 0
    bytes: int = 0
    duplicates: int = 0
    dropped: int = 0
    close_codes: dict = field(default_factory=dict)


@dataclass
class LiveSocket:
    system: str
    port: int
    path: str
    headers: dict
    ws: object = None
    reader: asyncio.Task | None = None
    seen: set = field(default_factory=set)
    first_frame: asyncio.Event = field(default_factory=asyncio.Event)
    closing: bool = False


@dataclass
class Chat:
    """One product chat (widget + panel socket) or one reference room (two room sockets)."""

    system: str
    ports: list[int]
    visitor: LiveSocket
    agent: LiveSocket
    visitor_post: tuple[str, dict]  # path, headers
    agent_post: tuple[str, dict]


@dataclass
class PhaseResult:
    latencies: dict = field(default_factory=lambda: {d: [] for d in DIRECTIONS})
    http_errors: int = 0
    http_examples: list = field(default_factory=list)  # the first few failures, e.g. "HTTP 500"
    lost: int = 0
    late_starts: int = 0
    posts: int = 0
    elapsed: float = 0.0


class Worker:
    """Holds the sockets of its share of the chats of every system, and posts their messages."""

    def __init__(self, conn, seed):
        self.conn = conn
        self.rng = random.Random(seed)
        self.chats: dict[str, list[Chat]] = {}
        self.sockets: dict[str, list[LiveSocket]] = {}
        self.counters: dict[str, Counters] = {}
        self.expected: dict[str, tuple[LiveSocket, float, asyncio.Future]] = {}

    async def serve(self):
        while True:
            command, kwargs = await asyncio.to_thread(self.conn.recv)
            if command == "quit":
                await self.close_all()
                self.conn.send({})
                return
            self.conn.send(await getattr(self, command)(**kwargs))

    # --- sockets ---

    async def open(self, system, chats, extras, batch_size, want_initial_frame, timeout, retries=2):
        """Connect this worker's sockets of one system in batches, each batch waiting for its handshakes
        (and, for the product, its first frame: the state a consumer sends on connect), so a thousand
        handshakes never hit the server at once. A failed handshake is counted, then retried (up to
        `retries` more rounds, as the browser's ws extension reconnects) so the phases run with every socket."""
        self.counters.setdefault(system, Counters())
        made = [self.make_chat(system, spec) for spec in chats]
        self.chats[system] = made
        sockets = [s for chat in made for s in (chat.visitor, chat.agent)]
        sockets += [LiveSocket(system, port, path, headers) for port, path, headers in extras]
        self.sockets[system] = sockets
        started = time.monotonic()
        failures = {"handshake": 0, "no_initial_frame": 0, "examples": []}
        to_connect = sockets
        for attempt in range(1 + retries):
            failed = []
            for first in range(0, len(to_connect), batch_size):
                batch = to_connect[first:first + batch_size]
                outcomes = await asyncio.gather(*(self.connect(s, want_initial_frame, timeout) for s in batch))
                for sock, outcome in zip(batch, outcomes):
                    if outcome and attempt == 0:
                        failures[outcome[0]] += 1
                        if len(failures["examples"]) < 3:
                            failures["examples"].append(outcome[1])
                    if outcome and outcome[0] == "handshake":
                        failed.append(sock)
            to_connect = failed
            if not failed:
                break
            await asyncio.sleep(1.0)
        return {"sockets": len(sockets) - len(to_connect), "never_connected": len(to_connect),
                "seconds": time.monotonic() - started, **failures}

    def make_chat(self, system, spec):
        def socket(side):
            return LiveSocket(system, spec[f"{side}_socket_port"], spec[f"{side}_socket_path"],
                              spec[f"{side}_socket_headers"])

        return Chat(system, spec["post_ports"], socket("visitor"), socket("agent"),
                    (spec["visitor_post_path"], spec["visitor_post_headers"]),
                    (spec["agent_post_path"], spec["agent_post_headers"]))

    async def connect(self, sock, want_initial_frame, timeout):
        try:
            sock.ws = await websockets.connect(
                f"ws://{HOST}:{sock.port}{sock.path}", origin=f"http://{HOST}:{sock.port}",
                additional_headers=sock.headers, open_timeout=timeout, ping_interval=None, close_timeout=2,
                max_size=None, compression=None,
            )
        except (OSError, TimeoutError, websockets.exceptions.WebSocketException) as error:  # refused, timed out...
            return "handshake", f"{sock.path}: {type(error).__name__}: {error}"[:200]
        sock.reader = asyncio.create_task(self.read_frames(sock))
        if want_initial_frame:
            try:
                async with asyncio.timeout(timeout):
                    await sock.first_frame.wait()
            except TimeoutError:
                return "no_initial_frame", f"{sock.path}: no frame within {timeout:.0f} s"
        return None

    async def read_frames(self, sock):
        counters = self.counters[sock.system]
        try:
            async for frame in sock.ws:
                self.on_frame(sock, counters, frame if isinstance(frame, str) else frame.decode("utf-8", "replace"))
        except websockets.ConnectionClosed:
            pass
        finally:
            if not sock.closing:
                counters.dropped += 1
                code = sock.ws.close_code
                counters.close_codes[code] = counters.close_codes.get(code, 0) + 1

    def on_frame(self, sock, counters, frame):
        """Count the frame, flag a message text this socket already showed (a duplicate), and stop the
        clock of a message that was waiting for this socket."""
        now = time.monotonic()
        counters.frames += 1
        counters.bytes += len(frame)
        sock.first_frame.set()
        for token in set(TOKEN_RE.findall(frame)):
            if token in sock.seen:
                counters.duplicates += 1
                continue
            sock.seen.add(token)
            waiting = self.expected.get(token)
            if waiting and waiting[0] is sock:
                del self.expected[token]
                if not waiting[2].done():
                    waiting[2].set_result(now - waiting[1])

    async def close(self, system, batch_size=10, pause=0.25):
        """Close one system's sockets in batches, `pause` s apart. Hundreds of disconnects at once run
        hundreds of group_discard calls at once (each after its close handshake, so batches overlap on
        the server), more than channels-redis's Redis connection pool allows (redis-py's 100 per pool,
        which raises rather than waits); the memberships they fail to remove stay in Redis for a day."""
        sockets = self.sockets.pop(system, [])
        self.chats.pop(system, None)
        for sock in sockets:
            sock.closing = True
        for first in range(0, len(sockets), batch_size):
            await asyncio.gather(*(self.close_one(s) for s in sockets[first:first + batch_size]))
            await asyncio.sleep(pause)
        return {"closed": len(sockets)}

    async def close_one(self, sock):
        if sock.ws is None:
            return
        with contextlib.suppress(OSError, TimeoutError, websockets.exceptions.WebSocketException):
            async with asyncio.timeout(5):
                await sock.ws.close()
        if sock.reader:
            sock.reader.cancel()

    async def close_all(self):
        for system in list(self.sockets):
            await self.close(system)

    async def totals(self):
        return {system: vars(c) | {"close_codes": dict(c.close_codes)} for system, c in self.counters.items()}

    # --- messages ---

    async def send_one(self, chat, direction, posting, deadline, result, scheduled):
        """POST one message and wait until it shows on the other side's socket. The clock starts just
        before the POST; the text is registered first, since its frame may beat the POST's response.
        A message that cannot even start within `deadline` (every POST slot busy with a server that does
        not answer) is never posted and counts as late and lost."""
        try:
            async with asyncio.timeout(deadline):
                await posting.acquire()
        except TimeoutError:
            result.late_starts += 1
            result.lost += 1
            return
        try:
            started = time.monotonic()
            if started - scheduled > 1.0:
                result.late_starts += 1
            token = new_token()
            receiver = chat.agent if direction == TO_AGENT else chat.visitor
            path, headers = chat.visitor_post if direction == TO_AGENT else chat.agent_post
            arrived = asyncio.get_running_loop().create_future()
            self.expected[token] = (receiver, started, arrived)
            result.posts += 1
            try:
                status = (await http("POST", self.rng.choice(chat.ports), path, {"body": token}, headers,
                                     timeout=deadline)).status
            except (OSError, TimeoutError, ValueError, IndexError) as error:
                status = type(error).__name__
            if status not in (200, 204):
                result.http_errors += 1
                if len(result.http_examples) < 3:
                    shown = status if isinstance(status, str) else f"HTTP {status}"
                    result.http_examples.append(f"POST {path}: {shown}")
                self.expected.pop(token, None)
                return
        finally:
            posting.release()
        try:
            async with asyncio.timeout(max(0.0, deadline - (time.monotonic() - started))):
                result.latencies[direction].append(await arrived)
        except TimeoutError:
            result.lost += 1
            self.expected.pop(token, None)

    async def steady(self, system, duration, mean_interval, deadline, max_in_flight):
        """Every chat sends a message every ~mean_interval s (uniform 0.5x..1.5x), alternating sides, for
        duration s; open loop, so a slow server faces the same arrivals as a fast one."""
        result = PhaseResult()
        posting = asyncio.Semaphore(max_in_flight)
        end = time.monotonic() + duration
        sends = []

        async def converse(chat):
            direction = self.rng.choice(DIRECTIONS)
            await asyncio.sleep(min(self.rng.uniform(0, mean_interval), max(0.0, end - time.monotonic())))
            while time.monotonic() < end:
                sends.append(asyncio.create_task(
                    self.send_one(chat, direction, posting, deadline, result, time.monotonic())))
                direction = TO_VISITOR if direction == TO_AGENT else TO_AGENT
                gap = self.rng.uniform(0.5, 1.5) * mean_interval
                if time.monotonic() + gap >= end:
                    return
                await asyncio.sleep(gap)

        started = time.monotonic()
        await asyncio.gather(*(converse(chat) for chat in self.chats.get(system, [])))
        await asyncio.gather(*sends)
        result.elapsed = time.monotonic() - started
        return vars(result)

    async def burst(self, system, duration, posters, deadline):
        """Flat out: each poster posts, waits for the text to arrive, and posts again (closed loop), to a
        random chat of this worker, until duration s have passed."""
        result = PhaseResult()
        chats = self.chats.get(system, [])
        unbounded = asyncio.Semaphore(max(1, posters))
        end = time.monotonic() + duration

        async def poster(number):
            direction = DIRECTIONS[number % 2]
            while chats and time.monotonic() < end:
                await self.send_one(self.rng.choice(chats), direction, unbounded, deadline, result, time.monotonic())
                direction = TO_VISITOR if direction == TO_AGENT else TO_AGENT

        started = time.monotonic()
        await asyncio.gather(*(poster(n) for n in range(posters)))
        result.elapsed = time.monotonic() - started
        return vars(result)


def worker_main(conn, seed):
    """Entry point of a generator process."""
    die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and tells us to quit
    raise_fd_limit()
    asyncio.run(Worker(conn, seed).serve())
