"""What chat tells the apps built on it, so that its state changes need not import them (transfers/receivers.py)."""

from django.dispatch import Signal

# Sent while a chat ends, in the transaction that ends it, with the chat locked: session, now, by (the
# agent who ended it, or None), and timed_out (True when nobody ended it: inactivity, a visitor gone).
chat_ending = Signal()
