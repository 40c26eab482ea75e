"""The agent's Dashboard and Chats tabs: team lists, the agent's own lists, alerts, transfer time-outs."""

import asyncio
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from helpdesk import roles
from helpdesk.languages import language_for_socket
from helpdesk.models import AgentProfile
from helpdesk.services.presence import presence_heartbeat
from live import alerts, events, fragments, renders, sweeper
from live.access import panel_access
from live.consumers.base import FORBIDDEN, NOT_LOGGED_IN, PushConsumer
from live.renders import db
from transfers.models import Transfer
from transfers.services import transfer_expire


@dataclass(frozen=True)
class Viewer:
    """What the team fragments of one workspace depend on, read when it connects and when the agent's
    rights change: everyone with the same rights and language is one audience."""

    user: object
    rights: dict
    language: str
    present: bool

    @property
    def audience(self) -> tuple:
        return fragments.audience(self.rights), self.language

    def concerns(self, channel_ids) -> bool:
        return channel_ids is None or any(channel_id in self.rights for channel_id in channel_ids)


def load_viewer(scope, user_id) -> Viewer:
    user = get_user_model().objects.select_related("agent_profile").get(pk=user_id)
    profile = getattr(user, "agent_profile", None)
    return Viewer(
        user=user, rights=roles.rights_by_channel(user), language=language_for_socket(scope, user),
        present=profile is not None and profile.status == AgentProfile.Status.PRESENT,
    )


