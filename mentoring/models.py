import hashlib
import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from .choices import AgeRange, ContactChannel, Gender
from .stored_text import is_erased_name, shown


def time_zone_choices():
    zones = sorted(z for z in zoneinfo.available_timezones() if "/" in z and not z.startswith("Etc/"))
    return [("UTC", "UTC")] + [(z, z.replace("_", " ")) for z in zones]


def canonical_email(value):
    """The one spelling of an email address that accounts are stored and
    throttled under: surrounding spaces removed, all lower-case
    (``" Mentor@Example.ORG "`` -> ``"mentor@example.org"``). Used by the user
    model, the sign-in form and the sign-in throttle
    (``mentoring.throttling.sign_in_username``), so that no spelling of an
    address is a different account to any of them. None becomes ``""``."""
    return (value or "").strip().lower()


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=canonical_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, email):
        # Emails are stored lower-case; signing in must not depend on case or
        # on spaces around the address.
        return self.get(email__iexact=canonical_email(email))


def zone_named(name):
    """ZoneInfo for a person's zone name; settings.DEFAULT_USER_TIME_ZONE (then UTC)
    when the name is empty or unknown. The one fallback rule behind ``User.zone``."""
    for candidate in (name, settings.DEFAULT_USER_TIME_ZONE):
        try:
            if candidate:
                return zoneinfo.ZoneInfo(candidate)
        except (ValueError, KeyError):
            continue
    return zoneinfo.ZoneInfo("UTC")


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Roles come from what they hold: coordinator of a program,
    a mentor profile, a mentee profile; one person may hold several."""

    email = models.EmailField("email address", unique=True)
    full_name = models.CharField(max_length=150)
    preferred_name = models.CharField(
        _("preferred name"),
        max_length=60,
        blank=True,
        help_text=_("What people in the app call you. Leave empty to use your first name."),
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default=settings.DEFAULT_USER_TIME_ZONE,
        choices=time_zone_choices,
        help_text=_("Dates and times are shown in this zone."),
        db_index=True,  # the reminders at a local hour start from the people of the zones where it is that hour
    )
    # The language pages, emails and texts use (settings.LANGUAGES); blank: follow the browser
    # (pages) or settings.LANGUAGE_CODE (messages). mentoring.middleware.UserLanguageMiddleware.
    language = models.CharField(
        _("language"),
        max_length=8,
        blank=True,
        choices=settings.LANGUAGES,
        help_text=_("Pages, emails and text messages use this language. Leave empty to follow your browser."),
    )
    # E.164 ("+12015550123"), parsed by mentoring.phones; "" when none.
    phone = models.CharField(max_length=32, blank=True, db_index=True)
    phone_unparsed = models.CharField(
        "Phone as it was on file",
        max_length=64,
        blank=True,
        help_text="An old value that was not a valid number, kept aside when numbers were first checked.",
    )
    preferred_contact = models.CharField(
        max_length=8, choices=ContactChannel.choices, default=ContactChannel.EMAIL, verbose_name=_("Preferred contact")
    )
    ok_to_text = models.BooleanField(_("OK to send text messages"), default=False)
    ok_to_call = models.BooleanField(_("OK to call"), default=False)
    # Texts start only after the person answers YES to the confirmation text
    # (kind text_consent_confirm); STOP (a reply or the "Stop texts" button)
    # stops every text until START or a new okay-to-text confirmed again.
    text_confirmed_at = models.DateTimeField("Texts confirmed at", null=True, blank=True)
    texts_stopped_at = models.DateTimeField("Texts stopped at", null=True, blank=True)
    mentor_sees_contact = models.BooleanField(
        _("My mentor may see my phone number and email"),
        default=True,
        help_text=_("Your current mentor sees how you like to be contacted and your number. Coordinators always do."),
    )
    quiet_from = models.TimeField(
        _("Quiet hours from"), null=True, blank=True, help_text=_("No reminders between these times (your time zone).")
    )
    quiet_until = models.TimeField(_("Quiet hours until"), null=True, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="May sign in to the Django admin.")
    date_joined = models.DateTimeField(default=timezone.now)
    setup_checklist_dismissed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the person hid the first-steps checklist of the coordinator home."
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name", "email"]

    def __str__(self):
        # A name Waypoint wrote (erasure's "Erased person #12") in the reader's language.
        return shown(self.full_name) or self.email

    @property
    def zone(self):
        """The person's time zone as a ZoneInfo: ``time_zone``, or
        settings.DEFAULT_USER_TIME_ZONE when that name is empty or unknown
        (an old row, a zone dropped from tzdata). Never raises."""
        return zone_named(self.time_zone)

    @property
    def texts_confirmed(self):
        """A number, okay-to-text, confirmed with YES and not stopped: the
        person may get texts (other than the confirmation text itself)."""
        return bool(self.phone and self.ok_to_text and self.text_confirmed_at and not self.texts_stopped_at)

    def get_full_name(self):
        return shown(self.full_name)

    def get_short_name(self):
        if self.preferred_name:
            return self.preferred_name
        if is_erased_name(self.full_name):
            return shown(self.full_name)
        return self.full_name.split(" ")[0] if self.full_name else self.email

    def clean(self):
        super().clean()
        self.email = canonical_email(self.email)


class ProgramMembership(models.Model):
    """Shared shape of a person's place in one program in one role."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE)
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True

    def __str__(self):
        return gettext("%(person)s in %(program)s") % {"person": self.user, "program": self.program}


