"""Websockets only push: every write goes over HTTP. Each consumer joins its groups, accepts, then sends
the current state, so a reconnect is a full resync; on each event it re-reads the database and renders
for its own viewer.

A refused socket is accepted and then closed with a 4xxx code: closing before accept looks like a
network error (1006) to the browser, and the htmx ws extension would retry it forever.
"""

import asyncio
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from chat import alerts, fragments, live, selectors, typing_indicators
from chat.models import ChatSession
from chat.services import listeners
from chat.services.messages import session_mark_read
from helpdesk import roles
from helpdesk.languages import language_for_socket

NOT_LOGGED_IN = 4401
FORBIDDEN = 4403
NOT_FOUND = 4404


class PushConsumer(AsyncWebsocketConsumer):
    groups_to_join: list[str]

    async def refuse(self, code):
        await self.accept()
        await self.close(code=code)

    async def join_and_accept(self, groups):
        self.groups_to_join = groups
        for group in groups:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        for group in getattr(self, "groups_to_join", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None):
        """Clients have nothing to say here; writes go over HTTP, where CSRF and permissions are checked."""

    async def push(self, html):
        if html:
            await self.send(text_data=html)

    def changed_only(self, fragments_by_name: dict[str, str]) -> str:
        """The fragments that differ from what this socket sent last. Re-sending an unchanged one would
        swap it under the person's pointer and lose a click that lands meanwhile. A new socket has sent
        nothing, so a (re)connect still sends the whole current state."""
        sent = self.__dict__.setdefault("sent_fragments", {})
        changed = [html for name, html in fragments_by_name.items() if sent.get(name) != html]
        sent.update(fragments_by_name)
        return "".join(changed)


class WorkspaceConsumer(PushConsumer):
    """The agent's Dashboard and Chats tabs: team lists, the agent's sessions list and presence."""

    async def connect(self):
        self.user = self.scope["user"]
        if not self.user.is_authenticated:
            return await self.refuse(NOT_LOGGED_IN)
        if not await database_sync_to_async(roles.is_agent)(self.user):
            return await self.refuse(FORBIDDEN)
        self.expiry_timers = {}
        self.alert_timer, self.alerts_shown, self.alerts_lock = None, None, asyncio.Lock()
        await self.join_and_accept([live.TEAM_GROUP, live.agent_group(self.user.pk)])
        await self.push(await self.render_team() + await self.alerts_update())
        await self.push(await self.render_agent())
        await self.schedule_expiries()

    async def disconnect(self, code):
        for timer in getattr(self, "expiry_timers", {}).values():
            timer.cancel()
        if getattr(self, "alert_timer", None):
            self.alert_timer.cancel()
        await super().disconnect(code)

    @database_sync_to_async
    def render_team(self):
        self.user = get_user_model().objects.select_related("agent_profile").get(pk=self.user.pk)  # fresh rights and language
        self.language = language_for_socket(self.scope, self.user)
        return self.changed_only(fragments.team_fragments(self.user, self.language))

    @database_sync_to_async
    def render_agent(self, open_session=None):
        html = self.changed_only(fragments.agent_fragments(self.user, self.language))
        if open_session and fragments.panel_access(self.user, open_session):
            with translation.override(self.language):
                html += render_to_string("chat/partials/panel_opener.html", {"session_id": open_session})
        return html

    @database_sync_to_async
    def offers_with_time_out(self):
        from transfers.models import Transfer

        return list(
            Transfer.objects.filter(
                Q(to_agent=self.user) | Q(from_agent=self.user) | Q(requested_by=self.user),
                status=Transfer.Status.PENDING, expires_at__isnull=False,
            ).values_list("pk", "expires_at")
        )

    async def schedule_expiries(self):
        """Time out transfers offered to, by or for this agent, so both sides are told even if nobody
        clicks. The sender's socket counts too: the receiver may have closed the tab.

        Every consumer of these agents may schedule the same transfer: transfer_expire lets only one win;
        the expire_transfers command and the next transfer of the chat catch any that no socket saw.
        """
        for transfer_id, expires_at in await self.offers_with_time_out():
            if transfer_id not in self.expiry_timers:
                delay = max(0.0, (expires_at - timezone.now()).total_seconds())
                self.expiry_timers[transfer_id] = asyncio.create_task(self.expire_later(transfer_id, delay))

    async def expire_later(self, transfer_id, delay):
        from transfers.models import Transfer
        from transfers.services import transfer_expire

        await asyncio.sleep(delay + 0.1)
        transfer = await database_sync_to_async(Transfer.objects.filter(pk=transfer_id).first)()
        if transfer is not None:
            await database_sync_to_async(transfer_expire)(transfer=transfer)

    async def alerts_update(self):
        """The unanswered-chat warnings due now, or "" when they have not changed (they go when the chat is
        answered or the agent is Away); and a wake-up for when the next waiting chat falls due."""
        async with self.alerts_lock:
            html, next_due_at = await database_sync_to_async(alerts.alerts_html)(self.user, self.language)
            if self.alert_timer:
                self.alert_timer.cancel()
                self.alert_timer = None
            if next_due_at:
                delay = max(0.0, (next_due_at - timezone.now()).total_seconds())
                self.alert_timer = asyncio.create_task(self.alerts_due_later(delay))
            if html == self.alerts_shown:
                return ""
            self.alerts_shown = html
            return html

    async def alerts_due_later(self, delay):
        await asyncio.sleep(delay + 0.1)
        self.alert_timer = None  # this task is running out: alerts_update must not cancel it
        await self.push(await self.alerts_update())

    async def team_changed(self, event):
        await self.push(await self.render_team() + await self.alerts_update())

    async def agent_changed(self, event):
        await self.push(await self.render_agent(event.get("open_session")))
        await self.schedule_expiries()


