"""What transfers do when something happens elsewhere: neither the people side nor chat imports them."""

from django.dispatch import receiver

from chat.signals import offers_void
from helpdesk.services.presence import OFFLINE, agent_left
from transfers.services import transfers_void_offers_of, transfers_withdraw_offers_to


@receiver(agent_left)
def withdraw_offers_to_an_agent_who_left(sender, user_id, reason, **kwargs):
    transfers_withdraw_offers_to(agent_id=user_id, went_offline=reason == OFFLINE)


@receiver(offers_void)
def end_the_offer_of_a_chat_that_ends_or_goes_back(sender, session, now, by, timed_out, **kwargs):
    transfers_void_offers_of(session=session, now=now, by=by, timed_out=timed_out)
