"""Logging out sets an agent Away, so "Transfer to" and the widget never count someone who left."""

from django.contrib.auth.signals import user_logged_out
from django.dispatch import receiver


@receiver(user_logged_out)
def set_away_on_logout(sender, request, user, **kwargs):
    from helpdesk.models import AgentProfile
    from helpdesk.services.presence import presence_set

    if user is not None and AgentProfile.objects.filter(user=user).exists():
        presence_set(user=user, status=AgentProfile.Status.AWAY)
