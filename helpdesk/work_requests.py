"""Reads for working requests: who may, the Requests list with its filters, one request's page."""

from django.db.models import Count, Prefetch
from django.utils.translation import gettext as _

from chat.search import readable_past_chats
from helpdesk import roles
from helpdesk.errors import NotFound
from helpdesk.models import Request, RequestReply

PER_PAGE = 100

MINE, UNASSIGNED, ALL = "mine", "unassigned", "all"
SHOWS = (MINE, UNASSIGNED, ALL)
# Open and Pending both wait for someone: what the badge counts and the list shows unless told otherwise.
WAITING = (Request.Status.OPEN, Request.Status.PENDING)


def workable_channels(user) -> list[int]:
    """Channels whose requests this person works: they answer there, or manage it."""
    return [cid for cid, rights in roles.rights_by_channel(user).items() if rights.can_respond or rights.is_manager]


def may_work(user, channel_id: int) -> bool:
    rights = roles.rights_on(user, channel_id)
    return rights.can_respond or rights.is_manager


def request_list(user, *, show: str = MINE, status: str = ""):
    """The Requests list: in the viewer's channels only, newest first (the id breaks ties, so that pages
    do not overlap); a page of it costs two queries, its count and its rows."""
    requests = Request.objects.filter(channel_id__in=workable_channels(user))
    if show == MINE:
        requests = requests.filter(assigned_to=user)
    elif show == UNASSIGNED:
        requests = requests.filter(assigned_to__isnull=True)
    if status in Request.Status.values:
        requests = requests.filter(status=status)
    return (
        requests.select_related("channel", "assigned_to").annotate(reply_count=Count("replies"))
        .order_by("-created_at", "-id")
    )


def assigned_waiting(user):
    """Open and Pending requests assigned to the person, in their channels: the Requests tab's badge and list."""
    return Request.objects.filter(
        assigned_to=user, status__in=WAITING, channel_id__in=workable_channels(user)
    ).select_related("channel")


def request_for(user, request_id: int) -> Request:
    """One request with what its page shows, if the person may work it; otherwise it is not found (a
    request of another channel is not even said to exist)."""
    request = (
        Request.objects.select_related("channel", "assigned_to", "session", "contact")
        .prefetch_related(Prefetch("replies", queryset=RequestReply.objects.select_related("author")))
        .filter(pk=request_id, channel_id__in=workable_channels(user))
        .first()
    )
    if request is None:
        raise NotFound(_("No such request."))
    return request


def transcript_readable(user, request: Request) -> bool:
    """Whether the request's page may link to the transcript of the chat it came from: the chat has ended
    and the person could find it in Search chats (the transcript's own page checks the same rule)."""
    return bool(request.session_id) and readable_past_chats(user).filter(pk=request.session_id).exists()