class MatchingProfile(ProgramMembership):
    """What matching reads about a mentor or a mentee."""

    experience_areas = models.ManyToManyField(
        "programs.ExperienceArea", blank=True, related_name="%(class)ss", verbose_name="Lived experience"
    )
    pathways = models.JSONField(default=list, blank=True, help_text="Recovery pathways")
    languages = models.JSONField(default=list, blank=True)
    gender = models.CharField(max_length=16, choices=Gender.choices, blank=True)
    age_range = models.CharField(max_length=8, choices=AgeRange.choices, blank=True)
    availability = models.JSONField(default=list, blank=True, help_text="Weekday and part of day, e.g. mon_evening")
    meeting_modes = models.JSONField(default=list, blank=True)
    city = models.CharField(max_length=80, blank=True)
    postal_code = models.CharField(max_length=12, blank=True)
    interests = models.JSONField(default=list, blank=True)
    excluded_pathways = models.JSONField(default=list, blank=True, help_text="Pathways the person does not want")
    excluded_people = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="excluded_by_%(class)ss",
        help_text="People this person must not be matched with.",
    )
    exclusion_notes = models.TextField(blank=True, help_text="Anything else the person does not want.")

    class Meta:
        abstract = True


class MentorProfile(MatchingProfile):
    capacity = models.PositiveSmallIntegerField(default=3, help_text="How many mentees at once.")
    # Private: the mentor and the program's coordinators only (access.can_see_private_mentor_fields).
    recovery_months = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        verbose_name="Time in recovery (months)",
        help_text="Optional. Only you and the program's coordinators see this.",
    )
    topics = models.JSONField(default=list, blank=True, help_text="Topics the mentor can help with")
    bio = models.TextField(blank=True, help_text="A few lines a mentee will read about you.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "program"], name="unique_mentor_per_program")]
        default_related_name = "mentor_profiles"


class MenteeProfileQuerySet(models.QuerySet):
    def taking_part(self):
        """Mentees who are in the program now: not exited (graduated, moved,
        withdrew, lost contact), account active, program not archived, and
        their "Taking part in peer mentoring" consent not withdrawn (a
        withdrawn one with no newer active one). The one rule for the
        waiting list, "Match everyone", suggestions and check-in reminders."""
        from programs.models import ConsentRecord  # programs imports this module

        participation = ConsentRecord.objects.filter(
            program=models.OuterRef("program"), person=models.OuterRef("user"), kind=ConsentRecord.Kind.PARTICIPATION
        )
        return (
            self.filter(exited_on__isnull=True, user__is_active=True)
            .exclude(program__status="archived")
            .exclude(
                models.Exists(participation.filter(revoked_at__isnull=False))
                & ~models.Exists(participation.filter(revoked_at__isnull=True))
            )
        )


class MenteeExitReason(models.TextChoices):
    GRADUATED = "graduated", _("Graduated")
    MOVED = "moved", _("Moved away")
    WITHDREW = "withdrew", _("Withdrew")
    LOST_CONTACT = "lost_contact", _("Lost contact")
    OTHER = "other", _("Other")


class MenteeProfile(MatchingProfile):
    ExitReason = MenteeExitReason

    preferred_mentor_gender = models.CharField(
        max_length=16,
        choices=Gender.choices,
        blank=True,
        help_text="Leave empty if it does not matter. When given, it is always respected.",
    )
    topics = models.JSONField(default=list, blank=True, help_text="Topics the mentee wants help with")
    intake_date = models.DateField(null=True, blank=True)
    emergency_contact_name = models.CharField(max_length=120, blank=True)
    emergency_contact_phone = models.CharField(max_length=32, blank=True, help_text="E.164 (mentoring.phones).")
    emergency_contact_phone_unparsed = models.CharField(
        max_length=64, blank=True, help_text="An old value that was not a valid number, kept aside."
    )
    emergency_contact_relationship = models.CharField(max_length=60, blank=True)
    # Leaving the program (mentoring/endings.py mentee_exit); cleared on re-entry.
    exit_reason = models.CharField(max_length=16, choices=MenteeExitReason.choices, blank=True)
    exited_on = models.DateField(null=True, blank=True, help_text="The day the mentee left the program.")

    objects = MenteeProfileQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "program"], name="unique_mentee_per_program")]
        indexes = [
            # A mentee's program read from the index alone (PostgreSQL; SQLite has no INCLUDE and
            # skips it): the live open-alert counts look up each open alert's mentee (1,210 at
            # 100,000 mentees) without reading the wide profile rows (issue 18).
            models.Index(fields=["id"], include=["program"], name="mentee_profile_program"),
        ]
        default_related_name = "mentee_profiles"


