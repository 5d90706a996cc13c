import hashlib

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from mentoring.choices import CheckInCadence, ContactChannel
from mentoring.localized import localized
from mentoring.models import time_zone_choices


def phone_region_default():
    """settings.PHONE_DEFAULT_REGION (default "US")."""
    return (getattr(settings, "PHONE_DEFAULT_REGION", "") or "US").upper()


class Program(models.Model):
    """A peer mentoring program run by one or more coordinators."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        ARCHIVED = "archived", _("Archived")

    class Mode(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        ONLINE = "online", _("Online")
        HYBRID = "hybrid", _("Hybrid")

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True)
    description = models.TextField(blank=True, help_text=_("Shown on the public application pages."))
    description_es = models.TextField(_("Description: Spanish version (optional)"), blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    mode = models.CharField(max_length=16, choices=Mode.choices, default=Mode.HYBRID)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    time_zone = models.CharField(max_length=64, default=settings.DEFAULT_USER_TIME_ZONE, choices=time_zone_choices)
    phone_region = models.CharField(
        _("Phone numbers region"),
        max_length=2,
        default=phone_region_default,
        help_text=_(
            "Two letters (US, CA, GB…): numbers typed without + and a country code are read as this country's."
        ),
    )
    checkin_cadence = models.CharField(
        _("Default check-in cadence"), max_length=16, choices=CheckInCadence.choices, default=CheckInCadence.WEEKLY
    )
    inactivity_days = models.PositiveSmallIntegerField(
        default=14, help_text=_("Days without contact before a match is flagged as quiet.")
    )
    default_mentor_capacity = models.PositiveSmallIntegerField(default=3)
    min_recovery_months = models.PositiveSmallIntegerField(
        _("Minimum time in recovery for mentors (months)"), default=12
    )
    background_check_required = models.BooleanField(default=True)
    mentors_create_groups = models.BooleanField(
        _("Mentors may create groups and events"),
        default=False,
        help_text=_(
            "When on, the program's mentors can add group sessions, workshops and events (they facilitate them)."
        ),
    )
    matching_weights = models.JSONField(
        default=dict, blank=True, help_text=_("Weight of each matching criterion; missing ones use the defaults.")
    )
    match_requires_acceptance = models.BooleanField(
        _("Mentor and mentee accept a proposed match"),
        default=True,
        help_text=_("When off, an approved match is active at once."),
    )
    craving_alert_threshold = models.PositiveSmallIntegerField(
        _("Craving alert at or above (0–10)"),
        default=8,
        help_text=_("A check-in with a craving this strong alerts the mentor and coordinators at once."),
    )
    mood_drop_alert = models.PositiveSmallIntegerField(
        _("Mood-drop alert (points over three check-ins)"),
        default=2,
        help_text=_("Alert when mood falls check-in after check-in, by at least this much in total."),
    )
    remind_mentee_after_days = models.PositiveSmallIntegerField(
        _("Overdue check-in: remind the mentee after (days)"), default=1, help_text=_("0 turns this step off.")
    )
    tell_mentor_after_days = models.PositiveSmallIntegerField(
        _("Overdue check-in: tell the mentor after (days)"), default=3, help_text=_("0 turns this step off.")
    )
    tell_coordinator_after_days = models.PositiveSmallIntegerField(
        _("Overdue check-in: tell the coordinators after (days)"), default=7, help_text=_("0 turns this step off.")
    )
    first_contact_days = models.PositiveSmallIntegerField(
        default=7, help_text=_("Days after a match starts by which the pair should have met.")
    )
    message_retention_months = models.PositiveSmallIntegerField(
        _("Delete messages after (months)"),
        null=True,
        blank=True,
        help_text=_("Messages older than this are deleted every night. Empty: keep them."),
    )
    coordinators = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="coordinated_programs", blank=True)
    safety_staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="safety_staff_programs",
        blank=True,
        verbose_name=_("Designated staff for safety alerts"),
        help_text=_("Staff who are not coordinators but may be on call for safety alerts."),
    )
    on_call_fallback = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Fallback when nobody is on call"),
        help_text=_("Told of a help-now alert when no shift covers the moment, and next on the ladder."),
    )
    escalate_after_minutes = models.PositiveSmallIntegerField(
        _("Escalate an unanswered safety alert after (minutes)"),
        default=10,
        validators=[MinValueValidator(1)],
        help_text=_("The next person on the ladder is told after this long, and again each time it passes."),
    )
    # The public program page (/p/<slug>/): off until a coordinator publishes it.
    public_page_enabled = models.BooleanField(
        _("Publish the public program page"),
        default=False,
        help_text=_("Off: the page does not exist for visitors (404)."),
    )
    public_intro = models.TextField(
        _("Public page introduction"), blank=True, help_text=_("The first words a visitor reads on the public page.")
    )
    public_intro_es = models.TextField(_("Public page introduction: Spanish version (optional)"), blank=True)
    show_public_outcomes = models.BooleanField(
        _("Show outcome figures on the public page"),
        default=False,
        help_text=_(
            "Totals only (people matched, meetings held, goals achieved this year); "
            "a figure about fewer people than the minimum group size is never shown."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    settings_saved_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text=_("Last time a coordinator saved the program's settings form.")
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(start_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="program_ends_after_it_starts",
            )
        ]

    def __str__(self):
        return self.name

    @property
    def accepts_applications(self):
        return self.status == self.Status.ACTIVE


class OnCallShift(models.Model):
    """One weekly shift of the on-call rota: ``person`` answers safety alerts
    of ``program`` every ``weekday`` (0 = Monday) from ``starts_at`` to
    ``ends_at``, wall-clock times in the program's time zone. A shift whose
    end is earlier than its start crosses midnight and ends the next day."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="on_call_shifts")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="on_call_shifts")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    starts_at = models.TimeField()
    ends_at = models.TimeField()

    class Meta:
        ordering = ["program", "weekday", "starts_at"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(starts_at=models.F("ends_at")), name="shift_end_is_not_start")
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.starts_at:%H:%M}–{self.ends_at:%H:%M}"

    @property
    def crosses_midnight(self):
        return self.ends_at < self.starts_at


