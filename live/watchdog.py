"""Keeps every socket of this process either receiving or closed.

channels-redis reports a Redis failure only to the one consumer that holds its process's receive lock;
the others keep waiting, and when Redis comes back empty (a restart) their group memberships are gone:
open, but deaf. So each process watches Redis itself. When a check fails, or Redis answers with another
run id (it restarted), every socket of the process is closed once Redis answers again; the page
reconnects and the consumer resyncs it on connect.

The close code is 1000, which static/helpdesk/live.js reconnects on. Not 1012 (service restart), which
the htmx ws extension would: Daphne (autobahn) lets an application close only with 1000 or 3000-4999
and raises on anything else, so a 1012 close left every open socket open, and deaf.

The same loop renews the group memberships of the sockets that are alive, so memberships can expire
soon (the layer's group_expiry): those of a process killed before it ran disconnect() go away by
themselves instead of receiving every push for a day.
"""

import asyncio
import logging
import time
import weakref

from channels.layers import get_channel_layer

CHECK_SECONDS = 2.0
RECONNECT = 1000

logger = logging.getLogger(__name__)

_consumers: "weakref.WeakSet" = weakref.WeakSet()
_tasks: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Task]" = weakref.WeakKeyDictionary()


def watch(consumer) -> None:
    _consumers.add(consumer)
    layer = get_channel_layer()
    if not _uses_redis(layer):
        return
    loop = asyncio.get_running_loop()
    task = _tasks.get(loop)
    if task is None or task.done():
        _tasks[loop] = loop.create_task(_watch(layer))


def forget(consumer) -> None:
    _consumers.discard(consumer)


def _uses_redis(layer) -> bool:
    return layer is not None and hasattr(layer, "ring_size") and hasattr(layer, "connection")


async def redis_run_ids(layer) -> tuple:
    """Each Redis host's run id: it changes when that server restarts (and forgets every group)."""
    run_ids = []
    for index in range(layer.ring_size):
        info = await asyncio.wait_for(layer.connection(index).info("server"), timeout=CHECK_SECONDS)
        run_ids.append(info.get("run_id"))
    return tuple(run_ids)


async def _watch(layer):
    known, failed = None, False
    renewed_at = time.monotonic()
    while _consumers:
        try:
            run_ids = await redis_run_ids(layer)
        except Exception:  # noqa: BLE001 - any failure to reach Redis means pushes may have been lost
            if not failed:
                logger.warning("Redis is unreachable; this process's sockets will reconnect when it is back.")
            failed = True
        else:
            if failed or (known is not None and run_ids != known):
                await close_all("Redis came back" if failed else "Redis restarted")
            known, failed = run_ids, False
            if time.monotonic() - renewed_at >= layer.group_expiry / 3:
                await _renew_memberships(layer)
                renewed_at = time.monotonic()
        await asyncio.sleep(CHECK_SECONDS)


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


async def _renew_memberships(layer) -> None:
    for consumer in list(_consumers):
        for group in list(consumer.groups_joined):
            try:
                await layer.group_add(group, consumer.channel_name)
            except Exception:  # noqa: BLE001 - the next check notices a Redis failure and closes all
                logger.debug("Renewing a membership failed", exc_info=True)
                return