class VolunteerProfile(ProgramMembership):
    """Helps facilitate groups, workshops and events."""

    availability = models.JSONField(default=list, blank=True)
    languages = models.JSONField(default=list, blank=True)
    skills = models.TextField(blank=True, help_text="What the volunteer would like to help with.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "program"], name="unique_volunteer_per_program")]
        default_related_name = "volunteer_profiles"


class MatchStatus(models.TextChoices):
    PROPOSED = "proposed", pgettext_lazy("match status", "Proposed")
    ACTIVE = "active", pgettext_lazy("match status", "Active")
    PAUSED = "paused", pgettext_lazy("match status", "Paused")
    CLOSED = "closed", pgettext_lazy("match status", "Closed")
    DECLINED = "declined", pgettext_lazy("match status", "Declined")


class MatchQuerySet(models.QuerySet):
    """Matches by where they are in their life: the one place that says which
    statuses are "current", "open", "started" and "listed" (``Match.objects``
    and every related manager, e.g. ``mentee.matches.open()``). Filters across
    a relation (``Q(matches__status__in=Match.OPEN)``) use the same tuples,
    which ``Match`` repeats as class attributes."""

    # The pair works together now: the mentor sees the mentee's records.
    CURRENT = (MatchStatus.ACTIVE, MatchStatus.PAUSED)
    # Holds the mentee (one open match at a time) and a place in the mentor's caseload.
    OPEN = (MatchStatus.PROPOSED, *CURRENT)
    # Has begun (sessions may be logged); closed implies started, a proposal never did.
    STARTED = (*CURRENT, MatchStatus.CLOSED)
    # On the two people's own lists: everything but a declined proposal.
    LISTED = (MatchStatus.PROPOSED, *STARTED)

    def current(self):
        """Active or paused."""
        return self.filter(status__in=self.CURRENT)

    def open(self):
        """Proposed, active or paused."""
        return self.filter(status__in=self.OPEN)

    def started(self):
        """Active, paused or closed."""
        return self.filter(status__in=self.STARTED)

    def listed(self):
        """Proposed, active, paused or closed: not declined."""
        return self.filter(status__in=self.LISTED)


class Match(models.Model):
    """A mentor paired with a mentee in one program.

    proposed → active (both accept, or the program skips acceptance) →
    paused ⇄ active → closed with a reason; closed → active when reopened.
    A proposal either side declines ends as declined. What each side may see
    at each stage is the access policy's (mentoring/access.py)."""

    Status = MatchStatus

    class Response(models.TextChoices):
        PENDING = "pending", _("Not answered yet")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    class CloseReason(models.TextChoices):
        GRADUATED = "graduated", _("Goals met / graduated")
        DISENGAGED = "disengaged", _("Mentee disengaged")
        MENTOR_UNAVAILABLE = "mentor_unavailable", _("Mentor unavailable")
        CONFLICT = "conflict", _("Conflict or boundary concern")
        MOVED = "moved", _("Moved away")
        OTHER = "other", _("Other")

    # The status groups (their meaning is in MatchQuerySet).
    CURRENT = MatchQuerySet.CURRENT
    OPEN = MatchQuerySet.OPEN
    STARTED = MatchQuerySet.STARTED
    LISTED = MatchQuerySet.LISTED

    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="matches")
    mentor = models.ForeignKey(MentorProfile, on_delete=models.PROTECT, related_name="matches")
    mentee = models.ForeignKey(MenteeProfile, on_delete=models.PROTECT, related_name="matches")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PROPOSED)
    score = models.FloatField(null=True, blank=True, help_text="Matching score when proposed (0–100).")
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    mentor_response = models.CharField(max_length=16, choices=Response.choices, default=Response.PENDING)
    mentee_response = models.CharField(max_length=16, choices=Response.choices, default=Response.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    status_changed_at = models.DateTimeField(default=timezone.now)
    # Set when the pair's first session is logged (sessions issue).
    first_met_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    close_reason = models.CharField(max_length=24, choices=CloseReason.choices, blank=True)
    close_note = models.TextField(blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = MatchQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "matches"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["program", "status"])]
        constraints = [
            # A mentee is in at most one open match at a time.
            models.UniqueConstraint(
                fields=["mentee"],
                condition=models.Q(status__in=list(MatchQuerySet.OPEN)),
                name="one_open_match_per_mentee",
            )
        ]

    def __str__(self):
        return gettext("%(mentor)s with %(mentee)s") % {"mentor": self.mentor.user, "mentee": self.mentee.user}

    @property
    def is_open(self):
        return self.status in self.OPEN

    @property
    def is_current(self):
        return self.status in self.CURRENT

    @property
    def has_started(self):
        return self.status in self.STARTED

    def side_of(self, user):
        """ "mentor", "mentee" or None for ``user``."""
        if self.mentor.user_id == user.pk:
            return "mentor"
        if self.mentee.user_id == user.pk:
            return "mentee"
        return None


