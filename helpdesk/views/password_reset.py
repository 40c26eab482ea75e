"""Asking for a password reset link: Django's own view, throttled per address, since every request that
names a known address mails it."""

from django.contrib.auth import views as auth_views

from chat import throttles
from helpdesk.errors import ServiceError
from helpdesk.http import refused

reset_form = auth_views.PasswordResetView.as_view()


def password_reset(request):
    if request.method == "POST":
        try:
            throttles.check(request, throttles.PASSWORD_RESETS)
        except ServiceError as error:
            return refused(error)
    return reset_form(request)
