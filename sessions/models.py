"""One-on-one sessions, group sessions / workshops / events, registrations,
attendance and calendar feeds. Times are stored in UTC."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from mentoring.choices import MeetingMode
from mentoring.localized import localized

# An online meeting's "Join" button shows from this long before the start until the end.
JOIN_OPENS_BEFORE = timedelta(minutes=10)


class Skill(models.Model):
    """A skill a program teaches and mentors log as practised (editable per program)."""

    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="skills")
    name = models.CharField(max_length=80)
    name_es = models.CharField("Name: Spanish version (optional)", max_length=80, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["program", "name"], name="unique_skill_per_program")]

    def __str__(self):
        return localized(self, "name")


class Session(models.Model):
    """A one-on-one meeting of a match, scheduled ahead or logged after."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        COMPLETED = "completed", _("Completed")
        MISSED = "missed", _("Missed")
        CANCELLED = "cancelled", _("Cancelled")

    class MissedBy(models.TextChoices):
        MENTEE = "mentee", _("The mentee did not come")
        MENTOR = "mentor", _("The mentor did not come")
        BOTH = "both", _("Neither could come")

    match = models.ForeignKey("mentoring.Match", on_delete=models.CASCADE, related_name="sessions")
    starts_at = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField(default=60)
    mode = models.CharField(max_length=16, choices=MeetingMode.choices, default=MeetingMode.IN_PERSON)
    location = models.CharField(max_length=200, blank=True, help_text=_("A place or a phone number."))
    # A video call's address (https only, sessions.forms.MeetingLinkField): shown to the
    # pair and the program's coordinators, in the pair's calendar feeds, never in a text
    # message or an email (those link to the meeting page, behind sign-in).
    online_url = models.URLField(_("online meeting link"), max_length=500, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SCHEDULED)
    scheduled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    # Outcome.
    missed_by = models.CharField(max_length=8, choices=MissedBy.choices, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cancel_reason = models.CharField(max_length=200, blank=True)
    logged_at = models.DateTimeField(null=True, blank=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # What happened (filled when logged).
    topics = models.JSONField(default=list, blank=True)
    skills = models.ManyToManyField(Skill, blank=True, related_name="sessions")
    resources_shared = models.TextField(blank=True)
    # Private: the mentor of the match and the program's coordinators only.
    private_notes = models.TextField(blank=True)
    # Shared with the mentee.
    shared_summary = models.TextField(blank=True)
    follow_up = models.TextField(blank=True, help_text=_("Next steps agreed together."))
    # Calendar feed: every change raises the sequence and stamps the time, so
    # subscribed calendars replace their copy (RFC 5545 SEQUENCE, LAST-MODIFIED).
    sequence = models.PositiveIntegerField(default=0)
    changed_at = models.DateTimeField(default=timezone.now)
    # When the meeting last moved to another time (an accepted TimeProposal), UTC;
    # reminders whose moment had passed by then are not sent (sessions.reminders).
    moved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-starts_at"]
        indexes = [
            models.Index(fields=["match", "-starts_at"]),
            models.Index(fields=["status", "starts_at"]),
            # Reports count meetings of every outcome in a date range.
            models.Index(fields=["starts_at"]),
            # A match's meetings of one status by time: the last one held and the next
            # one scheduled (a mentor's caseload), a person's completed meetings (the
            # skills toolkit). Without it SQLite started from every meeting of that
            # status through (status, starts_at): 0.1 s per home at 10,000 mentees.
            models.Index(fields=["match", "status", "starts_at"], name="session_match_status"),
        ]

    def __str__(self):
        return f"Session of {self.match} on {self.starts_at:%Y-%m-%d}"

    @property
    def ends_at(self):
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    def join_open(self, now=None):
        """True from JOIN_OPENS_BEFORE (10 minutes) before the start until the
        end of a scheduled meeting that has an online link (``now``: UTC, default
        the current time). Who may see the link is the access policy's
        (``mentoring.access.can_see_meeting_link``)."""
        now = now or timezone.now()
        return (
            bool(self.online_url)
            and self.status == self.Status.SCHEDULED
            and self.starts_at - JOIN_OPENS_BEFORE <= now < self.ends_at
        )


class TimeProposalQuerySet(models.QuerySet):
    def open(self, now=None):
        """Pending proposals that can still be answered at ``now`` (UTC): the
        proposed time and the meeting are both still ahead, the meeting is
        scheduled. A pending row past that is shown as expired (and marked so by
        the next write about the meeting)."""
        now = now or timezone.now()
        return self.filter(
            status=TimeProposal.Status.PENDING,
            starts_at__gt=now,
            session__starts_at__gt=now,
            session__status=Session.Status.SCHEDULED,
        )


class TimeProposal(models.Model):
    """A new time for a scheduled one-on-one meeting, proposed by its mentor or
    its mentee; the other one accepts (the meeting moves: sessions.services.
    session_time_accept) or declines; the proposer may withdraw it. At most one
    is pending per meeting (a database constraint). Times are UTC."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for an answer")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        EXPIRED = "expired", _("Expired")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="time_proposals")
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    starts_at = models.DateTimeField(help_text=_("The proposed new start (UTC)."))
    # The meeting's start when the proposal was made, for the history ("instead of ...").
    previous_starts_at = models.DateTimeField()
    note = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = TimeProposalQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["session"], condition=models.Q(status="pending"), name="one_pending_time_proposal"
            )
        ]

    def __str__(self):
        return f"New time for {self.session} ({self.status})"

    def is_open(self, now=None):
        """See TimeProposalQuerySet.open (for a row already loaded)."""
        now = now or timezone.now()
        return (
            self.status == self.Status.PENDING
            and self.starts_at > now
            and self.session.starts_at > now
            and self.session.status == Session.Status.SCHEDULED
        )

    def shown_status(self, now=None):
        """The status to show: a pending proposal that can no longer be answered is expired."""
        if self.status == self.Status.PENDING and not self.is_open(now):
            return self.Status.EXPIRED
        return self.Status(self.status)


class GroupSeries(models.Model):
    """A recurring group: one series, many occurrences (GroupSession rows)."""

    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="group_series")
    title = models.CharField(max_length=120)
    weekly_until = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = _("group series")

    def __str__(self):
        return self.title


class GroupSession(models.Model):
    """A group session, workshop or event (one occurrence of a series, or on its own)."""

    class Kind(models.TextChoices):
        GROUP = "group", _("Group session")
        WORKSHOP = "workshop", _("Workshop")
        EVENT = "event", _("Event")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        CANCELLED = "cancelled", _("Cancelled")

    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="group_sessions")
    series = models.ForeignKey(GroupSeries, on_delete=models.CASCADE, null=True, blank=True, related_name="occurrences")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.GROUP)
    title = models.CharField(max_length=120)
    skill = models.ForeignKey(Skill, on_delete=models.SET_NULL, null=True, blank=True, related_name="group_sessions")
    description = models.TextField(blank=True)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    location = models.CharField(max_length=200, blank=True)
    online_link = models.URLField(blank=True)
    capacity = models.PositiveSmallIntegerField(default=12)
    facilitators = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="facilitated_sessions")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SCHEDULED)
    cancel_reason = models.CharField(max_length=200, blank=True)
    is_public = models.BooleanField(
        _("Show on the public program page"),
        default=False,
        help_text=_(
            "The title, kind, date, time and place appear on the program's public page (never who comes or leads it)."
        ),
    )
    # Bumped by every registration change: the write that serialises
    # concurrent registrations for the last seat (see services.register).
    seats_version = models.PositiveIntegerField(default=0)
    # Calendar feed: see Session.sequence.
    sequence = models.PositiveIntegerField(default=0)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["program", "starts_at"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="group_ends_after_start")
        ]

    def __str__(self):
        return f"{self.title} on {self.starts_at:%Y-%m-%d}"

    def join_open(self, now=None):
        """As Session.join_open, for a group's online link: from 10 minutes
        before the start until the end of a scheduled date."""
        now = now or timezone.now()
        return (
            bool(self.online_link)
            and self.status == self.Status.SCHEDULED
            and self.starts_at - JOIN_OPENS_BEFORE <= now < self.ends_at
        )


class Registration(models.Model):
    class Status(models.TextChoices):
        REGISTERED = "registered", _("Registered")
        WAITLISTED = "waitlisted", _("On the waiting list")
        CANCELLED = "cancelled", _("Cancelled")

    class Attendance(models.TextChoices):
        ATTENDED = "attended", pgettext_lazy("attendance", "Attended")
        NO_SHOW = "no_show", pgettext_lazy("attendance", "No-show")
        EXCUSED = "excused", pgettext_lazy("attendance", "Excused")

    group_session = models.ForeignKey(GroupSession, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="registrations")
    status = models.CharField(max_length=16, choices=Status.choices)
    created_at = models.DateTimeField(default=timezone.now)
    attendance = models.CharField(max_length=16, choices=Attendance.choices, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["group_session", "user"], name="one_registration_per_person")]
        indexes = [models.Index(fields=["group_session", "status", "created_at"])]

    def __str__(self):
        return f"{self.user} · {self.group_session}"


def new_feed_token():
    return secrets.token_urlsafe(24)


class CalendarFeed(models.Model):
    """A person's secret calendar address (/calendar/<token>.ics). Revoking
    gives a new token, so the old address stops working."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed")
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"Calendar of {self.user}"