class MatchSurvey(models.Model):
    """The short closing survey each side answers once a match ends."""

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="surveys")
    side = models.CharField(max_length=8, choices=[("mentor", _("Mentor")), ("mentee", _("Mentee"))])
    respondent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True)
    rating = models.PositiveSmallIntegerField(
        choices=[(n, str(n)) for n in range(1, 6)], help_text=_("1 = not helpful, 5 = very helpful")
    )
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["match", "side"], name="one_survey_per_side")]

    def __str__(self):
        return f"{self.get_side_display()} survey for {self.match}"


def hash_token(raw_token):
    return hashlib.sha256(raw_token.encode()).hexdigest()


class Invitation(models.Model):
    """A one-time, expiring link, emailed to one address, that lets that
    person join a program in a role. Only the token's hash is stored, and the
    link only ever goes to the mailbox (never to the inviter's screen).

    Who may do what with the link is decided in ``mentoring.services``
    (``invitation_may_set_password``): it may create an account or choose the
    first password only of the account it set up itself (``new_account``);
    for any other existing account the person signs in and accepts."""

    class Role(models.TextChoices):
        MENTEE = "mentee", _("Mentee")
        MENTOR = "mentor", _("Mentor")
        VOLUNTEER = "volunteer", _("Volunteer")
        COORDINATOR = "coordinator", _("Coordinator")

    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    full_name = models.CharField(max_length=150)
    role = models.CharField(max_length=16, choices=Role.choices)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="invitations_sent"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    # The account this invitation's flow created (an accepted application of
    # a newcomer), still without a password: only this invitation, or one sent
    # again in its place, may choose that account's first password.
    new_account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # An accepted application for someone who already had an account: its
    # profile, answers and consents are attached only when they accept.
    application = models.ForeignKey(
        "programs.Application", on_delete=models.SET_NULL, null=True, blank=True, related_name="invitations"
    )
    # The language of the email (settings.LANGUAGES) when the address has no
    # account that chose one; a new account accepting it starts in it
    # (``User.language``). Chosen by the coordinator on the form; an
    # accepted application's invitation takes the application's language.
    language = models.CharField(
        _("language of the email"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["program", "-created_at"])]

    def __str__(self):
        return f"{self.get_role_display()} invitation to {self.program}"

    @property
    def state(self):
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"

    STATE_LABELS = {
        "accepted": pgettext_lazy("invitation state", "Accepted"),
        "revoked": pgettext_lazy("invitation state", "Revoked"),
        "expired": pgettext_lazy("invitation state", "Expired"),
        "pending": pgettext_lazy("invitation state", "Pending"),
    }

    @property
    def state_label(self):
        """``state`` in words, in the active language ("Pending")."""
        return self.STATE_LABELS[self.state]

    @property
    def is_usable(self):
        return self.state == "pending"

    @property
    def masked_email(self):
        """The address as inviters see it once sent: "d…@example.org"."""
        local, _, domain = self.email.partition("@")
        return f"{local[:1]}…@{domain}"


class WorkerHeartbeat(models.Model):
    """Written by the heartbeat task so that /healthz/ can say when the
    worker and beat last did real work. A single row (pk=1)."""

    last_seen = models.DateTimeField()
    beats = models.PositiveBigIntegerField(default=0)

    def __str__(self):
        return f"Heartbeat at {self.last_seen:%Y-%m-%d %H:%M:%S}"