class WorkspaceConsumer(PushConsumer):
    async def connect(self):
        user = self.scope["user"]
        if not user.is_authenticated:
            return await self.refuse(NOT_LOGGED_IN)
        self.viewer = await db(load_viewer)(self.scope, user.pk)
        if not roles.is_agent(self.viewer.user):
            return await self.refuse(FORBIDDEN)
        self.expiry_timers = {}
        self.alert_timer, self.alert_due_at, self.alerts_shown, self.alerts_lock = None, None, None, asyncio.Lock()
        await db(presence_heartbeat)(user=self.viewer.user)
        await self.join_and_accept(events.TEAM_GROUP, events.agent_group(user.pk))
        sweeper.keep_present(self)
        await self.follow_account(user)
        await self.push(await self.render_team(events.TEAM_PARTS) + await self.alerts_update())
        await self.push(await self.render_agent(fragments.AGENT_PARTS))
        await self.schedule_expiries()

    async def disconnect(self, code):
        """Nothing is said of the agent's presence: a reload comes straight back, and a dying server never
        says goodbye; the process's sweeper renews the agent's heartbeat while a workspace is open."""
        for timer in getattr(self, "expiry_timers", {}).values():
            timer.cancel()
        if getattr(self, "alert_timer", None):
            self.alert_timer.cancel()
        await super().disconnect(code)

    async def render_team(self, parts, event_id=None):
        viewer = self.viewer
        key = (event_id, "team", tuple(parts), viewer.audience) if event_id else None
        rendered = await renders.shared(
            key, lambda: db(fragments.team_fragments)(viewer.rights, viewer.language, parts)
        )
        return self.changed_only(rendered)

    async def render_agent(self, parts, event_id=None):
        viewer = self.viewer
        key = (event_id, "agent", viewer.user.pk, tuple(parts), viewer.language) if event_id else None
        rendered = await renders.shared(key, lambda: db(fragments.agent_fragments)(viewer.user, viewer.language, parts))
        return self.changed_only(rendered)

    async def team_changed(self, event):
        if not self.viewer.concerns(event["channel_ids"]):
            return
        parts = event["parts"]
        html = await self.render_team(parts, event["event_id"])
        if events.QUEUE in parts or events.PRESENCE in parts:
            html += await self.alerts_update(event["event_id"])
        await self.push(html)

    async def agent_changed(self, event):
        parts = event.get("parts")
        if parts == ["unread"]:
            return await self.push(await self.render_session_entry(event["session_id"]))
        if parts == ["unread_count"]:
            return await self.push(self.render_unread_count(event))
        if parts:
            # Only these lists of the agent's own (events.CHAT_LISTS, REQUESTS): nothing else to read again.
            return await self.push(await self.render_agent(parts, event["event_id"]))
        # The agent's presence, rights or language may have changed with anything else.
        self.viewer = await db(load_viewer)(self.scope, self.viewer.user.pk)
        html = await self.render_team(events.TEAM_PARTS) if event.get("rights") else ""
        html += await self.alerts_update()
        html += await self.render_agent(fragments.AGENT_PARTS, event["event_id"])
        if event.get("open_session"):
            html += await db(self.panel_opener)(event["open_session"], event["event_id"])
        await self.push(html)
        await self.schedule_expiries()

    async def render_session_entry(self, session_id):
        viewer = self.viewer
        html = await db(fragments.session_entry_fragment)(viewer.user, viewer.language, session_id)
        if html:
            # The list on screen now differs from the one this socket sent: let the next list through.
            self.sent_fragments.pop(fragments.SESSIONS_LIST, None)
        return html

    def render_unread_count(self, event):
        """A new line's count, carried by its event: no query. Counts from two processes may arrive out of
        order, so one older than the count shown is dropped."""
        session_id, line_id = event["session_id"], event["line_id"]
        counted = self.__dict__.setdefault("counted_up_to", {})
        if counted.get(session_id, 0) > line_id:
            return ""
        counted[session_id] = line_id
        chat = {"pk": session_id, "unread": event["unread"]}
        return fragments.render_partials(["chat/partials/session_unread.html"], {"chat": chat}, self.viewer.language)

    def panel_opener(self, session_id, event_id):
        """Tells the page to open a chat offered to this agent. The event id makes each opener unique, so
        the page swaps it in (and its load trigger fires) even when the same chat is offered again."""
        if panel_access(self.viewer.user, session_id) is None:
            return ""
        with translation.override(self.viewer.language):
            return render_to_string("chat/partials/panel_opener.html", {"session_id": session_id, "event_id": event_id})

    def offers_with_time_out(self):
        user = self.viewer.user
        return list(
            Transfer.objects.filter(
                Q(to_agent=user) | Q(from_agent=user) | Q(requested_by=user),
                status=Transfer.Status.PENDING, expires_at__isnull=False,
            ).values_list("pk", "expires_at")
        )

    async def schedule_expiries(self):
        """Time out transfers offered to, by or for this agent, so both sides are told even if nobody
        clicks. The sender's socket counts too: the receiver may have closed the tab.

        Every consumer of these agents may schedule the same transfer: transfer_expire lets only one win;
        the expire_transfers command and the next transfer of the chat catch any that no socket saw.
        """
        for transfer_id, expires_at in await db(self.offers_with_time_out)():
            if transfer_id not in self.expiry_timers:
                delay = max(0.0, (expires_at - timezone.now()).total_seconds())
                self.expiry_timers[transfer_id] = asyncio.create_task(self.expire_later(transfer_id, delay))

    async def expire_later(self, transfer_id, delay):
        await asyncio.sleep(delay + 0.1)
        transfer = await db(Transfer.objects.filter(pk=transfer_id).first)()
        if transfer is not None:
            await db(transfer_expire)(transfer=transfer)

    async def alerts_update(self, event_id=None):
        """The unanswered-chat warnings due now, or "" when they have not changed (they go when the chat is
        answered or the agent is Away); and a wake-up for when the next waiting chat falls due. Everyone
        of an audience who is as Present as this agent gets the same warnings: one render serves them."""
        viewer = self.viewer
        async with self.alerts_lock:
            key = (event_id, "alerts", viewer.audience, viewer.present) if event_id else None
            html, next_due_at = await renders.shared(key, lambda: db(alerts.alerts_html_for)(
                viewer.rights, present=viewer.present, language=viewer.language))
            self.wake_up_at(next_due_at)
            if html == self.alerts_shown:
                return ""
            self.alerts_shown = html
            return html

    def wake_up_at(self, due_at):
        """Keep one wake-up, for when the next waiting chat falls due: a queue event that leaves that time
        as it was (most do) leaves the timer alone instead of replacing it in every workspace."""
        if self.alert_timer and self.alert_due_at == due_at:
            return
        if self.alert_timer:
            self.alert_timer.cancel()
            self.alert_timer = None
        self.alert_due_at = due_at
        if due_at:
            delay = max(0.0, (due_at - timezone.now()).total_seconds())
            self.alert_timer = asyncio.create_task(self.alerts_due_later(delay, due_at))

    async def alerts_due_later(self, delay, due_at):
        await asyncio.sleep(delay + 0.1)
        self.alert_timer = None  # this task is running out: alerts_update must not cancel it
        await self.push(await self.alerts_update(("due", due_at)))
