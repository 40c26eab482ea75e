"""State changes of the people side: presence, and requests left through the offline form."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chat import live
from chat.models import Channel
from chat.services.messages import clean_body
from helpdesk.errors import Invalid
from helpdesk.models import AgentProfile, Request


def profile_set_language(*, user, language: str) -> None:
    """Remember an agent's language, so pushed fragments use it too (sockets skip LocaleMiddleware)."""
    if language and language not in dict(settings.LANGUAGES):
        raise Invalid(_("Choose one of the offered languages."))
    AgentProfile.objects.filter(user=user).update(language=language)


@transaction.atomic
def presence_set(*, user, status: str) -> AgentProfile:
    if status not in AgentProfile.Status.values:
        raise Invalid(_("Choose Present or Away."))
    profile, _created = AgentProfile.objects.select_for_update().get_or_create(user=user)
    if profile.status != status:
        profile.status = status
        profile.status_changed_at = timezone.now()
        profile.save(update_fields=["status", "status_changed_at"])
        live.push_on_commit(team=True, agents=[user.pk])
    return profile


@transaction.atomic
def request_from_offline_form(*, channel: Channel, name: str, email: str, message: str) -> Request:
    name = (name or "").strip()
    if not name:
        raise Invalid(_("Please tell us your name."))
    if len(name) > 100:
        raise Invalid(_("A name can be at most 100 characters long."))
    email = (email or "").strip()
    if not email:
        raise Invalid(_("Please give an email address so we can answer you."))
    body = clean_body(message)
    request = Request.objects.create(
        source=Request.Source.OFFLINE_FORM, channel=channel, name=name, email=email, body=body,
        title=body.splitlines()[0][:200],
    )
    live.push_on_commit(team=True)
    return request
