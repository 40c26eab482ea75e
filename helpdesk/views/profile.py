from django.shortcuts import render
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from helpdesk.http import agent_required, service_errors
from helpdesk.services.presence import presence_set
from helpdesk.services.profiles import profile_set_language, profile_set_sounds
from live.fragments import agent_context


@require_POST
@agent_required
@service_errors
def set_presence(request):
    presence_set(user=request.user, status=request.POST.get("status", ""))
    return render(request, "chat/partials/presence_toggle.html", agent_context(request.user))


@require_POST
@agent_required
@service_errors
def set_sounds(request):
    profile = profile_set_sounds(user=request.user, sounds=request.POST.get("sounds", ""))
    return render(request, "chat/partials/sounds_toggle.html", {"profile": profile})


@require_POST
@service_errors
def switch_language(request):
    """The language switch: Django's cookie for the browser, and the agent's profile for live pushes."""
    if request.user.is_authenticated:
        profile_set_language(user=request.user, language=request.POST.get("language", ""))
    return set_language(request)
