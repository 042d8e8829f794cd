"""No delivery to the inside: the host is resolved and every address must be public.

Checked at registration and again at each send (DNS may change between the two); the
send then connects to the very address checked, so a second lookup cannot swap it.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError


class Refused(ValidationError):
    pass


def _refusal(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    if address.is_loopback:
        return None if settings.WEBHOOK_ALLOW_LOOPBACK else "a loopback address"
    for flag, what in (
        ("is_link_local", "a link-local address"),
        ("is_private", "a private address"),
        ("is_multicast", "a multicast address"),
        ("is_reserved", "a reserved address"),
        ("is_unspecified", "an unspecified address"),
    ):
        if getattr(address, flag):
            return what
    if not address.is_global:
        return "a non-public address"
    return None


def resolve(url: str) -> tuple[str, int, str]:
    """(host, port, the address to connect to) for a URL every address of which is
    allowed; Refused otherwise."""
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as error:  # "Invalid IPv6 URL", "Port out of range 0-65535"
        raise Refused("This URL is not valid: check its host and port.") from error
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Refused("Use an http or https URL.")
    if parts.username or parts.password:
        raise Refused("Leave credentials out of the URL.")
    try:
        found = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise Refused(f"{parts.hostname} does not resolve.") from error
    addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in found]
    for address in addresses:
        why = _refusal(address)
        if why:
            raise Refused(f"{parts.hostname} is {why} ({address}): webhooks go to public hosts.")
    return parts.hostname, port, str(addresses[0])
