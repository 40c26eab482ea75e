"""One chat in the agent's chat panel: transcript, status, transfer bar, composer."""

import asyncio

from django.contrib.auth import get_user_model
from django.template.loader import render_to_string
from django.utils import translation

from chat import selectors
from chat.models import ChatSession, Message
from chat.services import listeners
from chat.services.messages import session_mark_read
from helpdesk.languages import language_for_socket
from live import events, fragments, lines, renders, typing
from live.access import panel_access
from live.consumers.base import FORBIDDEN, NOT_LOGGED_IN, PushConsumer
from live.renders import db
from transfers import selectors as transfer_selectors
from transfers.models import Transfer

# The role of a viewer whose reading counts: their sessions list shows the chat's unread lines.
READERS = ("owner", "listening", "offered")
# How long a visitor's line shown in the panel may wait before its read mark is written.
READ_MARK_SECONDS = 30


class PanelConsumer(PushConsumer):
    async def connect(self):
        self.user = self.scope["user"]
        self.session_id = self.scope["url_route"]["kwargs"]["session_id"]
        if not self.user.is_authenticated:
            return await self.refuse(NOT_LOGGED_IN)
        access = await db(panel_access)(self.user, self.session_id)
        if access is None:
            return await self.refuse(FORBIDDEN)
        await self.join_and_accept(
            events.session_group(self.session_id), events.colleagues_group(access.session.channel_id)
        )
        await self.follow_account(self.user)
        if access.role == "supervisor":
            self.listen_in_id = await db(self.record_listening_in)()
        await self.push(await db(self.render_state)(full=True))

    def record_listening_in(self):
        """"Can listen in" is recorded here, once per connection: this socket is what shows the chat live,
        whether or not the panel page was fetched first (and that GET records nothing)."""
        session = ChatSession.objects.get(pk=self.session_id)
        return listeners.listen_in_start(session=session, agent=self.user).pk

    async def disconnect(self, code):
        """Ends the supervisor's visit. A reader's sessions list gets the chat's entry again: it hid the
        count while the chat was open, and the lines read meanwhile were marked quietly. A Daphne that
        dies skips this: its listen-in rows stay open, as a visit whose end nobody saw."""
        if getattr(self, "listen_in_id", None):
            await db(listeners.listen_in_end)(listener_id=self.listen_in_id)
        if getattr(self, "access", None) and self.access.role in READERS:
            await self.write_read_mark()
            await db(events.push_unread_on_commit)(agent_ids=[self.user.pk], session_id=self.session_id)
        await super().disconnect(code)

    def shown_visitor_line(self, line_id):
        """A visitor's line is on screen: read. Its mark is written within READ_MARK_SECONDS, or when the
        panel closes, and not at all when the agent answers first (their line moves the mark itself): the
        page hides the open chat's count meanwhile, so nobody sees the mark until the panel closes."""
        self.read_pending = line_id
        if getattr(self, "read_mark_timer", None) is None:
            self.read_mark_timer = asyncio.create_task(self.write_read_mark_later())

    def shown_own_line(self):
        self.read_pending = None
        if getattr(self, "read_mark_timer", None) is not None:
            self.read_mark_timer.cancel()
            self.read_mark_timer = None

    async def write_read_mark_later(self):
        await asyncio.sleep(READ_MARK_SECONDS)
        self.read_mark_timer = None
        await self.write_read_mark()

    async def write_read_mark(self):
        up_to, self.read_pending = getattr(self, "read_pending", None), None
        if getattr(self, "read_mark_timer", None) is not None:
            self.read_mark_timer.cancel()
            self.read_mark_timer = None
        if up_to:
            await db(session_mark_read)(session=self.access.session, agent=self.user, up_to=up_to,
                                        tell_workspace=False)

    def render_state(self, full=False):
        """Everything that may have changed, for this viewer; None when they may no longer see the chat."""
        self.user = get_user_model().objects.select_related("agent_profile").get(pk=self.user.pk)  # fresh rights
        self.language = language_for_socket(self.scope, self.user)
        access = panel_access(self.user, self.session_id)
        if access is None:
            return None
        if full:
            self.last_message_id = 0
            self.shown = {}
            self.sent_fragments = {}
        new_messages = list(selectors.transcript(access.session, after_id=self.last_message_id))
        context = fragments.panel_context(access, messages=new_messages)
        templates = []
        if full:
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
        self.access, self.context = access, context
        self.shown = {"can_send": access.can_send, "can_transfer": access.can_transfer}
        self.read_up_to(new_messages)
        return html

    def render_new_messages(self):
        """Only lines were added: the one query for them, and the rest of the panel stays as it is."""
        new_messages = list(selectors.transcript(self.access.session, after_id=self.last_message_id))
        if not new_messages:
            return ""
        self.read_up_to(new_messages)
        context = {**self.context, "messages": new_messages}
        return fragments.render_partials(["chat/partials/transcript_append.html"], context, self.language)

    def render_carried_line(self, line):
        """The very next line, carried by its event: shown without a query (live/lines.py)."""
        message = lines.line_from_event(line, self.access.session)
        self.last_message_id = message.pk
        context = {**self.context, "messages": [message]}
        return fragments.render_partials(["chat/partials/transcript_append.html"], context, self.language)

    def read_up_to(self, new_messages):
        """The lines on screen are read. Quietly: the workspace of this page hides the open chat's unread
        count, and its next list shows the mark, so telling it now would re-render it for every line. Only
        a visitor's line counts as unread, so only one needs the mark moved."""
        if not new_messages:
            return
        self.last_message_id = new_messages[-1].pk
        if self.access.role in READERS and any(m.kind == Message.Kind.VISITOR for m in new_messages):
            self.read_pending = None
            session_mark_read(session=self.access.session, agent=self.user, up_to=self.last_message_id,
                              tell_workspace=False)

    def render_closed(self):
        last_offer = Transfer.objects.filter(session_id=self.session_id, to_agent=self.user).order_by("-id").first()
        with translation.override(self.language):
            return render_to_string("chat/partials/panel_empty.html", {"closed_offer": last_offer})

    async def session_changed(self, event):
        if event["change"] == events.PAGES:
            return await self.push_visitor_pages(event)
        if event["change"] == events.NEW_MESSAGES and hasattr(self, "access"):
            line = event.get("line")
            if not lines.follows(line, self.last_message_id):
                return await self.push(await db(self.render_new_messages)())
            html = self.render_carried_line(line)
            if self.access.role in READERS:
                if line["kind"] == Message.Kind.VISITOR:
                    self.shown_visitor_line(line["id"])
                elif line["author"] and line["author"]["id"] == self.user.pk:
                    self.shown_own_line()
            return await self.push(html)
        html = await db(self.render_state)()
        if html is None:
            # No longer allowed here (a rejected or cancelled offer): empty the panel, which ends the socket.
            await self.push(await db(self.render_closed)())
            return await self.close(code=FORBIDDEN)
        await self.push(html)

    async def push_visitor_pages(self, event):
        """The visitor opened another page: the header's current page and the pages seen, rendered once per
        language for every panel of the chat, since they do not depend on who watches."""
        if not hasattr(self, "access"):
            return
        session = self.access.session
        html = await renders.shared(
            (event["event_id"], "pages", self.session_id, self.language),
            lambda: db(fragments.visitor_pages_fragment)(session, self.language),
        )
        await self.push(html)

    async def colleagues_changed(self, event):
        """Who is Present on the channel changed: keep "Transfer to" (and the Owner list) to them. The
        channel's candidates are read once per process for all its open chats."""
        if not getattr(self, "access", None) or not self.access.can_transfer:
            return
        channel_id = self.access.session.channel_id
        candidates = await renders.shared(
            (event["event_id"], "colleagues", channel_id),
            lambda: db(lambda: list(transfer_selectors.transfer_candidates(channel_id)))(),
        )
        excluded = {self.access.session.owner_id, self.user.pk}
        self.context = {**self.context, "transfer_targets": [a for a in candidates if a.pk not in excluded]}
        partials = ["chat/partials/panel_header.html", "chat/partials/transfer_targets.html"]
        await self.push(self.changed_only(fragments.render_each(partials, self.context, self.language)))

    async def session_typing(self, event):
        """Someone else in this chat is typing; an agent's own typing is not shown back to them."""
        if (event["typist"] == events.AGENT and event["agent_id"] == self.user.pk) or not hasattr(self, "access"):
            return
        await self.push(typing.panel_indicator(event, self.access.session, self.language))