class FiguresSnapshot(models.Model):
    """One program's key figures for the coordinator home, as computed in one
    time zone (months and weeks are the viewer's), refreshed every minute by
    beat (``mentoring.insights.snapshots.snapshots_refresh``) and on demand when missing
    or older than FIGURES_MAX_AGE_SECONDS. Written by mentoring.insights.snapshots only.

    ``figures``: the fields of mentoring.insights.dashboard.Figures (``waiting_since``
    as ISO 8601 UTC or null). ``months``: the last six months of meetings, one
    [first day ISO, held, minutes, missed, cancelled, mentors, mentees] each."""

    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="+")
    zone = models.CharField(max_length=64)
    computed_at = models.DateTimeField()
    figures = models.JSONField()
    months = models.JSONField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["program", "zone"], name="figures_snapshot_one_per_zone")]

    def __str__(self):
        return f"Figures of program {self.program_id} ({self.zone}) at {self.computed_at:%Y-%m-%d %H:%M:%S}"


class InsightsLease(models.Model):
    """A named lease on a piece of background work of mentoring.insights
    (mentoring.insights.leases): ``"figures-pass"`` is held while one beat
    pass of the stored figures runs, so a pass that runs long is never started
    twice. ``held_until`` (aware, UTC): the lease is free from then on (a pass
    that died frees it when it runs out)."""

    name = models.CharField(max_length=40, primary_key=True)
    held_until = models.DateTimeField()

    def __str__(self):
        return f"{self.name} held until {self.held_until:%Y-%m-%d %H:%M:%S}"


class AttentionSnapshot(models.Model):
    """When the stored needs-attention signals of a program were last computed
    (one row per program; its AttentionSignal rows go with it)."""

    program = models.OneToOneField("programs.Program", on_delete=models.CASCADE, related_name="+")
    computed_at = models.DateTimeField()
    # How many AttentionSignal rows were stored with it (the home's count reads this, not the rows).
    signals_count = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"Attention of program {self.program_id} at {self.computed_at:%Y-%m-%d %H:%M:%S}"


class AttentionSignal(models.Model):
    """One stored row of mentoring.insights.attention (every kind except open safety
    alerts, which are always read live). Columns as attention.COLUMNS."""

    snapshot = models.ForeignKey(AttentionSnapshot, on_delete=models.CASCADE, related_name="signals")
    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="+")
    rank = models.PositiveSmallIntegerField()
    since = models.DateTimeField(null=True)
    kind = models.CharField(max_length=32)
    mentee = models.ForeignKey(MenteeProfile, on_delete=models.CASCADE, related_name="+")
    match_id = models.BigIntegerField(null=True)
    ref_id = models.BigIntegerField(null=True)
    amount = models.FloatField(null=True)

    class Meta:
        indexes = [
            models.Index(fields=["program", "rank", "since"], name="attention_signal_order"),
            # The coordinator home's first rows over all of a coordinator's programs, in order.
            models.Index(fields=["rank", "since"], name="attention_signal_rank"),
        ]

    def __str__(self):
        return f"{self.kind} about mentee {self.mentee_id}"


