"""Which language a person reads: their agent profile's choice, else their browser's.

Requests get this from LocaleMiddleware plus AgentLanguageMiddleware; websockets do not pass through
middleware, so consumers ask `language_for_socket` with the handshake's cookies and headers.
"""

from django.conf import settings
from django.utils import translation
from django.utils.translation import trans_real


def profile_language(user) -> str | None:
    profile = getattr(user, "agent_profile", None) if user.is_authenticated else None
    return profile.language if profile is not None and profile.language else None


def _supported(code: str | None) -> str | None:
    if not code:
        return None
    try:
        return translation.get_supported_language_variant(code)
    except LookupError:
        return None


def language_for_socket(scope, user) -> str:
    chosen = profile_language(user) or _supported(scope.get("cookies", {}).get(settings.LANGUAGE_COOKIE_NAME))
    if chosen:
        return chosen
    headers = dict(scope.get("headers", []))
    accept = headers.get(b"accept-language", b"").decode("latin-1")
    for code, _quality in trans_real.parse_accept_lang_header(accept):
        if supported := _supported(code):
            return supported
    return settings.LANGUAGE_CODE
