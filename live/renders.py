"""Render once, send many.

One event reaches every socket in its group, and most of those sockets show the same thing: every
workspace of a channel's team in one language shows the same Incoming chat list. So a fragment that does
not depend on the viewer is rendered once per process for each (event, audience) and the same HTML goes
to every socket of that audience; the first socket to ask renders it, the others wait for that render.

The database work runs in a thread pool (`db`), not on asgiref's one thread for thread-sensitive code:
a consumer is not a request, so nothing ties its queries to one thread, and one busy thread serialises a
whole process. Each call returns its connection (to PostgreSQL's pool where there is one) when it ends.
"""

import asyncio
import functools
import weakref
from collections import OrderedDict

from channels.db import DatabaseSyncToAsync
from django.db import connections

# Events whose renders a process remembers; an event's sockets all ask within moments of each other.
REMEMBERED = 256



class _PooledDatabaseSyncToAsync(DatabaseSyncToAsync):
    """Hands the thread's connections back (to the pool) after every call: the thread belongs to a pool
    of its own and may run another socket's work next, or end with its event loop."""

    def thread_handler(self, loop, *args, **kwargs):
        try:
            return super().thread_handler(loop, *args, **kwargs)
        finally:
            connections.close_all()


db = functools.partial(_PooledDatabaseSyncToAsync, thread_sensitive=False)

_by_loop: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, OrderedDict]" = weakref.WeakKeyDictionary()


async def shared(key, render):
    """The result of `await render()` for this key, computed once in this process.

    `key` must name the event and everything the result depends on (audience: rights, language). A
    failed render is forgotten, so the next socket tries again.
    """
    if key is None:
        return await render()
    loop = asyncio.get_running_loop()
    results = _by_loop.setdefault(loop, OrderedDict())
    task = results.get(key)
    if task is None:
        task = loop.create_task(render())
        results[key] = task
        task.add_done_callback(lambda done: done.cancelled() or done.exception() is None or results.pop(key, None))
        while len(results) > REMEMBERED:
            results.popitem(last=False)
    return await asyncio.shield(task)
