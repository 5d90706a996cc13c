"""Private messages: a conversation per match, between a program's
coordinators and one person, and a group's announcements.

Who may read and write which conversation is the access policy's
(``mentoring.access.visible_conversations`` / ``can_write_conversation``);
writes are ``conversations.services``. Bodies are plain text (rendered
escaped, ``dir="auto"``), at most ``Message.MAX_LENGTH`` characters."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Conversation(models.Model):
    """One thread. ``kind`` says which of the three links is set:

    - ``match``: the mentor and the mentee of ``match`` (coordinators never
      read it; they see a flagged message only through its safety alert);
    - ``direct``: ``person`` and every coordinator of ``program``;
    - ``group``: the facilitators and coordinators of ``group`` post, its
      registered people read (announcements).

    ``program`` is set for every kind (the program's message retention,
    its risk phrases). ``paused_at``: a coordinator paused it; nobody can
    post until it is resumed (reading still works)."""

    class Kind(models.TextChoices):
        MATCH = "match", _("Mentor and mentee")
        DIRECT = "direct", _("With the program team")
        GROUP = "group", _("Group announcements")

    kind = models.CharField(max_length=8, choices=Kind.choices)
    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="conversations")
    match = models.OneToOneField(
        "mentoring.Match", on_delete=models.CASCADE, null=True, blank=True, related_name="conversation"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="team_conversations"
    )
    group = models.OneToOneField(
        "peer_sessions.GroupSession", on_delete=models.CASCADE, null=True, blank=True, related_name="conversation"
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_message_at = models.DateTimeField(null=True, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    paused_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = [models.F("last_message_at").desc(nulls_last=True), "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "person"], condition=models.Q(kind="direct"), name="one_team_conversation_per_person"
            ),
            models.CheckConstraint(
                name="conversation_kind_links",
                condition=(
                    models.Q(kind="match", match__isnull=False, person__isnull=True, group__isnull=True)
                    | models.Q(kind="direct", match__isnull=True, person__isnull=False, group__isnull=True)
                    | models.Q(kind="group", match__isnull=True, person__isnull=True, group__isnull=False)
                ),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def is_paused(self):
        return self.paused_at is not None


class Message(models.Model):
    """One message. ``flagged``: it matched one of the program's risk
    phrases; ``alert`` is the safety alert it raised or joined (the only way
    a coordinator sees a message of a match conversation). ``checkin``: a
    mentee's reply to their mentor's comment on that check-in. ``reported_at``
    / ``reported_by``: someone in the conversation reported it to the
    coordinators."""

    MAX_LENGTH = 4000

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    body = models.TextField(max_length=MAX_LENGTH)
    created_at = models.DateTimeField(default=timezone.now)
    checkin = models.ForeignKey(
        "goals.CheckIn", on_delete=models.SET_NULL, null=True, blank=True, related_name="replies"
    )
    flagged = models.BooleanField(default=False)
    alert = models.ForeignKey(
        "goals.SafetyAlert", on_delete=models.SET_NULL, null=True, blank=True, related_name="flagged_messages"
    )
    reported_at = models.DateTimeField(null=True, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["conversation", "created_at"], name="message_conversation_at"),
            models.Index(fields=["created_at"], name="message_created_at"),
        ]

    def __str__(self):
        return f"Message #{self.pk} in conversation {self.conversation_id}"


class ReadMarker(models.Model):
    """How far ``user`` has read ``conversation`` (UTC): messages from others
    after ``last_read_at`` are unread. ``notified_at``: when the person was
    last told of a new message here; nobody is told again until they have
    read since (at most one "new message" notification per unread spell)."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="markers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="read_markers")
    last_read_at = models.DateTimeField(null=True, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["conversation", "user"], name="one_read_marker_per_person")]

    def __str__(self):
        return f"{self.user_id} read {self.conversation_id} to {self.last_read_at}"


class RiskPhrase(models.Model):
    """A word or phrase that suggests risk, per program (conversations.defaults
    seeds a starter list in English and Spanish; coordinators edit it).
    Matched case- and accent-insensitively on whole words (conversations.flagging)."""

    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="risk_phrases")
    phrase = models.CharField(max_length=100)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["phrase"]
        constraints = [models.UniqueConstraint(fields=["program", "phrase"], name="one_risk_phrase_per_program")]

    def __str__(self):
        return self.phrase
