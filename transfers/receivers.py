"""What transfers do when something happens elsewhere: the people side never imports them."""

from django.dispatch import receiver

from helpdesk.services.presence import OFFLINE, agent_left
from transfers.services import transfers_withdraw_offers_to


@receiver(agent_left)
def withdraw_offers_to_an_agent_who_left(sender, user_id, reason, **kwargs):
    transfers_withdraw_offers_to(agent_id=user_id, went_offline=reason == OFFLINE)
