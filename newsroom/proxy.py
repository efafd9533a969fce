"""The client's address behind trusted proxies (NEWSROOM_BEHIND_PROXY, NEWSROOM_PROXY_COUNT)."""

import ipaddress

from django.conf import settings


def forwarded_client_ip(request):
    """The client's address as the trusted proxies saw it, for the login lock (django-axes).

    Behind a proxy every request comes from the proxy's address. Each proxy
    appends the address it was reached from to X-Forwarded-For, so the last
    NEWSROOM_PROXY_COUNT entries are trustworthy and anything to their left is
    whatever the client chose to send. With no usable entry the request did not
    come through the proxies, and its own peer address is the client's.
    """
    entries = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if entry.strip()]
    if not entries:
        return request.META.get("REMOTE_ADDR")
    candidate = entries[-min(settings.NEWSROOM_PROXY_COUNT, len(entries))]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return request.META.get("REMOTE_ADDR")
