"""What a visitor leaves in the post-chat form: a rating, a comment, and, where the channel offers it,
the transcript by email, once, to the address they gave before the chat."""

from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from chat import selectors
from chat.models import ChatSession
from helpdesk.errors import Conflict, Invalid, NotAllowed
from helpdesk.visible_text import visible_text

RATINGS = range(1, 6)
COMMENT_MAX_LENGTH = ChatSession._meta.get_field("rating_comment").max_length


def _clean_rating(rating) -> int:
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        rating = None
    if rating not in RATINGS:
        raise Invalid(_("Choose a rating from 1 to 5 stars."))
    return rating


def _clean_comment(comment: str) -> str:
    comment = visible_text(comment)
    if len(comment) > COMMENT_MAX_LENGTH:
        raise Invalid(_("A comment can be at most %(limit)s characters long.") % {"limit": COMMENT_MAX_LENGTH})
    return comment


def transcript_offered(session: ChatSession) -> bool:
    """The form offers "Email me the transcript" where the channel allows it, to the address the visitor gave
    before the chat, once. An address typed after the chat would let anyone have the helpdesk mail any text
    they chatted to any address."""
    return session.channel.transcript_by_email and bool(session.visitor_email) and session.transcript_sent_at is None


def _check_transcript_offered(session: ChatSession) -> None:
    if not session.channel.transcript_by_email:
        raise NotAllowed(_("This chat's transcript cannot be sent by email."))
    if not session.visitor_email:
        raise Invalid(_("The transcript goes only to the email address given before the chat, and none was given."))
    if session.transcript_sent_at is not None:
        raise Conflict(_("The transcript of this chat has already been emailed."))


@transaction.atomic
def feedback_give(*, session: ChatSession, rating, comment: str = "", send_transcript: bool = False) -> ChatSession:
    """Store the visitor's rating and comment; send the transcript once they are stored."""
    session = ChatSession.objects.select_for_update().select_related("channel").get(pk=session.pk)
    if not session.channel.post_chat_form or session.is_spam:
        raise Conflict(_("This chat has no post-chat form."))
    if not session.is_ended:
        raise Conflict(_("The chat has not ended yet."))
    if session.rating is not None:
        raise Conflict(_("You have already sent your feedback for this chat. Thank you!"))
    rating = _clean_rating(rating)
    comment = _clean_comment(comment)
    if send_transcript:
        _check_transcript_offered(session)
        session.transcript_sent_at = timezone.now()
    session.rating, session.rating_comment = rating, comment
    session.save(update_fields=["rating", "rating_comment", "transcript_sent_at"])
    if send_transcript:
        # robust: a mail server that is down must not turn stored feedback into an error page.
        transaction.on_commit(lambda: transcript_email(session=session), robust=True)
    return session


def transcript_email(*, session: ChatSession) -> None:
    """Email the transcript to the visitor's pre-chat address, in the language they chatted in."""
    language = session.visitor_language or "en"
    with translation.override(language):
        subject = _("Your chat with %(channel)s") % {"channel": session.channel.name}
        body = render_to_string(
            "chat/email/transcript.txt", {"session": session, "messages": list(selectors.transcript(session))}
        )
    EmailMessage(subject, body, to=[session.visitor_email], headers={"Content-Language": language}).send()
