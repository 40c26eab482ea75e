"""Throttles on the public writes: how often one address may start chats, send messages and files, and
so on, on one channel (and ask for password resets, on the site).

The widget sits on a public website, so anyone can script it. Each write is counted per client address
and channel, and per chat where the request names one, in Django's cache by django-ratelimit (Redis when
REDIS_URL is set, so all processes share the counts); the limits are the channel's, set in the admin. A
refused request is answered 429 with Retry-After, and the widget shows the sentence, keeping what the
visitor typed. Views check them (like a permission) before calling the service.
"""

import ipaddress
import logging
import math
from dataclasses import dataclass

import redis

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy, ngettext
from django_ratelimit.core import get_usage

from chat.models import Channel
from helpdesk.client_address import client_address
from helpdesk.errors import Throttled

logger = logging.getLogger(__name__)

# What a cache that cannot answer raises: django-ratelimit's RATELIMIT_FAIL_OPEN covers a cache that
# answers nothing, not one that raises (Django's RedisCache while Redis is down).
CACHE_DOWN = (redis.exceptions.RedisError, OSError)

# One IPv6 client usually holds a whole /64: counting its addresses one by one would not count it at all.
IPV6_PREFIX = 64


@dataclass(frozen=True)
class Limit:
    name: str
    field: str  # the Channel field with the count, or the setting for a limit that is not a channel's
    period_seconds: int
    per_chat: bool  # counted per chat token as well as per address
    sentence: Promise  # %(wait)s is when the visitor can try again

    def count(self, channel: Channel | None) -> int:
        return getattr(channel, self.field) if channel is not None else getattr(settings, self.field)


# Returning to an ended chat queues it like a new one, so it counts against the same limit as starting
# one, per address rather than per chat: a script cannot get round the limit by ending and reactivating.
CHATS = Limit("chats", "chats_per_minute", 60, per_chat=False, sentence=gettext_lazy(
    "You have started too many chats in a short time. Please try again in %(wait)s."))
MESSAGES = Limit("messages", "messages_per_minute", 60, per_chat=True, sentence=gettext_lazy(
    "You are sending messages too quickly. Please try again in %(wait)s."))
FILES = Limit("files", "files_per_ten_minutes", 600, per_chat=True, sentence=gettext_lazy(
    "You have sent too many files in a short time. Please try again in %(wait)s."))
TYPING = Limit("typing", "typing_reports_per_minute", 60, per_chat=True, sentence=gettext_lazy(
    "Too many typing reports. Please try again in %(wait)s."))
PAGE_VIEWS = Limit("pages", "page_views_per_minute", 60, per_chat=True, sentence=gettext_lazy(
    "Too many pages reported. Please try again in %(wait)s."))
OFFLINE_MESSAGES = Limit("offline", "offline_messages_per_hour", 3600, per_chat=False, sentence=gettext_lazy(
    "You have left too many messages in a short time. Please try again in %(wait)s."))
FEEDBACK = Limit("feedback", "feedback_per_hour", 3600, per_chat=True, sentence=gettext_lazy(
    "You have sent this form too often. Please try again in %(wait)s."))
TRANSCRIPTS = Limit("transcripts", "transcripts_per_hour", 3600, per_chat=False, sentence=gettext_lazy(
    "Too many transcripts were emailed from your address. Please try again in %(wait)s."))
PASSWORD_RESETS = Limit("password_resets", "PASSWORD_RESETS_PER_HOUR", 3600, per_chat=False, sentence=gettext_lazy(
    "Too many password resets were asked for from your address. Please try again in %(wait)s."))


def counted_address(request) -> str:
    address = client_address(request)
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/{IPV6_PREFIX}", strict=False).network_address)
    return address


def wait_text(seconds: int) -> str:
    """"40 seconds", "3 minutes": how long until the visitor may try again, rounded up."""
    if seconds < 60:
        return ngettext("%(count)s second", "%(count)s seconds", seconds) % {"count": seconds}
    minutes = math.ceil(seconds / 60)
    return ngettext("%(count)s minute", "%(count)s minutes", minutes) % {"count": minutes}


def check(request, limit: Limit, channel: Channel | None = None, token: str = "") -> None:
    """Count this request against `limit`; raise Throttled once the address (and chat) went over it."""
    allowed = limit.count(channel)
    if not allowed:
        return
    key = "|".join([counted_address(request), str(channel.pk) if channel else "", token if limit.per_chat else ""])
    try:
        usage = get_usage(
            request, group=f"chat.{limit.name}", key=lambda group, request: key,
            rate=(allowed, limit.period_seconds), increment=True,
        )
    except CACHE_DOWN:
        # Let the visitor through, as settings.RATELIMIT_FAIL_OPEN says: losing their line is worse than
        # a flood that the queue cap still bounds.
        logger.warning("The throttles' cache did not answer; %s was let through uncounted.", limit.name)
        return
    if usage is not None and usage["should_limit"]:
        retry_after = max(1, usage["time_left"])
        raise Throttled(str(limit.sentence) % {"wait": wait_text(retry_after)}, retry_after=retry_after)
