"""Goals and milestones, check-ins, safety alerts, recovery-capital assessments."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mentoring.choices import CheckInCadence


class Category(models.TextChoices):
    RECOVERY = "recovery", _("Recovery")
    HEALTH = "health", _("Health")
    HOUSING = "housing", _("Housing")
    EMPLOYMENT = "employment", _("Employment")
    EDUCATION = "education", _("Education")
    RELATIONSHIPS = "relationships", _("Relationships")
    FAMILY = "family", _("Family")
    LEGAL = "legal", _("Legal")
    FINANCES = "finances", _("Finances")
    COMMUNITY = "community", _("Community")
    SPIRITUALITY = "spirituality", _("Spirituality")
    OTHER = "other", _("Other")


class Goal(models.Model):
    class Status(models.TextChoices):
        SUGGESTED = "suggested", _("Suggested by your mentor")
        ACTIVE = "active", _("Active")
        ACHIEVED = "achieved", _("Achieved")
        PAUSED = "paused", _("Paused")
        DROPPED = "dropped", _("Dropped")

    mentee = models.ForeignKey("mentoring.MenteeProfile", on_delete=models.CASCADE, related_name="goals")
    title = models.CharField(max_length=120)
    why = models.TextField(_("Why it matters"), blank=True)
    category = models.CharField(max_length=16, choices=Category.choices, default=Category.RECOVERY)
    target = models.CharField(_("Measurable target"), max_length=200, blank=True, help_text=_("How you will know."))
    target_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    cadence = models.CharField(
        _("Check in"), max_length=16, choices=CheckInCadence.choices, default=CheckInCadence.WEEKLY
    )
    is_private = models.BooleanField(_("Keep private from my mentor"), default=False)
    progress = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(100)])
    suggested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_on = models.DateField(default=timezone.localdate, help_text=_("Check-ins are due from this day."))
    closed_at = models.DateTimeField(null=True, blank=True)

    # How goals are listed: what is being worked on first.
    STATUS_ORDER = ["suggested", "active", "paused", "achieved", "dropped"]

    class Meta:
        ordering = ["-created_at"]
        # created_at: each minute's reminder dispatch looks for goals created since its last run.
        indexes = [
            models.Index(fields=["mentee", "status"]),
            models.Index(fields=["created_at"], name="goal_created_at"),
        ]

    def __str__(self):
        return self.title


class Milestone(models.Model):
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(max_length=120)
    due_date = models.DateField(null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["goal", "position", "pk"]

    def __str__(self):
        return self.title


class CheckIn(models.Model):
    """A quick check-in: mood, optional craving, progress on goals."""

    mentee = models.ForeignKey("mentoring.MenteeProfile", on_delete=models.CASCADE, related_name="checkins")
    created_at = models.DateTimeField(default=timezone.now)
    mood = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])
    craving = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MaxValueValidator(10)])
    reflection = models.TextField(blank=True)
    wants_to_talk = models.BooleanField(default=False)
    needs_help = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at"]
        # created_at alone: reports and the dashboard count check-ins in a date range.
        indexes = [models.Index(fields=["mentee", "-created_at"]), models.Index(fields=["created_at"])]

    def __str__(self):
        return f"Check-in of {self.mentee} at {self.created_at:%Y-%m-%d %H:%M}"


class GoalProgressQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        """As Django's, with ``reported_at`` taken from each row's check-in when not set."""
        objs = list(objs)
        for report in objs:
            report.fill_reported_at()
        return super().bulk_create(objs, *args, **kwargs)


class GoalProgress(models.Model):
    """Progress on one goal reported in one check-in.

    ``reported_at`` repeats the check-in's ``created_at`` (UTC) so that "which
    days reported on these goals lately" is one index range per goal
    (``goalprogress_goal_reported``) with no join to the check-ins: the 9 am
    check-in reminders read it for every mentee of a zone at once (at 100,000
    mentees, 66,000 recent reports among 1.2 million). A check-in's time is
    never edited, so the copy does not drift; ``save`` and ``bulk_create``
    fill it from the check-in when it is not given."""

    checkin = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="goal_progress")
    # Indexed by goalprogress_goal_reported (goal first), not an index of its own.
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="progress_reports", db_index=False)
    progress = models.PositiveSmallIntegerField(validators=[MaxValueValidator(100)])
    reported_at = models.DateTimeField(help_text="The check-in's created_at (UTC), copied for the reminders' read.")

    objects = GoalProgressQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["checkin", "goal"], name="one_progress_per_goal_per_checkin")]
        indexes = [models.Index(fields=["goal", "reported_at"], name="goalprogress_goal_reported")]

    def __str__(self):
        return f"{self.goal}: {self.progress}%"

    def save(self, *args, **kwargs):
        self.fill_reported_at()
        super().save(*args, **kwargs)

    def fill_reported_at(self):
        if self.reported_at is None:
            self.reported_at = self.checkin.created_at


class CheckInComment(models.Model):
    """The mentor's answer to a check-in; the mentee sees it."""

    checkin = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True)
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]

    def __str__(self):
        return f"Comment on {self.checkin_id}"


