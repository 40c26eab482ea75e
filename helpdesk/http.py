"""The glue between views and services: who may use the workspace, and how a refusal reaches the person."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.utils.translation import gettext as _

from helpdesk import roles
from helpdesk.errors import ServiceError, Throttled


def refusal(message: str, status: int) -> HttpResponse:
    """A plain-text answer; the workspace shows it in its alert line (see static/helpdesk/app.js)."""
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


def refused(error: ServiceError) -> HttpResponse:
    """A service's refusal as its answer: its words and status, and when to try again if it was throttled."""
    response = refusal(error.message, error.status_code)
    if isinstance(error, Throttled):
        response["Retry-After"] = str(error.retry_after)
    return response


def agent_required(view):
    """Logged in and on some channel's team; everyone else gets 403, whatever URL they forge."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not roles.is_agent(request.user):
            return refusal(_("This page is for agents."), 403)
        return view(request, *args, **kwargs)

    return wrapper


def service_errors(view):
    """Turn a service's refusal into its HTTP status with the refusal's words."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except ServiceError as error:
            return refused(error)

    return wrapper


def bad_request(request, exception=None):
    """Django's handler400 (e.g. a 5 MB message body): a sentence the alert line can show, not a page."""
    return refusal(_("This request is too large or malformed, so nothing was saved."), 400)


def csrf_failure(request, reason=""):
    return refusal(_("Your session has expired. Reload the page and try again."), 403)