class PanelConsumer(PushConsumer):
    """One chat in the agent's chat panel: transcript, status, transfer bar, composer."""

    async def connect(self):
        self.user = self.scope["user"]
        self.session_id = self.scope["url_route"]["kwargs"]["session_id"]
        if not self.user.is_authenticated:
            return await self.refuse(NOT_LOGGED_IN)
        html = await self.render(full=True)
        if html is None:
            return await self.refuse(FORBIDDEN)
        await self.join_and_accept([live.session_group(self.session_id), live.TEAM_GROUP])
        if self.role == "supervisor":
            await self.record_listening_in()
        await self.push(await self.render(full=True))

    @database_sync_to_async
    def record_listening_in(self):
        """"Can listen in" is recorded here, once per connection: this socket is what shows the chat live,
        whether or not the panel page was fetched first (and that GET records nothing)."""
        session = ChatSession.objects.get(pk=self.session_id)
        listeners.listen_in_start(session=session, agent=self.user)

    @database_sync_to_async
    def render(self, full=False):
        self.user = get_user_model().objects.select_related("agent_profile").get(pk=self.user.pk)  # fresh rights
        self.language = language_for_socket(self.scope, self.user)
        access = fragments.panel_access(self.user, self.session_id)
        if access is None:
            return None
        self.role = access.role
        if full:
            self.last_message_id = 0
            self.shown = {}
        new_messages = list(selectors.transcript(access.session, after_id=self.last_message_id))
        context = fragments.panel_context(access, messages=new_messages)
        templates = []
        if full:
            self.sent_fragments = {}
            templates.append("chat/partials/transcript.html")
        elif new_messages:
            templates.append("chat/partials/transcript_append.html")
        # The text box and the transfer form are re-sent only when they appear or go: re-sending them
        # on every event would close a form the agent is filling in.
        if access.can_send != self.shown.get("can_send"):
            templates.append("chat/partials/composer.html")
        live_partials = list(fragments.PANEL_LIVE_PARTIALS)
        if access.can_transfer != self.shown.get("can_transfer"):
            templates.append("chat/partials/transfer_form.html")
        elif access.can_transfer:
            live_partials.append("chat/partials/transfer_targets.html")
        html = self.changed_only(fragments.render_each(live_partials, context, self.language))
        html += fragments.render_partials(templates, context, self.language)
        if new_messages:
            self.last_message_id = new_messages[-1].pk
            if access.role in ("owner", "listening", "offered"):
                session_mark_read(session=access.session, agent=self.user)
        self.shown = {"can_send": access.can_send, "can_transfer": access.can_transfer}
        return html

    @database_sync_to_async
    def render_closed(self):
        from transfers.models import Transfer

        last_offer = Transfer.objects.filter(session_id=self.session_id, to_agent=self.user).order_by("-id").first()
        with translation.override(self.language):
            return render_to_string("chat/partials/panel_empty.html", {"closed_offer": last_offer})

    async def session_changed(self, event):
        html = await self.render()
        if html is None:
            # No longer allowed here (a rejected or cancelled offer): empty the panel, which ends the socket.
            await self.push(await self.render_closed())
            return await self.close(code=FORBIDDEN)
        await self.push(html)

    async def team_changed(self, event):
        """Presence changed: keep "Transfer to" to the colleagues who are Present right now."""
        await self.session_changed(event)

    async def session_typing(self, event):
        """Someone else in this chat is typing; an agent's own typing is not shown back to them."""
        if event["typist"] == live.AGENT and event["agent_id"] == self.user.pk:
            return
        await self.push(await database_sync_to_async(typing_indicators.panel_indicator)(event, self.language))

    async def agent_changed(self, event):
        pass


