"""The resource directory, sharing and referrals."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mentoring.localized import localized

REVERIFY_AFTER = timedelta(days=180)


class Category(models.Model):
    """Two levels: a top category ("Treatment") and its subcategories."""

    name = models.CharField(max_length=80)
    name_es = models.CharField(_("Name: Spanish version (optional)"), max_length=80, blank=True)
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="children")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "categories"
        constraints = [models.UniqueConstraint(fields=["parent", "name"], name="unique_category_name_per_parent")]

    def __str__(self):
        return self.label()

    def label(self, language=None):
        """The label "Parent › Name" in ``language`` (default: the active one; mentoring.localized)."""
        name = localized(self, "name", language)
        return f"{self.parent.label(language)} › {name}" if self.parent_id else name


class Resource(models.Model):
    class Status(models.TextChoices):
        APPROVED = "approved", _("Listed")
        SUGGESTED = "suggested", _("Suggested, waiting for a coordinator")
        ARCHIVED = "archived", _("Archived")

    # Empty program: a resource every program sees (managed in the admin).
    program = models.ForeignKey(
        "programs.Program", on_delete=models.CASCADE, null=True, blank=True, related_name="resources"
    )
    name = models.CharField(max_length=160)
    name_es = models.CharField(_("Name: Spanish version (optional)"), max_length=160, blank=True)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="resources")
    description = models.TextField(blank=True)
    description_es = models.TextField(_("Description: Spanish version (optional)"), blank=True)
    phone = models.CharField(max_length=32, blank=True)
    text_number = models.CharField(_("Text number"), max_length=32, blank=True)
    website = models.URLField(blank=True)
    address = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=80, blank=True)
    hours = models.CharField(max_length=200, blank=True)
    hours_es = models.CharField(_("Hours: Spanish version (optional)"), max_length=200, blank=True)
    cost = models.CharField(max_length=120, blank=True)
    cost_es = models.CharField(_("Cost: Spanish version (optional)"), max_length=120, blank=True)
    languages = models.JSONField(default=list, blank=True)
    eligibility = models.CharField(max_length=240, blank=True)
    eligibility_es = models.CharField(_("Eligibility: Spanish version (optional)"), max_length=240, blank=True)
    tags = models.JSONField(default=list, blank=True)
    is_crisis = models.BooleanField(_("Crisis line or service"), default=False)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.APPROVED)
    suggested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    verified_on = models.DateField(_("Last verified"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-is_crisis", "name"]
        indexes = [
            models.Index(fields=["status", "program"]),
            models.Index(fields=["category"]),
            models.Index(fields=["city"]),
        ]

    def __str__(self):
        return localized(self, "name")

    @property
    def needs_verification(self):
        return self.verified_on is None or self.verified_on < timezone.localdate() - REVERIFY_AFTER


class Share(models.Model):
    """A mentor shares a resource with a mentee; a referral asks later
    whether they connected."""

    class FollowUp(models.TextChoices):
        YES = "yes", _("Yes, I connected")
        NOT_YET = "not_yet", _("Not yet")
        DIDNT_HELP = "didnt_help", _("It didn't help")

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="shares")
    mentee = models.ForeignKey("mentoring.MenteeProfile", on_delete=models.CASCADE, related_name="shares")
    shared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    session = models.ForeignKey(
        "peer_sessions.Session", on_delete=models.SET_NULL, null=True, blank=True, related_name="shares"
    )
    note = models.TextField(blank=True)
    is_referral = models.BooleanField(default=False)
    followup = models.CharField(max_length=16, choices=FollowUp.choices, blank=True)
    followup_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["mentee", "-created_at"]), models.Index(fields=["is_referral", "followup"])]

    def __str__(self):
        return f"{self.resource} for {self.mentee}"
