from django.shortcuts import render
from django.views.decorators.http import require_POST

from chat.fragments import agent_context
from helpdesk.http import agent_required, service_errors
from helpdesk.services import presence_set


@require_POST
@agent_required
@service_errors
def set_presence(request):
    presence_set(user=request.user, status=request.POST.get("status", ""))
    return render(request, "chat/partials/presence_toggle.html", agent_context(request.user))
