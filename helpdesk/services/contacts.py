"""The contact behind a chat: who the visitor is, found or created by an agent, and the checks on what a
visitor types about themselves."""

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from chat.models import ChatSession
from helpdesk import roles
from helpdesk.contacts import may_change_contact
from helpdesk.errors import Invalid, NotAllowed
from helpdesk.models import Activity, Contact, Request
from helpdesk.services.activities import activity_record_chat
from helpdesk.visible_text import visible_text
from live import events

EMAIL_MAX_LENGTH = Request._meta.get_field("email").max_length
CONTACT_FIELD_LIMITS = {"first_name": 100, "last_name": 100, "company": 200, "email": 254, "phone": 50}

VISITOR_NAME_MAX_LENGTH = 100


def clean_visitor_name(name: str) -> str:
    """The name a visitor gives (pre-chat and offline forms): agents read it on every screen."""
    name = visible_text(name)
    if not name:
        raise Invalid(_("Please tell us your name."))
    if len(name) > VISITOR_NAME_MAX_LENGTH:
        raise Invalid(_("A name can be at most 100 characters long."))
    return name


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
