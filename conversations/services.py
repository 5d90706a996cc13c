"""Writes for messages: sending (with risk-phrase flagging and the "new
message" notification), reading, pausing, reporting, retention and the
program's risk phrases. Callers load conversations through the access policy
(``mentoring.access.visible_conversations``); these functions check what the
policy says about writing (``conversation_write_refusal``) again, so a
service called from elsewhere cannot post where a person may not.

Errors are ``django.core.exceptions.ValidationError`` with a message for the
person (``{"body": ...}`` for the message text)."""

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from goals.models import SafetyAlert
from mentoring import access
from mentoring.models import MenteeProfile, ReminderKind
from mentoring.notifications.notify import notify

from .defaults import DEFAULT_RISK_PHRASES
from .flagging import matching_phrases, normalise
from .models import Conversation, Message, ReadMarker, RiskPhrase

# --- starting a conversation -----------------------------------------------------------------------


def conversation_for_match(*, match):
    """The match's conversation, made on first use (a POST: never during a GET)."""
    conversation, _created = Conversation.objects.get_or_create(
        match=match, defaults={"kind": Conversation.Kind.MATCH, "program_id": match.program_id}
    )
    return conversation


def conversation_for_person(*, program, person):
    """The conversation between ``person`` and ``program``'s coordinators, made on first use."""
    try:
        with transaction.atomic():
            conversation, _created = Conversation.objects.get_or_create(
                kind=Conversation.Kind.DIRECT, program=program, person=person
            )
    except IntegrityError:  # two first messages at once: the other request made it
        conversation = Conversation.objects.get(kind=Conversation.Kind.DIRECT, program=program, person=person)
    return conversation


def conversation_for_group(*, group):
    """A group's announcements, made on first use."""
    conversation, _created = Conversation.objects.get_or_create(
        group=group, defaults={"kind": Conversation.Kind.GROUP, "program_id": group.program_id}
    )
    return conversation


# --- sending -------------------------------------------------------------------------------------------