class ExperienceArea(models.Model):
    """A lived-experience area a program matches on (editable per program)."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="experience_areas")
    name = models.CharField(max_length=80)
    name_es = models.CharField(_("Name: Spanish version (optional)"), max_length=80, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["program", "name"], name="unique_area_name_per_program")]

    def __str__(self):
        return localized(self, "name")


class PolicyDocument(models.Model):
    """A versioned text people agree to: the privacy notice shown with
    applications, the boundaries agreement mentors sign. Never edited:
    a change is a new version."""

    class Kind(models.TextChoices):
        PRIVACY = "privacy", _("Privacy notice")
        BOUNDARIES = "boundaries", _("Boundaries agreement")

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    version = models.PositiveSmallIntegerField()
    body = models.TextField()
    # The same version in Spanish (empty: readers of any language see ``body``).
    body_es = models.TextField(_("Text: Spanish version (optional)"), blank=True)
    published_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    # Which signatures count for this version (boundaries agreement; see
    # programs/readiness.py): a signature of version ``signatures_from`` or
    # later (empty: this version). A minor edit keeps the previous version's
    # value, so nobody signs again. Until ``grace_until`` (a date in the
    # program's zone, inclusive) a signature of version ``grace_from`` or later
    # still counts, so mentors stay ready while they re-sign.
    signatures_from = models.PositiveSmallIntegerField(null=True, blank=True)
    minor_edit = models.BooleanField(default=False, help_text=_("Published as a minor edit: no one signs again."))
    grace_until = models.DateField(null=True, blank=True)
    grace_from = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["program", "kind", "-version"]
        constraints = [models.UniqueConstraint(fields=["program", "kind", "version"], name="unique_document_version")]

    def __str__(self):
        return f"{self.get_kind_display()} v{self.version}"

    def signatures_count_from(self, today):
        """The lowest version whose signature counts for this one on ``today``."""
        if self.grace_until and self.grace_until >= today and self.grace_from:
            return self.grace_from
        return self.signatures_from or self.version


class Application(models.Model):
    """Someone asking to join a program as a mentor, mentee or volunteer."""

    class Kind(models.TextChoices):
        MENTOR = "mentor", _("Become a mentor")
        MENTEE = "mentee", _("Find a mentor")
        VOLUNTEER = "volunteer", _("Volunteer")

    class Status(models.TextChoices):
        NEW = "new", pgettext_lazy("application status", "New")
        WAITLISTED = "waitlisted", pgettext_lazy("application status", "Waitlisted")
        ACCEPTED = "accepted", pgettext_lazy("application status", "Accepted")
        DECLINED = "declined", pgettext_lazy("application status", "Declined")

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="applications")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.NEW)
    full_name = models.CharField(max_length=150)
    email = models.EmailField()
    phone = models.CharField(max_length=32, blank=True)
    preferred_contact = models.CharField(max_length=8, choices=ContactChannel.choices, default=ContactChannel.EMAIL)
    ok_to_text = models.BooleanField(default=False)
    ok_to_call = models.BooleanField(default=False)
    consent_to_contact = models.BooleanField(default=False)
    privacy_notice = models.ForeignKey(PolicyDocument, on_delete=models.PROTECT, null=True, related_name="+")
    # The language version of the privacy notice shown with the form (mentoring.localized).
    privacy_notice_language = models.CharField(max_length=8, choices=settings.LANGUAGES, default="en")
    # The language the form was filled in (the statements agreed to are recorded in it).
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, default="en")
    # Answers that become the person's profile when the application is accepted.
    details = models.JSONField(default=dict, blank=True)
    experience_areas = models.ManyToManyField(ExperienceArea, blank=True, related_name="applications")
    submitted_at = models.DateTimeField(default=timezone.now)
    # A keyed hash of the sender's address, for the rate limit only.
    source_hash = models.CharField(max_length=64, blank=True, db_index=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decision_reason = models.TextField(blank=True)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="applications"
    )
    # A repeat application (same email, any case) merged into another one
    # (programs.services.application_merge); it is declined and no longer flagged.
    merged_into = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="merged_repeats"
    )

    class Meta:
        ordering = ["-submitted_at"]
        indexes = [models.Index(fields=["program", "status", "-submitted_at"])]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.full_name}"


class ApplicationNote(models.Model):
    """Coordinators' internal notes on an application; never shown to applicants."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True)
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]

    def __str__(self):
        return f"Note on {self.application_id}"


