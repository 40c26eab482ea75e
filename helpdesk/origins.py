"""Web origins (scheme://host[:port]) as browsers send them in the Origin header, so that two spellings of
one site compare equal and two sites that share a host name (another port, http against https) do not."""

from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

DEFAULT_PORTS = {"http": 80, "https": 443}


def normalize_origin(value: str) -> str | None:
    """`value` as a browser writes it in Origin (lower case, no default port, nothing after the port), or
    None when it is not an http(s) origin at all."""
    try:
        parts = urlsplit(value.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname or parts.username or parts.password:
        return None
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        return None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    if port is None or port == DEFAULT_PORTS[parts.scheme]:
        return f"{parts.scheme}://{host}"
    return f"{parts.scheme}://{host}:{port}"


def origin_list(text: str) -> list[str]:
    """The origins in a list written one per line (or separated by spaces or commas); anything that is not
    one (saved past the admin's validation) names no website."""
    origins = (normalize_origin(item) for item in text.replace(",", " ").split())
    return [origin for origin in origins if origin]


def validate_origin_list(text: str) -> None:
    for item in text.replace(",", " ").split():
        if normalize_origin(item) is None:
            raise ValidationError(
                _("%(value)s is not a website address of the form https://www.example.com (with a port if it has one)."),
                params={"value": item}, code="invalid_origin",
            )
