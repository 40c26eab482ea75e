"""An agent's own settings."""

from django.conf import settings
from django.utils.translation import gettext as _

from helpdesk.errors import Invalid
from helpdesk.models import AgentProfile


def profile_set_language(*, user, language: str) -> None:
    """Remember an agent's language, so pushed fragments use it too (sockets skip LocaleMiddleware)."""
    if language and language not in dict(settings.LANGUAGES):
        raise Invalid(_("Choose one of the offered languages."))
    AgentProfile.objects.filter(user=user).update(language=language)
