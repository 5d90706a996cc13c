"""The WSGI app ``bench_load`` runs under gunicorn: the real app with
bench_pages' URLconf (the app's URLs plus the floor page at /bench-floor/)
and DEBUG off, like bench_pages. Static files storage stays as the settings
chose it (with DEBUG off at import it would need collectstatic)."""

import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()
settings.ROOT_URLCONF = "mentoring.management.commands.bench_pages"
settings.DEBUG = False
