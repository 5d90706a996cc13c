from django.apps import AppConfig


class MentoringConfig(AppConfig):
    name = "mentoring"
    verbose_name = "People, roles and matches"

    def ready(self):
        from . import checks  # noqa: F401  (registers the deployment checks)
        from .lookups import register

        register()  # out-of-range ids match nothing (mentoring.lookups)
