"""A new line travels in its event, so the sockets that show it render it without reading it back.

Every socket of a chat (the widget, the owner's panel, a listener's) would otherwise query the line the
event announces. The event carries the line and the id of the line before it in the chat: a socket that
has shown that one renders the new line from the event; any other (it missed an event, or its first
render already had the line) reads what came after the last line it showed, as a reconnect does. A line
with a file is not carried: its file comes from the database.
"""

from datetime import datetime

from django.contrib.auth import get_user_model

from chat.models import Message


def line_event(message: Message, after_id: int) -> dict:
    """What an event says of a text line; only plain values, so any channel layer can carry it."""
    author = message.author
    return {
        "id": message.pk, "after_id": after_id, "kind": message.kind, "event": message.event,
        "body": message.body, "created_at": message.created_at.isoformat(),
        "author": None if author is None else {
            "id": author.pk, "username": author.get_username(),
            "first_name": author.first_name, "last_name": author.last_name,
        },
    }


def line_from_event(line: dict, session) -> Message:
    """The line as the templates read it, with nothing left to query: its author, and no file."""
    author = line["author"]
    message = Message(
        pk=line["id"], session=session, kind=line["kind"], event=line["event"], body=line["body"],
        created_at=datetime.fromisoformat(line["created_at"]),
        author=None if author is None else get_user_model()(
            pk=author["id"], username=author["username"],
            first_name=author["first_name"], last_name=author["last_name"],
        ),
    )
    message._state.adding = False
    message._state.fields_cache["attachment"] = None
    return message


def follows(line: dict | None, last_shown_id: int) -> bool:
    """Whether the socket can show the carried line at once: it is the very next one after what it shows."""
    return line is not None and line["after_id"] == last_shown_id
