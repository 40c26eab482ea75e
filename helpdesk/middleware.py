from django.utils import translation

from helpdesk.languages import profile_language


class AgentLanguageMiddleware:
    """An agent's chosen language wins over the browser's (LocaleMiddleware picked that one)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if language := profile_language(request.user):
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)
