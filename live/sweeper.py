"""The heartbeats of visitors and agents and the time-outs of agents and chats, run by every process that
holds sockets.

Every few seconds (at least three times per grace period) the process renews the heartbeat of the chats
whose widgets it holds and of the agents whose workspaces it holds (one statement for each kind), then takes agents whose last workspace closed
off the Present lists (helpdesk/services/presence.py) and runs the sweep of chat/services/timeouts.py:
visitors who left, abandoned and inactive chats, chats taken back from an agent who is Away. So screens change on time without cron,
and without depending on any one socket: whichever process sweeps first makes a change and pushes it, the
others find it made. The loop starts with the first socket of the process and stops with its last one;
the expire_presence and time_out_chats commands run the same sweeps for when no socket is open anywhere.
"""

import asyncio
import logging
import time
import weakref
from dataclasses import dataclass, field
from importlib import import_module
from types import SimpleNamespace

from django.conf import settings
from django.contrib.auth import get_user

from chat.services import timeouts, visitors
from helpdesk.services.presence import presence_expire_lapsed, presence_heartbeats
from live.renders import db

# The longest wait between two rounds, so an agent who left leaves the lists soon after the grace period.
MAX_ROUND_SECONDS = 5.0

logger = logging.getLogger(__name__)


@dataclass(eq=False)
class _Sockets:
    """The sockets of one event loop (a Daphne process has one) and the loop's sweeping task."""

    open: weakref.WeakSet = field(default_factory=weakref.WeakSet)
    widgets: weakref.WeakSet = field(default_factory=weakref.WeakSet)
    workspaces: weakref.WeakSet = field(default_factory=weakref.WeakSet)
    signed_in: weakref.WeakSet = field(default_factory=weakref.WeakSet)
    accounts_checked_at: float = 0.0
    task: asyncio.Task | None = None


_by_loop: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Sockets]" = weakref.WeakKeyDictionary()


def heartbeat_seconds() -> float:
    """At most a third of the grace period: a visitor whose widget is open is renewed at least twice within it."""
    return min(settings.PRESENCE_GRACE_SECONDS / 3, MAX_ROUND_SECONDS)


def follow(consumer) -> None:
    sockets = _by_loop.setdefault(asyncio.get_running_loop(), _Sockets())
    sockets.open.add(consumer)
    if sockets.task is None or sockets.task.done():
        sockets.task = asyncio.get_running_loop().create_task(_sweep_while_open(sockets))


def keep_seen(widget_consumer) -> None:
    """This widget's chat has its visitor here for as long as the socket is open (`.session`)."""
    _by_loop[asyncio.get_running_loop()].widgets.add(widget_consumer)


def keep_present(workspace_consumer) -> None:
    """This workspace's agent is at work for as long as the socket is open (`.viewer.user`)."""
    _by_loop[asyncio.get_running_loop()].workspaces.add(workspace_consumer)


def check_sign_in(consumer) -> None:
    """Close this socket (4401) once the sign-in it was opened with has ended unannounced: the session
    expired or was deleted, the account was deactivated or its password changed. Signing out says so at
    once (live/signals.py); this is for a push that was lost."""
    _by_loop[asyncio.get_running_loop()].signed_in.add(consumer)


def forget(consumer) -> None:
    sockets = _by_loop.get(asyncio.get_running_loop())
    if sockets is None:
        return
    sockets.open.discard(consumer)
    sockets.widgets.discard(consumer)
    sockets.workspaces.discard(consumer)
    sockets.signed_in.discard(consumer)
    if not sockets.open and sockets.task is not None:
        sockets.task.cancel()
        sockets.task = None


async def _sweep_while_open(sockets: _Sockets) -> None:
    while sockets.open:
        await asyncio.sleep(heartbeat_seconds())
        try:
            session_ids = {widget.session.pk for widget in list(sockets.widgets)}
            if session_ids:
                await db(visitors.visitors_seen)(session_ids=session_ids)
            user_ids = {workspace.viewer.user.pk for workspace in list(sockets.workspaces)}
            if user_ids:
                await db(presence_heartbeats)(user_ids=user_ids)
            await db(presence_expire_lapsed)()
            await db(timeouts.chats_time_out)()
            if time.monotonic() - sockets.accounts_checked_at >= settings.PRESENCE_GRACE_SECONDS:
                sockets.accounts_checked_at = time.monotonic()
                await _close_signed_out(list(sockets.signed_in))
        except Exception:  # noqa: BLE001 - a failed round is logged; the next one tries again
            logger.exception("The chat time-outs failed; the next round tries again.")


async def _close_signed_out(consumers) -> None:
    """Each sign-in checked once however many of its sockets the process holds (a workspace and its open
    chats share one): a session read and a user read per person, not per socket."""
    by_sign_in = {}
    for consumer in consumers:
        session = consumer.scope.get("session")
        by_sign_in.setdefault((getattr(session, "session_key", None), consumer.scope["user"].pk), []).append(consumer)
    still = await db(_still_signed_in)(list(by_sign_in))
    for sign_in, held in by_sign_in.items():
        if sign_in not in still:
            for consumer in held:
                await consumer.account_closed({})


def _still_signed_in(sign_ins) -> set:
    """The (session key, user id) pairs whose session still signs in that same, active user with the same
    password: what Django's get_user checks for a request."""
    engine = import_module(settings.SESSION_ENGINE)
    still = set()
    for session_key, user_id in sign_ins:
        if not session_key:
            continue
        user = get_user(SimpleNamespace(session=engine.SessionStore(session_key)))
        if user.is_authenticated and user.pk == user_id:
            still.add((session_key, user_id))
    return still
