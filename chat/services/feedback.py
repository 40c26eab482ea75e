"""What a visitor leaves in the post-chat form: a rating, a comment, and, where the channel offers it,
the transcript by email, to the address they give there (the pre-chat form's, unless they change it)."""

from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from chat import selectors
from chat.models import ChatSession
from helpdesk.errors import Conflict, Invalid, NotAllowed
from helpdesk.services.contacts import clean_visitor_email

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
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX_LENGTH:
        raise Invalid(_("A comment can be at most %(limit)s characters long.") % {"limit": COMMENT_MAX_LENGTH})
    return comment


def transcript_offered(session: ChatSession) -> bool:
    """The form offers "Email me the transcript" wherever the channel allows it: a visitor who gave no
    address before the chat types one in the form."""
    return session.channel.transcript_by_email


def transcript_address(session: ChatSession, email: str = "") -> str:
    """Where the transcript goes: the address typed in the form, else the one given before the chat."""
    address = clean_visitor_email((email or "").strip() or session.visitor_email)
    if not address:
        raise Invalid(_("Give the email address to send the transcript to."))
    return address


@transaction.atomic
def feedback_give(*, session: ChatSession, rating, comment: str = "", send_transcript: bool = False,
                  email: str = "") -> ChatSession:
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
    if send_transcript and not transcript_offered(session):
        raise NotAllowed(_("This chat's transcript cannot be sent by email."))
    address = transcript_address(session, email) if send_transcript else ""
    session.rating, session.rating_comment = rating, comment
    session.save(update_fields=["rating", "rating_comment"])
    if send_transcript:
        # robust: a mail server that is down must not turn stored feedback into an error page.
        transaction.on_commit(lambda: transcript_email(session=session, to=address), robust=True)
    return session


def transcript_email(*, session: ChatSession, to: str = "") -> None:
    """Email the transcript to the visitor (to `to`, else their pre-chat address), in the language they
    chatted in."""
    language = session.visitor_language or "en"
    with translation.override(language):
        subject = _("Your chat with %(channel)s") % {"channel": session.channel.name}
        body = render_to_string(
            "chat/email/transcript.txt", {"session": session, "messages": list(selectors.transcript(session))}
        )
    EmailMessage(subject, body, to=[to or session.visitor_email], headers={"Content-Language": language}).send()
