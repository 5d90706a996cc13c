"""The one Celery app. Configured from Django settings (CELERY_* names)."""

import os
from pathlib import Path

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("waypoint")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def ensure_broker_folders(transport_options):
    """The filesystem transport needs its folders to exist before it starts."""
    for key in ("data_folder_in", "data_folder_out", "control_folder"):
        if transport_options.get(key):
            Path(transport_options[key]).mkdir(parents=True, exist_ok=True)
