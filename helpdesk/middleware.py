from django.utils import translation


class AgentLanguageMiddleware:
    """An agent's chosen language wins over the browser's (LocaleMiddleware picked that one)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        profile = getattr(request.user, "agent_profile", None) if request.user.is_authenticated else None
        if profile is not None and profile.language:
            translation.activate(profile.language)
            request.LANGUAGE_CODE = profile.language
        return self.get_response(request)
