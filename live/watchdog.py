"""Keeps every socket of this process either current or closed.

While Redis is away, every push is lost: the senders' PUBLISH fails and the subscribers hear nothing;
when a restarted Redis comes back it has forgotten every subscription until each process's connection
notices. A socket that stays open through that shows a stale page and never learns it. So each process
watches Redis on a connection of its own: when a check fails, or Redis answers with another run id (it
restarted), the process closes every socket once Redis answers again; the page reconnects and the
consumer resyncs it on connect.

The close code is 1000, which static/helpdesk/live.js reconnects on. Not 1012 (service restart), which
the htmx ws extension would: Daphne (autobahn) lets an application close only with 1000 or 3000-4999
and raises on anything else, so a 1012 close left every open socket open, and deaf.
"""

import asyncio
import logging
import weakref

import redis.asyncio as redis
from django.conf import settings

CHECK_SECONDS = 2.0
RECONNECT = 1000

logger = logging.getLogger(__name__)

_consumers: "weakref.WeakSet" = weakref.WeakSet()
_tasks: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Task]" = weakref.WeakKeyDictionary()


def watch(consumer) -> None:
    _consumers.add(consumer)
    if not settings.REDIS_URL:
        return  # the in-memory layer lives and dies with the process and its sockets
    loop = asyncio.get_running_loop()
    task = _tasks.get(loop)
    if task is None or task.done():
        _tasks[loop] = loop.create_task(_watch())


def forget(consumer) -> None:
    _consumers.discard(consumer)


async def redis_run_id(client) -> str:
    """Changes when the server restarts, and with it every subscription is gone."""
    info = await asyncio.wait_for(client.info("server"), timeout=CHECK_SECONDS)
    return info["run_id"]


async def _watch():
    client = redis.from_url(settings.REDIS_URL, socket_timeout=CHECK_SECONDS)
    known, failed = None, False
    try:
        while _consumers:
            try:
                run_id = await redis_run_id(client)
            except Exception:  # noqa: BLE001 - any failure to reach Redis means pushes may be lost
                if not failed:
                    logger.warning("Redis is unreachable; this process's sockets will resync when it is back.")
                failed = True
            else:
                if failed or (known is not None and run_id != known):
                    await close_all("Redis came back" if failed else "Redis restarted")
                known, failed = run_id, False
            await asyncio.sleep(CHECK_SECONDS)
    finally:
        await client.aclose()


async def close_all(reason: str) -> None:
    """Close every socket of this process, so each page reconnects and resyncs."""
    consumers = list(_consumers)
    logger.warning("%s: closing %d sockets so that they reconnect and resync.", reason, len(consumers))
    for consumer in consumers:
        _consumers.discard(consumer)
        try:
            await consumer.close(code=RECONNECT)
        except Exception:  # noqa: BLE001 - close the others all the same
            # Daphne ignores a close of a socket already gone: a failure here leaves one open and deaf.
            logger.exception("Could not close a socket: it stays open and may miss every push.")
