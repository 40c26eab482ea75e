"""Transfer, accept / reject / cancel, and take over, from the chat panel."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_POST

from chat.models import ChatSession
from helpdesk.http import agent_required, service_errors
from live import fragments
from live.access import panel_access
from transfers import services
from transfers.models import Transfer


def _panel(request, session_id):
    access = panel_access(request.user, session_id)
    if access is None:
        return render(request, "chat/partials/panel_empty.html")
    return render(request, "chat/partials/panel.html", fragments.panel_context(access))


@require_POST
@agent_required
@service_errors
def start(request, session_id):
    session = get_object_or_404(ChatSession, pk=session_id)
    services.transfer_start(
        session=session, by=request.user, to_agent_id=request.POST.get("to_agent"), note=request.POST.get("note", "")
    )
    return HttpResponse(status=204)


@require_POST
@agent_required
@service_errors
def accept(request, transfer_id):
    transfer = get_object_or_404(Transfer, pk=transfer_id)
    services.transfer_accept(transfer=transfer, by=request.user)
    return _panel(request, transfer.session_id)


@require_POST
@agent_required
@service_errors
def reject(request, transfer_id):
    transfer = get_object_or_404(Transfer, pk=transfer_id)
    services.transfer_reject(transfer=transfer, by=request.user)
    return _panel(request, transfer.session_id)


@require_POST
@agent_required
@service_errors
def cancel(request, transfer_id):
    transfer = get_object_or_404(Transfer.objects.select_related("session"), pk=transfer_id)
    services.transfer_cancel(transfer=transfer, by=request.user)
    return HttpResponse(status=204)


@require_POST
@agent_required
@service_errors
def take_over(request, session_id):
    session = get_object_or_404(ChatSession, pk=session_id)
    services.session_take_over(session=session, by=request.user)
    return _panel(request, session_id)