class PoolSolve(models.Model):
    """One whole-pool matching solve of a program's pool, kept in the database
    until the pool changes (``mentoring.matching.solutions``).

    ``fingerprint``: the hex SHA-256 of the pool as matching sees it
    (``pool_fingerprint``); a page shows a solve only when its fingerprint is
    the pool's now. ``progress``: 0–100, updated at the solve's stages by the
    Celery task ``mentoring.tasks.pool_solve``. ``pairs``: [[mentee profile id,
    mentor profile id, score 0–100], ...], best score first; ``unassigned``:
    [[mentee profile id, reason], ...] in the pool's order; ``objective``: the
    total score. Ids, scores and reasons only, never names. Times are UTC."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Working")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="+")
    fingerprint = models.CharField(max_length=64)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    requested_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    mentors = models.PositiveIntegerField(default=0)
    mentees = models.PositiveIntegerField(default=0)
    pairs = models.JSONField(default=list, blank=True)
    unassigned = models.JSONField(default=list, blank=True)
    objective = models.FloatField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["program", "fingerprint"], name="pool_solve_one_per_pool"),
        ]

    def __str__(self):
        return f"Pool solve of program {self.program_id} ({self.status}, {self.progress}%)"


class RollupZone(models.Model):
    """A time zone whose report rollups are built (mentoring.insights.rollups):
    the reports read the rollups of a viewer in this zone, and compute live for
    a zone without a row. Written by rollups_rebuild and the beat task."""

    zone = models.CharField(max_length=64, unique=True)
    built_at = models.DateTimeField()

    def __str__(self):
        return f"Rollups in {self.zone} built at {self.built_at:%Y-%m-%d %H:%M:%S}"


class CheckinWeek(models.Model):
    """The check-in report's rollup: the match's mentee checked in at least once
    during this week (Monday, in ``zone``) while the match ran (started_at <=
    check-in <= ended_at, or not ended). One row per (zone, match, week),
    whatever the number of check-ins. Written by checkin_submit, match_reopen
    and rollups_rebuild (mentoring.insights.rollups) only."""

    zone = models.CharField(max_length=64)
    week = models.DateField()
    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="+")
    mentee = models.ForeignKey(MenteeProfile, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["zone", "match", "week"], name="checkin_week_once")]
        # The report counts distinct mentees per week of the matches it is about, index-only.
        indexes = [models.Index(fields=["zone", "week", "match", "mentee"], name="checkin_week_report")]

    def __str__(self):
        return f"Check-in week {self.week} of match {self.match_id} ({self.zone})"


class ReportMonth(models.Model):
    """One month (in ``zone``) of one program, as the reports count
    it without a mentor filter (mentoring.insights.rollups): one-on-one
    meetings by month of their start (held, minutes held, missed, cancelled,
    distinct mentors and mentees meeting) and check-ins by month of their
    time (count, sum of moods), up to ``until``. Recomputed by rollups_rebuild,
    beat (the current and the last month, every minute) and the services that
    log, record or cancel a meeting of a past month."""

    zone = models.CharField(max_length=64)
    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="+")
    month = models.DateField()  # the first day
    held = models.PositiveIntegerField(default=0)
    minutes = models.PositiveIntegerField(default=0)
    missed = models.PositiveIntegerField(default=0)
    cancelled = models.PositiveIntegerField(default=0)
    mentors = models.PositiveIntegerField(default=0)
    mentees = models.PositiveIntegerField(default=0)
    checkins = models.PositiveIntegerField(default=0)
    mood_sum = models.PositiveIntegerField(default=0)
    # The last day counted: the month's last day, or (the current month) the day it was computed.
    until = models.DateField()
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["zone", "program", "month"], name="report_month_once"),
        ]

    def __str__(self):
        return f"Report month {self.month:%Y-%m} of program {self.program_id} ({self.zone})"


class ReportWeek(models.Model):
    """One week (Monday, in ``zone``) of one program for the check-in report:
    how many mentees checked in while one of their started matches that is
    not paused now ran (``mentees``, from CheckinWeek), and how many such
    matches ran that week (``due``: the weekly check-ins due). Computed by
    rollups_rebuild, beat (the current and the last week, every minute) and
    when a match is paused, resumed, closed while paused or reopened
    (mentoring.insights.rollups)."""

    zone = models.CharField(max_length=64)
    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="+")
    week = models.DateField()
    mentees = models.PositiveIntegerField(default=0)
    due = models.PositiveIntegerField(default=0)  # matches due a check-in that week (rollups.checkins_due)
    until = models.DateField()  # the last day counted (the Sunday, or the day it was computed)
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["zone", "program", "week"], name="report_week_once")]

    def __str__(self):
        return f"Report week {self.week} of program {self.program_id} ({self.zone})"


class ReportSnapshot(models.Model):
    """A report's table for one coordinator's default view (all their programs,
    the default range, no mentor filter) in one zone, computed by beat every
    minute (mentoring.insights.snapshots.report_tables_refresh) for the reports
    that do not read rollups. ``programs``: the sorted ids, comma-separated.
    ``table``: {"columns", "rows", "chart", "chart_rows", "notes"}."""

    report = models.CharField(max_length=32)
    zone = models.CharField(max_length=64)
    programs = models.CharField(max_length=255)
    start = models.DateField()
    end = models.DateField()
    computed_at = models.DateTimeField()
    table = models.JSONField(encoder=DjangoJSONEncoder)  # labels may be lazy translations

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["report", "zone", "programs", "start", "end"], name="report_snapshot_once")
        ]

    def __str__(self):
        return f"{self.report} of programs {self.programs} ({self.zone}) at {self.computed_at:%Y-%m-%d %H:%M:%S}"


class ReminderKind(models.TextChoices):
    CHECKIN_DUE = "checkin_due", _("Check-in due")
    CHECKIN_OVERDUE = "checkin_overdue", _("Check-in overdue")
    SESSION_UPCOMING = "session_upcoming", _("Meeting coming up")
    SESSION_NOT_LOGGED = "session_not_logged", _("Meeting not logged")
    MATCH_INACTIVE = "match_inactive", _("Match gone quiet")
    PROPOSAL_UNANSWERED = "proposal_unanswered", _("Match proposal waiting")
    FIRST_CONTACT = "first_contact", _("First meeting not yet held")
    REFERRAL_FOLLOWUP = "referral_followup", _("Referral follow-up")
    READINESS_EXPIRING = "readiness_expiring", _("Background check expiring")
    SAFETY_ALERT = "safety_alert", _("Safety alert")
    WEEKLY_DIGEST = "weekly_digest", _("Weekly summary")
    # Sent when something happens (notify() from a service), not found by dispatch.
    MATCH_PROPOSED = "match_proposed", _("Match proposed")
    MATCH_ACCEPTED = "match_accepted", _("Match answered or started")
    MATCH_PAUSED = "match_paused", _("Match paused or resumed")
    MATCH_CLOSED = "match_closed", _("Match closed")
    SESSION_SCHEDULED = "session_scheduled", _("Meeting scheduled")
    SESSION_MOVED = "session_moved", _("Meeting moved")
    SESSION_CANCELLED = "session_cancelled", _("Meeting cancelled")
    SESSION_TIME_PROPOSED = "session_time_proposed", _("New time proposed for a meeting")
    SESSION_TIME_DECLINED = "session_time_declined", _("Proposed meeting time declined")
    GROUP_PROMOTED = "group_promoted", _("Place in a group from the waiting list")
    STORY_REVIEW = "story_review", _("Your story is ready for you to read")
    INVITATION = "invitation", _("Invitation")
    TEXT_CONSENT_CONFIRM = "text_consent_confirm", _("Confirm text messages")
    MESSAGE_NEW = "message_new", _("New message")
    MESSAGE_REPORTED = "message_reported", _("Message reported to the program team")


class Channel(models.TextChoices):
    IN_APP = "in_app", _("In the app")
    EMAIL = "email", _("Email")
    SMS = "sms", _("Text message")


class Delivery(models.Model):
    """The outbox: one row per reminder, recipient and channel. The database
    is the source of truth; Celery only carries ids. The unique key makes
    creating a row idempotent, the status and lease make sending at-least-once
    without doubles (a send re-checks its claim before it goes out)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed, will retry")
        DEAD = "dead", _("Gave up")
        SKIPPED = "skipped", _("Skipped")

    kind = models.CharField(max_length=24, choices=ReminderKind.choices)
    subject = models.CharField(max_length=64, help_text='What it is about, e.g. "goal:12".')
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="deliveries", null=True, blank=True
    )
    address = models.EmailField(
        blank=True, help_text="For someone without an account yet (an invitation): the email address."
    )
    channel = models.CharField(max_length=8, choices=Channel.choices)
    due_at = models.DateTimeField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.UUIDField(
        null=True, blank=True, help_text="The owner of the current claim; a task holding another token does nothing."
    )
    attempt_started_at = models.DateTimeField(
        null=True, blank=True, help_text="Committed just before the provider is called; cleared when the send ends."
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    url = models.CharField(
        max_length=300,
        blank=True,
        help_text="Where the details are, after sign-in. A secret link (an invitation) is blanked once sent.",
    )
    # Indexed by (program, status) below, not an index of its own.
    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, null=True, blank=True, db_index=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "subject", "recipient", "channel", "due_at"], name="delivery_idempotency_key"
            )
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["program", "status"]),
            # Partial: a new pending row (the 9 am dispatch writes 30,000 at
            # 100,000 mentees) has no claim and no lease, so it adds nothing here.
            models.Index(
                fields=["lease_expires_at"], condition=models.Q(status="sending"), name="delivery_sending_lease"
            ),
            models.Index(fields=["claim_token"], condition=models.Q(claim_token__isnull=False), name="delivery_claim"),
        ]

    def __str__(self):
        return f"{self.kind} → {self.recipient_id or 'address'} ({self.channel})"

    @property
    def message_id(self):
        """The same Message-ID on every attempt, so mail systems collapse a re-send."""
        from urllib.parse import urlsplit

        host = urlsplit(settings.SITE_URL).hostname or "waypoint.invalid"
        return f"<delivery-{self.pk}@{host}>"

    @property
    def idempotency_key(self):
        """Passed to a text-message provider that de-duplicates (the same on every attempt)."""
        return f"delivery-{self.pk}"


