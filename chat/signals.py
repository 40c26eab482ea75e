"""What chat tells the apps built on it, so that its state changes need not import them (transfers/receivers.py)."""

from django.dispatch import Signal

# Sent when a chat's waiting offer can no longer be accepted, in the transaction that makes it so, with the
# chat locked: it ends, or it goes back to the queue from an owner who is Away. With session, now, by (the
# agent who ended it, or None) and timed_out (True when nobody did it: inactivity, a visitor or owner gone).
offers_void = Signal()