class TrainingModule(models.Model):
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="training_modules")
    title = models.CharField(max_length=120)
    title_es = models.CharField(_("Title: Spanish version (optional)"), max_length=120, blank=True)
    description = models.TextField(blank=True)
    description_es = models.TextField(_("Description: Spanish version (optional)"), blank=True)
    required = models.BooleanField(default=True)
    link = models.URLField(blank=True, help_text=_("Optional: where the material lives."))
    position = models.PositiveSmallIntegerField(default=0)
    # Archived rather than deleted, so earlier completions keep their module.
    is_archived = models.BooleanField(default=False)

    class Meta:
        ordering = ["program", "position", "title"]

    def __str__(self):
        return localized(self, "title")


class TrainingCompletion(models.Model):
    """The mentor marks a module done; a coordinator confirms it."""

    module = models.ForeignKey(TrainingModule, on_delete=models.CASCADE, related_name="completions")
    mentor = models.ForeignKey("mentoring.MentorProfile", on_delete=models.CASCADE, related_name="completions")
    marked_done_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["module", "mentor"], name="unique_completion")]

    def __str__(self):
        return f"{self.mentor} · {self.module}"


class BackgroundCheck(models.Model):
    class Status(models.TextChoices):
        NOT_REQUIRED = "not_required", _("Not required")
        PENDING = "pending", _("Pending")
        CLEARED = "cleared", _("Cleared")
        NOT_CLEARED = "not_cleared", _("Not cleared")

    mentor = models.OneToOneField("mentoring.MentorProfile", on_delete=models.CASCADE, related_name="background_check")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    checked_on = models.DateField(null=True, blank=True)
    expires_on = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    def __str__(self):
        return f"{self.get_status_display()} for {self.mentor}"


