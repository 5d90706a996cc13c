from django.conf import settings
from django.db import models

from mentoring.models import time_zone_choices


class Program(models.Model):
    """A peer mentoring program run by one or more coordinators.
    (Scheduling, readiness and matching settings grow with later issues.)"""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ACTIVE = "active", "Active"
        ARCHIVED = "archived", "Archived"

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True)
    description = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    time_zone = models.CharField(max_length=64, default=settings.DEFAULT_USER_TIME_ZONE, choices=time_zone_choices)
    coordinators = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="coordinated_programs", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name
