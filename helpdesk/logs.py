"""Keeps visitors' chat tokens out of the logs. A token in a widget URL is the visitor's only credential
(it reads the transcript and writes as them), and access logs are kept longer and read by more people than
the chats themselves, so every line that names a widget URL shows the token as `<token>`."""

import logging
import re

MASK = "<token>"
# /widget/<slug>/chat/<token>/... (the widget's HTTP requests) and /ws/widget/<token>/ (its socket).
TOKEN_IN_PATH = re.compile(r"(/widget/[^/\s]+/chat/|/ws/widget/)[^/?#\s\"]+")


def mask_tokens(text: str) -> str:
    return TOKEN_IN_PATH.sub(lambda match: match.group(1) + MASK, text)


class MaskVisitorTokens(logging.Filter):
    """A handler's filter: Django's request warnings ("Not Found: /widget/...") and Daphne's runserver
    lines name the path."""

    def filter(self, record):
        message = record.getMessage()
        masked = mask_tokens(message)
        if masked != message:
            record.msg, record.args = masked, ()
        return True