class SafetyAlertQuerySet(models.QuerySet):
    def open(self):
        return self.filter(acknowledged_at__isnull=True)

    def open_first(self):
        """Open alerts first (newest first), then acknowledged ones (newest
        first). Explicit: NULLs sort differently on SQLite and PostgreSQL."""
        return self.annotate(
            closed_rank=models.Case(
                models.When(acknowledged_at__isnull=True, then=models.Value(0)),
                default=models.Value(1),
                output_field=models.IntegerField(),
            )
        ).order_by("closed_rank", "-created_at", "-pk")


class SafetyAlert(models.Model):
    """One open alert per mentee at a time (a partial unique index): a tap,
    a check-in asking for help, a strong craving and a falling mood at the
    same moment are one event, with every reason in ``reasons``."""

    class Kind(models.TextChoices):
        HELP_NOW = "help_now", _("Asked for help now")
        CRAVING = "craving", _("Strong craving")
        MOOD_DROP = "mood_drop", _("Mood dropping")

    class Source(models.TextChoices):
        TAP = "tap", _("The help-now button")
        CHECKIN = "checkin", _("A check-in")
        MESSAGE = "message", _("From a message")

    mentee = models.ForeignKey("mentoring.MenteeProfile", on_delete=models.CASCADE, related_name="safety_alerts")
    # The mentee's program (a mentee profile belongs to one program for good), set by save() and
    # kept with the alert so the live open-alert counts per program read one partial index instead
    # of looking up every open alert's mentee (1,210 at 100,000 mentees: issue 18).
    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="+", editable=False)
    checkin = models.ForeignKey(CheckIn, on_delete=models.SET_NULL, null=True, blank=True, related_name="alerts")
    # The first reason; ``reasons`` lists them all (Kind values, in the order they came).
    kind = models.CharField(max_length=16, choices=Kind.choices)
    reasons = models.JSONField(default=list, blank=True)
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.CHECKIN)
    created_at = models.DateTimeField(default=timezone.now)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.TextField(blank=True)

    objects = SafetyAlertQuerySet.as_manager()

    class Meta:
        ordering = [models.F("acknowledged_at").asc(nulls_first=True), "-created_at"]
        indexes = [
            models.Index(fields=["mentee", "acknowledged_at"]),
            # The open alerts in the order they were raised (the coordinator home's
            # needs-attention preview reads the first few, not all of them).
            models.Index(
                fields=["created_at"],
                condition=models.Q(acknowledged_at__isnull=True),
                name="safety_alert_open_by_time",
            ),
            # The open alerts per program (the coordinator home's and needs attention's live counts).
            models.Index(
                fields=["program"],
                condition=models.Q(acknowledged_at__isnull=True),
                name="safety_alert_open_by_program",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["mentee"], condition=models.Q(acknowledged_at__isnull=True), name="one_open_alert_per_mentee"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.mentee})"

    def save(self, *args, **kwargs):
        # The mentee's program, whoever creates the alert (bulk inserts set program_id themselves).
        if self.program_id is None and self.mentee_id is not None:
            self.program_id = self.mentee.program_id
        super().save(*args, **kwargs)

    @property
    def is_open(self):
        return self.acknowledged_at is None

    @property
    def is_help_now(self):
        """Someone asked for help now (a tap or the check-in's switch), whether it
        was the first reason or joined an alert already open: such an alert
        follows the program's on-call rota and escalates until acknowledged."""
        return self.kind == self.Kind.HELP_NOW or self.Kind.HELP_NOW in (self.reasons or [])

    @property
    def reason_labels(self):
        """Every reason, as words: ["Asked for help now", "Mood dropping"]."""
        labels = dict(self.Kind.choices)
        return [labels.get(r, r) for r in (self.reasons or [self.kind])]


class Instrument(models.Model):
    """A recovery-capital self-assessment: items on an agreement scale."""

    name = models.CharField(max_length=120)
    program = models.ForeignKey(
        "programs.Program",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="instruments",
        help_text=_("Empty: offered to every program."),
    )
    scale_min = models.PositiveSmallIntegerField(default=1)
    scale_max = models.PositiveSmallIntegerField(default=6)
    scale_labels = models.JSONField(default=list, blank=True, help_text=_("One label per point of the scale."))
    threshold = models.PositiveSmallIntegerField(
        default=50, help_text=_("Scores (0–100) below this are flagged for a conversation.")
    )
    interval_days = models.PositiveSmallIntegerField(default=90)
    is_active = models.BooleanField(default=True)

    def __str__(self):
        return self.name


class InstrumentItem(models.Model):
    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="items")
    domain = models.CharField(max_length=16, choices=Category.choices, help_text=_("The goal category it speaks to."))
    text = models.CharField(max_length=240)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["instrument", "position"]

    def __str__(self):
        return self.text


class Assessment(models.Model):
    mentee = models.ForeignKey("mentoring.MenteeProfile", on_delete=models.CASCADE, related_name="assessments")
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="assessments")
    taken_at = models.DateTimeField(default=timezone.now)
    # 0–100: where the answers sit between the scale's lowest and highest point.
    score = models.PositiveSmallIntegerField(validators=[MaxValueValidator(100)])

    class Meta:
        ordering = ["-taken_at"]
        indexes = [models.Index(fields=["mentee", "-taken_at"])]

    def __str__(self):
        return f"{self.instrument} for {self.mentee}: {self.score}"


class Answer(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(InstrumentItem, on_delete=models.PROTECT, related_name="answers")
    value = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assessment", "item"], name="one_answer_per_item")]

    def __str__(self):
        return f"{self.item_id}: {self.value}"
