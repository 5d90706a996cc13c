"""Who is on the other end of a request: the one place that decides.

Sign-in throttling (django-axes, through ``AXES_CLIENT_IP_CALLABLE``) and the
public application rate limit (``programs.views.applications``) both key on
``client_network(request)``; nothing else in the code reads ``REMOTE_ADDR`` or
``X-Forwarded-For`` for that purpose.

Proxies. ``settings.TRUSTED_PROXY_COUNT`` (env ``TRUSTED_PROXY_COUNT``,
default 0) is the number of reverse proxies in front of the app that each
*append* the address they received the request from to ``X-Forwarded-For``
(nginx's ``$proxy_add_x_forwarded_for``, most load balancers):

- 0: the header is ignored, whatever it says; the address is ``REMOTE_ADDR``
  (the peer of the TCP connection, which a client cannot forge).
- N > 0: the address is the N-th entry from the right of
  ``X-Forwarded-For``. Entries further left were written by the client (or by
  untrusted hops) and are never used, so a forged header only adds entries
  that are ignored. With one proxy, ``X-Forwarded-For: 6.6.6.6, 198.51.100.7``
  gives ``198.51.100.7``.
- When the header has fewer than N entries, or the chosen entry is not an IP
  address, the request did not come through the configured proxies (or a
  proxy is misconfigured): ``REMOTE_ADDR`` is used, never a client-written
  value.

Several ``X-Forwarded-For`` headers on one request reach Django joined with
commas (WSGI), so they count as one list.

Addresses come back in canonical text form (``2001:db8::1``, IPv4-mapped IPv6
as plain IPv4), so that one client never counts as two.
"""

import ipaddress

from django.conf import settings

# A client on IPv6 usually holds a whole /64 (often more): counting single
# addresses would give it 2**64 fresh allowances.
IPV6_THROTTLE_PREFIX = 64


def _parse(value):
    """An ``ipaddress`` object for ``value`` or None; IPv4-mapped IPv6 becomes IPv4.

    Proxies that write a port (``198.51.100.7:5123``, ``[2001:db8::1]:443``,
    as some load balancers do) give the address without it: falling back to
    REMOTE_ADDR would put every visitor behind the proxy's one address."""
    text = (value or "").strip()
    if text.startswith("[") and "]" in text:
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if address.version == 6 and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def client_address(request):
    """The client's IP address as text (``"198.51.100.7"``, ``"2001:db8::1"``),
    or None when the request carries no usable address at all (test clients
    that leave out ``REMOTE_ADDR``). See the module docstring for the proxy
    rule and ``TRUSTED_PROXY_COUNT``."""
    remote = _parse(request.META.get("REMOTE_ADDR"))
    trusted = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if trusted > 0:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if len(hops) >= trusted:
            forwarded = _parse(hops[-trusted])
            if forwarded is not None:
                return str(forwarded)
    return str(remote) if remote is not None else None


def client_network(request):
    """The unit that throttling counts: the client's IPv4 address, or the /64
    network of its IPv6 address written as an address (``"2001:db8:1:2::"``).
    Used as ``AXES_CLIENT_IP_CALLABLE`` (axes stores it in a
    GenericIPAddressField, which the network address fits) and by the public
    application rate limit. None when there is no address (see
    ``client_address``)."""
    text = client_address(request)
    if text is None:
        return None
    address = ipaddress.ip_address(text)
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/{IPV6_THROTTLE_PREFIX}", strict=False).network_address)
    return text
