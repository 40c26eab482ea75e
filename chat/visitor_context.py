"""What the visitor's browser tells about where they are: the host page's address and title, its referrer,
the browser's language and time zone. All of it is typed by whoever scripts the widget, so each value is
checked and capped here before it is stored; what fails is dropped, never guessed at. Templates escape it
on output like any other text.
"""

import re
import zoneinfo
from functools import lru_cache
from urllib.parse import urlsplit

from helpdesk.origins import normalize_origin

MAX_URL_LENGTH = 2000
MAX_TITLE_LENGTH = 300
MAX_USER_AGENT_LENGTH = 512
# BCP 47 as browsers report it in navigator.language ("nl-NL", "zh-Hant-TW", "sv").
LOCALE = re.compile(r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8}){0,4}$")
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


def clean_url(value, *, origins=None) -> str:
    """An http(s) address of at most MAX_URL_LENGTH characters, on one of `origins` when given; else ""."""
    value = (value or "").strip()
    if not value or len(value) > MAX_URL_LENGTH or CONTROL_CHARACTERS.search(value):
        return ""
    try:
        parts = urlsplit(value)
    except ValueError:
        return ""
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username or parts.password:
        return ""
    if origins is not None and normalize_origin(f"{parts.scheme}://{parts.netloc}") not in origins:
        return ""
    return value


def clean_title(value) -> str:
    """A page title on one line, cut to MAX_TITLE_LENGTH."""
    return " ".join(CONTROL_CHARACTERS.sub(" ", value or "").split())[:MAX_TITLE_LENGTH]


def clean_user_agent(value) -> str:
    return CONTROL_CHARACTERS.sub("", value or "")[:MAX_USER_AGENT_LENGTH]


def clean_locale(value) -> str:
    value = (value or "").strip()
    return value if LOCALE.match(value) else ""


@lru_cache(maxsize=1)
def _time_zones() -> frozenset:
    return frozenset(zoneinfo.available_timezones())


def clean_time_zone(value) -> str:
    """An IANA time zone name this server knows ("Europe/Stockholm"), or ""."""
    value = (value or "").strip()
    return value if value in _time_zones() else ""