class DispatchState(models.Model):
    """A single row (pk=1): up to which moment dispatch has looked for due
    reminders, so each run only considers what became due since."""

    dispatched_until = models.DateTimeField()

    def __str__(self):
        return f"Dispatched until {self.dispatched_until:%Y-%m-%d %H:%M:%S}"


class Notification(models.Model):
    """The in-app notification centre."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    delivery = models.OneToOneField(Delivery, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    kind = models.CharField(max_length=24, choices=ReminderKind.choices)
    text = models.CharField(max_length=200)
    url = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self):
        return self.text

    @property
    def shown_text(self):
        """``text`` in the reader's (active) language. The outbox writes a
        notification's ``text`` as its kind's line (``notifications.kinds``,
        no parameters) in the recipient's language of the moment; when
        ``text`` is that line in one of settings.LANGUAGES it is rendered again
        from ``kind``, so a person who switches language sees their old
        notifications in the new one. Any other text is shown as stored."""
        from .notifications.kinds import KINDS

        kind = KINDS.get(self.kind)
        if kind is None:
            return self.text
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                if str(kind.line) == self.text:
                    break
        else:
            return self.text
        return str(kind.line)


class ChannelPreference(models.Model):
    """How a person wants one kind of reminder. Without a row: in the app and
    by email, plus text messages for safety alerts when they said okay-to-text."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="channel_preferences")
    kind = models.CharField(max_length=24, choices=ReminderKind.choices)
    in_app = models.BooleanField(default=True)
    email = models.BooleanField(default=True)
    sms = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="one_preference_per_kind")]

    def __str__(self):
        return f"{self.user_id}: {self.kind}"


