"""Handing a chat to someone else: transfer (offer, then accept / reject / cancel / expire),
a manager's take-over, and the immediate hand-over of channels where transfers need no acceptance.

Every function locks the chat row first, so two hand-overs of one chat run one after the other; the
status conditions in the UPDATEs and the one-pending-transfer constraint keep that true even where a
database cannot lock rows.
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chat.models import ChatSession, Listener, Message
from helpdesk import roles
from helpdesk.errors import Conflict, Invalid, NotAllowed
from helpdesk.models import AgentProfile
from helpdesk.templatetags.people import person
from live import events
from live.watchers import watchers_of
from transfers.models import Transfer

NOTE_MAX_LENGTH = 1000


def _why_cancelled(transfer: Transfer) -> str:
    """An End chat or a take-over closes a waiting offer too: say which, not that someone cancelled it."""
    if transfer.cancel_reason == Transfer.CancelReason.TAKEN_OVER:
        return _("%(name)s took over the chat.") % {"name": person(transfer.decided_by)}
    if transfer.cancel_reason == Transfer.CancelReason.CHAT_ENDED:
        if transfer.decided_by is None:
            return _("The visitor ended the chat.")
        return _("%(name)s ended the chat.") % {"name": person(transfer.decided_by)}
    if transfer.cancel_reason == Transfer.CancelReason.RECEIVER_AWAY:
        return _("%(name)s went Away, so the transfer was withdrawn.") % {"name": person(transfer.to_agent)}
    if transfer.cancel_reason == Transfer.CancelReason.RECEIVER_OFFLINE:
        return _("%(name)s went offline, so the transfer was withdrawn.") % {"name": person(transfer.to_agent)}
    return _("This transfer was cancelled.")


OUTCOME_MESSAGES = {
    Transfer.Status.ACCEPTED: lambda t: _("%(name)s already accepted this transfer.") % {"name": person(t.to_agent)},
    Transfer.Status.REJECTED: lambda t: _("%(name)s already rejected this transfer.") % {"name": person(t.to_agent)},
    Transfer.Status.CANCELLED: _why_cancelled,
    Transfer.Status.EXPIRED: lambda t: _("This transfer timed out."),
}


def _locked_active_session(session_id: int) -> ChatSession:
    session = ChatSession.objects.select_for_update().select_related("channel").get(pk=session_id)
    if session.is_ended:
        raise Conflict(_("This chat has ended."))
    if session.is_queued:
        raise Invalid(_("Nobody has answered this chat yet."))
    return session


def _check_target(session: ChatSession, to_agent_id, by) -> "AgentProfile":
    User = get_user_model()
    try:
        to_agent = User.objects.select_related("agent_profile").get(pk=to_agent_id, is_active=True)
    except (User.DoesNotExist, ValueError, TypeError):
        if not session.channel.transfers_need_acceptance:  # its chat panel offers the Owner list instead
            raise Invalid(_("Choose the new owner in the Owner list.")) from None
        raise Invalid(_("Choose an agent in the Transfer to list.")) from None
    if to_agent.pk == session.owner_id:
        raise Invalid(_("%(name)s already owns this chat.") % {"name": person(to_agent)})
    if to_agent.pk == by.pk:
        # A manager handing someone's chat to herself would skip the take-over's record and its rules.
        raise Invalid(_("You cannot transfer a chat to yourself. Use Take over."))
    if not roles.rights_on(to_agent, session.channel_id).can_respond:
        raise Invalid(_("%(name)s does not answer chats on this channel.") % {"name": person(to_agent)})
    profile = getattr(to_agent, "agent_profile", None)
    if profile is None or not profile.is_present:
        raise Invalid(
            _("%(name)s is Away. Only agents who are Present can receive a chat.") % {"name": person(to_agent)}
        )
    if not profile.is_available:
        raise Invalid(
            _("%(name)s is offline. Only agents who are Present can receive a chat.") % {"name": person(to_agent)}
        )
    return to_agent


def _hand_over(session: ChatSession, new_owner, told=(), unasked=False) -> None:
    """Change the owner exactly once: the old owner goes to listening mode, the visitor is told.

    unasked: the new owner was not asked (the channel's transfers need no acceptance), so this is the first
    they hear of the chat: it opens on their screen, as an offer opens there, and stays highlighted in their
    sessions list until they write in it (ChatSession.handed_to). Whoever accepts or takes over has it open
    already.
    """
    old_owner_id = session.owner_id
    handed_to = new_owner if unasked else None
    changed = ChatSession.objects.filter(
        pk=session.pk, owner_id=old_owner_id, status=ChatSession.Status.ACTIVE
    ).update(owner=new_owner, handed_to=handed_to)
    if not changed:
        raise Conflict(_("Someone else changed this chat first. Have a look and try again."))
    # The new owner stops listening. The old owner may still have an open listening row of their own (a
    # reactivated chat claimed by an agent who was listening to it); close it too, so the one open row
    # per agent that the database allows is the one made here.
    Listener.objects.filter(
        session=session, agent_id__in=[new_owner.pk, old_owner_id], reason=Listener.Reason.HANDED_OVER,
        closed_at__isnull=True,
    ).update(closed_at=timezone.now())
    Listener.objects.create(session=session, agent_id=old_owner_id, reason=Listener.Reason.HANDED_OVER)
    Message.objects.create(
        session=session, kind=Message.Kind.EVENT, event=Message.Event.AGENT_JOINED, author=new_owner
    )
    session.owner, session.handed_to = new_owner, handed_to
    events.push_on_commit(
        team=[events.ONGOING], channel_ids=[session.channel_id],
        agents={old_owner_id, new_owner.pk, *told, *watchers_of(session)}, sessions=[session.pk],
        open_session_for=[new_owner.pk] if unasked else [],
    )


def _clean_note(note: str) -> str:
    note = (note or "").strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise Invalid(_("A note can be at most %(limit)s characters long.") % {"limit": NOTE_MAX_LENGTH})
    return note


def transfer_start(*, session: ChatSession, by, to_agent_id, note: str = "") -> Transfer:
    """Offer the chat to a Present colleague, or, on a channel where transfers need no acceptance,
    hand it over at once.

    An offer past its time-out is expired first, in its own transaction: the socket that would have
    timed it out may be closed, and an overdue offer must not keep the chat from a new transfer.
    """
    overdue = Transfer.objects.filter(session=session, status=Transfer.Status.PENDING, expires_at__lte=timezone.now())
    for transfer in overdue:
        transfer_expire(transfer=transfer)
    return _start(session, by, to_agent_id, note)


@transaction.atomic
def _start(session: ChatSession, by, to_agent_id, note: str) -> Transfer:
    session = _locked_active_session(session.pk)
    if session.owner_id != by.pk and not roles.rights_on(by, session.channel_id).is_manager:
        raise NotAllowed(_("Only the agent who owns this chat, or a manager, can transfer it."))
    note = _clean_note(note)
    to_agent = _check_target(session, to_agent_id, by)
    pending = Transfer.objects.filter(session=session, status=Transfer.Status.PENDING).select_related("to_agent")
    if waiting := pending.first():
        raise Conflict(
            _("A transfer to %(name)s is already waiting for an answer.") % {"name": person(waiting.to_agent)}
        )
    now = timezone.now()
    channel = session.channel
    transfer = Transfer(session=session, from_agent_id=session.owner_id, to_agent=to_agent, requested_by=by, note=note)
    if not channel.transfers_need_acceptance:
        transfer.kind = Transfer.Kind.REASSIGN
        transfer.status = Transfer.Status.ACCEPTED
        transfer.decided_at = now
        transfer.decided_by = by
        transfer.save()
        _hand_over(session, to_agent, told=[by.pk], unasked=True)
        return transfer
    if channel.transfer_timeout_seconds:
        transfer.expires_at = now + timedelta(seconds=channel.transfer_timeout_seconds)
    try:
        with transaction.atomic():
            transfer.save()
    except IntegrityError:
        raise Conflict(_("Another transfer of this chat is already waiting for an answer.")) from None
    events.push_on_commit(
        team=[events.ONGOING], channel_ids=[session.channel_id], agents=[session.owner_id, by.pk, to_agent.pk],
        sessions=[session.pk], open_session_for=[to_agent.pk],
    )
    return transfer


def _decide(transfer_id: int, status: str, by, now=None) -> Transfer:
    """Close a pending transfer with an outcome; exactly one caller wins, the others get its outcome."""
    transfer = Transfer.objects.select_related("to_agent").get(pk=transfer_id)
    # Lock the chat first: every hand-over of one chat waits here for the one before it.
    transfer.session = ChatSession.objects.select_for_update().get(pk=transfer.session_id)
    now = now or timezone.now()
    decided = Transfer.objects.filter(pk=transfer.pk, status=Transfer.Status.PENDING).update(
        status=status, decided_at=now, decided_by=by
    )
    if not decided:
        transfer.refresh_from_db()
        raise Conflict(OUTCOME_MESSAGES[transfer.status](transfer))
    transfer.status, transfer.decided_at, transfer.decided_by = status, now, by
    return transfer


def _pending_or_refuse(transfer: Transfer) -> None:
    if not transfer.is_pending:
        raise Conflict(OUTCOME_MESSAGES[transfer.status](transfer))


def transfer_accept(*, transfer: Transfer, by) -> Transfer:
    if transfer.to_agent_id != by.pk:
        raise NotAllowed(_("Only the colleague this chat was offered to can accept it."))
    _refuse_closed_or_overdue(transfer)
    if not AgentProfile.objects.filter(user=by, status=AgentProfile.Status.PRESENT).exists():
        raise Conflict(_("You are Away. Choose Present to accept a transfer."))
    return _accept(transfer, by)


def _refuse_closed_or_overdue(transfer: Transfer) -> None:
    """Refuse an answer to an offer that is closed, or past its time-out even if nobody expired it yet."""
    transfer.refresh_from_db()
    _pending_or_refuse(transfer)
    # Its own transaction, committed before the refusal: raising inside the answer's transaction would
    # roll the time-out back and leave an overdue offer pending (blocking a new transfer of the chat).
    if transfer_expire(transfer=transfer):
        raise Conflict(OUTCOME_MESSAGES[Transfer.Status.EXPIRED](transfer))


@transaction.atomic
def _accept(transfer: Transfer, by) -> Transfer:
    transfer = _decide(transfer.pk, Transfer.Status.ACCEPTED, by)
    session = transfer.session
    if session.is_ended:
        raise Conflict(_("This chat has ended."))
    _hand_over(session, by, told=[transfer.requested_by_id])
    return transfer


def transfer_reject(*, transfer: Transfer, by) -> Transfer:
    if transfer.to_agent_id != by.pk:
        raise NotAllowed(_("Only the colleague this chat was offered to can reject it."))
    _refuse_closed_or_overdue(transfer)
    return _reject(transfer, by)


@transaction.atomic
def _reject(transfer: Transfer, by) -> Transfer:
    transfer = _decide(transfer.pk, Transfer.Status.REJECTED, by)
    _push_decided(transfer)
    return transfer


def transfer_cancel(*, transfer: Transfer, by) -> Transfer:
    """An overdue offer answers "timed out", as it would have had its time-out fired on time."""
    allowed = by.pk in (transfer.requested_by_id, transfer.from_agent_id) or roles.rights_on(
        by, transfer.session.channel_id
    ).is_manager
    if not allowed:
        raise NotAllowed(_("Only the agent who started this transfer, or a manager, can cancel it."))
    _refuse_closed_or_overdue(transfer)
    return _cancel(transfer, by)


@transaction.atomic
def _cancel(transfer: Transfer, by) -> Transfer:
    transfer = _decide(transfer.pk, Transfer.Status.CANCELLED, by)
    _push_decided(transfer)
    return transfer


@transaction.atomic
def transfer_expire(*, transfer: Transfer) -> bool:
    """Time out an unanswered transfer; False when it was answered (or expired) in the meantime."""
    if not transfer.expires_at or transfer.expires_at > timezone.now():
        return False
    try:
        transfer = _decide(transfer.pk, Transfer.Status.EXPIRED, None)
    except Conflict:
        return False
    _push_decided(transfer)
    return True


def transfers_expire_due() -> int:
    """Expire every pending transfer past its time-out (the expire_transfers command runs this)."""
    due = Transfer.objects.filter(status=Transfer.Status.PENDING, expires_at__lte=timezone.now())
    return sum(transfer_expire(transfer=transfer) for transfer in due)


def _push_decided(transfer: Transfer) -> None:
    events.push_on_commit(
        team=[events.ONGOING], channel_ids=[transfer.session.channel_id],
        agents=[transfer.from_agent_id, transfer.to_agent_id, transfer.requested_by_id],
        sessions=[transfer.session_id],
    )


@transaction.atomic
def session_take_over(*, session: ChatSession, by) -> Transfer:
    """A manager becomes the owner at once; a waiting transfer is cancelled, the old owner listens."""
    session = _locked_active_session(session.pk)
    if not roles.rights_on(by, session.channel_id).is_manager:
        raise NotAllowed(_("Only a manager can take over a chat."))
    if session.owner_id == by.pk:
        raise Invalid(_("You already own this chat."))
    now = timezone.now()
    cancelled = list(Transfer.objects.filter(session=session, status=Transfer.Status.PENDING))
    Transfer.objects.filter(pk__in=[t.pk for t in cancelled]).update(
        status=Transfer.Status.CANCELLED, cancel_reason=Transfer.CancelReason.TAKEN_OVER, decided_at=now,
        decided_by=by,
    )
    take_over = Transfer.objects.create(
        session=session, kind=Transfer.Kind.TAKE_OVER, status=Transfer.Status.ACCEPTED,
        from_agent_id=session.owner_id, to_agent=by, requested_by=by, decided_at=now, decided_by=by,
    )
    _hand_over(session, by, told=[t.to_agent_id for t in cancelled])
    return take_over


def transfers_void_offers_of(*, session, now, by=None, timed_out: bool) -> None:
    """A chat's waiting offer ends when the chat ends or goes back to the queue. One nobody ended times out:
    "The transfer timed out" is what its receiver is told, which is true, where "cancelled" would name
    somebody who did nothing."""
    waiting = Transfer.objects.filter(session=session, status=Transfer.Status.PENDING)
    if timed_out:
        waiting.update(status=Transfer.Status.EXPIRED, decided_at=now)
    else:
        waiting.update(status=Transfer.Status.CANCELLED, cancel_reason=Transfer.CancelReason.CHAT_ENDED,
                       decided_at=now, decided_by=by)


@transaction.atomic
def transfers_withdraw_offers_to(*, agent_id: int, went_offline: bool) -> int:
    """Offers waiting for an agent who went Away (or whose last workspace closed) are withdrawn, and
    their senders told why: nobody is there to answer them."""
    reason = Transfer.CancelReason.RECEIVER_OFFLINE if went_offline else Transfer.CancelReason.RECEIVER_AWAY
    waiting = list(Transfer.objects.filter(to_agent_id=agent_id, status=Transfer.Status.PENDING).values_list("pk", flat=True))
    for transfer_id in waiting:
        try:
            transfer = _decide(transfer_id, Transfer.Status.CANCELLED, None)
        except Conflict:
            continue  # answered or cancelled meanwhile
        Transfer.objects.filter(pk=transfer.pk).update(cancel_reason=reason)
        _push_decided(transfer)
    return len(waiting)