def clean_body(body):
    """The text as it will be stored (line endings unified, outer blank space
    removed). Raises ValidationError({"body": ...}) when it is empty, longer
    than Message.MAX_LENGTH characters or holds a NUL character."""
    text = (body or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        raise ValidationError({"body": _("Write a message first.")})
    if "\x00" in text:
        raise ValidationError({"body": _("The message holds a character that cannot be saved; please retype it.")})
    if len(text) > Message.MAX_LENGTH:
        raise ValidationError(
            {
                "body": _("Keep a message under %(max)s characters (this one has %(count)s).")
                % {
                    "max": number_format(Message.MAX_LENGTH, force_grouping=True),
                    "count": number_format(len(text), force_grouping=True),
                }
            }
        )
    return text


def recipients_of(conversation, sender):
    """Who is told of a new message from ``sender``: the other side of a
    match; the person, or all the program's coordinators when the person
    wrote; a group's registered people. Never the sender; inactive people are
    left out by notify()."""
    from sessions.models import Registration

    kind = conversation.kind
    if kind == Conversation.Kind.MATCH:
        match = conversation.match
        people = [match.mentor.user, match.mentee.user]
    elif kind == Conversation.Kind.DIRECT:
        if sender.pk == conversation.person_id:
            people = list(conversation.program.coordinators.all())
        else:
            people = [conversation.person]
    else:
        people = [
            r.user
            for r in Registration.objects.filter(
                group_session=conversation.group_id, status=Registration.Status.REGISTERED
            ).select_related("user")
        ]
    return [p for p in people if p.pk != sender.pk]


def _alert_mentee(conversation, sender):
    """The MenteeProfile whose safety alert a flagged message from ``sender``
    raises: the mentee of a match conversation, or a person writing to the
    program team who is a mentee there. None otherwise (a mentor, a
    coordinator: no alert, the sender still sees the crisis options)."""
    if conversation.kind == Conversation.Kind.MATCH:
        match = conversation.match
        return match.mentee if match.mentee.user_id == sender.pk else None
    if conversation.kind == Conversation.Kind.DIRECT and conversation.person_id == sender.pk:
        return MenteeProfile.objects.filter(user=sender, program=conversation.program_id).first()
    return None


def message_send(*, conversation, sender, body, checkin=None):
    """Post ``body`` from ``sender`` in ``conversation``, all or nothing (one transaction).

    - refused (ValidationError) when the text is not acceptable (clean_body)
      or the policy says the sender may not write here
      (access.conversation_write_refusal: paused, closed match, reader only);
    - ``checkin``: the mentee's check-in this answers (a reply to their
      mentor's comment), which must be the sender's own;
    - flagged when it holds one of the program's risk phrases
      (conversations.flagging); a flagged message from a mentee raises (or
      joins) their safety alert as a help-now request from a message
      (goals.services.safety_alert_raise: the mentor and whoever is on call,
      escalating), linked by ``Message.alert``;
    - the other participants are told through the outbox (kind
      ``message_new``), at most once per conversation until they have read it;
    - the sender's read marker moves to the message (writing is reading).

    Returns the Message (``message.flagged`` tells the view to show the crisis options)."""
    from goals.services import safety_alert_raise

    text = clean_body(body)
    refusal = access.conversation_write_refusal(sender, conversation)
    if refusal:
        raise ValidationError(refusal)
    if checkin is not None and checkin.mentee.user_id != sender.pk:
        raise ValidationError(_("You can only reply about your own check-ins."))
    phrases = list(RiskPhrase.objects.filter(program=conversation.program_id).values_list("phrase", flat=True))
    flagged = bool(matching_phrases(text, phrases))
    now = timezone.now()
    with transaction.atomic():
        message = Message.objects.create(
            conversation=conversation, sender=sender, body=text, created_at=now, checkin=checkin, flagged=flagged
        )
        Conversation.objects.filter(pk=conversation.pk).update(last_message_at=now)
        conversation.last_message_at = now
        ReadMarker.objects.update_or_create(conversation=conversation, user=sender, defaults={"last_read_at": now})
        if flagged:
            mentee = _alert_mentee(conversation, sender)
            if mentee is not None:
                alert, _created = safety_alert_raise(
                    mentee=mentee, reasons=[SafetyAlert.Kind.HELP_NOW], source=SafetyAlert.Source.MESSAGE
                )
                message.alert = alert
                message.save(update_fields=["alert"])
        _tell_new_message(conversation, sender, now)
    return message


def _tell_new_message(conversation, sender, now):
    """One ``message_new`` notification per recipient who has read everything
    they were last told of (coalescing: a person with an unread notice for this
    conversation gets no second one until they read it)."""
    people = recipients_of(conversation, sender)
    if not people:
        return []
    markers = {m.user_id: m for m in ReadMarker.objects.filter(conversation=conversation, user__in=people)}
    told = []
    for person in people:
        marker = markers.get(person.pk)
        if marker is None:
            ReadMarker.objects.create(conversation=conversation, user=person, notified_at=now)
        elif marker.notified_at is None or (marker.last_read_at and marker.last_read_at >= marker.notified_at):
            ReadMarker.objects.filter(pk=marker.pk).update(notified_at=now)
        else:
            continue
        told.append(person)
    if told:
        notify(
            kind=ReminderKind.MESSAGE_NEW,
            recipients=told,
            subject=conversation,
            link=reverse("conversations:detail", args=[conversation.pk]),
            urgency="now",
            due_at=now,
            program=conversation.program_id,
        )
    return told


def conversation_read(*, conversation, user, at=None):
    """Mark ``conversation`` read by ``user`` up to ``at`` (default now, UTC)."""
    at = at or timezone.now()
    ReadMarker.objects.update_or_create(conversation=conversation, user=user, defaults={"last_read_at": at})


# --- boundaries ---------------------------------------------------------------------------------------


def conversation_pause(*, conversation, by, paused):
    """Pause (``paused=True``) or resume a conversation; ``by`` must coordinate
    its program (ValidationError otherwise). Nobody posts while it is paused;
    both sides still read it. Returns the conversation."""
    if not access.conversation_pausable(by, conversation):
        raise ValidationError(_("Only the program's coordinators can pause messages."))
    conversation.paused_at = timezone.now() if paused else None
    conversation.paused_by = by if paused else None
    conversation.save(update_fields=["paused_at", "paused_by"])
    return conversation


def message_report(*, message, by):
    """``by`` (who can see the message) reports it to the program's
    coordinators: marked reported and the coordinators told (kind
    ``message_reported``, a link to the program's reported messages, no
    content). Reporting again changes nothing. Returns the message."""
    if message.sender_id == by.pk:
        raise ValidationError(_("You cannot report your own message."))
    with transaction.atomic():
        updated = Message.objects.filter(pk=message.pk, reported_at__isnull=True).update(
            reported_at=timezone.now(), reported_by=by
        )
        if updated:
            program = message.conversation.program
            notify(
                kind=ReminderKind.MESSAGE_REPORTED,
                recipients=list(program.coordinators.all()),
                subject=message,
                link=reverse("conversations:reported", args=[program.pk]),
                urgency="now",
                program=program.pk,
            )
    message.refresh_from_db(fields=["reported_at", "reported_by"])
    return message


def messages_prune(*, now=None):
    """Delete messages older than their program's ``message_retention_months``
    (programs without one keep theirs). A message that raised a still-open
    safety alert is kept until the alert is answered. Returns the number deleted."""
    from programs.models import Program

    now = now or timezone.now()
    deleted = 0
    for program_id, months in Program.objects.filter(message_retention_months__isnull=False).values_list(
        "pk", "message_retention_months"
    ):
        cutoff = now - relativedelta(months=months)
        old = Message.objects.filter(conversation__program=program_id, created_at__lt=cutoff).exclude(
            alert__isnull=False, alert__acknowledged_at__isnull=True
        )
        deleted += old.delete()[0]
    return deleted


# --- risk phrases -------------------------------------------------------------------------------------


def risk_phrases_seed(*, program):
    """Give ``program`` the starter list (conversations.defaults); phrases it has already are kept."""
    RiskPhrase.objects.bulk_create(
        [RiskPhrase(program=program, phrase=p) for p in DEFAULT_RISK_PHRASES], ignore_conflicts=True
    )


def risk_phrase_add(*, program, phrase):
    """Add a phrase (2 to 100 characters with at least one letter or digit);
    ValidationError({"phrase": ...}) when it is empty, too long or on the list already."""
    text = " ".join((phrase or "").split())
    if not normalise(text):
        raise ValidationError({"phrase": _("Write a word or a phrase.")})
    if len(text) > 100:
        raise ValidationError({"phrase": _("Keep a phrase under 100 characters.")})
    existing = {normalise(p) for p in program.risk_phrases.values_list("phrase", flat=True)}
    if normalise(text) in existing:
        raise ValidationError({"phrase": _("This phrase is on the list already.")})
    return RiskPhrase.objects.create(program=program, phrase=text)


def risk_phrase_remove(*, phrase):
    phrase.delete()


def reported_messages(program):
    """Messages reported in ``program``, newest first (for its coordinators)."""
    return (
        Message.objects.filter(conversation__program=program, reported_at__isnull=False)
        .select_related("sender", "reported_by", "conversation")
        .order_by("-reported_at")
    )
