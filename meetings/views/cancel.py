"""Cancelling from the link in the visitor's invitation: the signed link is the key (meetings/invitations.py).
Opening it shows the meeting and a button; only the button's POST cancels, so a mail scanner that follows
links cancels nothing."""

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from meetings import invitations
from meetings.services import booking


@csrf_exempt  # the signed link is the credential; the visitor has no session with this site
@never_cache
@require_http_methods(["GET", "POST"])
def cancel(request, signature):
    meeting = invitations.meeting_from_signature(signature)
    if meeting is None:
        return render(request, "meetings/cancel.html", {"error": _("This link is not valid.")}, status=404)
    if request.method == "POST":
        meeting = booking.meeting_cancel(meeting=meeting)
    return render(request, "meetings/cancel.html", {"meeting": meeting, "signature": signature})
