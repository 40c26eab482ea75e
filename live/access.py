"""What one person may see and do in one chat: the single answer every view, consumer and template uses.

Rendering never decides permissions by itself; it shows what `access_for` allows, and the services check
again when the person acts.
"""

from dataclasses import dataclass, field

from chat.models import ChatSession, Listener
from helpdesk import roles
from transfers.models import Transfer


@dataclass(frozen=True)
class ChatAccess:
    role: str  # "owner", "offered", "listening", "supervisor" or "participant"
    session: ChatSession
    pending_transfer: Transfer | None
    is_manager: bool
    viewer_id: int
    # The viewer as read for this check, their channel rights remembered on it (roles.rights_by_channel):
    # what the panel reads for them next (their earlier chats with this visitor) needs no second read.
    viewer: object = field(default=None, compare=False, repr=False)

    @property
    def can_send(self):
        return self.role == "owner" and self.session.is_active

    @property
    def can_end(self):
        return self.session.is_active and (self.role == "owner" or self.is_manager)

    @property
    def can_mark_spam(self):
        """The owner or a manager, as for ending it; the service checks the channel rights again."""
        return not self.session.is_ended and (self.role == "owner" or self.is_manager)

    @property
    def can_transfer(self):
        return (
            self.session.is_active and self.pending_transfer is None and (self.role == "owner" or self.is_manager)
        )

    @property
    def can_take_over(self):
        return self.session.is_active and self.is_manager and self.role != "owner"

    @property
    def can_cancel_transfer(self):
        return self.pending_transfer is not None and (
            self.role == "owner" or self.is_manager
            or self.pending_transfer.requested_by_id == self.viewer_id
        )

    @property
    def can_answer_transfer(self):
        return self.role == "offered"

    @property
    def can_close_window(self):
        """A listener after a hand-over leaves their sessions list; a supervisor ends the visit."""
        return self.role in ("listening", "supervisor")

    @property
    def is_read_only(self):
        return not self.can_send and self.role != "offered"


def _handed_it_over(user, session: ChatSession) -> bool:
    """Whether the person owned the chat before a hand-over: their listening row, open or closed, says so.
    "Recent chat sessions" lists such chats, so their transcript must open too."""
    return Listener.objects.filter(session=session, agent=user, reason=Listener.Reason.HANDED_OVER).exists()


def access_for(user, session: ChatSession) -> ChatAccess | None:
    """None when the person may not open this chat at all."""
    if not user.is_authenticated:
        return None
    rights = roles.rights_on(user, session.channel_id)
    pending = (
        Transfer.objects.filter(session=session, status=Transfer.Status.PENDING)
        .select_related("from_agent", "to_agent", "requested_by")
        .first()
    )
    if session.owner_id == user.pk and not session.is_ended:
        role = "owner"
    elif pending and pending.to_agent_id == user.pk:
        role = "offered"
    elif Listener.objects.filter(
        session=session, agent=user, reason=Listener.Reason.HANDED_OVER, closed_at__isnull=True
    ).exists():
        role = "listening"
    elif rights.can_listen_in or rights.is_manager:
        role = "supervisor"
    elif session.is_ended and (session.owner_id == user.pk or _handed_it_over(user, session)):
        role = "participant"
    else:
        return None
    return ChatAccess(
        role=role, session=session, pending_transfer=pending, is_manager=rights.is_manager, viewer_id=user.pk,
        viewer=user,
    )


def panel_access(user, session_id) -> ChatAccess | None:
    session = ChatSession.objects.select_related("channel", "owner").filter(pk=session_id).first()
    return access_for(user, session) if session else None
