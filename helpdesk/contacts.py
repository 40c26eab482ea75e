"""Finding the customer behind a chat: suggestions, search, and the contact's earlier chats and requests.

Every read here runs a fixed number of queries, however many contacts and chats exist: the contact
panel is rendered again on every live update of its chat.
"""

from functools import reduce
from operator import and_, or_

from django.db.models import BooleanField, Case, Exists, ExpressionWrapper, OuterRef, Q, Value, When

from chat.models import ChatSession, Listener
from helpdesk.models import Contact, Request
from transfers.models import Transfer

SUGGESTION_LIMIT = 5
SEARCH_LIMIT = 20
HISTORY_LIMIT = 10
SEARCHED_FIELDS = ("first_name", "last_name", "email", "company")


def may_change_contact(session: ChatSession, *, user_id: int, is_manager: bool) -> bool:
    """Who links, changes or creates the contact of a chat: its owner (also after it ended) or a manager
    of its channel. The services enforce it; templates use it only to leave out buttons."""
    return is_manager or (session.owner_id is not None and session.owner_id == user_id)


def split_name(name: str) -> tuple[str, str]:
    """"Vera van Dijk" -> ("Vera", "van Dijk"): the first word is the first name, the rest the last name."""
    first, _space, last = (name or "").strip().partition(" ")
    return first, last.strip()


def _name_words(text: str) -> list[str]:
    return [word for word in (text or "").split() if len(word) >= 2]


def suggestions(session: ChatSession, limit: int = SUGGESTION_LIMIT):
    """"This contact could be...": the same email (any case) first, then every word of the visitor's name
    found in a contact's first or last name."""
    email = (session.visitor_email or "").strip()
    words = _name_words(session.visitor_name)
    by_email = Q(email__iexact=email)
    by_name = reduce(and_, (Q(first_name__icontains=word) | Q(last_name__icontains=word) for word in words), Q())
    if email and words:
        condition = by_email | by_name
    elif email or words:
        condition = by_email if email else by_name
    else:
        return Contact.objects.none()
    email_first = Case(When(by_email, then=Value(0)), default=Value(1)) if email else Value(1)
    return (
        Contact.objects.filter(condition)
        .annotate(email_first=email_first)
        .order_by("email_first", "last_name", "first_name", "pk")[:limit]
    )


def search(query: str, limit: int = SEARCH_LIMIT):
    """Contacts with every word of the query in their name, email or company."""
    words = (query or "").split()
    if not words:
        return Contact.objects.none()
    condition = reduce(and_, (
        reduce(or_, (Q(**{f"{field}__icontains": word}) for field in SEARCHED_FIELDS)) for word in words
    ))
    return Contact.objects.filter(condition).order_by("last_name", "first_name", "pk")[:limit]


def contact_by_email(email: str) -> Contact | None:
    """The one contact with this email address; None when there is none, or several to choose from."""
    email = (email or "").strip()
    if not email:
        return None
    found = list(Contact.objects.filter(email__iexact=email)[:2])
    return found[0] if len(found) == 1 else None


def earlier_chats(contact: Contact, *, viewer, rights, exclude_session_id: int, limit: int = HISTORY_LIMIT):
    """The contact's other chats on the channels the viewer works on, newest first, each with `viewable`:
    whether the viewer may open it. Chats on other channels stay out, as their requests do (requests_of):
    a channel's team may not learn when, or on which channel, its customers chatted with another team.

    `viewable` says in one query what live.access.access_for says chat by chat (owner, offered, listening,
    supervisor): it only decides where a link is shown; the views check access again when it is followed.
    """
    supervised = [channel_id for channel_id, r in rights.items() if r.can_listen_in or r.is_manager]
    listening = Listener.objects.filter(
        session=OuterRef("pk"), agent=viewer, reason=Listener.Reason.HANDED_OVER, closed_at__isnull=True
    )
    offered = Transfer.objects.filter(session=OuterRef("pk"), to_agent=viewer, status=Transfer.Status.PENDING)
    allowed = Q(owner=viewer) | Q(Exists(listening)) | Q(Exists(offered))
    if supervised:
        allowed |= Q(channel_id__in=supervised)
    return (
        ChatSession.objects.filter(contact=contact, channel_id__in=list(rights))
        .exclude(pk=exclude_session_id)
        .select_related("channel")
        .annotate(viewable=ExpressionWrapper(allowed, output_field=BooleanField()))
        .order_by("-created_at", "-id")[:limit]
    )


def requests_of(contact: Contact, *, rights, limit: int = HISTORY_LIMIT):
    """The contact's requests on the channels the viewer works on, newest first."""
    return (
        Request.objects.filter(contact=contact, channel_id__in=list(rights))
        .select_related("assigned_to")
        .order_by("-created_at", "-id")[:limit]
    )
