"""notify(): the one way any part of Waypoint sends a message."""

from django.db import transaction
from django.utils import timezone

from ..models import Channel, Delivery
from .kinds import KINDS
from .outbox import Due, kick, outbox_rows

URGENCIES = ("now", "routine")


def subject_key(subject):
    """'match:12' for a model instance; a string is used as it is."""
    if isinstance(subject, str):
        return subject[:64]
    return f"{subject._meta.model_name}:{subject.pk}"


def notify(*, kind, recipients, subject, link="", urgency="now", due_at=None, program=None):
    """Write one outbox row per recipient and channel for a message of ``kind``
    (a key of kinds.KINDS), in the caller's transaction.

    - ``recipients``: users (their channels follow kinds.KINDS and their
      preferences; quiet hours delay a row when the kind respects them;
      inactive users and None are left out) or email addresses as strings
      (people without an account yet: an invitation);
    - ``subject``: the model instance (or "thing:id" string) it is about; with
      ``due_at`` (default: now, UTC) it makes the row's unique key, so
      calling twice for the same moment creates nothing new;
    - ``link``: the path (or, for a secret link, the full URL) the message
      points to; never put personal details in it;
    - ``urgency``: "now" claims and queues the rows as soon as the transaction
      commits; "routine" leaves them to the next beat tick (within a minute).

    Returns the ids of the rows for this message. Raises KeyError for an
    unknown kind and ValueError for an unknown urgency."""
    spec = KINDS[kind]
    if urgency not in URGENCIES:
        raise ValueError(f"urgency must be one of {URGENCIES}")
    now = timezone.now()
    due_at = due_at or now
    key = subject_key(subject)
    program_id = getattr(program, "pk", program) or getattr(subject, "program_id", None)
    users = [r for r in recipients if r is not None and not isinstance(r, str)]
    addresses = [r for r in recipients if isinstance(r, str) and r]
    rows = outbox_rows([Due(spec.name, key, user, due_at, link, program_id) for user in users], now)
    rows += [
        Delivery(
            kind=spec.name,
            subject=key,
            address=address,
            channel=Channel.EMAIL,
            due_at=due_at,
            url=link,
            program_id=program_id,
            next_attempt_at=now,
            created_at=now,
        )
        for address in addresses
    ]
    if not rows:
        return []
    Delivery.objects.bulk_create(rows, ignore_conflicts=True)
    ids = list(
        Delivery.objects.filter(kind=spec.name, subject=key, due_at=due_at, status=Delivery.Status.PENDING).values_list(
            "pk", flat=True
        )
    )
    if urgency == "now" and ids:
        transaction.on_commit(lambda: kick(ids=ids))
    return ids
