"""Jobs that must happen on time whether or not anyone clicks: an agent whose last workspace closed
leaves the Present lists when the grace period runs out.

Every process with open sockets runs them every few seconds; each job changes a row only if it still
needs changing and skips rows another process is handling, so running in several processes at once
tells each change once. Where no process runs (no socket open anywhere), the `expire_presence` command
from cron does the same; nobody is watching then, and routing asks the heartbeat itself anyway.
"""

import asyncio
import logging
import weakref

from helpdesk.services.presence import presence_expire_lapsed
from live.renders import db

TICK_SECONDS = 5.0
JOBS = [presence_expire_lapsed]

logger = logging.getLogger(__name__)

_consumers: "weakref.WeakSet" = weakref.WeakSet()
_tasks: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Task]" = weakref.WeakKeyDictionary()


def run_while(consumer) -> None:
    """Keep this process's clock running while the consumer's socket is open."""
    _consumers.add(consumer)
    loop = asyncio.get_running_loop()
    task = _tasks.get(loop)
    if task is None or task.done():
        _tasks[loop] = loop.create_task(_tick())


def stop_for(consumer) -> None:
    _consumers.discard(consumer)


async def _tick():
    while _consumers:
        await asyncio.sleep(TICK_SECONDS)
        for job in JOBS:
            try:
                await db(job)()
            except Exception:  # noqa: BLE001 - a failed run is retried at the next tick
                logger.exception("Live job %s failed", job.__name__)
