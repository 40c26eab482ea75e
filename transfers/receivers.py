"""What transfers do when something happens elsewhere: neither the people side nor chat imports them."""

from django.dispatch import receiver

from chat.signals import chat_ending
from helpdesk.services.presence import OFFLINE, agent_left
from transfers.services import transfers_end_with_chat, transfers_withdraw_offers_to


@receiver(agent_left)
def withdraw_offers_to_an_agent_who_left(sender, user_id, reason, **kwargs):
    transfers_withdraw_offers_to(agent_id=user_id, went_offline=reason == OFFLINE)


@receiver(chat_ending)
def end_the_offer_of_an_ending_chat(sender, session, now, by, timed_out, **kwargs):
    transfers_end_with_chat(session=session, now=now, by=by, timed_out=timed_out)
