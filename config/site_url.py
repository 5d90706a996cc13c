"""The address links in emails and calendar feeds point at (``SITE_URL``)."""

DEFAULT_BIND = "127.0.0.1:8000"
# Addresses a server listens on but a browser cannot open: the loopback instead.
_ANY_HOST = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "[::]": "[::1]", "::": "[::1]"}  # noqa: S104 (read, not bound)


def site_url_from_env(environ):
    """``SITE_URL`` when set (trailing slash removed), else derived from
    ``WEB_BIND`` (the address the Procfile's gunicorn listens on, default
    ``127.0.0.1:8000``): ``http://<host>:<port>``, with a wildcard host
    (``0.0.0.0``, ``[::]``) shown as the loopback. A bind that is not
    ``host:port`` (e.g. ``unix:/run/waypoint.sock``) gives
    ``http://127.0.0.1:8000``: set ``SITE_URL`` then.

    ``environ``: a mapping such as ``os.environ``. Returns a string without a
    trailing slash, e.g. ``http://127.0.0.1:8010``.
    """
    explicit = (environ.get("SITE_URL") or "").strip()
    if explicit:
        return explicit.rstrip("/")
    bind = (environ.get("WEB_BIND") or "").strip() or DEFAULT_BIND
    # gunicorn accepts several --bind values; the Procfile passes one.
    bind = bind.split(",")[0].split()[0] if bind.split() else DEFAULT_BIND
    host, sep, port = bind.rpartition(":")
    if bind.startswith(("unix:", "fd://")) or not sep or not port.isdigit():
        host, port = DEFAULT_BIND.split(":")
    host = _ANY_HOST.get(host, host)
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}"
