"""Who is asking: the address the throttles count a request against."""

import ipaddress

from django.conf import settings


def _trusted(address: str, proxies) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in proxy for proxy in proxies)


def client_address(request) -> str:
    """The client's address: REMOTE_ADDR, unless that is one of the TRUSTED_PROXIES.

    Behind trusted proxies, X-Forwarded-For is read from the right: each proxy appends the address it was
    reached from, so the first entry from the right that is not a trusted proxy is the client. Everything
    to its left was sent by the client itself and could be anything; taking the left-most entry would let a
    script pick a new address for every request. Without TRUSTED_PROXIES the header is never read.
    """
    remote = request.META.get("REMOTE_ADDR") or ""
    proxies = [ipaddress.ip_network(proxy, strict=False) for proxy in settings.TRUSTED_PROXIES]
    if not proxies or not _trusted(remote, proxies):
        return remote
    client = remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for hop in reversed([hop.strip() for hop in forwarded.split(",") if hop.strip()]):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            break  # not written by a proxy of ours: the last good hop is the closest we know
        client = hop
        if not _trusted(hop, proxies):
            break
    return client
