"""The Channels tutorial's chat room: join the room's group, relay each group message to the socket."""

import json

from channels.generic.websocket import AsyncWebsocketConsumer

EVERYONE = "everyone"


def room_group(room: str) -> str:
    return f"room.{room}"


class RoomConsumer(AsyncWebsocketConsumer):
    """A visitor's or an agent's socket of one room; also in EVERYONE, for the broadcast probe."""

    def groups_of_this_socket(self):
        return [room_group(self.scope["url_route"]["kwargs"]["room"]), EVERYONE]

    async def connect(self):
        self.joined = self.groups_of_this_socket()
        for group in self.joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        for group in getattr(self, "joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def chat_message(self, event):
        await self.send(text_data=json.dumps({"message": event["message"]}))


class LobbyConsumer(RoomConsumer):
    """The extra socket per five rooms (the product's workspace): only in EVERYONE."""

    def groups_of_this_socket(self):
        return [EVERYONE]
