from django.utils import translation

from helpdesk.http import bad_request
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


def _has_nul(query) -> bool:
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in query.lists())


class RefuseNulMiddleware:
    """A NUL byte in the path, the query or a form field is answered 400 before any view runs.

    No person types one, and PostgreSQL cannot store or even compare text holding one: it fails the query,
    which would answer 500 wherever such a value reaches the database (a token in a URL, a name, a search).
    Multipart bodies are left to the views: reading them here would spool an upload to disk before the
    upload views refuse it by its length, and Django already drops unprintable characters from file names.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path_info or self._in_fields(request):
            return bad_request(request)
        return self.get_response(request)

    @staticmethod
    def _in_fields(request) -> bool:
        form = request.method == "POST" and request.content_type == "application/x-www-form-urlencoded"
        return _has_nul(request.GET) or (form and _has_nul(request.POST))