class AgreementSignature(models.Model):
    """A mentor signed one version of the program's boundaries agreement."""

    mentor = models.ForeignKey("mentoring.MentorProfile", on_delete=models.CASCADE, related_name="signatures")
    document = models.ForeignKey(PolicyDocument, on_delete=models.PROTECT, related_name="signatures")
    typed_name = models.CharField(max_length=150)
    # The language version of the document the mentor read and signed
    # (PolicyDocument.body or body_<language>), see mentoring.localized.
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, default="en")
    signed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["mentor", "document"], name="unique_signature")]

    def __str__(self):
        return f"{self.mentor} signed {self.document}"


class ConsentRecord(models.Model):
    """What a person agreed to, which version, when, and who recorded it.
    Revocable; a revocation is recorded, never deleted."""

    class Kind(models.TextChoices):
        CONTACT = "contact", _("Being contacted by the program")
        PRIVACY = "privacy", _("The program's privacy notice")
        PARTICIPATION = "participation", _("Taking part in peer mentoring")

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="consents")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consents")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    statement = models.TextField(help_text=_("The words the person agreed to."))
    document = models.ForeignKey(PolicyDocument, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # The language of ``statement`` (for a document: which language version the person saw).
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, default="en")
    agreed_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-agreed_at"]
        indexes = [models.Index(fields=["program", "person"])]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.person})"

    @property
    def is_active(self):
        return self.revoked_at is None


class Story(models.Model):
    """A success story written by a mentee or mentor of the program, edited with
    a coordinator, and published on the program's public page only while the
    author's consent covers exactly the text shown (``StoryConsent.text_hash``
    equals ``text_hash()``). There is no photo: a first or chosen name only."""

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("story status", "Draft")
        IN_REVIEW = "in_review", pgettext_lazy("story status", "With the coordinators")
        PUBLISHED = "published", pgettext_lazy("story status", "Published")
        WITHDRAWN = "withdrawn", pgettext_lazy("story status", "Withdrawn")

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="stories")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="stories")
    title = models.CharField(max_length=120)
    body = models.TextField()
    display_name = models.CharField(
        _("Name shown with the story"),
        max_length=30,
        help_text=_("Your first name or a name you choose: one word, no surname."),
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    # Bumped by every change of the title, text or name: a consent is for one version.
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-published_at", "-updated_at"]
        verbose_name_plural = "stories"
        indexes = [models.Index(fields=["program", "status"])]

    def __str__(self):
        return self.title

    def text_hash(self):
        """SHA-256 (hex) of the name, title and text as they are now: what a consent covers."""
        text = "\x1f".join((self.display_name, self.title, self.body))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    @property
    def is_published(self):
        return self.status == self.Status.PUBLISHED


class StoryConsent(models.Model):
    """The author's signed consent to publish one version of their story: the
    statement they agreed to (snapshot), the text's hash and version, the typed
    name. Revocable at any time; a revocation is recorded, never deleted."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="consents")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="story_consents")
    statement_version = models.PositiveSmallIntegerField()
    statement = models.TextField(help_text=_("The words the person agreed to."))
    story_version = models.PositiveIntegerField()
    text_hash = models.CharField(max_length=64)
    typed_name = models.CharField(max_length=150)
    signed_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-signed_at"]

    def __str__(self):
        return f"Consent to publish {self.story} (version {self.story_version})"

    @property
    def is_active(self):
        return self.revoked_at is None
