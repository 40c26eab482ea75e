"""What every live socket does: join its groups, accept, push; stay known to the process's watchdog and
sweeper.

Websockets only push: every write goes over HTTP. Each consumer joins its groups, accepts, then sends
the current state, so a reconnect is a full resync.

A refused socket is accepted and then closed with a 4xxx code: closing before accept looks like a
network error (1006) to the browser, and the htmx ws extension would retry it forever.
"""

from channels.consumer import get_handler_name
from channels.generic.websocket import AsyncWebsocketConsumer

from live import events, sweeper, watchdog

NOT_LOGGED_IN = 4401
FORBIDDEN = 4403
NOT_FOUND = 4404
GONE = 4410


class PushConsumer(AsyncWebsocketConsumer):
    async def dispatch(self, message):
        """Channels' own dispatch first closes the sync thread's stale database connections, a hop to
        that one thread for every event and every socket (with 200 workspaces open, a quarter of a new
        chat's CPU, queued behind the HTTP requests). These consumers never use that thread's
        connections: their database work runs in live.renders.db, which hands its connections back
        after each call."""
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def refuse(self, code):
        await self.accept()
        await self.close(code=code)

    @property
    def groups_joined(self) -> set[str]:
        return self.__dict__.setdefault("_groups_joined", set())

    async def join(self, *groups):
        for group in groups:
            await self.channel_layer.group_add(group, self.channel_name)
            self.groups_joined.add(group)

    async def leave(self, *groups):
        for group in groups:
            if group in self.groups_joined:
                self.groups_joined.discard(group)
                await self.channel_layer.group_discard(group, self.channel_name)

    async def join_and_accept(self, *groups):
        await self.join(*groups)
        await self.accept()
        watchdog.watch(self)
        sweeper.follow(self)

    async def follow_account(self, user):
        """Close this socket when its person signs out, is deactivated or changes their password: at once
        through the account group, and, should that push be lost, at the sweeper's next check of the
        sign-ins its process holds."""
        await self.join(events.account_group(user.pk))
        sweeper.check_sign_in(self)

    async def account_closed(self, event):
        await self.close(code=NOT_LOGGED_IN)

    async def disconnect(self, code):
        watchdog.forget(self)
        sweeper.forget(self)
        await self.leave(*list(self.groups_joined))

    async def page_refetch(self, event):
        """A trigger to fetch a part again (events.refetch_on_commit): the same HTML for everyone."""
        await self.push(event["html"])

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
