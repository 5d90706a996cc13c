"""Reads for messages: unread counts, a conversation's latest page, the list.

Unread: messages from others created after the person's read marker
(``ReadMarker.last_read_at``; no marker: all of them). Every function here
takes rows the access policy already allowed, or asks it."""

from datetime import UTC, datetime

from django.db.models import Count, DateTimeField, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext

from mentoring import access

from .models import Message, ReadMarker

EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
PAGE = 50


def _read_until(user, conversation_ref):
    return Coalesce(
        Subquery(
            ReadMarker.objects.filter(conversation=conversation_ref, user=user).values("last_read_at")[:1],
            output_field=DateTimeField(),
        ),
        Value(EPOCH, output_field=DateTimeField()),
    )


def unread_count(user):
    """How many messages from others ``user`` has not read, over every
    conversation they may open. One query."""
    if not user.is_authenticated:
        return 0
    return (
        Message.objects.filter(conversation__in=access.visible_conversations(user).values("pk"))
        .exclude(sender=user)
        .annotate(read_until=_read_until(user, OuterRef("conversation")))
        .filter(created_at__gt=F("read_until"))
        .count()
    )


def conversation_list(user):
    """The user's conversations, most recent message first, each with
    ``unread`` (messages from others not read yet) and what it is about
    (match people, program, group) loaded. Two queries whatever the number."""
    read_until = _read_until(user, OuterRef("pk"))
    return (
        access.visible_conversations(user)
        .annotate(
            read_until=read_until,
        )
        .annotate(
            unread=Count(
                "messages",
                filter=Q(messages__created_at__gt=F("read_until")) & ~Q(messages__sender=user),
            )
        )
        .select_related("program", "match__mentor__user", "match__mentee__user", "person", "group")
    )


def _rows(conversation):
    return Message.objects.filter(conversation=conversation).select_related("sender", "checkin")


def messages_after(conversation, after, *, limit=PAGE):
    """Messages newer than message id ``after``, oldest first (the htmx refresh). One query."""
    return list(_rows(conversation).filter(pk__gt=after).order_by("created_at", "pk")[:limit])


def latest_messages(conversation, *, before=None, limit=PAGE):
    """``(messages, more)``: up to ``limit`` messages of ``conversation``,
    oldest first — the latest ones, or those before message id ``before``
    (an older page) — and whether older ones exist. One query; the sender
    and the check-in replied to come with it."""
    rows = _rows(conversation)
    if before is not None:
        rows = rows.filter(pk__lt=before)
    page = list(rows.order_by("-created_at", "-pk")[: limit + 1])
    more = len(page) > limit
    return list(reversed(page[:limit])), more


def read_until(conversation, user):
    """When ``user`` last read ``conversation`` (UTC), or None."""
    return (
        ReadMarker.objects.filter(conversation=conversation, user=user).values_list("last_read_at", flat=True).first()
    )


def title_of(conversation, user):
    """What the conversation is called for ``user``: the other person of a
    match, "Program team (Program)" or the person for coordinators, the group's title."""
    if conversation.kind == conversation.Kind.MATCH:
        match = conversation.match
        other = match.mentee.user if match.mentor.user_id == user.pk else match.mentor.user
        return other.get_full_name()
    if conversation.kind == conversation.Kind.DIRECT:
        if conversation.person_id == user.pk:
            return gettext("Program team · %(program)s") % {"program": conversation.program.name}
        return conversation.person.get_full_name()
    return gettext("Announcements · %(group)s") % {"group": conversation.group.title}
