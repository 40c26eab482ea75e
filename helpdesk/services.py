"""State changes of the people side: presence, requests (from the offline form and from a chat), the
contact behind a chat, and the activity an ended chat leaves on that contact."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from chat.models import Channel, ChatSession
from chat.services.messages import clean_body
from helpdesk import roles
from helpdesk.chat_requests import TITLE_MAX_LENGTH, assignable_agents, may_create_request
from helpdesk.contacts import contact_by_email, may_change_contact
from helpdesk.errors import Invalid, NotAllowed
from helpdesk.models import Activity, AgentProfile, Contact, Request
from helpdesk.transcripts import plain_text
from live import events

EMAIL_MAX_LENGTH = Request._meta.get_field("email").max_length


def clean_visitor_email(email: str) -> str:
    """A visitor's email address, stripped, or "" when none was given (callers say whether one is needed).

    Checked before anything is stored or sent, so a bad address is a clear refusal rather than a request
    nobody can answer. validate_email allows 320 characters, the address columns hold 254 (as SMTP does).
    """
    email = (email or "").strip()
    if not email:
        return ""
    try:
        validate_email(email)
        valid = len(email) <= EMAIL_MAX_LENGTH
    except ValidationError:
        valid = False
    if not valid:
        raise Invalid(_("Enter a valid email address."))
    return email


def profile_set_language(*, user, language: str) -> None:
    """Remember an agent's language, so pushed fragments use it too (sockets skip LocaleMiddleware)."""
    if language and language not in dict(settings.LANGUAGES):
        raise Invalid(_("Choose one of the offered languages."))
    AgentProfile.objects.filter(user=user).update(language=language)


@transaction.atomic
def request_from_offline_form(*, channel: Channel, name: str, email: str, message: str) -> Request:
    name = (name or "").strip()
    if not name:
        raise Invalid(_("Please tell us your name."))
    if len(name) > 100:
        raise Invalid(_("A name can be at most 100 characters long."))
    email = clean_visitor_email(email)
    if not email:
        raise Invalid(_("Please give an email address so we can answer you."))
    body = clean_body(message)
    request = Request.objects.create(
        source=Request.Source.OFFLINE_FORM, channel=channel, name=name, email=email, body=body,
        title=body.splitlines()[0][:200], contact=contact_by_email(email),
    )
    events.push_on_commit(team=[events.OFFLINE], channel_ids=[channel.pk])
    return request


# --- The contact behind a chat --------------------------------------------------------------------------

CONTACT_FIELD_LIMITS = {"first_name": 100, "last_name": 100, "company": 200, "email": 254, "phone": 50}


def _check_may_change_contact(session: ChatSession, by) -> None:
    is_manager = roles.rights_on(by, session.channel_id).is_manager
    if not may_change_contact(session, user_id=by.pk, is_manager=is_manager):
        raise NotAllowed(_("Only the agent who owns this chat, or a manager, can change its contact."))


def _clean_contact_fields(fields: dict) -> dict:
    cleaned = {name: " ".join((fields.get(name) or "").split()) for name in CONTACT_FIELD_LIMITS}
    if not cleaned["first_name"]:
        raise Invalid(_("Give the contact a first name."))
    for name, limit in CONTACT_FIELD_LIMITS.items():
        if len(cleaned[name]) > limit:
            raise Invalid(
                _("%(field)s can be at most %(limit)s characters long.")
                % {"field": Contact._meta.get_field(name).verbose_name.capitalize(), "limit": limit}
            )
    if cleaned["email"]:
        try:
            validate_email(cleaned["email"])
        except ValidationError:
            raise Invalid(_("Enter a valid email address, or leave it empty.")) from None
    return cleaned


@transaction.atomic
def contact_create(*, session: ChatSession, by, first_name: str, last_name: str = "", company: str = "",
                   email: str = "", phone: str = "") -> Contact:
    """"Create contact" from a chat: nobody suggested or found fits, so the agent makes the person, and
    the chat is linked to them at once."""
    _check_may_change_contact(session, by)
    fields = _clean_contact_fields(
        {"first_name": first_name, "last_name": last_name, "company": company, "email": email, "phone": phone}
    )
    contact = Contact.objects.create(**fields)
    session_link_contact(session=session, contact=contact, by=by)
    return contact


@transaction.atomic
def session_link_contact(*, session: ChatSession, contact: Contact, by) -> ChatSession:
    """Link a chat to the person it is with ("Link", "Change contact"). An ended chat's transcript moves
    to the newly linked contact's activities."""
    session = ChatSession.objects.select_for_update().get(pk=session.pk)
    _check_may_change_contact(session, by)
    if session.contact_id == contact.pk:
        return session
    session.contact = contact
    session.save(update_fields=["contact"])
    if session.is_ended:
        Activity.objects.filter(session=session, kind=Activity.Kind.CHAT).exclude(contact=contact).delete()
        activity_record_chat(session=session, by=by)
    events.push_on_commit(sessions=[session.pk])
    return session


@transaction.atomic
def activity_record_chat(*, session: ChatSession, by=None) -> Activity | None:
    """Keep an ended chat's transcript among its contact's activities; nothing when no contact is linked.

    One activity per chat and contact: a reactivated chat that ends again brings it up to date. Written in
    the site's language, since any agent may read it later, not only whoever ended the chat.
    """
    if session.contact_id is None:
        return None
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Chat with %(name)s") % {"name": session.visitor_name}
        text = plain_text(session)
    activity, _created = Activity.objects.update_or_create(
        contact_id=session.contact_id, session=session, kind=Activity.Kind.CHAT,
        defaults={"title": title[:200], "text": text},
        create_defaults={"title": title[:200], "text": text, "created_by": by},
    )
    return activity


# --- Create request from a chat -------------------------------------------------------------------------


def _assignee(session: ChatSession, assigned_to_id):
    if assigned_to_id in (None, ""):
        return None
    try:
        agent = assignable_agents(session.channel_id).filter(pk=int(assigned_to_id)).first()
    except (TypeError, ValueError):
        agent = None
    if agent is None:
        raise Invalid(_("Choose an agent of this channel, or Unassigned."))
    return agent


@transaction.atomic
def request_create_from_chat(*, session: ChatSession, by, title: str, assigned_to_id=None) -> Request:
    """"Create request": the chat becomes a request with its transcript, for someone to handle later."""
    session = ChatSession.objects.select_for_update().select_related("channel").get(pk=session.pk)
    if session.is_queued:
        raise Invalid(_("Nobody has answered this chat yet."))
    is_manager = roles.rights_on(by, session.channel_id).is_manager
    if not may_create_request(session, user_id=by.pk, is_manager=is_manager):
        raise NotAllowed(_("Only the agent who owns this chat, or a manager, can create a request from it."))
    title = " ".join((title or "").split())
    if not title:
        raise Invalid(_("Give the request a title."))
    if len(title) > TITLE_MAX_LENGTH:
        raise Invalid(_("A title can be at most %(limit)s characters long.") % {"limit": TITLE_MAX_LENGTH})
    assigned_to = _assignee(session, assigned_to_id)
    with translation.override(settings.LANGUAGE_CODE):
        body = plain_text(session)
    request = Request.objects.create(
        source=Request.Source.CHAT, channel=session.channel, session=session, contact_id=session.contact_id,
        title=title, body=body, name=session.visitor_name, email=session.visitor_email,
        assigned_to=assigned_to, created_by=by,
    )
    events.push_on_commit(sessions=[session.pk])
    return request
