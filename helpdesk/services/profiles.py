"""An agent's own settings."""

from django.conf import settings
from django.utils.translation import gettext as _

from helpdesk.errors import Invalid
from helpdesk.models import AgentProfile
from live import events


def profile_set_language(*, user, language: str) -> None:
    """Remember an agent's language, so pushed fragments use it too (sockets skip LocaleMiddleware)."""
    if language and language not in dict(settings.LANGUAGES):
        raise Invalid(_("Choose one of the offered languages."))
    AgentProfile.objects.filter(user=user).update(language=language)


def profile_set_sounds(*, user, sounds: str) -> AgentProfile:
    """Turn the workspace's sounds on or off ("on"/"off"); every open workspace of the agent follows."""
    if sounds not in ("on", "off"):
        raise Invalid(_("Choose whether sounds are on or off."))
    profile, _created = AgentProfile.objects.get_or_create(user=user)
    profile.sounds = sounds == "on"
    profile.save(update_fields=["sounds"])
    events.push_on_commit(agents=[user.pk])
    return profile
