from django.apps import AppConfig


class PeerSessionsConfig(AppConfig):
    name = "sessions"
    # "sessions" is taken by django.contrib.sessions.
    label = "peer_sessions"
    verbose_name = "Sessions and events"
