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


def reads_its_own_body(view):
    """Marks an upload view that refuses a request by its length before its body is parsed: the NUL check
    leaves its body alone (it reads only the file, whose name Django cleans of unprintable characters).
    Put it outermost, where the middleware sees it."""
    view.reads_its_own_body = True
    return view


class RefuseNulMiddleware:
    """A NUL byte in the path, the query, a cookie or a form field is answered 400 before any view runs.

    No person types one, and PostgreSQL cannot store or even compare text holding one: it fails the query,
    which would answer 500 wherever such a value reaches the database (a token in a URL, a name, a search).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        cookies = request.COOKIES.values()  # the session cookie is looked up in the database
        if "\x00" in request.path_info or _has_nul(request.GET) or any("\x00" in value for value in cookies):
            return bad_request(request)
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method == "POST" and not getattr(view_func, "reads_its_own_body", False) and _has_nul(request.POST):
            return bad_request(request)
        return None