class ReportExport(models.Model):
    """Who downloaded which report, when, with which filters (ids and dates only)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    report = models.CharField(max_length=32)
    program = models.ForeignKey(
        "programs.Program", on_delete=models.CASCADE, null=True, blank=True, help_text="Empty: all the user's programs."
    )
    mentor = models.ForeignKey(MentorProfile, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    start = models.DateField()
    end = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["program", "-created_at"])]

    def __str__(self):
        return f"{self.report} export by {self.user} at {self.created_at:%Y-%m-%d %H:%M}"


class AccessEvent(models.Model):
    """The read audit: one row each time someone other than the person was
    shown a sensitive page of that person's record, or downloaded an export.

    Written by ``mentoring.audit.audit_read`` only (one INSERT per page view).
    ``subject_ref`` and ``viewer_ref`` keep the ids after an account is
    deleted (the foreign keys become NULL, the trail stays). ``at`` is UTC;
    ``address`` is the client address (``mentoring.audit.client_address``)."""

    class What(models.TextChoices):
        PROFILE = "profile", _("Profile")
        INTAKE = "intake", _("Intake and consents")
        APPLICATION = "application", _("Application")
        GOALS = "goals", _("Goals")
        GOAL = "goal", _("A goal")
        CHECKINS = "checkins", _("Check-ins")
        PROGRESS = "progress", _("Progress, mood and recovery capital")
        SESSION_NOTES = "session_notes", _("Meeting notes")
        ALERT = "alert", _("Safety alert")
        EXPORT = "export", _("Download of personal data")
        REPORT_EXPORT = "report_export", _("Report download")
        RESOURCE_EXPORT = "resource_export", _("Resource list download")
        STORY = "story", _("A story before publication")
        MESSAGE = "message", _("A reported message")

    # Downloads leave the app: recorded even when a person downloads their own.
    EXPORTS = (What.EXPORT, What.REPORT_EXPORT, What.RESOURCE_EXPORT)

    viewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    viewer_ref = models.PositiveBigIntegerField(null=True, blank=True, help_text="The viewer's id, kept for the trail.")
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    subject_ref = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="The person's id, kept for the trail. Empty: an export about no one person."
    )
    program = models.ForeignKey("programs.Program", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    what = models.CharField(max_length=24, choices=What.choices)
    object_id = models.PositiveBigIntegerField(null=True, blank=True, help_text="The row shown, when there is one.")
    at = models.DateTimeField(default=timezone.now)
    address = models.GenericIPAddressField(null=True, blank=True, unpack_ipv4=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["subject", "-at"], name="accessevent_subject_at"),
            models.Index(fields=["program", "-at"], name="accessevent_program_at"),
            models.Index(fields=["at"], name="accessevent_at"),
        ]

    def __str__(self):
        return f"{self.what} of person {self.subject_ref} by {self.viewer_ref} at {self.at:%Y-%m-%d %H:%M}"


class Erasure(models.Model):
    """Accountability record of one erasure (mentoring.personal_data.person_erase):
    whom, by whom, when, in which programs — ids only, never a name. Kept for
    good: it is how the program shows it honoured the request."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    erased_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    erased_at = models.DateTimeField(default=timezone.now)
    program_ids = models.JSONField(default=list, help_text="The programs the person belonged to (ids).")
    counts = models.JSONField(default=dict, help_text="{table: rows changed}, for the record.")

    class Meta:
        ordering = ["-erased_at"]
        constraints = [models.UniqueConstraint(fields=["person"], name="one_erasure_per_person")]

    def __str__(self):
        return f"Erasure of person #{self.person_id} at {self.erased_at:%Y-%m-%d %H:%M}"