class WidgetConsumer(PushConsumer):
    """The visitor's chat: named by its token, never by a cookie."""

    async def connect(self):
        token = self.scope["url_route"]["kwargs"]["token"]
        self.session = await database_sync_to_async(
            ChatSession.objects.select_related("channel").filter(token=token).first
        )()
        if self.session is None:
            return await self.refuse(NOT_FOUND)
        await self.join_and_accept(
            [live.session_group(self.session.pk), live.queue_group(self.session.channel_id)]
        )
        self.last_message_id = 0
        # The page opening the socket already shows the composer for the status it was rendered with (its
        # URL's ?shown=): re-sending it unchanged would wipe what the visitor has begun there, such as the
        # rating in the post-chat form. A status that has changed since is sent as always.
        self.last_status = parse_qs(self.scope["query_string"].decode()).get("shown", [None])[0]
        await self.push(await self.render(full=True))

    @database_sync_to_async
    def render(self, full=False):
        from chat.views.widget import chat_context

        session = ChatSession.objects.select_related("channel", "owner").get(pk=self.session.pk)
        context = chat_context(session)
        new_messages = [m for m in context["messages"] if m.pk > self.last_message_id]
        context["new_messages"] = new_messages
        templates = ["chat/widget/status.html"]
        if session.status != self.last_status:
            # Only when it changes: re-sending the text box would wipe what the visitor is typing.
            templates.append("chat/widget/composer.html")
            self.last_status = session.status
        if full:
            templates.append("chat/widget/transcript.html")
        elif new_messages:
            templates.append("chat/widget/transcript_append.html")
        if new_messages:
            self.last_message_id = new_messages[-1].pk
        with translation.override(session.visitor_language or "en"):
            return "".join(render_to_string(name, context) for name in templates)

    async def session_changed(self, event):
        await self.push(await self.render())

    async def queue_changed(self, event):
        await self.push(await self.render())

    async def session_typing(self, event):
        """An agent is typing; the visitor's own typing is not shown back to them."""
        if event["typist"] == live.VISITOR:
            return
        language = self.session.visitor_language or "en"
        await self.push(await database_sync_to_async(typing_indicators.widget_indicator)(event, language))


class AdminListConsumer(PushConsumer):
    """Keeps a manager's admin list of chat sessions current: on any team change it tells the page to
    re-fetch the list (the admin renders it; this socket only says when)."""

    async def connect(self):
        user = self.scope["user"]
        if not user.is_authenticated:
            return await self.refuse(NOT_LOGGED_IN)
        if not (user.is_staff and await database_sync_to_async(user.has_perm)("chat.view_chatsession")):
            return await self.refuse(FORBIDDEN)
        await self.join_and_accept([live.TEAM_GROUP])

    async def team_changed(self, event):
        await self.push('<div id="admin-live-refresh" hx-get="" hx-trigger="load" hx-select="#changelist-form"'
                        ' hx-target="#changelist-form" hx-swap="outerHTML"></div>')
