"""One outbound POST, made safe: the address is checked after DNS resolution and then used as checked.

A webhook URL is typed in by a person and points anywhere; left alone, the
newsroom could be made to POST to its own database port, a cloud metadata
address (169.254.169.254) or a printer on the office network. So the host is
resolved once, every address it resolves to must be public (not private,
loopback, link-local, multicast, reserved or unspecified) unless
NEWSROOM_WEBHOOK_ALLOW_NETWORKS lists its network, and the connection is made
to that checked address (a second lookup could answer differently: DNS
rebinding). Redirects are never followed (http.client does not), every socket
operation has a timeout, and only the start of the response is read.
"""

import http.client
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings


class Refused(Exception):
    """The URL may not be called at all (bad scheme, or an address the guard refuses)."""


@dataclass
class Result:
    status: int | None
    error: str = ""

    @property
    def ok(self):
        return self.status is not None and 200 <= self.status < 300


def allowed_networks():
    return [ipaddress.ip_network(n, strict=False) for n in settings.NEWSROOM_WEBHOOK_ALLOW_NETWORKS]


def vetted_address(host, port):
    """The first address ``host`` resolves to, if every one of them may be called; else Refused."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise Refused(f"cannot resolve {host}: {exc.strerror}") from None
    allowed = allowed_networks()
    addresses = []
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%", 1)[0])
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            address = address.ipv4_mapped
        public = address.is_global and not address.is_multicast
        if not public and not any(address in network for network in allowed):
            raise Refused(f"{host} resolves to {address}, a private, loopback or link-local address")
        addresses.append(info)
    if not addresses:
        raise Refused(f"cannot resolve {host}")
    return addresses[0][4][0]


def post(url, body, headers, timeout):
    """POST ``body`` to ``url``; a Result with the status, or with the error that stopped it."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Refused(f"{url!r} is not an http or https URL")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    address = vetted_address(parts.hostname, port)
    connection_class = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    connection = connection_class(parts.hostname, port, timeout=timeout)

    def connect_to_vetted(_address, timeout=None, source_address=None):
        return socket.create_connection((address, port), timeout, source_address)

    connection._create_connection = connect_to_vetted  # TLS still checks the certificate against the host name
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("POST", path, body=body, headers={"User-Agent": "Newsroom-Webhooks/1", **headers})
        response = connection.getresponse()
        response.read(65536)
        status = response.status
    except (OSError, http.client.HTTPException) as exc:
        return Result(None, f"{type(exc).__name__}: {exc}"[:500])
    finally:
        connection.close()
    if 300 <= status < 400:
        return Result(status, "redirects are not followed")
    return Result(status, "" if 200 <= status < 300 else f"answered {status}")
