"""A chat's transcript as plain text, for the records that outlive the chat: a request's body and the
activity an ended chat leaves on its contact."""

from django.utils import timezone
from django.utils.translation import gettext as _

from chat.models import ChatSession, Message
from helpdesk.templatetags.people import person


def _line_text(message: Message, visitor_name: str) -> str:
    """The same sentences as the chat panel's transcript (chat/partials/message.html), so they share
    their translations."""
    author = person(message.author)
    if message.kind == Message.Kind.EVENT:
        if message.event == Message.Event.AGENT_JOINED:
            return _("%(author)s joined the chat.") % {"author": author}
        if message.event == Message.Event.CHAT_REACTIVATED:
            return _("%(name)s returned to the chat.") % {"name": visitor_name}
        if message.event == Message.Event.CHAT_ABANDONED:
            return _("%(name)s left before anyone answered.") % {"name": visitor_name}
        if message.event == Message.Event.CHAT_INACTIVE:
            return _("Chat ended by inactivity.")
        if message.event == Message.Event.BACK_IN_QUEUE:
            return _("%(author)s was away, so the chat went back to the queue.") % {"author": author}
        if message.event == Message.Event.CHAT_ENDED and author:
            return _("%(author)s ended the chat.") % {"author": author}
        if message.event == Message.Event.CHAT_ENDED:
            return _("%(name)s ended the chat.") % {"name": visitor_name}
        return str(message.get_event_display())
    name = visitor_name if message.kind == Message.Kind.VISITOR else author
    attachment = getattr(message, "attachment", None)
    text = message.body
    if attachment is not None:
        text = (text + " " if text else "") + _("[file: %(name)s]") % {"name": attachment.original_name}
    return f"{name}: {text}"


def plain_text(session: ChatSession) -> str:
    """One line per message, "YYYY-MM-DD HH:MM name: text", in the site's time zone; events as sentences."""
    messages = session.messages.select_related("author", "attachment").order_by("id")
    return "\n".join(
        f"{timezone.localtime(message.created_at):%Y-%m-%d %H:%M} {_line_text(message, session.visitor_name)}"
        for message in messages
    )
