"""A manager's admin list of chat sessions, kept current: on any team change the socket tells the page to
re-fetch the list (the admin renders it; this socket only says when)."""

from live import events
from live.consumers.base import FORBIDDEN, NOT_LOGGED_IN, PushConsumer
from live.renders import db

REFRESH = ('<div id="admin-live-refresh" hx-get="" hx-trigger="load" hx-select="#changelist-form"'
           ' hx-target="#changelist-form" hx-swap="outerHTML"></div>')


class AdminListConsumer(PushConsumer):
    async def connect(self):
        user = self.scope["user"]
        if not user.is_authenticated:
            return await self.refuse(NOT_LOGGED_IN)
        if not (user.is_staff and await db(user.has_perm)("chat.view_chatsession")):
            return await self.refuse(FORBIDDEN)
        await self.join_and_accept(events.TEAM_GROUP)
        await self.follow_account(user)

    async def team_changed(self, event):
        await self.push(REFRESH)
