"""The visitor's chat: named by its token, never by a cookie; opened from this site (the widget's iframe) or
from one of its channel's allowed websites, and only while the token still works (Channel.visitor_link_days).
While the socket is open its visitor counts as here (a heartbeat the process's sweeper renews); agents see
"Visitor left" once it has been gone for the grace period."""

from urllib.parse import parse_qs

from django.template.loader import render_to_string
from django.utils import translation

from chat import selectors
from chat.models import ChatSession
from chat.services import visitors
from chat.views.widget import chat_context
from helpdesk.errors import Gone, NotFound
from live import events, lines, origins, sweeper, typing
from live.consumers.base import FORBIDDEN, GONE, NOT_FOUND, PushConsumer
from live.renders import db


class WidgetConsumer(PushConsumer):
    async def connect(self):
        token = self.scope["url_route"]["kwargs"]["token"]
        try:
            self.session = await db(selectors.visitor_session)(token=token)
        except NotFound:
            return await self.refuse(NOT_FOUND)
        except Gone:
            return await self.refuse(GONE)
        embedders = self.session.channel.embedding_origins
        if not (origins.is_own_site(self.scope) or origins.socket_origin(self.scope) in embedders):
            return await self.refuse(FORBIDDEN)
        groups = [events.session_group(self.session.pk)]
        if self.session.is_queued:
            groups.append(events.queue_group(self.session.channel_id))
        await self.join_and_accept(*groups)
        await db(visitors.visitors_seen)(session_ids=[self.session.pk])
        sweeper.keep_seen(self)
        self.last_message_id = 0
        self.queue_position = None
        # The page opening the socket already shows the composer for the status it was rendered with (its
        # URL's ?shown=): re-sending it unchanged would wipe what the visitor has begun there, such as the
        # rating in the post-chat form. A status that has changed since is sent as always.
        self.last_status = parse_qs(self.scope["query_string"].decode()).get("shown", [None])[0]
        await self.push(await self.render_state(full=True))

    async def disconnect(self, code):
        if getattr(self, "session", None) is not None:
            await db(visitors.visitor_gone)(session_id=self.session.pk)
        await super().disconnect(code)

    @property
    def language(self):
        return self.session.visitor_language or "en"

    async def render_state(self, full=False):
        html = await db(self.render)(full)
        await self.follow_queue()
        return html

    async def follow_queue(self):
        """Only a waiting visitor hears of queue changes: an answered chat does no work for them."""
        queue = events.queue_group(self.session.channel_id)
        if self.session.is_queued:
            await self.join(queue)
        else:
            await self.leave(queue)

    def render(self, full=False):
        session = ChatSession.objects.select_related("channel", "owner").get(pk=self.session.pk)
        self.session = session
        context = chat_context(session, after_id=0 if full else self.last_message_id)
        new_messages = context["new_messages"] = context["messages"]
        self.queue_position = context["queue_position"]
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
        with translation.override(self.language):
            return "".join(render_to_string(name, context) for name in templates)

    def render_new_messages(self):
        new_messages = list(selectors.transcript(self.session, after_id=self.last_message_id))
        if not new_messages:
            return ""
        self.last_message_id = new_messages[-1].pk
        with translation.override(self.language):
            return render_to_string("chat/widget/transcript_append.html",
                                    {"session": self.session, "new_messages": new_messages})

    def render_carried_line(self, line):
        """The very next line, carried by its event: shown without a query (live/lines.py)."""
        message = lines.line_from_event(line, self.session)
        self.last_message_id = message.pk
        with translation.override(self.language):
            return render_to_string("chat/widget/transcript_append.html",
                                    {"session": self.session, "new_messages": [message]})

    async def session_changed(self, event):
        if event["change"] == events.PAGES:
            return  # the visitor's own whereabouts, told to the agents only
        if event["change"] == events.NEW_MESSAGES:
            line = event.get("line")
            if lines.follows(line, self.last_message_id):
                return await self.push(self.render_carried_line(line))
            return await self.push(await db(self.render_new_messages)())
        await self.push(await self.render_state())

    async def queue_changed(self, event):
        """The queue's order comes with the event: this visitor's place in it needs no query."""
        waiting = event["waiting"]
        if not self.session.is_queued or self.session.pk not in waiting:
            return  # answered or gone: the chat's own event says so
        position = waiting.index(self.session.pk) + 1
        if position == self.queue_position:
            return
        self.queue_position = position
        with translation.override(self.language):
            await self.push(render_to_string(
                "chat/widget/status.html", {"session": self.session, "queue_position": position}
            ))

    async def session_typing(self, event):
        """An agent is typing; the visitor's own typing is not shown back to them."""
        if event["typist"] == events.VISITOR:
            return
        await self.push(typing.widget_indicator(event, self.session, self.language))
